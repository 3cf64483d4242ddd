{#- Vendor timestamps (Salesforce `...000+0000`, Marketo `...Z`, Gong `...+09:00`) to UTC
    timestamptz. Both DuckDB and Postgres parse all three forms; anything else is NULL, never
    an error (macro cast_or_null). -#}
{% macro parse_timestamp(text_expr) -%}
    {{ cast_or_null(text_expr, 'timestamptz') }}
{%- endmacro %}

{#- A UTC instant as wall-clock time in the reporting time zone (a timestamp without zone). -#}
{% macro to_reporting_tz(ts_expr) -%}
    ({{ ts_expr }} at time zone '{{ var("reporting_tz") }}')
{%- endmacro %}

{#- The reporting-time-zone calendar date of an instant. -#}
{% macro reporting_date(ts_expr) -%}
    cast({{ to_reporting_tz(ts_expr) }} as date)
{%- endmacro %}

{#- `YYYY-MM` of an instant in the reporting time zone: the month every KPI is cut by. -#}
{% macro reporting_month(ts_expr) -%}
    {{ return(adapter.dispatch('month_string')(to_reporting_tz(ts_expr))) }}
{%- endmacro %}

{#- `YYYY-MM` of a local date or timestamp. -#}
{% macro month_string(local_expr) -%}
    {{ return(adapter.dispatch('month_string')(local_expr)) }}
{%- endmacro %}

{% macro default__month_string(local_expr) -%}
    to_char({{ local_expr }}, 'YYYY-MM')
{%- endmacro %}

{% macro duckdb__month_string(local_expr) -%}
    strftime({{ local_expr }}, '%Y-%m')
{%- endmacro %}

{#- Hours between two instants, fractional. -#}
{% macro hours_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('hours_between')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__hours_between(start_ts, end_ts) -%}
    cast(extract(epoch from ({{ end_ts }} - {{ start_ts }})) / 3600.0 as double precision)
{%- endmacro %}

{% macro duckdb__hours_between(start_ts, end_ts) -%}
    ((epoch({{ end_ts }}) - epoch({{ start_ts }})) / 3600.0)
{%- endmacro %}

{#- Median (interpolating between the middle two values). -#}
{% macro median(expr) -%}
    {{ return(adapter.dispatch('median')(expr)) }}
{%- endmacro %}

{% macro default__median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__median(expr) -%}
    quantile_cont({{ expr }}, 0.5)
{%- endmacro %}
