"""Session fixtures: one real DuckDB warehouse, built once by real dbt, for the whole run.

Tiers: a test is `slow` when it needs the Snowflake emulator, a multi-day replay, child
processes killed half-way or many builds (marked in its module); every other test is
marked `fast` here. `bash ci/test.sh --fast` runs `-m "not slow"`.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from pathlib import Path

import pytest

from harness.jobs import run_daily
from harness.warehouse import connect

# The daily job on a date lands the day before's sends (its 06:00 UTC export): sends of
# 2026-11-01 and -02, after the seeds' history (which ends 2026-10-31).
DAILY_DATES = ("2026-11-02", "2026-11-03")
EVENTS_PER_DAY = 1500


def pytest_collection_modifyitems(items):
    slow_modules = set()
    for item in items:
        if item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.fast)
        else:
            slow_modules.add(item.module)
    # Modules with slow tests first: ci/test.sh hands whole modules to its workers (one per
    # core, pytest-xdist --dist loadfile) in this order, so the long ones start early and the
    # short ones fill in at the end.
    items.sort(key=lambda item: item.module not in slow_modules)


_MODULE_SECONDS: dict[str, float] = defaultdict(float)
_STARTED = time.monotonic()


def pytest_runtest_logreport(report):
    _MODULE_SECONDS[report.nodeid.split("::")[0]] += report.duration


def pytest_terminal_summary(terminalreporter):
    """Seconds per test module (setup, call and teardown), so the next slowdown shows."""
    if not _MODULE_SECONDS:
        return
    terminalreporter.section("seconds per module")
    for module, seconds in sorted(_MODULE_SECONDS.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"{seconds:8.1f}  {module}")
    terminalreporter.write_line(
        f"{sum(_MODULE_SECONDS.values()):8.1f}  in tests; "
        f"{time.monotonic() - _STARTED:.1f} s since collection"
    )


@pytest.fixture(scope="session", autouse=True)
def state_dir(tmp_path_factory) -> Path:
    """A private warehouse file and dbt target/log folders for this test session, set
    before any test: none writes to the project's own state/, target/ or logs/."""
    folder = tmp_path_factory.mktemp("mart")
    os.environ["MART_DUCKDB_PATH"] = str(folder / "mart.duckdb")
    os.environ["DBT_TARGET_PATH"] = str(folder / "target")
    os.environ["DBT_LOG_PATH"] = str(folder / "logs")
    os.environ["MART_EMULATOR_DIR"] = str(folder / "emulator")  # tests name their own
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    # dbt's file log at its default (debug) level is ~10% of a small build's time; failures
    # reach the tests as DbtError messages. A test that reads the log sets its own level.
    os.environ["DBT_LOG_LEVEL_FILE"] = "warn"
    return folder


# What a copy of the project leaves out: the environment, what builds and tests write.
NOT_COPIED = (".venv", ".git", "state", "target", "logs", "exports", "dbt_packages", "*.egg-info")
NOT_COPIED += ("__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache")


def project_copy(folder: Path) -> Path:
    """A copy of the project's files in `folder` (its .venv linked, not copied): for commands
    that read or write paths relative to the project root (MetricFlow's target/, the README's
    examples), so that no test writes into the project tree."""
    import shutil

    from harness import PROJECT_DIR

    shutil.copytree(PROJECT_DIR, folder, ignore=shutil.ignore_patterns(*NOT_COPIED))
    (folder / ".venv").symlink_to(PROJECT_DIR / ".venv")
    return folder


def reader_environment(folder: Path) -> dict[str, str]:
    """The environment of a reader in a copy of the project: none of the test session's
    MART_, dbt or Snowflake settings, and the copy's own harness first on the path, so every
    relative path of the README means what it says there."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("MART_", "DBT_", "SNOWFLAKE_", "PYTEST_"))
    }
    return environment | {
        "PYTHONPATH": str(folder),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "COLUMNS": "120",
    }


def run_example(document: str, first_command: str, folder: Path, **extra: str):
    """Run the shell example of `document` whose first command is `first_command`, as
    written, in the project copy `folder` (see test_docs_examples.py, which checks that
    every example it leaves to another module is run there this way)."""
    import subprocess

    from docs_examples import example_starting_with

    example = example_starting_with(document, first_command)
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", example.body],
        cwd=folder,
        env=reader_environment(folder) | extra,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )


@pytest.fixture(scope="session")
def built(state_dir):
    """The daily job on two dates of a fresh warehouse: the first loads the seeds and builds
    in full, the second is incremental; each builds and tests the daily selection (every
    seed, model and data test but the whole-table twins). The dbt unit tests, which the
    daily selection leaves out as production does, run once in test_mart.py (each worker
    builds its own warehouse)."""
    dailies = [
        run_daily(day, n_events=EVENTS_PER_DAY, seed=7, docs=(day == DAILY_DATES[-1]))
        for day in DAILY_DATES
    ]
    for day, daily in zip(DAILY_DATES, dailies, strict=True):
        assert not daily.failures, (day, daily.failures)
        assert daily.count(("test",), "pass") > 100, day
        assert not [kind for kind, _ in daily.statuses if kind == "unit_test"], day
    return {"dailies": dailies, "dir": state_dir}


@pytest.fixture
def warehouse(built):
    with connect() as connection:
        yield connection


def query(connection, sql: str, params=None) -> list[tuple]:
    return connection.execute(sql, params or []).fetchall()
