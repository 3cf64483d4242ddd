{#- The typed mart contract (docs/contracts.md 6): counts BIGINT, rates and means DOUBLE,
    money DECIMAL(18,2), periods DATE. Every mart's YAML states each column's data_type, and
    dbt's enforced contracts check the SQL against it at build time, on DuckDB and Postgres. -#}

{#- Money as DECIMAL(18,2): Salesforce currency fields hold at most 18 digits, so a larger
    value cannot come from the CRM; it is NULL here instead of failing the build, and the test
    source_fits_money (warn) lists the record. -#}
{% macro to_money(expr) -%}
    cast(case when abs({{ expr }}) < 1e16 then {{ expr }} end as decimal(18, 2))
{%- endmacro %}

{#- Generic test: the values of `source_column` in `source_model` that do not fit the money
    type of the mart column (they are NULL in the mart). -#}
{% test source_fits_money(model, column_name, source_model, source_column) %}
select {{ source_column }} as out_of_range_value
from {{ source_model }}
where abs({{ source_column }}) >= 1e16
{% endtest %}

{#- The SQL type of a KPI's column in the wide marts. kpi_long keeps one DOUBLE value column
    for every KPI (counts, money and rates in one column). -#}
{% macro kpi_data_type(kpi) -%}
    {%- if kpi in count_kpis() -%} bigint
    {%- elif kpi in money_kpis() -%} decimal(18, 2)
    {%- else -%} double precision
    {%- endif -%}
{%- endmacro %}

{% macro count_kpis() -%}
    {{ return(['calls', 'connected_calls', 'emails_sent', 'meetings_held', 'touches',
        'leads_worked', 'leads', 'mqls', 'tossups', 'rejections', 'opportunities', 'proposals',
        'won_deals', 'lost_deals', 'new_customers', 'renewals_due']) }}
{%- endmacro %}

{% macro money_kpis() -%}
    {{ return(['revenue', 'new_business_revenue', 'avg_deal_size']) }}
{%- endmacro %}
