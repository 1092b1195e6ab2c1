{#-
    One row per campaign x person. The CRM may hold a converted lead and its contact as two
    member records of one campaign; they are one person here. member_type is CONTACT when
    any of the person's records is a contact membership; member_status is the furthest any
    record reached (Responded, then Sent, Invited, Planned; other statuses rank last).
    Engagement columns count the person's sends of the campaign (fct_email_sends). People
    emailed for a campaign they are not members of are not here: dq_campaign_non_member_recipients
    lists them.
-#}
with

members as (

    select * from {{ ref('stg_campaign_members') }}

),

person_ids as (

    select * from {{ ref('int_person_ids_resolved') }}

),

sends as (

    select * from {{ ref('fct_email_sends') }}

),

resolved as (

    select
        members.*,
        coalesce(person_ids.person_id, members.member_record_id) as person_id,
        case members.member_status
            when 'Responded' then 4
            when 'Sent' then 3
            when 'Invited' then 2
            when 'Planned' then 1
            else 0
        end as status_rank

    from members
    left join person_ids on members.member_record_id = person_ids.source_record_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by campaign_id, person_id
            order by status_rank desc, member_status asc, campaign_member_id asc
        ) as status_order

    from resolved

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
        max(case when status_order = 1 then member_status end) as member_status,
        {{ dbt.bool_or('has_responded') }} as has_responded,
        min(created_at) as first_added_at

    from ranked
    group by campaign_id, person_id

),

engagement as (

    select
        campaign_id,
        person_id,
        count(*) as sends,
        {{ count_if('is_delivered') }} as delivered_sends,
        {{ count_if('is_bounced') }} as bounced_sends,
        {{ count_if('is_opened') }} as opened_sends,
        {{ count_if('is_human_opened') }} as human_opened_sends,
        {{ count_if('is_clicked') }} as clicked_sends,
        {{ count_if('is_human_clicked') }} as human_clicked_sends,
        {{ count_if('is_unsubscribed') }} as unsubscribed_sends,
        min(sent_at) as first_sent_at

    from sends
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
        coalesce(engagement.delivered_sends, 0) as delivered_sends,
        coalesce(engagement.bounced_sends, 0) as bounced_sends,
        coalesce(engagement.opened_sends, 0) as opened_sends,
        coalesce(engagement.human_opened_sends, 0) as human_opened_sends,
        coalesce(engagement.clicked_sends, 0) as clicked_sends,
        coalesce(engagement.human_clicked_sends, 0) as human_clicked_sends,
        coalesce(engagement.unsubscribed_sends, 0) as unsubscribed_sends,
        memberships.has_responded,
        coalesce(engagement.sends, 0) > 0 as was_emailed,
        coalesce(engagement.human_opened_sends, 0) > 0 as has_human_open,
        coalesce(engagement.human_clicked_sends, 0) > 0 as has_human_click,
        memberships.first_added_at,
        engagement.first_sent_at

    from memberships
    left join engagement
        on
            memberships.campaign_id = engagement.campaign_id
            and memberships.person_id = engagement.person_id

)

select * from final
