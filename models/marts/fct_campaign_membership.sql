{#-
    One row per campaign x person. The CRM may hold a converted lead and its contact as two
    member records of one campaign; they are one person here. member_type is CONTACT when
    any of the person's records is a contact membership. Engagement columns come from
    fct_email_events for that campaign and person.
-#}
with

members as (

    select * from {{ ref('stg_campaign_members') }}

),

person_ids as (

    select * from {{ ref('int_person_ids_resolved') }}

),

events as (

    select * from {{ ref('fct_email_events') }}

),

resolved as (

    select
        members.*,
        coalesce(person_ids.person_id, members.member_record_id) as person_id

    from members
    left join person_ids on members.member_record_id = person_ids.source_record_id

),

memberships as (

    select
        campaign_id,
        person_id,
        min(campaign_member_id) as campaign_member_id,
        count(*) as member_record_count,
        case
            when {{ dbt.bool_or("member_type = 'CONTACT'") }} then 'CONTACT' else 'LEAD'
        end as member_type,
        max(member_status) as member_status,
        {{ dbt.bool_or('has_responded') }} as has_responded,
        min(created_at) as first_added_at

    from resolved
    group by campaign_id, person_id

),

engagement as (

    select
        campaign_id,
        person_id,
        {{ count_if("event_type = 'SEND'") }} as sends,
        {{ count_if("event_type = 'DELIVERED'") }} as deliveries,
        {{ count_if("event_type = 'OPEN'") }} as opens,
        {{ count_if("event_type = 'OPEN' and not is_machine_open") }} as human_opens,
        {{ count_if("event_type = 'CLICK'") }} as clicks,
        {{ count_if("event_type = 'CLICK' and not is_suspected_bot_click") }}
            as human_clicks,
        {{ count_if("event_type = 'BOUNCE'") }} as bounces,
        {{ count_if("event_type = 'UNSUBSCRIBE'") }} as unsubscribes,
        min(case when event_type = 'SEND' then event_at end) as first_sent_at

    from events
    group by campaign_id, person_id

),

final as (

    select
        memberships.campaign_member_id,
        memberships.campaign_id,
        memberships.person_id,
        memberships.member_type,
        memberships.member_status,
        memberships.member_record_count,
        coalesce(engagement.sends, 0) as sends,
        coalesce(engagement.deliveries, 0) as deliveries,
        coalesce(engagement.opens, 0) as opens,
        coalesce(engagement.human_opens, 0) as human_opens,
        coalesce(engagement.clicks, 0) as clicks,
        coalesce(engagement.human_clicks, 0) as human_clicks,
        coalesce(engagement.bounces, 0) as bounces,
        coalesce(engagement.unsubscribes, 0) as unsubscribes,
        memberships.has_responded,
        coalesce(engagement.sends, 0) > 0 as was_emailed,
        coalesce(engagement.human_opens, 0) > 0 as has_human_open,
        coalesce(engagement.human_clicks, 0) > 0 as has_human_click,
        memberships.first_added_at,
        engagement.first_sent_at

    from memberships
    left join engagement
        on
            memberships.campaign_id = engagement.campaign_id
            and memberships.person_id = engagement.person_id

)

select * from final
