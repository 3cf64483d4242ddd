-- What every opportunity stage means, from the stage metadata (OpportunityStage) before any
-- label: won and closed from IsWon / IsClosed; the canonical funnel stage of an open stage
-- from the seed opportunity_stage_mapping (by ApiName, then MasterLabel), else derived from
-- the metadata: among the active open stages in SortOrder, the last is negotiation, the one
-- before it proposal, earlier ones qualification (with two open stages: qualification,
-- proposal). A StageName without metadata (a value deleted since) takes IsWon / IsClosed
-- from the opportunities now in it. One row per stage name as StageName holds it.
with metadata as (
    select * from {{ ref('stg_salesforce__opportunity_stages') }}
),

mapping as (
    select {{ clean_text('stage') }} as stage_key, canonical_stage
    from {{ ref('opportunity_stage_mapping') }}
),

open_positions as (
    select
        opportunity_stage_id,
        row_number() over (order by sort_order desc, api_name desc) as position_from_end,
        count(*) over () as open_stage_count
    from metadata
    where is_active and not is_closed
),

described as (
    select
        metadata.api_name as stage_name,
        metadata.master_label,
        metadata.sort_order,
        metadata.is_active,
        metadata.is_closed,
        metadata.is_won,
        metadata.forecast_category_name,
        case
            when open_positions.open_stage_count >= 3 and open_positions.position_from_end = 1 then 'negotiation'
            when open_positions.open_stage_count >= 2 and open_positions.position_from_end = 2 then 'proposal'
            when open_positions.open_stage_count = 2 and open_positions.position_from_end = 1 then 'proposal'
            else 'qualification'
        end as derived_stage,
        true as has_metadata
    from metadata
    left join open_positions on metadata.opportunity_stage_id = open_positions.opportunity_stage_id
    where metadata.api_name is not null
),

opportunity_flags as (
    -- stages no metadata describes: the flags of the opportunities in them now
    select
        stage_name,
        max(case when is_closed then 1 else 0 end) = 1 as is_closed,
        max(case when is_won then 1 else 0 end) = 1 as is_won
    from {{ ref('stg_salesforce__opportunities') }}
    where not is_deleted and stage_name is not null
    group by stage_name
),

undescribed as (
    select distinct stage_name
    from {{ ref('stg_salesforce__opportunity_history') }}
    where not is_deleted and stage_name is not null
    union
    select stage_name from opportunity_flags
),

stages as (
    select * from described
    union all
    select
        undescribed.stage_name,
        cast(null as {{ dbt.type_string() }}),
        cast(null as double precision),
        false,
        coalesce(opportunity_flags.is_closed, false),
        coalesce(opportunity_flags.is_won, false),
        cast(null as {{ dbt.type_string() }}),
        'qualification',
        false
    from undescribed
    left join opportunity_flags on undescribed.stage_name = opportunity_flags.stage_name
    where undescribed.stage_name not in (select stage_name from described)
)

select
    stages.stage_name,
    stages.master_label,
    stages.sort_order,
    stages.is_active,
    stages.is_closed,
    stages.is_won,
    stages.forecast_category_name,
    stages.has_metadata,
    case
        when stages.is_won then 'won'
        when stages.is_closed then 'lost'
        else coalesce(by_name.canonical_stage, by_label.canonical_stage, stages.derived_stage)
    end as canonical_stage,
    case
        when stages.is_closed then 'flags'
        when by_name.canonical_stage is not null or by_label.canonical_stage is not null then 'seed'
        else 'derived'
    end as canonical_stage_from,
    not stages.is_closed
        and coalesce(by_name.canonical_stage, by_label.canonical_stage, stages.derived_stage)
            in ('proposal', 'negotiation') as is_proposal_reached
from stages
left join mapping as by_name on by_name.stage_key = {{ clean_text('stages.stage_name') }}
left join mapping as by_label on by_label.stage_key = {{ clean_text('stages.master_label') }}
