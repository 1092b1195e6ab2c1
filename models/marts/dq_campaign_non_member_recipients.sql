{#-
    One row per campaign x person emailed for a CRM campaign they are not a member of (no
    CampaignMember record of theirs, as a contact or as the lead they were converted from).
    Such sends count in every KPI; this model says who they went to, so campaign membership
    (fct_campaign_membership) and email reach can be reconciled.
-#}
with

sends as (

    select * from {{ ref('fct_email_sends') }}

),

memberships as (

    select * from {{ ref('fct_campaign_membership') }}

),

final as (

    select
        sends.campaign_id,
        sends.person_id,
        count(*) as sends,
        {{ count_if('sends.is_delivered') }} as delivered_sends,
        {{ dbt.bool_or('sends.is_known_person') }} as is_known_person,
        min(sends.sent_at) as first_sent_at,
        max(sends.sent_at) as last_sent_at

    from sends
    left join memberships
        on
            sends.campaign_id = memberships.campaign_id
            and sends.person_id = memberships.person_id
    where sends.is_known_campaign and memberships.campaign_id is null
    group by sends.campaign_id, sends.person_id

)

select * from final
