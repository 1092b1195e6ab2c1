"""The run history, the alert thresholds and `mart alerts` with its webhook."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import DAILY_DATES, query
from typer.testing import CliRunner

from harness.alerts import Alert, message, post
from harness.cli import app
from harness.dbt import environment
from harness.jobs import run_daily
from harness.warehouse import connect


def test_each_daily_run_leaves_its_invocation_and_every_node_result(built, warehouse):
    """The `mart daily` runs of the session (DAILY_DATES): one build invocation each, ended, with
    one node result per result dbt returned, and a freshness check before each."""
    builds = query(
        warehouse,
        "select invocation_id, status, selected_nodes, ended_at from audit.audit__dbt_invocations "
        "where command = 'build' order by started_at limit ?",
        [len(DAILY_DATES)],
    )
    assert len(builds) == len(DAILY_DATES)
    for (invocation, status, selected, ended), daily in zip(builds, built["dailies"], strict=True):
        assert ended is not None and status in ("success", "warn")
        # Every node's result; the hooks themselves are not among the results they see.
        returned = {
            r.node.unique_id: str(r.status)
            for r in daily.result.results
            if r.node.resource_type != "operation"
        }
        recorded = dict(
            query(
                warehouse,
                "select unique_id, status from audit.audit__dbt_node_results "
                "where invocation_id = ?",
                [invocation],
            )
        )
        assert selected == len(returned) and recorded == returned
    freshness = query(
        warehouse,
        "select count(distinct invocation_id), count(*), count(freshness_age_seconds) "
        "from audit.audit__dbt_node_results where command = 'freshness'",
    )[0]
    assert freshness[0] >= len(DAILY_DATES) and freshness[1] == freshness[2] > 0


def test_a_full_build_reports_one_alert_for_a_test_and_its_whole_table_twin():
    """A full build runs a daily test and its whole-table twin, which report the same when
    every row is the run's: one alert, the twin's. A daily run's scoped test alone, or twins
    that disagree, stay as they are."""
    from harness.alerts import _without_scoped_twins

    scoped = (
        "relationships_in_latest_build_fct_email_events_campaign_id__campaign_id__ref_dim_campaign_"
    )
    twin = "relationships_fct_email_events_campaign_id__campaign_id__ref_dim_campaign_"
    got = "Got 65 results, configured to warn if != 0"
    full_build = [
        (scoped, "test", "warn", got, None),
        (twin, "test", "warn", got, None),
        ("unique_in_latest_build_fct_email_events_event_id", "test", "fail", "Got 1 result", None),
    ]
    assert [row[0] for row in _without_scoped_twins(iter(full_build))] == [
        twin,
        "unique_in_latest_build_fct_email_events_event_id",
    ]
    assert _without_scoped_twins(full_build[:1]) == full_build[:1]
    disagreeing = [
        full_build[0],
        (twin, "test", "warn", "Got 70 results, configured to warn if != 0", None),
    ]
    assert _without_scoped_twins(disagreeing) == disagreeing


def test_every_check_has_its_levels_from_the_vars(warehouse):
    from harness.settings import project_vars

    thresholds = project_vars()["alert_thresholds"]
    minimum = project_vars()["alert_min_volume"]
    rows = query(
        warehouse,
        "select check_name, measured_share, denominator, warn_at, error_at, level, is_judged "
        "from audit.audit__threshold_checks",
    )
    assert {row[0] for row in rows} == set(thresholds)
    judged = set()
    for name, share, denominator, warn_at, error_at, level, is_judged in rows:
        warn_at, error_at = float(warn_at), float(error_at)
        assert (warn_at, error_at) == (thresholds[name]["warn"], thresholds[name]["error"])
        assert is_judged == (denominator is not None and denominator >= minimum), name
        if not is_judged:
            expected = "ok"  # too little to judge: one orphan job on a quiet day
        else:
            judged.add(name)
            expected = "ok" if share < warn_at else ("warn" if share < error_at else "error")
        assert level == expected, (name, share, denominator)
    assert judged == set(thresholds), "every check judges some day of the session's data"


def test_the_quarantine_share_is_the_reconciliation_s_quarantined_of_landed_rows(warehouse):
    """quarantine_share reads the staged rows counted once per batch and landed date
    (int_landed_row_counts, cheaper than the staged rows or the four-table reconciliation):
    per load date, the same two numbers as audit__load_reconciliation's, and the counts are
    the staged rows' own, recounted here. (What a quarantined row counts as: the model's unit
    tests; the session's data has none.)"""
    rows = quarantine_share_and_reconciliation(warehouse)
    assert rows and sum(row[4] for row in rows) > 0
    for day, numerator, denominator, quarantined, landed in rows:
        assert (numerator, denominator) == (quarantined, landed), day
    recounted = query(
        warehouse,
        "select load_id, coalesce(cast(loaded_at as date), date '1900-01-01'), count(*), "
        "count(*) filter (where rejection_reason is not null) "
        "from staging.stg_marketing_cloud_events group by all order by all",
    )
    counted = query(
        warehouse,
        "select load_id, load_date, landed_rows, quarantined_rows "
        "from staging.int_landed_row_counts order by all",
    )
    assert counted == recounted


