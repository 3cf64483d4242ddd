{#- dbt's adapters return a naive timestamp here, while our snapshots' updated_at columns (and so
    their dbt_valid_from/to) are timestamptz: dbt warned on every build, and a time written by
    the snapshot itself (hard deletes) would be read in the session's time zone. Keep it timestamptz. -#}
{% macro duckdb__snapshot_get_time() -%}
    {{ current_timestamp() }}
{%- endmacro %}

{% macro postgres__snapshot_get_time() -%}
    {{ current_timestamp() }}
{%- endmacro %}
