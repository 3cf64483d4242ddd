-- Who owned each HubSpot contact around its toss-up (hubspot-contract 3, the handoff pattern
-- "owner change at SQL"): the owner in force just before `hs_v2_date_entered_salesqualifiedlead`
-- (the sender), the first owner set at or after it (the receiver; unchanged = the same rep,
-- full cycle), and the person's lead owner for cohort KPIs: the owner before SQL, else the
-- current owner. From `propertiesWithHistory.hubspot_owner_id`; a contact without history
-- falls back to its current owner.
with contacts as (
    select contact_id, owner_id, sql_entered_at
    from {{ ref('stg_hubspot__contacts') }}
    where not is_deleted
),

history as (
    select contact_id, owner_id, changed_at
    from {{ ref('stg_hubspot__contact_owner_history') }}
    where changed_at is not null
),

before_sql as (
    select contact_id, owner_id
    from (
        select
            history.contact_id,
            history.owner_id,
            row_number() over (
                partition by history.contact_id order by history.changed_at desc, history.owner_id
            ) as change_rank
        from history
        inner join contacts on history.contact_id = contacts.contact_id
        where history.changed_at < contacts.sql_entered_at
    ) as ranked
    where change_rank = 1
),

after_sql as (
    select contact_id, owner_id
    from (
        select
            history.contact_id,
            history.owner_id,
            row_number() over (
                partition by history.contact_id order by history.changed_at, history.owner_id
            ) as change_rank
        from history
        inner join contacts on history.contact_id = contacts.contact_id
        where history.changed_at >= contacts.sql_entered_at
            and nullif(trim(history.owner_id), '') is not null
    ) as ranked
    where change_rank = 1
)

select
    contacts.contact_id,
    contacts.owner_id as current_owner_id,
    contacts.sql_entered_at,
    nullif(trim(before_sql.owner_id), '') as owner_before_sql_id,
    coalesce(after_sql.owner_id, nullif(trim(before_sql.owner_id), '')) as owner_after_sql_id,
    case
        when contacts.sql_entered_at is not null
            then coalesce(nullif(trim(before_sql.owner_id), ''), contacts.owner_id)
        else contacts.owner_id
    end as lead_owner_id
from contacts
left join before_sql on contacts.contact_id = before_sql.contact_id
left join after_sql on contacts.contact_id = after_sql.contact_id
