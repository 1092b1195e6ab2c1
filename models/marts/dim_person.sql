{#-
    One row per person: every contact, plus every lead that is not (yet) a contact. A
    converted lead is the same human as its contact and appears once, as the CONTACT, with
    converted_lead_id pointing back at the lead. No clear-text email or name reaches this
    layer: person_key is md5 of the normalised email address, for joins without PII.
-#}
with

contacts as (

    select * from {{ ref('stg_contacts') }}

),

leads as (

    select * from {{ ref('stg_leads') }}

),

person_ids as (

    select * from {{ ref('int_person_ids_resolved') }}

),

converted_leads as (

    select
        person_ids.person_id as contact_id,
        min(person_ids.source_record_id) as converted_lead_id

    from person_ids
    where person_ids.person_type = 'CONTACT' and person_ids.source_record_id != person_ids.person_id
    group by person_ids.person_id

),

contact_people as (

    select
        contacts.contact_id as person_id,
        'CONTACT' as person_type,
        {{ dbt.hash('contacts.email') }} as person_key,
        contacts.account_id,
        converted_leads.converted_lead_id,
        contacts.email_domain,
        contacts.country_code,
        contacts.title,
        contacts.account_name as company_name,
        contacts.account_industry as industry,
        cast(null as {{ dbt.type_string() }}) as lead_status,
        converted_leads.converted_lead_id is not null as is_converted_lead,
        contacts.has_opted_out_of_email,
        contacts.created_at

    from contacts
    left join converted_leads on contacts.contact_id = converted_leads.contact_id

),

lead_people as (

    select
        leads.lead_id as person_id,
        'LEAD' as person_type,
        {{ dbt.hash('leads.email') }} as person_key,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast(null as {{ dbt.type_string() }}) as converted_lead_id,
        leads.email_domain,
        leads.country_code,
        cast(null as {{ dbt.type_string() }}) as title,
        leads.company as company_name,
        cast(null as {{ dbt.type_string() }}) as industry,
        leads.lead_status,
        false as is_converted_lead,
        false as has_opted_out_of_email,
        leads.created_at

    from leads
    inner join person_ids
        on leads.lead_id = person_ids.source_record_id
    where person_ids.person_type = 'LEAD'

),

final as (

    select * from contact_people
    union all
    select * from lead_people

)

select * from final
