-- Division of labour (分業型) vs full cycle (一気通貫型) on the same handoff and deal KPIs.
{{ pivot_kpis(linkage_kpis() + ['opportunities', 'proposals', 'won_deals', 'lost_deals',
    'new_business_revenue', 'win_rate', 'avg_deal_size'], ['unit']) }}
