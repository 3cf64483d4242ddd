{#- The vars that decide which activities count and how (fct_activities re-reads every row
    when they change, instead of keeping rows built under the old values). -#}
{% macro activity_settings() -%}
    {{ return(var_settings(['reporting_tz', 'connected_call_seconds', 'call_match_window_minutes',
        'internal_email_domains', 'public_email_domains'])) }}
{%- endmacro %}

{#- "name=value|name=value" of the named vars: what an incremental model hashes into `_settings`
    so that a run with other values rebuilds its rows (fct_activities, the handoff models). -#}
{% macro var_settings(names) -%}
    {%- set values = [] -%}
    {%- for name in names -%}
        {%- do values.append(name ~ '=' ~ var(name)) -%}
    {%- endfor -%}
    {{ return(values | join('|')) }}
{%- endmacro %}
