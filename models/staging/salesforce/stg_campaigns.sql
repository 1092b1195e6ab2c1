{#- One row per Salesforce campaign not in the recycle bin, typed and renamed. -#}
with

source as (

    select * from {{ crm_source('campaign') }}
    where not coalesce(is_deleted, false)

),

final as (

    select
        trim(id) as campaign_id,
        trim(name) as campaign_name,
        trim(type) as campaign_type,
        trim(status) as campaign_status,
        cast(budgeted_cost as {{ dbt.type_numeric() }}) as budgeted_cost,
        is_active,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(created_date as {{ dbt.type_timestamp() }}) as created_at

    from source

)

select * from final
