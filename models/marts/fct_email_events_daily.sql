{#-
    One row per event_date (UTC) x campaign_id, summed from fct_email_events. Unique counts
    count each (send job, person) once, on the day of its first such event, so they add up
    across days; rates are ratios of these sums (never averages of daily rates) and are NULL
    when their denominator is 0.

    Incremental on event_date: a run re-aggregates, whole, every day holding an event of a
    send (job_id, person_id) that fct_email_events recomputed since the last run; a late open
    for a send five days ago corrects that day's rows (and the day whose first open it
    displaced).
-#}
{{ config(materialized='incremental', unique_key='event_date') }}
-- depends_on: {{ ref('stg_marketing_cloud_events') }}

with

events as (

    select * from {{ ref('fct_email_events') }}
    -- noqa: disable=LT02,LT09
    {%- if is_incremental() %}
    where event_date in (

        select distinct touched.event_date
        from {{ ref('fct_email_events') }} as touched
        inner join (
            select distinct job_id, person_id
            from {{ ref('fct_email_events') }}
            where
                {{ in_incremental_window('last_loaded_at', 'event_at',
                    this_event_at='event_date') }}
                or {{ in_latest_staged_batch('event_id') }}
        ) as changed_sends
            on
                touched.job_id is not distinct from changed_sends.job_id
                and touched.person_id is not distinct from changed_sends.person_id

    )
    {%- endif %}
    -- noqa: enable=LT02,LT09

),

counts as (

    select
        event_date,
        coalesce(campaign_id, '(none)') as campaign_id,
        {{ dbt.bool_or('is_known_campaign') }} as is_known_campaign,
        {{ count_if("event_type = 'SEND'") }} as sends,
        {{ count_if("event_type = 'DELIVERED'") }} as deliveries,
        {{ count_if("event_type = 'OPEN'") }} as opens,
        {{ count_if("event_type = 'OPEN' and is_machine_open") }} as machine_opens,
        {{ count_if("event_type = 'OPEN' and is_unique") }} as unique_opens,
        {{ count_if("event_type = 'OPEN' and is_unique_human") }} as human_unique_opens,
        {{ count_if("event_type = 'CLICK'") }} as clicks,
        {{ count_if("event_type = 'CLICK' and is_suspected_bot_click") }}
            as suspected_bot_clicks,
        {{ count_if("event_type = 'CLICK' and is_unique") }} as unique_clicks,
        {{ count_if("event_type = 'CLICK' and is_unique_human") }} as human_unique_clicks,
        {{ count_if("event_type = 'BOUNCE'") }} as bounces,
        {{ count_if("event_type = 'BOUNCE' and bounce_type = 'HARD'") }} as hard_bounces,
        {{ count_if("event_type = 'BOUNCE' and bounce_type = 'SOFT'") }} as soft_bounces,
        {{ count_if("event_type = 'UNSUBSCRIBE' and is_unique") }} as unsubscribes,
        max(last_loaded_at) as last_loaded_at

    from events
    group by event_date, coalesce(campaign_id, '(none)')

),

final as (

    select
        campaign_id,
        sends,
        deliveries,
        opens,
        machine_opens,
        unique_opens,
        human_unique_opens,
        clicks,
        suspected_bot_clicks,
        unique_clicks,
        human_unique_clicks,
        bounces,
        hard_bounces,
        soft_bounces,
        unsubscribes,
        {{ safe_divide('deliveries', 'sends') }} as delivery_rate,
        {{ safe_divide('unique_opens', 'deliveries') }} as unique_open_rate,
        {{ safe_divide('human_unique_opens', 'deliveries') }} as human_unique_open_rate,
        {{ safe_divide('unique_clicks', 'deliveries') }} as click_through_rate,
        {{ safe_divide('human_unique_clicks', 'deliveries') }} as human_click_through_rate,
        {{ safe_divide('unique_clicks', 'unique_opens') }} as click_to_open_rate,
        {{ safe_divide('human_unique_clicks', 'human_unique_opens') }}
            as human_click_to_open_rate,
        {{ safe_divide('bounces', 'sends') }} as bounce_rate,
        {{ safe_divide('hard_bounces', 'sends') }} as hard_bounce_rate,
        {{ safe_divide('soft_bounces', 'sends') }} as soft_bounce_rate,
        {{ safe_divide('unsubscribes', 'deliveries') }} as unsubscribe_rate,
        is_known_campaign,
        last_loaded_at,
        event_date

    from counts

)

select * from final
