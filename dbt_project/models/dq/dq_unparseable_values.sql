-- Every vendor value that staging could not type: one row per (record, field) whose text does
-- not parse as the field's type (macro typed_vendor_fields), plus the datetime handoff fields
-- the seed handoff_field_mapping points at. Staging reads such a value as NULL instead of
-- failing the build; this table says which ones, so they are fixed in the vendor app.
-- Only the latest version of each record counts (a corrected value drops out).
{%- set registry = typed_vendor_fields() %}
{%- set mapped_datetime_fields = ['tossup_at', 'next_meeting_at'] %}

with
{%- for table, fields in registry.items() %}
{%- set relation = source(table.split('__')[0], table) %}
-- Bad values are rare: find the versions holding one first, then keep those that are the
-- latest version of their record. Ranking every version first (raw_latest) sorted the whole
-- raw table with its JSON and was the slowest model of the build.
{{ table }}_candidates as (
    select
        id,
        _extracted_at,
        _load_seq,
        {%- for path, type_name, column in fields %}
        {{ unparseable_text('_raw', path, type_name) }} as bad_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
),

{{ table }}_bad as (
    select candidates.*
    from {{ table }}_candidates as candidates
    inner join (
        select id, max(_load_seq) as _load_seq
        from {{ relation }}
        group by id
    ) as latest
        on candidates.id = latest.id and candidates._load_seq = latest._load_seq
    where {% for field in fields %}candidates.bad_{{ loop.index }} is not null{{ " or " if not loop.last }}{% endfor %}
),
{%- endfor %}

handoff_mapping as (
    select canonical_field, source_field
    from {{ ref('handoff_field_mapping') }}
    where source_object = 'Lead'
        and canonical_field in ('{{ mapped_datetime_fields | join("', '") }}')
),

mapped_handoff_bad as (
    select
        leads.id,
        leads._extracted_at,
        handoff_mapping.canonical_field,
        handoff_mapping.source_field,
        nullif(trim(leads._raw->>handoff_mapping.source_field), '') as field_text
    from ({{ raw_latest(source('salesforce', 'salesforce__lead')) }}) as leads
    cross join handoff_mapping
),

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
        bad._extracted_at
    from {{ table }}_bad as bad
    cross join (
        {%- for path, type_name, column in fields %}
        select {{ loop.index }} as field_number, '{{ path }}' as vendor_field,
            '{{ column }}' as column_name, '{{ type_name }}' as expected_type
        {{- " union all" if not loop.last }}
        {%- endfor %}
    ) as field
    union all
    {%- endfor %}
    select
        'salesforce',
        'lead',
        id,
        source_field,
        canonical_field,
        'timestamptz',
        field_text,
        _extracted_at
    from mapped_handoff_bad
    where field_text is not null and {{ cast_or_null('field_text', 'timestamptz') }} is null
)

-- distinct: the default mapping points tossup_at at Tossup_Date__c, which stg_salesforce__leads
-- types too; one row per value.
select distinct
    source,
    stream,
    record_id,
    vendor_field,
    column_name,
    expected_type,
    bad_value,
    _extracted_at
from unpivoted
where bad_value is not null
