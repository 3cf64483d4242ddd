{{
    config(
        materialized='incremental',
        unique_key='handoff_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        pre_hook="{{ prune_handoff_fields() }}"
    )
}}
-- The canonical handoff fields of every toss-up, read from the org's fields named in the
-- seed `handoff_field_mapping` (so another org changes a seed row, not SQL). Raw text only;
-- int_handoffs_validated cleans and validates.
-- Salesforce (source_object Lead): a converted Lead with a toss-up time.
-- HubSpot (source_object contact, pattern "owner change at SQL"): a contact that reached SQL.
-- company_name, contact_name and sender_rep_id come from a mapped property when the seed has a
-- row for them, else from the associated company's name, lastname + firstname, and the owner
-- in force just before SQL;
-- the receiver's fallback (when no deal exists) is the first owner set at or after it; the deal is
-- the contact's earliest deal created from a day before SQL on; the account its company.
{%- set fields = ['tossup_at', 'sender_rep_id', 'company_name', 'contact_name',
    'contact_email', 'contact_phone', 'challenge', 'budget_status', 'budget_amount',
    'authority', 'timeframe', 'next_meeting_at', 'handoff_status', 'reject_reason'] %}
with leads as (
    select * from {{ ref('stg_salesforce__leads') }}
    where not is_deleted
    {%- if is_incremental() %}
        and _load_seq > {{ handoff_lead_mark() }}
    {%- endif %}
),

contacts as (
    select * from {{ ref('stg_hubspot__contacts') }} where not is_deleted
),

mapping as (
    select canonical_field, source_object, source_field
    from {{ ref('handoff_field_mapping') }}
),

field_values as (
    select
        leads.lead_id,
        mapping.canonical_field,
        leads.raw_record->>mapping.source_field as field_value
    from leads
    inner join mapping on mapping.source_object = 'Lead'
),

pivoted as (
    select
        lead_id,
        {%- for field in fields %}
        max(case when canonical_field = '{{ field }}' then field_value end) as {{ field }}_raw
        {{- "," if not loop.last }}
        {%- endfor %}
    from field_values
    group by lead_id
),

salesforce_handoffs as (
    select
        leads.lead_id as handoff_id,
        'salesforce' as handoff_source,
        leads._load_seq as _lead_load_seq,
        leads.lead_id,
        leads.converted_account_id as account_id,
        leads.converted_contact_id as contact_id,
        leads.converted_opportunity_id as opportunity_id,
        leads.email_normalized as lead_email_normalized,
        cast(null as {{ dbt.type_string() }}) as owner_after_tossup_rep_id,
        {%- for field in fields %}
        pivoted.{{ field }}_raw{{ "," if not loop.last }}
        {%- endfor %}
    from pivoted
    inner join leads on pivoted.lead_id = leads.lead_id
),

contact_values as (
    select
        contacts.contact_id,
        mapping.canonical_field,
        contacts.properties->>mapping.source_field as field_value
    from contacts
    inner join mapping on mapping.source_object = 'contact'
),

contact_pivoted as (
    select
        contact_id,
        {%- for field in fields %}
        max(case when canonical_field = '{{ field }}' then field_value end) as {{ field }}_raw,
        max(case when canonical_field = '{{ field }}' then 1 else 0 end) = 1 as has_{{ field }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from contact_values
    group by contact_id
),

associations as (
    select * from {{ ref('stg_hubspot__associations') }}
),

deals as (
    select deal_id, created_at
    from {{ ref('stg_hubspot__deals') }}
    where not is_deleted
),

contact_deals as (
    -- the deal the toss-up produced: the contact's earliest deal created from a day before SQL
    select contact_id, deal_id, company_id
    from (
        select
            associations.to_object_id as contact_id,
            deals.deal_id,
            deal_companies.to_object_id as company_id,
            row_number() over (
                partition by associations.to_object_id
                order by deals.created_at, deals.deal_id, deal_companies.to_object_id
            ) as deal_rank
        from associations
        inner join deals on associations.from_object_id = deals.deal_id
        inner join contacts on associations.to_object_id = contacts.contact_id
        left join associations as deal_companies
            on deal_companies.from_object_type = 'deal'
            and deal_companies.from_object_id = deals.deal_id
            and deal_companies.to_object_type = 'company'
        where associations.from_object_type = 'deal'
            and associations.to_object_type = 'contact'
            and deals.created_at >= {{ dbt.dateadd('day', -1, 'contacts.sql_entered_at') }}
    ) as ranked
    where deal_rank = 1
),

companies as (
    select company_id, company_name
    from {{ ref('stg_hubspot__companies') }}
    where not is_deleted
),

hubspot_handoffs as (
    select
        contacts.contact_id as handoff_id,
        'hubspot' as handoff_source,
        cast(null as {{ dbt.type_bigint() }}) as _lead_load_seq,
        contacts.contact_id as lead_id,
        contact_deals.company_id as account_id,
        contacts.contact_id,
        contact_deals.deal_id as opportunity_id,
        contacts.email_normalized as lead_email_normalized,
        contact_owners.owner_after_sql_id as owner_after_tossup_rep_id,
        {{ hubspot_ts_text('contact_pivoted.tossup_at_raw') }} as tossup_at_raw,
        case
            when contact_pivoted.has_sender_rep_id then contact_pivoted.sender_rep_id_raw
            else contact_owners.owner_before_sql_id
        end as sender_rep_id_raw,
        case
            when contact_pivoted.has_company_name then contact_pivoted.company_name_raw
            else companies.company_name
        end as company_name_raw,
        case
            when contact_pivoted.has_contact_name then contact_pivoted.contact_name_raw
            else contacts.contact_name
        end as contact_name_raw,
        contact_pivoted.contact_email_raw,
        contact_pivoted.contact_phone_raw,
        contact_pivoted.challenge_raw,
        contact_pivoted.budget_status_raw,
        contact_pivoted.budget_amount_raw,
        contact_pivoted.authority_raw,
        contact_pivoted.timeframe_raw,
        {{ hubspot_ts_text('contact_pivoted.next_meeting_at_raw') }} as next_meeting_at_raw,
        contact_pivoted.handoff_status_raw,
        contact_pivoted.reject_reason_raw
    from contacts
    inner join contact_pivoted on contacts.contact_id = contact_pivoted.contact_id
    left join contact_deals on contacts.contact_id = contact_deals.contact_id
    left join companies on contact_deals.company_id = companies.company_id
    left join {{ ref('int_hubspot_contact_owners') }} as contact_owners
        on contacts.contact_id = contact_owners.contact_id
    -- the company's own people (a colleague's test contact) hand nothing off
    where contacts.email_normalized is null
        or not {{ is_internal_email('contacts.email_normalized') }}
),

handoffs as (
    select * from salesforce_handoffs
    union all
    select * from hubspot_handoffs
)

select
    handoffs.*,
    {{ handoff_fields_settings() }} as _settings
from handoffs
-- a toss-up date that does not parse makes no handoff (dq_unparseable_values lists it)
where {{ parse_timestamp("nullif(trim(handoffs.tossup_at_raw), '')") }} is not null
