{#- A wide KPI table (one column per KPI, typed by kpi_data_type) from kpi_long for BI tools:
    `period_grain` and `period_start` (DATE, the period's first day) like kpi_long, plus per
    month `month` (YYYY-MM label) and `month_start`, per week `week_start`; rep rows carry the
    rep's name and team. -#}
{% macro pivot_kpis(kpis, grains, period='month') -%}
select
    grain,
    grain_key,
    rep_name,
    rep_team,
    period_grain,
    period_start,
    {%- if period == 'month' %}
    {{ month_string('period_start') }} as month,
    period_start as month_start,
    {%- else %}
    period_start as week_start,
    {%- endif %}
    {%- for kpi in kpis %}
    cast(max(case when kpi = '{{ kpi }}' then value end) as {{ kpi_data_type(kpi) }}) as {{ kpi }}
    {{- "," if not loop.last }}
    {%- endfor %}
from {{ ref('kpi_long') }}
where period_grain = '{{ period }}'
    and grain in ({% for grain in grains %}'{{ grain }}'{{ ", " if not loop.last }}{% endfor %})
    and kpi in ({% for kpi in kpis %}'{{ kpi }}'{{ ", " if not loop.last }}{% endfor %})
group by grain, grain_key, rep_name, rep_team, period_grain, period_start
{%- endmacro %}
