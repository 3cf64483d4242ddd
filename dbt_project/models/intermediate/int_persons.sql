-- One row per person (identity across Marketo, Salesforce and Gong; see int_person_records).
-- Lead source: the first source in var lead_source_precedence that has one (Marketo: the
-- earliest Marketo lead with a leadSource; Salesforce: the earliest Lead with a LeadSource).
-- Lead owner: the owner of the person's earliest Salesforce Lead (the rep the lead was
-- assigned to), else of its earliest HubSpot contact (the owner before SQL), the rep of the
-- person cohort KPIs (leads, mqls, mql_to_sql_rate, ...).
{%- set record_types = {'marketo': 'marketo_lead', 'hubspot': 'hubspot_contact', 'salesforce': 'salesforce_lead'} %}
with records as (
    select * from {{ ref('int_person_records') }}
),

ranked_sources as (
    select
        person_key,
        record_type,
        lead_source,
        row_number() over (
            partition by person_key, record_type order by created_at, record_id
        ) as source_rank
    from records
    where record_type in ('marketo_lead', 'hubspot_contact', 'salesforce_lead') and lead_source is not null
),

first_sources as (
    select
        person_key,
        {%- for origin, record_type in record_types.items() %}
        max(case when record_type = '{{ record_type }}' then lead_source end) as {{ origin }}_lead_source
        {{- "," if not loop.last }}
        {%- endfor %}
    from ranked_sources
    where source_rank = 1
    group by person_key
),

first_salesforce_leads as (
    select person_key, lead_owner_rep_id
    from (
        select
            person_key,
            lead_owner_rep_id,
            row_number() over (partition by person_key order by created_at, record_id) as lead_rank
        from records
        where record_type = 'salesforce_lead'
    ) as ranked
    where lead_rank = 1
),

first_hubspot_contacts as (
    select person_key, lead_owner_rep_id
    from (
        select
            person_key,
            lead_owner_rep_id,
            row_number() over (partition by person_key order by created_at, record_id) as contact_rank
        from records
        where record_type = 'hubspot_contact'
    ) as ranked
    where contact_rank = 1
),

persons as (
    select
        person_key,
        min(email_normalized) as email_normalized,
        -- creation in Marketo or Salesforce; a Gong party alone creates no lead
        min(case when record_type <> 'gong_party' then created_at end) as lead_created_at,
        sum(case when record_type = 'marketo_lead' then 1 else 0 end) as marketo_lead_count,
        sum(case when record_type = 'salesforce_lead' then 1 else 0 end) as salesforce_lead_count,
        sum(case when record_type = 'salesforce_contact' then 1 else 0 end) as salesforce_contact_count,
        max(case when record_type = 'gong_party' then 1 else 0 end) = 1 as is_in_gong
    from records
    group by person_key
)

select
    persons.person_key,
    persons.email_normalized,
    persons.lead_created_at,
    coalesce(
        {%- for origin in var('lead_source_precedence') %}
        first_sources.{{ origin }}_lead_source{{ "," if not loop.last }}
        {%- endfor %}
    ) as lead_source,
    first_sources.marketo_lead_source,
    first_sources.salesforce_lead_source,
    coalesce(first_salesforce_leads.lead_owner_rep_id, first_hubspot_contacts.lead_owner_rep_id)
        as lead_owner_rep_id,
    persons.marketo_lead_count,
    persons.salesforce_lead_count,
    persons.salesforce_contact_count,
    persons.is_in_gong
from persons
left join first_sources on persons.person_key = first_sources.person_key
left join first_salesforce_leads on persons.person_key = first_salesforce_leads.person_key
left join first_hubspot_contacts on persons.person_key = first_hubspot_contacts.person_key
