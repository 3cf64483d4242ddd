{#- A wide KPI table (one column per KPI) from kpi_long for BI tools: per month (`month` as
    YYYY-MM and `month_start`) or per week (`week_start`, the week's first day). -#}
{% macro pivot_kpis(kpis, grains, period='month') -%}
select
    grain,
    grain_key,
    {%- if period == 'month' %}
    {{ month_string('period_start') }} as month,
    period_start as month_start,
    {%- else %}
    period_start as week_start,
    {%- endif %}
    {%- for kpi in kpis %}
    max(case when kpi = '{{ kpi }}' then value end) as {{ kpi }}{{ "," if not loop.last }}
    {%- endfor %}
from {{ ref('kpi_long') }}
where period_grain = '{{ period }}'
    and grain in ({% for grain in grains %}'{{ grain }}'{{ ", " if not loop.last }}{% endfor %})
    and kpi in ({% for kpi in kpis %}'{{ kpi }}'{{ ", " if not loop.last }}{% endfor %})
group by grain, grain_key, period_start
{%- endmacro %}
