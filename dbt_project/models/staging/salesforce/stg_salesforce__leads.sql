{{ config(unique_key='lead_id') }}
with source as (
    {{ raw_latest(source('salesforce', 'salesforce__lead')) }}
),

renamed as (
    select
        -- ids
        id as lead_id,
        {{ json_text('_raw', 'OwnerId') }} as owner_id,
        {{ json_text('_raw', 'ConvertedAccountId') }} as converted_account_id,
        {{ json_text('_raw', 'ConvertedContactId') }} as converted_contact_id,
        {{ json_text('_raw', 'ConvertedOpportunityId') }} as converted_opportunity_id,
        {{ json_text('_raw', 'Inside_Sales_Rep__c') }} as inside_sales_rep_id,
        -- strings
        {{ json_text('_raw', 'FirstName') }} as first_name,
        {{ json_text('_raw', 'LastName') }} as last_name,
        {{ json_text('_raw', 'Name') }} as lead_name,
        {{ json_text('_raw', 'Company') }} as company,
        {{ normalize_company_name(json_string('_raw', 'Company')) }} as company_normalized,
        {{ json_text('_raw', 'Email') }} as email,
        {{ normalize_email(json_string('_raw', 'Email')) }} as email_normalized,
        {{ json_text('_raw', 'Phone') }} as phone,
        {{ json_text('_raw', 'Title') }} as title,
        {{ json_text('_raw', 'Status') }} as lead_status,
        {{ json_text('_raw', 'LeadSource') }} as lead_source,
        {{ json_text('_raw', 'Handoff_Status__c') }} as handoff_status_label,
        {{ json_text('_raw', 'Handoff_Reject_Reason__c') }} as handoff_reject_reason,
        -- booleans
        coalesce({{ json_bool('_raw', 'IsConverted') }}, false) as is_converted,
        coalesce({{ json_bool('_raw', 'IsDeleted') }}, false) as is_deleted,
        -- dates
        {{ json_date('_raw', 'ConvertedDate') }} as converted_date,
        -- timestamps
        {{ json_ts('_raw', 'Tossup_Date__c') }} as tossup_at,
        {{ json_ts('_raw', 'CreatedDate') }} as created_at,
        {{ json_ts('_raw', 'SystemModstamp') }} as system_modstamp_at,
        _extracted_at,
        _load_seq,
        -- the whole record: the handoff field mapping (seed) reads org-specific fields from it
        _raw as raw_record
    from source
)

select * from renamed
