-- E-mail domains of the company's own people: the var internal_email_domains when set, else
-- the domains of the active Salesforce users' and HubSpot owners' addresses, except public
-- mail domains (var public_email_domains: a rep on gmail.com must not make every gmail.com lead internal).
-- Subdomains count too (macro is_internal_email).
{%- set configured = var('internal_email_domains') %}
{%- if configured | length > 0 %}
select domain, 'var internal_email_domains' as origin
from (
    {%- for domain in configured %}
    select cast('{{ domain | lower | replace("'", "''") }}' as {{ dbt.type_string() }}) as domain
    {{- " union all" if not loop.last }}
    {%- endfor %}
) as configured
{%- else %}
select domain, min(origin) as origin
from (
    select {{ email_domain('email_normalized') }} as domain, 'active salesforce users' as origin
    from {{ ref('stg_salesforce__users') }}
    where is_active
    union all
    select {{ email_domain('email_normalized') }}, 'active hubspot owners'
    from {{ ref('stg_hubspot__owners') }}
    where not is_archived
) as user_domains
where domain is not null
    and domain not in (
        {%- for domain in var('public_email_domains') %}'{{ domain | lower }}'{{ ", " if not loop.last }}{% endfor -%}
    )
group by domain
{%- endif %}
