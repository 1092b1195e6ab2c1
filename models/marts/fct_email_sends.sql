{#-
    One row per send: one message to one subscriber, SFMC's (JobID, ListID, BatchID,
    SubscriberKey), with the outcomes every email KPI counts (../shared/DOMAIN.md):
    - bounced: any BOUNCE (soft-bounce retries are one bounced send); hard, else soft, by the
      worst category seen (a block or technical bounce is bounced, neither hard nor soft);
    - delivered: not bounced, and a DELIVERED event, an open or a click was recorded; where
      the send's job records no DELIVERED event at all (SFMC's data views record none), not
      bounced is enough (is_delivery_tracked false);
    - opened: delivered, and an open or a click (a click without a recorded open is an
      implied open: images blocked, the person clicked);
    - human-opened: delivered, and an open that is not a machine open or a click that is
      not a suspected bot click (a lower bound: Apple's proxy hides real opens too);
    - clicked / human-clicked: delivered, and a click / a click not flagged as a bot's;
    - unsubscribed: delivered, and an UNSUBSCRIBE;
    - complained: delivered, and a spam COMPLAINT (a complaint is also evidence of delivery).
    Engagement recorded on a bounced send stays in the counts (has_engagement_without_delivery)
    but is no outcome, so opened <= delivered <= sends holds on every row. A send whose SEND
    event never landed is reconstructed from its other events (is_reconstructed, sent_at = its
    first event): it is counted, never silently dropped.

    Incremental on send_id: a run recomputes every send with an event in the incremental
    window, and the sends that counted as delivered because their job had recorded no
    DELIVERED event, when one lands for their job.
-#}
{#- Snowflake: clustered by the date most queries filter on (large, incremental). -#}
{{ config(materialized='incremental', unique_key='send_id', cluster_by=['send_date']) }}
-- depends_on: {{ ref('stg_marketing_cloud_events') }}

with

events as {{ not_materialized() }} (

    select * from {{ ref('fct_email_events') }}

),

-- noqa: disable=LT02
{% if is_incremental() %}
window_events as (

    {{ changed_email_events(this_event_at='last_event_at') }}

),

changed_sends as (

    select send_id from window_events
    union
    select earlier.send_id
    from {{ this }} as earlier
    where
        not earlier.is_delivery_tracked
        and earlier.job_id in (
            select window_events.job_id from window_events
            where window_events.event_type = 'DELIVERED'
        )

),
{% endif %}
-- noqa: enable=LT02

send_events as {{ not_materialized() if not is_incremental() }} (

    select events.*
    from events
    {%- if is_incremental() %}
    where events.send_id in (select changed_sends.send_id from changed_sends)
    {%- endif %}

),

-- noqa: disable=LT02
tracked_jobs as (

    -- Jobs whose source records DELIVERED events.
    select distinct job_id
    from events
    where
        event_type = 'DELIVERED'
        {%- if is_incremental() %}
        and job_id in (select send_events.job_id from send_events)
        {%- endif %}

),
-- noqa: enable=LT02

per_send as (

    select
        send_id,
        min(job_id) as job_id,
        min(list_id) as list_id,
        min(batch_id) as batch_id,
        min(subscriber_key) as subscriber_key,
        min(subscriber_id) as subscriber_id,
        min(person_id) as person_id,
        coalesce(
            min(case when event_type = 'SEND' then campaign_id end), min(campaign_id)
        ) as campaign_id,
        min(business_unit_id) as business_unit_id,
        min(email_domain) as email_domain,
        {{ count_if("event_type = 'OPEN'") }} as open_count,
        {{ count_if("event_type = 'OPEN' and not is_machine_open") }} as human_open_count,
        {{ count_if("event_type = 'CLICK'") }} as click_count,
        {{ count_if("event_type = 'CLICK' and not is_suspected_bot_click") }}
            as human_click_count,
        {{ count_if("event_type = 'BOUNCE'") }} as bounce_event_count,
        {{ count_if("event_type = 'SEND'") }} as send_event_count,
        {{ count_if("event_type = 'DELIVERED'") }} as delivered_event_count,
        {{ count_if("event_type = 'UNSUBSCRIBE'") }} as unsubscribe_event_count,
        {{ count_if("event_type = 'COMPLAINT'") }} as complaint_event_count,
        {{ count_if("bounce_type = 'HARD'") }} as hard_bounce_event_count,
        {{ count_if("bounce_type = 'SOFT'") }} as soft_bounce_event_count,
        {{ dbt.bool_or('is_known_campaign') }} as is_known_campaign,
        {{ dbt.bool_or('is_known_person') }} as is_known_person,
        min(case when event_type = 'SEND' then event_at end) as send_event_at,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at,
        min(case when event_type = 'DELIVERED' then event_at end) as delivered_at,
        min(case when event_type in ('OPEN', 'CLICK') then event_at end) as first_opened_at,
        min(
            case
                when
                    (event_type = 'OPEN' and not is_machine_open)
                    or (event_type = 'CLICK' and not is_suspected_bot_click)
                    then event_at
            end
        ) as first_human_opened_at,
        min(case when event_type = 'CLICK' then event_at end) as first_clicked_at,
        min(case when event_type = 'CLICK' and not is_suspected_bot_click then event_at end)
            as first_human_clicked_at,
        max(last_loaded_at) as last_loaded_at

    from send_events
    group by send_id

),

delivery as (

    select
        per_send.*,
        tracked_jobs.job_id is not null as is_delivery_tracked,
        per_send.bounce_event_count > 0 as is_bounced,
        per_send.bounce_event_count = 0
        and (
            per_send.delivered_event_count > 0
            or per_send.open_count > 0
            or per_send.click_count > 0
            or per_send.complaint_event_count > 0
            or tracked_jobs.job_id is null
        ) as is_delivered

    from per_send
    left join tracked_jobs on per_send.job_id = tracked_jobs.job_id

),

final as (

    select
        send_id,
        job_id,
        list_id,
        batch_id,
        subscriber_key,
        subscriber_id,
        person_id,
        campaign_id,
        business_unit_id,
        email_domain,
        open_count,
        human_open_count,
        click_count,
        human_click_count,
        bounce_event_count,
        is_known_campaign,
        is_known_person,
        send_event_count = 0 as is_reconstructed,
        is_delivery_tracked,
        is_delivered,
        is_bounced,
        hard_bounce_event_count > 0 as is_hard_bounced,
        is_bounced and hard_bounce_event_count = 0 and soft_bounce_event_count > 0
            as is_soft_bounced,
        is_delivered and (open_count > 0 or click_count > 0) as is_opened,
        is_delivered and (human_open_count > 0 or human_click_count > 0) as is_human_opened,
        is_delivered and click_count > 0 as is_clicked,
        is_delivered and human_click_count > 0 as is_human_clicked,
        is_delivered and unsubscribe_event_count > 0 as is_unsubscribed,
        is_delivered and complaint_event_count > 0 as is_complained,
        is_bounced and (open_count > 0 or click_count > 0) as has_engagement_without_delivery,
        cast(coalesce(send_event_at, first_event_at) as date) as send_date,
        coalesce(send_event_at, first_event_at) as sent_at,
        delivered_at,
        first_opened_at,
        first_human_opened_at,
        first_clicked_at,
        first_human_clicked_at,
        last_event_at,
        last_loaded_at,
        -- When the run that wrote this row started: the daily tests check what it wrote.
        {{ sql_timestamp(run_started_at) }} as built_at

    from delivery

)

select * from final
