-- One row per Salesforce Account and HubSpot company (not deleted), with the normalised
-- company name used to match 株式会社サンプル / (株)サンプル / ｻﾝﾌﾟﾙ, and its customer status.
with accounts as (
    select
        account_id, account_name, account_name_normalized, owner_id, account_type, industry, created_at
    from {{ ref('stg_salesforce__accounts') }}
    where not is_deleted

    union all

    select
        company_id, company_name, company_name_normalized, owner_id, lifecycle_stage, industry, created_at
    from {{ ref('stg_hubspot__companies') }}
    where not is_deleted
),

reps as (
    select rep_id, rep_name from {{ ref('int_reps') }}
),

won as (
    select account_id, min(close_date) as first_won_close_date, count(*) as won_opportunity_count
    from {{ ref('int_opportunities') }}
    where not is_deleted and is_won
    group by account_id
)

select
    accounts.account_id,
    accounts.account_name,
    accounts.account_name_normalized,
    accounts.owner_id as owner_rep_id,
    reps.rep_name as owner_rep_name,
    accounts.account_type,
    accounts.industry,
    accounts.created_at,
    won.first_won_close_date,
    cast(coalesce(won.won_opportunity_count, 0) as bigint) as won_opportunity_count,
    won.account_id is not null as is_customer
from accounts
left join won on accounts.account_id = won.account_id
left join reps on accounts.owner_id = reps.rep_id
