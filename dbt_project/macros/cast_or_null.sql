{#- Casts of vendor values that yield NULL instead of failing the build.

    A record that lands (id and cursor parse) can still carry "not a date" in a datetime field
    or "abc" in an Amount. A plain cast would stop `dbt build` and with it the whole pipeline;
    `cast_or_null` gives NULL and the model `dq_unparseable_values` lists every such value.

    DuckDB: `try_cast`. Postgres (before 16) has no try_cast: the functions below, created by
    the on-run-start hook, cast inside an exception block. Postgres also accepts the special
    words now/today/epoch/infinity... as datetimes, DuckDB does not: they are NULL on both, so
    the two targets agree. -#}

{#- Type name -> suffix of the Postgres helper function. -#}
{% macro cast_or_null_types() -%}
    {{ return({
        'double precision': 'double',
        'integer': 'integer',
        'date': 'date',
        'timestamptz': 'timestamptz',
    }) }}
{%- endmacro %}

{% macro cast_or_null(text_expr, type_name) -%}
    {%- if type_name not in cast_or_null_types() -%}
        {{ exceptions.raise_compiler_error("cast_or_null: unsupported type '" ~ type_name ~ "'") }}
    {%- endif -%}
    {{ return(adapter.dispatch('cast_or_null')(text_expr, type_name)) }}
{%- endmacro %}

{% macro duckdb__cast_or_null(text_expr, type_name) -%}
    try_cast({{ text_expr }} as {{ type_name }})
{%- endmacro %}

{% macro default__cast_or_null(text_expr, type_name) -%}
    {{ target.schema }}.try_cast_{{ cast_or_null_types()[type_name] }}(cast({{ text_expr }} as text))
{%- endmacro %}

{#- on-run-start: the Postgres helpers (nothing to do on DuckDB). -#}
{% macro create_cast_or_null_functions() -%}
    {{ return(adapter.dispatch('create_cast_or_null_functions')()) }}
{%- endmacro %}

{% macro duckdb__create_cast_or_null_functions() -%}
    select 1
{%- endmacro %}

{% macro default__create_cast_or_null_functions() -%}
    create schema if not exists {{ target.schema }};
    {%- for type_name, suffix in cast_or_null_types().items() %}
    create or replace function {{ target.schema }}.try_cast_{{ suffix }}(value text)
    returns {{ type_name }}
    language plpgsql stable strict parallel safe
    as $fn$
    begin
        {%- if type_name in ('date', 'timestamptz') %}
        if value ~* '^\s*[-+]?(now|today|tomorrow|yesterday|epoch|infinity|allballs)\s*$' then
            return null;
        end if;
        {%- endif %}
        return cast(value as {{ type_name }});
    exception when data_exception then
        return null;
    end
    $fn$;
    {%- endfor %}
{%- endmacro %}
