-- Field Sales KPIs per month by rep, team and company (accepted new-business deals only).
{{ pivot_kpis(['meetings_held', 'proposals', 'won_deals', 'lost_deals', 'revenue', 'win_rate',
    'avg_deal_size'], ['rep', 'team', 'company']) }}
