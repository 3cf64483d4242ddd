-- Company goals (KGI, 全体目標) and funnel per month, with the revenue and new-customer
-- targets, attainment and fiscal-year-to-date figures of kpi_goals_monthly.
with kpis as (
    {{ pivot_kpis(company_kpis(), ['company']) }}
),

goals as (
    select * from {{ ref('kpi_goals_monthly') }} where grain = 'company'
)

select
    kpis.*,
    {%- for kpi in ['revenue', 'new_customers'] %}
    {{ kpi }}_goals.target as {{ kpi }}_target,
    {{ kpi }}_goals.attainment as {{ kpi }}_attainment,
    {{ kpi }}_goals.actual_ytd as {{ kpi }}_ytd,
    {{ kpi }}_goals.target_ytd as {{ kpi }}_target_ytd,
    {{ kpi }}_goals.attainment_ytd as {{ kpi }}_attainment_ytd{{ "," if not loop.last }}
    {%- endfor %}
from kpis
{%- for kpi in ['revenue', 'new_customers'] %}
left join goals as {{ kpi }}_goals
    on {{ kpi }}_goals.kpi = '{{ kpi }}' and kpis.month_start = {{ kpi }}_goals.month_start
{%- endfor %}
