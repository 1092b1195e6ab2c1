{#-
    The run history: one row per dbt invocation that ran the project's hooks (build, run,
    seed, test, source freshness), written by the on-run-start and on-run-end hooks into
    raw.dbt_invocations (macros/run_history.sql). A row still 'started', with no end, is a
    run that was killed, or the one running now.
-#}
select
    invocation_id,
    command,
    target_name,
    environment,
    dbt_version,
    started_at,
    ended_at,
    status,
    selected_nodes,
    error_nodes,
    warn_nodes,
    {{ dbt.datediff('started_at', 'ended_at', 'second') }} as duration_seconds  -- noqa: LT05

from {{ run_history_relation('dbt_invocations') }}
