"""`mart simulate`: the proof that incremental builds equal a full refresh.

Days of events are generated once (with late arrivals, re-delivered duplicates and, with
`bad_rate`, bad rows), then played day by day into a fresh warehouse on the chosen target:
each simulated day lands the rows whose landing time falls on it (a batch `sim:<day>`) and
runs the daily build, incrementally. A reference DuckDB warehouse then lands every one of
those rows at once and builds with --full-refresh. Every mart, dq and audit model of the two
is diffed row for row: zero differences is the proof.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from harness.dbt import NO_TESTS, environment, run_dbt
from harness.generate import generate
from harness.landing import DuckDBSink, landing_shape, open_sink

PENDING = "pending_events"  # every generated row, in the landing table's layout


@dataclass
class SimulationResult:
    days: int
    landed: int  # rows landed over all days
    results: list  # harness.diff results, one per model
    test_failures: list[str]  # data tests that failed in any daily build ("day: test")

    @property
    def differs(self) -> bool:
        return any(result.differs for result in self.results) or bool(self.test_failures)


def _relabelled(relation: str, load_id: str) -> str:
    """Landing rows of `relation` as the batch `load_id` (the day they land on)."""
    return f"select * exclude (_load_id), '{load_id}' as _load_id from {relation}"


def simulate(
    folder: Path,
    *,
    days: int,
    events_per_day: int,
    seed: int,
    start: dt.date,
    bad_rate: float = 0.01,
    target: str = "duckdb",
    announce: Callable[[str], None] = lambda title: None,
    on_day: Callable[[dt.date, int], None] = lambda day, rows: None,
) -> SimulationResult:
    """Play `days` days incrementally on `target`, full-refresh them on DuckDB, diff both."""
    from harness.diff import diff_models, open_side, selected_models

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    pending = duckdb.connect(str(folder / "pending.duckdb"))
    incremental, reference = folder / "incremental.duckdb", folder / "full_refresh.duckdb"
    try:
        announce(f"Generating {days} days of events")
        pending.execute(f"create table {PENDING} as select * from ({landing_shape()}) limit 0")
        generate(
            DuckDBSink(pending, PENDING),
            start=start,
            days=days,
            events_per_day=events_per_day,
            seed=seed,
            bad_rate=bad_rate,
        )

        def land(sink, day: dt.date) -> int:
            rows = pending.sql(
                f"select * from {PENDING} where cast(_loaded_at as date) = '{day.isoformat()}'"
            ).to_arrow_table()
            sink.append(rows, f"sim:{day.isoformat()}", _relabelled)
            return rows.num_rows

        played = [start + dt.timedelta(days=offset) for offset in range(days)]
        landed = 0
        failures: list[str] = []
        with (
            environment(
                MART_DUCKDB_PATH=str(incremental), MART_EMULATOR_DIR=str(folder / "emulator")
            ),
            _emulator_stopped_after(target),
        ):
            announce(f"Building on {target}, then playing the days incrementally")
            # The warehouse the days start from: seeds and empty tables. Tests would check
            # nothing (the landing table is empty; unit tests read fixed inputs); each
            # day's build runs the daily data tests on what it wrote.
            run_dbt(["build", *NO_TESTS], target=target, quiet=True)
            with open_sink(target) as sink:
                for day in played:
                    rows = land(sink, day)
                    build = run_dbt(
                        ["build", "--selector", "daily"],
                        target=target,
                        quiet=True,
                        allow_test_failures=True,
                    )
                    failures += [f"{day}: {failure}" for failure in build.failures]
                    landed += rows
                    on_day(day, rows)
            with environment(MART_DUCKDB_PATH=str(reference)):
                announce("Landing the same rows at once on DuckDB, building with --full-refresh")
                run_dbt(["seed"], quiet=True)
                run_dbt(["run-operation", "ensure_events_landing_table"], quiet=True)
                with open_sink("duckdb") as sink:
                    for day in played:
                        land(sink, day)
                # The reference is what the diff compares with; its own tests would prove
                # nothing the diff does not.
                run_dbt(["build", "--full-refresh", *NO_TESTS], quiet=True)
            announce("Diffing every mart, dq and audit model (incremental vs full refresh)")
            left = open_side(f"duckdb:{reference}")
            right = open_side(target if target != "duckdb" else f"duckdb:{incremental}")
            try:
                results = diff_models(left, right, selected_models())
            finally:
                left.close()
                right.close()
        return SimulationResult(days, landed, results, failures)
    finally:
        pending.close()


@contextmanager
def _emulator_stopped_after(target: str):
    """Stop this simulation's emulator on the way out (while MART_EMULATOR_DIR names it)."""
    from harness import emulator

    try:
        yield
    finally:
        if target == "snowflake_emulator":
            emulator.stop()
