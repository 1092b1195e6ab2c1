"""Session fixtures: one real DuckDB warehouse, built once by real dbt, for the whole run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.dbt import run_dbt
from harness.jobs import run_daily
from harness.warehouse import connect

DAILY_DATES = ("2026-11-01", "2026-11-02", "2026-11-03")
EVENTS_PER_DAY = 1500


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory) -> Path:
    """A private warehouse file and dbt target/log folders for this test session."""
    folder = tmp_path_factory.mktemp("mart")
    os.environ["MART_DUCKDB_PATH"] = str(folder / "mart.duckdb")
    os.environ["DBT_TARGET_PATH"] = str(folder / "target")
    os.environ["DBT_LOG_PATH"] = str(folder / "logs")
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    return folder


@pytest.fixture(scope="session")
def built(state_dir):
    """The full project built (seeds, models, tests), then the daily job on three dates."""
    full = run_dbt(["build"], allow_test_failures=False)
    dailies = [
        run_daily(day, n_events=EVENTS_PER_DAY, seed=7, docs=(day == DAILY_DATES[-1]))
        for day in DAILY_DATES
    ]
    return {"full": full, "dailies": dailies, "dir": state_dir}


@pytest.fixture
def warehouse(built):
    with connect() as connection:
        yield connection


def query(connection, sql: str, params=None) -> list[tuple]:
    return connection.execute(sql, params or []).fetchall()
