-- Company KPIs per reporting week (goals are monthly: kpi_company_monthly, kpi_goals_monthly).
{{ pivot_kpis(company_kpis(), ['company'], period='week') }}
