with

contacts as (

    select * from {{ ref('contacts') }}

),

accounts as (

    select * from {{ ref('accounts') }}

),

final as (

    select
        trim(contacts.contact_id) as contact_id,
        trim(contacts.account_id) as account_id,
        trim(contacts.first_name) as first_name,
        trim(contacts.last_name) as last_name,
        lower(trim(contacts.email)) as email,
        {{ dbt.split_part('lower(trim(contacts.email))', "'@'", 2) }} as email_domain,
        trim(contacts.title) as title,
        accounts.account_name,
        accounts.industry as account_industry,
        upper(trim(contacts.mailing_country)) as country_code,
        contacts.has_opted_out_of_email,
        cast(contacts.created_date as {{ dbt.type_timestamp() }}) as created_at

    from contacts
    left join accounts on contacts.account_id = accounts.account_id

)

select * from final
