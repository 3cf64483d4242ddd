{{ config(materialized='table') }}
-- One row per inline association of a deal or engagement (`associations.<type>.results`):
-- from which object to which. Rebuilt whole on every run (it reads four raw tables).
{%- set parents = [('deals', 'deal'), ('calls', 'call'), ('meetings', 'meeting'), ('emails', 'email')] %}
{%- set targets = [('contacts', 'contact'), ('companies', 'company'), ('deals', 'deal')] %}
with
{%- for stream, object_type in parents %}
{{ stream }} as (
    {{ raw_latest(source('hubspot', 'hubspot__' ~ stream)) }}
),
{%- endfor %}

associations as (
    {%- for stream, object_type in parents %}
    {%- set outer_loop = loop %}
    {%- for target_key, target_type in targets if target_key != stream %}
    select
        '{{ object_type }}' as from_object_type,
        id as from_object_id,
        '{{ target_type }}' as to_object_type,
        association->>'id' as to_object_id,
        association->>'type' as association_type
    from (
        select id, {{ json_array_rows("_raw->'associations'->'" ~ target_key ~ "'", 'results') }} as association
        from {{ stream }}
    ) as {{ stream }}_{{ target_key }}
    {{ "union all" if not (outer_loop.last and loop.last) }}
    {%- endfor %}
    {%- endfor %}
)

select distinct
    from_object_type,
    from_object_id,
    to_object_type,
    nullif(trim(to_object_id), '') as to_object_id,
    association_type
from associations
where nullif(trim(to_object_id), '') is not null
