-- Does the org have the fields the seed handoff_field_mapping names? One row per mapping row:
-- how many of the latest Lead versions carry the field at all and how many hold a value in
-- it. A field that no Lead has (a misspelt or renamed API name, field-level security) silently
-- empties a canonical field, or for tossup_at every handoff: the GX suite
-- dq_handoff_field_mapping blocks publishing and names the field and the seed file to edit.
-- The connector selects every field the describe lists, so each landed Lead carries every
-- field the org has (null when empty): the latest versions tell, without parsing every Lead.
{%- set sample_size = 1000 %}
with leads as (
    select raw_record
    from {{ ref('stg_salesforce__leads') }}
    where not is_deleted
    order by _load_seq desc
    limit {{ sample_size }}
),

mapping as (
    select canonical_field, source_object, source_field
    from {{ ref('handoff_field_mapping') }}
),

lead_count as (
    select count(*) as leads from leads
),

coverage as (
    select
        mapping.canonical_field,
        sum(case when (leads.raw_record->mapping.source_field) is not null then 1 else 0 end)
            as leads_with_field,
        sum(case when nullif(trim(leads.raw_record->>mapping.source_field), '') is not null then 1 else 0 end)
            as leads_with_value
    from mapping
    cross join leads
    group by mapping.canonical_field
)

select
    mapping.canonical_field,
    mapping.source_object,
    mapping.source_field,
    lead_count.leads,
    coalesce(coverage.leads_with_field, 0) as leads_with_field,
    coalesce(coverage.leads_with_value, 0) as leads_with_value,
    lead_count.leads = 0 or coalesce(coverage.leads_with_field, 0) > 0 as is_field_found
from mapping
cross join lead_count
left join coverage on mapping.canonical_field = coverage.canonical_field
