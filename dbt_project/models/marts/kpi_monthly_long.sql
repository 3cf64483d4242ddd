-- Every KPI of contracts 5.5 as one row per (kpi, grain, grain_key, month): months cut in the
-- reporting time zone, counts only when > 0, rates and means only when the denominator > 0.
-- The end-to-end test compares this table with the sandbox's truth.json row by row.
with reps as (
    select rep_id, team from {{ ref('dim_rep') }}
),

-- activities by owner (current team), excluding Tasks that logged a Gong call
activities as (
    select
        fct_activities.activity_id,
        fct_activities.activity_type,
        fct_activities.is_connected,
        fct_activities.owner_rep_id,
        fct_activities.activity_local_date,
        fct_activities.owner_rep_id as rep_key,
        reps.team as team_key,
        'all' as company_key,
        fct_activities.activity_month as month
    from {{ ref('fct_activities') }} as fct_activities
    left join reps on fct_activities.owner_rep_id = reps.rep_id
    where fct_activities.is_counted
),

activity_persons as (
    select activities.*, activity_persons.person_key
    from activities
    inner join {{ ref('int_activity_persons') }} as activity_persons
        on activities.activity_id = activity_persons.activity_id
),

handoffs as (
    select
        fct_handoffs.*,
        sender_rep_id as rep_key,
        sender_team as team_key,
        'all' as company_key,
        unit as unit_key,
        tossup_month as month
    from {{ ref('fct_handoffs') }} as fct_handoffs
),

accepted_handoffs_with_meeting as (
    select * from handoffs where handoff_status = 'accepted' and first_meeting_at is not null
),

lifecycle as (
    select * from {{ ref('fct_lead_lifecycle') }}
),

mql_cohort as (
    select 'all' as company_key, mql_month as month, tossup_at
    from lifecycle where mql_at is not null
),

first_touch_cohort as (
    select
        first_touch_rep_id as rep_key,
        first_touch_team as team_key,
        'all' as company_key,
        first_touch_month as month,
        tossup_at
    from lifecycle where first_touch_at is not null
),

lead_cohort as (
    select lead_source as source_key, lead_created_month as month, is_won
    from lifecycle where lead_created_at is not null
),

opportunities as (
    select * from {{ ref('fct_opportunities') }}
),

-- new-business opportunities of accepted handoffs, by owner (Field Sales KPIs)
field_sales_opportunities as (
    select
        opportunities.*,
        owner_rep_id as rep_key,
        owner_team as team_key,
        'all' as company_key,
        unit as unit_key
    from opportunities
    where is_field_sales_counted
),

proposals as (
    select *, {{ reporting_month('proposal_at') }} as month
    from field_sales_opportunities
    where proposal_at is not null
),

closed_deals as (
    select *, close_month as month
    from field_sales_opportunities
    where is_won or is_lost
),

won_opportunities as (
    select 'all' as company_key, close_month as month, amount, account_id, close_date
    from opportunities
    where is_won
),

first_wins as (
    select 'all' as company_key, {{ month_string('min(close_date)') }} as month, account_id
    from won_opportunities
    where account_id is not null
    group by account_id
),

renewals as (
    select 'all' as company_key, close_month as month, is_won
    from opportunities
    where is_renewal
),

