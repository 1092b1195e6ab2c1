{#-
    Every threshold of var('alert_thresholds'), per day: the measured share, its warn and
    error levels, and the level reached (ok, warn, error). Evaluated in every build; the
    latest day of each check is what `mart alerts` reports as open. A share with nothing to
    divide is NULL and level ok. The checks on the daily fact measure days that sent
    something.
    - orphan_send_share: sends whose campaign the CRM does not know, of sends (send date);
    - quarantine_share: quarantined rows, of landed rows (load date; staged rows, one per
      landed row);
    - machine_open_share: machine opens, of opens (event date);
    - scanner_click_share: suspected bot clicks, of clicks (event date);
    - reconciliation_gap: |mart sends - CRM sends| summed over campaigns, of CRM sends;
    - volume_change: |sends - the usual sends|, of the usual sends: the mean of the days that
      sent something among the previous var('volume_change_days') calendar days.
    A check judges only what it can compare (is_judged): a share of at least
    var('alert_min_volume') (its denominator), and a volume change against at least
    var('volume_change_min_days') such days, as the anomaly check needs its training days. A
    day with less is level ok: one orphan job on a quiet day, or the first days after a
    month without sends, are not an alarm.
-#}
with

daily as (

    select
        report_date,
        sum(sends) as sends,
        sum(case when is_known_campaign then 0 else sends end) as orphan_sends,
        sum(open_events) as open_events,
        sum(machine_open_events) as machine_open_events,
        sum(click_events) as click_events,
        sum(suspected_bot_click_events) as suspected_bot_click_events

    from {{ ref('fct_email_events_daily') }}
    group by report_date
    -- Days that sent something: late opens trickling in after the last send day are not a
    -- volume drop (a source that stops landing is what freshness catches).
    having sum(sends) > 0

),

usual_volume as (

    -- Every day that sent, so the latest one is the check's latest day even when it has
    -- nothing to compare with (then NULL: not judged).
    select
        daily.report_date,
        daily.sends,
        case
            when count(earlier.report_date) >= {{ var('volume_change_min_days') }}
                then avg(earlier.sends)
        end as usual_sends
    from daily
    left join daily as earlier
        on
            daily.report_date > earlier.report_date
            and {{ dbt.dateadd('day', -var('volume_change_days'), 'daily.report_date') }}
            <= earlier.report_date
    group by daily.report_date, daily.sends

),

measures as (

    select
        report_date,
        'orphan_send_share' as check_name,
        orphan_sends as numerator,
        sends as denominator
    from daily
    union all
    select
        report_date,
        'machine_open_share' as check_name,
        machine_open_events as numerator,
        open_events as denominator
    from daily
    union all
    select
        report_date,
        'scanner_click_share' as check_name,
        suspected_bot_click_events as numerator,
        click_events as denominator
    from daily
    union all
    select
        report_date,
        'volume_change' as check_name,
        abs(sends - usual_sends) as numerator,
        usual_sends as denominator
    from usual_volume
    union all
    -- The staged rows counted per batch and landed date (one staged row per landed row; the
    -- quarantine is those with a reason), not the rows themselves nor
    -- audit__load_reconciliation: each of this view's four tests reads what the view reads,
    -- every day (bench/daily_cost_bench.py).
    select
        load_date as report_date,
        'quarantine_share' as check_name,
        sum(quarantined_rows) as numerator,
        sum(landed_rows) as denominator
    from {{ ref('int_landed_row_counts') }}
    group by load_date
    union all
    select
        metric_date as report_date,
        'reconciliation_gap' as check_name,
        sum(abs(sends_difference)) as numerator,
        sum(crm_sends) as denominator
    from {{ ref('dq_campaign_daily_reconciliation') }}
    group by metric_date

),

final as (

    select
        measures.check_name,
        measures.report_date,
        measures.numerator,
        measures.denominator,
        {{ safe_divide('measures.numerator', 'measures.denominator') }} as measured_share,
        thresholds.warn_at,
        thresholds.error_at,
        coalesce(measures.denominator >= {{ var('alert_min_volume') }}, false) as is_judged,
        case
            when measures.denominator < {{ var('alert_min_volume') }} then 'ok'
            when
                {{ safe_divide('measures.numerator', 'measures.denominator') }}
                >= thresholds.error_at
                then 'error'
            when
                {{ safe_divide('measures.numerator', 'measures.denominator') }}
                >= thresholds.warn_at
                then 'warn'
            else 'ok'
        end as level,  -- noqa: RF04
        row_number() over (
            partition by measures.check_name order by measures.report_date desc
        ) = 1 as is_latest

    from measures
    -- noqa: disable=LT02,ST05
    inner join (
        {%- for name, levels in var('alert_thresholds').items() %}
        select
            '{{ name }}' as check_name,
            cast({{ levels.warn }} as {{ dbt.type_numeric() }}) as warn_at,
            cast({{ levels.error }} as {{ dbt.type_numeric() }}) as error_at
        {{ 'union all' if not loop.last }}
        {%- endfor %}
    ) as thresholds
        on measures.check_name = thresholds.check_name
    -- noqa: enable=LT02,ST05
    where measures.report_date is not null

)

select * from final
