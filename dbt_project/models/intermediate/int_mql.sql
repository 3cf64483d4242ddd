-- mql_at per person (domain.md lifecycle): the first time any marketing automation made the
-- person an MQL. Marketo: int_marketo_mql (a Change Data Value to MQL). HubSpot: the contact's
-- `hs_v2_date_entered_marketingqualifiedlead`. A person in both takes the earliest.
with marketo as (
    select person_key, mql_at from {{ ref('int_marketo_mql') }}
),

hubspot as (
    select person_records.person_key, contacts.mql_entered_at as mql_at
    from {{ ref('stg_hubspot__contacts') }} as contacts
    inner join {{ ref('int_person_records') }} as person_records
        on person_records.record_type = 'hubspot_contact'
        and person_records.record_id = contacts.contact_id
    where not contacts.is_deleted and contacts.mql_entered_at is not null
),

unioned as (
    select person_key, mql_at from marketo
    union all
    select person_key, mql_at from hubspot
)

select person_key, min(mql_at) as mql_at
from unioned
group by person_key
