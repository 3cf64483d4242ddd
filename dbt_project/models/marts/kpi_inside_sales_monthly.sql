-- Inside Sales KPIs per month (Asia/Tokyo) by rep, team and company, one column per KPI.
{{ pivot_kpis(['calls', 'connected_calls', 'emails_sent', 'touches', 'leads_worked',
    'touches_per_rep_day', 'tossups', 'mql_to_sql_rate', 'opportunity_conversion_rate'],
    ['rep', 'team', 'company']) }}
