{{ config(materialized='view') }}
-- Calls, e-mails and meetings from Salesforce and Gong, one row per source record
-- (contracts 5.4). A Task whose CallObject equals a Gong call id, or that int_call_matches
-- pairs with a recording (hand-logged: same rep, same person, starts within the window), is
-- the same call: the Gong call is the activity (recorded start and duration) and the Task row
-- is kept with `duplicate_of_activity_id` set, so the call counts once and an incremental mart
-- can update a Task that a later-arriving Gong call supersedes. Deleted Tasks/Events are kept,
-- not counted, for the same reason. Gong calls count only with a customer among the parties
-- (int_gong_call_audiences): colleagues-only calls are no customer calls or meetings.
-- HubSpot: every call; e-mails whose direction is in var hubspot_email_sent_directions;
-- meetings whose outcome is in var hubspot_meeting_held_outcomes and that are with a customer
-- (an associated contact who is a person, or an associated company). The person and account
-- of a HubSpot engagement are its associated contact and company (the lowest id here; every
-- associated person in int_activity_persons).
with tasks as (
    -- deleted records stay (not counted) so an incremental mart learns of the deletion
    select * from {{ ref('stg_salesforce__tasks') }}
    where task_subtype in ('Call', 'Email')
),

events as (
    select * from {{ ref('stg_salesforce__events') }}
    where event_type = 'Meeting'
),

gong_calls as (
    select gong_calls.*
    from {{ ref('stg_gong__calls') }} as gong_calls
    inner join {{ ref('int_gong_call_audiences') }} as audiences
        on gong_calls.call_id = audiences.call_id
    where audiences.is_customer_call and gong_calls.direction in ('Outbound', 'Inbound', 'Conference')
),

matches as (
    -- hand-logged Tasks paired with their recording, with both sides' landing times
    select
        call_matches.task_id,
        call_matches.call_id,
        tasks.owner_id,
        tasks.who_id,
        tasks._extracted_at as task_extracted_at,
        gong_calls._extracted_at as call_extracted_at
    from {{ ref('int_call_matches') }} as call_matches
    inner join tasks on call_matches.task_id = tasks.task_id
    inner join gong_calls on call_matches.call_id = gong_calls.call_id
),

reps as (
    select rep_id, gong_user_id from {{ ref('int_reps') }} where gong_user_id is not null
),

logged_calls as (
    -- the Task that logged each Gong call (the lowest Id when several did)
    select
        call_object as call_id,
        min(owner_id) as owner_id,
        min(who_id) as who_id,
        max(_extracted_at) as _extracted_at
    from tasks
    where task_subtype = 'Call' and call_object is not null and not is_deleted
    group by call_object
),

task_activities as (
    select
        'sf_task:' || tasks.task_id as activity_id,
        'salesforce_task' as activity_source,
        tasks.task_id as source_record_id,
        case when tasks.task_subtype = 'Call' then 'call' else 'email' end as activity_type,
        tasks.owner_id as owner_rep_id,
        coalesce(tasks.completed_at, tasks.created_at) as started_at,
        tasks.call_duration_seconds as duration_seconds,
        tasks.who_id,
        tasks.account_id,
        cast(null as {{ dbt.type_string() }}) as gong_call_id,
        'gong_call:' || coalesce(gong_calls.call_id, matches.call_id) as duplicate_of_activity_id,
        tasks.is_deleted,
        greatest(tasks._extracted_at, gong_calls._extracted_at, matches.call_extracted_at) as _extracted_at
    from tasks
    left join gong_calls
        on tasks.task_subtype = 'Call' and tasks.call_object = gong_calls.call_id
        and not gong_calls.is_deleted  -- a Task logging a deleted Gong call counts itself
    left join matches on tasks.task_id = matches.task_id
),

event_activities as (
    select
        'sf_event:' || event_id,
        'salesforce_event',
        event_id,
        'meeting',
        owner_id,
        coalesce(start_at, activity_at, created_at),
        duration_minutes * 60,
        who_id,
        account_id,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        is_deleted,
        _extracted_at
    from events
),

