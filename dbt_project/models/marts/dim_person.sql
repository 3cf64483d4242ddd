-- One row per person across Marketo, Salesforce and Gong (contracts 5.4).
with persons as (
    select * from {{ ref('int_persons') }}
),

reps as (
    select rep_id, rep_name from {{ ref('int_reps') }}
)

select
    persons.person_key,
    persons.email_normalized as email,
    persons.lead_source,
    persons.marketo_lead_source,
    persons.salesforce_lead_source,
    persons.lead_owner_rep_id,
    reps.rep_name as lead_owner_rep_name,
    persons.lead_created_at,
    cast(persons.marketo_lead_count as bigint) as marketo_lead_count,
    cast(persons.salesforce_lead_count as bigint) as salesforce_lead_count,
    cast(persons.salesforce_contact_count as bigint) as salesforce_contact_count,
    persons.is_in_gong
from persons
left join reps on persons.lead_owner_rep_id = reps.rep_id
