{#-
    The key is unique, checked at the cost of the latest build: the rows the model's latest
    run wrote (`built_at` at its newest value) have keys unique among themselves, and none of
    their keys is on a row an earlier run wrote. If the table was unique before the run, it
    is unique after it: the whole-table guarantee, by induction from the first (full) build,
    reading the increment and one column of the older rows. On a full build every row is the
    latest build's, so the whole table is checked. The whole-table `unique` runs weekly
    (tag whole_table) and catches what changed outside a build.
    Arguments: column_name (one column) or combination_of_columns (a multi-column grain).
-#}
{% test unique_in_latest_build(
    model, column_name=none, combination_of_columns=none, built_at='built_at'
) %}
{%- set columns = combination_of_columns or [column_name] -%}
{#- The latest run's stamp, a constant: older row groups are skipped (macro latest_stamp). -#}
{%- set latest = latest_stamp(model, built_at) -%}

with

written as (

    select {{ columns | join(', ') }}
    from {{ model }}
    where {{ built_at }} = {{ latest }}

),

repeated_within_the_build as (

    select
        {{ columns | join(', ') }},
        count(*) as row_count

    from written
    group by {{ columns | join(', ') }}
    having count(*) > 1

),

also_on_an_earlier_row as (

    select
        {%- for column in columns %}
        earlier.{{ column }},
        {%- endfor %}
        count(*) + 1 as row_count

    from {{ model }} as earlier
    inner join written
        on
        {%- for column in columns %}
            {{ 'and ' if not loop.first }}earlier.{{ column }} = written.{{ column }}
        {%- endfor %}
    where earlier.{{ built_at }} < {{ latest }}
    group by {% for column in columns %}earlier.{{ column }}{{ ', ' if not loop.last }}{% endfor %}

)

select * from repeated_within_the_build
union all
select * from also_on_an_earlier_row

{% endtest %}
