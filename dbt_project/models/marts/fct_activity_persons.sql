-- One row per counted activity and person it reached (calls, e-mails, meetings; contracts
-- 5.4): the persons a rep worked (leads_worked counts them once per period and grain).
with activities as (
    select * from {{ ref('fct_activities') }} where is_counted
),

activity_persons as (
    select * from {{ ref('int_activity_persons') }}
)

select
    activities.activity_id,
    activity_persons.person_key,
    activities.activity_type,
    activities.owner_rep_id,
    activities.activity_local_date
from activities
inner join activity_persons on activities.activity_id = activity_persons.activity_id
