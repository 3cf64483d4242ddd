{#- HubSpot sends datetimes as ISO-8601 (`2026-03-01T09:15:00.000Z`) or, for some properties and
    API paths, as epoch milliseconds (`1772356500000`): both to UTC timestamptz; anything else
    is NULL, never an error (macro cast_or_null). -#}
{% macro hubspot_ts(text_expr) -%}
    case
        when {{ regex_matches('trim(' ~ text_expr ~ ')', '^[0-9]{11,14}$') }}
            then to_timestamp({{ cast_or_null('trim(' ~ text_expr ~ ')', 'double precision') }} / 1000.0)
        else {{ parse_timestamp("nullif(trim(" ~ text_expr ~ "), '')") }}
    end
{%- endmacro %}

{#- A HubSpot datetime property of a record (`_raw->'properties'`). -#}
{% macro hubspot_prop_ts(key) -%}
    {{ hubspot_ts(json_string("_raw->'properties'", key)) }}
{%- endmacro %}

{#- A HubSpot property as text (blank is NULL). -#}
{% macro hubspot_prop(key) -%}
    {{ json_text("_raw->'properties'", key) }}
{%- endmacro %}

{#- Epoch-millisecond text as an ISO text the other models' parse_timestamp reads, other text
    unchanged (handoff fields keep their raw text until int_handoffs_validated). -#}
{% macro hubspot_ts_text(text_expr) -%}
    case
        when {{ regex_matches('trim(' ~ text_expr ~ ')', '^[0-9]{11,14}$') }}
            then cast({{ hubspot_ts(text_expr) }} as {{ dbt.type_string() }})
        else {{ text_expr }}
    end
{%- endmacro %}
