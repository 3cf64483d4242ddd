{{ config(unique_key='account_id') }}
with source as (
    {{ raw_latest(source('salesforce', 'salesforce__account')) }}
),

renamed as (
    select
        -- ids
        id as account_id,
        {{ json_text('_raw', 'OwnerId') }} as owner_id,
        {{ json_text('_raw', 'ParentId') }} as parent_account_id,
        -- strings
        {{ json_text('_raw', 'Name') }} as account_name,
        {{ normalize_company_name(json_string('_raw', 'Name')) }} as account_name_normalized,
        {{ json_text('_raw', 'Type') }} as account_type,
        {{ json_text('_raw', 'Industry') }} as industry,
        {{ json_text('_raw', 'AccountSource') }} as account_source,
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
