{#- The handoff verdict fields on the Lead are overwritten in place (LeadHistory tracks them only
    when the org turns history tracking on): keep every version seen at build time. -#}
{% snapshot snap_salesforce_lead_handoff_status %}
{{ config(unique_key='lead_id', strategy='timestamp', updated_at='system_modstamp_at') }}
select
    lead_id,
    lead_status,
    is_converted,
    tossup_at,
    inside_sales_rep_id,
    handoff_status_label,
    handoff_reject_reason,
    is_deleted,
    system_modstamp_at
from {{ ref('stg_salesforce__leads') }}
{% endsnapshot %}
