-- Field Sales KPIs per reporting week by rep, team and company.
{{ pivot_kpis(field_sales_kpis(), ['rep', 'team', 'company'], period='week') }}
