{#-
    The role Tableau reads as: DBT_MART_REPORTING_ROLE (MART_REPORTING_ROLE locally), default
    REPORTER. dbt_project.yml's grants config reads the same variables.
-#}
{% macro reporting_role() -%}
    {{ return(env_var('DBT_MART_REPORTING_ROLE', '') or env_var('MART_REPORTING_ROLE', '')
        or 'REPORTER') }}
{%- endmacro %}


{#-
    on-run-end: USAGE on the database and on the marts and audit schemas for the reporting
    role. dbt's grants config gives SELECT on each relation, but Snowflake needs USAGE on the
    containers as well. The schemas are those dbt builds the marts and audit models into
    (read from the graph, so the environment's prefix is generate_schema_name's); one that
    does not exist yet (a run that built no mart) is skipped. Engines without grants (DuckDB)
    do nothing.
-#}
{% macro grant_reporting_usage() -%}
    {{ return(adapter.dispatch('grant_reporting_usage', 'email_mart')()) }}
{%- endmacro %}

{% macro default__grant_reporting_usage() -%}
    select 1
{%- endmacro %}

{% macro snowflake__grant_reporting_usage() -%}
    {%- if not execute -%}{{ return('select 1') }}{%- endif -%}
    {%- set role = reporting_role() -%}
    {%- set statements = ['grant usage on database ' ~ target.database ~ ' to role ' ~ role] -%}
    {%- set schemas = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.config.schema in ('marts', 'audit')
            and node.schema not in schemas -%}
            {%- do schemas.append(node.schema) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for schema in schemas | sort -%}
        {%- if adapter.check_schema_exists(target.database, schema) -%}
            {%- do statements.append(
                'grant usage on schema ' ~ target.database ~ '.' ~ schema ~ ' to role ' ~ role
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for statement in statements[:-1] -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ return(statements[-1]) }}
{%- endmacro %}
