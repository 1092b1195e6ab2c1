{#-
    MetricFlow's time spine: one row per day (the calendar seed, 2025 to 2027), so cumulative
    and period-over-period metrics have every day, even days without events.
-#}
with

calendar as (

    select * from {{ ref('calendar') }}

),

final as (

    select cast(date_day as date) as date_day
    from calendar

)

select * from final
