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
    Where a run reads events and the CRM from, DBT_MART_SOURCES (one world per environment):
    - production: production's sources, read-only: the CRM in schema salesforce (Fivetran),
      the exports in raw.events. Production itself, and by default CI and developers on
      Snowflake: a pull request's marts are production's data through the changed models.
    - own: the environment's own <prefix>salesforce and <prefix>raw.events, filled by the
      seeds and the mock events. Local warehouses (DuckDB, the emulator: the default there)
      and the demo job.
    The sources' YAML repeats the rule inline (sources cannot call macros);
    tests/python/test_environments.py checks they agree. Production with own sources stops.
-#}
{% macro mart_sources() -%}
    {%- set environment = mart_environment() -%}
    {%- set sources = env_var('DBT_MART_SOURCES', '') | lower | trim
        or ('own' if environment == 'local' else 'production') -%}
    {%- if sources not in ('production', 'own') -%}
        {{ exceptions.raise_compiler_error(
            "DBT_MART_SOURCES is '" ~ sources ~ "'; set it to production or own."
        ) }}
    {%- endif -%}
    {%- if environment == 'prod' and sources != 'production' -%}
        {{ exceptions.raise_compiler_error(
            "Production reads production's sources: unset DBT_MART_SOURCES (it is '"
            ~ sources ~ "') in the production environment."
        ) }}
    {%- endif -%}
    {{ return(sources) }}
{%- endmacro %}


{#- Whether this run may write the landing table: production's own, or an environment's own
    sources; never production's from a CI or developer run, and never during compile or
    docs generate, which leave the warehouse as they find it. -#}
{% macro writes_sources() -%}
    {%- set sources = mart_sources() -%}
    {{ return(execute and not compiles_only()
        and (mart_environment() == 'prod' or sources == 'own')) }}
{%- endmacro %}


{#- dbt compile, docs generate, show and friends run the project hooks too
    (docs.getdbt.com/reference/project-configs/on-run-start-on-run-end): they must not write. -#}
{% macro compiles_only() -%}
    {{ return(flags.WHICH in ('compile', 'generate', 'show', 'list', 'ls', 'parse', 'serve')) }}
{%- endmacro %}


{#-
    source('salesforce', table), the same in every environment. The seed of the same name
    stands in for the CRM where the sources are the environment's own: it loads into the
    schema the source then reads, and the ref() (a dependency only, in every environment, so
    every environment has one DAG) makes dbt load it first. Production never loads it
    (macro refuse_stand_in_seed).
-#}
{% macro crm_source(table) -%}
    {%- do ref(table) -%}
    {{ return(source('salesforce', table)) }}
{%- endmacro %}
