-- Linkage (部門間の連携) KPIs per toss-up month by sending rep, team and company.
{{ pivot_kpis(linkage_kpis(), ['rep', 'team', 'company']) }}
