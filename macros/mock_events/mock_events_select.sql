{#-
    One day's sends and all their events as landing-table rows (the text columns, _loaded_at,
    _load_id): exactly n_events rows, the first by (send, stage), whenever they land; macro
    insert_mock_marketing_cloud_events keeps those that have arrived when it runs.

    Each unit is one send (one message to one person), drawn with the chances of
    var('mock_event_profile'), the profile harness/events.py draws from too. Its funnel: SEND,
    then DELIVERED or a hard, soft (sometimes retried hours later) or block bounce; an Apple
    MPP prefetch seconds after delivery; a person's opens hours later, a click after the open
    (or a click with no open: images blocked), an unsubscribe; on corporate mailboxes a
    security scanner clicking every link within two seconds, usually seconds after delivery,
    sometimes much later. Opens and clicks may land days late; some events land twice.

    Sends are spread over at least three jobs a day; each job's audience is an affine
    permutation of the people who may be emailed (contacts who did not opt out, leads not
    converted), so nobody gets one job twice in a day. On odd days job 0 is a journey: one
    JobID sending again, in new batches. 2% of the other jobs belong to campaigns unknown to
    the CRM: ad-hoc sends to a few people (at most orphan_job_sends), so an orphan job is a
    small share of a day, as in the seeds. A few delivered sends draw a spam complaint. All
    randomness is md5 of (seed, day, unit, purpose): the same on every engine.
-#}
{% macro mock_events_select(send_date, n_events, seed, load_id) -%}
{%- set p = var('mock_event_profile') -%}
{%- set string = dbt.type_string() -%}
{%- set timestamp = dbt.type_timestamp() -%}
{%- set day = "cast('" ~ send_date ~ "' as date)" -%}
{%- set day_number = (modules.datetime.datetime.strptime(send_date, '%Y-%m-%d').date()
    - modules.datetime.date(2000, 1, 1)).days -%}
{%- set is_journey_day = day_number % 2 == 1 -%}
{%- set links = p.links -%}
{%- set free_mail = "'" ~ p.free_mail_domains | join("', '") ~ "'" -%}
with

campaigns as (
    select
        id as campaign_id,
        row_number() over (order by id) - 1 as campaign_index
    from {{ source('salesforce', 'campaign') }}
    where
        type = 'Email'
        and status in ('In_Progress', 'Completed')
        and not coalesce(is_deleted, false)
),

people as (
    select
        person_key,
        email_domain,
        row_number() over (order by person_key) - 1 as person_index
    from (
        select
            id as person_key,
            lower({{ dbt.split_part('email', "'@'", 2) }}) as email_domain
        from {{ source('salesforce', 'contact') }}
        where not coalesce(has_opted_out_of_email, false) and not coalesce(is_deleted, false)
        union all
        select
            id as person_key,
            lower({{ dbt.split_part('email', "'@'", 2) }}) as email_domain
        from {{ source('salesforce', 'lead') }}
        where not coalesce(is_converted, false) and not coalesce(is_deleted, false)
    ) as eligible
),

sizes as (
    select
        campaign_count,
        person_count,
        -- Enough jobs that nobody gets one job twice in a day; at least three.
        greatest(
            3, cast(floor(({{ n_events }} + person_count - 1) / person_count) as integer)
        ) as job_count
    from (
        select
            (select count(*) from campaigns) as campaign_count,
            (select count(*) from people) as person_count
    ) as counts
),

units as (
    select
        series.n as unit,
        mod(series.n, sizes.job_count) as job_slot,
        cast(floor(series.n / sizes.job_count) as bigint) as position,
        sizes.person_count,
        sizes.campaign_count
    from ({{ integer_series(n_events) }}) as series
    cross join sizes
),

