{#-
    One row per event_id that landed more than once (valid rows only). The mart keeps one
    copy (see int_email_events_deduplicated); this view shows what was collapsed and flags
    copies whose payloads disagree.
-#}
with

duplicated as (

    -- Event ids with more than one copy, as counted by the dedup (a cheap pre-filter).
    select event_id from {{ ref('int_email_events_deduplicated') }}
    where raw_row_count > 1

),

staged as (

    select
        *,
        {{ event_payload_hash() }} as payload_hash
    from {{ ref('stg_marketing_cloud_events') }}
    where
        rejection_reason is null
        and event_id in (select duplicated.event_id from duplicated)

),

final as (

    select
        event_id,
        count(*) as raw_row_count,
        count(*) - 1 as collapsed_row_count,
        count(distinct payload_hash) as distinct_payload_count,
        count(distinct payload_hash) > 1 as has_conflicting_payloads,
        count(distinct load_id) as load_count,
        min(loaded_at) as first_loaded_at,
        max(loaded_at) as last_loaded_at

    from staged
    group by event_id
    having count(*) > 1

)

select * from final
