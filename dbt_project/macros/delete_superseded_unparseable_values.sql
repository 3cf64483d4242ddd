{#- Post-hook of int_unparseable_typed_values: remove the rows of record versions that a newer
    landed version supersedes (a corrected value drops out), and every marker row but the
    newest of each raw table. -#}
{% macro delete_superseded_unparseable_values() -%}
    {%- for table in typed_vendor_fields() %}
    {%- set source_name, stream = table.split('__') %}
    {{ delete_superseded_versions(
        source(source_name, table),
        'record_id',
        rows_of="source = '" ~ source_name ~ "' and stream = '" ~ stream ~ "'"
    ) }};
    {%- endfor %}
    delete from {{ this }} as marker
    where marker.record_id is null
        and marker._load_seq < (
            select max(newest._load_seq)
            from {{ this }} as newest
            where newest.record_id is null
                and newest.source = marker.source
                and newest.stream = marker.stream
        )
{%- endmacro %}
