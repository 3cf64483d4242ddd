-- One row per opportunity (not deleted) with its milestones, the handoff that produced it and
-- whether Field Sales KPIs count it (new business of an accepted handoff; contracts 5.5).
with opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }} where not is_deleted
),

milestones as (
    select * from {{ ref('int_opportunity_milestones') }}
),

handoffs as (
    select
        handoff_id,
        opportunity_id,
        handoff_status,
        sender_rep_id,
        case when sender_rep_id = receiver_rep_id then 'full_cycle' else 'division_of_labour' end as unit
    from (
        select
            validated.handoff_id,
            validated.opportunity_id,
            validated.handoff_status,
            validated.sender_rep_id,
            opportunities.owner_id as receiver_rep_id,
            row_number() over (partition by validated.opportunity_id order by validated.tossup_at, validated.handoff_id) as handoff_rank
        from {{ ref('int_handoffs_validated') }} as validated
        inner join opportunities on validated.opportunity_id = opportunities.opportunity_id
    ) as ranked
    where handoff_rank = 1
),

reps as (
    select rep_id, team from {{ ref('int_reps') }}
),

enriched as (
    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.owner_id as owner_rep_id,
        reps.team as owner_team,
        opportunities.opportunity_name,
        opportunities.opportunity_type,
        coalesce(opportunities.opportunity_type = '{{ var("renewal_opportunity_type") }}', false) as is_renewal,
        opportunities.stage_name,
        opportunities.amount,
        opportunities.close_date,
        {{ month_string('opportunities.close_date') }} as close_month,
        -- won / lost from the opportunity's own flags, never from a stage label
        opportunities.is_won,
        (opportunities.is_closed and not opportunities.is_won) as is_lost,
        stages.canonical_stage,
        opportunities.created_at,
        milestones.proposal_at,
        milestones.won_at,
        milestones.lost_at,
        handoffs.handoff_id,
        handoffs.handoff_status,
        handoffs.unit
    from opportunities
    left join milestones on opportunities.opportunity_id = milestones.opportunity_id
    left join handoffs on opportunities.opportunity_id = handoffs.opportunity_id
    left join reps on opportunities.owner_id = reps.rep_id
    left join {{ ref('int_opportunity_stages') }} as stages on opportunities.stage_name = stages.stage_name
)

select
    enriched.*,
    (not is_renewal and handoff_status = 'accepted') as is_field_sales_counted
from enriched