def quarantine_share_and_reconciliation(warehouse) -> list[tuple]:
    return query(
        warehouse,
        "select checks.report_date, checks.numerator, checks.denominator, "
        "reconciliation.quarantined_rows, reconciliation.raw_rows "
        "from audit.audit__threshold_checks as checks full outer join "
        "audit.audit__load_reconciliation as reconciliation "
        "on checks.report_date = reconciliation.load_date "
        "where checks.check_name = 'quarantine_share' or checks.check_name is null",
    )


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Receiver.received = []
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()
    server.server_close()


def test_the_webhook_gets_one_json_message_and_a_dead_one_is_reported(webhook):
    alerts = [Alert("error", "threshold", "orphan_send_share", "31.0% on 2026-11-03")]
    payload = message(alerts, "duckdb")
    assert post(payload, webhook) is None
    assert Receiver.received == [payload]
    assert payload["status"] == "error" and "orphan_send_share" in payload["text"]
    assert post(payload, "http://127.0.0.1:9/nothing-listens") is not None


ORPHANS = 1200


def orphan_export(folder: Path, day: dt.date) -> Path:
    """A day of sends of a campaign the CRM does not know."""
    path = folder / "orphans.csv"
    rows = ["event_id,event_type,job_id,subscriber_key,event_date,campaign_id,list_id,batch_id"]
    rows += [
        f"orphan-{n},Sent,9990001,0035g00ORPHAN{n:05d},{day} 09:00:00,7015g000ORPHAN0AAA,1,1"
        for n in range(ORPHANS)
    ]
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.slow
def test_an_orphan_surge_and_a_volume_spike_raise_errors_and_a_normal_day_clears(
    state_dir, tmp_path, webhook
):
    # Three ordinary days (a volume change is judged against at least three earlier days),
    # a surge of sends to a campaign the CRM does not know, then an ordinary day again. The
    # daily job on a date lands the day before's sends.
    today = dt.datetime.now(dt.UTC).date()
    days = [today - dt.timedelta(days=n) for n in (4, 3, 2, 1, 0)]
    runner = CliRunner()
    with environment(
        MART_DUCKDB_PATH=str(tmp_path / "mart.duckdb"), DBT_MART_ALERT_WEBHOOK_URL=webhook
    ):
        for day in days[:3]:
            run_daily(day.isoformat(), n_events=1500, seed=3, docs=False)
        surge_sent = days[3] - dt.timedelta(days=1)
        load = runner.invoke(app, ["load", str(orphan_export(tmp_path, surge_sent))])
        assert load.exit_code == 0, load.output
        run_daily(days[3].isoformat(), n_events=6000, seed=3, docs=False)
        surge = runner.invoke(app, ["alerts", "--json", str(tmp_path / "alerts.json")])
        assert surge.exit_code == 1, surge.output
        found = json.loads((tmp_path / "alerts.json").read_text())
        errors = {a["name"] for a in found["alerts"] if a["level"] == "error"}
        assert {"orphan_send_share", "volume_change"} <= errors, found
        assert Receiver.received[-1]["status"] == "error"

        daily = ["daily", "--date", days[4].isoformat(), "--events", "1500", "--seed", "3"]
        normal_day = runner.invoke(app, [*daily, "--no-docs"])
        assert normal_day.exit_code == 0, normal_day.output
        assert "Open alerts" in normal_day.output, "the day after a surge still warns"
        normal = runner.invoke(app, ["alerts"])
        assert normal.exit_code == 0, normal.output
        with connect() as connection:
            invocations = query(
                connection,
                "select count(*) from audit.audit__dbt_invocations where command = 'build'",
            )
    assert invocations == [(5,)]
    # One message per `mart alerts`, and one from the `mart daily` run.
    statuses = [m["status"] for m in Receiver.received]
    assert len(statuses) == 3 and statuses[0] == "error" and "error" not in statuses[1:]
