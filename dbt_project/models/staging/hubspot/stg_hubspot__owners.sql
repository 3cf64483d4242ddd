{{ config(unique_key='owner_id') }}
-- HubSpot owners: the company's reps. An archived owner (a user who left) stays: activities
-- and deals keep pointing at it.
with source as (
    {{ raw_latest(source('hubspot', 'hubspot__owners')) }}
),

renamed as (
    select
        -- ids
        id as owner_id,
        {{ json_text('_raw', 'userId') }} as user_id,
        -- strings
        {{ json_text('_raw', 'email') }} as email,
        {{ normalize_email(json_string('_raw', 'email')) }} as email_normalized,
        {{ json_text('_raw', 'firstName') }} as first_name,
        {{ json_text('_raw', 'lastName') }} as last_name,
        -- booleans
        coalesce({{ json_bool('_raw', 'archived') }}, false) as is_archived,
        -- timestamps
        {{ json_ts('_raw', 'createdAt') }} as created_at,
        {{ json_ts('_raw', 'updatedAt') }} as updated_at,
        _extracted_at,
        _load_seq
    from source
)

select
    owner_id,
    user_id,
    email,
    email_normalized,
    first_name,
    last_name,
    -- family name first, as Japanese names are written (either part may be missing)
    nullif(trim(concat_ws(' ', last_name, first_name)), '') as owner_name,
    is_archived,
    created_at,
    updated_at,
    _extracted_at,
    _load_seq
from renamed
