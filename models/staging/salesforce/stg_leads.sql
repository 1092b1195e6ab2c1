{#- One row per Salesforce lead not in the recycle bin, converted or not. -#}
with

source as (

    select * from {{ crm_source('lead') }}
    where not coalesce(is_deleted, false)

),

final as (

    select
        trim(id) as lead_id,
        nullif(trim(converted_contact_id), '') as converted_contact_id,
        trim(first_name) as first_name,
        trim(last_name) as last_name,
        lower(trim(email)) as email,
        {{ dbt.split_part('lower(trim(email))', "'@'", 2) }} as email_domain,
        trim(company) as company,
        upper(trim(country)) as country_code,
        trim(status) as lead_status,
        is_converted,
        cast(converted_date as date) as converted_date,
        cast(created_date as {{ dbt.type_timestamp() }}) as created_at

    from source

)

select * from final
