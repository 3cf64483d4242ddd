-- mql_at per person: first Marketo "Change Data Value" (type 13) on Lead Status to MQL.
with activities as (
    select * from {{ ref('stg_marketo__activities') }}
    where activity_type_id = {{ var('mql_activity_type_id') }}
      and primary_attribute_value = '{{ var("mql_field_name") }}'
),

new_values as (
    select activity_id, attribute_value as new_value
    from {{ ref('stg_marketo__activity_attributes') }}
    where attribute_name = 'New Value'
),

persons as (
    select record_id as marketo_lead_id, person_key
    from {{ ref('int_person_records') }}
    where record_type = 'marketo_lead'
)

select
    persons.person_key,
    min(activities.activity_at) as mql_at
from activities
inner join new_values on activities.activity_id = new_values.activity_id
inner join persons on activities.marketo_lead_id = persons.marketo_lead_id
where new_values.new_value = '{{ var("mql_status_value") }}'
group by 1
