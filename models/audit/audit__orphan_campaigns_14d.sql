{#-
    Campaign ids unknown to the CRM that had events in the last var('orphan_window_days')
    (default 14) days of data, counted back from the latest event date in the mart (so the
    window follows the data, also when it is replayed or backfilled).
-#}
with

orphans as (

    select * from {{ ref('dq_orphan_campaign_ids') }}

),

events as (

    select * from {{ ref('fct_email_events') }}

),

window_end as (

    select max(event_date) as latest_event_date from events

),

recent as (

    select
        events.campaign_id,
        count(*) as events_in_window,
        {{ count_if("events.event_type = 'SEND'") }} as sends_in_window,
        count(distinct events.person_id) as people_in_window,
        max(events.event_date) as last_event_date

    from events
    cross join window_end
    where
        events.campaign_id is not null
        and not events.is_known_campaign
        and events.event_date > {{ dbt.dateadd(
            'day', -var('orphan_window_days'), 'window_end.latest_event_date') }}
    group by events.campaign_id

),

final as (

    select
        recent.campaign_id,
        recent.events_in_window,
        recent.sends_in_window,
        recent.people_in_window,
        orphans.events as events_all_time,
        orphans.first_event_date,
        recent.last_event_date

    from recent
    inner join orphans on recent.campaign_id = orphans.campaign_id

)

select * from final
