"""`mart alerts`: what needs a person's attention now, from the warehouse itself.

Open alerts are: the latest day of each threshold check at warn or error
(audit__threshold_checks), volume anomalies on the latest day (audit__volume_anomalies,
warn), the tests and models that warned, failed or errored in the latest build
(audit__dbt_node_results), and the sources the latest `dbt source freshness` found stale.
Relations are named as dbt names them for the target and environment (the manifest), so
the same code reads DuckDB, the emulator and Snowflake.

A webhook (DBT_MART_ALERT_WEBHOOK_URL; the DBT_ prefix is what dbt Cloud passes to runs)
receives one JSON message per call: Slack-compatible `text` plus the alerts. A failing
webhook is reported, never fatal.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from harness.settings import mart_setting

LEVELS = ("warn", "error")


@dataclass(frozen=True)
class Alert:
    level: str  # warn | error
    kind: str  # threshold | anomaly | test | freshness
    name: str
    detail: str


def _relations(target: str) -> dict[str, str]:
    from harness.dbt import manifest

    return {
        node.name: node.relation_name
        for node in manifest(target).nodes.values()
        if node.resource_type == "model" and node.name.startswith("audit__")
    }


def open_alerts(execute, target: str = "duckdb") -> list[Alert]:
    """Every open alert, errors first. `execute(sql) -> rows` runs SQL on the target."""
    relation = _relations(target)
    alerts = []
    for name, day, share, warn_at, error_at, level in execute(
        "select check_name, report_date, measured_share, warn_at, error_at, level "
        f"from {relation['audit__threshold_checks']} "
        "where is_latest and level in ('warn', 'error') order by check_name"
    ):
        limit = error_at if level == "error" else warn_at
        alerts.append(
            Alert(level, "threshold", name, f"{float(share):.1%} on {day} (≥ {float(limit):.1%})")
        )
    anomalies = relation["audit__volume_anomalies"]
    for day, campaign, metric, value, expected, direction in execute(
        "select report_date, campaign_id, metric, metric_value, expected_value, direction "
        f"from {anomalies} where is_anomaly "
        f"and report_date = (select max(report_date) from {anomalies}) "
        "order by campaign_id, metric"
    ):
        alerts.append(
            Alert(
                "warn",
                "anomaly",
                f"{metric} {direction}",
                f"campaign {campaign} on {day}: {int(value):,} against {float(expected):,.1f}",
            )
        )
    invocations, results = relation["audit__dbt_invocations"], relation["audit__dbt_node_results"]
    for command, kind in (("build", "test"), ("freshness", "freshness")):
        for name, resource, status, text, age in _without_scoped_twins(
            execute(
                "select name, resource_type, status, message, freshness_age_seconds "
                f"from {results} where invocation_id = (select invocation_id from {invocations} "
                f"where command = '{command}' and ended_at is not null "
                "order by started_at desc limit 1) "
                "and status in ('warn', 'fail', 'error', 'runtime error') order by name"
            )
        ):
            level = "warn" if status == "warn" else "error"
            if age is not None:
                detail = f"stale: the newest row is {float(age) / 3600:,.0f} h old"
            else:
                detail = f"{resource} {status}: {_short(text)}"
            alerts.append(Alert(level, kind, name, detail))
    return sorted(alerts, key=lambda alert: (LEVELS.index(alert.level) * -1, alert.kind))


def _without_scoped_twins(rows: Iterable[tuple]) -> list[tuple]:
    """The results without a daily test whose whole-table twin reports the same in the same
    build: a full build runs both (`relationships_in_latest_build_X` and `relationships_X`,
    where every row is the run's), and one problem is one alert. `rows`: (name, resource,
    status, message, age), read once."""
    rows = list(rows)
    reported = {(name, status, message) for name, _, status, message, _ in rows}
    return [
        (name, resource, status, message, age)
        for name, resource, status, message, age in rows
        if "_in_latest_build" not in name
        or (name.replace("_in_latest_build", "", 1), status, message) not in reported
    ]


def _short(text) -> str:
    """dbt's result message in a few words: 'Got 65 results, configured to warn if != 0'
    reads '65 rows'."""
    words = " ".join(str(text or "").split())
    found = re.fullmatch(r"Got (\d+) results?, configured to (?:warn|fail) if .*", words)
    if found:
        return f"{int(found.group(1)):,} row" + ("" if found.group(1) == "1" else "s")
    return words[:160]


def message(alerts: list[Alert], target: str) -> dict:
    """The webhook's JSON: a one-line summary (`text`, as Slack shows it) and the alerts."""
    errors = sum(alert.level == "error" for alert in alerts)
    status = "error" if errors else ("warn" if alerts else "ok")
    text = f"Email mart ({target}): {errors} error(s), {len(alerts) - errors} warning(s)" + (
        ": " + "; ".join(f"{a.level} {a.name}" for a in alerts[:10]) if alerts else "."
    )
    return {
        "text": text,
        "status": status,
        "target": target,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "alerts": [asdict(alert) for alert in alerts],
    }


def post(payload: dict, url: str | None = None, timeout: float = 10) -> str | None:
    """POST the message to the webhook; None on success, else why it failed (one line)."""
    url = url or mart_setting("ALERT_WEBHOOK_URL")
    if not url:
        return None
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if response.status >= 300:
                return f"HTTP {response.status}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return str(getattr(error, "reason", error))
    return None
