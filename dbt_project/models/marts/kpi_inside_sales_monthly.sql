-- Inside Sales KPIs per month (reporting time zone) by rep, team and company, one column per KPI.
{{ pivot_kpis(inside_sales_kpis(), ['rep', 'team', 'company']) }}
