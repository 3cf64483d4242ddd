-- A call recorded in Gong and logged by hand in Salesforce as a Task without the recording's
-- id (CallObject) is one call (contracts 5.4): the Task's owner is the Gong call's primary
-- user (by e-mail), the Task's WhoId is one of the call's parties (same person key), and the
-- two starts are at most var call_match_window_minutes apart. When several qualify, a Task and
-- a call pair only if each is the other's nearest (ties by id); the rest stay separate.
-- Calls and Tasks linked by CallObject are matched by that link (int_activities), not here.
with tasks as (
    select * from {{ ref('stg_salesforce__tasks') }}
    where task_subtype = 'Call' and not is_deleted
),

calls as (
    select gong_calls.*
    from {{ ref('stg_gong__calls') }} as gong_calls
    inner join {{ ref('int_gong_call_audiences') }} as audiences
        on gong_calls.call_id = audiences.call_id
    where audiences.is_customer_call
        and gong_calls.direction in ('Outbound', 'Inbound')
        and not gong_calls.is_deleted
),

linked_call_ids as (
    select distinct call_object as call_id from tasks where call_object is not null
),

unlinked_tasks as (
    select tasks.task_id, tasks.owner_id, tasks.who_id, coalesce(tasks.completed_at, tasks.created_at) as started_at
    from tasks
    where tasks.who_id is not null
        and (tasks.call_object is null or tasks.call_object not in (select call_id from calls))
),

unlinked_calls as (
    select calls.call_id, calls.started_at, reps.rep_id
    from calls
    inner join {{ ref('int_reps') }} as reps on calls.primary_user_id = reps.gong_user_id
    where calls.call_id not in (select call_id from linked_call_ids)
),

person_records as (
    select * from {{ ref('int_person_records') }}
),

task_persons as (
    select unlinked_tasks.task_id, person_records.person_key
    from unlinked_tasks
    inner join person_records
        on unlinked_tasks.who_id = person_records.record_id
        and person_records.record_type in ('salesforce_lead', 'salesforce_contact')
),

call_persons as (
    select distinct parties.call_id, person_records.person_key
    from {{ ref('stg_gong__call_parties') }} as parties
    inner join person_records
        on parties.email_normalized = person_records.record_id
        and person_records.record_type = 'gong_party'
),

candidates as (
    select distinct
        unlinked_tasks.task_id,
        unlinked_calls.call_id,
        abs({{ hours_between('unlinked_calls.started_at', 'unlinked_tasks.started_at') }}) * 3600.0
            as seconds_apart
    from unlinked_tasks
    inner join unlinked_calls on unlinked_tasks.owner_id = unlinked_calls.rep_id
    inner join task_persons on unlinked_tasks.task_id = task_persons.task_id
    inner join call_persons
        on unlinked_calls.call_id = call_persons.call_id
        and task_persons.person_key = call_persons.person_key
    where abs({{ hours_between('unlinked_calls.started_at', 'unlinked_tasks.started_at') }})
        <= {{ var('call_match_window_minutes') }} / 60.0
),

ranked as (
    select
        candidates.*,
        row_number() over (partition by task_id order by seconds_apart, call_id) as call_rank,
        row_number() over (partition by call_id order by seconds_apart, task_id) as task_rank
    from candidates
)

select task_id, call_id, seconds_apart
from ranked
where call_rank = 1 and task_rank = 1
