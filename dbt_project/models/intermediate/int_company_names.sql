-- Every company name the sources hold (Marketo lead company, Salesforce Lead Company, Account
-- Name), reduced for matching (NFKC, 株式会社/(株)/㈱/有限会社 removed, no spaces, lower case)
-- and matched to the Salesforce Account with the same reduced name when exactly one has it.
-- The reduced names come from staging (macro normalize_company_name, computed once per record
-- version there: NFKC is the costliest expression of the build).
with reduced as (
    select
        'salesforce_account' as record_type,
        account_id as record_id,
        account_name as company_name,
        account_name_normalized as company_name_normalized
    from {{ ref('stg_salesforce__accounts') }}
    where not is_deleted

    union all

    select 'salesforce_lead', lead_id, company, company_normalized
    from {{ ref('stg_salesforce__leads') }}
    where not is_deleted

    union all

    select 'marketo_lead', marketo_lead_id, company, company_normalized
    from {{ ref('stg_marketo__leads') }}
    where not is_deleted
),

accounts_by_name as (
    select company_name_normalized, min(record_id) as account_id, count(*) as account_count
    from reduced
    where record_type = 'salesforce_account' and company_name_normalized is not null
    group by company_name_normalized
)

select
    reduced.record_type,
    reduced.record_id,
    reduced.company_name,
    reduced.company_name_normalized,
    case when accounts_by_name.account_count = 1 then accounts_by_name.account_id end as matched_account_id
from reduced
left join accounts_by_name
    on reduced.company_name_normalized = accounts_by_name.company_name_normalized
