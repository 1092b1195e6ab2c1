{#- One row per Salesforce contact not in the recycle bin, with its account's name. -#}
with

contacts as (

    select * from {{ crm_source('contact') }}
    where not coalesce(is_deleted, false)

),

accounts as (

    select * from {{ crm_source('account') }}
    where not coalesce(is_deleted, false)

),

final as (

    select
        trim(contacts.id) as contact_id,
        trim(contacts.account_id) as account_id,
        trim(contacts.first_name) as first_name,
        trim(contacts.last_name) as last_name,
        lower(trim(contacts.email)) as email,
        {{ dbt.split_part('lower(trim(contacts.email))', "'@'", 2) }} as email_domain,
        trim(contacts.title) as title,
        accounts.name as account_name,
        accounts.industry as account_industry,
        upper(trim(contacts.mailing_country)) as country_code,
        contacts.has_opted_out_of_email,
        cast(contacts.created_date as {{ dbt.type_timestamp() }}) as created_at

    from contacts
    left join accounts on contacts.account_id = accounts.id

)

select * from final
