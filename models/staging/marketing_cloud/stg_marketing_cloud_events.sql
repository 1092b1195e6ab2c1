{#-
    One row per raw landed row (duplicates included), typed and conformed. Rows that cannot
    become an event get a rejection_reason and are quarantined downstream, never dropped.
    Where the events are the environment's own (DBT_MART_SOURCES=own), the pre-hooks keep the
    landing table's seed batch equal to the seed (see macros/events_landing.sql); appended
    batches are never touched.

    Incremental by landing batch (load_id): a run types only the batches that are new or whose
    row count changed since the last run, and replaces those batches whole. A batch deleted
    from raw stays here until a --full-refresh.
-#}
{{ config(materialized='incremental', unique_key='load_id', pre_hook=seed_events_batch_hooks()) }}
-- depends_on: {{ ref('marketing_cloud_events') }}

with

source as (

    select * from {{ source('marketing_cloud', 'events') }}
    -- noqa: disable=LT02,LT09
    {%- if is_incremental() %}
    where coalesce(_load_id, '(none)') in (

        select landed.load_id
        from (
            select coalesce(_load_id, '(none)') as load_id, count(*) as row_count
            from {{ source('marketing_cloud', 'events') }}
            group by coalesce(_load_id, '(none)')
        ) as landed
        left join (
            select load_id, count(*) as row_count
            from {{ this }}
            group by load_id
        ) as staged
            on landed.load_id = staged.load_id
        where staged.row_count is null or staged.row_count <> landed.row_count

    )
    {%- endif %}
    -- noqa: enable=LT02,LT09

),

cleaned as (

    select
        nullif(trim(event_id), '') as event_id,
        nullif(trim(account_id), '') as business_unit_id,
        nullif(trim(job_id), '') as job_id,
        nullif(trim(list_id), '') as list_id,
        nullif(trim(batch_id), '') as batch_id,
        nullif(trim(subscriber_id), '') as subscriber_id,
        nullif(trim(subscriber_key), '') as subscriber_key,
        nullif(trim(campaign_id), '') as campaign_id,
        trim(event_type) as source_event_type,
        upper(replace(replace(trim(event_type), ' ', ''), '_', '')) as event_type_key,
        lower(nullif(trim(email_domain), '')) as email_domain,
        nullif(trim(url), '') as url,
        nullif(trim(link_name), '') as link_name,
        nullif(trim(bounce_category), '') as bounce_category,
        nullif(trim(bounce_subcategory), '') as bounce_subcategory,
        nullif(trim(smtp_code), '') as smtp_code,
        nullif(trim(ip_address), '') as ip_address,
        nullif(trim(user_agent), '') as user_agent,
        -- SFMC's IsUnique (its data views: 1/0, True/False); NULL where the export has none.
        case
            when lower(trim(is_unique)) in ('1', 'true') then true
            when lower(trim(is_unique)) in ('0', 'false') then false
        end as sfmc_is_unique,
        event_date as source_event_date,
        trim(event_date) as event_date_text,
        _loaded_at as loaded_at,
        coalesce(_load_id, '(none)') as load_id,
        -- When this run staged the row (one value per run): tells later models which
        -- batches are new, whatever their landing times.
        {{ sql_timestamp(run_started_at) }} as staged_at,
        -- Text checks over every exported field: a field longer than var('max_text_length'),
        -- or holding U+FFFD (bytes that were not UTF-8, replaced on the way in).
        {{ any_landing_field('coalesce(length({field}), 0) > ' ~ var('max_text_length')) }}
            as has_oversized_text,
        {{ any_landing_field('coalesce(position(chr(65533) in {field}), 0) > 0') }}
            as has_invalid_text

    from source

),

conformed as (

    select
        *,
        -- EventDate is US Central Standard Time without daylight saving: always UTC-6. Two
        -- formats are read, the same way on every engine (macro parse_sfmc_event_date).
        {{ dbt.dateadd('hour', 6, parse_sfmc_event_date('event_date_text')) }} as event_at,
        case
            when event_type_key in ('SENT', 'SEND') then 'SEND'
            when event_type_key in ('DELIVEREDEVENT', 'DELIVERED') then 'DELIVERED'
            when event_type_key = 'OPEN' then 'OPEN'
            when event_type_key = 'CLICK' then 'CLICK'
            when event_type_key in ('HARDBOUNCE', 'SOFTBOUNCE', 'OTHERBOUNCE', 'BOUNCE')
                then 'BOUNCE'
            when event_type_key = 'UNSUBSCRIBE' then 'UNSUBSCRIBE'
            -- A spam complaint (SFMC's _Complaint data view).
            when event_type_key in ('COMPLAINT', 'SPAMCOMPLAINT') then 'COMPLAINT'
        end as event_type,
        case
            when event_type_key = 'HARDBOUNCE' then 'HARD'
            when event_type_key = 'SOFTBOUNCE' then 'SOFT'
            when event_type_key = 'OTHERBOUNCE' then 'OTHER'
            when event_type_key = 'BOUNCE' and lower(bounce_category) like 'hard%' then 'HARD'
            when event_type_key = 'BOUNCE' and lower(bounce_category) like 'soft%' then 'SOFT'
            when event_type_key = 'BOUNCE' then 'OTHER'
        end as bounce_type

    from cleaned

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
        source_event_type,
        bounce_type,
        email_domain,
        url,
        link_name,
        bounce_category,
        bounce_subcategory,
        smtp_code,
        ip_address,
        user_agent,
        sfmc_is_unique,
        source_event_date,
        load_id,
        staged_at,
        case
            when event_id is null then 'MISSING_EVENT_ID'
            -- An event tied to no send job or no subscriber cannot be attributed.
            when job_id is null then 'MISSING_JOB_ID'
            when subscriber_key is null then 'MISSING_SUBSCRIBER_KEY'
            when has_oversized_text then 'OVERSIZED_TEXT'
            when has_invalid_text then 'INVALID_TEXT'
            when event_type is null then 'UNKNOWN_EVENT_TYPE'
            when event_at is null then 'UNPARSEABLE_TIMESTAMP'
            when event_at < cast('{{ var("event_time_floor") }}' as {{ dbt.type_timestamp() }})
                then 'TIMESTAMP_BEFORE_FLOOR'
            when
                event_at > {{ dbt.dateadd('hour', var('future_tolerance_hours'), 'loaded_at') }}
                then 'TIMESTAMP_IN_FUTURE'
        end as rejection_reason,
        cast(event_at as date) as event_date,
        event_at,
        loaded_at

    from conformed

)

select * from final
