{#-
    The recomputation behind audit__daily_grain_violations (read that model's description):
    rows of fct_email_events_daily that break its contract, one row per (report_date,
    campaign_id, violation_type, column_name).

    report_dates: none for the whole history (the audit view, tested weekly and in every
    full build); or a list of dates, to check only those rows of the daily fact (the daily
    test daily_grain_violations_in_latest_build, on the dates the run wrote). Then the events
    are read from var('incremental_lookback_days') days before the earliest of those dates,
    by a constant the warehouse prunes by (Snowflake: micro-partition pruning on a constant
    filter, docs.snowflake.com/en/user-guide/tables-clustering-micropartitions). The cohort
    columns are recomputed from every event in that range of the jobs that sent on those
    dates: a send's events come after its send time, and a job sends within hours, so every
    event of those sends and of their jobs is read. A send that fct_email_sends lost or
    misdated falls outside that scope: the whole-history check catches it.
-#}
{% macro daily_grain_violations(report_dates=none) -%}
{%- set cohort_columns = [
    'sends', 'reconstructed_sends', 'delivered_sends', 'bounced_sends', 'hard_bounced_sends',
    'soft_bounced_sends', 'opened_sends', 'human_opened_sends', 'clicked_sends',
    'human_clicked_sends', 'unsubscribed_sends', 'complained_sends',
] -%}
{%- set activity_columns = [
    'send_events', 'delivered_events', 'open_events', 'machine_open_events', 'click_events',
    'suspected_bot_click_events', 'bounce_events', 'unsubscribe_events', 'complaint_events',
] -%}
{%- set rate_columns = [
    'delivery_rate', 'bounce_rate', 'hard_bounce_rate', 'soft_bounce_rate', 'unique_open_rate',
    'human_unique_open_rate', 'click_through_rate', 'human_click_through_rate',
    'click_to_open_rate', 'human_click_to_open_rate', 'unsubscribe_rate', 'complaint_rate',
] -%}
with

daily as (

    select * from {{ ref('fct_email_events_daily') }}
    {%- if report_dates is not none %}
    where {{ _in_dates('report_date', report_dates) }}
    {%- endif %}

),

-- Read twice: recomputed by each reader rather than stored whole (DuckDB).
events as {{ not_materialized() }} (

    select * from {{ ref('fct_email_events') }}
    {%- if report_dates is not none %}
    {%- if report_dates | length > 0 %}
    {%- set earliest = report_dates | min %}
    {%- set since = earliest - modules.datetime.timedelta(days=var('incremental_lookback_days') | int) %}
    where event_date >= cast('{{ since }}' as date)
    {%- else %}
    -- The run wrote no date: nothing to read.
    where 1 = 0
    {%- endif %}
    {%- endif %}

),

send_rows as (

    select
        job_id,
        coalesce(
            min(case when event_type = 'SEND' then campaign_id end), min(campaign_id)
        ) as campaign_id,
        max(case when event_type = 'SEND' then 1 else 0 end) as has_send_event,
        max(case when event_type = 'BOUNCE' then 1 else 0 end) as bounced,
        max(case when bounce_type = 'HARD' then 1 else 0 end) as hard_bounce,
        max(case when bounce_type = 'SOFT' then 1 else 0 end) as soft_bounce,
        max(case when event_type = 'DELIVERED' then 1 else 0 end) as delivery_event,
        max(case when event_type in ('OPEN', 'CLICK') then 1 else 0 end) as engaged,
        max(
            case
                when event_type = 'OPEN' and not is_machine_open then 1
                when event_type = 'CLICK' and not is_suspected_bot_click then 1
                else 0
            end
        ) as human_engaged,
        max(case when event_type = 'CLICK' then 1 else 0 end) as clicked,
        max(case when event_type = 'CLICK' and not is_suspected_bot_click then 1 else 0 end)
            as human_clicked,
        max(case when event_type = 'UNSUBSCRIBE' then 1 else 0 end) as unsubscribed,
        max(case when event_type = 'COMPLAINT' then 1 else 0 end) as complained,
        cast(
            coalesce(min(case when event_type = 'SEND' then event_at end), min(event_at))
            as date
        ) as send_date

    from events
    {%- if report_dates is not none %}
    -- Every send of the jobs that sent on those dates (fct_email_sends says which jobs: only
    -- the scope, never a value compared), so a late open of an older send is not taken for
    -- a send of its own, and a job's DELIVERED events are all seen.
    where job_id in (
        select scope.job_id from {{ ref('fct_email_sends') }} as scope
        where {{ _in_dates('scope.send_date', report_dates) }}
    )
    {%- endif %}
    group by job_id, list_id, batch_id, subscriber_key

),

untracked_jobs as (

    -- Jobs with no DELIVERED event: there, a send that did not bounce was delivered.
    select job_id
    from send_rows
    group by job_id
    having max(delivery_event) = 0

),

outcomes as (

    select
        send_rows.*,
        case
            when send_rows.bounced = 1 then 0
            when send_rows.delivery_event = 1 or send_rows.engaged = 1 then 1
            when send_rows.complained = 1 then 1
            when untracked_jobs.job_id is not null then 1
            else 0
        end as delivered

    from send_rows
    left join untracked_jobs on send_rows.job_id = untracked_jobs.job_id

),

cohort as (

    select
        send_date as report_date,
        coalesce(campaign_id, '(none)') as campaign_id,
        count(*) as sends,
        sum(1 - has_send_event) as reconstructed_sends,
        sum(delivered) as delivered_sends,
        sum(bounced) as bounced_sends,
        sum(hard_bounce) as hard_bounced_sends,
        sum(case when bounced = 1 and hard_bounce = 0 then soft_bounce else 0 end)
            as soft_bounced_sends,
        sum(delivered * engaged) as opened_sends,
        sum(delivered * human_engaged) as human_opened_sends,
        sum(delivered * clicked) as clicked_sends,
        sum(delivered * human_clicked) as human_clicked_sends,
        sum(delivered * unsubscribed) as unsubscribed_sends,
        sum(delivered * complained) as complained_sends

    from outcomes
    {%- if report_dates is not none %}
    where {{ _in_dates('send_date', report_dates) }}
    {%- endif %}
    group by send_date, coalesce(campaign_id, '(none)')

),

activity as (

    select
        event_date as report_date,
        coalesce(campaign_id, '(none)') as campaign_id,
        sum(case when event_type = 'SEND' then 1 else 0 end) as send_events,
        sum(case when event_type = 'DELIVERED' then 1 else 0 end) as delivered_events,
        sum(case when event_type = 'OPEN' then 1 else 0 end) as open_events,
        sum(case when event_type = 'OPEN' and is_machine_open then 1 else 0 end)
            as machine_open_events,
        sum(case when event_type = 'CLICK' then 1 else 0 end) as click_events,
        sum(case when event_type = 'CLICK' and is_suspected_bot_click then 1 else 0 end)
            as suspected_bot_click_events,
        sum(case when event_type = 'BOUNCE' then 1 else 0 end) as bounce_events,
        sum(case when event_type = 'UNSUBSCRIBE' then 1 else 0 end) as unsubscribe_events,
        sum(case when event_type = 'COMPLAINT' then 1 else 0 end) as complaint_events

    from events
    {%- if report_dates is not none %}
    where {{ _in_dates('event_date', report_dates) }}
    {%- endif %}
    group by event_date, coalesce(campaign_id, '(none)')

),

-- Column lists from the Jinja lists above (sqlfluff cannot place a loop's lines).
-- noqa: disable=LT02
counts as (

    select
        {%- for column in cohort_columns %}
        coalesce(cohort.{{ column }}, 0) as {{ column }},
        {%- endfor %}
        {%- for column in activity_columns %}
        coalesce(activity.{{ column }}, 0) as {{ column }},
        {%- endfor %}
        coalesce(cohort.report_date, activity.report_date) as report_date,
        coalesce(cohort.campaign_id, activity.campaign_id) as campaign_id

    from cohort
    full outer join activity
        on
            cohort.report_date = activity.report_date
            and cohort.campaign_id = activity.campaign_id

),

-- noqa: enable=LT02
recomputed as (

    select
        *,
        {{ safe_divide('delivered_sends', 'sends') }} as delivery_rate,
        {{ safe_divide('bounced_sends', 'sends') }} as bounce_rate,
        {{ safe_divide('hard_bounced_sends', 'sends') }} as hard_bounce_rate,
        {{ safe_divide('soft_bounced_sends', 'sends') }} as soft_bounce_rate,
        {{ safe_divide('opened_sends', 'delivered_sends') }} as unique_open_rate,
        {{ safe_divide('human_opened_sends', 'delivered_sends') }} as human_unique_open_rate,
        {{ safe_divide('clicked_sends', 'delivered_sends') }} as click_through_rate,
        {{ safe_divide('human_clicked_sends', 'delivered_sends') }}
            as human_click_through_rate,
        {{ safe_divide('clicked_sends', 'opened_sends') }} as click_to_open_rate,
        {{ safe_divide('human_clicked_sends', 'human_opened_sends') }}
            as human_click_to_open_rate,
        {{ safe_divide('unsubscribed_sends', 'delivered_sends') }} as unsubscribe_rate,
        {{ safe_divide('complained_sends', 'delivered_sends') }} as complaint_rate

    from counts

),

grain_counts as (

    select
        report_date,
        campaign_id,
        count(*) as row_count

    from daily
    group by report_date, campaign_id

),

-- noqa: disable=LT02
compared as (

    select
        {%- for column in cohort_columns + activity_columns + rate_columns %}
        daily.{{ column }} as daily_{{ column }},
        recomputed.{{ column }} as recomputed_{{ column }},
        {%- endfor %}
        daily.report_date,
        daily.campaign_id

    from daily
    inner join recomputed
        on
            daily.report_date = recomputed.report_date
            and daily.campaign_id = recomputed.campaign_id

),

-- noqa: enable=LT02
violations as (

    select
        report_date,
        campaign_id,
        'NULL_KEY' as violation_type,
        cast(null as {{ dbt.type_string() }}) as column_name
    from daily
    where report_date is null or campaign_id is null

    union all

    select
        report_date,
        campaign_id,
        'DUPLICATE_GRAIN' as violation_type,
        cast(null as {{ dbt.type_string() }}) as column_name
    from grain_counts
    where row_count > 1

    union all

    select
        coalesce(daily.report_date, recomputed.report_date) as report_date,
        coalesce(daily.campaign_id, recomputed.campaign_id) as campaign_id,
        case when daily.report_date is null then 'MISSING_ROW' else 'EXTRA_ROW' end
            as violation_type,
        cast(null as {{ dbt.type_string() }}) as column_name
    from daily
    full outer join recomputed
        on
            daily.report_date = recomputed.report_date
            and daily.campaign_id = recomputed.campaign_id
    where daily.report_date is null or recomputed.report_date is null

    -- noqa: disable=LT02
    {%- for column in cohort_columns + activity_columns + rate_columns %}

    union all

    select
        report_date,
        campaign_id,
        'VALUE_MISMATCH' as violation_type,
        '{{ column }}' as column_name
    from compared
    where
        {%- if column in rate_columns %}
        (daily_{{ column }} is null) != (recomputed_{{ column }} is null)
        or abs(daily_{{ column }} - recomputed_{{ column }}) > 1e-9
        {%- else %}
        daily_{{ column }} is distinct from recomputed_{{ column }}
        {%- endif %}
    {%- endfor %}
    -- noqa: enable=LT02

),

final as (

    select distinct
        report_date,
        campaign_id,
        violation_type,
        column_name

    from violations

)

select * from final
{%- endmacro %}


{#- column in (the dates), or false for no dates. -#}
{% macro _in_dates(column, dates) -%}
    {%- if dates | length == 0 -%}
        1 = 0
    {%- else -%}
        {{ column }} in (
            {%- for day in dates %}cast('{{ day }}' as date){{ ', ' if not loop.last }}{% endfor -%}
        )
    {%- endif -%}
{%- endmacro %}
