{{ config(unique_key='opportunity_stage_id') }}
-- The stage picklist's metadata: what each StageName means (won, closed, its order). Won and
-- lost come from these flags, never from a stage's label (int_opportunity_stages).
with source as (
    {{ raw_latest(source('salesforce', 'salesforce__opportunity_stage')) }}
),

renamed as (
    select
        -- ids
        id as opportunity_stage_id,
        -- strings
        {{ json_text('_raw', 'ApiName') }} as api_name,
        {{ json_text('_raw', 'MasterLabel') }} as master_label,
        {{ json_text('_raw', 'ForecastCategory') }} as forecast_category,
        {{ json_text('_raw', 'ForecastCategoryName') }} as forecast_category_name,
        -- numerics
        {{ json_number('_raw', 'SortOrder') }} as sort_order,
        {{ json_number('_raw', 'DefaultProbability') }} as default_probability,
        -- booleans
        coalesce({{ json_bool('_raw', 'IsActive') }}, false) as is_active,
        coalesce({{ json_bool('_raw', 'IsClosed') }}, false) as is_closed,
        coalesce({{ json_bool('_raw', 'IsWon') }}, false) as is_won,
        -- OpportunityStage has no IsDeleted; kept for the staging contract (always false)
        coalesce({{ json_bool('_raw', 'IsDeleted') }}, false) as is_deleted,
        -- timestamps
        {{ json_ts('_raw', 'CreatedDate') }} as created_at,
        {{ json_ts('_raw', 'SystemModstamp') }} as system_modstamp_at,
        _extracted_at,
        _load_seq
    from source
)

select * from renamed
