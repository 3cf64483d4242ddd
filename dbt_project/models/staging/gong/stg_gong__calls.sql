{{ config(unique_key='call_id') }}
-- Gong sends no tombstones. Every GONG_CALLS_RECONCILE_HOURS the connector re-lands every call
-- Gong still lists; a call whose last landing is older than that completed scan was deleted.
with calls_state as (
    select last_full_scan_started_at as full_scan_started_at
    from {{ source('connector_state', 'stream_state') }}
    where source = 'gong' and stream = 'calls'
),

{% if is_incremental() -%}
-- Calls whose deletion flag a scan completed since their row was written changes: read again.
reflagged as (
    select current_rows.call_id
    from {{ this }} as current_rows
    left join calls_state on true
    where coalesce(current_rows._extracted_at < calls_state.full_scan_started_at, false)
        <> current_rows.is_deleted
),

{% endif -%}
source as (
    {{ raw_latest(source('gong', 'gong__calls'),
        also_ids='select call_id from reflagged') }}
),

-- The Salesforce Account in the call's CRM context (context[].objects[] with objectType Account).
contexts as (
    select id as call_id, {{ json_array_rows('_raw', 'context') }} as crm_context
    from source
),

context_objects as (
    select
        call_id,
        {{ json_text('crm_context', 'system') }} as crm_system,
        {{ json_array_rows('crm_context', 'objects') }} as crm_object
    from contexts
),

salesforce_accounts as (
    select call_id, min({{ json_text('crm_object', 'objectId') }}) as salesforce_account_id
    from context_objects
    where crm_system = 'Salesforce' and crm_object->>'objectType' = 'Account'
    group by 1
),

renamed as (
    select
        -- ids
        source.id as call_id,
        {{ json_text("source._raw->'metaData'", 'primaryUserId') }} as primary_user_id,
        {{ json_text("source._raw->'metaData'", 'workspaceId') }} as workspace_id,
        salesforce_accounts.salesforce_account_id,
        -- strings
        {{ json_text("source._raw->'metaData'", 'title') }} as title,
        {{ json_text("source._raw->'metaData'", 'direction') }} as direction,
        {{ json_text("source._raw->'metaData'", 'scope') }} as scope,
        {{ json_text("source._raw->'metaData'", 'system') }} as conferencing_system,
        {{ json_text("source._raw->'metaData'", 'media') }} as media,
        {{ json_text("source._raw->'metaData'", 'language') }} as language,
        -- numerics
        {{ json_number("source._raw->'metaData'", 'duration') }} as duration_seconds,
        -- booleans
        coalesce({{ json_bool("source._raw->'metaData'", 'isPrivate') }}, false) as is_private,
        -- timestamps
        {{ json_ts("source._raw->'metaData'", 'scheduled') }} as scheduled_at,
        {{ json_ts("source._raw->'metaData'", 'started') }} as started_at,
        coalesce(source._extracted_at < calls_state.full_scan_started_at, false) as is_deleted,
        source._extracted_at,
        source._load_seq
    from source
    left join salesforce_accounts on source.id = salesforce_accounts.call_id
    left join calls_state on true
)

select * from renamed
