{{
    config(
        materialized='incremental',
        unique_key='handoff_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        pre_hook="{{ prune_handoffs_validated() }}"
    )
}}
-- Every handoff's canonical fields cleaned and validated exactly as contracts 5.3 says:
-- text is NFKC-normalised and trimmed first; picklist labels match exactly (case-sensitive)
-- after that; one is_valid_<field> flag per canonical field;
-- completeness = valid fields / 10; BANT score; qualified when BANT >= qualified_bant_min.
-- Incremental (macros/handoff_increments.sql): the handoffs int_handoff_fields rebuilt since
-- (a Lead above the highest `_lead_load_seq` here, or HubSpot); all of them again when the
-- vars, the picklist labels or the field mapping changed.
with fields as (
    select * from {{ ref('int_handoff_fields') }}
    {%- if is_incremental() %}
    where handoff_source = 'hubspot' or _lead_load_seq > {{ handoff_lead_mark() }}
    {%- endif %}
),

labels as (
    select picklist, {{ clean_text('label') }} as label_key, canonical_value
    from {{ ref('picklist_label_mapping') }}
),

cleaned as (
    select
        fields.handoff_id,
        fields.handoff_source,
        fields._lead_load_seq,
        fields.lead_id,
        fields.account_id,
        fields.contact_id,
        fields.opportunity_id,
        fields.lead_email_normalized,
        fields.owner_after_tossup_rep_id,
        {{ parse_timestamp("nullif(trim(fields.tossup_at_raw), '')") }} as tossup_at,
        nullif(trim(fields.sender_rep_id_raw), '') as sender_rep_id,
        {{ clean_text('fields.company_name_raw') }} as company_name,
        {{ clean_text('fields.contact_name_raw') }} as contact_name,
        lower({{ clean_text('fields.contact_email_raw') }}) as contact_email,
        fields.contact_phone_raw,
        {{ phone_candidate(clean_text('fields.contact_phone_raw')) }} as contact_phone_candidate,
        {{ clean_text('fields.challenge_raw') }} as challenge,
        fields.budget_status_raw,
        budget_labels.canonical_value as budget_status,
        {{ to_number_or_null(clean_text('fields.budget_amount_raw')) }} as budget_amount,
        {{ clean_text('fields.budget_amount_raw') }} as budget_amount_text,
        fields.authority_raw,
        authority_labels.canonical_value as authority,
        fields.timeframe_raw,
        {{ parse_loose_date(clean_text('fields.timeframe_raw')) }} as timeframe_date,
        {{ parse_timestamp("nullif(trim(fields.next_meeting_at_raw), '')") }} as next_meeting_at,
        fields.handoff_status_raw,
        -- blank or an unknown label: no verdict yet
        coalesce(status_labels.canonical_value, 'pending') as handoff_status,
        {{ clean_text('fields.reject_reason_raw') }} as reject_reason
    from fields
    left join labels as budget_labels
        on budget_labels.picklist = 'budget_status'
        and budget_labels.label_key = {{ clean_text('fields.budget_status_raw') }}
    left join labels as authority_labels
        on authority_labels.picklist = 'authority'
        and authority_labels.label_key = {{ clean_text('fields.authority_raw') }}
    left join labels as status_labels
        on status_labels.picklist = 'handoff_status'
        and status_labels.label_key = {{ clean_text('fields.handoff_status_raw') }}
),

validated as (
    select
        cleaned.*,
        not {{ is_placeholder('company_name') }} as is_valid_company_name,
        not {{ is_placeholder('contact_name') }} as is_valid_contact_name,
        {{ regex_matches('contact_email', '^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$') }}
            as is_valid_contact_email,
        {{ regex_matches('contact_phone_candidate', '^\+[1-9][0-9]{8,14}$') }} as is_valid_contact_phone,
        (not {{ is_placeholder('challenge') }} and coalesce(length(challenge), 0) >= 5) as is_valid_challenge,
        budget_status is not null as is_valid_budget_status,
        coalesce(
            (budget_amount >= 0 and budget_status in ('confirmed', 'estimated'))
            or (budget_amount_text is null and coalesce(budget_status, '') not in ('confirmed', 'estimated')),
            false
        ) as is_valid_budget_amount,
        authority is not null as is_valid_authority,
        coalesce(
            timeframe_date > {{ reporting_date('tossup_at') }}
            and timeframe_date <= {{ dbt.dateadd('month', 24, reporting_date('tossup_at')) }},
            false
        ) as is_valid_timeframe,
        coalesce(next_meeting_at > tossup_at, false) as is_valid_next_meeting_at
    from cleaned
),

scored as (
    select
        validated.*,
        case when is_valid_contact_phone then contact_phone_candidate end as contact_phone,
        cast((
            {%- for field in ['company_name', 'contact_name', 'contact_email', 'contact_phone',
                'challenge', 'budget_status', 'budget_amount', 'authority', 'timeframe',
                'next_meeting_at'] %}
            case when is_valid_{{ field }} then 1 else 0 end{{ " +" if not loop.last }}
            {%- endfor %}
        ) / 10.0 as double precision) as completeness,
        (
            case when budget_status in ('confirmed', 'estimated') then 1 else 0 end
            + case when is_valid_authority and authority <> 'unknown' then 1 else 0 end
            + case when is_valid_challenge then 1 else 0 end
            + case when is_valid_timeframe then 1 else 0 end
        ) as bant_score
    from validated
)

select
    scored.*,
    bant_score >= {{ var('qualified_bant_min') }} as is_qualified,
    {{ handoffs_validated_settings() }} as _settings
from scored
