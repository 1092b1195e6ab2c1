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
from pathlib import Path

import altair as alt

from harness.settings import kpi_rates

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


def _rate(numerator, denominator) -> str:
    return f"{numerator / denominator:.1%}" if denominator else "n/a"


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


def executive_page(connection, docs: dict[str, str], labels: dict[str, str]) -> Page:
    page = Page(
        "executive.html",
        "Executive Email Performance",
        "All campaigns, by the UTC day the emails were sent: every rate counts the outcomes of "
        "that day's sends, whenever they happened, as a ratio of summed counts (hover a tile "
        "for its definition).",
    )
    rates = {rate.name: rate for rate in kpi_rates("fct_email_events_daily")}
    counts = sorted({c for r in rates.values() for c in (r.numerator, r.denominator)})
    totals = _frame(
        connection,
        f"select {', '.join(f'sum({c}) as {c}' for c in counts)}, count(*) as row_count "
        "from marts.fct_email_events_daily",
    )[0]
    if not totals["row_count"] or not totals["sends"]:
        page.empty = EMPTY
        return page
    page.tiles.append(Tile("Sends", f"{totals['sends']:,}", "emails", docs.get("sends", "")))
    for name in TILE_RATES:
        rate = rates[name]
        page.tiles.append(
            Tile(
                labels.get(name, name),
                _rate(totals[rate.numerator], totals[rate.denominator]),
                f"of {rate.denominator.replace('_', ' ')}",
                docs.get(name, ""),
            )
        )
    daily = _frame(
        connection,
        """
        select report_date, sum(sends) as sends, sum(delivered_sends) as delivered_sends,
               sum(open_events) - sum(machine_open_events) as human_open_events,
               sum(machine_open_events) as machine_open_events,
               sum(opened_sends) / nullif(sum(delivered_sends), 0) as unique_open_rate,
               sum(human_opened_sends) / nullif(sum(delivered_sends), 0)
                   as human_unique_open_rate,
               sum(clicked_sends) / nullif(sum(delivered_sends), 0) as click_through_rate
        from marts.fct_email_events_daily
        group by report_date
        having sum(sends) > 0 or sum(open_events) > 0
        order by report_date
        """,
    )
    volume = _daily_lines(daily, ["sends", "delivered_sends"], "Sends and deliveries by send date",
                          "Emails", ",")  # fmt: skip
    trend = _daily_lines(
        daily,
        ["unique_open_rate", "human_unique_open_rate", "click_through_rate"],
        "Engagement rates of each day's sends (of delivered sends)",
        "Rate",
        ".1%",
    )
    opens = (
        alt.Chart(
            alt.Data(values=daily),
            title=alt.TitleParams(
                "Activity: human and machine (Apple MPP) opens by the day they happened",
                subtitle=docs.get("machine_open_events", ""),
            ),
        )
        .transform_fold(["human_open_events", "machine_open_events"], as_=["kind", "opens"])
        .mark_area(opacity=0.8)
        .encode(
            x=alt.X("report_date:T", title="Day (UTC)"),
            y=alt.Y("opens:Q", title="Opens", stack=True),
            color=alt.Color("kind:N", title=None),
            tooltip=[
                alt.Tooltip("report_date:T", title="Day"),
                alt.Tooltip("kind:N", title="Kind"),
                alt.Tooltip("opens:Q", title="Opens", format=","),
            ],
        )
        .properties(width=820, height=200)
    )
    page.charts += [volume, trend, opens]
    return page


