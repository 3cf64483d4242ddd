-- One row per attribute of an activity (Marketo sends them as a [{name, value}] array).
with source as (
    {{ raw_latest(source('marketo', 'marketo__activities')) }}
),

attributes as (
    select
        id as activity_id,
        {{ json_array_rows('_raw', 'attributes') }} as attribute
    from source
),

renamed as (
    select
        activity_id,
        {{ json_text('attribute', 'name') }} as attribute_name,
        attribute->>'value' as attribute_value
    from attributes
)

select * from renamed
