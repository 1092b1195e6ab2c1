"""The jobs the CLI runs, as functions tests can call directly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from harness.dbt import DbtError, DbtRun, environment, listening, run_dbt
from harness.errors import UserError
from harness.settings import duckdb_path


def seeds_loaded(target: str) -> bool:
    """Whether the CRM seeds exist in the warehouse (unknown, so False, off DuckDB)."""
    if target != "duckdb" or not duckdb_path().exists():
        return False
    from harness.warehouse import connect

    with connect() as connection:
        return bool(
            connection.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = 'salesforce' and table_name = 'campaign'"
            ).fetchone()[0]
        )


MOCK_MACRO = "insert_mock_marketing_cloud_events"


def insert_mock_events(
    run_date: str,
    n_events: int,
    seed: int,
    target: str,
    bad_rate: float = 0.0,
    landed_by: str | None = None,
) -> str:
    """dbt run-operation insert_mock_marketing_cloud_events: the mock export the daily job
    finds on `run_date` (yesterday's sends, and what arrived since the last run; everything
    up to `landed_by`, 'YYYY-MM-DD HH:MM:SS' UTC, if given). Returns the macro's own
    sentence saying what it landed."""
    if not 0 <= bad_rate <= 1:
        raise UserError(f"--bad-rate {bad_rate} is not a share; use a number from 0 to 1.")
    said: list[str] = []

    def keep_report(event) -> None:
        message = str(getattr(event.info, "msg", ""))
        if event.info.name == "JinjaLogInfo" and message.startswith(f"{MOCK_MACRO}: "):
            said.append(message.removeprefix(f"{MOCK_MACRO}: "))

    arguments = (
        f"{{run_date: '{run_date}', n_events: {int(n_events)}, seed: {int(seed)}, "
        f"bad_rate: {float(bad_rate):.6f}"
        + (f", landed_by: '{landed_by}'" if landed_by else "")
        + "}"
    )
    with listening(keep_report):
        run_dbt(["run-operation", MOCK_MACRO, "--args", arguments], target=target)
    return said[-1] if said else "mock events landed"


def run_daily(
    run_date: str | None = None,
    *,
    n_events: int = 400,
    seed: int = 42,
    target: str = "duckdb",
    docs: bool = True,
    bad_rate: float = 0.0,
    announce=lambda title: None,
) -> DbtRun:
    """The daily job as production runs it at 06:00 UTC on `run_date` (default today): the
    mock export of what has arrived (yesterday's sends, late and duplicate rows of earlier
    ones), source freshness, `dbt build --selector daily` (selectors.yml), docs.

    Loads the seeds first on a warehouse that has none (the mock events are drawn from the
    CRM's campaigns and people). Returns the build's outcome; test failures are in it.
    """
    run_date = run_date or dt.datetime.now(dt.UTC).date().isoformat()
    if not seeds_loaded(target):
        announce("Loading seeds (first run)")
        run_dbt(["seed"], target=target)
    announce(f"Landing the mock export of {run_date}")
    landed = insert_mock_events(run_date, n_events, seed, target, bad_rate)
    announce(landed[:1].upper() + landed[1:])
    announce("Checking source freshness")
    # As dbt Cloud's "Run source freshness" step: recorded in the run history, reported by
    # `mart alerts`, and the build goes on whatever it finds.
    try:
        run_dbt(["source", "freshness"], target=target, quiet=True)
    except DbtError:
        announce("A source is stale (see `mart alerts`); building anyway")
    announce("Building the daily selection")
    build = run_dbt(["build", "--selector", "daily"], target=target, allow_test_failures=True)
    if docs:
        announce("Generating docs")
        run_dbt(["docs", "generate"], target=target, quiet=True)
    return build


def build_with_mock_day(target: str, run_date: str, n_events: int, seed: int) -> None:
    """Seeds, one day of mock events (drawn from the seeds by the dbt macro, in the target's
    own SQL), then one build of every model with its data and unit tests.

    The same operations on two targets give warehouses that must diff to zero. (Incremental
    runs on the emulator are proved by `mart simulate --target snowflake_emulator`.)
    """
    run_dbt(["seed"], target=target, quiet=True)
    insert_mock_events(run_date, n_events, seed, target)
    run_dbt(["build", "--exclude", "resource_type:seed"], target=target, quiet=True)


def verify_engines(
    folder: Path, run_date: str, n_events: int, seed: int, announce=lambda title: None
) -> list:
    """Build fresh DuckDB and emulator warehouses in `folder` the same way and diff all marts."""
    import shutil

    from harness import emulator
    from harness.diff import diff_models, open_side, selected_models

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with environment(
        MART_DUCKDB_PATH=str(folder / "mart.duckdb"), MART_EMULATOR_DIR=str(folder / "emulator")
    ):
        try:
            for target in ("duckdb", "snowflake_emulator"):
                announce(
                    f"Building on {target} (seeds, models, mock events for {run_date}, rebuild)"
                )
                build_with_mock_day(target, run_date, n_events, seed)
            announce("Diffing every mart, dq and audit model")
            left, right = open_side("duckdb"), open_side("snowflake_emulator")
            try:
                return diff_models(left, right, selected_models())
            finally:
                left.close()
                right.close()
        finally:
            emulator.stop()