def _daily_lines(daily: list[dict], fields: list[str], title: str, unit: str, number: str):
    """One line per field over report_date (fields share a unit and a number format)."""
    axis = alt.Axis(format="%") if number.endswith("%") else alt.Axis()
    return (
        alt.Chart(alt.Data(values=daily), title=title)
        .transform_fold(fields, as_=["measure", "value"])
        .mark_line(point=True)
        .encode(
            x=alt.X("report_date:T", title="Day (UTC)"),
            y=alt.Y("value:Q", title=unit, axis=axis),
            color=alt.Color("measure:N", title=None),
            tooltip=[
                alt.Tooltip("report_date:T", title="Day"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("value:Q", title=unit, format=number),
            ],
        )
        .properties(width=820, height=220)
    )


def campaigns_page(connection, docs: dict[str, str]) -> Page:
    page = Page(
        "campaigns.html",
        "Campaign Performance & Engagement",
        "Rates of each campaign's sends (outcomes whenever they happened). Click a campaign's "
        f"bar to drill down to its send jobs and its newest events (up to {DRILL_EVENTS:,} in "
        "all); click the background to clear.",
    )
    campaigns = _frame(
        connection,
        """
        select daily.campaign_id,
               coalesce(dim.campaign_name, daily.campaign_id) as campaign,
               sum(daily.sends) as sends,
               sum(daily.opened_sends) / nullif(sum(daily.delivered_sends), 0)
                   as unique_open_rate,
               sum(daily.human_opened_sends) / nullif(sum(daily.delivered_sends), 0)
                   as human_unique_open_rate,
               sum(daily.clicked_sends) / nullif(sum(daily.delivered_sends), 0)
                   as click_through_rate
        from marts.fct_email_events_daily as daily
        left join marts.dim_campaign as dim on daily.campaign_id = dim.campaign_id
        group by all
        having sum(daily.sends) > 0
        order by sends desc
        limit 25
        """,
    )
    if not campaigns:
        page.empty = EMPTY
        return page
    listed = ", ".join(repr(c["campaign_id"]) for c in campaigns)
    jobs = _frame(
        connection,
        f"""
        select campaign_id, job_id, count(*) as sends, min(send_date) as first_send_date,
               count(*) filter (where is_opened) / nullif(count(*) filter (where is_delivered), 0)
                   as unique_open_rate,
               count(*) filter (where is_human_opened)
                   / nullif(count(*) filter (where is_delivered), 0) as human_unique_open_rate,
               count(*) filter (where is_clicked)
                   / nullif(count(*) filter (where is_delivered), 0) as click_through_rate
        from marts.fct_email_sends
        where coalesce(campaign_id, '(none)') in ({listed})
        group by all
        """,
    )
    events = _frame(
        connection,
        f"""
        select campaign_id, event_type, event_at, is_machine_open, is_suspected_bot_click,
               is_unique_human, seconds_after_delivery
        from marts.fct_email_events
        where campaign_id in ({listed})
        order by event_at desc
        limit {DRILL_EVENTS}
        """,
    )
    pick = alt.selection_point(fields=["campaign_id"], empty=True)
    bars = (
        alt.Chart(
            alt.Data(values=campaigns),
            title=alt.TitleParams(
                "Unique open rate by campaign (top 25 by sends)",
                subtitle=docs.get("unique_open_rate", ""),
            ),
        )
        .mark_bar()
        .encode(
            y=alt.Y("campaign:N", sort="-x", title=None),
            x=alt.X("unique_open_rate:Q", title="Unique open rate", axis=alt.Axis(format="%")),
            color=alt.condition(pick, alt.value("#2f6db5"), alt.value("#c5d3e3")),
            tooltip=[
                alt.Tooltip("campaign:N", title="Campaign"),
                alt.Tooltip("sends:Q", title="Sends", format=","),
                alt.Tooltip("unique_open_rate:Q", title="Unique open rate", format=".1%"),
                alt.Tooltip("human_unique_open_rate:Q", title="Human open rate", format=".1%"),
                alt.Tooltip("click_through_rate:Q", title="Click-through rate", format=".1%"),
            ],
        )
        .add_params(pick)
        .properties(width=560, height=alt.Step(16))
    )
    by_job = (
        alt.Chart(alt.Data(values=jobs), title="Send jobs of the selected campaign(s)")
        .transform_filter(pick)
        .mark_bar()
        .encode(
            y=alt.Y("job_id:N", sort="-x", title="Job"),
            x=alt.X("unique_open_rate:Q", title="Unique open rate", axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("job_id:N", title="Job"),
                alt.Tooltip("first_send_date:T", title="First sent"),
                alt.Tooltip("sends:Q", title="Sends", format=","),
                alt.Tooltip("unique_open_rate:Q", title="Unique open rate", format=".1%"),
                alt.Tooltip("human_unique_open_rate:Q", title="Human open rate", format=".1%"),
                alt.Tooltip("click_through_rate:Q", title="Click-through rate", format=".1%"),
            ],
        )
        .properties(width=560, height=alt.Step(14))
    )
    drill = (
        alt.Chart(alt.Data(values=events), title="Events of the selected campaign(s)")
        .transform_filter(pick)
        .transform_calculate(
            signal="datum.is_machine_open ? 'machine open' : "
            "(datum.is_suspected_bot_click ? 'scanner click' : 'human / system')"
        )
        .mark_circle(size=28, opacity=0.7)
        .encode(
            x=alt.X("event_at:T", title="Event time (UTC)"),
            y=alt.Y("event_type:N", title="Event type"),
            color=alt.Color("signal:N", title="Signal"),
            tooltip=[
                alt.Tooltip("campaign_id:N", title="Campaign id"),
                alt.Tooltip("event_type:N", title="Type"),
                alt.Tooltip("event_at:T", title="At", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("seconds_after_delivery:Q", title="Seconds after delivery"),
                alt.Tooltip("signal:N", title="Signal"),
            ],
        )
        .properties(width=820, height=220)
    )
    page.charts.append(alt.vconcat(bars, by_job, drill))
    return page


def audience_page(connection, docs: dict[str, str]) -> Page:
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
        "select event_date, known_campaign_coverage_rate from marts.dq_campaign_id_coverage "
        "order by event_date",
    )
    page.charts.append(
        alt.Chart(
            alt.Data(values=coverage),
            title=alt.TitleParams(
                "Share of events whose campaign the CRM knows",
                subtitle=docs.get("known_campaign_coverage_rate", ""),
            ),
        )
        .mark_line(point=True)
        .encode(
            x=alt.X("event_date:T", title="Day (UTC)"),
            y=alt.Y(
                "known_campaign_coverage_rate:Q",
                title="Known-campaign share",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=[
                alt.Tooltip("event_date:T", title="Day"),
                alt.Tooltip("known_campaign_coverage_rate:Q", title="Share", format=".1%"),
            ],
        )
        .properties(width=820, height=180)
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
            x=alt.X("started_at:T", title="Started (UTC)"),
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
        "select check_name, report_date, measured_share, warn_at, level "
        "from audit.audit__threshold_checks where measured_share is not null "
        "and report_date >= (select max(report_date) from audit.audit__threshold_checks) "
        "- interval 60 day order by report_date",
    )
    if checks:
        page.charts.append(
            alt.Chart(alt.Data(values=checks), title="Alert thresholds: measured shares")
            .mark_line(point=True)
            .encode(
                x=alt.X("report_date:T", title="Day"),
                y=alt.Y("measured_share:Q", title="Share", axis=alt.Axis(format="%")),
                color=alt.Color("check_name:N", title="Check"),
                tooltip=[
                    alt.Tooltip("check_name:N", title="Check"),
                    alt.Tooltip("report_date:T", title="Day"),
                    alt.Tooltip("measured_share:Q", title="Share", format=".1%"),
                    alt.Tooltip("warn_at:Q", title="Warns at", format=".1%"),
                    alt.Tooltip("level:N", title="Level"),
                ],
            )
            .properties(width=820, height=220)
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
    pages = [
        executive_page(connection, daily_docs, metric_labels(manifest)),
        campaigns_page(connection, daily_docs),
        audience_page(connection, daily_docs | coverage_docs),
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
