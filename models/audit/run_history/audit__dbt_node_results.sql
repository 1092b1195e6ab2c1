{#-
    The run history's node results: one row per node of each invocation (models, tests,
    seeds, unit tests, source freshness checks), from raw.dbt_node_results
    (macros/run_history.sql), with the invocation's command and start.
-#}
select
    results.invocation_id,
    invocations.command,
    invocations.started_at as invocation_started_at,
    results.unique_id,
    results.name,
    results.resource_type,
    results.status,
    results.rows_affected,
    results.execution_seconds,
    results.failures,
    results.message,
    results.max_loaded_at,
    results.freshness_age_seconds,
    results.recorded_at

from {{ run_history_relation('dbt_node_results') }} as results
left join {{ run_history_relation('dbt_invocations') }} as invocations
    on results.invocation_id = invocations.invocation_id
