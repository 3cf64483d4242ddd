{{ config(unique_key='opportunity_history_id') }}
with source as (
    {{ raw_latest(source('salesforce', 'salesforce__opportunity_history')) }}
),

renamed as (
    select
        -- ids
        id as opportunity_history_id,
        {{ json_text('_raw', 'OpportunityId') }} as opportunity_id,
        {{ json_text('_raw', 'CreatedById') }} as created_by_id,
        -- strings
        {{ json_text('_raw', 'StageName') }} as stage_name,
        -- numerics
        {{ json_number('_raw', 'Amount') }} as amount,
        {{ json_number('_raw', 'Probability') }} as probability,
        -- booleans
        coalesce({{ json_bool('_raw', 'IsDeleted') }}, false) as is_deleted,
        -- dates
        {{ json_date('_raw', 'CloseDate') }} as close_date,
        -- timestamps
        {{ json_ts('_raw', 'CreatedDate') }} as created_at,
        {{ json_ts('_raw', 'SystemModstamp') }} as system_modstamp_at,
        _extracted_at,
        _load_seq
    from source
)

select * from renamed
