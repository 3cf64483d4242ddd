-- Linkage (部門間の連携) KPIs per toss-up week by sending rep, team and company.
{{ pivot_kpis(linkage_kpis(), ['rep', 'team', 'company'], period='week') }}
