{#- Small JSON helpers. `->` and `->>` behave the same on DuckDB (JSON) and Postgres (JSONB);
    what differs is turning a JSON array into rows and reading typed scalars. -#}

{#- Text of a JSON field; blank strings become NULL so "empty" means one thing everywhere. -#}
{% macro json_text(json_expr, key) -%}
    nullif(trim({{ json_string(json_expr, key) }}), '')
{%- endmacro %}

{% macro json_bool(json_expr, key) -%}
    (lower({{ json_string(json_expr, key) }}) = 'true')
{%- endmacro %}

{#- Typed reads never fail: a value that does not parse is NULL (macro cast_or_null) and is
    listed in dq_unparseable_values when the field is in typed_vendor_fields. -#}
{% macro json_number(json_expr, key) -%}
    {{ cast_or_null("nullif(trim(" ~ json_string(json_expr, key) ~ "), '')", 'double precision') }}
{%- endmacro %}

{% macro json_ts(json_expr, key) -%}
    {{ parse_timestamp("nullif(trim(" ~ json_string(json_expr, key) ~ "), '')") }}
{%- endmacro %}

{% macro json_date(json_expr, key) -%}
    {{ cast_or_null("nullif(trim(" ~ json_string(json_expr, key) ~ "), '')", 'date') }}
{%- endmacro %}

{#- The text of a JSON field as it is (`->>`): strings unquoted, anything else as JSON text. -#}
{% macro json_string(json_expr, key) -%}
    {{ return(adapter.dispatch('json_string')(json_expr, key)) }}
{%- endmacro %}

{% macro default__json_string(json_expr, key) -%}
    {{ json_expr }}->>'{{ key }}'
{%- endmacro %}

{#- DuckDB stores JSON as text and parses the document again for every `->>`: thirty fields of
    a record were thirty parses, each holding its own buffer per thread (a staging model of
    48k leads ran out of 400 MB). In a model whose source is `raw_latest`, the fields its
    helpers read from `_raw` (or `_raw->'parent'`) are parsed once into the struct
    `_raw_fields` (macro raw_fields_column), and read from there. -#}
{% macro duckdb__json_string(json_expr, key) -%}
    {%- set found = modules.re.match("^(source\.)?_raw(?:->'(\w+)')?$", json_expr) -%}
    {%- if found and _reads_raw_latest() -%}
        {{ found.group(1) or '' }}_raw_fields.{{ '"' ~ found.group(2) ~ '".' if found.group(2) }}"{{ key }}"
    {%- else -%}
        {{ json_expr }}->>'{{ key }}'
    {%- endif -%}
{%- endmacro %}

{% macro _reads_raw_latest() -%}
    {{ return(model is mapping and 'raw_latest(' in (model.get('raw_code') or '')) }}
{%- endmacro %}

{#- `, json_transform(...) as _raw_fields`: the struct of every `_raw` field the model's JSON
    helpers read (found in its code), each as text; empty on other adapters. -#}
{% macro raw_fields_column(json_expr) -%}
    {{ return(adapter.dispatch('raw_fields_column')(json_expr)) }}
{%- endmacro %}

{% macro default__raw_fields_column(json_expr) -%}
{%- endmacro %}

{% macro duckdb__raw_fields_column(json_expr) -%}
    {%- set pattern -%}
json_(?:text|bool|number|ts|date|string)\(\s*["'](?:source\.)?_raw(?:->'(\w+)')?["']\s*,\s*["'](\w+)["']
    {%- endset -%}
    {%- set paths = [] -%}
    {%- for parent, key in modules.re.findall(pattern | trim, model.get('raw_code') or '') -%}
        {%- do paths.append((parent ~ '.' ~ key if parent else key, 'VARCHAR')) -%}
    {%- endfor -%}
    {#- HubSpot properties read through macro hubspot_prop / hubspot_prop_ts -#}
    {%- for key in modules.re.findall("hubspot_prop(?:_ts)?\(\s*[\"'](\w+)[\"']", model.get('raw_code') or '') -%}
        {%- do paths.append(('properties.' ~ key, 'VARCHAR')) -%}
    {%- endfor -%}
    {%- if paths -%}
        , {{ duckdb_json_transform(json_expr, paths) }} as _raw_fields
    {%- endif -%}
{%- endmacro %}

{#- `json_transform(json_expr, spec)`: DuckDB parses the document once and returns a struct of
    the `(dotted path, type)` pairs of `paths`, nested for `a.b`. A field read both as a value
    and as an object is a compile error. -#}
{% macro duckdb_json_transform(json_expr, paths) -%}
    {%- set spec = {} -%}
    {%- for path, type_name in paths -%}
        {%- set node = namespace(value=spec) -%}
        {%- for key in path.split('.') -%}
            {%- set existing = node.value.get(key) -%}
            {%- if (existing is string and not loop.last) or (existing is mapping and loop.last) -%}
                {{ exceptions.raise_compiler_error("JSON field " ~ path ~ " is read both as a value and as an object") }}
            {%- endif -%}
            {%- if loop.last -%}
                {%- do node.value.update({key: type_name}) -%}
            {%- else -%}
                {%- set node.value = node.value.setdefault(key, {}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    json_transform({{ json_expr }}, '{{ tojson(spec) }}')
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
