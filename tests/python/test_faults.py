"""Safe re-runs: repeated and interrupted builds end with exactly the marts of one clean run.

Builds run in child processes (`mart build`, as a user would), on private warehouse files that
this process never opens while they run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from harness.diff import diff_relation, open_side

MODELS = [
    ("marts", "fct_email_events", ["event_id"]),
    ("marts", "fct_email_events_daily", ["event_date", "campaign_id"]),
    ("marts", "dim_person", ["person_id"]),
    ("marts", "fct_campaign_membership", ["campaign_id", "person_id"]),
    ("audit", "audit__load_reconciliation", ["load_date"]),
]


def mart(path, *args, timeout=600):
    env = {**os.environ, "MART_DUCKDB_PATH": str(path)}
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


@pytest.fixture(scope="module")
def clean(state_dir, tmp_path_factory):
    """One clean run: build, then the daily job for one date."""
    path = tmp_path_factory.mktemp("clean") / "clean.duckdb"
    run(path, "build")
    run(path, "daily", "--date", "2026-11-05", "--no-docs", "--bad-rate", "0.05")
    return path


def test_the_daily_job_twice_for_one_date_changes_nothing(clean, tmp_path):
    twice = tmp_path / "twice.duckdb"
    run(twice, "build")
    run(twice, "daily", "--date", "2026-11-05", "--no-docs", "--bad-rate", "0.05")
    run(twice, "daily", "--date", "2026-11-05", "--no-docs", "--bad-rate", "0.05")
    assert differences(clean, twice) == {}


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_a_build_killed_half_way_then_rerun_equals_a_clean_run(clean, tmp_path, how):
    path = tmp_path / "killed.duckdb"
    run(path, "build")
    before = tmp_path / "before.duckdb"
    shutil.copy(path, before)
    process = mart(path, "daily", "--date", "2026-11-05", "--no-docs", "--bad-rate", "0.05")
    time.sleep(9)  # into the build of tag:daily (after the mock events are in)
    process.send_signal(how)
    process.wait(timeout=120)
    # What readers see now: every table is complete, as before the run or as after it,
    # never half written. (Views are computed on read, from whichever tables are there.)
    for model in [m for m in MODELS if m[0] == "marts"]:
        assert not differences(before, path, [model]) or not differences(clean, path, [model]), (
            f"{model[1]} is half written after {how.name}"
        )
    run(path, "daily", "--date", "2026-11-05", "--no-docs", "--bad-rate", "0.05")
    assert differences(clean, path) == {}
