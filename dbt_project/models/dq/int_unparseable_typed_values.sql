{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        post_hook="{{ delete_superseded_unparseable_values() }}"
    )
}}
-- The scan behind dq_unparseable_values: per raw table, the record versions landed since the
-- last build (above the table's marker row) whose typed fields (macro typed_vendor_fields) do
-- not parse, one row per (version, field), plus one marker row per table (record_id NULL)
-- holding the highest _load_seq scanned. The post-hook drops rows of versions a newer one
-- superseded and all but the newest marker, so the table keeps latest versions only.
{%- set registry = typed_vendor_fields() %}

with
{%- for table, fields in registry.items() %}
{%- set source_name, stream = table.split('__') %}
{{ table }}_scanned as (
    select id, {{ typed_fields_only('_raw', fields) }} as _raw, _extracted_at, _load_seq
    from {{ source(source_name, table) }}
    {%- if is_incremental() %}
    where _load_seq > (
        select coalesce(max(_load_seq), 0)
        from {{ this }}
        where source = '{{ source_name }}' and stream = '{{ stream }}' and record_id is null
    )
    {%- endif %}
),

-- Bad values are rare: find the versions holding one first, then keep the latest of each
-- record among them (ranking every version sorted the whole raw table with its JSON).
{{ table }}_candidates as (
    select
        id,
        _extracted_at,
        _load_seq,
        {%- for path, type_name, column in fields %}
        {{ unparseable_text('_raw', path, type_name) }} as bad_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ table }}_scanned
),

{{ table }}_bad as (
    select candidates.*
    from {{ table }}_candidates as candidates
    inner join (
        select id, max(_load_seq) as _load_seq
        from {{ table }}_scanned
        group by id
    ) as latest
        on candidates.id = latest.id and candidates._load_seq = latest._load_seq
    where {% for field in fields %}candidates.bad_{{ loop.index }} is not null{{ " or " if not loop.last }}{% endfor %}
),
{%- endfor %}

unpivoted as (
    {%- for table, fields in registry.items() %}
    {%- set source_name, stream = table.split('__') %}
    select
        '{{ source_name }}' as source,
        '{{ stream }}' as stream,
        bad.id as record_id,
        field.vendor_field,
        field.column_name,
        field.expected_type,
        case field.field_number
            {%- for path, type_name, column in fields %}
            when {{ loop.index }} then bad.bad_{{ loop.index }}
            {%- endfor %}
        end as bad_value,
        bad._extracted_at,
        bad._load_seq
    from {{ table }}_bad as bad
    cross join (
        {%- for path, type_name, column in fields %}
        select {{ loop.index }} as field_number, '{{ path }}' as vendor_field,
            '{{ column }}' as column_name, '{{ type_name }}' as expected_type
        {{- " union all" if not loop.last }}
        {%- endfor %}
    ) as field
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

markers as (
    {%- for table in registry %}
    {%- set source_name, stream = table.split('__') %}
    select
        '{{ source_name }}' as source,
        '{{ stream }}' as stream,
        max(_load_seq) as _load_seq
    from {{ table }}_scanned
    having count(*) > 0
    {{ "union all" if not loop.last }}
    {%- endfor %}
)

select
    source,
    stream,
    record_id,
    vendor_field,
    column_name,
    expected_type,
    bad_value,
    _extracted_at,
    _load_seq
from unpivoted
where bad_value is not null

union all

select
    source,
    stream,
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_timestamp() }}),
    _load_seq
from markers
