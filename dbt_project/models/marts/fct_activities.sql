{{
    config(
        materialized='incremental',
        unique_key='activity_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns'
    )
}}
-- Calls, e-mails and meetings (contracts 5.4), one row per source record; `is_counted` is
-- false for a Task that logged a Gong call (the Gong call is the activity). Incremental: a
-- run re-reads the records landed since the last run (including Tasks whose Gong call
-- arrived since) and replaces them by activity_id; a run whose settings differ from those
-- the rows were built with (`_settings`: the vars that decide what counts) re-reads them all.
{%- set settings = local_md5(activity_settings()) %}
with activities as (
    select * from {{ ref('int_activities') }}
    {% if is_incremental() %}
    where _extracted_at > (select coalesce(max(_extracted_at), cast('1970-01-01' as timestamptz)) from {{ this }})
        or exists (
            select 1 from {{ this }} where _settings is null or _settings <> '{{ settings }}'
        )
    {% endif %}
),

reps as (
    select rep_id, team from {{ ref('int_reps') }}
)

select
    activities.activity_id,
    activities.activity_source,
    activities.source_record_id,
    activities.activity_type,
    activities.owner_rep_id,
    reps.team as owner_team,
    activities.started_at,
    activities.activity_local_date,
    activities.activity_month,
    activities.duration_seconds,
    activities.is_connected,
    activities.who_id,
    activities.account_id,
    activities.gong_call_id,
    activities.duplicate_of_activity_id,
    activities.is_deleted,
    activities.is_counted,
    activities._extracted_at,
    '{{ settings }}' as _settings
from activities
left join reps on activities.owner_rep_id = reps.rep_id
