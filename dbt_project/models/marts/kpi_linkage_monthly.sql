-- Linkage (部門間の連携) KPIs per toss-up month by sending rep, team and company.
{{ pivot_kpis(['tossups', 'rejections', 'tossup_acceptance_rate', 'tossup_to_won_rate',
    'avg_handoff_completeness', 'qualified_handoff_share', 'sla_met_rate',
    'median_hours_to_first_meeting'], ['rep', 'team', 'company']) }}
