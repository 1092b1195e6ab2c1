{#-
    The window an incremental model reprocesses: the rows of the latest staged batches
    (in_latest_staged_batch below), and rows that landed within
    var('incremental_lookback_days') of the newest landing time the model already holds, or
    happened within that many days of its newest event, or have no landing time. Late events
    are therefore caught by when they landed, whatever day they happened; the lookback also
    absorbs loads that finish out of order. Models then widen the window to whole groups
    (an event id, a send to a person, a day) so every recomputed value sees all its inputs.
-#}
{% macro in_incremental_window(loaded_at, event_at, this_loaded_at='last_loaded_at', this_event_at='event_at') -%}
    {%- set days = var('incremental_lookback_days') | int -%}
    {%- set floor = "cast('1900-01-01' as " ~ dbt.type_timestamp() ~ ")" -%}
    (
        {{ loaded_at }} is null
        or {{ loaded_at }} >= (
            select {{ dbt.dateadd('day', -days,
                'coalesce(max(' ~ this_loaded_at ~ '), ' ~ floor ~ ')') }}
            from {{ this }}
        )
        or {{ event_at }} >= (
            select {{ dbt.dateadd('day', -days,
                'coalesce(cast(max(' ~ this_event_at ~ ') as ' ~ dbt.type_timestamp() ~ '), '
                ~ floor ~ ')') }}
            from {{ this }}
        )
    )
{%- endmacro %}


{#-
    True for an event id with a row in the batches the latest run staged (stg's staged_at).
    Catches rows whose landing time lies before the window (a backfill, or a mock day in
    the past) without any bookkeeping in the marts. Models using it declare
    `-- depends_on: ref('stg_marketing_cloud_events')`.
-#}
{% macro in_latest_staged_batch(event_id) -%}
    {%- set staged = ref('stg_marketing_cloud_events') -%}
    {{ event_id }} in (
        select event_id from {{ staged }}
        where staged_at = {{ latest_stamp(staged, 'staged_at') }}
    )
{%- endmacro %}


{#-
    The events of fct_email_events in the incremental window of the model being built
    (`this_event_at`: its column holding the newest event time), with their send and job:
    the changes the send-level and daily facts re-derive. Models using it declare
    `-- depends_on: ref('stg_marketing_cloud_events')`.
-#}
{% macro changed_email_events(this_event_at) -%}
    select
        send_id,
        job_id,
        event_type
    from {{ ref('fct_email_events') }}
    where
        {{ in_incremental_window('last_loaded_at', 'event_at', this_event_at=this_event_at) }}
        or {{ in_latest_staged_batch('event_id') }}
{%- endmacro %}
