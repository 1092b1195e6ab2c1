{#-
    Rows of fct_email_events_daily that break its contract, one row per (event_date,
    campaign_id, violation_type). Empty when all is well; a test fails the build otherwise.
    - NULL_KEY / DUPLICATE_GRAIN: the event_date x campaign_id grain is broken;
    - UNIQUE_EXCEEDS_TOTAL / HUMAN_EXCEEDS_ALL / BOUNCE_KINDS_EXCEED_BOUNCES: impossible counts;
    - EVENTS_MISMATCH: a count differs from the same aggregation of fct_email_events.
-#}
with

daily as (

    select * from {{ ref('fct_email_events_daily') }}

),

events as (

    select * from {{ ref('fct_email_events') }}

),

recomputed as (

    select
        event_date,
        coalesce(campaign_id, '(none)') as campaign_id,
        {{ count_if("event_type = 'SEND'") }} as sends,
        {{ count_if("event_type = 'DELIVERED'") }} as deliveries,
        {{ count_if("event_type = 'OPEN'") }} as opens,
        {{ count_if("event_type = 'CLICK'") }} as clicks,
        {{ count_if("event_type = 'BOUNCE'") }} as bounces,
        {{ count_if("event_type = 'UNSUBSCRIBE' and is_unique") }} as unsubscribes,
        count(distinct case when event_type = 'OPEN' and is_unique
                then {{ dbt.concat(['job_id', "'|'", 'person_id']) }}
        end) as unique_opens,
        count(distinct case when event_type = 'CLICK' and is_unique
                then {{ dbt.concat(['job_id', "'|'", 'person_id']) }}
        end) as unique_clicks

    from events
    group by event_date, coalesce(campaign_id, '(none)')

),

grain_counts as (

    select
        event_date,
        campaign_id,
        count(*) as row_count

    from daily
    group by event_date, campaign_id

),

violations as (

    select
        event_date,
        campaign_id,
        'NULL_KEY' as violation_type
    from daily
    where event_date is null or campaign_id is null

    union all

    select
        event_date,
        campaign_id,
        'DUPLICATE_GRAIN' as violation_type
    from grain_counts
    where row_count > 1

    union all

    select
        event_date,
        campaign_id,
        'UNIQUE_EXCEEDS_TOTAL' as violation_type
    from daily
    where unique_opens > opens or unique_clicks > clicks

    union all

    select
        event_date,
        campaign_id,
        'HUMAN_EXCEEDS_ALL' as violation_type
    from daily
    where
        human_unique_opens > opens - machine_opens
        or human_unique_clicks > clicks - suspected_bot_clicks

    union all

    select
        event_date,
        campaign_id,
        'BOUNCE_KINDS_EXCEED_BOUNCES' as violation_type
    from daily
    where hard_bounces + soft_bounces > bounces

    union all

    select
        coalesce(daily.event_date, recomputed.event_date) as event_date,
        coalesce(daily.campaign_id, recomputed.campaign_id) as campaign_id,
        'EVENTS_MISMATCH' as violation_type
    from daily
    full outer join recomputed
        on
            daily.event_date = recomputed.event_date
            and daily.campaign_id = recomputed.campaign_id
    where
        daily.event_date is null
        or recomputed.event_date is null
        or daily.sends != recomputed.sends
        or daily.deliveries != recomputed.deliveries
        or daily.opens != recomputed.opens
        or daily.clicks != recomputed.clicks
        or daily.bounces != recomputed.bounces
        or daily.unsubscribes != recomputed.unsubscribes
        or daily.unique_opens != recomputed.unique_opens
        or daily.unique_clicks != recomputed.unique_clicks

),

final as (

    select distinct
        event_date,
        campaign_id,
        violation_type

    from violations

)

select * from final
