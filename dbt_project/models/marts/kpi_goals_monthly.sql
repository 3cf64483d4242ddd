-- Company goals (KGI): actual, target, attainment and fiscal-year-to-date figures of revenue
-- and new_customers per month, for the company, each team and each rep. Targets come from the
-- seed kpi_targets: monthly rows as given; a yearly target spread evenly over its fiscal
-- year's twelve months unless that year has monthly rows for the same KPI and key. Fiscal
-- years start in var fiscal_year_start_month (default April) and are named by the calendar
-- year they start in (FY2026 = April 2026 - March 2027 by default).
{%- set goal_kpis = ['revenue', 'new_customers'] %}
with actuals as (
    select kpi, grain, grain_key, period_start as month_start, value as actual
    from {{ ref('kpi_long') }}
    where period_grain = 'month'
        and kpi in ('{{ goal_kpis | join("', '") }}')
        and grain in ('company', 'team', 'rep')
),

targets as (
    select * from {{ ref('kpi_targets') }}
),

reps as (
    select rep_id, rep_name from {{ ref('dim_rep') }}
),

month_targets as (
    select kpi, grain, grain_key, period_start as month_start, target
    from targets
    where period_grain = 'month'
),

year_targets as (
    select kpi, grain, grain_key, period_start as fiscal_year_start, target
    from targets
    where period_grain = 'year'
),

month_offsets as (
    select month_offset from (
        values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11)
    ) as offsets (month_offset)
),

spread_year_targets as (
    select
        year_targets.kpi,
        year_targets.grain,
        year_targets.grain_key,
        cast({{ dbt.dateadd('month', 'month_offsets.month_offset', 'year_targets.fiscal_year_start') }} as date)
            as month_start,
        year_targets.target / 12.0 as target
    from year_targets
    cross join month_offsets
    where not exists (
        select 1 from month_targets
        where month_targets.kpi = year_targets.kpi
            and month_targets.grain = year_targets.grain
            and month_targets.grain_key = year_targets.grain_key
            and {{ fiscal_year_start('month_targets.month_start') }} = year_targets.fiscal_year_start
    )
),

monthly_targets as (
    select * from month_targets
    union all
    select * from spread_year_targets
),

spine as (
    select kpi, grain, grain_key, month_start from actuals
    union
    select kpi, grain, grain_key, month_start from monthly_targets
),

joined as (
    select
        spine.kpi,
        spine.grain,
        spine.grain_key,
        {{ fiscal_year_start('spine.month_start') }} as fiscal_year_start,
        spine.month_start,
        coalesce(actuals.actual, 0) as actual,
        monthly_targets.target
    from spine
    left join actuals
        on spine.kpi = actuals.kpi and spine.grain = actuals.grain
        and spine.grain_key = actuals.grain_key and spine.month_start = actuals.month_start
    left join monthly_targets
        on spine.kpi = monthly_targets.kpi and spine.grain = monthly_targets.grain
        and spine.grain_key = monthly_targets.grain_key and spine.month_start = monthly_targets.month_start
),

year_to_date as (
    select
        joined.*,
        sum(actual) over fiscal_year_so_far as actual_ytd,
        sum(target) over fiscal_year_so_far as target_ytd,
        sum(target) over fiscal_year as fiscal_year_target
    from joined
    window
        fiscal_year as (partition by kpi, grain, grain_key, fiscal_year_start),
        fiscal_year_so_far as (
            partition by kpi, grain, grain_key, fiscal_year_start
            order by month_start rows between unbounded preceding and current row
        )
)

-- actual and target stay DOUBLE: one column holds revenue and new_customers, and a yearly
-- new-customer target spread over twelve months is fractional
select
    cast(year_to_date.kpi as {{ dbt.type_string() }}) as kpi,
    cast(year_to_date.grain as {{ dbt.type_string() }}) as grain,
    cast(year_to_date.grain_key as {{ dbt.type_string() }}) as grain_key,
    reps.rep_name,
    cast(extract(year from year_to_date.fiscal_year_start) as integer) as fiscal_year,
    cast(year_to_date.fiscal_year_start as date) as fiscal_year_start,
    cast('month' as {{ dbt.type_string() }}) as period_grain,
    cast(year_to_date.month_start as date) as period_start,
    cast(year_to_date.month_start as date) as month_start,
    {{ month_string('year_to_date.month_start') }} as month,
    cast(year_to_date.actual as double precision) as actual,
    cast(year_to_date.target as double precision) as target,
    cast(year_to_date.actual / nullif(year_to_date.target, 0) as double precision) as attainment,
    cast(year_to_date.actual_ytd as double precision) as actual_ytd,
    cast(year_to_date.target_ytd as double precision) as target_ytd,
    cast(year_to_date.actual_ytd / nullif(year_to_date.target_ytd, 0) as double precision)
        as attainment_ytd,
    cast(year_to_date.fiscal_year_target as double precision) as fiscal_year_target
from year_to_date
left join reps on year_to_date.grain = 'rep' and year_to_date.grain_key = reps.rep_id
