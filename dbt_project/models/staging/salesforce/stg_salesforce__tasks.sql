{{ config(unique_key='task_id') }}
with source as (
    {{ raw_latest(source('salesforce', 'salesforce__task')) }}
),

renamed as (
    select
        -- ids
        id as task_id,
        {{ json_text('_raw', 'WhoId') }} as who_id,
        {{ json_text('_raw', 'WhatId') }} as what_id,
        {{ json_text('_raw', 'AccountId') }} as account_id,
        {{ json_text('_raw', 'OwnerId') }} as owner_id,
        {{ json_text('_raw', 'CallObject') }} as call_object,
        -- strings
        {{ json_text('_raw', 'Subject') }} as subject,
        {{ json_text('_raw', 'Type') }} as task_type,
        {{ json_text('_raw', 'TaskSubtype') }} as task_subtype,
        {{ json_text('_raw', 'CallType') }} as call_type,
        {{ json_text('_raw', 'CallDisposition') }} as call_disposition,
        {{ json_text('_raw', 'Status') }} as task_status,
        -- numerics
        {{ json_number('_raw', 'CallDurationInSeconds') }} as call_duration_seconds,
        -- booleans
        coalesce({{ json_bool('_raw', 'IsDeleted') }}, false) as is_deleted,
        -- dates
        {{ json_date('_raw', 'ActivityDate') }} as activity_date,
        -- timestamps
        {{ json_ts('_raw', 'CompletedDateTime') }} as completed_at,
        {{ json_ts('_raw', 'CreatedDate') }} as created_at,
        {{ json_ts('_raw', 'SystemModstamp') }} as system_modstamp_at,
        _extracted_at,
        _load_seq
    from source
)

select * from renamed
