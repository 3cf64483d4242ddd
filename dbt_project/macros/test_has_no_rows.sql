{#- Generic test: the model is empty (for lists of problems, e.g. dq_unparseable_values). -#}
{% test has_no_rows(model) %}
select * from {{ model }}
{% endtest %}
