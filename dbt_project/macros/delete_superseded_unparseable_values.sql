{#- Post-hook of int_unparseable_typed_values: remove the rows of record versions that a newer
    landed version supersedes (a corrected value drops out), and every marker row but the
    newest of each raw table. Reads only the raw rows of the records listed. -#}
{% macro delete_superseded_unparseable_values() -%}
    {%- for table in typed_vendor_fields() %}
    {%- set source_name, stream = table.split('__') %}
    delete from {{ this }} as listed
    using (
        select id, max(_load_seq) as latest_load_seq
        from {{ source(source_name, table) }}
        where id in (
            select record_id from {{ this }}
            where source = '{{ source_name }}' and stream = '{{ stream }}'
        )
        group by id
    ) as latest
    where listed.source = '{{ source_name }}'
        and listed.stream = '{{ stream }}'
        and listed.record_id = latest.id
        and listed._load_seq < latest.latest_load_seq;
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
