-- The persons an activity touched: Task/Event WhoId (a Lead or Contact), Gong external
-- parties by e-mail, HubSpot engagements' associated contacts. One row per (activity, person).
with activities as (
    select * from {{ ref('int_activities') }}
),

person_records as (
    select * from {{ ref('int_person_records') }}
),

by_who as (
    select activities.activity_id, person_records.person_key
    from activities
    inner join person_records
        on activities.who_id = person_records.record_id
        and person_records.record_type in ('salesforce_lead', 'salesforce_contact')
),

by_gong_party as (
    select activities.activity_id, person_records.person_key
    from activities
    inner join {{ ref('stg_gong__call_parties') }} as parties
        on activities.gong_call_id = parties.call_id
    inner join person_records
        on parties.email_normalized = person_records.record_id
        and person_records.record_type = 'gong_party'
    where parties.affiliation = 'External'
),

by_hubspot_association as (
    select activities.activity_id, person_records.person_key
    from activities
    inner join {{ ref('stg_hubspot__associations') }} as associations
        on activities.activity_source = 'hubspot_' || associations.from_object_type
        and activities.source_record_id = associations.from_object_id
        and associations.to_object_type = 'contact'
    inner join person_records
        on associations.to_object_id = person_records.record_id
        and person_records.record_type = 'hubspot_contact'
)

select activity_id, person_key from by_who
union
select activity_id, person_key from by_gong_party
union
select activity_id, person_key from by_hubspot_association
