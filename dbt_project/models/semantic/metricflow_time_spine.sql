-- MetricFlow's time spine: one row per reporting-time-zone day, with the start of its
-- reporting week (var week_start_day) and fiscal year (var fiscal_year_start_month) as the
-- custom granularities `reporting_week` and `fiscal_year` (MetricFlow's own `week` is the ISO
-- week, Monday first). Every KPI's time axis is a local date of the reporting time zone.
with days as (
    {{ dbt.date_spine('day', "cast('2015-01-01' as date)", "cast('2036-01-01' as date)") }}
),

dates as (
    select cast(date_day as date) as date_day from days
)

select
    date_day,
    {{ week_start('date_day') }} as reporting_week_start,
    {{ fiscal_year_start(month_start('date_day')) }} as fiscal_year_start
from dates
