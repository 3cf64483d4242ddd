-- One row per rep with its team (current role, contracts 5.1): every Salesforce User (with its
-- Gong user) and every HubSpot owner (team from its primary team's name, archived owners are
-- inactive). The seed rep_team_mapping maps both role names and HubSpot team names.
with users as (
    select * from {{ ref('stg_salesforce__users') }}
),

roles as (
    select * from {{ ref('stg_salesforce__user_roles') }}
),

team_mapping as (
    select lower({{ clean_text('role_name') }}) as role_key, team
    from {{ ref('rep_team_mapping') }}
),

gong_users as (
    -- several Gong users could share an e-mail; take one deterministically
    select email_normalized, min(gong_user_id) as gong_user_id
    from {{ ref('stg_gong__users') }}
    where email_normalized is not null
    group by 1
),

salesforce_reps as (
select
    users.user_id as rep_id,
    users.user_name as rep_name,
    users.email_normalized,
    users.is_active,
    users.user_role_id,
    roles.role_name,
    team_mapping.team,
    gong_users.gong_user_id
from users
left join roles on users.user_role_id = roles.user_role_id
left join team_mapping on lower({{ clean_text('roles.role_name') }}) = team_mapping.role_key
left join gong_users on users.email_normalized = gong_users.email_normalized
),

owner_teams as (
    -- the primary team, else the first by name
    select owner_id, team_id, team_name
    from (
        select
            owner_id,
            team_id,
            team_name,
            row_number() over (partition by owner_id order by is_primary desc, team_name, team_id) as team_rank
        from {{ ref('stg_hubspot__owner_teams') }}
    ) as ranked
    where team_rank = 1
),

hubspot_reps as (
    select
        owners.owner_id as rep_id,
        owners.owner_name as rep_name,
        owners.email_normalized,
        not owners.is_archived as is_active,
        owner_teams.team_id as user_role_id,
        owner_teams.team_name as role_name,
        team_mapping.team,
        cast(null as {{ dbt.type_string() }}) as gong_user_id
    from {{ ref('stg_hubspot__owners') }} as owners
    left join owner_teams on owners.owner_id = owner_teams.owner_id
    left join team_mapping on lower({{ clean_text('owner_teams.team_name') }}) = team_mapping.role_key
)

select * from salesforce_reps
union all
select * from hubspot_reps
