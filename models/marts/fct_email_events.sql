{#-
    One row per event_id: duplicates collapsed, the person resolved, and the two engagement
    signals that are not a human flagged (never deleted):
    - is_machine_open: an open fetched by Apple Mail Privacy Protection's proxy (Apple's
      17.0.0.0/8 addresses, bare "Mozilla/5.0" user agent) or within
      var('machine_open_seconds') of delivery;
    - is_suspected_bot_click: a click within var('bot_click_seconds') of delivery, the
      signature of corporate link scanners.
    is_unique marks the first event of its type per (send job, person), so unique counts add
    up across days; is_unique_human does the same among human opens and clicks only.

    Incremental on event_id. Every value here depends only on the events of one send to one
    person (job_id, person_id), so a run recomputes whole groups: all events of every send
    that has an event in the incremental window. A late open that happened before an open
    already loaded moves is_unique to it, and the earlier row is rewritten too.
-#}
{{ config(materialized='incremental', unique_key='event_id') }}
-- depends_on: {{ ref('stg_marketing_cloud_events') }}

with

-- The whole event table is never stored again as a CTE (macro not_materialized). Full
-- builds also recompute events, joined and flagged for each reader instead of storing
-- millions of wide rows; an incremental run stores its few rows once.
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

    select distinct
        new_events.job_id,
        coalesce(person_ids.person_id, new_events.subscriber_key) as person_id

    from (
        select
            job_id,
            subscriber_key
        from all_events
        where
            {{ in_incremental_window('last_loaded_at', 'event_at') }}
            or {{ in_latest_staged_batch('event_id') }}
    ) as new_events
    left join person_ids on new_events.subscriber_key = person_ids.source_record_id

),

changed_keys as (

    -- Every subscriber key of those people (a converted lead's id and its contact's).
    select distinct
        changed_sends.job_id,
        coalesce(person_ids.source_record_id, changed_sends.person_id) as subscriber_key

    from changed_sends
    left join person_ids on changed_sends.person_id = person_ids.person_id

),
{% endif %}
-- noqa: enable=LT02

events as {{ not_materialized() if not is_incremental() }} (

    select all_events.*
    from all_events
    {%- if is_incremental() %}
    inner join changed_keys
        on
            all_events.job_id is not distinct from changed_keys.job_id
            and all_events.subscriber_key is not distinct from changed_keys.subscriber_key
    {%- endif %}

),

deliveries as (

    select
        job_id,
        subscriber_key,
        min(event_at) as delivered_at

    from events
    where event_type = 'DELIVERED'
    group by job_id, subscriber_key

),

joined as {{ not_materialized() if not is_incremental() }} (

    select
        events.*,
        coalesce(person_ids.person_id, events.subscriber_key) as person_id,
        person_ids.person_id is not null as is_known_person,
        campaigns.campaign_id is not null as is_known_campaign,
        {{ dbt.datediff('deliveries.delivered_at', 'events.event_at', 'second') }}
            as seconds_after_delivery

    from events
    left join person_ids on events.subscriber_key = person_ids.source_record_id
    left join campaigns on events.campaign_id = campaigns.campaign_id
    left join deliveries
        on
            events.job_id = deliveries.job_id
            and events.subscriber_key = deliveries.subscriber_key

),

flagged as {{ not_materialized() if not is_incremental() }} (

    select
        *,
        event_type = 'OPEN'
        and (
            coalesce(ip_address like '17.%', false)
            or coalesce(user_agent = 'Mozilla/5.0', false)
            or coalesce(seconds_after_delivery <= {{ var('machine_open_seconds') }}, false)
        ) as is_machine_open,
        event_type = 'CLICK'
        and coalesce(seconds_after_delivery <= {{ var('bot_click_seconds') }}, false)
            as is_suspected_bot_click

    from joined

),

firsts as (

    -- The window sorts only keys and ids (sorting whole rows costs several times more).
    select
        event_id,
        row_number() over (
            partition by job_id, person_id, event_type
            order by event_at, event_id
        ) = 1 as is_unique,
        -- The first human event: the running count of human events reaches 1 on it (one
        -- window, sorted once with is_unique's, instead of a second partitioning).
        is_human and sum(case when is_human then 1 else 0 end) over (
            partition by job_id, person_id, event_type
            order by event_at, event_id
            rows between unbounded preceding and current row
        ) = 1 as is_unique_human

    from (
        select
            event_id,
            job_id,
            person_id,
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
        raw_row_count,
        raw_row_count - 1 as collapsed_duplicate_count,
        payload_count > 1 as has_conflicting_payloads,
        is_machine_open,
        is_suspected_bot_click,
        is_known_campaign,
        is_known_person,
        is_unique,
        is_unique_human,
        event_date,
        event_at,
        loaded_at,
        last_loaded_at

    from ranked

)

select * from final
