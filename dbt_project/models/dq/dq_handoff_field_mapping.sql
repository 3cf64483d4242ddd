-- Does the org have the fields the seed handoff_field_mapping names? One row per mapping row:
-- how many of the latest records of its source object (Salesforce Lead, HubSpot contact) carry
-- the field at all and how many hold a value in it. A field that no record has (a misspelt or
-- renamed API name, field-level security) silently empties a canonical field, or for
-- tossup_at every handoff: the GX suite dq_handoff_field_mapping blocks publishing and names
-- the field and the seed file to edit. The connectors select every field the describe (the
-- properties API) lists, so each landed record carries every field the org has (null when
-- empty): the latest versions tell, without parsing every record. An object without records
-- (a company without that tool) finds every field.
{%- set sample_size = 1000 %}
with leads as (
    select raw_record as fields
    from {{ ref('stg_salesforce__leads') }}
    where not is_deleted
    order by _load_seq desc
    limit {{ sample_size }}
),

contacts as (
    select properties as fields
    from {{ ref('stg_hubspot__contacts') }}
    where not is_deleted
    order by _load_seq desc
    limit {{ sample_size }}
),

records as (
    select 'Lead' as source_object, fields from leads
    union all
    select 'contact', fields from contacts
),

mapping as (
    select canonical_field, source_object, source_field
    from {{ ref('handoff_field_mapping') }}
),

record_count as (
    select objects.source_object, count(records.source_object) as leads
    from (select 'Lead' as source_object union all select 'contact') as objects
    left join records on objects.source_object = records.source_object
    group by objects.source_object
),

coverage as (
    select
        mapping.canonical_field,
        mapping.source_object,
        sum(case when (records.fields->mapping.source_field) is not null then 1 else 0 end)
            as leads_with_field,
        sum(case when nullif(trim(records.fields->>mapping.source_field), '') is not null then 1 else 0 end)
            as leads_with_value
    from mapping
    inner join records on mapping.source_object = records.source_object
    group by mapping.canonical_field, mapping.source_object
)

select
    mapping.canonical_field,
    mapping.source_object,
    mapping.source_field,
    coalesce(record_count.leads, 0) as leads,
    coalesce(coverage.leads_with_field, 0) as leads_with_field,
    coalesce(coverage.leads_with_value, 0) as leads_with_value,
    coalesce(record_count.leads, 0) = 0 or coalesce(coverage.leads_with_field, 0) > 0 as is_field_found
from mapping
left join record_count on mapping.source_object = record_count.source_object
left join coverage
    on mapping.canonical_field = coverage.canonical_field
    and mapping.source_object = coverage.source_object
