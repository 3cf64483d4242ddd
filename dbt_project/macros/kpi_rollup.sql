{#- One KPI at several grains as rows of kpi_monthly_long (contracts 5.5, 6).
    `base` is a CTE with `month` and one `<grain>_key` column per grain (company_key = 'all').
    Rows exist only where defined: counts when the value is > 0, rates and means (pass
    `denominator`) when the denominator is > 0. -#}
{% macro kpi_rollup(kpi, base, grains, value, denominator=none) -%}
    {%- for grain in grains %}
    select
        '{{ kpi }}' as kpi,
        '{{ grain }}' as grain,
        {{ grain }}_key as grain_key,
        month,
        cast({{ value }} as double precision) as value
    from {{ base }}
    where {{ grain }}_key is not null and month is not null
    group by {{ grain }}_key, month
    having {{ denominator if denominator else value }} > 0
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
