{#-
    Quarantine: every landed row that cannot become an event, with the reason and the
    original text of the row. Nothing is dropped silently; fix the source and re-load.
-#}
with

staged as (

    select * from {{ ref('stg_marketing_cloud_events') }}

),

final as (

    select
        rejection_reason,
        event_id,
        source_event_type,
        source_event_date,
        job_id,
        subscriber_key,
        campaign_id,
        {{ event_payload_hash() }} as payload_hash,
        load_id,
        loaded_at

    from staged
    where rejection_reason is not null

)

select * from final
