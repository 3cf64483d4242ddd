-- One row per person: every lifecycle stage's timestamp with the responsible rep and team
-- (domain.md "Lifecycle stages", contracts 5.4).
with persons as (
    select * from {{ ref('int_persons') }}
),

mql as (
    select * from {{ ref('int_mql') }}
),

reps as (
    select rep_id, rep_name, team from {{ ref('int_reps') }}
),

-- calls and e-mails by inside_sales / full_cycle reps, per person
prospecting_touches as (
    select activity_persons.person_key, activities.owner_rep_id, activities.started_at, activities.activity_id
    from {{ ref('int_activities') }} as activities
    inner join {{ ref('int_activity_persons') }} as activity_persons
        on activities.activity_id = activity_persons.activity_id
    inner join reps on activities.owner_rep_id = reps.rep_id
    where activities.is_counted
        and activities.activity_type in ('call', 'email')
        and reps.team in ('inside_sales', 'full_cycle')
),

first_touches as (
    select person_key, owner_rep_id as first_touch_rep_id, started_at as first_touch_at
    from (
        select
            prospecting_touches.*,
            row_number() over (
                partition by prospecting_touches.person_key
                order by prospecting_touches.started_at, prospecting_touches.activity_id
            ) as touch_rank
        from prospecting_touches
        inner join mql on prospecting_touches.person_key = mql.person_key
        where prospecting_touches.started_at >= mql.mql_at
    ) as ranked
    where touch_rank = 1
),

handoffs as (
    select *
    from (
        select
            fct_handoffs.*,
            row_number() over (partition by person_key order by tossup_at, handoff_id) as handoff_rank
        from {{ ref('fct_handoffs') }} as fct_handoffs
        where person_key is not null
    ) as ranked
    where handoff_rank = 1
),

opportunities as (
    select * from {{ ref('fct_opportunities') }}
)

select
    persons.person_key,
    persons.email_normalized as email,
    persons.lead_source,
    -- the rep who owns the person's Lead (rep of the cohort KPIs: leads, mqls, ...)
    persons.lead_owner_rep_id,
    lead_owner.rep_name as lead_owner_rep_name,
    lead_owner.team as lead_owner_team,
    -- lead created
    persons.lead_created_at,
    {{ reporting_date('persons.lead_created_at') }} as lead_created_local_date,
    {{ reporting_month('persons.lead_created_at') }} as lead_created_month,
    -- MQL
    mql.mql_at,
    {{ reporting_date('mql.mql_at') }} as mql_local_date,
    {{ reporting_month('mql.mql_at') }} as mql_month,
    -- first touch (SAL)
    first_touches.first_touch_at,
    {{ reporting_date('first_touches.first_touch_at') }} as first_touch_local_date,
    {{ reporting_month('first_touches.first_touch_at') }} as first_touch_month,
    first_touches.first_touch_rep_id,
    first_touch_rep.rep_name as first_touch_rep_name,
    first_touch_rep.team as first_touch_team,
    -- toss-up (SQL)
    handoffs.handoff_id,
    handoffs.tossup_at,
    handoffs.tossup_local_date,
    handoffs.sender_rep_id as tossup_rep_id,
    handoffs.sender_rep_name as tossup_rep_name,
    handoffs.sender_team as tossup_team,
    handoffs.handoff_status,
    handoffs.unit,
    -- first meeting
    handoffs.first_meeting_at,
    handoffs.receiver_rep_id as first_meeting_rep_id,
    handoffs.receiver_rep_name as first_meeting_rep_name,
    handoffs.receiver_team as first_meeting_team,
    -- opportunity
    opportunities.opportunity_id,
    opportunities.created_at as opportunity_created_at,
    opportunities.owner_rep_id as opportunity_owner_rep_id,
    opportunities.owner_rep_name as opportunity_owner_rep_name,
    opportunities.owner_team as opportunity_owner_team,
    -- won / lost
    opportunities.won_at,
    opportunities.lost_at,
    coalesce(opportunities.is_won, false) as is_won
from persons
left join mql on persons.person_key = mql.person_key
left join first_touches on persons.person_key = first_touches.person_key
left join reps as first_touch_rep on first_touches.first_touch_rep_id = first_touch_rep.rep_id
left join reps as lead_owner on persons.lead_owner_rep_id = lead_owner.rep_id
left join handoffs on persons.person_key = handoffs.person_key
left join opportunities on handoffs.opportunity_id = opportunities.opportunity_id
