-- The monthly rows of kpi_long with the month as `YYYY-MM` text: the long table readers used
-- before weeks existed (published copy, summary, BI queries) keep working unchanged.
select
    kpi,
    grain,
    grain_key,
    {{ month_string('period_start') }} as month,
    value
from {{ ref('kpi_long') }}
where period_grain = 'month'
