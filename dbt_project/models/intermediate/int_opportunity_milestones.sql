-- Per opportunity, when it first reached a proposal stage, a won stage and a lost (closed, not
-- won) stage: CreatedDate of the first OpportunityHistory row in such a stage (contracts 5.4).
-- What a stage means comes from int_opportunity_stages (metadata and the stage mapping),
-- never from its label. HubSpot deals: `hs_v2_date_entered_<stage id>` of every stage of the
-- deal's pipeline (when the deal last entered it).
with history as (
    select * from {{ ref('stg_salesforce__opportunity_history') }} where not is_deleted
),

stages as (
    select * from {{ ref('int_opportunity_stages') }}
),

deal_stage_entries as (
    select
        deals.deal_id as opportunity_id,
        pipeline_stages.stage_id as stage_name,
        {{ hubspot_ts("deals.properties->>('hs_v2_date_entered_' || pipeline_stages.stage_id)") }} as created_at
    from {{ ref('stg_hubspot__deals') }} as deals
    inner join {{ ref('stg_hubspot__deal_pipeline_stages') }} as pipeline_stages
        on deals.pipeline_id = pipeline_stages.pipeline_id
    where not deals.is_deleted
),

entries as (
    select opportunity_id, stage_name, created_at from history
    union all
    select opportunity_id, stage_name, created_at from deal_stage_entries
    where created_at is not null
)

select
    entries.opportunity_id,
    min(case when stages.is_proposal_reached then entries.created_at end) as proposal_at,
    min(case when stages.is_won then entries.created_at end) as won_at,
    min(case when stages.is_closed and not stages.is_won then entries.created_at end) as lost_at,
    count(*) as stage_change_count
from entries
left join stages on entries.stage_name = stages.stage_name
group by entries.opportunity_id
