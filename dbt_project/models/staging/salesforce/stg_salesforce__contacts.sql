{{ config(unique_key='contact_id') }}
with source as (
    {{ raw_latest(source('salesforce', 'salesforce__contact')) }}
),

renamed as (
    select
        -- ids
        id as contact_id,
        {{ json_text('_raw', 'AccountId') }} as account_id,
        {{ json_text('_raw', 'OwnerId') }} as owner_id,
        -- strings
        {{ json_text('_raw', 'FirstName') }} as first_name,
        {{ json_text('_raw', 'LastName') }} as last_name,
        {{ json_text('_raw', 'Name') }} as contact_name,
        {{ json_text('_raw', 'Email') }} as email,
        {{ normalize_email(json_string('_raw', 'Email')) }} as email_normalized,
        {{ json_text('_raw', 'Phone') }} as phone,
        {{ json_text('_raw', 'Title') }} as title,
        {{ json_text('_raw', 'LeadSource') }} as lead_source,
        -- booleans
        coalesce({{ json_bool('_raw', 'IsDeleted') }}, false) as is_deleted,
        -- timestamps
        {{ json_ts('_raw', 'CreatedDate') }} as created_at,
        {{ json_ts('_raw', 'SystemModstamp') }} as system_modstamp_at,
        _extracted_at,
        _load_seq
    from source
)

select * from renamed
