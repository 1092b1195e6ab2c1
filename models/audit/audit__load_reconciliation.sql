{#-
    Nothing is lost, per load date: every landed row is a fact row, a duplicate collapsed into
    one, or a quarantined row. Each count comes from a different place (the raw table, the
    event fact, the quarantine, and the copies of each event id counted here), so a row
    dropped anywhere shows as unaccounted_rows != 0, which fails the build. Rows landed
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

    -- Later copies of an event id: the first loaded copy is the one the fact keeps.
    select
        {{ landed_date('loaded_at') }} as load_date,
        row_number() over (
            partition by event_id order by loaded_at, payload_hash
        ) as copy_number

    from {{ ref('stg_marketing_cloud_events') }}
    where rejection_reason is null

),

duplicate_rows as (

    select
        load_date,
        count(*) as duplicate_rows

    from copies
    where copy_number > 1
    group by load_date

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
