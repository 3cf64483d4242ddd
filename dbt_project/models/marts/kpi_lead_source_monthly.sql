-- The funnel by lead source and cohort month: leads and MQLs created, MQL -> SQL and lead ->
-- won conversion (source: Marketo, else the Salesforce Lead; var lead_source_precedence).
{{ pivot_kpis(['leads', 'mqls', 'mql_to_sql_rate', 'lead_to_won_rate'], ['source']) }}
