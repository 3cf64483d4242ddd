{{
    config(
        unique_key='activity_id',
        pre_hook="{{ delete_replaced_versions(source('marketo', 'marketo__activities'), 'activity_id') }}"
    )
}}
-- One row per attribute of an activity (Marketo sends them as a [{name, value}] array).
with source as (
    {{ raw_latest(source('marketo', 'marketo__activities')) }}
),

attributes as (
    select
        id as activity_id,
        _load_seq,
        {{ json_array_rows('_raw', 'attributes') }} as attribute
    from source
),

renamed as (
    select
        activity_id,
        {{ json_text('attribute', 'name') }} as attribute_name,
        attribute->>'value' as attribute_value,
        _load_seq
    from attributes
)

select * from renamed
