{#-
    The run history: every dbt invocation that runs project hooks (build, run, seed, test,
    source freshness) leaves one row in dbt_invocations and one row per node result in
    dbt_node_results, in the raw schema (what lands, append-only), on every engine. The
    on-run-start hook writes the invocation as 'started' before any node runs, so a run that
    is killed still leaves its row; the on-run-end hook, which dbt runs after failures too,
    writes the node results and the outcome. The audit views audit__dbt_invocations and
    audit__dbt_node_results are what readers query (documented, granted).
-#}
{% macro run_history_relation(table) -%}
    {{ return(api.Relation.create(
        database=target.database,
        schema=generate_schema_name('raw', none),
        identifier=table,
    )) }}
{%- endmacro %}


{#- on-run-start: the tables (if missing) and this invocation's row. -#}
{% macro start_run_history() -%}
    {%- if not execute or compiles_only() -%}{{ return('select 1') }}{%- endif -%}
    {%- set invocations = run_history_relation('dbt_invocations') -%}
    {%- set results = run_history_relation('dbt_node_results') -%}
    {%- do adapter.create_schema(invocations) -%}
    {%- set text = dbt.type_string() -%}
    {%- set moment = dbt.type_timestamp() -%}
    {%- do run_query(
        'create table if not exists ' ~ invocations ~ ' ('
        ~ 'invocation_id ' ~ text ~ ', command ' ~ text ~ ', target_name ' ~ text
        ~ ', environment ' ~ text ~ ', dbt_version ' ~ text ~ ', started_at ' ~ moment
        ~ ', ended_at ' ~ moment ~ ', status ' ~ text ~ ', selected_nodes ' ~ dbt.type_int()
        ~ ', error_nodes ' ~ dbt.type_int() ~ ', warn_nodes ' ~ dbt.type_int() ~ ')'
    ) -%}
    {%- do run_query(
        'create table if not exists ' ~ results ~ ' ('
        ~ 'invocation_id ' ~ text ~ ', unique_id ' ~ text ~ ', name ' ~ text
        ~ ', resource_type ' ~ text ~ ', status ' ~ text ~ ', rows_affected ' ~ dbt.type_int()
        ~ ', execution_seconds ' ~ dbt.type_float() ~ ', failures ' ~ dbt.type_int()
        ~ ', message ' ~ text ~ ', max_loaded_at ' ~ moment
        ~ ', freshness_age_seconds ' ~ dbt.type_float() ~ ', recorded_at ' ~ moment ~ ')'
    ) -%}
    insert into {{ invocations }} (
        invocation_id, command, target_name, environment, dbt_version, started_at, status
    ) values (
        {{ sql_literal(invocation_id) }}, {{ sql_literal(flags.WHICH) }},
        {{ sql_literal(target.name) }}, {{ sql_literal(mart_environment()) }},
        {{ sql_literal(dbt_version) }}, {{ sql_timestamp(run_started_at) }}, 'started'
    )
{%- endmacro %}


{#- on-run-end: one row per node result, then the invocation's outcome. -#}
{% macro record_run_history(results) -%}
    {%- if not execute or compiles_only() -%}{{ return('select 1') }}{%- endif -%}
    {%- set now = modules.datetime.datetime.now(modules.pytz.utc)
        .replace(tzinfo=none) -%}
    {%- set rows = [] -%}
    {%- set counts = {'error': 0, 'warn': 0} -%}
    {%- for result in results -%}
        {%- set status = result.status | string | lower -%}
        {%- if status in ('error', 'fail', 'runtime error') -%}
            {%- do counts.update({'error': counts.error + 1}) -%}
        {%- elif status == 'warn' -%}
            {%- do counts.update({'warn': counts.warn + 1}) -%}
        {%- endif -%}
        {%- set response = result.adapter_response or {} -%}
        {%- do rows.append('(' ~ [
            sql_literal(invocation_id),
            sql_literal(result.node.unique_id),
            sql_literal(result.node.name),
            sql_literal(result.node.resource_type | string | lower),
            sql_literal(status),
            sql_literal(response.get('rows_affected')),
            sql_literal(result.execution_time),
            sql_literal(result.failures),
            sql_literal(result.message, 1000),
            sql_timestamp(result.max_loaded_at if result.max_loaded_at is defined else none),
            sql_literal(result.age if result.age is defined else none),
            sql_timestamp(now),
        ] | join(', ') ~ ')') -%}
    {%- endfor -%}
    {%- if rows -%}
        {%- do run_query(
            'insert into ' ~ run_history_relation('dbt_node_results') ~ ' (invocation_id, '
            ~ 'unique_id, name, resource_type, status, rows_affected, execution_seconds, '
            ~ 'failures, message, max_loaded_at, freshness_age_seconds, recorded_at) values '
            ~ rows | join(', ')
        ) -%}
    {%- endif -%}
    update {{ run_history_relation('dbt_invocations') }}
    set
        ended_at = {{ sql_timestamp(now) }},
        status = '{{ 'error' if counts.error else ('warn' if counts.warn else 'success') }}',
        selected_nodes = {{ results | length }},
        error_nodes = {{ counts.error }},
        warn_nodes = {{ counts.warn }}
    where invocation_id = {{ sql_literal(invocation_id) }}
{%- endmacro %}
