{#-
    The mart's send cohorts next to the CRM's own reported numbers (source salesforce.
    campaign_daily_email_metrics: Salesforce's per-campaign, per-send-date email results), one row
    per metric_date x campaign_id on either side, within the dates the CRM reports. The CRM
    counts as SFMC's job tracking does, which is the mart's definition: sends, delivered
    (sent and not bounced), unique opens (implied opens included, machine opens included),
    unique clicks (scanner clicks included), hard and soft bounced sends, unsubscribes. So
    every difference is expected to be 0, except that the CRM's sync misses a few late opens
    (on about one row in twelve, 1 to 3 fewer unique opens in the CRM). Anything else means
    the mart or the CRM counts something differently.
-#}
with

mart as (

    select * from {{ ref('fct_email_events_daily') }}
    where is_known_campaign

),

crm as (

    select * from {{ crm_source('campaign_daily_email_metrics') }}

),

crm_dates as (

    select
        min(cast(metric_date as date)) as first_date,
        max(cast(metric_date as date)) as last_date

    from crm

),

reported_mart as (

    select mart.*
    from mart
    cross join crm_dates
    where mart.report_date between crm_dates.first_date and crm_dates.last_date

),

joined as (

    select
        coalesce(reported_mart.campaign_id, crm.campaign_id) as campaign_id,
        coalesce(reported_mart.sends, 0) as mart_sends,
        coalesce(crm.emails_sent, 0) as crm_sends,
        coalesce(reported_mart.delivered_sends, 0) as mart_delivered_sends,
        coalesce(crm.emails_delivered, 0) as crm_delivered_sends,
        coalesce(reported_mart.opened_sends, 0) as mart_opened_sends,
        coalesce(crm.unique_opens, 0) as crm_unique_opens,
        coalesce(reported_mart.clicked_sends, 0) as mart_clicked_sends,
        coalesce(crm.unique_clicks, 0) as crm_unique_clicks,
        coalesce(reported_mart.hard_bounced_sends, 0) as mart_hard_bounced_sends,
        coalesce(crm.hard_bounces, 0) as crm_hard_bounces,
        coalesce(reported_mart.soft_bounced_sends, 0) as mart_soft_bounced_sends,
        coalesce(crm.soft_bounces, 0) as crm_soft_bounces,
        coalesce(reported_mart.unsubscribed_sends, 0) as mart_unsubscribed_sends,
        coalesce(crm.unsubscribes, 0) as crm_unsubscribes,
        coalesce(reported_mart.report_date, cast(crm.metric_date as date)) as metric_date

    from reported_mart
    full outer join crm
        on
            reported_mart.campaign_id = crm.campaign_id
            and reported_mart.report_date = cast(crm.metric_date as date)

),

final as (

    select
        *,
        mart_sends - crm_sends as sends_difference,
        mart_delivered_sends - crm_delivered_sends as delivered_sends_difference,
        mart_opened_sends - crm_unique_opens as opened_sends_difference,
        mart_clicked_sends - crm_unique_clicks as clicked_sends_difference,
        mart_hard_bounced_sends - crm_hard_bounces as hard_bounced_sends_difference,
        mart_soft_bounced_sends - crm_soft_bounces as soft_bounced_sends_difference,
        mart_unsubscribed_sends - crm_unsubscribes as unsubscribed_sends_difference,
        mart_sends = crm_sends
        and mart_delivered_sends = crm_delivered_sends
        and mart_opened_sends = crm_unique_opens
        and mart_clicked_sends = crm_unique_clicks
        and mart_hard_bounced_sends = crm_hard_bounces
        and mart_soft_bounced_sends = crm_soft_bounces
        and mart_unsubscribed_sends = crm_unsubscribes as is_matching

    from joined

)

select * from final
