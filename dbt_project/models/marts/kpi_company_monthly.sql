-- Company goals (KGI, 全体目標) and funnel per month, with the revenue and new-customer
-- targets, attainment and fiscal-year-to-date figures of kpi_goals_monthly (revenue as money;
-- a new-customer target may be fractional when a yearly one is spread over its months).
with kpis as (
    {{ pivot_kpis(company_kpis(), ['company']) }}
),

goals as (
    select * from {{ ref('kpi_goals_monthly') }} where grain = 'company'
)

select
    kpis.*,
    {%- for kpi, actual_type, target_type in [
        ('revenue', 'decimal(18, 2)', 'decimal(18, 2)'),
        ('new_customers', 'bigint', 'double precision'),
    ] %}
    cast({{ kpi }}_goals.target as {{ target_type }}) as {{ kpi }}_target,
    cast({{ kpi }}_goals.attainment as double precision) as {{ kpi }}_attainment,
    cast({{ kpi }}_goals.actual_ytd as {{ actual_type }}) as {{ kpi }}_ytd,
    cast({{ kpi }}_goals.target_ytd as {{ target_type }}) as {{ kpi }}_target_ytd,
    cast({{ kpi }}_goals.attainment_ytd as double precision) as {{ kpi }}_attainment_ytd
    {{- "," if not loop.last }}
    {%- endfor %}
from kpis
{%- for kpi in ['revenue', 'new_customers'] %}
left join goals as {{ kpi }}_goals
    on {{ kpi }}_goals.kpi = '{{ kpi }}' and kpis.month_start = {{ kpi }}_goals.month_start
{%- endfor %}
