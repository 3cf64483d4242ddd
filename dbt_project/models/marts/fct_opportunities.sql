-- One row per opportunity (not deleted) with its milestones (UTC and as reporting-time-zone
-- dates), the handoff that produced it, whether Field Sales KPIs count it (new business of an
-- accepted handoff) and whether it is its account's first win (new_customers; contracts 5.5).
with opportunities as (
    select * from {{ ref('int_opportunities') }} where not is_deleted
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
    select rep_id, rep_name, team from {{ ref('int_reps') }}
),

enriched as (
    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.owner_id as owner_rep_id,
        reps.rep_name as owner_rep_name,
        reps.team as owner_team,
        opportunities.opportunity_name,
        opportunities.opportunity_type,
        opportunities.is_renewal,
        opportunities.stage_name,
        {{ to_money('opportunities.amount') }} as amount,
        opportunities.close_date,
        {{ month_string('opportunities.close_date') }} as close_month,
        -- won / lost from the opportunity's own flags, never from a stage label
        opportunities.is_won,
        (opportunities.is_closed and not opportunities.is_won) as is_lost,
        stages.canonical_stage,
        opportunities.created_at,
        {{ reporting_date('opportunities.created_at') }} as created_local_date,
        milestones.proposal_at,
        {{ reporting_date('milestones.proposal_at') }} as proposal_local_date,
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
),

-- an account's first won opportunity: earliest CloseDate, then won_at, then Id
first_wins as (
    select opportunity_id
    from (
        select
            opportunity_id,
            row_number() over (
                partition by account_id order by close_date, won_at, opportunity_id
            ) as win_rank
        from enriched
        where is_won and account_id is not null
    ) as ranked
    where win_rank = 1
)

select
    enriched.*,
    (not enriched.is_renewal and enriched.handoff_status = 'accepted') as is_field_sales_counted,
    (first_wins.opportunity_id is not null) as is_first_win
from enriched
left join first_wins on enriched.opportunity_id = first_wins.opportunity_id
