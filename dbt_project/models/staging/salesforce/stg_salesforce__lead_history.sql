{{ config(unique_key='lead_history_id') }}
with source as (
    {{ raw_latest(source('salesforce', 'salesforce__lead_history')) }}
),

renamed as (
    select
        -- ids
        id as lead_history_id,
        {{ json_text('_raw', 'LeadId') }} as lead_id,
        {{ json_text('_raw', 'CreatedById') }} as created_by_id,
        -- strings (OldValue/NewValue arrive as JSON scalars of any type: kept as text)
        {{ json_text('_raw', 'Field') }} as field_name,
        {{ json_text('_raw', 'DataType') }} as data_type,
        {{ json_text('_raw', 'OldValue') }} as old_value,
        {{ json_text('_raw', 'NewValue') }} as new_value,
        -- booleans
        coalesce({{ json_bool('_raw', 'IsDeleted') }}, false) as is_deleted,
        -- timestamps
        {{ json_ts('_raw', 'CreatedDate') }} as created_at,
        _extracted_at,
        _load_seq
    from source
)

select * from renamed
