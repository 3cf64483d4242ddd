{{ config(unique_key='user_id') }}
with source as (
    {{ raw_latest(source('salesforce', 'salesforce__user')) }}
),

renamed as (
    select
        -- ids
        id as user_id,
        {{ json_text('_raw', 'UserRoleId') }} as user_role_id,
        {{ json_text('_raw', 'ManagerId') }} as manager_id,
        -- strings
        {{ json_text('_raw', 'Name') }} as user_name,
        {{ json_text('_raw', 'FirstName') }} as first_name,
        {{ json_text('_raw', 'LastName') }} as last_name,
        {{ json_text('_raw', 'Email') }} as email,
        {{ normalize_email(json_string('_raw', 'Email')) }} as email_normalized,
        {{ json_text('_raw', 'Title') }} as title,
        {{ json_text('_raw', 'Department') }} as department,
        -- booleans
        coalesce({{ json_bool('_raw', 'IsActive') }}, false) as is_active,
        -- timestamps
        {{ json_ts('_raw', 'CreatedDate') }} as created_at,
        {{ json_ts('_raw', 'SystemModstamp') }} as system_modstamp_at,
        _extracted_at,
        _load_seq
    from source
)

select * from renamed
