"""Benchmark: what one daily run costs as history grows: the same day on a short and a long
history, measured by wall time and by the rows its queries read.

    .venv/bin/python bench/daily_cost_bench.py [--sizes 3000000,10000000]
                                               [--day-events 100000] [--write docs/benchmarks.md]

The business is the same at every size: `--day-events` events a day; a longer history is
more days of it (3M events = 30 days, 10M = 100 days at 100,000 a day). For each size:
1. a fresh warehouse with that history (the generator, seed 7), built in full by
   `dbt build --selector daily`; the events that landed after its last day are held back;
2. the same day added: `--day-events` new events (1% of the 10M history) dated the day
   after, plus the held-back late arrivals for earlier days;
3. the daily run on it, `dbt build --selector daily`, twice from two copies of the file:
   - timed: the dbt process's wall time (a child process, as production starts it);
   - profiled: dbt in-process with DuckDB's profiler on every statement it sends
     (`get_profiling_information`): the rows each table scan read (`rows_scanned`, after
     DuckDB skips the row groups its zone maps exclude, as Snowflake prunes micro-partitions
     by their min/max metadata), summed by node (model, test, hook) and by relation read,
     against each relation's size. Rows read are deterministic: a regression shows whatever
     the machine's noise.
A scan reads a relation "whole" when it carries no filter and reads 90% or more of the rows
the relation holds after the run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import duckdb
from docs_section import write_section  # bench/, beside this file
from scale_bench import (  # bench/, beside this file
    START,
    dbt,
    fresh_warehouse,
    hold_back_late_arrivals,
    land,
    land_held_back,
)

from harness import PROJECT_DIR

MARK_START, MARK_END = "<!-- daily-cost-bench:start -->", "<!-- daily-cost-bench:end -->"
BIG = 1_000_000  # relations at least this large must be read through the window
TARGET_WALL, TARGET_ROWS = 1.15, 1.2  # long history / short history, at most


# --- the profiled run (a child process: `--profile PATH OUT`) -------------------------------


def scans(operator: dict):
    """Every table scan under a profiled operator: (relation, rows scanned, filtered)."""
    info = operator.get("extra_info") or {}
    if operator.get("type") == "TABLE_SCAN" and "Table" in info:
        relation = info["Table"].split(".", 1)[1]  # drop the catalog: schema.table
        # dbt's temporary tables (an incremental model's new rows): one name per model.
        relation = re.sub(r"__dbt_tmp[0-9]*$", "__dbt_tmp", relation)
        yield relation, operator.get("rows_scanned", 0), bool(info.get("Filters"))
    for child in operator.get("children", []):
        yield from scans(child)


def profiled_daily_run(path: Path, out: Path) -> None:
    """`dbt build --selector daily` in this process, every statement profiled."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    records: list[dict] = []
    statements = [0]
    add_query = DuckDBConnectionManager.add_query

    def profiling_add_query(self, sql, *args, **kwargs):
        connection = self.get_thread_connection()
        cursor = connection.handle.cursor()._cursor  # dbt-duckdb's wrapper -> DuckDB's cursor
        # Per cursor (dbt-duckdb opens one per node); cheap, so before every statement.
        cursor.execute("pragma enable_profiling = 'no_output'")
        cursor.execute("set profiling_coverage = 'ALL'")  # DDL and DML too, not only SELECT
        result = add_query(self, sql, *args, **kwargs)
        statements[0] += 1
        profile = json.loads(cursor.get_profiling_information(format="json"))
        for operator in profile.get("operator", []):
            for relation, rows, filtered in scans(operator):
                record = {"node": connection.name, "relation": relation, "rows": rows}
                records.append(record | {"filtered": filtered})
        return result

    DuckDBConnectionManager.add_query = profiling_add_query
    os.environ.update(MART_DUCKDB_PATH=str(path), DBT_PROFILES_DIR="profiles")
    os.chdir(PROJECT_DIR)
    result = dbtRunner().invoke(["build", "--selector", "daily", "--quiet", "--threads", "1"])
    if result.exception is not None:
        raise SystemExit(f"profiled dbt build failed: {result.exception}")
    failed = [r.node.name for r in result.result if str(r.status) in ("fail", "error")]
    if failed:  # the figures stand, but a daily run whose tests fail is not the one to measure
        print(f"WARNING: tests failed in the profiled run: {', '.join(failed)}", flush=True)
    out.write_text(json.dumps(records), encoding="utf-8")
    print(f"{statements[0]} statements profiled", flush=True)


