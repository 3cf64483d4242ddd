-- One row per Salesforce User with its team (current role, contracts 5.1) and Gong user.
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
)

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
