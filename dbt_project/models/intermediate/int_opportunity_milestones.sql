-- Per opportunity, when it first reached Proposal, Closed Won and Closed Lost
-- (CreatedDate of the first OpportunityHistory row in that stage; contracts 5.4).
with history as (
    select * from {{ ref('stg_salesforce__opportunity_history') }} where not is_deleted
)

select
    opportunity_id,
    min(case when stage_name = 'Proposal' then created_at end) as proposal_at,
    min(case when stage_name = 'Closed Won' then created_at end) as won_at,
    min(case when stage_name = 'Closed Lost' then created_at end) as lost_at,
    count(*) as stage_change_count
from history
group by opportunity_id
