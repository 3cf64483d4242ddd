-- Per opportunity, when it first reached a proposal stage, a won stage and a lost (closed, not
-- won) stage: CreatedDate of the first OpportunityHistory row in such a stage (contracts 5.4).
-- What a stage means comes from int_opportunity_stages (metadata and the stage mapping),
-- never from its label.
with history as (
    select * from {{ ref('stg_salesforce__opportunity_history') }} where not is_deleted
),

stages as (
    select * from {{ ref('int_opportunity_stages') }}
)

select
    history.opportunity_id,
    min(case when stages.is_proposal_reached then history.created_at end) as proposal_at,
    min(case when stages.is_won then history.created_at end) as won_at,
    min(case when stages.is_closed and not stages.is_won then history.created_at end) as lost_at,
    count(*) as stage_change_count
from history
left join stages on history.stage_name = stages.stage_name
group by history.opportunity_id
