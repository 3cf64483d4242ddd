{{ config(unique_key='meeting_id') }}
-- HubSpot meetings with their outcome (COMPLETED, SCHEDULED, NO_SHOW, CANCELED, RESCHEDULED).
with source as (
    {{ raw_latest(source('hubspot', 'hubspot__meetings')) }}
),

renamed as (
    select
        -- ids
        id as meeting_id,
        {{ hubspot_prop('hubspot_owner_id') }} as owner_id,
        -- strings
        {{ hubspot_prop('hs_meeting_title') }} as title,
        {{ hubspot_prop('hs_meeting_outcome') }} as outcome,
        {{ hubspot_prop('hs_meeting_location') }} as location,
        -- booleans
        coalesce({{ json_bool('_raw', 'archived') }}, false) as is_deleted,
        -- timestamps
        coalesce({{ hubspot_prop_ts('hs_meeting_start_time') }}, {{ hubspot_prop_ts('hs_timestamp') }}) as started_at,
        {{ hubspot_prop_ts('hs_meeting_end_time') }} as ended_at,
        {{ hubspot_prop_ts('hs_createdate') }} as created_at,
        _extracted_at,
        _load_seq
    from source
)

select
    meeting_id,
    owner_id,
    title,
    outcome,
    location,
    is_deleted,
    started_at,
    ended_at,
    {{ hours_between('started_at', 'ended_at') }} * 3600.0 as duration_seconds,
    created_at,
    _extracted_at,
    _load_seq
from renamed
