{#- The latest version of every record in an append-only raw table: per `id`, the row with the
    highest `_load_seq` (contracts section 4). Deleted records are kept; staging flags them. -#}
{% macro raw_latest(relation) -%}
    select id, _raw, _cursor, _extracted_at, _run_id, _load_seq
    from (
        select
            raw_rows.*,
            row_number() over (partition by raw_rows.id order by raw_rows._load_seq desc) as _version_rank
        from {{ relation }} as raw_rows
    ) as ranked
    where _version_rank = 1
{%- endmacro %}
