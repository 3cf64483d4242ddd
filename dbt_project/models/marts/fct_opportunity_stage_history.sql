-- Every stage change of every opportunity (OpportunityHistory), with what the stage means
-- (canonical stage, won, closed; int_opportunity_stages) and the time spent in the previous
-- stage.
with history as (
    select * from {{ ref('stg_salesforce__opportunity_history') }} where not is_deleted
),

stages as (
    select * from {{ ref('int_opportunity_stages') }}
)

select
    history.opportunity_history_id,
    history.opportunity_id,
    history.stage_name,
    stages.canonical_stage,
    coalesce(stages.is_closed, false) as is_closed,
    coalesce(stages.is_won, false) as is_won,
    {{ to_money('history.amount') }} as amount,
    history.close_date,
    history.probability,
    history.created_at as changed_at,
    lag(history.stage_name) over (partition by history.opportunity_id order by history.created_at, history.opportunity_history_id) as previous_stage_name,
    lag(history.created_at) over (partition by history.opportunity_id order by history.created_at, history.opportunity_history_id) as previous_changed_at,
    row_number() over (partition by history.opportunity_id order by history.created_at, history.opportunity_history_id) as stage_sequence
from history
left join stages on history.stage_name = stages.stage_name
