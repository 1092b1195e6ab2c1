{#-
    Reconciliation, nothing disappears: every landed row is a fact row, a quarantined row
    (audit__rejected_events) or a duplicate collapsed into a fact row. Returns the
    imbalance (one row) when the three do not add up to the raw row count, and every valid
    raw event id missing from fct_email_events.
-#}
with

raw_rows as (

    select count(*) as row_count from {{ source('marketing_cloud', 'events') }}

),

fact as (

    select
        count(*) as row_count,
        sum(collapsed_duplicate_count) as collapsed_count

    from {{ ref('fct_email_events') }}

),

quarantined as (

    select count(*) as row_count from {{ ref('audit__rejected_events') }}

),

balance as (

    select
        'ROW_BALANCE' as check_name,
        cast(null as {{ dbt.type_string() }}) as event_id,
        raw_rows.row_count - fact.row_count - coalesce(fact.collapsed_count, 0)
        - quarantined.row_count as unaccounted_rows

    from raw_rows
    cross join fact
    cross join quarantined

),

missing_ids as (

    select distinct
        'MISSING_EVENT_ID' as check_name,
        staged.event_id,
        1 as unaccounted_rows

    from {{ ref('stg_marketing_cloud_events') }} as staged
    left join {{ ref('fct_email_events') }} as fact
        on staged.event_id = fact.event_id
    where staged.rejection_reason is null and fact.event_id is null

)

select * from balance
where unaccounted_rows != 0
union all
select * from missing_ids
