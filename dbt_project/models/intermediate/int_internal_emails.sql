-- The company's own people's e-mail addresses: every Salesforce user (active or not), every
-- Gong user and every HubSpot owner (archived or not). They are never persons of the funnel, whatever a tool's affiliation flag says
-- (domain.md "Internal people are never leads"); see also int_internal_domains.
select email_normalized, min(origin) as origin
from (
    select email_normalized, 'salesforce_user' as origin
    from {{ ref('stg_salesforce__users') }}
    where email_normalized is not null
    union all
    select email_normalized, 'gong_user'
    from {{ ref('stg_gong__users') }}
    where email_normalized is not null
    union all
    select email_normalized, 'hubspot_owner'
    from {{ ref('stg_hubspot__owners') }}
    where email_normalized is not null
) as addresses
group by email_normalized
