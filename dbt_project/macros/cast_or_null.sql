{#- Casts of vendor values that yield NULL instead of failing the build.

    A record that lands (id and cursor parse) can still carry "not a date" in a datetime field
    or "abc" in an Amount. A plain cast would stop `dbt build` and with it the whole pipeline;
    `cast_or_null` gives NULL and the model `dq_unparseable_values` lists every such value.

    DuckDB: `try_cast`. Postgres has no try_cast: the functions below, created by the
    on-run-start hook, check the input first (16+) or cast inside an exception block (15-). Postgres also accepts the special
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

{#- Parallel plans (a big table, or debug_parallel_query) run the functions in parallel mode,
    where PostgreSQL cannot start a subtransaction, and an EXCEPTION block is one: a function
    with one must be PARALLEL UNSAFE. So the server picks the body once, at creation:
    - PostgreSQL 16+: pg_input_is_valid (soft input errors, no subtransaction) decides, then the
      cast runs; PARALLEL SAFE. PL/pgSQL, not an SQL function: the planner would inline that
      and fold the cast of a constant argument before the check ("1.0" fails at plan time).
      Same result as the cast inside an exception block (tests/dbt/test_postgres_parallel.py).
    - PostgreSQL 15 and older have no error-free input check, and a regular expression cannot
      reproduce the date parser: the exception block stays, declared PARALLEL UNSAFE, so the
      queries that use it are planned without workers (correct, slower). -#}
{% macro default__create_cast_or_null_functions() -%}
    create schema if not exists {{ target.schema }};
    do $create_cast_or_null$
    begin
    {%- for type_name, suffix in cast_or_null_types().items() %}
    {%- set special_words -%}
        {%- if type_name in ('date', 'timestamptz') -%}
        value !~* '^\s*[-+]?(now|today|tomorrow|yesterday|epoch|infinity|allballs)\s*$' and
        {%- endif -%}
    {%- endset %}
    if current_setting('server_version_num')::integer >= 160000 then
        create or replace function {{ target.schema }}.try_cast_{{ suffix }}(value text)
        returns {{ type_name }}
        language plpgsql stable strict parallel safe
        as $fn$
        begin
            if {{ special_words }} pg_input_is_valid(value, '{{ type_name }}') then
                return cast(value as {{ type_name }});
            end if;
            return null;
        end
        $fn$;
    else
        create or replace function {{ target.schema }}.try_cast_{{ suffix }}(value text)
        returns {{ type_name }}
        language plpgsql stable strict parallel unsafe
        as $fn$
        begin
            {%- if special_words %}
            if not ({{ special_words }} true) then
                return null;
            end if;
            {%- endif %}
            return cast(value as {{ type_name }});
        exception when data_exception then
            return null;
        end
        $fn$;
    end if;
    {%- endfor %}
    end
    $create_cast_or_null$;
{%- endmacro %}
