{#-
    dbt run-operation insert_mock_marketing_cloud_events
        --args '{run_date: "2026-11-26", n_events: 2000, seed: 42}'

    Appends one day's realistic Marketing Cloud events to the landing table, as the batch
    `mock:<run_date>:<seed>`. Deterministic on every engine: all randomness is md5 of
    (seed, day, send number, purpose), never random(). Idempotent: a batch that is already
    there is not added again.

    Each "send unit" n (0 .. n_events - 1) is one email to one person and expands into its
    funnel: SEND, then DELIVERED or a hard/soft bounce, then a machine (Apple MPP) open, a
    human open, a click after the open, a security-scanner click seconds after delivery and
    sometimes an unsubscribe. About 5% of units are late arrivals: the open (and click) of a
    send made one to three days earlier, with the same event id as when that day's batch made
    it, so a replay collapses onto the original. The first n_events rows by (unit, stage) are
    kept, so no event ever precedes the earlier stages of its funnel.

    bad_rate (0 to 1, default 0) corrupts that share of rows, one kind each, for the
    quarantine and reconciliation to handle: blank event id, unknown event type,
    unparseable, future and too-old timestamps, oversized text, text that was not UTF-8
    (U+FFFD), a blank job id, a blank subscriber key, SQL-looking text (valid: stored as
    data), an unknown person, and an event id repeated with a conflicting payload.
-#}
{% macro insert_mock_marketing_cloud_events(run_date=none, n_events=2000, seed=42, bad_rate=0) %}
    {%- set run_date = mock_events_run_date(run_date) -%}
    {%- set n_events = bounded_integer('n_events', n_events, 1, 10000000) -%}
    {%- set seed = bounded_integer('seed', seed, 0, 2147483647) -%}
    {%- set bad_per_million = bounded_share('bad_rate', bad_rate) -%}
    {%- set load_id = 'mock:' ~ run_date ~ ':' ~ seed -%}
    {%- set landing = events_landing_relation() -%}

    {%- for seed_name in ['campaigns', 'contacts', 'leads'] -%}
        {%- set seed_relation = ref(seed_name) -%}
        {%- if load_relation(seed_relation) is none -%}
            {{ exceptions.raise_compiler_error(
                "insert_mock_marketing_cloud_events: seed '" ~ seed_name
                ~ "' is not loaded; run `dbt seed` (or `mart daily`) first."
            ) }}
        {%- endif -%}
    {%- endfor -%}

    {%- do ensure_events_landing_table() -%}
    {%- set existing = run_query(
        "select count(*) from " ~ landing ~ " where _load_id = '" ~ load_id ~ "'"
    ).columns[0].values()[0] -%}
    {%- if existing > 0 -%}
        {{ log("insert_mock_marketing_cloud_events: batch " ~ load_id ~ " is already loaded ("
               ~ existing ~ " rows); nothing added.", info=true) }}
        {{ return(0) }}
    {%- endif -%}

    {%- do run_query(mock_events_insert_sql(
        landing, run_date, n_events, seed, load_id, bad_per_million
    )) -%}
    {%- set added = run_query(
        "select count(*) from " ~ landing ~ " where _load_id = '" ~ load_id ~ "'"
    ).columns[0].values()[0] -%}
    {{ log("insert_mock_marketing_cloud_events: added " ~ added ~ " events for " ~ run_date
           ~ " (batch " ~ load_id ~ ").", info=true) }}
    {{ return(added) }}
{% endmacro %}


{% macro mock_events_run_date(run_date) -%}
    {%- if run_date is none or run_date == '' -%}
        {{ return(run_started_at.strftime('%Y-%m-%d')) }}
    {%- endif -%}
    {%- set text = run_date | string | trim -%}
    {%- set match = modules.re.match('^(\\d{4})-(\\d{2})-(\\d{2})$', text) -%}
    {%- set ns = namespace(valid=false) -%}
    {%- if match -%}
        {%- set year, month, day = match.group(1) | int, match.group(2) | int,
            match.group(3) | int -%}
        {%- if 1900 <= year <= 2999 and 1 <= month <= 12 and day >= 1 -%}
            {%- set next_month = modules.datetime.date(
                year + (month // 12), (month % 12) + 1, 1) -%}
            {%- set last_day = (next_month - modules.datetime.timedelta(days=1)).day -%}
            {%- set ns.valid = day <= last_day -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not ns.valid -%}
        {{ exceptions.raise_compiler_error(
            "insert_mock_marketing_cloud_events: run_date '" ~ text
            ~ "' is not a calendar date; pass it as YYYY-MM-DD, for example "
            ~ "--args '{run_date: \"2026-11-26\"}'."
        ) }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}


{% macro bounded_integer(name, value, minimum, maximum) -%}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.match('^-?\\d+$', text)
        or (text | int) < minimum or (text | int) > maximum -%}
        {{ exceptions.raise_compiler_error(
            "insert_mock_marketing_cloud_events: " ~ name ~ " must be a whole number from "
            ~ minimum ~ " to " ~ maximum ~ ", not '" ~ text ~ "'."
        ) }}
    {%- endif -%}
    {{ return(text | int) }}
{%- endmacro %}


{% macro mock_hash(seed, day_sql, unit_sql, purpose) -%}
    {#- Pseudo-random integer in [0, 2^32) for (seed, day, unit, purpose). -#}
    {%- set string = dbt.type_string() -%}
    {{ hash_int(dbt.concat([
        "'" ~ seed ~ "|'", 'cast(' ~ day_sql ~ ' as ' ~ string ~ ')', "'|'",
        'cast(' ~ unit_sql ~ ' as ' ~ string ~ ')', "'|" ~ purpose ~ "'",
    ])) }}
{%- endmacro %}


{% macro bounded_share(name, value) -%}
    {#- A share from 0 to 1, returned as parts per million. -#}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.match('^(0|1|0?\\.\\d+|1\\.0+)$', text) -%}
        {{ exceptions.raise_compiler_error(
            "insert_mock_marketing_cloud_events: " ~ name ~ " must be a number from 0 to 1, "
            ~ "not '" ~ text ~ "'."
        ) }}
    {%- endif -%}
    {{ return(((text | float) * 1000000) | round | int) }}
{%- endmacro %}


{% macro mock_events_insert_sql(landing, run_date, n_events, seed, load_id, bad_per_million=0) -%}
{%- set string = dbt.type_string() -%}
{%- set timestamp = dbt.type_timestamp() -%}
{#- Shares of sends, as thresholds on a hash in [0, 2^32). -#}
{%- set below = {} -%}
{%- for name, share in [('late', 0.05), ('orphan', 0.02), ('hard', 0.02), ('bounce', 0.035),
    ('mpp', 0.4), ('open', 0.35), ('click', 0.3), ('scan', 0.03), ('unsub', 0.02)] -%}
    {%- do below.update({name: (share * 4294967296) | int}) -%}
{%- endfor -%}
{%- set day = "cast('" ~ run_date ~ "' as date)" -%}
insert into {{ landing }} (
    {{ events_landing_columns() | join(', ') }}, _loaded_at, _load_id
)
with

campaigns as (
    select
        campaign_id,
        row_number() over (order by campaign_id) - 1 as campaign_index
    from {{ ref('campaigns') }}
    where type = 'Email'
),

people as (
    select
        person_key,
        email_domain,
        row_number() over (order by person_key) - 1 as person_index
    from (
        select
            contact_id as person_key,
            {{ dbt.split_part('email', "'@'", 2) }} as email_domain
        from {{ ref('contacts') }}
        union all
        select
            lead_id as person_key,
            {{ dbt.split_part('email', "'@'", 2) }} as email_domain
        from {{ ref('leads') }}
    ) as everyone
),

sizes as (
    select
        (select count(*) from campaigns) as campaign_count,
        (select count(*) from people) as person_count
),

units as (
    -- A late unit (5%) replays the open and click of a send made 1-3 days earlier.
    select
        n as unit,
        {{ mock_hash(seed, day, 'n', 'late') }} < {{ below.late }} as is_late,
        {{ day }} as run_date,
        case
            when {{ mock_hash(seed, day, 'n', 'late') }} < {{ below.late }}
                then cast({{ dbt.dateadd(
                    'day', '-1 - mod(' ~ mock_hash(seed, day, 'n', 'late_days') ~ ', 3)', day
                ) }} as date)
            else {{ day }}
        end as send_day
    from ({{ integer_series(n_events) }}) as series
),

sends as (
    select
        units.unit,
        units.is_late,
        units.run_date,
        units.send_day,
        mod({{ mock_hash(seed, 'units.send_day', 'units.unit', 'job') }}, 3) as job_slot,
        mod({{ mock_hash(seed, 'units.send_day', 'units.unit', 'person') }}, sizes.person_count)
            as person_index,
        {{ mock_hash(seed, 'units.send_day', 'units.unit', 'bounce') }} as h_bounce,
        {{ mock_hash(seed, 'units.send_day', 'units.unit', 'mpp') }} as h_mpp,
        {{ mock_hash(seed, 'units.send_day', 'units.unit', 'open') }} as h_open,
        {{ mock_hash(seed, 'units.send_day', 'units.unit', 'click') }} as h_click,
        {{ mock_hash(seed, 'units.send_day', 'units.unit', 'scan') }} as h_scan,
        {{ mock_hash(seed, 'units.send_day', 'units.unit', 'unsub') }} as h_unsub,
        {{ mock_hash(seed, 'units.send_day', 'units.unit', 'delay') }} as h_delay,
        sizes.campaign_count
    from units
    cross join sizes
),

jobs as (
    -- Three send jobs a day, each for one campaign (2% of jobs unknown to the CRM).
    select
        sends.*,
        {{ mock_hash(seed, 'sends.send_day', 'sends.job_slot', 'orphan') }} < {{ below.orphan }}
            as is_orphan,
        mod({{ mock_hash(seed, 'sends.send_day', 'sends.job_slot', 'campaign') }},
            sends.campaign_count) as campaign_index,
        300000 + mod({{ mock_hash(seed, 'sends.send_day', 'sends.job_slot', 'job_id') }}, 600000)
            as job_id,
        1100 + mod({{ mock_hash(seed, 'sends.send_day', 'sends.job_slot', 'list') }}, 30)
            as list_id,
        {{ dbt.dateadd(
            'second',
            'sends.job_slot * 3600 + mod(sends.unit, 3000)',
            dbt.dateadd('hour', 13, 'cast(sends.send_day as ' ~ timestamp ~ ')'),
        ) }} as sent_at
    from sends
),

enriched as (
    select
        jobs.*,
        people.person_key,
        people.email_domain,
        40000000 + people.person_index as subscriber_id,
        case
            when jobs.is_orphan
                then {{ dbt.concat(["'7015g000MOCK'", "upper(substr(md5(" ~ dbt.concat([
                    "'orphan|'", "cast(jobs.job_id as " ~ string ~ ")"]) ~ "), 1, 6))"]) }}
            else campaigns.campaign_id
        end as campaign_id,
        jobs.h_bounce < {{ below.hard }} as is_hard_bounce,
        jobs.h_bounce >= {{ below.hard }} and jobs.h_bounce < {{ below.bounce }}
            as is_soft_bounce,
        jobs.h_bounce >= {{ below.bounce }} as is_delivered,
        jobs.h_open < {{ below.open }} as is_opened,
        {{ dbt.dateadd('second', '1 + mod(jobs.h_delay, 119)', 'jobs.sent_at') }}
            as delivered_at
    from jobs
    inner join people on jobs.person_index = people.person_index
    left join campaigns on jobs.campaign_index = campaigns.campaign_index
),

stages as (
    select
        1 as stage,
        'Sent' as event_type
    union all select 2, 'DeliveredEvent'
    union all select 3, 'HardBounce'
    union all select 4, 'SoftBounce'
    union all select 5, 'Open'
    union all select 6, 'Open'
    union all select 7, 'Click'
    union all select 8, 'Click'
    union all select 9, 'Unsubscribe'
),

funnel as (
    select
        enriched.*,
        stages.stage,
        stages.event_type,
        {{ dbt.dateadd('second', '60 + mod(enriched.h_delay, 21600)', 'enriched.delivered_at') }}
            as opened_at
    from enriched
    cross join stages
),

events as (
    -- Stage 5 is the Apple MPP prefetch, stage 8 a security scanner's click.
    select
        funnel.*,
        case stage
            when 1 then sent_at
            when 2 then delivered_at
            when 3 then {{ dbt.dateadd('second', '30', 'sent_at') }}
            when 4 then {{ dbt.dateadd('second', '45', 'sent_at') }}
            when 5 then {{ dbt.dateadd('second', 'mod(h_mpp, 600)', 'delivered_at') }}
            when 6 then opened_at
            when 7 then {{ dbt.dateadd('second', '30 + mod(h_click, 900)', 'opened_at') }}
            when 8 then {{ dbt.dateadd('second', '3 + mod(h_scan, 40)', 'delivered_at') }}
            when 9 then {{ dbt.dateadd('second', '120', 'opened_at') }}
        end as event_at
    from funnel
    where
        case stage
            when 1 then not is_late
            when 2 then not is_late and is_delivered
            when 3 then not is_late and is_hard_bounce
            when 4 then not is_late and is_soft_bounce
            when 5 then not is_late and is_delivered and h_mpp < {{ below.mpp }}
            when 6 then is_delivered and is_opened
            when 7 then is_delivered and is_opened and h_click < {{ below.click }}
            when 8 then not is_late and is_delivered and h_scan < {{ below.scan }}
            when 9 then not is_late and is_delivered and is_opened and h_unsub < {{ below.unsub }}
        end
),

numbered as (
    select
        events.*,
        row_number() over (order by unit, stage) as row_in_batch
    from events
),

final as (
    select
        md5({{ dbt.concat([
            "'" ~ seed ~ "|'", 'cast(send_day as ' ~ string ~ ')', "'|'",
            'cast(unit as ' ~ string ~ ')', "'|'", 'cast(stage as ' ~ string ~ ')',
        ]) }}) as event_id,
        event_type,
        '514009876' as account_id,
        cast(job_id as {{ string }}) as job_id,
        cast(list_id as {{ string }}) as list_id,
        cast(cast(1 + (mod(unit, 3000) - mod(unit, 25)) / 25 as integer) as {{ string }})
            as batch_id,
        cast(subscriber_id as {{ string }}) as subscriber_id,
        person_key as subscriber_key,
        campaign_id,
        {{ timestamp_text(dbt.dateadd('hour', -6, 'event_at')) }} as event_date,
        email_domain,
        case
            when stage in (7, 8) then 'https://www.example.com/offer?utm_source=sfmc'
        end as url,
        case when stage in (7, 8) then 'hero_cta' end as link_name,
        case stage when 3 then 'Hard bounce' when 4 then 'Soft bounce' end
            as bounce_category,
        case stage when 3 then 'User Unknown' when 4 then 'Mailbox Full' end
            as bounce_subcategory,
        case stage when 3 then '550' when 4 then '452' end as smtp_code,
        case
            when stage = 5 then {{ dbt.concat([
                "'17.'", "cast(mod(unit, 250) + 1 as " ~ string ~ ")", "'.0.1'"]) }}
            when stage = 8 then '52.96.0.1'
            when stage in (6, 7, 9) then '81.2.69.160'
        end as ip_address,
        case
            when stage = 5 then 'Mozilla/5.0'
            when stage = 8 then 'Mozilla/5.0 (compatible; SafeLinks-Scanner/2.1)'
            when stage in (6, 7, 9)
                then 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36'
        end as user_agent,
        case
            when is_late
                then {{ dbt.dateadd('hour', 26, 'cast(run_date as ' ~ timestamp ~ ')') }}
            else {{ dbt.dateadd('minute', 10, 'event_at') }}
        end as _loaded_at,
        '{{ load_id }}' as _load_id,
        row_in_batch as row_number_in_batch
    from numbered
    where row_in_batch <= {{ n_events }}
),

marked as (
    -- bad_rate: a share of rows corrupted, one kind of bad input each (kind 0-11).
    select
        final.*,
        case
            when mod({{ mock_hash(seed, day, 'row_number_in_batch', 'bad') }}, 1000000)
                < {{ bad_per_million }}
                then mod({{ mock_hash(seed, day, 'row_number_in_batch', 'kind') }}, 12)
        end as bad_kind
    from final
),

corrupted as (
    select
        case
            when bad_kind = 0 then ''
            when bad_kind = 9 then lag(event_id) over (order by row_number_in_batch)
            else event_id
        end as event_id,
        case when bad_kind = 1 then 'Forwarded' else event_type end as event_type,
        account_id,
        case when bad_kind = 10 then ' ' else job_id end as job_id,
        list_id,
        batch_id,
        subscriber_id,
        case
            when bad_kind = 8 then {{ dbt.concat(["'0035g000NOBODY'", "cast(mod(row_number_in_batch, 1000) as " ~ dbt.type_string() ~ ")"]) }}
            when bad_kind = 11 then ''
            else subscriber_key
        end as subscriber_key,
        campaign_id,
        case
            when bad_kind = 2 then 'not a timestamp'
            when bad_kind = 3 then '2099-01-01 00:00:00'
            when bad_kind = 4 then '1990-01-01 00:00:00'
            else event_date
        end as event_date,
        email_domain,
        case when bad_kind = 6 then {{ dbt.concat(["'https://x.example/'", "chr(65533)"]) }} else url end
            as url,
        case when bad_kind = 7 then 'x''); drop table raw.events; --' else link_name end
            as link_name,
        bounce_category,
        bounce_subcategory,
        smtp_code,
        ip_address,
        case when bad_kind = 5 then repeat('x', 3000) else user_agent end as user_agent,
        _loaded_at,
        _load_id
    from marked
)

select
    {{ events_landing_columns() | join(',\n    ') }},
    _loaded_at,
    _load_id
from corrupted
{%- endmacro %}
