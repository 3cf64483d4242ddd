{#- Incremental builds of int_handoff_fields and int_handoffs_validated (a 1 % change of the
    Leads rebuilds about 1 % of the handoffs).

    A Salesforce handoff depends on its Lead's latest version alone (and on the seeds and vars
    hashed into `_settings`), so a build re-reads the Leads whose `_load_seq` is above the
    highest one the model holds. A HubSpot handoff depends on deals, associations, companies and
    owner history too: those are rebuilt whole every run. Rows built under other settings are
    all rebuilt. The pre-hooks remove first what a build would otherwise leave behind:
    delete+insert replaces only the keys the new rows carry, and a Lead whose new version no
    longer hands off (deleted, toss-up cleared) carries none. -#}

{#- An SQL text that changes whenever a seed's rows change (order-independent). -#}
{% macro seed_fingerprint(seed_name, columns) -%}
    (select md5(coalesce(string_agg(
        {%- for column in columns %}coalesce(cast({{ column }} as {{ dbt.type_string() }}), '')
        {{- " || '|' || " if not loop.last }}{% endfor %}, ','
        order by {% for column in columns %}{{ column }}{{ ", " if not loop.last }}{% endfor %}
    ), '')) from {{ ref(seed_name) }})
{%- endmacro %}

{#- int_handoff_fields' settings: the field mapping. -#}
{% macro handoff_fields_settings() -%}
    {{ seed_fingerprint('handoff_field_mapping', ['canonical_field', 'source_object', 'source_field']) }}
{%- endmacro %}

{#- int_handoffs_validated's settings: the vars and picklist labels it validates with, and the
    settings its input rows were built under. -#}
{% macro handoffs_validated_settings() -%}
    md5('{{ local_md5(var_settings(['reporting_tz', 'qualified_bant_min'])) }}'
        || {{ seed_fingerprint('picklist_label_mapping', ['picklist', 'label', 'canonical_value']) }}
        || coalesce((select max(_settings) from {{ ref('int_handoff_fields') }}), ''))
{%- endmacro %}

{#- The highest Lead `_load_seq` a handoff model holds: Leads above it are read again (all of
    them when the table predates the column: the pre-hook has emptied it then). -#}
{% macro handoff_lead_mark() -%}
    {%- if _has_column(this, '_lead_load_seq') -%}
    (select coalesce(max(_lead_load_seq), 0) from {{ this }} where handoff_source = 'salesforce')
    {%- else -%}
    0
    {%- endif -%}
{%- endmacro %}

{#- True when the relation already has the column (false before the first incremental build
    of a table the project used to rebuild whole: then every row is rebuilt). -#}
{% macro _has_column(relation, name) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {{ return(name in columns) }}
{%- endmacro %}

{#- Pre-hook body: with `_settings`, the rows built under other settings and the HubSpot ones
    (rebuilt whole), then `also` (SQL); without (a table built whole by an earlier release)
    every row. -#}
{% macro _delete_rebuilt(settings_sql, also) -%}
    {%- if _has_column(this, '_settings') %}
    delete from {{ this }} where _settings is null or _settings <> {{ settings_sql }};
    delete from {{ this }} where handoff_source = 'hubspot';
    {{ also }};
    {%- else %}
    delete from {{ this }};
    {%- endif %}
{%- endmacro %}

{% macro prune_handoff_fields() -%}
    {%- if is_incremental() %}
    {%- set changed_leads %}
    delete from {{ this }}
    where handoff_source = 'salesforce'
        and handoff_id in (
            select lead_id from {{ ref('stg_salesforce__leads') }}
            where _load_seq > {{ handoff_lead_mark() }}
        )
    {%- endset %}
    {{ _delete_rebuilt(handoff_fields_settings(), changed_leads) }}
    {%- endif %}
{%- endmacro %}

{% macro prune_handoffs_validated() -%}
    {%- if is_incremental() %}
    {%- set gone %}
    delete from {{ this }} as validated
    where not exists (
        select 1 from {{ ref('int_handoff_fields') }} as fields
        where fields.handoff_id = validated.handoff_id
    )
    {%- endset %}
    {{ _delete_rebuilt(handoffs_validated_settings(), gone) }}
    {%- endif %}
{%- endmacro %}
