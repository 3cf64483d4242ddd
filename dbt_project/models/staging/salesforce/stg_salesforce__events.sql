{{ config(unique_key='event_id') }}
with source as (
    {{ raw_latest(source('salesforce', 'salesforce__event')) }}
),

renamed as (
    select
        -- ids
        id as event_id,
        {{ json_text('_raw', 'WhoId') }} as who_id,
        {{ json_text('_raw', 'WhatId') }} as what_id,
        {{ json_text('_raw', 'AccountId') }} as account_id,
        {{ json_text('_raw', 'OwnerId') }} as owner_id,
        -- strings
        {{ json_text('_raw', 'Subject') }} as subject,
        {{ json_text('_raw', 'Type') }} as event_type,
        {{ json_text('_raw', 'EventSubtype') }} as event_subtype,
        -- numerics
        {{ json_number('_raw', 'DurationInMinutes') }} as duration_minutes,
        -- booleans
        coalesce({{ json_bool('_raw', 'IsDeleted') }}, false) as is_deleted,
        -- dates
        {{ json_date('_raw', 'ActivityDate') }} as activity_date,
        -- timestamps
        {{ json_ts('_raw', 'StartDateTime') }} as start_at,
        {{ json_ts('_raw', 'EndDateTime') }} as end_at,
        {{ json_ts('_raw', 'ActivityDateTime') }} as activity_at,
        {{ json_ts('_raw', 'CreatedDate') }} as created_at,
        {{ json_ts('_raw', 'SystemModstamp') }} as system_modstamp_at,
        _extracted_at,
        _load_seq
    from source
)

select * from renamed
