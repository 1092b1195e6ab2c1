{#-
    One row per report_date (UTC) x campaign_id, with two families of columns:
    - the cohort of sends sent that day (sends, delivered_sends, ..., from fct_email_sends):
      every outcome of those sends whenever it happened, so an open on Tuesday of Monday's
      send raises Monday's open rate. Every rate is a ratio of two cohort columns of the same
      row (var('kpi_rates')), NULL when the denominator is 0: KPI tiles and trends read these;
    - activity on that day (*_events, from fct_email_events): events that happened on the
      date, whichever day their send went out. A ratio of two activity columns is not a rate.

    Incremental on report_date: a run re-aggregates, whole, every date holding an event of a
    send that changed since the last run (fct_email_events' window; they include its send's
    date), and the send date of every send fct_email_sends wrote since this model's last
    run (its built_at later than this model's latest: those sends, and the sends whose
    delivery it decided again because their job's first DELIVERED event landed), read by a
    constant the warehouse prunes by: a cohort row changes only when one of its sends does.
    (Not every send date of a job with a DELIVERED event in the window: a journey's JobID
    sends for months, and its send dates span the whole history.) A late open for a send
    five days ago corrects that send date's cohort row and the open's own date's activity
    row.
-#}
{{ config(materialized='incremental', unique_key='report_date') }}
-- depends_on: {{ ref('stg_marketing_cloud_events') }}

with

-- noqa: disable=LT02
{% if is_incremental() %}
window_events as (

    {{ changed_email_events(this_event_at='report_date') }}

),

report_dates as (

    select touched.event_date as report_date
    from {{ ref('fct_email_events') }} as touched
    where touched.send_id in (select window_events.send_id from window_events)
    union
    select changed.send_date as report_date
    from {{ ref('fct_email_sends') }} as changed
    where changed.built_at > {{ latest_stamp(this, 'built_at') }}

),
{% endif %}
-- noqa: enable=LT02

sends as (

    select * from {{ ref('fct_email_sends') }}
    {%- if is_incremental() %}
    where send_date in (select report_dates.report_date from report_dates)
    {%- endif %}

),

events as (

    select * from {{ ref('fct_email_events') }}
    {%- if is_incremental() %}
    where event_date in (select report_dates.report_date from report_dates)
    {%- endif %}

),

cohort as (

    select
        send_date as report_date,
        coalesce(campaign_id, '(none)') as campaign_id,
        {{ dbt.bool_or('is_known_campaign') }} as is_known_campaign,
        count(*) as sends,
        {{ count_if('is_reconstructed') }} as reconstructed_sends,
        {{ count_if('is_delivered') }} as delivered_sends,
        {{ count_if('is_bounced') }} as bounced_sends,
        {{ count_if('is_hard_bounced') }} as hard_bounced_sends,
        {{ count_if('is_soft_bounced') }} as soft_bounced_sends,
        {{ count_if('is_opened') }} as opened_sends,
        {{ count_if('is_human_opened') }} as human_opened_sends,
        {{ count_if('is_clicked') }} as clicked_sends,
        {{ count_if('is_human_clicked') }} as human_clicked_sends,
        {{ count_if('is_unsubscribed') }} as unsubscribed_sends,
        {{ count_if('is_complained') }} as complained_sends,
        max(last_loaded_at) as last_loaded_at

    from sends
    group by send_date, coalesce(campaign_id, '(none)')

),

activity as (

    select
        event_date as report_date,
        coalesce(campaign_id, '(none)') as campaign_id,
        {{ dbt.bool_or('is_known_campaign') }} as is_known_campaign,
        {{ count_if("event_type = 'SEND'") }} as send_events,
        {{ count_if("event_type = 'DELIVERED'") }} as delivered_events,
        {{ count_if("event_type = 'OPEN'") }} as open_events,
        {{ count_if("event_type = 'OPEN' and is_machine_open") }} as machine_open_events,
        {{ count_if("event_type = 'CLICK'") }} as click_events,
        {{ count_if("event_type = 'CLICK' and is_suspected_bot_click") }}
            as suspected_bot_click_events,
        {{ count_if("event_type = 'BOUNCE'") }} as bounce_events,
        {{ count_if("event_type = 'UNSUBSCRIBE'") }} as unsubscribe_events,
        {{ count_if("event_type = 'COMPLAINT'") }} as complaint_events,
        max(last_loaded_at) as last_loaded_at

    from events
    group by event_date, coalesce(campaign_id, '(none)')

),

joined as (

    select
        coalesce(cohort.campaign_id, activity.campaign_id) as campaign_id,
        coalesce(cohort.sends, 0) as sends,
        coalesce(cohort.reconstructed_sends, 0) as reconstructed_sends,
        coalesce(cohort.delivered_sends, 0) as delivered_sends,
        coalesce(cohort.bounced_sends, 0) as bounced_sends,
        coalesce(cohort.hard_bounced_sends, 0) as hard_bounced_sends,
        coalesce(cohort.soft_bounced_sends, 0) as soft_bounced_sends,
        coalesce(cohort.opened_sends, 0) as opened_sends,
        coalesce(cohort.human_opened_sends, 0) as human_opened_sends,
        coalesce(cohort.clicked_sends, 0) as clicked_sends,
        coalesce(cohort.human_clicked_sends, 0) as human_clicked_sends,
        coalesce(cohort.unsubscribed_sends, 0) as unsubscribed_sends,
        coalesce(cohort.complained_sends, 0) as complained_sends,
        coalesce(activity.send_events, 0) as send_events,
        coalesce(activity.delivered_events, 0) as delivered_events,
        coalesce(activity.open_events, 0) as open_events,
        coalesce(activity.machine_open_events, 0) as machine_open_events,
        coalesce(activity.click_events, 0) as click_events,
        coalesce(activity.suspected_bot_click_events, 0) as suspected_bot_click_events,
        coalesce(activity.bounce_events, 0) as bounce_events,
        coalesce(activity.unsubscribe_events, 0) as unsubscribe_events,
        coalesce(activity.complaint_events, 0) as complaint_events,
        coalesce(cohort.is_known_campaign, activity.is_known_campaign) as is_known_campaign,
        -- greatest() of a NULL is NULL on Snowflake and not on DuckDB: no NULL reaches it.
        greatest(
            coalesce(cohort.last_loaded_at, activity.last_loaded_at),
            coalesce(activity.last_loaded_at, cohort.last_loaded_at)
        ) as last_loaded_at,
        coalesce(cohort.report_date, activity.report_date) as report_date

    from cohort
    full outer join activity
        on
            cohort.report_date = activity.report_date
            and cohort.campaign_id = activity.campaign_id

),

final as (

    select
        campaign_id,
        sends,
        reconstructed_sends,
        delivered_sends,
        bounced_sends,
        hard_bounced_sends,
        soft_bounced_sends,
        opened_sends,
        human_opened_sends,
        clicked_sends,
        human_clicked_sends,
        unsubscribed_sends,
        complained_sends,
        {{ kpi_rate_columns('fct_email_events_daily') }}
        send_events,
        delivered_events,
        open_events,
        machine_open_events,
        click_events,
        suspected_bot_click_events,
        bounce_events,
        unsubscribe_events,
        complaint_events,
        is_known_campaign,
        last_loaded_at,
        -- When the run that wrote this row started: the daily tests check what it wrote.
        {{ sql_timestamp(run_started_at) }} as built_at,
        report_date

    from joined

)

select * from final
