{#- Small JSON helpers. `->` and `->>` behave the same on DuckDB (JSON) and Postgres (JSONB);
    what differs is turning a JSON array into rows and reading typed scalars. -#}

{#- Text of a JSON field; blank strings become NULL so "empty" means one thing everywhere. -#}
{% macro json_text(json_expr, key) -%}
    nullif(trim({{ json_expr }}->>'{{ key }}'), '')
{%- endmacro %}

{% macro json_bool(json_expr, key) -%}
    (lower({{ json_expr }}->>'{{ key }}') = 'true')
{%- endmacro %}

{#- Typed reads never fail: a value that does not parse is NULL (macro cast_or_null) and is
    listed in dq_unparseable_values when the field is in typed_vendor_fields. -#}
{% macro json_number(json_expr, key) -%}
    {{ cast_or_null("nullif(trim(" ~ json_expr ~ "->>'" ~ key ~ "'), '')", 'double precision') }}
{%- endmacro %}

{% macro json_ts(json_expr, key) -%}
    {{ parse_timestamp("nullif(trim(" ~ json_expr ~ "->>'" ~ key ~ "'), '')") }}
{%- endmacro %}

{% macro json_date(json_expr, key) -%}
    {{ cast_or_null("nullif(trim(" ~ json_expr ~ "->>'" ~ key ~ "'), '')", 'date') }}
{%- endmacro %}

{#- One row per element of the JSON array `json_expr -> key`, used in a select list. -#}
{% macro json_array_rows(json_expr, key) -%}
    {{ return(adapter.dispatch('json_array_rows')(json_expr, key)) }}
{%- endmacro %}

{#- Anything but an array (missing, null, an object, a string) gives no rows instead of an
    error; DuckDB's `[*]` path behaves that way already. -#}
{% macro default__json_array_rows(json_expr, key) -%}
    jsonb_array_elements(case
        when jsonb_typeof({{ json_expr }}->'{{ key }}') = 'array' then {{ json_expr }}->'{{ key }}'
        else '[]'::jsonb
    end)
{%- endmacro %}

{% macro duckdb__json_array_rows(json_expr, key) -%}
    unnest(coalesce(json_extract({{ json_expr }}, '$.{{ key }}[*]'), []::json[]))
{%- endmacro %}
