{#- Field cleaning shared by identity matching and handoff validation (contracts 5.3). -#}

{#- NFKC, then trim all surrounding whitespace (not only spaces); blank becomes NULL. -#}
{% macro clean_text(text_expr) -%}
    nullif(regexp_replace({{ nfkc(text_expr) }}, '^\s+|\s+$', '', 'g'), '')
{%- endmacro %}

{#- Normalised e-mail: the identity key of a person (NFKC, trim, lower). -#}
{% macro normalize_email(text_expr) -%}
    lower({{ clean_text(text_expr) }})
{%- endmacro %}

{#- True when the whole string matches the (anchored) pattern. -#}
{% macro regex_matches(text_expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches')(text_expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(text_expr, pattern) -%}
    coalesce(({{ text_expr }}) ~ '{{ pattern }}', false)
{%- endmacro %}

{% macro duckdb__regex_matches(text_expr, pattern) -%}
    coalesce(regexp_matches({{ text_expr }}, '{{ pattern }}'), false)
{%- endmacro %}

{#- Placeholders that mean "nothing entered" (compare against cleaned text, lower-cased). -#}
{% macro placeholder_values() -%}
    {{ return(['', '-', 'ー', '―', 'なし', '無し', '特になし', '不明', '未定', 'tbd', 'n/a', 'na', 'none', '?']) }}
{%- endmacro %}

{#- True when the cleaned text is NULL or a placeholder. -#}
{% macro is_placeholder(clean_expr) -%}
    (({{ clean_expr }}) is null or lower({{ clean_expr }}) in (
        {%- for value in placeholder_values() %}'{{ value }}'{{ ", " if not loop.last }}{% endfor -%}
    ))
{%- endmacro %}

{#- Phone to E.164 candidate: drop spaces, -, (, ), .; a leading 0 becomes +81. Not validated. -#}
{% macro phone_candidate(clean_expr) -%}
    case
        when regexp_replace({{ clean_expr }}, '[ ().-]', '', 'g') like '0%'
            then '+81' || substr(regexp_replace({{ clean_expr }}, '[ ().-]', '', 'g'), 2)
        else regexp_replace({{ clean_expr }}, '[ ().-]', '', 'g')
    end
{%- endmacro %}

{#- A company name reduced for matching: NFKC, legal-form markers (株式会社, (株), ㈱, 有限会社,
    (有)) removed, all whitespace removed, lower-cased. -#}
{% macro normalize_company_name(text_expr) -%}
    nullif(lower(regexp_replace(
        regexp_replace({{ nfkc(text_expr) }}, '株式会社|\(株\)|有限会社|\(有\)|合同会社|\(同\)', '', 'g'),
        '\s+', '', 'g')), '')
{%- endmacro %}

{#- `YYYY-MM-DD` or `YYYY/MM/DD` (already cleaned) to a date; anything else, or an impossible
    calendar date, is NULL. -#}
{% macro parse_loose_date(clean_expr) -%}
    {{ return(adapter.dispatch('parse_loose_date')(clean_expr)) }}
{%- endmacro %}

{% macro duckdb__parse_loose_date(clean_expr) -%}
    case
        when {{ regex_matches(clean_expr, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') }}
            or {{ regex_matches(clean_expr, '^[0-9]{4}/[0-9]{2}/[0-9]{2}$') }}
            then try_cast(replace({{ clean_expr }}, '/', '-') as date)
    end
{%- endmacro %}

{% macro default__parse_loose_date(clean_expr) -%}
    {#- Postgres has no try_cast: check month and day against the calendar before casting. -#}
    {%- set y = "cast(substr(" ~ clean_expr ~ ", 1, 4) as integer)" -%}
    {%- set m = "cast(substr(" ~ clean_expr ~ ", 6, 2) as integer)" -%}
    {%- set d = "cast(substr(" ~ clean_expr ~ ", 9, 2) as integer)" -%}
    {#- Nested CASE: Postgres evaluates AND operands in any order, and the casts need the
        regex check first. -#}
    case
        when {{ regex_matches(clean_expr, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') }}
            or {{ regex_matches(clean_expr, '^[0-9]{4}/[0-9]{2}/[0-9]{2}$') }}
            then case
                when {{ m }} between 1 and 12 and {{ y }} >= 1
                    then case
                        when {{ d }} between 1 and extract(day from (make_date({{ y }}, {{ m }}, 1) + interval '1 month' - interval '1 day'))
                            then make_date({{ y }}, {{ m }}, {{ d }})
                    end
            end
    end
{%- endmacro %}

{#- Cleaned text to a number when it looks like one (digits, optional sign, decimals, thousands
    commas); anything else is NULL rather than an error. -#}
{% macro to_number_or_null(clean_expr) -%}
    case
        when {{ regex_matches("replace(" ~ clean_expr ~ ", ',', '')", '^[+-]?[0-9]+(\.[0-9]+)?$') }}
            then {{ cast_or_null("replace(" ~ clean_expr ~ ", ',', '')", 'double precision') }}
    end
{%- endmacro %}

{#- The domain of a normalised e-mail address (after the last @), NULL without one. -#}
{% macro email_domain(email_expr) -%}
    nullif(regexp_replace({{ email_expr }}, '^.*@', ''), {{ email_expr }})
{%- endmacro %}

{#- True when a normalised e-mail belongs to the company's own people: a Salesforce or Gong
    user's address, or an internal domain or its subdomain (int_internal_emails,
    int_internal_domains; domain.md "Internal people are never leads"). Pass a column
    qualified by its table's alias: the subqueries have columns of their own. -#}
{% macro is_internal_email(email_expr) -%}
    (
        exists (
            select 1 from {{ ref('int_internal_emails') }} as internal_emails
            where internal_emails.email_normalized = {{ email_expr }}
        )
        or exists (
            select 1 from {{ ref('int_internal_domains') }} as internal_domains
            where {{ email_domain(email_expr) }} = internal_domains.domain
                or {{ email_domain(email_expr) }} like '%.' || internal_domains.domain
        )
    )
{%- endmacro %}
