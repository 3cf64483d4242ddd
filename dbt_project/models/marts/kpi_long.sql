-- Every KPI of contracts 5.5 as one row per (kpi, grain, grain_key, period_grain,
-- period_start): months and weeks cut in the reporting time zone (weeks start on var
-- week_start_day), counts only when > 0, rates and means only when the denominator > 0.
-- The end-to-end test compares this table with the sandbox's truth.json row by row. Rep rows
-- carry the rep's name and current team for BI filters (dim_rep).
with reps as (
    select rep_id, rep_name, team from {{ ref('dim_rep') }}
),

-- activities by owner (current team), excluding Tasks that logged a Gong call. Counted per rep
-- and day before the rollups (the counts are sums): 36 grouped selects over the activity rows
-- held the whole fact (~10 M rows at 1M leads) in memory and ran out of the 2GB budget.
activities as not materialized (
    select
        fct_activities.activity_id,
        fct_activities.activity_type,
        fct_activities.is_connected,
        fct_activities.owner_rep_id,
        reps.team as team_key,
        {{ period_columns('fct_activities.activity_local_date') }}
    from {{ ref('fct_activities') }} as fct_activities
    left join reps on fct_activities.owner_rep_id = reps.rep_id
    where fct_activities.is_counted
),

activity_days as (
    select
        owner_rep_id,
        owner_rep_id as rep_key,
        team_key,
        'all' as company_key,
        local_date,
        month_start,
        week_start,
        sum(case when activity_type = 'call' then 1 else 0 end) as calls,
        sum(case when activity_type = 'call' and is_connected then 1 else 0 end) as connected_calls,
        sum(case when activity_type = 'email' then 1 else 0 end) as emails,
        sum(case when activity_type = 'meeting' then 1 else 0 end) as meetings,
        count(*) as touches
    from activities
    group by owner_rep_id, team_key, local_date, month_start, week_start
),

-- the persons each rep touched per week and month (leads_worked counts them distinct), from
-- fct_activity_persons (counted activities only): joining the activities to their persons
-- again here cost a second join of two ~10 M-row tables at 1M leads
activity_persons as (
    select distinct
        activity_persons.owner_rep_id as rep_key,
        reps.team as team_key,
        'all' as company_key,
        {{ month_start('activity_persons.activity_local_date') }} as month_start,
        {{ week_start('activity_persons.activity_local_date') }} as week_start,
        activity_persons.person_key
    from {{ ref('fct_activity_persons') }} as activity_persons
    left join reps on activity_persons.owner_rep_id = reps.rep_id
),

-- The CTEs below feed dozens of rollups each (every KPI at every grain and period): they
-- carry only the columns the rollups read, and the cohorts are materialized so each row's
-- period columns (a time-zone conversion) are computed once, not once per rollup. Streaming
-- whole fct_lead_lifecycle rows to 38 rollups was most of this model's time at 1M leads.
handoffs as materialized (
    select
        handoff_status,
        is_won,
        is_qualified,
        is_sla_met,
        completeness,
        first_meeting_at,
        hours_to_first_meeting,
        sender_rep_id as rep_key,
        sender_team as team_key,
        'all' as company_key,
        unit as unit_key,
        {{ period_columns(reporting_date('tossup_at')) }}
    from {{ ref('fct_handoffs') }}
),

accepted_handoffs_with_meeting as (
    select * from handoffs where handoff_status = 'accepted' and first_meeting_at is not null
),

lifecycle as (
    select
        lead_owner_rep_id as rep_key,
        lead_owner_team as team_key,
        'all' as company_key,
        lead_source as source_key,
        lead_created_at,
        mql_at,
        first_touch_at,
        first_touch_rep_id,
        first_touch_team,
        tossup_at,
        is_won
    from {{ ref('fct_lead_lifecycle') }}
),

-- person cohorts: by lead creation, by MQL, by first Inside Sales touch
lead_cohort as materialized (
    select rep_key, team_key, company_key, source_key, is_won,
        {{ period_columns(reporting_date('lead_created_at')) }}
    from lifecycle where lead_created_at is not null
),

mql_cohort as materialized (
    select rep_key, team_key, company_key, source_key, tossup_at,
        {{ period_columns(reporting_date('mql_at')) }}
    from lifecycle where mql_at is not null
),

first_touch_cohort as materialized (
    select
        first_touch_rep_id as rep_key,
        first_touch_team as team_key,
        'all' as company_key,
        tossup_at,
        {{ period_columns(reporting_date('first_touch_at')) }}
    from lifecycle where first_touch_at is not null
),

