{#- Every value of the column is 0 (a balance that must hold on every row). -#}
{% test is_zero(model, column_name) %}

select * from {{ model }}
where {{ column_name }} is null or {{ column_name }} != 0

{% endtest %}
