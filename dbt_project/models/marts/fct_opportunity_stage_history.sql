-- Every stage change of every opportunity (OpportunityHistory), with the time spent in the
-- previous stage.
with history as (
    select * from {{ ref('stg_salesforce__opportunity_history') }} where not is_deleted
)

select
    opportunity_history_id,
    opportunity_id,
    stage_name,
    amount,
    close_date,
    probability,
    created_at as changed_at,
    lag(stage_name) over (partition by opportunity_id order by created_at, opportunity_history_id) as previous_stage_name,
    lag(created_at) over (partition by opportunity_id order by created_at, opportunity_history_id) as previous_changed_at,
    row_number() over (partition by opportunity_id order by created_at, opportunity_history_id) as stage_sequence
from history
