-- Inside Sales KPIs per reporting week (for the weekly meeting) by rep, team and company.
{{ pivot_kpis(inside_sales_kpis(), ['rep', 'team', 'company'], period='week') }}
