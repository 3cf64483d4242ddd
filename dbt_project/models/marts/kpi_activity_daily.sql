-- Activity KPIs per rep and reporting-time-zone day (the daily view of the monthly counts).
with activities as (
    select * from {{ ref('fct_activities') }} where is_counted
),

reps as (
    select rep_id, rep_name, team from {{ ref('dim_rep') }}
),

-- fct_activity_persons holds the counted activities' persons already joined
persons_worked as (
    select owner_rep_id, activity_local_date, count(distinct person_key) as leads_worked
    from {{ ref('fct_activity_persons') }}
    group by 1, 2
),

daily as (
    select
        owner_rep_id as rep_id,
        activity_local_date,
        min(activity_month) as month,
        sum(case when activity_type = 'call' then 1 else 0 end) as calls,
        sum(case when activity_type = 'call' and is_connected then 1 else 0 end) as connected_calls,
        sum(case when activity_type = 'email' then 1 else 0 end) as emails_sent,
        sum(case when activity_type = 'meeting' then 1 else 0 end) as meetings_held,
        count(*) as touches
    from activities
    where owner_rep_id is not null
    group by 1, 2
)

select
    daily.rep_id,
    reps.rep_name,
    reps.team,
    daily.activity_local_date,
    daily.month,
    cast(daily.calls as bigint) as calls,
    cast(daily.connected_calls as bigint) as connected_calls,
    cast(daily.emails_sent as bigint) as emails_sent,
    cast(daily.meetings_held as bigint) as meetings_held,
    cast(daily.touches as bigint) as touches,
    cast(coalesce(persons_worked.leads_worked, 0) as bigint) as leads_worked
from daily
left join reps on daily.rep_id = reps.rep_id
left join persons_worked
    on daily.rep_id = persons_worked.owner_rep_id
    and daily.activity_local_date = persons_worked.activity_local_date
