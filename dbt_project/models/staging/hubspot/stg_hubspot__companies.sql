{{ config(unique_key='company_id') }}
-- HubSpot companies: the accounts.
with source as (
    {{ raw_latest(source('hubspot', 'hubspot__companies')) }}
),

renamed as (
    select
        -- ids
        id as company_id,
        {{ hubspot_prop('hubspot_owner_id') }} as owner_id,
        -- strings
        {{ hubspot_prop('name') }} as company_name,
        {{ normalize_company_name(json_string("_raw->'properties'", 'name')) }} as company_name_normalized,
        {{ hubspot_prop('domain') }} as domain,
        {{ hubspot_prop('lifecyclestage') }} as lifecycle_stage,
        {{ hubspot_prop('industry') }} as industry,
        -- booleans
        coalesce({{ json_bool('_raw', 'archived') }}, false) as is_deleted,
        -- timestamps
        {{ hubspot_prop_ts('createdate') }} as created_at,
        {{ hubspot_prop_ts('hs_lastmodifieddate') }} as last_modified_at,
        _extracted_at,
        _load_seq
    from source
)

select * from renamed
