-- What every opportunity stage means, from the stage metadata (OpportunityStage) before any
-- label: won and closed from IsWon / IsClosed; the canonical funnel stage of an open stage
-- from the seed opportunity_stage_mapping (by ApiName, then MasterLabel), else derived from
-- the metadata: among the active open stages in SortOrder, the last is negotiation, the one
-- before it proposal, earlier ones qualification (with two open stages: qualification,
-- proposal). A StageName without metadata (a value deleted since) takes IsWon / IsClosed
-- from the opportunities now in it. One row per stage name as StageName holds it.
-- HubSpot deal stages (source_system hubspot, stage_name = the stage id): closed from the
-- metadata `isClosed`, won when closed with probability 1.0 (lost: any other closed stage),
-- or as the vars hubspot_won_stage_ids / hubspot_lost_stage_ids say; open stages take the
-- seed by id then label, else the same default as Salesforce's within their pipeline.
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

hubspot_metadata as (
    select * from {{ ref('stg_hubspot__deal_pipeline_stages') }}
),

hubspot_flags as (
    select
        hubspot_metadata.*,
        {%- set won_ids = var('hubspot_won_stage_ids') %}
        {%- set lost_ids = var('hubspot_lost_stage_ids') %}
        (
            {%- if won_ids %}
            stage_id in ({% for id in won_ids %}'{{ id }}'{{ ", " if not loop.last }}{% endfor %}) or
            {%- endif %}
            (
                {%- if lost_ids %}
                stage_id not in ({% for id in lost_ids %}'{{ id }}'{{ ", " if not loop.last }}{% endfor %}) and
                {%- endif %}
                is_closed and coalesce(probability, 0) >= 1.0
            )
        ) as is_won_stage,
        (
            is_closed
            {%- for id in won_ids + lost_ids %}
            or stage_id = '{{ id }}'
            {%- endfor %}
        ) as is_closed_stage
    from hubspot_metadata
),

hubspot_open_positions as (
    select
        pipeline_id,
        stage_id,
        row_number() over (partition by pipeline_id order by display_order desc, stage_id desc) as position_from_end,
        count(*) over (partition by pipeline_id) as open_stage_count
    from hubspot_flags
    where not is_archived and not is_closed_stage
),

hubspot_described as (
    select
        hubspot_flags.stage_id as stage_name,
        hubspot_flags.stage_label as master_label,
        hubspot_flags.display_order as sort_order,
        not hubspot_flags.is_archived and not hubspot_flags.is_pipeline_archived as is_active,
        hubspot_flags.is_closed_stage as is_closed,
        hubspot_flags.is_won_stage as is_won,
        cast(null as {{ dbt.type_string() }}) as forecast_category_name,
        case
            when hubspot_open_positions.open_stage_count >= 3 and hubspot_open_positions.position_from_end = 1 then 'negotiation'
            when hubspot_open_positions.open_stage_count >= 2 and hubspot_open_positions.position_from_end = 2 then 'proposal'
            when hubspot_open_positions.open_stage_count = 2 and hubspot_open_positions.position_from_end = 1 then 'proposal'
            else 'qualification'
        end as derived_stage,
        true as has_metadata
    from hubspot_flags
    left join hubspot_open_positions
        on hubspot_flags.pipeline_id = hubspot_open_positions.pipeline_id
        and hubspot_flags.stage_id = hubspot_open_positions.stage_id
),

stages as (
    select 'salesforce' as source_system, described.* from described
    union all
    select
        'salesforce',
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
    union all
    select 'hubspot', hubspot_described.* from hubspot_described
)

select
    stages.source_system,
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
