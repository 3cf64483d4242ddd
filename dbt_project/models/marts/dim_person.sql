-- One row per person across Marketo, Salesforce and Gong (contracts 5.4).
select
    person_key,
    email_normalized as email,
    lead_source,
    marketo_lead_source,
    salesforce_lead_source,
    lead_owner_rep_id,
    lead_created_at,
    marketo_lead_count,
    salesforce_lead_count,
    salesforce_contact_count,
    is_in_gong
from {{ ref('int_persons') }}
