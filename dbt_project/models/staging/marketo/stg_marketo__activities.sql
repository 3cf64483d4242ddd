{{ config(unique_key='activity_id') }}
with source as (
    {{ raw_latest(source('marketo', 'marketo__activities')) }}
),

renamed as (
    select
        -- ids
        id as activity_id,
        {{ json_text('_raw', 'id') }} as activity_numeric_id,
        {{ json_text('_raw', 'leadId') }} as marketo_lead_id,
        {{ cast_or_null(json_text('_raw', 'activityTypeId'), 'integer') }} as activity_type_id,
        {{ json_text('_raw', 'campaignId') }} as campaign_id,
        {{ json_text('_raw', 'primaryAttributeValueId') }} as primary_attribute_value_id,
        -- strings
        {{ json_text('_raw', 'primaryAttributeValue') }} as primary_attribute_value,
        -- timestamps
        {{ json_ts('_raw', 'activityDate') }} as activity_at,
        _extracted_at,
        _load_seq
    from source
)

select * from renamed
