{#- The model (an audit view of violations) is empty. -#}
{% test has_no_rows(model) %}

select * from {{ model }}

{% endtest %}
