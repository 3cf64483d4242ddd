{#- Business settings are checked once at the start of every dbt run (on-run-start), so a
    wrong value stops the run with a message naming the var instead of wrong numbers. -#}
{% macro validate_vars() -%}
    {%- set problems = [] -%}
    {%- set weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] -%}
    {%- if var('week_start_day') | string | lower not in weekdays -%}
        {%- do problems.append("week_start_day must be one of " ~ weekdays | join(', ') ~ ", not " ~ var('week_start_day')) -%}
    {%- endif -%}
    {%- for name, low, high in [('fiscal_year_start_month', 1, 12), ('handoff_sla_hours', 0, 100000),
        ('connected_call_seconds', 0, 86400), ('qualified_bant_min', 0, 4),
        ('call_match_window_minutes', 0, 1440)] -%}
        {%- set value = var(name) -%}
        {%- if value is not number or value < low or value > high -%}
            {%- do problems.append(name ~ " must be a number from " ~ low ~ " to " ~ high ~ ", not " ~ value) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in ['internal_email_domains', 'public_email_domains'] -%}
        {%- set value = var(name) -%}
        {%- if value is string or value is not iterable -%}
            {%- do problems.append(name ~ " must be a list of domains such as [example.co.jp], not " ~ value) -%}
        {%- else -%}
            {%- for domain in value -%}
                {%- if not modules.re.fullmatch('[a-z0-9-]+(\.[a-z0-9-]+)+', domain | string) -%}
                    {%- do problems.append(name ~ ": " ~ domain ~ " is not a lower-case domain such as example.co.jp") -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set sources = var('lead_source_precedence') -%}
    {%- if sources is string or sources is not iterable or sources | length == 0
        or sources | reject('in', ['marketo', 'hubspot', 'salesforce']) | list | length > 0 -%}
        {%- do problems.append("lead_source_precedence must list marketo, hubspot and/or salesforce, not " ~ sources) -%}
    {%- endif -%}
    {%- for name in ['hubspot_meeting_held_outcomes', 'hubspot_email_sent_directions', 'hubspot_won_stage_ids', 'hubspot_lost_stage_ids'] -%}
        {%- set value = var(name) -%}
        {%- if value is string or value is not iterable -%}
            {%- do problems.append(name ~ " must be a list such as [COMPLETED], not " ~ value) -%}
        {%- else -%}
            {%- for item in value -%}
                {%- if not modules.re.fullmatch('[A-Za-z0-9_.:-]+', item | string) -%}
                    {%- do problems.append(name ~ ": " ~ item ~ " is not a HubSpot internal value or id") -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not modules.re.fullmatch('[A-Za-z_]+(/[A-Za-z0-9_+-]+)*', var('reporting_tz') | string) -%}
        {%- do problems.append("reporting_tz must be an IANA time zone such as Asia/Tokyo, not " ~ var('reporting_tz')) -%}
    {%- endif -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error("Invalid dbt vars (dbt_project.yml vars: or --vars / Dagster run config):\n  - " ~ problems | join("\n  - ")) }}
    {%- endif -%}
    select 1
{%- endmacro %}
