{{ config(unique_key='deleted_lead_activity_id') }}
with source as (
    {{ raw_latest(source('marketo', 'marketo__deleted_leads')) }}
),

renamed as (
    select
        -- ids
        id as deleted_lead_activity_id,
        {{ json_text('_raw', 'leadId') }} as marketo_lead_id,
        -- strings
        {{ json_text('_raw', 'primaryAttributeValue') }} as deleted_lead_label,
        -- timestamps
        {{ json_ts('_raw', 'activityDate') }} as deleted_at,
        _extracted_at,
        _load_seq
    from source
)

select * from renamed
