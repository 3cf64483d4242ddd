{{ config(unique_key='contact_id') }}
-- HubSpot contacts: the persons of a company whose MA and CRM is HubSpot (lead and contact in
-- one). Lifecycle dates from `hs_v2_date_entered_<stage>`; the org's custom properties stay in
-- `properties` for int_handoff_fields (seed handoff_field_mapping, source_object contact).
with source as (
    {{ raw_latest(source('hubspot', 'hubspot__contacts')) }}
),

renamed as (
    select
        -- ids
        id as contact_id,
        {{ hubspot_prop('hubspot_owner_id') }} as owner_id,
        -- strings
        {{ hubspot_prop('email') }} as email,
        {{ normalize_email(json_string("_raw->'properties'", 'email')) }} as email_normalized,
        {{ hubspot_prop('firstname') }} as first_name,
        {{ hubspot_prop('lastname') }} as last_name,
        {{ hubspot_prop('phone') }} as phone,
        {{ hubspot_prop('company') }} as company,
        {{ normalize_company_name(json_string("_raw->'properties'", 'company')) }} as company_normalized,
        {{ hubspot_prop('jobtitle') }} as job_title,
        {{ hubspot_prop('lifecyclestage') }} as lifecycle_stage,
        {{ hubspot_prop('hs_lead_status') }} as lead_status,
        {{ hubspot_prop('hs_analytics_source') }} as analytics_source,
        {{ hubspot_prop('hs_analytics_source_data_1') }} as analytics_source_detail,
        -- booleans
        coalesce({{ json_bool('_raw', 'archived') }}, false) as is_deleted,
        -- timestamps
        {{ hubspot_prop_ts('createdate') }} as created_at,
        {{ hubspot_prop_ts('lastmodifieddate') }} as last_modified_at,
        {{ hubspot_prop_ts('hs_v2_date_entered_lead') }} as lead_entered_at,
        {{ hubspot_prop_ts('hs_v2_date_entered_marketingqualifiedlead') }} as mql_entered_at,
        {{ hubspot_prop_ts('hs_v2_date_entered_salesqualifiedlead') }} as sql_entered_at,
        {{ hubspot_prop_ts('hs_v2_date_entered_opportunity') }} as opportunity_entered_at,
        {{ hubspot_prop_ts('hs_v2_date_entered_customer') }} as customer_entered_at,
        {{ json_ts('_raw', 'archivedAt') }} as archived_at,
        -- the record's properties as landed (JSON / JSONB)
        _raw->'properties' as properties,
        _extracted_at,
        _load_seq
    from source
)

select
    contact_id,
    owner_id,
    email,
    email_normalized,
    first_name,
    last_name,
    -- family name first (Japanese order); blank parts left out
    nullif(trim(concat_ws(' ', last_name, first_name)), '') as contact_name,
    phone,
    company,
    company_normalized,
    job_title,
    lifecycle_stage,
    lead_status,
    analytics_source,
    analytics_source_detail,
    is_deleted,
    coalesce(created_at, lead_entered_at) as created_at,
    last_modified_at,
    mql_entered_at,
    sql_entered_at,
    opportunity_entered_at,
    customer_entered_at,
    archived_at,
    properties,
    _extracted_at,
    _load_seq
from renamed
