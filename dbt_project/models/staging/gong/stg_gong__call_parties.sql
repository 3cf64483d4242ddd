{{
    config(
        unique_key='call_id',
        pre_hook="{{ delete_replaced_versions(source('gong', 'gong__calls'), 'call_id') }}"
    )
}}
-- One row per party of a call (internal reps and external participants).
with source as (
    {{ raw_latest(source('gong', 'gong__calls')) }}
),

parties as (
    select id as call_id, _load_seq, {{ json_array_rows('_raw', 'parties') }} as party
    from source
),

renamed as (
    select
        -- ids
        call_id,
        {{ json_text('party', 'id') }} as party_id,
        {{ json_text('party', 'userId') }} as gong_user_id,
        -- strings
        {{ json_text('party', 'emailAddress') }} as email,
        {{ normalize_email("party->>'emailAddress'") }} as email_normalized,
        {{ json_text('party', 'name') }} as party_name,
        {{ json_text('party', 'title') }} as title,
        {{ json_text('party', 'affiliation') }} as affiliation,
        {{ json_text('party', 'phoneNumber') }} as phone,
        _load_seq
    from parties
)

select * from renamed
