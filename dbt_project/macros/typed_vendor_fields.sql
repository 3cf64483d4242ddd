{#- Every vendor field that staging reads as a typed value, per raw table:
    (JSON path, type, staging column). `dq_unparseable_values` checks exactly these, so a value
    that staging turns into NULL because it does not parse is listed, never silently lost.
    Keep it in step with the json_number / json_ts / json_date / cast_or_null calls of
    models/staging (tests/dbt/test_bad_values.py checks that it is). Type `array` marks a field
    staging unnests: anything but a JSON array (or null) there yields no rows. HubSpot's CRM
    properties (`properties.*`) are not listed: their datetimes are ISO or epoch milliseconds
    (macro hubspot_ts), which a plain cast would report as unparseable. -#}
{% macro typed_vendor_fields() -%}
    {%- set stamps = [
        ('CreatedDate', 'timestamptz', 'created_at'),
        ('SystemModstamp', 'timestamptz', 'system_modstamp_at'),
    ] -%}
    {{ return({
        'salesforce__user': stamps,
        'salesforce__user_role': [('SystemModstamp', 'timestamptz', 'system_modstamp_at')],
        'salesforce__account': stamps,
        'salesforce__contact': stamps,
        'salesforce__lead': [
            ('ConvertedDate', 'date', 'converted_date'),
            ('Tossup_Date__c', 'timestamptz', 'tossup_at'),
        ] + stamps,
        'salesforce__opportunity': [
            ('Amount', 'double precision', 'amount'),
            ('Probability', 'double precision', 'probability'),
            ('CloseDate', 'date', 'close_date'),
        ] + stamps,
        'salesforce__opportunity_history': [
            ('Amount', 'double precision', 'amount'),
            ('Probability', 'double precision', 'probability'),
            ('CloseDate', 'date', 'close_date'),
        ] + stamps,
        'salesforce__opportunity_stage': [
            ('SortOrder', 'double precision', 'sort_order'),
            ('DefaultProbability', 'double precision', 'default_probability'),
        ] + stamps,
        'salesforce__lead_history': [('CreatedDate', 'timestamptz', 'created_at')],
        'salesforce__task': [
            ('CallDurationInSeconds', 'double precision', 'call_duration_seconds'),
            ('ActivityDate', 'date', 'activity_date'),
            ('CompletedDateTime', 'timestamptz', 'completed_at'),
        ] + stamps,
        'salesforce__event': [
            ('DurationInMinutes', 'double precision', 'duration_minutes'),
            ('ActivityDate', 'date', 'activity_date'),
            ('StartDateTime', 'timestamptz', 'start_at'),
            ('EndDateTime', 'timestamptz', 'end_at'),
            ('ActivityDateTime', 'timestamptz', 'activity_at'),
        ] + stamps,
        'marketo__activity_types': [('id', 'integer', 'activity_type_id')],
        'marketo__activities': [
            ('activityTypeId', 'integer', 'activity_type_id'),
            ('activityDate', 'timestamptz', 'activity_at'),
            ('attributes', 'array', 'attribute_name'),
        ],
        'marketo__deleted_leads': [('activityDate', 'timestamptz', 'deleted_at')],
        'marketo__leads': [
            ('leadScore', 'double precision', 'lead_score'),
            ('createdAt', 'timestamptz', 'created_at'),
            ('updatedAt', 'timestamptz', 'updated_at'),
        ],
        'gong__users': [('created', 'timestamptz', 'created_at')],
        'gong__calls': [
            ('metaData.duration', 'double precision', 'duration_seconds'),
            ('metaData.scheduled', 'timestamptz', 'scheduled_at'),
            ('metaData.started', 'timestamptz', 'started_at'),
            ('parties', 'array', 'party_id'),
            ('context', 'array', 'salesforce_account_id'),
        ],
        'hubspot__owners': [
            ('createdAt', 'timestamptz', 'created_at'),
            ('updatedAt', 'timestamptz', 'updated_at'),
            ('teams', 'array', 'team_id'),
        ],
        'hubspot__deal_pipelines': [
            ('displayOrder', 'double precision', 'display_order'),
            ('metadata.probability', 'double precision', 'probability'),
            ('stages', 'array', 'stage_id'),
        ],
        'hubspot__contacts': [('archivedAt', 'timestamptz', 'archived_at')],
    }) }}
{%- endmacro %}

{#- `a.b.c` of a JSON column: the JSON value (`json_path`) or its text (`json_path_text`). -#}
{% macro json_path(json_expr, path) -%}
    {{ json_expr }}{% for key in path.split('.') %}->'{{ key }}'{% endfor %}
{%- endmacro %}

{% macro json_path_text(json_expr, path) -%}
    {%- set keys = path.split('.') -%}
    {{ json_expr }}{% for key in keys[:-1] %}->'{{ key }}'{% endfor %}->>'{{ keys[-1] }}'
{%- endmacro %}

{#- Lower-case JSON type name of a JSON value: array, object, string, number, boolean, null. -#}
{% macro json_type_name(json_value) -%}
    {{ return(adapter.dispatch('json_type_name')(json_value)) }}
{%- endmacro %}

{% macro default__json_type_name(json_value) -%}
    jsonb_typeof({{ json_value }})
{%- endmacro %}

{% macro duckdb__json_type_name(json_value) -%}
    {#- DuckDB names numbers BIGINT/UBIGINT/DOUBLE: only array and null matter here. -#}
    lower(json_type({{ json_value }}))
{%- endmacro %}

{#- The text staging would type (trimmed, blank = NULL) when it does not parse as `type_name`,
    else NULL. -#}
{% macro unparseable_text(json_expr, path, type_name) -%}
    {%- if type_name == 'array' -%}
    case
        when coalesce({{ json_type_name(json_path(json_expr, path)) }}, 'null') not in ('array', 'null')
            then {{ json_path_text(json_expr, path) }}
    end
    {%- else -%}
    {%- set text_expr = "nullif(trim(" ~ json_path_text(json_expr, path) ~ "), '')" -%}
    case when {{ cast_or_null(text_expr, type_name) }} is null then {{ text_expr }} end
    {%- endif -%}
{%- endmacro %}

{#- The JSON record cut down to the typed fields of `fields` (typed_vendor_fields): on DuckDB,
    which parses the whole document again for every `->`, the record is parsed once and the
    paths read from the small remainder (scanning every field of 16 raw tables this way ran out
    of 400 MB before). Array fields keep their JSON (their type is checked), the rest their
    text, as `->>` gives it. Postgres stores JSONB parsed: the record as it is. -#}
{% macro typed_fields_only(json_expr, fields) -%}
    {{ return(adapter.dispatch('typed_fields_only')(json_expr, fields)) }}
{%- endmacro %}

{% macro default__typed_fields_only(json_expr, fields) -%}
    {{ json_expr }}
{%- endmacro %}

{% macro duckdb__typed_fields_only(json_expr, fields) -%}
    {%- set paths = [] -%}
    {%- for path, type_name, column in fields -%}
        {%- do paths.append((path, 'JSON' if type_name == 'array' else 'VARCHAR')) -%}
    {%- endfor -%}
    to_json({{ duckdb_json_transform(json_expr, paths) }})
{%- endmacro %}