gong_activities as (
    select
        'gong_call:' || gong_calls.call_id,
        'gong_call',
        gong_calls.call_id,
        case when gong_calls.direction = 'Conference' then 'meeting' else 'call' end,
        -- the Gong host as a Salesforce user; the logging Task's owner when the host is unknown
        coalesce(reps.rep_id, logged_calls.owner_id, matches.owner_id),
        gong_calls.started_at,
        gong_calls.duration_seconds,
        coalesce(logged_calls.who_id, matches.who_id),
        gong_calls.salesforce_account_id,
        gong_calls.call_id,
        cast(null as {{ dbt.type_string() }}),
        gong_calls.is_deleted,
        greatest(gong_calls._extracted_at, logged_calls._extracted_at, matches.task_extracted_at)
    from gong_calls
    left join reps on gong_calls.primary_user_id = reps.gong_user_id
    left join logged_calls on gong_calls.call_id = logged_calls.call_id
    left join matches on gong_calls.call_id = matches.call_id
),

hubspot_associations as (
    select * from {{ ref('stg_hubspot__associations') }}
    where from_object_type in ('call', 'meeting', 'email')
),

hubspot_links as (
    select
        from_object_type,
        from_object_id,
        min(case when to_object_type = 'contact' then to_object_id end) as contact_id,
        min(case when to_object_type = 'company' then to_object_id end) as company_id
    from hubspot_associations
    group by from_object_type, from_object_id
),

hubspot_customer_meetings as (
    -- meetings with a person of the funnel or an account: colleagues-only meetings are none
    select distinct hubspot_associations.from_object_id as meeting_id
    from hubspot_associations
    left join {{ ref('int_person_records') }} as person_records
        on person_records.record_type = 'hubspot_contact'
        and hubspot_associations.to_object_id = person_records.record_id
    where hubspot_associations.from_object_type = 'meeting'
        and (hubspot_associations.to_object_type = 'company' or person_records.record_id is not null)
),

hubspot_engagements as (
    select 'call' as activity_type, call_id as record_id, owner_id, started_at, duration_seconds, is_deleted, _extracted_at
    from {{ ref('stg_hubspot__calls') }}

    union all

    select 'email', email_id, owner_id, sent_at, cast(null as double precision), is_deleted, _extracted_at
    from {{ ref('stg_hubspot__emails') }}
    where direction in (
        {%- for value in var('hubspot_email_sent_directions') %}'{{ value }}'{{ ", " if not loop.last }}{% endfor -%}
    )

    union all

    select 'meeting', meeting_id, owner_id, started_at, duration_seconds, is_deleted, _extracted_at
    from {{ ref('stg_hubspot__meetings') }}
    where outcome in (
        {%- for value in var('hubspot_meeting_held_outcomes') %}'{{ value }}'{{ ", " if not loop.last }}{% endfor -%}
    )
        and meeting_id in (select meeting_id from hubspot_customer_meetings)
),

hubspot_activities as (
    select
        'hubspot_' || hubspot_engagements.activity_type || ':' || hubspot_engagements.record_id,
        'hubspot_' || hubspot_engagements.activity_type,
        hubspot_engagements.record_id,
        hubspot_engagements.activity_type,
        hubspot_engagements.owner_id,
        hubspot_engagements.started_at,
        hubspot_engagements.duration_seconds,
        hubspot_links.contact_id,
        hubspot_links.company_id,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        hubspot_engagements.is_deleted,
        hubspot_engagements._extracted_at
    from hubspot_engagements
    left join hubspot_links
        on hubspot_links.from_object_type = hubspot_engagements.activity_type
        and hubspot_links.from_object_id = hubspot_engagements.record_id
),

unioned as (
    select * from task_activities
    union all
    select * from event_activities
    union all
    select * from gong_activities
    union all
    select * from hubspot_activities
)

select
    activity_id,
    activity_source,
    source_record_id,
    activity_type,
    owner_rep_id,
    started_at,
    duration_seconds,
    activity_type = 'call' and coalesce(duration_seconds, 0) >= {{ var('connected_call_seconds') }}
        as is_connected,
    who_id,
    account_id,
    gong_call_id,
    duplicate_of_activity_id,
    is_deleted,
    duplicate_of_activity_id is null and not is_deleted as is_counted,
    {{ reporting_date('started_at') }} as activity_local_date,
    {{ reporting_month('started_at') }} as activity_month,
    _extracted_at
from unioned
