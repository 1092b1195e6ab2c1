{#- One row per Salesforce CampaignMember not in the recycle bin. -#}
with

source as (

    select * from {{ crm_source('campaign_member') }}
    where not coalesce(is_deleted, false)

),

final as (

    select
        trim(id) as campaign_member_id,
        trim(campaign_id) as campaign_id,
        nullif(trim(lead_id), '') as lead_id,
        nullif(trim(contact_id), '') as contact_id,
        -- The CRM's member record id: the contact when there is one, else the lead.
        coalesce(nullif(trim(contact_id), ''), nullif(trim(lead_id), '')) as member_record_id,
        upper(trim(type)) as member_type,
        trim(status) as member_status,
        has_responded,
        cast(created_date as {{ dbt.type_timestamp() }}) as created_at

    from source

)

select * from final