sends as (
    select
        units.*,
        {%- if is_journey_day %}
        units.job_slot = 0 as is_journey,
        {%- else %}
        false as is_journey,
        {%- endif %}
        -- Position -> person is one to one: the multiplier is a prime above any population.
        mod(
            case mod({{ mock_hash(seed, day, 'units.job_slot', 'prime') }}, 4)
                when 0 then 1000003 when 1 then 1000033 when 2 then 1000037 else 1000039
            end * units.position
            + mod({{ mock_hash(seed, day, 'units.job_slot', 'offset') }}, units.person_count),
            units.person_count
        ) as person_index,
        {{ mock_chance(seed, day, 'units.job_slot', 'orphan', p.orphan_job_share) }}
            as is_orphan_draw,
        mod({{ mock_hash(seed, day, 'units.job_slot', 'campaign') }}, units.campaign_count)
            as campaign_draw,
        300000 + mod({{ mock_hash(seed, day, 'units.job_slot', 'job_id') }}, 600000)
            as job_draw,
        1100 + mod({{ mock_hash(seed, day, 'units.job_slot', 'list') }}, 30) as list_id,
        {{ day_number % 10000 * 1000 + 1 }} + floor(units.position / 500) as batch_id,
        {{ dbt.dateadd(
            'second',
            '21600 + mod(' ~ mock_hash(seed, day, 'units.job_slot', 'start') ~ ', 57600)'
            ~ ' + floor(units.position / 100)',
            'cast(' ~ day ~ ' as ' ~ timestamp ~ ')',
        ) }} as sent_at,
        {{ mock_hash(seed, day, 'units.unit', 'bounce') }} as bounce_draw
    from units
),

enriched as (
    select
        sends.unit,
        sends.position,
        case when sends.is_journey then 299999 else sends.job_draw end as job_id,
        sends.list_id,
        sends.batch_id,
        sends.sent_at,
        people.person_key,
        people.email_domain,
        40000000 + people.person_index as subscriber_id,
        case
            when not sends.is_journey and sends.is_orphan_draw
                then {{ dbt.concat(["'7015g000MOCK'", "upper(substr(md5(" ~ dbt.concat([
                    "'orphan|'", "cast(sends.job_draw as " ~ string ~ ")"]) ~ "), 1, 6))"]) }}
            else campaigns.campaign_id
        end as campaign_id,
        people.email_domain not in ({{ free_mail }}) as is_corporate,
        sends.bounce_draw < {{ (p.hard_bounce * 4294967296) | int }} as is_hard_bounce,
        sends.bounce_draw >= {{ (p.hard_bounce * 4294967296) | int }}
        and sends.bounce_draw < {{ ((p.hard_bounce + p.soft_bounce) * 4294967296) | int }}
            as is_soft_bounce,
        sends.bounce_draw >= {{ ((p.hard_bounce + p.soft_bounce) * 4294967296) | int }}
        and sends.bounce_draw
        < {{ ((p.hard_bounce + p.soft_bounce + p.block_bounce) * 4294967296) | int }}
            as is_block_bounce,
        sends.bounce_draw
        >= {{ ((p.hard_bounce + p.soft_bounce + p.block_bounce) * 4294967296) | int }}
            as is_delivered,
        {{ mock_chance(seed, day, 'sends.unit', 'retry', p.soft_bounce_retry) }} as is_retried,
        {{ mock_chance(seed, day, 'sends.unit', 'mpp', p.mpp_share) }} as is_apple_mail,
        {{ mock_chance(seed, day, 'sends.unit', 'open', p.human_open) }} as is_opener,
        {{ mock_chance(seed, day, 'sends.unit', 'again', p.open_again) }} as opens_again,
        {{ mock_chance(seed, day, 'sends.unit', 'click', p.click_given_open) }} as is_clicker,
        {{ mock_chance(seed, day, 'sends.unit', 'blind', p.click_without_open) }}
            as clicks_blind,
        {{ mock_chance(seed, day, 'sends.unit', 'scan', p.scanner_on_corporate) }}
            as is_scanned,
        {{ mock_chance(seed, day, 'sends.unit', 'late_scan', p.scanner_late_share) }}
            as is_late_scan,
        {{ mock_chance(seed, day, 'sends.unit', 'unsub', p.unsubscribe_given_open) }}
            as is_leaver,
        {{ mock_chance(seed, day, 'sends.unit', 'complaint', p.complaint_given_delivered) }}
            as is_complainer,
        {{ mock_hash(seed, day, 'sends.unit', 'delay') }} as delay_draw
    from sends
    inner join people on sends.person_index = people.person_index
    left join campaigns
        on
            campaigns.campaign_index
            = case when sends.is_journey then 0 else sends.campaign_draw end
    -- An orphan job is an ad-hoc send to a few people.
    where
        sends.is_journey
        or not sends.is_orphan_draw
        or sends.position < {{ p.orphan_job_sends }}
),

