{{ config(unique_key='deal_id') }}
-- HubSpot deals: the opportunities. Won and lost are not read here: they come from the stage
-- metadata of the deal's pipeline (int_opportunity_stages), never from a label.
with source as (
    {{ raw_latest(source('hubspot', 'hubspot__deals')) }}
),

renamed as (
    select
        -- ids
        id as deal_id,
        {{ hubspot_prop('hubspot_owner_id') }} as owner_id,
        {{ hubspot_prop('pipeline') }} as pipeline_id,
        {{ hubspot_prop('dealstage') }} as stage_id,
        -- strings
        {{ hubspot_prop('dealname') }} as deal_name,
        {{ hubspot_prop('dealtype') }} as deal_type,
        {{ hubspot_prop('deal_currency_code') }} as currency_code,
        -- numerics
        {{ cast_or_null(hubspot_prop('amount'), 'double precision') }} as amount,
        -- booleans
        coalesce({{ json_bool('_raw', 'archived') }}, false) as is_deleted,
        -- timestamps
        {{ hubspot_prop_ts('createdate') }} as created_at,
        {{ hubspot_prop_ts('closedate') }} as close_at,
        {{ hubspot_prop_ts('hs_lastmodifieddate') }} as last_modified_at,
        -- the record's properties as landed (hs_v2_date_entered_<stage id>)
        _raw->'properties' as properties,
        _extracted_at,
        _load_seq
    from source
)

select * from renamed
