{#- One row per campaign id seen on email events but unknown to the CRM. -#}
with

events as (

    select * from {{ ref('fct_email_events') }}

),

final as (

    select
        campaign_id,
        count(*) as events,
        {{ count_if("event_type = 'SEND'") }} as sends,
        count(distinct job_id) as send_jobs,
        count(distinct person_id) as people,
        min(event_date) as first_event_date,
        max(event_date) as last_event_date,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at

    from events
    where campaign_id is not null and not is_known_campaign
    group by campaign_id

)

select * from final
