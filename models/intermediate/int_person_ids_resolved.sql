{#-
    Every CRM id that can appear as a subscriber key or campaign member (contact ids and
    lead ids), mapped to the one person it belongs to. A converted lead is the same human
    as its contact: its id resolves to the contact's id, so that person is counted once.
-#}
with

contacts as (

    select * from {{ ref('stg_contacts') }}

),

leads as (

    select * from {{ ref('stg_leads') }}

),

contact_ids as (

    select
        contact_id as source_record_id,
        contact_id as person_id,
        'CONTACT' as person_type

    from contacts

),

lead_ids as (

    select
        leads.lead_id as source_record_id,
        coalesce(contacts.contact_id, leads.lead_id) as person_id,
        case when contacts.contact_id is not null then 'CONTACT' else 'LEAD' end
            as person_type

    from leads
    left join contacts
        on leads.is_converted and leads.converted_contact_id = contacts.contact_id

),

final as (

    select * from contact_ids
    union all
    select * from lead_ids

)

select * from final
