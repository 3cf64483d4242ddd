{{
    config(
        unique_key='pipeline_id',
        pre_hook="{{ delete_replaced_versions(source('hubspot', 'hubspot__deal_pipelines'), 'pipeline_id') }}"
    )
}}
-- One row per (deal pipeline, stage) with the stage metadata that says what a stage means:
-- `isClosed` and the win probability (1.0 won, 0.0 lost when closed). Labels are the org's.
with source as (
    {{ raw_latest(source('hubspot', 'hubspot__deal_pipelines')) }}
),

stages as (
    select
        id as pipeline_id,
        {{ json_text('_raw', 'label') }} as pipeline_label,
        coalesce({{ json_bool('_raw', 'archived') }}, false) as is_pipeline_archived,
        _load_seq,
        {{ json_array_rows('_raw', 'stages') }} as stage
    from source
),

renamed as (
    select
        -- ids
        pipeline_id,
        {{ json_text('stage', 'id') }} as stage_id,
        -- strings
        pipeline_label,
        {{ json_text('stage', 'label') }} as stage_label,
        -- numerics
        {{ json_number('stage', 'displayOrder') }} as display_order,
        {{ json_number("stage->'metadata'", 'probability') }} as probability,
        -- booleans
        is_pipeline_archived,
        coalesce({{ json_bool('stage', 'archived') }}, false) as is_archived,
        coalesce({{ json_bool("stage->'metadata'", 'isClosed') }}, false) as is_closed,
        _load_seq
    from stages
)

select * from renamed
