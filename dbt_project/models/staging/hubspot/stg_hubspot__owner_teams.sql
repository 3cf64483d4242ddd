{{
    config(
        unique_key='owner_id',
        pre_hook="{{ delete_replaced_versions(source('hubspot', 'hubspot__owners'), 'owner_id') }}"
    )
}}
-- One row per (owner, team) of an owner's `teams`.
with source as (
    {{ raw_latest(source('hubspot', 'hubspot__owners')) }}
),

teams as (
    select id as owner_id, _load_seq, {{ json_array_rows('_raw', 'teams') }} as team
    from source
),

renamed as (
    select
        -- ids
        owner_id,
        {{ json_text('team', 'id') }} as team_id,
        -- strings
        {{ json_text('team', 'name') }} as team_name,
        -- booleans
        coalesce({{ json_bool('team', 'primary') }}, false) as is_primary,
        _load_seq
    from teams
)

select * from renamed
