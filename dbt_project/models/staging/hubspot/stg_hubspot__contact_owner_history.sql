{{
    config(
        unique_key='contact_id',
        pre_hook="{{ delete_replaced_versions(source('hubspot', 'hubspot__contacts'), 'contact_id') }}"
    )
}}
-- One row per value the contact's owner (`hubspot_owner_id`) has had, from
-- `propertiesWithHistory`: who owned the person when (the handoff's sender and receiver).
-- A value of NULL or blank is an unassignment.
with source as (
    {{ raw_latest(source('hubspot', 'hubspot__contacts')) }}
),

changes as (
    select
        id as contact_id,
        _load_seq,
        {{ json_array_rows("_raw->'propertiesWithHistory'", 'hubspot_owner_id') }} as change
    from source
),

renamed as (
    select
        -- ids
        contact_id,
        {{ json_text('change', 'value') }} as owner_id,
        -- strings
        {{ json_text('change', 'sourceType') }} as source_type,
        -- timestamps
        {{ hubspot_ts(json_string('change', 'timestamp')) }} as changed_at,
        _load_seq
    from changes
)

select * from renamed
