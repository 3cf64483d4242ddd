-- One row per rep (Salesforce User) with its current team (contracts 5.1).
select
    rep_id,
    rep_name,
    email_normalized as rep_email,
    is_active,
    role_name,
    team,
    gong_user_id
from {{ ref('int_reps') }}