timed as (
    select
        enriched.*,
        {{ dbt.dateadd('second', '1 + mod(delay_draw, 119)', 'sent_at') }} as delivered_at
    from enriched
),

timed_opens as (
    select
        timed.*,
        {{ dbt.dateadd('second', '30 + mod(' ~ mock_hash(seed, day, 'unit', 'open_at')
            ~ ', 43200)', 'delivered_at') }} as opened_at,
        {{ dbt.dateadd('second',
            'case when is_late_scan then 300 + mod(delay_draw, 3300) '
            ~ 'else 3 + mod(delay_draw, 37) end', 'delivered_at') }} as scanned_at
    from timed
),

stages as (
    select
        1 as stage,
        'Sent' as event_type
    union all select 2, 'DeliveredEvent'
    union all select 3, 'HardBounce'
    union all select 4, 'SoftBounce'
    union all select 5, 'SoftBounce'
    union all select 6, 'OtherBounce'
    union all select 7, 'Open'
    union all select 8, 'Open'
    union all select 9, 'Open'
    union all select 10, 'Click'
    {%- for link in links %}
    union all select {{ 11 + loop.index0 }}, 'Click'
    {%- endfor %}
    union all select 20, 'Unsubscribe'
    union all select 21, 'Complaint'
),

events as (
    -- Stage 7 is the Apple MPP prefetch, 11 and up a scanner following every link.
    select
        timed_opens.*,
        stages.stage,
        stages.event_type,
        case
            when stages.stage = 1 then sent_at
            when stages.stage = 2 then delivered_at
            when stages.stage in (3, 4, 6)
                then {{ dbt.dateadd('second', '5 + mod(delay_draw, 895)', 'sent_at') }}
            when stages.stage = 5
                then {{ dbt.dateadd('second', '3600 + mod(delay_draw, 18000)', 'sent_at') }}
            when stages.stage = 7
                then {{ dbt.dateadd('second', 'mod(delay_draw, 600)', 'delivered_at') }}
            when stages.stage = 8 then opened_at
            when stages.stage = 9
                then {{ dbt.dateadd('second', '60 + mod(delay_draw, 86400)', 'opened_at') }}
            when stages.stage = 10 and is_opener
                then {{ dbt.dateadd('second', '130 + mod(delay_draw, 1800)', 'opened_at') }}
            when stages.stage = 10
                then {{ dbt.dateadd('second', '130 + mod(delay_draw, 1800)', 'delivered_at') }}
            when stages.stage = 20
                then {{ dbt.dateadd('second', '30 + mod(delay_draw, 600)', 'opened_at') }}
            when stages.stage = 21
                then {{ dbt.dateadd('second', '600 + mod(delay_draw, 86400)', 'delivered_at') }}
            else {{ dbt.dateadd('second', 'mod(' ~ mock_hash(
                seed, day, "unit * 100 + stages.stage", 'burst') ~ ', 2)', 'scanned_at') }}
        end as event_at
    from timed_opens
    cross join stages
    where
        case
            when stages.stage = 1 then true
            when stages.stage = 2 then is_delivered
            when stages.stage = 3 then is_hard_bounce
            when stages.stage = 4 then is_soft_bounce
            when stages.stage = 5 then is_soft_bounce and is_retried
            when stages.stage = 6 then is_block_bounce
            when stages.stage = 7 then is_delivered and is_apple_mail
            when stages.stage = 8 then is_delivered and is_opener
            when stages.stage = 9 then is_delivered and is_opener and opens_again
            when stages.stage = 10
                then is_delivered and ((is_opener and is_clicker) or (not is_opener and clicks_blind))
            when stages.stage = 20 then is_delivered and is_opener and is_leaver
            when stages.stage = 21 then is_delivered and is_complainer
            else is_delivered and is_corporate and is_scanned
        end
),

