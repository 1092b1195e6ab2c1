{#-
    The latest value of a run-stamp column (built_at, staged_at) of a relation, as SQL: a
    constant read when the run executes, so the warehouse skips every row group older than
    it (DuckDB's zone maps) or micro-partition (Snowflake prunes on each partition's min/max,
    docs.snowflake.com/en/user-guide/tables-clustering-micropartitions): incremental runs
    append, so earlier stamps sit in earlier partitions. 'null' for an empty relation; the
    subquery itself where the relation does not exist yet (`dbt compile` on a fresh warehouse,
    which must not fail), is a unit test's fixture, or nothing executes (parsing).
-#}
{% macro latest_stamp(relation, column) -%}
    {%- set latest = latest_stamp_query(relation, column) -%}
    {#- In a unit test, `this` is its fixture's name and a ref() a relation without a
        schema (a CTE of the test's SQL): the subquery. -#}
    {%- if execute and relation is not string and relation.schema is not none
        and load_relation(relation) is not none -%}
        {%- set values = run_query(latest).columns[0].values() -%}
        {%- set value = values[0] if values | length else none -%}
        {{ return('null' if value is none else
            "cast('" ~ value ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
    {%- endif -%}
    {{ return('(' ~ latest ~ ')') }}
{%- endmacro %}


{#-
    The query reading that latest value, at the least cost on each warehouse. The column is
    qualified by the relation's alias: where the relation lacks it (a unit test's fixture
    for `this` without the stamp), an unqualified name inside a subquery would bind to the
    outer query's column of that name, silently on DuckDB and as "WHERE clause cannot
    contain aggregates" on Snowflake.
-#}
{% macro latest_stamp_query(relation, column) -%}
    {{ return(adapter.dispatch('latest_stamp_query', 'email_mart')(relation, column)) }}
{%- endmacro %}


{#-
    Snowflake keeps each column's min and max per micro-partition and answers a plain MAX
    from that metadata, without a warehouse scan (the query profile's METADATA-BASED RESULT;
    docs.snowflake.com/en/user-guide/tables-clustering-micropartitions for the metadata).
-#}
{% macro default__latest_stamp_query(relation, column) -%}
    {{ return('select max(stamped.' ~ column ~ ') from ' ~ relation ~ ' as stamped') }}
{%- endmacro %}


{#-
    DuckDB reads every row of the column for max(); the first row of an ORDER BY ... DESC
    LIMIT 1 pushes its running top value into the scan as a filter, so every row group whose
    zone map holds no later value is skipped (one of 26 on a table whose latest build is its
    last row group). NULLS LAST spelled out: the stamp is the latest non-null value, as max's.
-#}
{% macro duckdb__latest_stamp_query(relation, column) -%}
    {%- set stamp = 'stamped.' ~ column -%}
    {{ return(
        'select ' ~ stamp ~ ' from ' ~ relation ~ ' as stamped where ' ~ stamp ~ ' is not null'
        ~ ' order by ' ~ stamp ~ ' desc nulls last limit 1'
    ) }}
{%- endmacro %}
