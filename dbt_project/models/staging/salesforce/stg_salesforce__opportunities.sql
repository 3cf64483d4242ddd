{{ config(unique_key='opportunity_id') }}
with source as (
    {{ raw_latest(source('salesforce', 'salesforce__opportunity')) }}
),

renamed as (
    select
        -- ids
        id as opportunity_id,
        {{ json_text('_raw', 'AccountId') }} as account_id,
        {{ json_text('_raw', 'OwnerId') }} as owner_id,
        -- strings
        {{ json_text('_raw', 'Name') }} as opportunity_name,
        {{ json_text('_raw', 'StageName') }} as stage_name,
        {{ json_text('_raw', 'Type') }} as opportunity_type,
        {{ json_text('_raw', 'LeadSource') }} as lead_source,
        -- numerics
        {{ json_number('_raw', 'Amount') }} as amount,
        {{ json_number('_raw', 'Probability') }} as probability,
        -- booleans
        coalesce({{ json_bool('_raw', 'IsClosed') }}, false) as is_closed,
        coalesce({{ json_bool('_raw', 'IsWon') }}, false) as is_won,
        coalesce({{ json_bool('_raw', 'IsDeleted') }}, false) as is_deleted,
        -- dates
        {{ json_date('_raw', 'CloseDate') }} as close_date,
        -- timestamps
        {{ json_ts('_raw', 'CreatedDate') }} as created_at,
        {{ json_ts('_raw', 'SystemModstamp') }} as system_modstamp_at,
        _extracted_at,
        _load_seq,
        _raw as raw_record
    from source
)

select * from renamed
