{#- A wide monthly KPI table (one column per KPI) from kpi_monthly_long, for BI tools. -#}
{% macro pivot_kpis(kpis, grains) -%}
select
    grain,
    grain_key,
    month,
    {%- for kpi in kpis %}
    max(case when kpi = '{{ kpi }}' then value end) as {{ kpi }}{{ "," if not loop.last }}
    {%- endfor %}
from {{ ref('kpi_monthly_long') }}
where grain in ({% for grain in grains %}'{{ grain }}'{{ ", " if not loop.last }}{% endfor %})
    and kpi in ({% for kpi in kpis %}'{{ kpi }}'{{ ", " if not loop.last }}{% endfor %})
group by grain, grain_key, month
{%- endmacro %}
