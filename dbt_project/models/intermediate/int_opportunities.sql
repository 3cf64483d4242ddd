-- Every opportunity, whichever CRM holds it: Salesforce Opportunities and HubSpot deals, one
-- row each (deleted ones kept and flagged). HubSpot deals take won / closed from their
-- stage's metadata (int_opportunity_stages: `isClosed` and probability, or the configured
-- won/lost stage ids), never from a label; their close date is `closedate` in the reporting
-- time zone; a renewal is dealtype = var hubspot_renewal_deal_type (Salesforce: Type = var
-- renewal_opportunity_type).
with salesforce as (
    select * from {{ ref('stg_salesforce__opportunities') }}
),

deals as (
    select * from {{ ref('stg_hubspot__deals') }}
),

deal_companies as (
    -- a deal's company: the lowest id when several are associated
    select from_object_id as deal_id, min(to_object_id) as company_id
    from {{ ref('stg_hubspot__associations') }}
    where from_object_type = 'deal' and to_object_type = 'company'
    group by from_object_id
),

stages as (
    select stage_name, is_closed, is_won
    from {{ ref('int_opportunity_stages') }}
    where source_system = 'hubspot'
)

select
    'salesforce' as source_system,
    opportunity_id,
    account_id,
    owner_id,
    opportunity_name,
    opportunity_type,
    coalesce(opportunity_type = '{{ var("renewal_opportunity_type") }}', false) as is_renewal,
    stage_name,
    amount,
    close_date,
    is_closed,
    is_won,
    is_deleted,
    created_at,
    _extracted_at
from salesforce

union all

select
    'hubspot',
    deals.deal_id,
    deal_companies.company_id,
    deals.owner_id,
    deals.deal_name,
    deals.deal_type,
    coalesce(deals.deal_type = '{{ var("hubspot_renewal_deal_type") }}', false),
    deals.stage_id,
    deals.amount,
    {{ reporting_date('deals.close_at') }},
    coalesce(stages.is_closed, false),
    coalesce(stages.is_won, false),
    deals.is_deleted,
    deals.created_at,
    deals._extracted_at
from deals
left join deal_companies on deals.deal_id = deal_companies.deal_id
left join stages on deals.stage_id = stages.stage_name
