{#- One row per CRM campaign, with its membership size and the span of its email sends. -#}
with

campaigns as (

    select * from {{ ref('stg_campaigns') }}

),

members as (

    select * from {{ ref('stg_campaign_members') }}

),

events as (

    select * from {{ ref('int_email_events_deduplicated') }}

),

member_counts as (

    select
        campaign_id,
        count(*) as member_record_count

    from members
    group by campaign_id

),

send_spans as (

    select
        campaign_id,
        count(distinct job_id) as send_job_count,
        count(*) as sends,
        min(event_at) as first_sent_at,
        max(event_at) as last_sent_at

    from events
    where event_type = 'SEND'
    group by campaign_id

),

final as (

    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.campaign_status,
        campaigns.budgeted_cost,
        coalesce(member_counts.member_record_count, 0) as member_record_count,
        coalesce(send_spans.send_job_count, 0) as send_job_count,
        coalesce(send_spans.sends, 0) as sends,
        campaigns.is_active,
        send_spans.sends is not null as has_email_sends,
        campaigns.start_date,
        campaigns.end_date,
        campaigns.created_at,
        send_spans.first_sent_at,
        send_spans.last_sent_at

    from campaigns
    left join member_counts on campaigns.campaign_id = member_counts.campaign_id
    left join send_spans on campaigns.campaign_id = send_spans.campaign_id

)

select * from final
