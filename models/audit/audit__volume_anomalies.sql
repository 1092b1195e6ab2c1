{#-
    Daily volumes outside their own normal range, per campaign: for sends, opens, clicks and
    bounces (activity on report_date), a day is an anomaly when it lies outside
    mean +- k * standard deviation of the previous N days (var('anomaly_training_days'), 14;
    k = var('anomaly_sensitivity'), 3; the z-score defaults of elementary's anomaly tests).
    Days without activity count as 0. A day is judged only with N full days of history
    before it, only when the campaign was active on at least one of those days (a campaign
    silent through the whole window is resuming, like a monthly newsletter, not spiking
    against a mean of 0), and only when the day or its mean reaches
    var('anomaly_min_volume') (20), so small numbers do not raise alarms. Deterministic,
    the same SQL on every engine (population standard deviation from sums; no engine's
    stddev function).
-#}
{%- set training = var('anomaly_training_days') -%}
{%- set metrics = {
    'sends': 'sends', 'opens': 'open_events', 'clicks': 'click_events',
    'bounces': 'bounce_events',
} -%}
with

daily as (

    select
        report_date,
        campaign_id,
        sends,
        open_events,
        click_events,
        bounce_events
    from {{ ref('fct_email_events_daily') }}

),

values_by_metric as (

    -- noqa: disable=LT02
    {%- for metric, column in metrics.items() %}
    select
        report_date,
        campaign_id,
        '{{ metric }}' as metric,
        {{ column }} as metric_value
    from daily
    {{ 'union all' if not loop.last }}
    {%- endfor %}
    -- noqa: enable=LT02

),

first_days as (

    select
        campaign_id,
        min(report_date) as first_date
    from daily
    group by campaign_id

),

history as (

    select
        judged.report_date,
        judged.campaign_id,
        judged.metric,
        judged.metric_value,
        sum(coalesce(earlier.metric_value, 0)) as history_sum,
        sum(coalesce(earlier.metric_value, 0) * coalesce(earlier.metric_value, 0))
            as history_sum_of_squares,
        -- fct_email_events_daily has a row for each day a campaign had activity.
        count(earlier.report_date) as active_history_days

    from values_by_metric as judged
    inner join first_days on judged.campaign_id = first_days.campaign_id
    left join values_by_metric as earlier
        on
            judged.campaign_id = earlier.campaign_id
            and judged.metric = earlier.metric
            and judged.report_date > earlier.report_date
            and {{ dbt.dateadd('day', -training, 'judged.report_date') }}
            <= earlier.report_date
    -- N full days of history before the day judged.
    where
        first_days.first_date
        <= {{ dbt.dateadd('day', -training, 'judged.report_date') }}
    group by judged.report_date, judged.campaign_id, judged.metric, judged.metric_value

),

scored as (

    select
        *,
        history_sum / {{ training }}.0 as expected_value,
        sqrt(
            case
                when
                    history_sum_of_squares / {{ training }}.0
                    - (history_sum / {{ training }}.0) * (history_sum / {{ training }}.0)
                    > 0
                    then
                        history_sum_of_squares / {{ training }}.0
                        - (history_sum / {{ training }}.0) * (history_sum / {{ training }}.0)
                else 0
            end
        ) as standard_deviation

    from history

),

final as (

    select
        report_date,
        campaign_id,
        metric,
        metric_value,
        expected_value,
        standard_deviation,
        active_history_days,
        expected_value - {{ var('anomaly_sensitivity') }} * standard_deviation as lower_bound,
        expected_value + {{ var('anomaly_sensitivity') }} * standard_deviation as upper_bound,
        case
            when metric_value > expected_value then 'spike' else 'drop'
        end as direction,
        active_history_days > 0
        and (
            metric_value >= {{ var('anomaly_min_volume') }}
            or expected_value >= {{ var('anomaly_min_volume') }}
        )
        and (
            metric_value > expected_value + {{ var('anomaly_sensitivity') }} * standard_deviation
            or metric_value < expected_value - {{ var('anomaly_sensitivity') }} * standard_deviation
        ) as is_anomaly

    from scored

)

select * from final
