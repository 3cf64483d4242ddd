-- Funnel conversion from lead to won by Marketo lead source and lead-creation month (cohort).
{{ pivot_kpis(['lead_to_won_rate'], ['source']) }}