copies as (
    -- Every event lands once; some a second time, a day or two later (same event id).
    select
        events.*,
        1 as copy_number
    from events
    union all
    select
        events.*,
        2 as copy_number
    from events
    where {{ mock_chance(seed, day, 'unit * 100 + stage', 'duplicate', p.duplicate_share) }}
),

numbered as (
    select
        copies.*,
        row_number() over (order by unit, stage, copy_number) as row_number_in_batch
    from copies
),

landed as (
    select
        md5({{ dbt.concat([
            "'" ~ seed ~ "|'", 'cast(' ~ day ~ ' as ' ~ string ~ ')', "'|'",
            'cast(unit as ' ~ string ~ ')', "'|'", 'cast(stage as ' ~ string ~ ')',
        ]) }}) as event_id,
        event_type,
        '{{ p.sfmc_account_id }}' as account_id,
        cast(job_id as {{ string }}) as job_id,
        cast(list_id as {{ string }}) as list_id,
        cast(cast(batch_id as bigint) as {{ string }}) as batch_id,
        cast(subscriber_id as {{ string }}) as subscriber_id,
        person_key as subscriber_key,
        campaign_id,
        {{ timestamp_text(dbt.dateadd('hour', -6, 'event_at')) }} as event_date,
        email_domain,
        case
            {%- for link in links %}
            when stage = {{ 11 + loop.index0 }}
                or (stage = 10 and mod(delay_draw, {{ links | length }}) = {{ loop.index0 }})
                then '{{ link.url }}'
            {%- endfor %}
        end as url,
        case
            {%- for link in links %}
            when stage = {{ 11 + loop.index0 }}
                or (stage = 10 and mod(delay_draw, {{ links | length }}) = {{ loop.index0 }})
                then '{{ link.name }}'
            {%- endfor %}
        end as link_name,
        case stage
            when 3 then 'Hard bounce' when 4 then 'Soft bounce' when 5 then 'Soft bounce'
            when 6 then 'Block bounce'
        end as bounce_category,
        case stage
            when 3 then 'User Unknown' when 4 then 'Mailbox Full' when 5 then 'Mailbox Full'
            when 6 then 'Blocked'
        end as bounce_subcategory,
        case stage when 3 then '550' when 4 then '452' when 5 then '452' when 6 then '554' end
            as smtp_code,
        case
            when stage = 7
                then {{ dbt.concat(["'17.'", "cast(mod(unit, 250) + 1 as " ~ string ~ ")",
                    "'.0.1'"]) }}
            when stage >= 11 and stage < 20 then '52.96.0.1'
            when stage in (8, 9, 10, 20) then '81.2.69.160'
        end as ip_address,
        case
            when stage = 7 then 'Mozilla/5.0'
            when stage >= 11 and stage < 20
                then 'Mozilla/5.0 (compatible; SafeLinks-Scanner/2.1)'
            when stage in (8, 9, 10, 20)
                then 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36'
        end as user_agent,
        {{ dbt.dateadd(
            'second',
            '60 + mod(' ~ mock_hash(seed, day, 'unit * 100 + stage', 'lag') ~ ', 2400)'
            ~ ' + case when stage in (7, 8, 9, 10) and '
            ~ mock_chance(seed, day, 'unit * 100 + stage', 'late', p.late_share)
            ~ ' then 86400 * (1 + mod(' ~ mock_hash(seed, day, 'unit * 100 + stage', 'late_days')
            ~ ', 5)) + mod(delay_draw, 86400) else 0 end'
            ~ ' + case when copy_number = 2 then 86400 + mod(delay_draw, 172800) else 0 end',
            'event_at',
        ) }} as _loaded_at,
        '{{ load_id }}' as _load_id,
        -- The event id of the send's own SEND row: a later run carries the send's late rows
        -- only if that row has landed.
        md5({{ dbt.concat([
            "'" ~ seed ~ "|'", 'cast(' ~ day ~ ' as ' ~ string ~ ')', "'|'",
            'cast(unit as ' ~ string ~ ')', "'|1'",
        ]) }}) as send_event_id,
        row_number_in_batch
    from numbered
    where row_number_in_batch <= {{ n_events }}
)

select * from landed
{%- endmacro %}
