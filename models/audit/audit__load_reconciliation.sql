{#-
    Nothing is lost, per load date: every landed row is a fact row, a duplicate collapsed into
    one, or a quarantined row. Each count comes from a different place (the raw table, the
    event fact, the quarantine, and the staged copies of each event id counted here), so a
    row dropped anywhere shows as unaccounted_rows != 0, which fails the build. Rows landed
    without a _loaded_at are counted under 1900-01-01.
-#}

with

raw_rows as (

    select
        {{ landed_date('_loaded_at') }} as load_date,
        count(*) as raw_rows

    from {{ source('marketing_cloud', 'events') }}
    group by {{ landed_date('_loaded_at') }}

),

fact_rows as (

    select
        {{ landed_date('loaded_at') }} as load_date,
        count(*) as fact_rows

    from {{ ref('fct_email_events') }}
    group by {{ landed_date('loaded_at') }}

),

quarantined_rows as (

    select
        {{ landed_date('loaded_at') }} as load_date,
        count(*) as quarantined_rows

    from {{ ref('audit__rejected_events') }}
    group by {{ landed_date('loaded_at') }}

),

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

copy_rows as (

    select
        {{ landed_date('loaded_at') }} as load_date,
        count(*) as copy_rows

    from copies
    group by {{ landed_date('loaded_at') }}

),

first_copies as (

    -- The first loaded copy of each event id is the one the fact keeps (copies landing at
    -- the same time share a date, so ties do not matter here).
    select
        {{ landed_date('first_loaded_at') }} as load_date,
        count(*) as first_copies

    from (
        select
            event_id,
            min(loaded_at) as first_loaded_at
        from copies
        group by event_id
    ) as events
    group by {{ landed_date('first_loaded_at') }}

),

duplicate_rows as (

    -- Later copies: copies that are not the first of their event id.
    select
        copy_rows.load_date,
        copy_rows.copy_rows - coalesce(first_copies.first_copies, 0) as duplicate_rows

    from copy_rows
    left join first_copies on copy_rows.load_date = first_copies.load_date

),

final as (

    select
        coalesce(raw_rows.raw_rows, 0) as raw_rows,
        coalesce(fact_rows.fact_rows, 0) as fact_rows,
        coalesce(duplicate_rows.duplicate_rows, 0) as duplicate_rows,
        coalesce(quarantined_rows.quarantined_rows, 0) as quarantined_rows,
        coalesce(raw_rows.raw_rows, 0)
        - coalesce(fact_rows.fact_rows, 0)
        - coalesce(duplicate_rows.duplicate_rows, 0)
        - coalesce(quarantined_rows.quarantined_rows, 0) as unaccounted_rows,
        coalesce(
            raw_rows.load_date,
            fact_rows.load_date,
            duplicate_rows.load_date,
            quarantined_rows.load_date
        ) as load_date

    from raw_rows
    full outer join fact_rows on raw_rows.load_date = fact_rows.load_date
    full outer join duplicate_rows
        on coalesce(raw_rows.load_date, fact_rows.load_date) = duplicate_rows.load_date
    full outer join quarantined_rows
        on
            coalesce(raw_rows.load_date, fact_rows.load_date, duplicate_rows.load_date)
            = quarantined_rows.load_date

)

select * from final
