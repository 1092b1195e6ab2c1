"""Safe re-runs: repeated and interrupted builds end with exactly the marts of one clean run.

Builds run in child processes (`mart build`, as a user would), on a private warehouse file
that this process never opens while they run: always the same path (the bench), which each
test fills from a copy, so that dbt parses the project once for the module (its partial
parsing starts over whenever the profile's path changes).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.diff import diff_relation, open_side

pytestmark = pytest.mark.slow

MODELS = [
    ("marts", "fct_email_events", ["event_id"]),
    ("marts", "fct_email_sends", ["send_id"]),
    ("marts", "fct_email_events_daily", ["report_date", "campaign_id"]),
    ("marts", "dim_person", ["person_id"]),
    ("marts", "fct_campaign_membership", ["campaign_id", "person_id"]),
    ("audit", "audit__load_reconciliation", ["load_date"]),
]


def mart(path, *args, log_dir=None):
    env = {
        **os.environ,
        "MART_DUCKDB_PATH": str(path),
        "DBT_TARGET_PATH": str(path.parent / "target"),
    }
    if log_dir is not None:  # wait_for_node reads it: debug level names each node begun
        env.update(DBT_LOG_PATH=str(log_dir), DBT_LOG_LEVEL_FILE="debug")
    return subprocess.Popen(
        [sys.executable, "-m", "harness.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def run(path, *args):
    process = mart(path, *args)
    assert process.wait(timeout=600) == 0, f"mart {' '.join(args)} failed on {path}"


def differences(left_path, right_path, models=MODELS):
    left, right = open_side(f"duckdb:{left_path}"), open_side(f"duckdb:{right_path}")
    try:
        return {
            name: result.as_dict()["checks"]
            for schema, name, key in models
            if (result := diff_relation(left, right, schema, name, key)).differs
        }
    finally:
        left.close()
        right.close()


DAILY = ("daily", "--date", "2026-11-05", "--no-docs", "--bad-rate", "0.05")


@pytest.fixture(scope="module")
def bench(state_dir, tmp_path_factory) -> Path:
    """The warehouse path every child process builds on."""
    return tmp_path_factory.mktemp("bench") / "mart.duckdb"


def on_bench(bench: Path, source: Path | None = None) -> Path:
    """The bench holding a copy of `source` (or nothing), no earlier run's write-ahead log."""
    for leftover in (bench, bench.with_name(bench.name + ".wal")):
        leftover.unlink(missing_ok=True)
    if source is not None:
        shutil.copy(source, bench)
    return bench


@pytest.fixture(scope="module")
def built_once(bench, tmp_path_factory):
    """The project built once (`mart build`, its unit tests left to the session's run); each
    test starts from a copy of this file."""
    run(on_bench(bench), "build", "--no-unit-tests")
    return Path(shutil.copy(bench, tmp_path_factory.mktemp("built") / "built.duckdb"))


@pytest.fixture(scope="module")
def clean(bench, built_once, tmp_path_factory):
    """One clean run: the build, then the daily job for one date."""
    run(on_bench(bench, built_once), *DAILY)
    return Path(shutil.copy(bench, tmp_path_factory.mktemp("clean") / "clean.duckdb"))


def test_the_daily_job_twice_for_one_date_changes_nothing(bench, clean):
    twice = on_bench(bench, clean)
    run(twice, *DAILY)
    assert differences(clean, twice) == {}


def wait_for_node(log: Path, node: str, process, timeout: float = 300) -> None:
    """Until the child's dbt log says `node` began running (the build is half-way)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and f"Began running node {node}" in log.read_text(errors="replace"):
            return
        assert process.poll() is None, "the daily job ended before the node it should be killed in"
        time.sleep(0.05)
    raise AssertionError(f"{node} never started")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_a_build_killed_half_way_then_rerun_equals_a_clean_run(
    bench, built_once, clean, tmp_path, how
):
    path = on_bench(bench, built_once)
    logs = tmp_path / "logs"
    process = mart(path, *DAILY, log_dir=logs)
    # Into the build of tag:daily, after the mock events are in and the dedup is replaced.
    wait_for_node(logs / "dbt.log", "model.email_mart.fct_email_events", process)
    process.send_signal(how)
    process.wait(timeout=120)
    # What readers see now: every table is complete, as before the run or as after it,
    # never half written. (Views are computed on read, from whichever tables are there.)
    for model in [m for m in MODELS if m[0] == "marts"]:
        assert not differences(built_once, path, [model]) or not differences(
            clean, path, [model]
        ), f"{model[1]} is half written after {how.name}"
    run(path, *DAILY)
    assert differences(clean, path) == {}
