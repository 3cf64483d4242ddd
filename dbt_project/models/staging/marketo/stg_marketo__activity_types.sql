{{ config(materialized='table') }}
with source as (
    {{ raw_latest(source('marketo', 'marketo__activity_types')) }}
),

renamed as (
    select
        -- ids
        {{ cast_or_null('id', 'integer') }} as activity_type_id,
        -- strings
        {{ json_text('_raw', 'name') }} as activity_type_name,
        {{ json_text('_raw', 'description') }} as activity_type_description,
        {{ json_text('_raw', 'apiName') }} as activity_type_api_name,
        _raw->'primaryAttribute'->>'name' as primary_attribute_name,
        _extracted_at
    from source
)

select * from renamed
