{#-
    Every number of fct_email_events_daily equals the same aggregation computed directly
    from fct_email_events (written independently of the model: distinct counts, not flags
    summed). Returns the differing cells.
-#}
with

events as (

    select * from {{ ref('fct_email_events') }}

),

first_of_kind as (

    -- Unique counts by definition: each (job, person, type) once, on its first day.
    select
        job_id,
        person_id,
        event_type,
        min(event_at) as first_at

    from events
    group by job_id, person_id, event_type

),

unique_days as (

    select
        events.event_date,
        coalesce(events.campaign_id, '(none)') as campaign_id,
        count(distinct case when first_of_kind.event_type = 'OPEN'
                then {{ dbt.concat(['events.job_id', "'|'", 'events.person_id']) }}
        end)
            as unique_opens,
        count(distinct case when first_of_kind.event_type = 'CLICK'
                then {{ dbt.concat(['events.job_id', "'|'", 'events.person_id']) }}
        end)
            as unique_clicks,
        count(distinct case when first_of_kind.event_type = 'UNSUBSCRIBE'
                then {{ dbt.concat(['events.job_id', "'|'", 'events.person_id']) }}
        end)
            as unsubscribes

    from first_of_kind
    inner join events
        on
            first_of_kind.job_id = events.job_id
            and first_of_kind.person_id = events.person_id
            and first_of_kind.event_type = events.event_type
            and first_of_kind.first_at = events.event_at
    group by events.event_date, coalesce(events.campaign_id, '(none)')

),

totals as (

    select
        event_date,
        coalesce(campaign_id, '(none)') as campaign_id,
        {{ count_if("event_type = 'SEND'") }} as sends,
        {{ count_if("event_type = 'DELIVERED'") }} as deliveries,
        {{ count_if("event_type = 'OPEN'") }} as opens,
        {{ count_if("event_type = 'CLICK'") }} as clicks,
        {{ count_if("event_type = 'BOUNCE'") }} as bounces

    from events
    group by event_date, coalesce(campaign_id, '(none)')

),

expected as (

    select
        totals.*,
        coalesce(unique_days.unique_opens, 0) as unique_opens,
        coalesce(unique_days.unique_clicks, 0) as unique_clicks,
        coalesce(unique_days.unsubscribes, 0) as unsubscribes

    from totals
    left join unique_days
        on
            totals.event_date = unique_days.event_date
            and totals.campaign_id = unique_days.campaign_id

)

select
    coalesce(expected.event_date, daily.event_date) as event_date,
    coalesce(expected.campaign_id, daily.campaign_id) as campaign_id

from expected
full outer join {{ ref('fct_email_events_daily') }} as daily
    on
        expected.event_date = daily.event_date
        and expected.campaign_id = daily.campaign_id
where
    expected.event_date is null
    or daily.event_date is null
    or expected.sends != daily.sends
    or expected.deliveries != daily.deliveries
    or expected.opens != daily.opens
    or expected.clicks != daily.clicks
    or expected.bounces != daily.bounces
    or expected.unique_opens != daily.unique_opens
    or expected.unique_clicks != daily.unique_clicks
    or expected.unsubscribes != daily.unsubscribes
