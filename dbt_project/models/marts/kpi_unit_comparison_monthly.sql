-- Division of labour (分業型) vs full cycle (一気通貫型) on the same handoff and deal KPIs.
{{ pivot_kpis(['tossups', 'rejections', 'tossup_acceptance_rate', 'tossup_to_won_rate',
    'avg_handoff_completeness', 'qualified_handoff_share', 'sla_met_rate',
    'median_hours_to_first_meeting', 'proposals', 'won_deals', 'lost_deals', 'revenue',
    'win_rate', 'avg_deal_size'], ['unit']) }}
