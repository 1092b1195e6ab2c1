"""`mart dashboard`: the reporting dashboards and an operations page, as a static,
self-contained HTML site.

Built from the DuckDB marts with Altair (Vega-Lite); the Vega JavaScript is inlined in every
page (from vl-convert), so the pages open from disk with no network and no server. Each
page mirrors one dbt exposure (models/exposures/_exposures.yml):

- executive.html — Executive Email Performance: KPI tiles and daily trends;
- campaigns.html — Campaign Performance & Engagement: KPIs by campaign, and a click on a
  campaign drills down to its events;
- audience.html — Audience & Membership Quality: membership, coverage, the CRM comparison
  and the audit views;
- operations.html — Operations: the last runs, source freshness and the alert thresholds'
  trends (the run history and audit__threshold_checks).

Tiles and charts carry the dbt descriptions of their metrics as tooltips. Empty marts give
a page that says so and how to fill them, not an error.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import altair as alt

from harness.settings import kpi_rates, project_vars

DRILL_EVENTS = 5_000  # newest events embedded for the campaign drill-down

PAGES = (
    ("executive.html", "Executive Email Performance"),
    ("campaigns.html", "Campaign Performance & Engagement"),
    ("audience.html", "Audience & Membership Quality"),
    ("operations.html", "Operations"),
)

CSS = """
body { font-family: -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 0; color: #1d2939;
       background: #f5f7fa; }
header { background: #1f3a5f; color: white; padding: 14px 28px; }
header h1 { margin: 0; font-size: 20px; }
nav a { color: #cfe0f5; margin-right: 18px; text-decoration: none; font-size: 14px; }
nav a.current { color: white; font-weight: bold; }
main { padding: 18px 28px; }
.subtitle { color: #667085; font-size: 13px; margin: 4px 0 14px; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 18px; }
.tile { background: white; border-radius: 8px; padding: 12px 16px; min-width: 150px;
        box-shadow: 0 1px 2px rgba(16,24,40,.08); cursor: help; }
.tile .label { font-size: 12px; color: #667085; }
.tile .value { font-size: 24px; font-weight: 600; margin-top: 4px; }
.tile .unit { font-size: 12px; color: #667085; }
.chart { background: white; border-radius: 8px; padding: 12px; margin-bottom: 18px;
         box-shadow: 0 1px 2px rgba(16,24,40,.08); }
.empty { background: white; border-radius: 8px; padding: 28px; font-size: 15px; }
code { background: #eef2f6; padding: 1px 5px; border-radius: 4px; }
.chart.vega-embed { display: flex; flex-direction: column; }
.chart .vega-bindings { order: -1; margin-bottom: 10px; font-size: 13px; }
.chart .vega-bind { display: inline-block; margin-right: 18px; }
.chart .vega-bind-name { color: #667085; }
"""


@dataclass
class Tile:
    label: str
    value: str
    unit: str
    description: str


@dataclass
class Page:
    file: str
    title: str
    subtitle: str
    tiles: list[Tile] = field(default_factory=list)
    charts: list[alt.TopLevelMixin] = field(default_factory=list)
    empty: str | None = None


def describe(manifest, model: str) -> dict[str, str]:
    """Column descriptions of a model from the dbt project (tooltips)."""
    for node in manifest.nodes.values():
        if node.resource_type == "model" and node.name == model:
            return {
                name.lower(): " ".join(column.description.split())
                for name, column in node.columns.items()
            }
    return {}


def _frame(connection, sql: str):
    """A query's rows as a list of dicts (Altair takes them as inline data)."""
    cursor = connection.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, _plain(row), strict=True)) for row in cursor.fetchall()]


def _plain(row) -> list:
    values = []
    for value in row:
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif value is not None and not isinstance(value, (int, float, str, bool)):
            value = float(value)
        values.append(value)
    return values


# The executive tiles' rates, in order; each is var('kpi_rates')'s numerator ÷ denominator.
TILE_RATES = (
    "delivery_rate",
    "unique_open_rate",
    "human_unique_open_rate",
    "click_through_rate",
    "click_to_open_rate",
    "bounce_rate",
    "unsubscribe_rate",
)


def metric_labels(manifest) -> dict[str, str]:
    """Labels of the semantic layer's metrics (the dashboards name a KPI as MetricFlow does)."""
    return {metric.name: metric.label for metric in manifest.metrics.values()}


# ---- Filters, calendar and the low-volume rule, shared by the executive and campaign pages.

DATE_FROM, DATE_TO, CAMPAIGN = "date_from", "date_to", "campaign"
# `day` is report_date as text (YYYY-MM-DD, what a date input gives): Vega-Lite parses a
# field it draws on a time axis into a Date, which no longer compares with the input's text.
IN_DATES = f"(!{DATE_FROM} || datum.day >= {DATE_FROM}) && (!{DATE_TO} || datum.day <= {DATE_TO})"
IN_CAMPAIGN = f"({CAMPAIGN} === '' || datum.campaign_key === {CAMPAIGN})"
# Calendar rows (one per day, no campaign, zero counts) pass the date filter only, so every
# day of the range is a row after aggregation: a day without sends is a gap in a rate line,
# never a straight segment across it.
SELECTED = f"{IN_DATES} && (datum.is_calendar || {IN_CAMPAIGN})"

SEND_DAY = alt.X("utcyearmonthdate(report_date):T", title="Send date")
SEND_DAY_TIP = alt.Tooltip(
    "utcyearmonthdate(report_date):T", title="Send date", format="%a %d %b %Y"
)


def _send_counts() -> list[str]:
    """The cohort columns the dashboards' rates divide (var('kpi_rates'), the daily fact)."""
    rates = kpi_rates("fct_email_events_daily")
    return sorted({column for rate in rates for column in (rate.numerator, rate.denominator)})


def _daily_by_campaign(connection) -> list[dict]:
    """Counts per send date and campaign: what the filters slice and Vega sums."""
    counts = [*_send_counts(), "open_events", "machine_open_events"]
    return _frame(
        connection,
        f"""
        select cast(daily.report_date as varchar) as report_date,
               cast(daily.report_date as varchar) as day,
               coalesce(daily.campaign_id, '(none)') as campaign_key,
               coalesce(dim.campaign_name, daily.campaign_id, '(no campaign)') as campaign,
               {", ".join(f"sum(daily.{c}) as {c}" for c in counts)}
        from marts.fct_email_events_daily as daily
        left join marts.dim_campaign as dim on daily.campaign_id = dim.campaign_id
        group by all
        having sum(daily.sends) > 0 or sum(daily.open_events) > 0
        order by report_date
        """,
    )


def _calendar(rows: list[dict], counts: list[str]) -> list[dict]:
    """One zero row per day from the first to the last report_date of `rows`."""
    first = date.fromisoformat(min(row["report_date"] for row in rows))
    last = date.fromisoformat(max(row["report_date"] for row in rows))
    days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
    zero = dict.fromkeys(counts, 0)
    return [
        {"report_date": day.isoformat(), "day": day.isoformat(), "is_calendar": True, **zero}
        for day in days
    ]


def _filters(rows: list[dict]) -> list[alt.Parameter]:
    """The date-range and campaign inputs above a page's charts."""
    campaigns = sorted({(row["campaign"], row["campaign_key"]) for row in rows})
    return [
        alt.param(
            name=DATE_FROM,
            value=min(row["report_date"] for row in rows),
            bind=alt.binding(input="date", name="Sent from "),
        ),
        alt.param(
            name=DATE_TO,
            value=max(row["report_date"] for row in rows),
            bind=alt.binding(input="date", name=" to "),
        ),
        alt.param(
            name=CAMPAIGN,
            value="",
            bind=alt.binding_select(
                options=["", *(key for _, key in campaigns)],
                labels=["All campaigns", *(name for name, _ in campaigns)],
                name=" Campaign ",
            ),
        ),
    ]


def _judged(rate: str, numerator: str, denominator: str, min_sends: int) -> str:
    """Vega expression: the rate of summed counts, null below `min_sends` sends."""
    return (
        f"datum.sends >= {min_sends} && datum.{denominator} > 0 "
        f"? datum.{numerator} / datum.{denominator} : null"
    )


def _words(labels: dict[str, str]) -> str:
    """Vega expression naming datum.key in words (a fold's key)."""
    return f"{json.dumps(labels)}[datum.key] || datum.key"


def executive_page(
    connection, docs: dict[str, str], labels: dict[str, str], min_sends: int
) -> Page:
    page = Page(
        "executive.html",
        "Executive Email Performance",
        "By the UTC day the emails were sent: every rate counts the outcomes of that day's "
        "sends, whenever they happened, as a ratio of summed counts (hover a tile for its "
        f"definition). A day with fewer than {min_sends} sends draws no rate: too few to mean "
        "anything. Pick the days and a campaign above the charts.",
    )
    rows = _daily_by_campaign(connection)
    if not rows or not sum(row["sends"] for row in rows):
        page.empty = EMPTY
        return page
    counts = [*_send_counts(), "open_events", "machine_open_events"]
    data = alt.NamedData(name="daily")
    selected = alt.Chart(data).transform_filter(SELECTED)
    rates = {rate.name: rate for rate in kpi_rates("fct_email_events_daily")}

    def tile(title: str, value: str, unit: str, description: str, fields: list[str]):
        sums = {field: f"sum({field})" for field in fields}
        return (
            selected.transform_aggregate(**sums)
            .transform_calculate(value=value)
            .mark_text(fontSize=24, fontWeight=600, align="left", x=0)
            .encode(
                text="value:N",
                color=alt.condition(
                    f"datum.sends < {min_sends}", alt.value("#98a2b3"), alt.value("#1d2939")
                ),
                tooltip=alt.value(description),
            )
            .properties(
                title=alt.TitleParams(
                    title, subtitle=unit, fontSize=12, subtitleColor="#667085", anchor="start"
                ),
                width=150,
                height=30,
            )
        )

    tiles = [tile("Sends", "format(datum.sends, ',')", "emails", docs.get("sends", ""), ["sends"])]
    for name in TILE_RATES:
        rate = rates[name]
        tiles.append(
            tile(
                labels.get(name, name),
                f"datum.{rate.denominator} > 0 "
                f"? format(datum.{rate.numerator} / datum.{rate.denominator}, '.1%') : 'n/a'",
                f"of {labels.get(rate.denominator, rate.denominator).lower()}",
                docs.get(name, ""),
                sorted({"sends", rate.numerator, rate.denominator}),
            )
        )
    by_day = selected.transform_aggregate(
        **{field: f"sum({field})" for field in counts}, groupby=["report_date"]
    )
    few = f"Fewer than {min_sends} sends: no rates drawn"
    volume = (
        by_day.transform_calculate(volume=f"datum.sends >= {min_sends} ? 'Sends' : '{few}'")
        .mark_bar()
        .encode(
            x=SEND_DAY,
            y=alt.Y("sends:Q", title="Sends"),
            color=alt.Color(
                "volume:N",
                title=None,
                legend=alt.Legend(orient="top", labelLimit=400),
                scale=alt.Scale(domain=["Sends", few], range=["#2f6db5", "#c5d3e3"]),
            ),
            tooltip=[
                SEND_DAY_TIP,
                alt.Tooltip("sends:Q", title="Sends", format=","),
                alt.Tooltip("delivered_sends:Q", title="Delivered", format=","),
            ],
        )
        .properties(title="Sends by send date", width=820, height=160)
    )
    trend_rates = ["unique_open_rate", "human_unique_open_rate", "click_through_rate"]
    trend = (
        by_day.transform_calculate(
            **{
                name: _judged(name, rates[name].numerator, rates[name].denominator, min_sends)
                for name in trend_rates
            }
        )
        .transform_fold(trend_rates)
        .transform_calculate(rate=_words({name: labels.get(name, name) for name in trend_rates}))
        .mark_line(point=True)
        .encode(
            x=SEND_DAY,
            y=alt.Y("value:Q", title="Rate (of delivered sends)", axis=alt.Axis(format="%")),
            color=alt.Color("rate:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                SEND_DAY_TIP,
                alt.Tooltip("rate:N", title="Rate"),
                alt.Tooltip("value:Q", title="Value", format=".1%"),
                alt.Tooltip("sends:Q", title="Sends that day", format=","),
            ],
        )
        .properties(title="Engagement rates of each day's sends", width=820, height=220)
    )
    kinds = {"human_opens": "Human opens", "machine_opens": "Machine opens (Apple MPP)"}
    opens = (
        by_day.transform_calculate(
            human_opens="datum.open_events - datum.machine_open_events",
            machine_opens="datum.machine_open_events",
        )
        .transform_fold(list(kinds))
        .transform_calculate(kind=_words(kinds))
        .mark_area(opacity=0.8)
        .encode(
            x=alt.X("utcyearmonthdate(report_date):T", title="Day the opens happened"),
            y=alt.Y("value:Q", title="Opens", stack=True),
            color=alt.Color("kind:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                alt.Tooltip("utcyearmonthdate(report_date):T", title="Day", format="%d %b %Y"),
                alt.Tooltip("kind:N", title="Kind"),
                alt.Tooltip("value:Q", title="Opens", format=","),
            ],
        )
        .properties(
            title=alt.TitleParams(
                "Activity: human and machine opens by the day they happened",
                subtitle=docs.get("machine_open_events", ""),
            ),
            width=820,
            height=180,
        )
    )
    page.charts.append(
        alt.vconcat(alt.concat(*tiles, columns=4), volume, trend, opens)
        .resolve_scale(color="independent")
        .add_params(*_filters(rows))
        .properties(datasets={"daily": rows + _calendar(rows, counts)})
    )
    return page


def campaigns_page(
    connection, docs: dict[str, str], labels: dict[str, str], min_sends: int
) -> Page:
    page = Page(
        "campaigns.html",
        "Campaign Performance & Engagement",
        "Rates of each campaign's sends in the chosen days (outcomes whenever they happened); "
        f"campaigns with fewer than {min_sends} sends there are left out. Click a campaign's "
        f"bar to drill down to its send jobs and its newest events (up to {DRILL_EVENTS:,} in "
        "all); click the background to clear.",
    )
    rows = _daily_by_campaign(connection)
    if not rows or not sum(row["sends"] for row in rows):
        page.empty = EMPTY
        return page
    jobs = _frame(
        connection,
        """
        select coalesce(campaign_id, '(none)') as campaign_key, job_id, count(*) as sends,
               cast(min(send_date) as varchar) as report_date,
               cast(min(send_date) as varchar) as day,
               count(*) filter (where is_delivered) as delivered_sends,
               count(*) filter (where is_opened) as opened_sends,
               count(*) filter (where is_human_opened) as human_opened_sends,
               count(*) filter (where is_clicked) as clicked_sends
        from marts.fct_email_sends
        group by all
        """,
    )
    events = _frame(
        connection,
        f"""
        select coalesce(campaign_id, '(none)') as campaign_key, event_type, event_at,
               is_machine_open, is_suspected_bot_click, seconds_after_delivery
        from marts.fct_email_events
        order by event_at desc
        limit {DRILL_EVENTS}
        """,
    )
    rates = {rate.name: rate for rate in kpi_rates("fct_email_events_daily")}
    shown = ["unique_open_rate", "human_unique_open_rate", "click_through_rate"]
    sums = {
        c: f"sum({c})" for c in ["sends", *(rates[n].numerator for n in shown), "delivered_sends"]
    }
    ratios = {n: _judged(n, rates[n].numerator, rates[n].denominator, min_sends) for n in shown}
    rate_tips = [alt.Tooltip(f"{n}:Q", title=labels.get(n, n), format=".1%") for n in shown]
    enough = f"{min_sends} sends or more: rates on hover"
    few = f"Fewer than {min_sends} sends: no rates"
    pick = alt.selection_point(fields=["campaign_key"], empty=True)
    bars = (
        alt.Chart(alt.NamedData(name="daily"))
        .transform_filter(f"{IN_DATES} && {IN_CAMPAIGN} && !datum.is_calendar")
        .transform_aggregate(**sums, groupby=["campaign_key", "campaign"])
        .transform_calculate(**ratios)
        .transform_filter(f"datum.sends >= {min_sends}")
        .transform_window(rank="row_number()", sort=[alt.SortField("sends", order="descending")])
        .transform_filter("datum.rank <= 25")
        .mark_bar()
        .encode(
            y=alt.Y("campaign:N", sort="-x", title=None),
            x=alt.X(
                "unique_open_rate:Q",
                title=labels.get("unique_open_rate"),
                axis=alt.Axis(format="%"),
            ),
            color=alt.condition(pick, alt.value("#2f6db5"), alt.value("#c5d3e3")),
            tooltip=[
                alt.Tooltip("campaign:N", title="Campaign"),
                alt.Tooltip("sends:Q", title="Sends", format=","),
                *rate_tips,
            ],
        )
        .add_params(pick)
        .properties(
            title=alt.TitleParams(
                f"{labels.get('unique_open_rate')} by campaign (top 25 by sends)",
                subtitle=docs.get("unique_open_rate", ""),
            ),
            width=560,
            height=alt.Step(16),
        )
    )
    by_job = (
        alt.Chart(
            alt.Data(values=jobs),
            title="Send jobs of the selected campaign(s)",
        )
        .transform_filter(f"{IN_DATES} && {IN_CAMPAIGN}")
        .transform_filter(pick)
        .transform_calculate(
            **ratios,
            confidence=f"datum.sends >= {min_sends} ? '{enough}' : '{few}'",
        )
        .mark_bar()
        .encode(
            y=alt.Y("job_id:N", sort="-x", title="Send job"),
            x=alt.X("sends:Q", title="Sends"),
            color=alt.Color(
                "confidence:N",
                title=None,
                legend=alt.Legend(orient="top", labelLimit=400),
                scale=alt.Scale(domain=[enough, few], range=["#2f6db5", "#c5d3e3"]),
            ),
            tooltip=[
                alt.Tooltip("job_id:N", title="Send job"),
                alt.Tooltip(
                    "utcyearmonthdate(report_date):T", title="First sent", format="%d %b %Y"
                ),
                alt.Tooltip("sends:Q", title="Sends", format=","),
                *rate_tips,
                alt.Tooltip("confidence:N", title="Confidence"),
            ],
        )
        .properties(width=560, height=alt.Step(14))
    )
    drill = (
        alt.Chart(alt.Data(values=events), title="Newest events of the selected campaign(s)")
        .transform_filter(IN_CAMPAIGN)
        .transform_filter(pick)
        .transform_calculate(
            signal="datum.is_machine_open ? 'Machine open' : "
            "(datum.is_suspected_bot_click ? 'Scanner click' : 'Human or system event')"
        )
        .mark_circle(size=28, opacity=0.7)
        .encode(
            x=alt.X("event_at:T", title="Event time (UTC)", scale=alt.Scale(type="utc")),
            y=alt.Y("event_type:N", title="Event type"),
            color=alt.Color("signal:N", title="Signal"),
            tooltip=[
                alt.Tooltip("campaign_key:N", title="Campaign id"),
                alt.Tooltip("event_type:N", title="Event type"),
                alt.Tooltip(
                    "utcyearmonthdatehoursminutes(event_at):T",
                    title="At (UTC)",
                    format="%Y-%m-%d %H:%M",
                ),
                alt.Tooltip("seconds_after_delivery:Q", title="Seconds after delivery"),
                alt.Tooltip("signal:N", title="Signal"),
            ],
        )
        .properties(width=820, height=220)
    )
    page.charts.append(
        alt.vconcat(bars, by_job, drill)
        .resolve_scale(color="independent")
        .add_params(*_filters(rows))
        .properties(datasets={"daily": rows})
    )
    return page


def audience_page(connection, docs: dict[str, str], labels: dict[str, str],
                  min_sends: int) -> Page:  # fmt: skip
    page = Page(
        "audience.html",
        "Audience & Membership Quality",
        "Who the campaigns reach, and how much to trust the numbers: coverage, the CRM "
        "comparison and the audit views (which should be empty or zero).",
    )
    audits = _frame(
        connection,
        """
        select 'Duplicated event ids' as audit, count(*) as findings
            from audit.audit__event_id_duplicates
        union all select 'Quarantined rows', count(*) from audit.audit__rejected_events
        union all select 'Unaccounted rows',
            coalesce(sum(abs(unaccounted_rows)), 0) from audit.audit__load_reconciliation
        union all select 'Daily grain violations', count(*)
            from audit.audit__daily_grain_violations
        union all select 'Orphan campaigns (14 days)', count(*)
            from audit.audit__orphan_campaigns_14d
        union all select 'Recipients who are not members', count(*)
            from marts.dq_campaign_non_member_recipients
        """,
    )
    members = _frame(
        connection,
        "select member_type as person_type, member_status, count(*) as members "
        "from marts.fct_campaign_membership group by all",
    )
    if not members and not any(row["findings"] for row in audits):
        page.empty = EMPTY
        return page
    for row in audits:
        page.tiles.append(
            Tile(row["audit"], f"{row['findings']:,}", "rows", AUDIT_HELP[row["audit"]])
        )
    page.charts.append(
        alt.Chart(alt.Data(values=members), title="Campaign members by person type and status")
        .mark_bar()
        .encode(
            x=alt.X("members:Q", title="Members", stack=True),
            y=alt.Y("person_type:N", title="Person type"),
            color=alt.Color("member_status:N", title="Status"),
            tooltip=[
                alt.Tooltip("person_type:N", title="Person type"),
                alt.Tooltip("member_status:N", title="Status"),
                alt.Tooltip("members:Q", title="Members", format=","),
            ],
        )
        .properties(width=820, height=120)
    )
    coverage = _frame(
        connection,
        f"""
        with days as (
            select unnest(generate_series(min(event_date), max(event_date), interval 1 day))
                as event_date
            from marts.dq_campaign_id_coverage
        )
        select cast(days.event_date as date) as event_date, coalesce(coverage.events, 0) as events,
               case when coverage.events >= {min_sends}
                   then coverage.known_campaign_coverage_rate end as known_campaign_coverage_rate
        from days
        left join marts.dq_campaign_id_coverage as coverage
            on coverage.event_date = cast(days.event_date as date)
        order by event_date
        """,
    )
    page.charts.append(
        alt.Chart(alt.Data(values=coverage))
        .mark_line(point=True)
        .encode(
            x=alt.X("utcyearmonthdate(event_date):T", title="Day the events happened"),
            y=alt.Y(
                "known_campaign_coverage_rate:Q",
                title=labels.get("known_campaign_coverage_rate", "Known-campaign coverage"),
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=[
                alt.Tooltip("utcyearmonthdate(event_date):T", title="Day", format="%d %b %Y"),
                alt.Tooltip("known_campaign_coverage_rate:Q", title="Share", format=".1%"),
                alt.Tooltip("events:Q", title="Events", format=","),
            ],
        )
        .properties(
            title=alt.TitleParams(
                "Share of events whose campaign the CRM knows",
                subtitle=f"Days with fewer than {min_sends} events are not drawn. "
                + docs.get("known_campaign_coverage_rate", ""),
            ),
            width=820,
            height=180,
        )
    )
    rejected = _frame(
        connection,
        "select rejection_reason, count(*) as rows_quarantined "
        "from audit.audit__rejected_events group by all",
    )
    if rejected:
        page.charts.append(
            alt.Chart(alt.Data(values=rejected), title="Quarantined rows by reason")
            .mark_bar()
            .encode(
                x=alt.X("rows_quarantined:Q", title="Rows"),
                y=alt.Y("rejection_reason:N", sort="-x", title=None),
                tooltip=[
                    alt.Tooltip("rejection_reason:N", title="Reason"),
                    alt.Tooltip("rows_quarantined:Q", title="Rows", format=","),
                ],
            )
            .properties(width=820, height=alt.Step(18))
        )
    return page


def operations_page(connection, docs: dict[str, str]) -> Page:
    page = Page(
        "operations.html",
        "Operations",
        "Is the mart healthy: the last runs, how fresh the sources are, and the alert "
        "thresholds over time (run history and audit__threshold_checks; `mart alerts` lists "
        "what is open).",
    )
    runs = _frame(
        connection,
        "select command, started_at, coalesce(duration_seconds, 0) as duration_seconds, "
        "status, selected_nodes, error_nodes, warn_nodes from audit.audit__dbt_invocations "
        "order by started_at desc limit 60",
    )
    if not runs:
        page.empty = (
            "No dbt run has been recorded yet. Run <code>mart daily</code> (or any dbt build) "
            "and open this page again."
        )
        return page
    builds = [run for run in runs if run["command"] == "build"]
    last = builds[0] if builds else runs[0]
    open_checks = _frame(
        connection,
        "select count(*) as open_checks from audit.audit__threshold_checks "
        "where is_latest and level <> 'ok'",
    )[0]["open_checks"]
    stale = _frame(
        connection,
        """
        select name, status, coalesce(freshness_age_seconds, 0) / 3600.0 as age_hours
        from audit.audit__dbt_node_results
        where invocation_id = (
            select invocation_id from audit.audit__dbt_invocations
            where command = 'freshness' and ended_at is not null
            order by started_at desc limit 1
        )
        """,
    )
    page.tiles += [
        Tile("Last build", str(last["status"]), str(last["started_at"])[:16], "Outcome of the "
             "latest dbt build (audit__dbt_invocations: success, warn, error or started)."),
        Tile("Its duration", f"{last['duration_seconds']:,}", "seconds",
             docs.get("duration_seconds", "")),
        Tile("Open threshold alerts", f"{open_checks:,}", "checks", "Checks whose latest day "
             "is at warn or error level (audit__threshold_checks)."),
        Tile("Stale sources", f"{sum(row['status'] != 'pass' for row in stale):,}",
             f"of {len(stale)}", "Sources the latest `dbt source freshness` found stale."),
    ]  # fmt: skip
    page.charts.append(
        alt.Chart(alt.Data(values=list(reversed(runs))), title="Recent runs")
        .mark_bar()
        .encode(
            x=alt.X(
                "started_at:T",
                title="Started (UTC)",
                scale=alt.Scale(type="utc"),
                axis=alt.Axis(format="%d %b %H:%M", labelAngle=0),
            ),
            y=alt.Y("duration_seconds:Q", title="Seconds"),
            color=alt.Color("status:N", title="Status"),
            tooltip=[
                alt.Tooltip("command:N", title="Command"),
                alt.Tooltip("started_at:T", title="Started", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("duration_seconds:Q", title="Seconds"),
                alt.Tooltip("status:N", title="Status"),
                alt.Tooltip("error_nodes:Q", title="Errors"),
                alt.Tooltip("warn_nodes:Q", title="Warnings"),
            ],
        )
        .properties(width=820, height=160)
    )
    checks = _frame(
        connection,
        """
        with recent as (
            select * from audit.audit__threshold_checks
            where report_date >= (select max(report_date) from audit.audit__threshold_checks)
                - interval 60 day
        ),
        days as (
            select cast(unnest(generate_series(min(report_date), max(report_date),
                                               interval 1 day)) as date) as report_date
            from recent
        )
        select names.check_name, cast(days.report_date as varchar) as report_date,
               case when recent.is_judged then recent.measured_share end as measured_share,
               recent.warn_at, recent.error_at, recent.level,
               recent.numerator, recent.denominator
        from (select distinct check_name from recent) as names
        cross join days
        left join recent
            on recent.check_name = names.check_name and recent.report_date = days.report_date
        order by names.check_name, days.report_date
        """,
    )
    if any(row["measured_share"] is not None for row in checks):
        for row in checks:
            row["check"] = CHECK_LABELS.get(row["check_name"], row["check_name"])
        day = alt.X("utcyearmonthdate(report_date):T", title="Day")
        share = alt.Y("measured_share:Q", title="Measured", axis=alt.Axis(format="%"))
        line = (
            alt.Chart()
            .mark_line(point=True)
            .encode(
                x=day,
                y=share,
                tooltip=[
                    alt.Tooltip("check:N", title="Check"),
                    alt.Tooltip("utcyearmonthdate(report_date):T", title="Day", format="%d %b %Y"),
                    alt.Tooltip("measured_share:Q", title="Measured", format=".1%"),
                    alt.Tooltip("numerator:Q", title="Of which", format=","),
                    alt.Tooltip("denominator:Q", title="Out of", format=","),
                    alt.Tooltip("warn_at:Q", title="Warns at", format=".0%"),
                    alt.Tooltip("level:N", title="Level"),
                ],
            )
        )
        warn = (
            alt.Chart()
            .mark_rule(strokeDash=[4, 3], color="#d97706")
            .encode(y=alt.Y("max(warn_at):Q"))
        )
        page.charts.append(
            alt.layer(line, warn, data=alt.Data(values=checks))
            .properties(width=380, height=120)
            .facet(facet=alt.Facet("check:N", title=None), columns=2)
            .resolve_scale(y="independent")
            .properties(
                title=alt.TitleParams(
                    "Alert checks: the measured share per day, against its warning level (dashed)",
                    subtitle="One panel and scale per check; days the check could not judge "
                    "(too little volume) are gaps.",
                )
            )
        )
    if stale:
        page.charts.append(
            alt.Chart(alt.Data(values=stale), title="Source freshness (latest check)")
            .mark_bar()
            .encode(
                x=alt.X("age_hours:Q", title="Hours since the newest row"),
                y=alt.Y("name:N", title=None, sort="-x"),
                color=alt.Color("status:N", title="Status"),
                tooltip=[
                    alt.Tooltip("name:N", title="Source"),
                    alt.Tooltip("age_hours:Q", title="Hours", format=",.0f"),
                    alt.Tooltip("status:N", title="Status"),
                ],
            )
            .properties(width=820, height=alt.Step(18))
        )
    return page


CHECK_LABELS = {
    "orphan_send_share": "Sends to campaigns the CRM does not know",
    "quarantine_share": "Landed rows quarantined",
    "machine_open_share": "Machine opens, of all opens",
    "scanner_click_share": "Scanner clicks, of all clicks",
    "reconciliation_gap": "Landed rows unaccounted for",
    "volume_change": "Sends vs the recent sending days",
}

AUDIT_HELP = {
    "Duplicated event ids": "Event ids the source delivered more than once; the mart keeps one "
    "copy (audit__event_id_duplicates).",
    "Quarantined rows": "Landed rows that could not become an event, each with its reason "
    "(audit__rejected_events).",
    "Unaccounted rows": "Landed rows that are neither a fact, a collapsed duplicate nor "
    "quarantined; must be 0 (audit__load_reconciliation).",
    "Daily grain violations": "Rows of fct_email_events_daily that break its contract; must be "
    "0 (audit__daily_grain_violations).",
    "Orphan campaigns (14 days)": "Campaign ids in recent events that the CRM does not know "
    "(audit__orphan_campaigns_14d).",
    "Recipients who are not members": "Campaign x person pairs emailed without a CRM campaign "
    "membership; their sends count in every KPI (dq_campaign_non_member_recipients).",
}

EMPTY = (
    "The marts hold no events yet, so there is nothing to chart. Add a day of events and "
    "build: <code>mart daily</code> (or <code>mart generate</code> then <code>mart build</code>"
    "), then run <code>mart dashboard</code> again."
)


def render(page: Page, script: str) -> str:
    nav = " ".join(
        f'<a href="{file}"{" class=current" if file == page.file else ""}>{html.escape(title)}</a>'
        for file, title in PAGES
    )
    tiles = "".join(
        f'<div class="tile" title="{html.escape(tile.description)}">'
        f'<div class="label">{html.escape(tile.label)}</div>'
        f'<div class="value">{html.escape(tile.value)}</div>'
        f'<div class="unit">{html.escape(tile.unit)}</div></div>'
        for tile in page.tiles
    )
    body = f'<div class="empty">{page.empty}</div>' if page.empty else ""
    embeds = []
    for number, chart in enumerate(page.charts):
        body += f'<div class="chart" id="chart{number}"></div>'
        spec = json.dumps(chart.to_dict()).replace("</", "<\\/")
        embeds.append(
            f"vegaEmbed('#chart{number}', {spec}, "
            "{renderer: 'svg', actions: false}).catch(console.error);"
        )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(page.title)} · Email mart</title>
<style>{CSS}</style>
<script>{script}</script>
</head>
<body>
<header><h1>{html.escape(page.title)}</h1><nav>{nav}</nav></header>
<main>
<p class="subtitle">{html.escape(page.subtitle)}</p>
<div class="tiles">{tiles}</div>
{body}
</main>
<script>
{chr(10).join(embeds)}
</script>
</body>
</html>
"""


def build_site(connection, manifest, folder: Path) -> list[Path]:
    """Write the four pages (and an index) into `folder`; returns their paths."""
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    # The Vega-Lite release vl-convert bundles for this Altair (what Altair's own inline
    # HTML uses).
    script = vl_convert.javascript_bundle(vl_version=vl_version_for_vl_convert())
    daily_docs = describe(manifest, "fct_email_events_daily")
    coverage_docs = describe(manifest, "dq_campaign_id_coverage")
    labels = metric_labels(manifest)
    min_sends = int(project_vars()["dashboard_min_sends"])
    pages = [
        executive_page(connection, daily_docs, labels, min_sends),
        campaigns_page(connection, daily_docs, labels, min_sends),
        audience_page(connection, daily_docs | coverage_docs, labels, min_sends),
        operations_page(connection, describe(manifest, "audit__dbt_invocations")),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for page in pages:
        path = folder / page.file
        path.write_text(render(page, script), encoding="utf-8")
        written.append(path)
    index = folder / "index.html"
    index.write_text(
        '<!DOCTYPE html><meta charset="utf-8"><meta http-equiv="refresh" '
        'content="0; url=executive.html"><a href="executive.html">Email mart dashboards</a>',
        encoding="utf-8",
    )
    return [index, *written]
