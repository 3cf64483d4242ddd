-- The canonical handoff fields of every toss-up, read from the org's fields named in the
-- seed `handoff_field_mapping` (so another org changes a seed row, not SQL). Raw text only;
-- int_handoffs_validated cleans and validates.
with leads as (
    select * from {{ ref('stg_salesforce__leads') }} where not is_deleted
),

mapping as (
    select canonical_field, source_field
    from {{ ref('handoff_field_mapping') }}
    where source_object = 'Lead'
),

field_values as (
    select
        leads.lead_id,
        mapping.canonical_field,
        leads.raw_record->>mapping.source_field as field_value
    from leads
    cross join mapping
),

pivoted as (
    select
        lead_id,
        {%- for field in ['tossup_at', 'sender_rep_id', 'company_name', 'contact_name',
            'contact_email', 'contact_phone', 'challenge', 'budget_status', 'budget_amount',
            'authority', 'timeframe', 'next_meeting_at', 'handoff_status', 'reject_reason'] %}
        max(case when canonical_field = '{{ field }}' then field_value end) as {{ field }}_raw
        {{- "," if not loop.last }}
        {%- endfor %}
    from field_values
    group by lead_id
)

select
    leads.lead_id as handoff_id,
    leads.lead_id,
    leads.converted_account_id as account_id,
    leads.converted_contact_id as contact_id,
    leads.converted_opportunity_id as opportunity_id,
    leads.email_normalized as lead_email_normalized,
    pivoted.tossup_at_raw, pivoted.sender_rep_id_raw, pivoted.company_name_raw, pivoted.contact_name_raw,
    pivoted.contact_email_raw, pivoted.contact_phone_raw, pivoted.challenge_raw, pivoted.budget_status_raw,
    pivoted.budget_amount_raw, pivoted.authority_raw, pivoted.timeframe_raw, pivoted.next_meeting_at_raw,
    pivoted.handoff_status_raw, pivoted.reject_reason_raw
from pivoted
inner join leads on pivoted.lead_id = leads.lead_id
-- a toss-up date that does not parse makes no handoff (dq_unparseable_values lists it)
where {{ parse_timestamp("nullif(trim(pivoted.tossup_at_raw), '')") }} is not null
