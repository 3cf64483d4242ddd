{#- Custom schemas are used as-is (staging, intermediate, marts, seeds): other parts of the
    pipeline read `marts.kpi_monthly_long` by that exact name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
