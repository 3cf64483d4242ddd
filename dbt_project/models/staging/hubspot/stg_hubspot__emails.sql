{{ config(unique_key='email_id') }}
-- HubSpot e-mails. Direction EMAIL is one a rep sent; INCOMING_EMAIL a reply received.
with source as (
    {{ raw_latest(source('hubspot', 'hubspot__emails')) }}
),

renamed as (
    select
        -- ids
        id as email_id,
        {{ hubspot_prop('hubspot_owner_id') }} as owner_id,
        -- strings
        {{ hubspot_prop('hs_email_subject') }} as subject,
        {{ hubspot_prop('hs_email_direction') }} as direction,
        {{ hubspot_prop('hs_email_status') }} as email_status,
        -- booleans
        coalesce({{ json_bool('_raw', 'archived') }}, false) as is_deleted,
        -- timestamps
        {{ hubspot_prop_ts('hs_timestamp') }} as sent_at,
        {{ hubspot_prop_ts('hs_createdate') }} as created_at,
        _extracted_at,
        _load_seq
    from source
)

select * from renamed
