{#-
    A data test's `where` config (docs.getdbt.com/reference/resource-configs/where, "Custom
    logic": the project overrides get_where_subquery to give placeholders a meaning) may say
    `__latest_build__`: the rows the model's latest run wrote, by its run stamp (built_at, or
    the column in `__latest_build:staged_at__`). It becomes `built_at = <that run's start>`,
    a constant read when the test runs, so the warehouse skips every older row group (DuckDB's
    zone maps) or micro-partition (Snowflake's pruning on min/max metadata,
    docs.snowflake.com/en/user-guide/tables-clustering-micropartitions): an incremental run
    appends what it wrote. The daily selection runs such tests; their whole-table twins
    (tag whole_table) run weekly and in every full build.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if not where -%}
        {%- do return(relation) -%}
    {%- endif -%}
    {%- set found = modules.re.search('__latest_build(?::([a-z_]+))?__', where) -%}
    {%- if found -%}
        {%- set stamp = found.group(1) or 'built_at' -%}
        {%- set where = where | replace(
            found.group(0), stamp ~ ' = ' ~ latest_stamp(relation, stamp)
        ) -%}
    {%- endif -%}
    {%- set filtered -%}
        (select * from {{ relation }} where {{ where }}) dbt_subquery
    {%- endset -%}
    {%- do return(filtered) -%}
{%- endmacro %}
