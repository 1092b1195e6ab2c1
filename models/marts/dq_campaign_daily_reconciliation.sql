{#-
    The mart's daily numbers next to the CRM's own reported numbers (seed
    campaign_daily_metrics), one row per metric_date x campaign_id present on either side.
    Differences are expected to be small (the CRM lags on late events); this model says
    where and by how much.
-#}
with

mart as (

    select * from {{ ref('fct_email_events_daily') }}
    where is_known_campaign

),

crm as (

    select * from {{ ref('campaign_daily_metrics') }}

),

joined as (

    select
        coalesce(mart.campaign_id, crm.campaign_id) as campaign_id,
        coalesce(mart.sends, 0) as mart_sends,
        coalesce(crm.emails_sent, 0) as crm_sends,
        coalesce(mart.deliveries, 0) as mart_deliveries,
        coalesce(crm.emails_delivered, 0) as crm_deliveries,
        coalesce(mart.unique_opens, 0) as mart_unique_opens,
        coalesce(crm.unique_opens, 0) as crm_unique_opens,
        coalesce(mart.unique_clicks, 0) as mart_unique_clicks,
        coalesce(crm.unique_clicks, 0) as crm_unique_clicks,
        coalesce(mart.hard_bounces, 0) as mart_hard_bounces,
        coalesce(crm.hard_bounces, 0) as crm_hard_bounces,
        coalesce(mart.soft_bounces, 0) as mart_soft_bounces,
        coalesce(crm.soft_bounces, 0) as crm_soft_bounces,
        coalesce(mart.unsubscribes, 0) as mart_unsubscribes,
        coalesce(crm.unsubscribes, 0) as crm_unsubscribes,
        coalesce(mart.event_date, cast(crm.metric_date as date)) as metric_date

    from mart
    full outer join crm
        on
            mart.campaign_id = crm.campaign_id
            and mart.event_date = cast(crm.metric_date as date)

),

final as (

    select
        *,
        mart_sends - crm_sends as sends_difference,
        mart_deliveries - crm_deliveries as deliveries_difference,
        mart_unique_opens - crm_unique_opens as unique_opens_difference,
        mart_unique_clicks - crm_unique_clicks as unique_clicks_difference,
        mart_sends = crm_sends
        and mart_deliveries = crm_deliveries
        and mart_unique_opens = crm_unique_opens
        and mart_unique_clicks = crm_unique_clicks
        and mart_hard_bounces = crm_hard_bounces
        and mart_soft_bounces = crm_soft_bounces
        and mart_unsubscribes = crm_unsubscribes as is_matching

    from joined

)

select * from final