opportunities as (
    select
        owner_rep_id,
        owner_team,
        unit,
        amount,
        is_won,
        is_lost,
        is_first_win,
        is_renewal,
        is_field_sales_counted,
        created_at,
        proposal_at,
        close_date
    from {{ ref('fct_opportunities') }}
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

created_opportunities as materialized (
    select *, {{ period_columns(reporting_date('created_at')) }}
    from field_sales_opportunities
),

proposals as materialized (
    select *, {{ period_columns(reporting_date('proposal_at')) }}
    from field_sales_opportunities
    where proposal_at is not null
),

closed_deals as materialized (
    select *, {{ period_columns('close_date') }}
    from field_sales_opportunities
    where is_won or is_lost
),

-- every won opportunity, new business or renewal, by owner and CloseDate (revenue, KGI)
won_opportunities as (
    select
        amount,
        owner_rep_id as rep_key,
        owner_team as team_key,
        'all' as company_key,
        {{ period_columns('close_date') }}
    from opportunities
    where is_won
),

-- each account's first won opportunity (fct_opportunities.is_first_win), credited to its owner
first_wins as (
    select
        owner_rep_id as rep_key,
        owner_team as team_key,
        'all' as company_key,
        {{ period_columns('close_date') }}
    from opportunities
    where is_first_win
),

renewals as (
    select
        is_won,
        owner_rep_id as rep_key,
        owner_team as team_key,
        'all' as company_key,
        {{ period_columns('close_date') }}
    from opportunities
    where is_renewal
),

kpi_rows as (
    -- inside sales / activity
    {{ kpi_rollup('calls', 'activity_days', ['rep', 'team', 'company'], 'sum(calls)') }}
    union all
    {{ kpi_rollup('connected_calls', 'activity_days', ['rep', 'team', 'company'],
        'sum(connected_calls)') }}
    union all
    {{ kpi_rollup('emails_sent', 'activity_days', ['rep', 'team', 'company'], 'sum(emails)') }}
    union all
    {{ kpi_rollup('meetings_held', 'activity_days', ['rep', 'team', 'company'], 'sum(meetings)') }}
    union all
    {{ kpi_rollup('touches', 'activity_days', ['rep', 'team', 'company'], 'sum(touches)') }}
    union all
    {{ kpi_rollup('leads_worked', 'activity_persons', ['rep', 'team', 'company'],
        'count(distinct person_key)') }}
    union all
    {{ kpi_rollup('touches_per_rep_day', 'activity_days', ['rep', 'team', 'company'],
        "sum(touches) * 1.0 / count(distinct owner_rep_id || '|' || cast(local_date as " ~ dbt.type_string() ~ "))",
        denominator='sum(touches)') }}
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
    -- funnel: persons by the rep owning their Lead, their source, and the company
    {{ kpi_rollup('leads', 'lead_cohort', ['rep', 'team', 'company', 'source'], 'count(*)') }}
    union all
    {{ kpi_rollup('lead_to_won_rate', 'lead_cohort', ['rep', 'team', 'company', 'source'],
        'sum(case when is_won then 1 else 0 end) * 1.0 / count(*)', denominator='count(*)') }}
    union all
    {{ kpi_rollup('mqls', 'mql_cohort', ['rep', 'team', 'company', 'source'], 'count(*)') }}
    union all
    {{ kpi_rollup('mql_to_sql_rate', 'mql_cohort', ['rep', 'team', 'company', 'source'],
        'sum(case when tossup_at is not null then 1 else 0 end) * 1.0 / count(*)', denominator='count(*)') }}
    union all
    {{ kpi_rollup('opportunity_conversion_rate', 'first_touch_cohort', ['rep', 'team', 'company'],
        'sum(case when tossup_at is not null then 1 else 0 end) * 1.0 / count(*)', denominator='count(*)') }}
    union all
    -- field sales
    {{ kpi_rollup('opportunities', 'created_opportunities', ['rep', 'team', 'company', 'unit'], 'count(*)') }}
    union all
    {{ kpi_rollup('proposals', 'proposals', ['rep', 'team', 'company', 'unit'], 'count(*)') }}
    union all
    {{ kpi_rollup('won_deals', 'closed_deals', ['rep', 'team', 'company', 'unit'],
        'sum(case when is_won then 1 else 0 end)') }}
    union all
    {{ kpi_rollup('lost_deals', 'closed_deals', ['rep', 'team', 'company', 'unit'],
        'sum(case when is_lost then 1 else 0 end)') }}
    union all
    {{ kpi_rollup('new_business_revenue', 'closed_deals', ['rep', 'team', 'company', 'unit'],
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
    -- company goals (KGI), by owner
    {{ kpi_rollup('revenue', 'won_opportunities', ['rep', 'team', 'company'], 'sum(coalesce(amount, 0))') }}
    union all
    {{ kpi_rollup('new_customers', 'first_wins', ['rep', 'team', 'company'], 'count(*)') }}
    union all
    {{ kpi_rollup('renewals_due', 'renewals', ['rep', 'team', 'company'], 'count(*)') }}
    union all
    {{ kpi_rollup('retention_rate', 'renewals', ['rep', 'team', 'company'],
        'sum(case when is_won then 1 else 0 end) * 1.0 / count(*)', denominator='count(*)') }}
)

select
    cast(kpi_rows.kpi as {{ dbt.type_string() }}) as kpi,
    cast(kpi_rows.grain as {{ dbt.type_string() }}) as grain,
    cast(kpi_rows.grain_key as {{ dbt.type_string() }}) as grain_key,
    cast(kpi_rows.period_grain as {{ dbt.type_string() }}) as period_grain,
    cast(kpi_rows.period_start as date) as period_start,
    kpi_rows.value,
    reps.rep_name,
    reps.team as rep_team
from kpi_rows
left join reps on kpi_rows.grain = 'rep' and kpi_rows.grain_key = reps.rep_id
