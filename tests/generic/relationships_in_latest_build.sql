{#-
    Every key the model's latest run wrote (`built_at` at its newest value) is in `to`.`field`:
    dbt's relationships test, at the cost of the increment. Rows written earlier were checked
    by their own build; a parent row that disappears later is caught by the whole-table
    `relationships` test, which runs weekly (tag whole_table) and in every full build.
-#}
{% test relationships_in_latest_build(model, column_name, to, field, built_at='built_at') %}
{#- The latest run's stamp, a constant: older row groups are skipped (macro latest_stamp). -#}
{%- set latest = latest_stamp(model, built_at) -%}

with

written as (

    select {{ column_name }} as child_key
    from {{ model }}
    where
        {{ built_at }} = {{ latest }}
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
