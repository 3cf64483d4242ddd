-- Field Sales KPIs per month by rep, team and company (accepted new-business deals; revenue
-- is every won deal the rep owns).
{{ pivot_kpis(field_sales_kpis(), ['rep', 'team', 'company']) }}
