-- Every vendor value that staging could not type: one row per (record, field) whose text does
-- not parse as the field's type (macro typed_vendor_fields, scanned incrementally by
-- int_unparseable_typed_values), plus the datetime handoff fields the seed
-- handoff_field_mapping points at (read here from the latest Lead versions, so a changed
-- mapping applies at once). Staging reads such a value as NULL instead of failing the build;
-- this table says which ones, so they are fixed in the vendor app. Only the latest version of
-- each record counts (a corrected value drops out).
{%- set mapped_datetime_fields = ['tossup_at', 'next_meeting_at'] %}

with typed_bad as (
    select source, stream, record_id, vendor_field, column_name, expected_type, bad_value, _extracted_at
    from {{ ref('int_unparseable_typed_values') }}
    where record_id is not null
),

handoff_mapping as (
    select canonical_field, source_field
    from {{ ref('handoff_field_mapping') }}
    where source_object = 'Lead'
        and canonical_field in ('{{ mapped_datetime_fields | join("', '") }}')
),

leads as (
    select lead_id, raw_record, _extracted_at
    from {{ ref('stg_salesforce__leads') }}
),

mapped_handoff_values as (
    select
        leads.lead_id,
        leads._extracted_at,
        handoff_mapping.canonical_field,
        handoff_mapping.source_field,
        nullif(trim(leads.raw_record->>handoff_mapping.source_field), '') as field_text
    from leads
    cross join handoff_mapping
),

unpivoted as (
    select * from typed_bad
    union all
    select
        'salesforce',
        'lead',
        lead_id,
        source_field,
        canonical_field,
        'timestamptz',
        field_text,
        _extracted_at
    from mapped_handoff_values
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
