{#-
    One row per event_date: how many events carry a campaign id the CRM knows. A falling
    coverage rate means Marketing Cloud sends are not being tied to Salesforce campaigns.
-#}
with

events as (

    select * from {{ ref('fct_email_events') }}

),

counts as (

    select
        count(*) as events,
        {{ count_if('is_known_campaign') }} as events_with_known_campaign,
        {{ count_if('campaign_id is not null and not is_known_campaign') }}
            as events_with_orphan_campaign,
        {{ count_if('campaign_id is null') }} as events_without_campaign,
        count(distinct case when not is_known_campaign then campaign_id end)
            as orphan_campaign_ids,
        event_date

    from events
    group by event_date

),

final as (

    select
        events,
        events_with_known_campaign,
        events_with_orphan_campaign,
        events_without_campaign,
        orphan_campaign_ids,
        {{ kpi_rate_columns('dq_campaign_id_coverage') }}
        event_date

    from counts

)

select * from final
