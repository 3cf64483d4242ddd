{#- One KPI at several grains and both reporting periods (month, week) as rows of kpi_long
    (contracts 5.5, 6). `base` is a CTE with `month_start` and `week_start` (macro
    period_columns) and one `<grain>_key` column per grain (company_key = 'all'). Rows exist
    only where defined: counts when the value is > 0, rates and means (pass `denominator`)
    when the denominator is > 0. -#}
{% macro kpi_rollup(kpi, base, grains, value, denominator=none) -%}
    {%- for period in ['month', 'week'] %}
    {%- set outer_loop = loop %}
    {%- for grain in grains %}
    select
        '{{ kpi }}' as kpi,
        '{{ grain }}' as grain,
        {{ grain }}_key as grain_key,
        '{{ period }}' as period_grain,
        {{ period }}_start as period_start,
        cast({{ value }} as double precision) as value
    from {{ base }}
    where {{ grain }}_key is not null and {{ period }}_start is not null
    group by {{ grain }}_key, {{ period }}_start
    having {{ denominator if denominator else value }} > 0
    {%- if not (loop.last and outer_loop.last) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
{%- endmacro %}
