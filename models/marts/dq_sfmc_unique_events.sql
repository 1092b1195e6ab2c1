{#-
    SFMC's own uniqueness beside the mart's, one row per send job x event type, for the events
    whose export said (SFMC's data views carry IsUnique; the unified layout and the tracking
    extract do not). The mart's is_unique is the first event of its type of the same send;
    SFMC marks the first it recorded. Equal counts mean both read "unique" the same way; a
    difference is the source system disagreeing with the mart, shown, never corrected.
-#}
with

events as (

    select * from {{ ref('fct_email_events') }}
    where sfmc_is_unique is not null

),

final as (

    select
        job_id,
        event_type,
        max(campaign_id) as campaign_id,
        count(*) as events,
        {{ count_if('sfmc_is_unique') }} as sfmc_unique_events,
        {{ count_if('is_unique') }} as mart_unique_events,
        {{ count_if('sfmc_is_unique') }} - {{ count_if('is_unique') }} as unique_event_difference,
        {{ count_if('sfmc_is_unique and not is_unique') }} as sfmc_only_unique_events,
        {{ count_if('is_unique and not sfmc_is_unique') }} as mart_only_unique_events,
        min(event_date) as first_event_date,
        max(event_date) as last_event_date

    from events
    group by job_id, event_type

)

select * from final
