{{ config(unique_key='gong_user_id') }}
with source as (
    {{ raw_latest(source('gong', 'gong__users')) }}
),

renamed as (
    select
        -- ids
        id as gong_user_id,
        {{ json_text('_raw', 'managerId') }} as manager_id,
        -- strings
        {{ json_text('_raw', 'emailAddress') }} as email,
        {{ normalize_email(json_string('_raw', 'emailAddress')) }} as email_normalized,
        {{ json_text('_raw', 'firstName') }} as first_name,
        {{ json_text('_raw', 'lastName') }} as last_name,
        {{ json_text('_raw', 'title') }} as title,
        -- booleans
        coalesce({{ json_bool('_raw', 'active') }}, false) as is_active,
        -- timestamps
        {{ json_ts('_raw', 'created') }} as created_at,
        _extracted_at,
        _load_seq
    from source
)

select * from renamed
