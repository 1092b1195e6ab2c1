{#-
    Every key the model's latest run wrote (`built_at` at its newest value) is in `to`.`field`:
    dbt's relationships test, at the cost of the increment. Rows written earlier were checked
    by their own build; a parent row that disappears later is caught by the whole-table
    `relationships` test, which runs weekly (tag whole_table) and in every full build.
-#}
{% test relationships_in_latest_build(model, column_name, to, field, built_at='built_at') %}

with

latest as (

    select max({{ built_at }}) as built_at from {{ model }}

),

written as (

    select {{ column_name }} as child_key
    from {{ model }}
    where
        {{ built_at }} = (select latest.built_at from latest)
        and {{ column_name }} is not null

),

parents as (

    select {{ field }} as parent_key from {{ to }}

)

select written.child_key
from written
left join parents
    on written.child_key = parents.parent_key
where parents.parent_key is null

{% endtest %}
