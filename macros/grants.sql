{#-
    The role Tableau reads as: DBT_MART_REPORTING_ROLE (MART_REPORTING_ROLE locally), default
    REPORTER. dbt_project.yml's grants config reads the same variables.
-#}
{% macro reporting_role() -%}
    {{ return(env_var('DBT_MART_REPORTING_ROLE', '') or env_var('MART_REPORTING_ROLE', '')
        or 'REPORTER') }}
{%- endmacro %}


{#-
    dbt's grants config (SELECT for the reporting role on every marts and audit relation),
    applied in production only: a developer's or a pull request's relations are nobody's but
    the transformer role's. The config stays the same in every environment, so state
    comparison sees no change between them (dispatch: this project's macros come first for
    dbt's namespace, dbt_project.yml). DuckDB has no grants.
-#}
{% macro snowflake__apply_grants(relation, grant_config, should_revoke=True) -%}
    {%- if mart_environment() == 'prod' -%}
        {{ return(dbt.default__apply_grants(relation, grant_config, should_revoke)) }}
    {%- endif -%}
{%- endmacro %}


{#-
    on-run-end, in production: USAGE on the marts and audit schemas for the reporting role.
    dbt's grants config gives SELECT on each relation, but Snowflake needs USAGE on the
    containers as well (docs.snowflake.com/en/user-guide/security-access-control-privileges).
    The schemas are those dbt builds the marts and audit models into (read from the graph);
    one that does not exist yet (a run that built no mart) is skipped. USAGE on the database
    only with var grant_database_usage: only its owner, a role with MANAGE GRANTS or one
    granted it WITH GRANT OPTION may grant on a database
    (docs.snowflake.com/en/sql-reference/sql/grant-privilege, "Access control requirements"),
    so by default an administrator grants it once (README). Outside production, and on
    engines without grants (DuckDB), nothing.
-#}
{% macro grant_reporting_usage() -%}
    {{ return(adapter.dispatch('grant_reporting_usage', 'email_mart')()) }}
{%- endmacro %}

{% macro default__grant_reporting_usage() -%}
    select 1
{%- endmacro %}

{% macro snowflake__grant_reporting_usage() -%}
    {%- if not execute or compiles_only() or mart_environment() != 'prod' -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set role = reporting_role() -%}
    {%- set statements = [] -%}
    {%- if var('grant_database_usage') | string | lower == 'true' -%}
        {%- do statements.append('grant usage on database ' ~ target.database ~ ' to role ' ~ role) -%}
    {%- endif -%}
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
    {{ return(statements[-1] if statements else 'select 1') }}
{%- endmacro %}


{#- pre-hook of every seed: the seeds that stand in for the sources (those no daily build
    selects) never load in production, where the sources are the CRM and the exports
    themselves; the reference data (rejection_reasons, tag daily) loads everywhere. -#}
{% macro refuse_stand_in_seed() -%}
    {%- if execute and mart_environment() == 'prod' and 'daily' not in model.tags -%}
        {{ exceptions.raise_compiler_error(
            "Seed " ~ model.name ~ " stands in for a source and never loads in production "
            ~ "(DBT_MART_ENVIRONMENT=prod): production reads the CRM and the exports themselves."
        ) }}
    {%- endif -%}
    select 1
{%- endmacro %}
