{#- The latest version of every record in an append-only raw table: per `id`, the row with the
    highest `_load_seq` (contracts section 4). Deleted records are kept; staging flags them.
    In an incremental model only the versions landed since its last build are read: `_load_seq`
    only grows within a raw table, so they are exactly the rows above the model's highest one,
    and delete+insert on the record's key replaces the versions they supersede. `also_ids`: a
    query of the ids to read again although no new version landed (a flag set from another
    stream changed); used only in incremental runs, so it may name CTEs that exist only then. -#}
{% macro raw_latest(relation, also_ids=none) -%}
    {#- The latest `_load_seq` per id from the narrow columns, then the wide rows filtered by
        it. `_load_seq` is unique within a raw table, so the set of each id's highest one names
        exactly the latest rows, and a semi-join builds its hash table on that set of integers
        alone. A window over whole rows sorted every `_raw` payload and an inner join on
        (id, _load_seq) could build on the wide side: both ran out of memory at 1M leads. #}
    select raw_rows.id, raw_rows._raw, raw_rows._cursor, raw_rows._extracted_at,
        raw_rows._run_id, raw_rows._load_seq {{- raw_fields_column('raw_rows._raw') }}
    from {{ relation }} as raw_rows
    where raw_rows._load_seq in (
        select max(_load_seq)
        from {{ relation }} as raw_rows
        {{- _raw_latest_filter(also_ids) }}
        group by id
    )
    {{- _raw_latest_filter(also_ids, 'and') }}
{%- endmacro %}


{#- The versions an incremental build reads (in the semi-join's set and in the wide scan, so
    the scan skips what was built already). A unit test has no `this`: is_incremental() would
    fail there. -#}
{% macro _raw_latest_filter(also_ids, keyword='where') -%}
    {%- if model.config.materialized == 'incremental' and is_incremental() %}
    {{ keyword }} (raw_rows._load_seq > (select coalesce(max(_load_seq), 0) from {{ this }})
        {%- if also_ids %}
        or raw_rows.id in ({{ also_ids }})
        {%- endif %})
    {%- endif %}
{%- endmacro %}


{#- Pre-hook of an incremental model with several rows per raw record (an unnested array):
    the rows of every record with a version landed since the model's last build go first, and
    the build inserts the new version's rows (none when its array is empty). Only those ids are
    read: a range on the raw table's `_load_seq`, which DuckDB answers from its zone maps (the
    post-hook below groups the whole raw table by id: ~9 M Marketo activities at 1M leads). -#}
{% macro delete_replaced_versions(relation, key_column) -%}
    {%- if is_incremental() %}
    delete from {{ this }}
    where {{ key_column }} in (
        select id from {{ relation }}
        where _load_seq > (select coalesce(max(_load_seq), 0) from {{ this }})
    )
    {%- endif %}
{%- endmacro %}


{#- Post-hook of an incremental model with several rows per raw record (one per bad field):
    delete+insert replaces a record's rows only when its new version still has some, so rows
    of a version that a newer one superseded are removed here. `rows_of`: a predicate on the
    model's rows when only some of them come from `relation` (then only the raw rows of the
    records those rows name are read: few, where the model lists problems). -#}
{% macro delete_superseded_versions(relation, key_column, rows_of=none) -%}
    delete from {{ this }} as target
    using (
        select id, max(_load_seq) as latest_load_seq
        from {{ relation }}
        {%- if rows_of %}
        where id in (select {{ key_column }} from {{ this }} where {{ rows_of }})
        {%- endif %}
        group by id
    ) as latest
    where {{ "(" ~ rows_of ~ ") and" if rows_of }}
        target.{{ key_column }} = latest.id
        and target._load_seq < latest.latest_load_seq
{%- endmacro %}
