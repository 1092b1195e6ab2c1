{#-
    One row per event_id among the valid staged rows. The source re-delivers events (the
    same event_id, loaded again later); the first loaded copy wins, ties broken by the
    payload hash (macro event_payload_hash, computed for those copies only) so the choice is
    the same on every engine. raw_row_count and payload_count say how many copies were
    collapsed and whether they disagreed;
    last_loaded_at is when the latest copy landed.

    Incremental on event_id: a run recomputes every event id with a copy in the incremental
    window (macros/incremental.sql) from all of its copies, so a duplicate that lands days
    later updates the counts of the one row, never adds a second.
-#}
{{ config(materialized='incremental', unique_key='event_id') }}

with

-- A full build reads all staged rows three times rather than storing them; an incremental
-- run stores its few window rows once.
staged as {{ not_materialized() if not is_incremental() }} (

    select * from {{ ref('stg_marketing_cloud_events') }}
    where
        rejection_reason is null
    -- noqa: disable=LT02,LT09,RF02
    {%- if is_incremental() %}
        and event_id in (
            select event_id from {{ ref('stg_marketing_cloud_events') }}
            where
                rejection_reason is null
                and (
                    {{ in_incremental_window('loaded_at', 'event_at') }}
                    or staged_at
                    = {{ latest_stamp(ref('stg_marketing_cloud_events'), 'staged_at') }}
                )
        )
    {%- endif %}

),
-- noqa: enable=LT02,LT09,RF02

duplicated_ids as (

    -- The few event ids that landed more than once (about 1.5%): only they need ranking,
    -- and joining every row to a count per event id costs more than finding them.
    select event_id
    from staged
    group by event_id
    having count(*) > 1

),

single_copies as (

    select
        staged.*,
        -- Not needed for a single copy; the column keeps the union with several_copies aligned.
        cast(null as {{ dbt.type_string() }}) as payload_hash,
        1 as raw_row_count,
        staged.loaded_at as last_loaded_at,
        1 as payload_count,
        1 as copy_number

    from staged
    left join duplicated_ids on staged.event_id = duplicated_ids.event_id
    where duplicated_ids.event_id is null

),

several_copies as (

    select
        *,
        count(*) over (partition by event_id) as raw_row_count,
        max(loaded_at) over (partition by event_id) as last_loaded_at,
        count(distinct payload_hash) over (partition by event_id) as payload_count,
        row_number() over (
            partition by event_id
            order by loaded_at, payload_hash
        ) as copy_number

    from (
        select
            *,
            {{ event_payload_hash() }} as payload_hash
        from staged
        where event_id in (select duplicated_ids.event_id from duplicated_ids)
    ) as copies

),

deduplicated as (

    select * from single_copies
    union all
    select * from several_copies
    where copy_number = 1

),

final as (

    select
        event_id,
        business_unit_id,
        job_id,
        list_id,
        batch_id,
        subscriber_id,
        subscriber_key,
        campaign_id,
        event_type,
        bounce_type,
        email_domain,
        url,
        link_name,
        bounce_category,
        smtp_code,
        ip_address,
        user_agent,
        sfmc_is_unique,
        raw_row_count,
        payload_count,
        event_date,
        event_at,
        loaded_at,
        last_loaded_at,
        -- When the run that wrote this row started: the daily tests check what it wrote.
        {{ sql_timestamp(run_started_at) }} as built_at

    from deduplicated

)

select * from final
