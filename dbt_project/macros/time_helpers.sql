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

{#- The first day of the reporting week holding a local date (weeks start on var
    week_start_day, default monday). -#}
{% macro week_start(date_expr) -%}
    {%- set weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] -%}
    {%- set day = var('week_start_day') | string | lower -%}
    {#- a wrong value is reported by validate_vars at run start, not as a parse error here -#}
    {%- set first_day = weekdays.index(day) + 1 if day in weekdays else 1 -%}
    cast(({{ date_expr }}) - cast((cast(extract(isodow from ({{ date_expr }})) as integer) - {{ first_day }} + 7) % 7 as integer) as date)
{%- endmacro %}

{#- The first day of the month holding a local date. -#}
{% macro month_start(date_expr) -%}
    cast(date_trunc('month', {{ date_expr }}) as date)
{%- endmacro %}

{#- `local_date, month_start, week_start` of a local date: the periods KPIs are cut by. -#}
{% macro period_columns(date_expr) -%}
    {{ date_expr }} as local_date,
    {{ month_start(date_expr) }} as month_start,
    {{ week_start(date_expr) }} as week_start
{%- endmacro %}

{#- The first day of the fiscal year holding a month start (var fiscal_year_start_month). -#}
{% macro fiscal_year_start(month_start_expr) -%}
    {%- set first_month = var('fiscal_year_start_month') | int -%}
    cast({{ dbt.dateadd('month',
        '-((cast(extract(month from ' ~ month_start_expr ~ ') as integer) - ' ~ first_month ~ ' + 12) % 12)',
        month_start_expr) }} as date)
{%- endmacro %}
