with

source as (

    select * from {{ ref('campaigns') }}

),

final as (

    select
        trim(campaign_id) as campaign_id,
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