kpi_rows as (
    -- inside sales / activity
    {{ kpi_rollup('calls', 'activities', ['rep', 'team', 'company'],
        "sum(case when activity_type = 'call' then 1 else 0 end)") }}
    union all
    {{ kpi_rollup('connected_calls', 'activities', ['rep', 'team', 'company'],
        "sum(case when activity_type = 'call' and is_connected then 1 else 0 end)") }}
    union all
    {{ kpi_rollup('emails_sent', 'activities', ['rep', 'team', 'company'],
        "sum(case when activity_type = 'email' then 1 else 0 end)") }}
    union all
    {{ kpi_rollup('meetings_held', 'activities', ['rep', 'team', 'company'],
        "sum(case when activity_type = 'meeting' then 1 else 0 end)") }}
    union all
    {{ kpi_rollup('touches', 'activities', ['rep', 'team', 'company'], 'count(*)') }}
    union all
    {{ kpi_rollup('leads_worked', 'activity_persons', ['rep', 'team', 'company'],
        'count(distinct person_key)') }}
    union all
    {{ kpi_rollup('touches_per_rep_day', 'activities', ['team', 'company'],
        "count(*) * 1.0 / count(distinct owner_rep_id || '|' || cast(activity_local_date as " ~ dbt.type_string() ~ "))",
        denominator='count(*)') }}
    union all
    -- handoffs / linkage
    {{ kpi_rollup('tossups', 'handoffs', ['rep', 'team', 'company', 'unit'], 'count(*)') }}
    union all
    {{ kpi_rollup('rejections', 'handoffs', ['rep', 'team', 'company', 'unit'],
        "sum(case when handoff_status = 'rejected' then 1 else 0 end)") }}
    union all
    {{ kpi_rollup('tossup_acceptance_rate', 'handoffs', ['rep', 'team', 'company', 'unit'],
        "sum(case when handoff_status = 'accepted' then 1 else 0 end) * 1.0 / count(*)",
        denominator='count(*)') }}
    union all
    {{ kpi_rollup('tossup_to_won_rate', 'handoffs', ['rep', 'team', 'company', 'unit'],
        'sum(case when is_won then 1 else 0 end) * 1.0 / count(*)', denominator='count(*)') }}
    union all
    -- the mean of tenths as a sum of whole field counts: avg() over doubles depends on the
    -- order parallel threads add them, so two builds of the same rows could differ in the last bit
    {{ kpi_rollup('avg_handoff_completeness', 'handoffs', ['rep', 'team', 'company', 'unit'],
        'sum(round(completeness * 10)) / (10.0 * count(*))', denominator='count(*)') }}
    union all
    {{ kpi_rollup('qualified_handoff_share', 'handoffs', ['rep', 'team', 'company', 'unit'],
        'sum(case when is_qualified then 1 else 0 end) * 1.0 / count(*)', denominator='count(*)') }}
    union all
    {{ kpi_rollup('sla_met_rate', 'handoffs', ['rep', 'team', 'company', 'unit'],
        "sum(case when handoff_status = 'accepted' and is_sla_met then 1 else 0 end) * 1.0
            / nullif(sum(case when handoff_status = 'accepted' then 1 else 0 end), 0)",
        denominator="sum(case when handoff_status = 'accepted' then 1 else 0 end)") }}
    union all
    {{ kpi_rollup('median_hours_to_first_meeting', 'accepted_handoffs_with_meeting',
        ['rep', 'team', 'company', 'unit'], median('hours_to_first_meeting'), denominator='count(*)') }}
    union all
    -- funnel cohorts
    {{ kpi_rollup('mql_to_sql_rate', 'mql_cohort', ['company'],
        'sum(case when tossup_at is not null then 1 else 0 end) * 1.0 / count(*)', denominator='count(*)') }}
    union all
    {{ kpi_rollup('opportunity_conversion_rate', 'first_touch_cohort', ['rep', 'team', 'company'],
        'sum(case when tossup_at is not null then 1 else 0 end) * 1.0 / count(*)', denominator='count(*)') }}
    union all
    {{ kpi_rollup('lead_to_won_rate', 'lead_cohort', ['source'],
        'sum(case when is_won then 1 else 0 end) * 1.0 / count(*)', denominator='count(*)') }}
    union all
    -- field sales
    {{ kpi_rollup('proposals', 'proposals', ['rep', 'team', 'company', 'unit'], 'count(*)') }}
    union all
    {{ kpi_rollup('won_deals', 'closed_deals', ['rep', 'team', 'company', 'unit'],
        'sum(case when is_won then 1 else 0 end)') }}
    union all
    {{ kpi_rollup('lost_deals', 'closed_deals', ['rep', 'team', 'company', 'unit'],
        'sum(case when is_lost then 1 else 0 end)') }}
    union all
    {{ kpi_rollup('revenue', 'closed_deals', ['rep', 'team', 'company', 'unit'],
        'sum(case when is_won then coalesce(amount, 0) else 0 end)') }}
    union all
    {{ kpi_rollup('win_rate', 'closed_deals', ['rep', 'team', 'company', 'unit'],
        'sum(case when is_won then 1 else 0 end) * 1.0 / count(*)', denominator='count(*)') }}
    union all
    {{ kpi_rollup('avg_deal_size', 'closed_deals', ['rep', 'team', 'company', 'unit'],
        'sum(case when is_won then coalesce(amount, 0) else 0 end) * 1.0
            / nullif(sum(case when is_won then 1 else 0 end), 0)',
        denominator='sum(case when is_won then 1 else 0 end)') }}
    union all
    -- company (KGI)
    {{ kpi_rollup('total_revenue', 'won_opportunities', ['company'], 'sum(coalesce(amount, 0))') }}
    union all
    {{ kpi_rollup('new_customers', 'first_wins', ['company'], 'count(*)') }}
    union all
    {{ kpi_rollup('renewals_due', 'renewals', ['company'], 'count(*)') }}
    union all
    {{ kpi_rollup('retention_rate', 'renewals', ['company'],
        'sum(case when is_won then 1 else 0 end) * 1.0 / count(*)', denominator='count(*)') }}
)

select
    cast(kpi as {{ dbt.type_string() }}) as kpi,
    cast(grain as {{ dbt.type_string() }}) as grain,
    cast(grain_key as {{ dbt.type_string() }}) as grain_key,
    cast(month as {{ dbt.type_string() }}) as month,
    value
from kpi_rows
