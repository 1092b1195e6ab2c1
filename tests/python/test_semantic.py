"""The semantic layer: MetricFlow validates it, and its numbers equal the marts'.

`mf` runs as a child process (its own CLI, as a user would run it) on a copy of the session
warehouse: dbt-duckdb keeps the original open in this process, and DuckDB lets one process
hold a file.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import project_copy

from harness.dbt import manifest
from harness.settings import duckdb_path, kpi_rates
from harness.warehouse import connect

MF = Path(sys.executable).parent / "mf"


@pytest.fixture(scope="module")
def copy(built, tmp_path_factory):
    """A copy of the session warehouse beside a copy of the project: mf reads
    <project>/target/semantic_manifest.json (a fixed path), so it runs in the copy, never
    in the project's own target/. The session's builds wrote the manifest for the session
    warehouse, whose file name (so relation names) the copy keeps."""
    folder = tmp_path_factory.mktemp("semantic")
    with connect() as connection:
        connection.execute("checkpoint")
        shutil.copy(duckdb_path(), folder / "mart.duckdb")
    project = project_copy(folder / "project")
    written = Path(os.environ["DBT_TARGET_PATH"]) / "semantic_manifest.json"
    (project / "target").mkdir()
    shutil.copy(written, project / "target" / "semantic_manifest.json")
    return folder


def child_env(copy: Path) -> dict[str, str]:
    env = os.environ | {
        "MART_DUCKDB_PATH": str(copy / "mart.duckdb"),
        "DBT_PROFILES_DIR": str(copy.parent / "project" / "profiles"),
    }
    env.pop("DBT_TARGET_PATH", None)  # the copy's own target/, where mf looks
    return env


# Every mf command of this module, started together when the module's first test needs
# one: each is a process that spends seconds importing MetricFlow, so they share the cores,
# each on its own copy of the warehouse.
MF_COMMANDS = {
    "validate": ["validate-configs"],
    "executive": ["query", "--saved-query", "executive_daily_kpis"],
    "campaigns": ["query", "--saved-query", "campaign_performance"],
    "audience": ["query", "--saved-query", "audience_quality"],
    "over_time": [
        "query",
        "--metrics",
        "sends,sends_to_date,sends_week_over_week",
        "--group-by",
        "metric_time__day",
    ],
}


@pytest.fixture(scope="module")
def mf(copy) -> dict[str, subprocess.CompletedProcess]:
    """Each command of MF_COMMANDS run by MetricFlow's own CLI (queries write a CSV named
    after the command, in the copy's folder), by name."""
    started = {}
    for name, args in MF_COMMANDS.items():
        output = ["--csv", str(copy / f"{name}.csv")] if args[0] == "query" else []
        own = copy / name  # a copy each: DuckDB lets one process at a time open a file
        own.mkdir()
        shutil.copy(copy / "mart.duckdb", own / "mart.duckdb")
        started[name] = subprocess.Popen(
            [str(MF), *args, *output],
            cwd=copy / "project",
            env=child_env(own),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    done = {}
    for name, process in started.items():
        stdout, stderr = process.communicate(timeout=600)
        done[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return done


def mf_rows(copy: Path, mf: dict, name: str) -> list[dict[str, str]]:
    done = mf[name]
    assert done.returncode == 0, done.stdout + done.stderr
    with (copy / f"{name}.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def mart_rows(copy: Path, sql: str) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(copy / "mart.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def close(left: str, right) -> bool:
    if right is None:
        return left == ""
    return abs(float(left) - float(right)) <= 1e-9 * max(1.0, abs(float(right)))


def test_metricflow_validates_the_semantic_layer_against_the_warehouse(mf):
    done = mf["validate"]
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ERRORS: 0" in done.stdout and "Successfully validated metrics" in done.stdout


def test_executive_kpis_equal_the_daily_fact(copy, mf):
    rows = mf_rows(copy, mf, "executive")
    expected = {
        day.isoformat(): values
        for day, *values in mart_rows(
            copy,
            """
            select report_date, sum(sends), sum(delivered_sends),
                   sum(delivered_sends) / nullif(sum(sends), 0),
                   sum(opened_sends) / nullif(sum(delivered_sends), 0),
                   sum(human_opened_sends) / nullif(sum(delivered_sends), 0),
                   sum(clicked_sends) / nullif(sum(delivered_sends), 0),
                   sum(clicked_sends) / nullif(sum(opened_sends), 0),
                   sum(bounced_sends) / nullif(sum(sends), 0),
                   sum(unsubscribed_sends) / nullif(sum(delivered_sends), 0)
            from marts.fct_email_events_daily group by report_date
            """,
        )
    }
    columns = [
        "sends",
        "delivered_sends",
        "delivery_rate",
        "unique_open_rate",
        "human_unique_open_rate",
        "click_through_rate",
        "click_to_open_rate",
        "bounce_rate",
        "unsubscribe_rate",
    ]
    assert len(rows) == len(expected) > 20
    for row in rows:
        want = expected[row["metric_time__day"][:10]]
        for column, value in zip(columns, want, strict=True):
            assert close(row[column], value), (row["metric_time__day"], column)


def test_campaign_performance_equals_the_daily_fact_by_campaign(copy, mf):
    rows = mf_rows(copy, mf, "campaigns")
    expected = {
        campaign: values
        for campaign, *values in mart_rows(
            copy,
            """
            select campaign_id, sum(sends), sum(opened_sends),
                   sum(opened_sends) / nullif(sum(delivered_sends), 0),
                   sum(clicked_sends) / nullif(sum(delivered_sends), 0),
                   sum(human_clicked_sends) / nullif(sum(delivered_sends), 0)
            from marts.fct_email_events_daily group by campaign_id
            """,
        )
    }
    assert {row["campaign"] for row in rows} == set(expected)
    for row in rows:
        want = expected[row["campaign"]]
        names = [
            "sends",
            "opened_sends",
            "unique_open_rate",
            "click_through_rate",
            "human_click_through_rate",
        ]
        for column, value in zip(names, want, strict=True):
            assert close(row[column], value), (row["campaign"], column)


def test_audience_coverage_equals_the_dq_model(copy, mf):
    rows = mf_rows(copy, mf, "audience")
    expected = {
        day.isoformat(): (events, known / events if events else None)
        for day, events, known in mart_rows(
            copy,
            "select event_date, events, events_with_known_campaign "
            "from marts.dq_campaign_id_coverage",
        )
    }
    assert len(rows) == len(expected)
    for row in rows:
        events, rate = expected[row["metric_time__day"][:10]]
        assert close(row["events"], events)
        assert close(row["known_campaign_coverage_rate"], rate)


def test_cumulative_and_period_over_period_sends(copy, mf):
    rows = mf_rows(copy, mf, "over_time")
    by_day = {row["metric_time__day"][:10]: row for row in rows}
    sql = "select report_date, sum(sends) from marts.fct_email_events_daily group by 1"
    daily = dict(mart_rows(copy, sql))
    last = max(daily)
    assert close(by_day[last.isoformat()]["sends_to_date"], sum(daily.values()))
    checked = 0
    for day, sends in daily.items():
        earlier = daily.get(day - dt.timedelta(days=7))
        change = by_day[day.isoformat()]["sends_week_over_week"]
        if earlier is not None and sends and earlier:
            assert close(change, sends - earlier), day
            checked += 1
    assert checked > 5


def test_every_ratio_metric_is_the_rate_the_marts_define(built):
    """MetricFlow's ratio metrics name their numerator and denominator themselves (the spec
    has no other way); they must be var('kpi_rates')'s, the definition the marts use."""
    parsed = manifest()
    ratios = {
        metric.name: (
            metric.type_params.numerator.name,
            metric.type_params.denominator.name,
        )
        for metric in parsed.metrics.values()
        if str(getattr(metric.type, "value", metric.type)) == "ratio"
    }
    defined = {rate.name: (rate.numerator, rate.denominator) for rate in kpi_rates()}
    assert ratios == defined
