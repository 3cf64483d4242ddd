{#- The KPIs of each area's wide marts (monthly and weekly read the same lists). -#}
{% macro inside_sales_kpis() -%}
    {{ return(['calls', 'connected_calls', 'emails_sent', 'touches', 'leads_worked',
        'touches_per_rep_day', 'leads', 'mqls', 'tossups', 'mql_to_sql_rate',
        'opportunity_conversion_rate']) }}
{%- endmacro %}

{% macro field_sales_kpis() -%}
    {{ return(['meetings_held', 'opportunities', 'proposals', 'won_deals', 'lost_deals',
        'revenue', 'new_business_revenue', 'win_rate', 'avg_deal_size', 'new_customers']) }}
{%- endmacro %}

{% macro linkage_kpis() -%}
    {{ return(['tossups', 'rejections', 'tossup_acceptance_rate', 'tossup_to_won_rate',
        'avg_handoff_completeness', 'qualified_handoff_share', 'sla_met_rate',
        'median_hours_to_first_meeting']) }}
{%- endmacro %}

{% macro company_kpis() -%}
    {{ return(['revenue', 'new_business_revenue', 'new_customers', 'renewals_due',
        'retention_rate', 'leads', 'mqls', 'tossups', 'opportunities', 'won_deals', 'win_rate',
        'mql_to_sql_rate', 'opportunity_conversion_rate', 'lead_to_won_rate', 'touches',
        'touches_per_rep_day']) }}
{%- endmacro %}