# --- one size ------------------------------------------------------------------------------


def history_and_day(folder: Path, rows: int, day_events: int) -> tuple[Path, dict]:
    """A warehouse holding `rows` events of history, built in full, with the day landed."""
    days = max(1, rows // day_events)
    path = fresh_warehouse(folder, f"history_{rows}")
    land(path, days, day_events)
    cutoff = START + dt.timedelta(days=days)
    history = hold_back_late_arrivals(path, cutoff)
    build_seconds, _ = dbt(["build", "--selector", "daily"], path)
    added = land(path, 1, day_events, start=cutoff)
    late = land_held_back(path)
    return path, {"history": history, "days": days, "new": added, "late": late,
                  "full_build_seconds": build_seconds}  # fmt: skip


def relation_sizes(path: Path, relations: set[str]) -> dict[str, int | None]:
    """Rows of each relation after the run (None: a temporary table, gone by then)."""
    sizes: dict[str, int | None] = {}
    with duckdb.connect(str(path), read_only=True) as connection:
        for relation in sorted(relations):
            try:
                count = connection.execute(f"select count(*) from {relation}").fetchone()
                sizes[relation] = count[0]
            except duckdb.CatalogException:
                sizes[relation] = None
    return sizes


def bench_size(folder: Path, rows: int, day_events: int, keep: Path | None) -> dict:
    path, facts = history_and_day(folder, rows, day_events)
    copy = path.with_name(path.stem + "_profiled.duckdb")
    shutil.copyfile(path, copy)
    seconds, _ = dbt(["build", "--selector", "daily"], path)
    out = (keep or folder) / f"profile_{rows}.json"
    subprocess.run(
        [sys.executable, __file__, "--profile", str(copy), str(out)], check=True, cwd=PROJECT_DIR
    )
    records = json.loads(out.read_text())
    sizes = relation_sizes(copy, {record["relation"] for record in records})
    by_node: dict[str, int] = defaultdict(int)
    by_relation = {
        relation: {"rows": 0, "scans": 0, "whole": 0, "size": size}
        for relation, size in sizes.items()
    }
    for record in records:
        by_node[node_name(record["node"])] += record["rows"]
        entry = by_relation[record["relation"]]
        entry["rows"] += record["rows"]
        entry["scans"] += 1
        # A whole read: no filter, and 90% or more of the rows the relation holds.
        size = entry["size"]
        entry["whole"] += bool(size and not record["filtered"] and record["rows"] >= 0.9 * size)
    path.unlink()
    copy.unlink()
    return facts | {
        "daily_seconds": seconds,
        "rows_read": sum(by_node.values()),
        "by_node": dict(by_node),
        "by_relation": by_relation,
    }


def node_name(unique_id: str | None) -> str:
    """model.email_mart.fct_email_sends -> fct_email_sends; a test by its name, not its hash;
    statements outside a node (hooks, dbt's catalog queries) as "(run)"."""
    parts = (unique_id or "").split(".")
    return parts[2] if len(parts) > 2 else "(run)"


# --- report --------------------------------------------------------------------------------


def unbounded(result: dict) -> list[str]:
    """Relations of at least BIG rows read whole (no filter, 90% of their rows) by a scan."""
    return sorted(
        relation
        for relation, entry in result["by_relation"].items()
        if (entry["size"] or 0) >= BIG and entry["whole"]
    )


def report(short: dict, long: dict, day_events: int, total: float) -> str:
    wall = long["daily_seconds"] / short["daily_seconds"]
    rows = long["rows_read"] / short["rows_read"]
    lines = [
        "## The daily run's cost as history grows (issue: a daily cost that follows the day)",
        "",
        "Command: `.venv/bin/python bench/daily_cost_bench.py --write docs/benchmarks.md` "
        f"(whole run {total / 60:.1f} min). Machine: {platform.machine()}, {os.cpu_count()} "
        f"cores, DuckDB {duckdb.__version__}. The same day ({day_events:,} new events, plus "
        "the late arrivals held back from the history) on two histories of "
        f"{day_events:,} events a day; `dbt build --selector daily`.",
        "",
        f"| measure | {short['history']:,} events ({short['days']} days) "
        f"| {long['history']:,} events ({long['days']} days) | ratio | target |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| daily run, wall s (dbt process) | {short['daily_seconds']:.1f} "
        f"| {long['daily_seconds']:.1f} | {wall:.2f} x | <= {TARGET_WALL} x |",
        f"| rows read by all its statements | {short['rows_read']:,} | {long['rows_read']:,} "
        f"| {rows:.2f} x | <= {TARGET_ROWS} x |",
        f"| full build before it, wall s | {short['full_build_seconds']:.1f} "
        f"| {long['full_build_seconds']:.1f} | "
        f"{long['full_build_seconds'] / short['full_build_seconds']:.2f} x | |",
        f"| late arrivals in the day | {short['late']:,} | {long['late']:,} | | |",
        "",
        "Rows read by relation on the long history (every scan of the run, DuckDB's "
        "`rows_scanned` after zone-map pruning):",
        "",
        "| relation | rows | rows read | share of its size | scans (of them whole) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for relation, entry in sorted(long["by_relation"].items(), key=lambda kv: -kv[1]["rows"]):
        size, share = "temporary", ""
        if entry["size"]:
            size, share = f"{entry['size']:,}", f"{entry['rows'] / entry['size']:.0%}"
        lines.append(
            f"| `{relation}` | {size} | {entry['rows']:,} | {share} "
            f"| {entry['scans']} ({entry['whole']}) |"
        )
    lines += [
        "",
        "Rows read by node, short and long history (the 15 largest on the long one):",
        "",
        "| node | short | long | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for node, read in sorted(long["by_node"].items(), key=lambda kv: -kv[1])[:15]:
        before = short["by_node"].get(node, 0)
        ratio = f"{read / before:.2f} x" if before else ""
        lines.append(f"| `{node}` | {before:,} | {read:,} | {ratio} |")
    missing = unbounded(long)
    lines += [
        "",
        "Relations of 1M rows or more read in full without a filter: "
        + (", ".join(f"`{r}`" for r in missing) if missing else "none")
        + ".",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3000000,10000000")
    parser.add_argument("--day-events", type=int, default=100_000)
    parser.add_argument("--write", type=Path, help="Replace this bench's section of the file.")
    parser.add_argument(
        "--keep-profiles", type=Path, help="Keep each run's scans (JSON) in this folder."
    )
    parser.add_argument("--profile", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile:
        profiled_daily_run(*args.profile)
        return
    short_rows, long_rows = (int(size) for size in args.sizes.split(","))
    folder = Path(tempfile.mkdtemp(prefix="daily-cost-bench-"))
    started = time.perf_counter()
    try:
        results = []
        for rows in (short_rows, long_rows):
            print(f"history of {rows:,} events ...", flush=True)
            results.append(bench_size(folder, rows, args.day_events, args.keep_profiles))
            summary = {k: v for k, v in results[-1].items() if k not in ("by_node",)}
            print(json.dumps(summary, indent=1), flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    text = report(*results, args.day_events, time.perf_counter() - started)
    print(text)
    if args.write:
        write_section(args.write, f"{MARK_START}\n{text}{MARK_END}", MARK_START, MARK_END)


if __name__ == "__main__":
    main()
