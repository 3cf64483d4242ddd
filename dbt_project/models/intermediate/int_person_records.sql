-- Every source record that stands for a person, with the person key it resolves to (HubSpot
-- contacts too: their lead source is hs_analytics_source mapped by the seed
-- picklist_label_mapping, picklist lead_source; their lead owner the owner before SQL).
-- Identity = normalised e-mail (NFKC, trim, lower; contracts 5.4). Fallbacks when a record has
-- no e-mail: a Salesforce Contact takes the e-mail of the Lead converted into it, a Marketo
-- lead that of its synced Salesforce Lead/Contact; otherwise the record is a person of its
-- own ("<record_type>:<id>"), never merged by name. Deleted records are ignored, and so are
-- the company's own people (macro is_internal_email: users' addresses and internal domains),
-- whatever a tool's affiliation flag says.
with sf_leads as (
    select * from {{ ref('stg_salesforce__leads') }} where not is_deleted
),

sf_contacts as (
    select * from {{ ref('stg_salesforce__contacts') }} where not is_deleted
),

mkto_leads as (
    select * from {{ ref('stg_marketo__leads') }} where not is_deleted
),

hubspot_contacts as (
    select * from {{ ref('stg_hubspot__contacts') }} where not is_deleted
),

hubspot_sources as (
    select {{ clean_text('label') }} as label_key, canonical_value
    from {{ ref('picklist_label_mapping') }}
    where picklist = 'lead_source'
),

contact_emails as (
    select
        sf_contacts.contact_id,
        coalesce(sf_contacts.email_normalized, min(sf_leads.email_normalized)) as email_normalized
    from sf_contacts
    left join sf_leads on sf_leads.converted_contact_id = sf_contacts.contact_id
    group by sf_contacts.contact_id, sf_contacts.email_normalized
),

records as (
    select
        'salesforce_lead' as record_type,
        lead_id as record_id,
        email_normalized,
        created_at,
        lead_source,
        owner_id
    from sf_leads

    union all

    select
        'salesforce_contact',
        sf_contacts.contact_id,
        contact_emails.email_normalized,
        sf_contacts.created_at,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }})
    from sf_contacts
    inner join contact_emails on sf_contacts.contact_id = contact_emails.contact_id

    union all

    select
        'marketo_lead',
        mkto_leads.marketo_lead_id,
        coalesce(mkto_leads.email_normalized, sf_leads.email_normalized, contact_emails.email_normalized),
        mkto_leads.created_at,
        mkto_leads.lead_source,
        cast(null as {{ dbt.type_string() }})
    from mkto_leads
    left join sf_leads on mkto_leads.sfdc_lead_id = sf_leads.lead_id
    left join contact_emails on mkto_leads.sfdc_contact_id = contact_emails.contact_id

    union all

    select
        'hubspot_contact',
        hubspot_contacts.contact_id,
        hubspot_contacts.email_normalized,
        hubspot_contacts.created_at,
        coalesce(hubspot_sources.canonical_value, hubspot_contacts.analytics_source),
        contact_owners.lead_owner_id
    from hubspot_contacts
    left join hubspot_sources
        on hubspot_sources.label_key = {{ clean_text('hubspot_contacts.analytics_source') }}
    left join {{ ref('int_hubspot_contact_owners') }} as contact_owners
        on hubspot_contacts.contact_id = contact_owners.contact_id

    union all

    -- external Gong participants: only with an e-mail (a nameless dial-in is no person)
    select distinct
        'gong_party',
        parties.email_normalized,
        parties.email_normalized,
        cast(null as timestamptz),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }})
    from {{ ref('stg_gong__call_parties') }} as parties
    where parties.affiliation = 'External' and parties.email_normalized is not null
)

select
    record_type,
    record_id,
    email_normalized,
    md5(coalesce(email_normalized, record_type || ':' || record_id)) as person_key,
    created_at,
    -- Marketo leadSource, Salesforce Lead.LeadSource or HubSpot's mapped original source
    -- (see record_type); blank is none
    nullif(trim(lead_source), '') as lead_source,
    owner_id as lead_owner_rep_id
from records
where records.email_normalized is null or not {{ is_internal_email('records.email_normalized') }}
