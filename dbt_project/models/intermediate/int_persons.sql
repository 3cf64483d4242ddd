-- One row per person (identity across Marketo, Salesforce and Gong; see int_person_records).
with records as (
    select * from {{ ref('int_person_records') }}
),

first_marketo_lead as (
    -- the person's source is the leadSource of its earliest Marketo lead
    select person_key, marketo_lead_source
    from (
        select
            person_key,
            marketo_lead_source,
            row_number() over (partition by person_key order by created_at, record_id) as lead_rank
        from records
        where record_type = 'marketo_lead'
    ) as ranked
    where lead_rank = 1
)

select
    records.person_key,
    min(records.email_normalized) as email_normalized,
    -- creation in Marketo or Salesforce; a Gong party alone creates no lead
    min(case when records.record_type <> 'gong_party' then records.created_at end) as lead_created_at,
    min(first_marketo_lead.marketo_lead_source) as lead_source,
    sum(case when records.record_type = 'marketo_lead' then 1 else 0 end) as marketo_lead_count,
    sum(case when records.record_type = 'salesforce_lead' then 1 else 0 end) as salesforce_lead_count,
    sum(case when records.record_type = 'salesforce_contact' then 1 else 0 end) as salesforce_contact_count,
    max(case when records.record_type = 'gong_party' then 1 else 0 end) = 1 as is_in_gong
from records
left join first_marketo_lead on records.person_key = first_marketo_lead.person_key
group by records.person_key
