{#-
    One row per event_id among the valid staged rows. The source re-delivers events (the
    same event_id, loaded again later); the first loaded copy wins, ties broken by the
    payload hash so the choice is the same on every engine. raw_row_count and
    payload_count say how many copies were collapsed and whether they disagreed.
-#}
with

staged as (

    select * from {{ ref('stg_marketing_cloud_events') }}
    where rejection_reason is null

),

ranked as (

    select
        *,
        row_number() over (
            partition by event_id
            order by loaded_at, payload_hash
        ) as copy_number,
        count(*) over (partition by event_id) as raw_row_count,
        count(distinct payload_hash) over (partition by event_id) as payload_count

    from staged

),

final as (

    select
        event_id,
        business_unit_id,
        job_id,
        list_id,
        batch_id,
        subscriber_id,
        subscriber_key,
        campaign_id,
        event_type,
        bounce_type,
        email_domain,
        url,
        link_name,
        bounce_category,
        smtp_code,
        ip_address,
        user_agent,
        raw_row_count,
        payload_count,
        event_date,
        event_at,
        loaded_at

    from ranked
    where copy_number = 1

)

select * from final
