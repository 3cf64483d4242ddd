{{ config(unique_key='marketo_lead_id') }}
with deleted as (
    select marketo_lead_id, min(deleted_at) as deleted_at
    from {{ ref('stg_marketo__deleted_leads') }}
    group by 1
),

{% if is_incremental() -%}
-- Leads whose Delete Lead activity landed after their row was written: read again.
redeleted as (
    select current_rows.marketo_lead_id
    from {{ this }} as current_rows
    inner join deleted on current_rows.marketo_lead_id = deleted.marketo_lead_id
    where current_rows.deleted_at is distinct from deleted.deleted_at
),

{% endif -%}
source as (
    {{ raw_latest(source('marketo', 'marketo__leads'),
        also_ids='select marketo_lead_id from redeleted') }}
),

renamed as (
    select
        -- ids
        source.id as marketo_lead_id,
        {{ json_text('source._raw', 'sfdcLeadId') }} as sfdc_lead_id,
        {{ json_text('source._raw', 'sfdcContactId') }} as sfdc_contact_id,
        {{ json_text('source._raw', 'sfdcAccountId') }} as sfdc_account_id,
        -- strings
        {{ json_text('source._raw', 'firstName') }} as first_name,
        {{ json_text('source._raw', 'lastName') }} as last_name,
        {{ json_text('source._raw', 'email') }} as email,
        {{ normalize_email(json_string('source._raw', 'email')) }} as email_normalized,
        {{ json_text('source._raw', 'company') }} as company,
        {{ normalize_company_name(json_string('source._raw', 'company')) }} as company_normalized,
        {{ json_text('source._raw', 'phone') }} as phone,
        {{ json_text('source._raw', 'title') }} as title,
        {{ json_text('source._raw', 'leadSource') }} as lead_source,
        {{ json_text('source._raw', 'leadStatus') }} as lead_status,
        -- numerics
        {{ json_number('source._raw', 'leadScore') }} as lead_score,
        -- booleans: a lead is deleted when Marketo reported a Delete Lead activity for it
        (deleted.marketo_lead_id is not null) as is_deleted,
        -- timestamps
        {{ json_ts('source._raw', 'createdAt') }} as created_at,
        {{ json_ts('source._raw', 'updatedAt') }} as updated_at,
        deleted.deleted_at,
        source._extracted_at,
        source._load_seq
    from source
    left join deleted on source.id = deleted.marketo_lead_id
)

select * from renamed
