{#-
    Nothing is lost, per load date: every landed row is a fact row, a duplicate collapsed into
    one, or a quarantined row. Each count comes from a different place (the raw table, the
    event fact, the quarantine, and the staged copies of each event id counted here), so a
    row dropped anywhere shows as unaccounted_rows != 0, which fails the build. Rows landed
    without a _loaded_at are counted under 1900-01-01.
-#}

with

copies as (

    -- Valid rows of the event ids the dedup counted more than once (about 1.5% of ids):
    -- only they can hold a later copy. A row of any other id counts as a first copy, so
    -- an id the dedup lost or under-counted leaves rows unaccounted instead of hiding.
    select
        event_id,
        loaded_at

    from {{ ref('stg_marketing_cloud_events') }}
    where
        rejection_reason is null
        and event_id in (
            select deduplicated.event_id
            from {{ ref('int_email_events_deduplicated') }} as deduplicated
            where deduplicated.raw_row_count > 1
        )

),

counted as (

    -- One row per count and load date; later copies are every copy less the first of each
    -- event id (copies landing at the same time share a date, so ties do not matter).
    select
        {{ landed_date('_loaded_at') }} as load_date,
        'raw' as count_name,
        count(*) as row_count
    from {{ source('marketing_cloud', 'events') }}
    group by {{ landed_date('_loaded_at') }}
    union all
    select
        {{ landed_date('loaded_at') }} as load_date,
        'fact' as count_name,
        count(*) as row_count
    from {{ ref('fct_email_events') }}
    group by {{ landed_date('loaded_at') }}
    union all
    select
        {{ landed_date('loaded_at') }} as load_date,
        'quarantined' as count_name,
        count(*) as row_count
    from {{ ref('audit__rejected_events') }}
    group by {{ landed_date('loaded_at') }}
    union all
    select
        {{ landed_date('loaded_at') }} as load_date,
        'duplicate' as count_name,
        count(*) as row_count
    from copies
    group by {{ landed_date('loaded_at') }}
    union all
    select
        {{ landed_date('first_loaded_at') }} as load_date,
        'duplicate' as count_name,
        -count(*) as row_count
    from (
        select
            event_id,
            min(loaded_at) as first_loaded_at
        from copies
        group by event_id
    ) as first_copies
    group by {{ landed_date('first_loaded_at') }}

),

final as (

    select
        sum(case when count_name = 'raw' then row_count else 0 end) as raw_rows,
        sum(case when count_name = 'fact' then row_count else 0 end) as fact_rows,
        sum(case when count_name = 'duplicate' then row_count else 0 end) as duplicate_rows,
        sum(case when count_name = 'quarantined' then row_count else 0 end) as quarantined_rows,
        sum(case when count_name = 'raw' then row_count else -row_count end) as unaccounted_rows,
        load_date

    from counted
    group by load_date

)

select * from final
