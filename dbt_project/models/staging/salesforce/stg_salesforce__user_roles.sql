{{ config(unique_key='user_role_id') }}
with source as (
    {{ raw_latest(source('salesforce', 'salesforce__user_role')) }}
),

renamed as (
    select
        -- ids
        id as user_role_id,
        {{ json_text('_raw', 'ParentRoleId') }} as parent_role_id,
        -- strings
        {{ json_text('_raw', 'Name') }} as role_name,
        {{ json_text('_raw', 'DeveloperName') }} as role_developer_name,
        -- timestamps
        {{ json_ts('_raw', 'SystemModstamp') }} as system_modstamp_at,
        _extracted_at,
        _load_seq
    from source
)

select * from renamed
