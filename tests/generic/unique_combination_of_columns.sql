{#- The combination of columns is unique (a model's grain spread over several columns). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

grain as (

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as row_count

    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}

)

select * from grain
where row_count > 1

{% endtest %}
