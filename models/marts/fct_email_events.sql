{#-
    One row per event_id: duplicates collapsed, the person resolved, the send it belongs to
    (send_id: SFMC's JobID, ListID, BatchID, SubscriberKey), and the engagement that is not a
    person's flagged, never deleted. Both are timed from the same send's delivery, or its send
    time where no delivery is recorded (SFMC's data views record none), in a window bounded on
    both sides:
    - is_machine_open: an open fetched by Apple Mail Privacy Protection's proxy (Apple's
      17.0.0.0/8 addresses, bare "Mozilla/5.0" user agent) or 0 to
      var('machine_open_seconds') after delivery;
    - is_suspected_bot_click: a click 0 to var('bot_click_seconds') after delivery, with a
      scanner's user agent (var('scanner_user_agents')), or in a burst: clicks on
      var('scanner_burst_links') or more distinct links of the send within
      var('scanner_burst_seconds') of each other (a scanner following every link).
    is_unique marks the first event of its type per send, so unique counts add up across
    days; is_unique_human does the same among human opens and clicks only.

    Incremental on event_id. Every value here depends only on the events of one send, so a
    run recomputes whole sends: all events of every send with an event in the incremental
    window. A late open that happened before an open already loaded moves is_unique to it,
    and the earlier row is rewritten too.
-#}
{#- Snowflake: clustered by the date most queries filter on (large, incremental). -#}
{{ config(materialized='incremental', unique_key='event_id', cluster_by=['event_date']) }}
-- depends_on: {{ ref('stg_marketing_cloud_events') }}

with

-- The whole event table is never stored again as a CTE (macro not_materialized). Full
-- builds also recompute events and joined for each reader instead of storing millions of
-- wide rows; an incremental run stores its few rows once.
all_events as {{ not_materialized() }} (

    select * from {{ ref('int_email_events_deduplicated') }}

),

person_ids as (

    select * from {{ ref('int_person_ids_resolved') }}

),

campaigns as (

    select * from {{ ref('stg_campaigns') }}

),

-- noqa: disable=LT02
{% if is_incremental() %}
changed_sends as (

    select distinct {{ send_key_columns() | join(', ') }}
    from all_events
    where
        {{ in_incremental_window('last_loaded_at', 'event_at') }}
        or {{ in_latest_staged_batch('event_id') }}

),
{% endif %}
-- noqa: enable=LT02

events as {{ not_materialized() if not is_incremental() }} (

    select all_events.*
    from all_events
    {%- if is_incremental() %}
    inner join changed_sends on {{ same_send('all_events', 'changed_sends') }}
    {%- endif %}

),

send_times as (

    -- When each send was delivered and sent: the moments machine opens and scanner clicks
    -- are timed from.
    select
        {{ send_key_columns() | join(', ') }},
        min(case when event_type = 'DELIVERED' then event_at end) as delivered_at,
        min(case when event_type = 'SEND' then event_at end) as sent_at

    from events
    group by {{ send_key_columns() | join(', ') }}

),

clicks as (

    select
        event_id,
        coalesce(url, link_name) as link,
        event_at,
        {{ send_key_columns() | join(', ') }}

    from events
    where event_type = 'CLICK'

),

link_bursts as (

    -- Clicks with clicks on enough distinct links of the same send close around them.
    select clicks.event_id

    from clicks
    inner join clicks as nearby
        on
            {{ same_send('clicks', 'nearby') }}
            and nearby.event_at
            between {{ dbt.dateadd('second', -var('scanner_burst_seconds'), 'clicks.event_at') }}
            and {{ dbt.dateadd('second', var('scanner_burst_seconds'), 'clicks.event_at') }}
    group by clicks.event_id
    having count(distinct nearby.link) >= {{ var('scanner_burst_links') }}

),

joined as {{ not_materialized() if not is_incremental() }} (

    select
        events.*,
        coalesce(person_ids.person_id, events.subscriber_key) as person_id,
        person_ids.person_id is not null as is_known_person,
        campaigns.campaign_id is not null as is_known_campaign,
        {{ dbt.datediff('send_times.delivered_at', 'events.event_at', 'second') }}
            as seconds_after_delivery,
        {{ dbt.datediff('send_times.sent_at', 'events.event_at', 'second') }}
            as seconds_after_send,
        link_bursts.event_id is not null as is_in_link_burst

    from events
    left join person_ids on events.subscriber_key = person_ids.source_record_id
    left join campaigns on events.campaign_id = campaigns.campaign_id
    left join send_times on {{ same_send('events', 'send_times') }}
    left join link_bursts on events.event_id = link_bursts.event_id

),

flagged as (

    select
        *,
        event_type = 'OPEN'
        and (
            coalesce(ip_address like '17.%', false)
            or coalesce(user_agent = 'Mozilla/5.0', false)
            or coalesce(
                coalesce(seconds_after_delivery, seconds_after_send)
                between 0 and {{ var('machine_open_seconds') }},
                false
            )
        ) as is_machine_open,
        event_type = 'CLICK'
        and (
            coalesce(
                coalesce(seconds_after_delivery, seconds_after_send)
                between 0 and {{ var('bot_click_seconds') }},
                false
            )
            or is_in_link_burst
            or coalesce({{ has_scanner_user_agent('user_agent') }}, false)
        ) as is_suspected_bot_click

    from joined

),

firsts as (

    -- The window sorts only keys and ids (sorting whole rows costs several times more).
    select
        event_id,
        row_number() over (
            partition by {{ send_key_columns() | join(', ') }}, event_type
            order by event_at, event_id
        ) = 1 as is_unique,
        -- The first human event: the running count of human events reaches 1 on it (one
        -- window, sorted once with is_unique's, instead of a second partitioning).
        is_human and sum(case when is_human then 1 else 0 end) over (
            partition by {{ send_key_columns() | join(', ') }}, event_type
            order by event_at, event_id
            rows between unbounded preceding and current row
        ) = 1 as is_unique_human

    from (
        select
            event_id,
            {{ send_key_columns() | join(', ') }},
            event_type,
            event_at,
            not is_machine_open and not is_suspected_bot_click as is_human
        from flagged
    ) as send_keys

),

ranked as (

    select
        flagged.*,
        firsts.is_unique,
        firsts.is_unique_human

    from flagged
    inner join firsts on flagged.event_id = firsts.event_id

),

final as (

    select
        event_id,
        {{ send_id() }} as send_id,
        job_id,
        list_id,
        batch_id,
        subscriber_id,
        subscriber_key,
        person_id,
        campaign_id,
        business_unit_id,
        event_type,
        bounce_type,
        email_domain,
        url,
        link_name,
        bounce_category,
        smtp_code,
        seconds_after_delivery,
        seconds_after_send,
        raw_row_count,
        raw_row_count - 1 as collapsed_duplicate_count,
        payload_count > 1 as has_conflicting_payloads,
        is_machine_open,
        is_suspected_bot_click,
        is_known_campaign,
        is_known_person,
        is_unique,
        is_unique_human,
        sfmc_is_unique,
        event_date,
        event_at,
        loaded_at,
        last_loaded_at,
        -- When the run that wrote this row started: the daily tests check what it wrote.
        {{ sql_timestamp(run_started_at) }} as built_at

    from ranked

)

select * from final
