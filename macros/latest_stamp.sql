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
    {%- set latest = 'select max(' ~ column ~ ') from ' ~ relation -%}
    {#- A unit test's `this` is the name of its fixture, not a relation: the subquery. -#}
    {%- if execute and relation is not string and load_relation(relation) is not none -%}
        {%- set value = run_query(latest).columns[0].values()[0] -%}
        {{ return('null' if value is none else
            "cast('" ~ value ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
    {%- endif -%}
    {{ return('(' ~ latest ~ ')') }}
{%- endmacro %}
