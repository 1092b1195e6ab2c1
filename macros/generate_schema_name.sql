{#-
    Environments, explicitly: DBT_MART_ENVIRONMENT is one of
    - prod:  the production job. The layers are the schemas raw, staging, marts, audit.
    - ci:    a CI job (dbt Cloud or GitHub), and
    - dev:   a developer (dbt Cloud IDE or CLI): every schema gets a prefix, so no CI or
             developer run can write a production schema. The prefix is DBT_MART_SCHEMA_PREFIX
             (MART_SCHEMA_PREFIX locally) or else the target's own schema plus '_' (dbt Cloud
             sets it per developer, and per pull request in CI jobs: dbt_cloud_pr_1_2_marts).
    - local: a warehouse of its own (the DuckDB file, the emulator): layer names as they
             are, unless a prefix is set.
    Unset, it is local on DuckDB (a file of one's own) and dev on any other adapter, so a
    warehouse shared with production is never written by default. dbt Cloud passes only
    DBT_-prefixed variables to runs: set DBT_MART_ENVIRONMENT=prod on the production
    environment. The marketing_cloud source repeats schema_prefix()'s rule inline (sources
    cannot call macros); tests/python/test_environments.py checks they agree.
-#}
{% macro mart_environment() -%}
    {%- set environment = env_var(
        'DBT_MART_ENVIRONMENT', 'local' if target.type == 'duckdb' else 'dev'
    ) | lower | trim -%}
    {%- if environment not in ('prod', 'ci', 'dev', 'local') -%}
        {{ exceptions.raise_compiler_error(
            "DBT_MART_ENVIRONMENT is '" ~ environment ~ "'; set it to prod, ci, dev or local."
        ) }}
    {%- endif -%}
    {{ return(environment) }}
{%- endmacro %}


{% macro schema_prefix() -%}
    {%- set environment = mart_environment() -%}
    {%- if environment == 'prod' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set fallback = '' if environment == 'local' else target.schema ~ '_' -%}
    {#- Set but empty counts as unset: a blank variable must not mean production's names. -#}
    {%- set prefix = (env_var('DBT_MART_SCHEMA_PREFIX', '') or env_var('MART_SCHEMA_PREFIX', '')
        or fallback) | lower | trim -%}
    {%- if not modules.re.match('^[a-z0-9_]*$', prefix) -%}
        {{ exceptions.raise_compiler_error(
            "The schema prefix '" ~ prefix ~ "' may hold only letters, digits and underscores; "
            ~ "set DBT_MART_SCHEMA_PREFIX (for example dev_ann_)."
        ) }}
    {%- endif -%}
    {{ return(prefix) }}
{%- endmacro %}


{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ schema_prefix() ~ target.schema | trim }}
    {%- else -%}
        {{ schema_prefix() ~ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}


{#-
    source('salesforce', table). Outside production the seed of the same name stands in for
    it (it loads into the schema the source reads by default): the ref() makes dbt load the
    seed before the model that reads it.
-#}
{% macro crm_source(table) -%}
    {%- if mart_environment() != 'prod' -%}
        {%- do ref(table) -%}
    {%- endif -%}
    {{ return(source('salesforce', table)) }}
{%- endmacro %}
