{#-
    Quarantine: every landed row that cannot become an event, with the reason and the
    original text of the row. Nothing is dropped silently; fix the source and re-load.
-#}
with

staged as (

    select * from {{ ref('stg_marketing_cloud_events') }}

),

reasons as (

    select * from {{ ref('rejection_reasons') }}

),

final as (

    select
        staged.rejection_reason,
        reasons.description as rejection_description,
        staged.event_id,
        staged.source_event_type,
        staged.source_event_date,
        staged.job_id,
        staged.subscriber_key,
        staged.campaign_id,
        {{ event_payload_hash() }} as payload_hash,
        staged.load_id,
        staged.loaded_at

    from staged
    left join reasons on staged.rejection_reason = reasons.rejection_reason
    where staged.rejection_reason is not null

)

select * from final
