{{ config(unique_key='call_id') }}
-- HubSpot calls. `hs_call_duration` is in milliseconds.
with source as (
    {{ raw_latest(source('hubspot', 'hubspot__calls')) }}
),

renamed as (
    select
        -- ids
        id as call_id,
        {{ hubspot_prop('hubspot_owner_id') }} as owner_id,
        -- strings
        {{ hubspot_prop('hs_call_title') }} as title,
        {{ hubspot_prop('hs_call_direction') }} as direction,
        {{ hubspot_prop('hs_call_disposition') }} as disposition,
        {{ hubspot_prop('hs_call_status') }} as call_status,
        -- numerics
        {{ cast_or_null(hubspot_prop('hs_call_duration'), 'double precision') }} / 1000.0 as duration_seconds,
        -- booleans
        coalesce({{ json_bool('_raw', 'archived') }}, false) as is_deleted,
        -- timestamps
        {{ hubspot_prop_ts('hs_timestamp') }} as started_at,
        {{ hubspot_prop_ts('hs_createdate') }} as created_at,
        _extracted_at,
        _load_seq
    from source
)

select * from renamed
