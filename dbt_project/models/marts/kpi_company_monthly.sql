-- Company goals (KGI, 全体目標) per month, plus the company-wide funnel rates.
{{ pivot_kpis(['total_revenue', 'revenue', 'new_customers', 'renewals_due', 'retention_rate',
    'won_deals', 'win_rate', 'tossups', 'mql_to_sql_rate', 'opportunity_conversion_rate',
    'touches', 'touches_per_rep_day'], ['company']) }}
