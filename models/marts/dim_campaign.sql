{#-
    One row per CRM campaign, with its membership size, the span of its email sends and who
    they reached (recipients who are not members: dq_campaign_non_member_recipients).
-#}
with

campaigns as (

    select * from {{ ref('stg_campaigns') }}

),

members as (

    select * from {{ ref('stg_campaign_members') }}

),

sends as (

    select * from {{ ref('fct_email_sends') }}

),

non_members as (

    select * from {{ ref('dq_campaign_non_member_recipients') }}

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
        count(distinct person_id) as recipients,
        min(sent_at) as first_sent_at,
        max(sent_at) as last_sent_at

    from sends
    group by campaign_id

),

non_member_counts as (

    select
        campaign_id,
        count(*) as non_member_recipients

    from non_members
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
        coalesce(send_spans.recipients, 0) as recipients,
        coalesce(non_member_counts.non_member_recipients, 0) as non_member_recipients,
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
    left join non_member_counts on campaigns.campaign_id = non_member_counts.campaign_id

)

select * from final
