{#- Marketo keeps no history of a lead's status in the lead record: keep it here, one version
    per change seen at build time (dbt_valid_from / dbt_valid_to). -#}
{% snapshot snap_marketo_lead_status %}
{{ config(unique_key='marketo_lead_id', strategy='timestamp', updated_at='updated_at') }}
select marketo_lead_id, email_normalized, lead_source, lead_status, lead_score, is_deleted, updated_at
from {{ ref('stg_marketo__leads') }}
{% endsnapshot %}
