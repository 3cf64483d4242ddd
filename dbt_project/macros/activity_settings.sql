{#- The vars that decide which activities count and how (fct_activities re-reads every row
    when they change, instead of keeping rows built under the old values). -#}
{% macro activity_settings() -%}
    {%- set values = [] -%}
    {%- for name in ['reporting_tz', 'connected_call_seconds', 'call_match_window_minutes',
        'internal_email_domains', 'public_email_domains'] -%}
        {%- do values.append(name ~ '=' ~ var(name)) -%}
    {%- endfor -%}
    {{ return(values | join('|')) }}
{%- endmacro %}
