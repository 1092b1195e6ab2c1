"""Benchmark: the generator, full and incremental dbt builds, memory and growth, on DuckDB.

    .venv/bin/python bench/scale_bench.py [--sizes 1000000,10000000]
                                          [--write docs/benchmarks.md]

Every figure comes from one run on one machine, against the fastest way to do the same work:
1. Generator: rows landed per second by `mart generate`'s code path into a DuckDB file, next
   to NumPy+Arrow generation alone, DuckDB's own insert of the same rows already formatted
   (the landing floor) and Faker making event-like rows one by one.
2. Full `dbt build --selector daily` (models, tests, seeds) on a fresh warehouse holding
   each size of history (100 days), against the floor: the same models' compiled SQL
   (manifest.json) run directly in one DuckDB connection, in DAG order, with no dbt.
3. One incremental day on the largest history up to 10M rows: 1% new rows plus the late
   arrivals held back from the history, built incrementally right after that full build,
   against it: the process's wall time, dbt's own elapsed time (without start-up), and
   the models' and the tests' node seconds (dbt's run_results.json).
4. Peak memory (max RSS of the dbt process) of that full build; DuckDB's memory_limit is the
   profile's MART_DUCKDB_MEMORY_LIMIT (default 3GB).
5. Growth: build and floor seconds by size, as a table and docs/scale_growth.svg.
dbt runs as a child process so its peak memory can be read (os.wait4).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from docs_section import write_section  # bench/, beside this file

from harness import PROJECT_DIR
from harness.events import Behaviour
from harness.generate import (
    chunk_table,
    generate,
    landing_select,
    load_population,
    plan_chunks,
)
from harness.landing import DuckDBSink

DAYS = 100  # so one day of new rows is 1% of the history
START = dt.date(2026, 11, 10)  # after the seed events
DBT = Path(sys.executable).parent / "dbt"
MEMORY_LIMIT = os.environ.get("MART_DUCKDB_MEMORY_LIMIT", "3GB")
FLOOR_UP_TO = 10_500_000  # the floor is measured up to 10M rows (the ratio's target size)
MARK_START, MARK_END = "<!-- scale-bench:start -->", "<!-- scale-bench:end -->"
# The incremental models: schema, and the column stamped with the run that wrote each row.
INCREMENTAL_MODELS = {
    "stg_marketing_cloud_events": ("staging", "staged_at"),
    "int_email_events_deduplicated": ("staging", "built_at"),
    "fct_email_events": ("marts", "built_at"),
    "fct_email_sends": ("marts", "built_at"),
    "fct_email_events_daily": ("marts", "built_at"),
}


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def dbt(args: list[str], path: Path) -> tuple[float, int]:
    """Run dbt in a child process on the warehouse `path`: (seconds, peak RSS in bytes).

    Its run_results.json is left in the project's target/ (see `dbt_breakdown`)."""
    env = os.environ | {"MART_DUCKDB_PATH": str(path), "DBT_PROFILES_DIR": "profiles"}
    start = time.perf_counter()
    child = subprocess.Popen(
        [str(DBT), *args, "--quiet"], cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: a test failed (reported, not fatal for timing)
        raise SystemExit(f"dbt {' '.join(args)} exited {code}")
    return seconds, usage.ru_maxrss * 1024


def dbt_breakdown() -> dict[str, float]:
    """dbt's elapsed seconds and node seconds by kind, from the latest run_results.json."""
    results = json.loads((PROJECT_DIR / "target" / "run_results.json").read_text())
    seconds = {"elapsed": results["elapsed_time"], "model": 0.0, "test": 0.0, "other": 0.0}
    nodes = {}
    for node in results["results"]:
        kind = node["unique_id"].split(".")[0]  # model, test, unit_test, seed, operation
        kind = "test" if kind == "unit_test" else kind  # none in the daily selection
        seconds[kind if kind in seconds else "other"] += node["execution_time"]
        nodes[node["unique_id"]] = node["execution_time"]
    return seconds | {"nodes": nodes}


def land(path: Path, days: int, events_per_day: int, start: dt.date = START) -> int:
    with duckdb.connect(str(path)) as connection:
        return generate(
            DuckDBSink(connection, "raw.events"),
            start=start,
            days=days,
            events_per_day=events_per_day,
            seed=7,
        ).events


def hold_back_late_arrivals(path: Path, cutoff: dt.date) -> int:
    """Move what landed on or after `cutoff` (after the history's last day) to
    raw.held_back: the next day's late arrivals. Returns the rows of history left."""
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            f"create table raw.held_back as select * from raw.events where _loaded_at >= '{cutoff}'"
        )
        connection.execute(f"delete from raw.events where _loaded_at >= '{cutoff}'")
        return connection.execute("select count(*) from raw.events").fetchone()[0]


def land_held_back(path: Path) -> int:
    """Land the held-back rows as one late batch; returns how many."""
    with duckdb.connect(str(path)) as connection:
        late = connection.execute("select count(*) from raw.held_back").fetchone()[0]
        connection.execute(
            "insert into raw.events select * exclude (_load_id), 'late' as _load_id "
            "from raw.held_back"
        )
        connection.execute("drop table raw.held_back")
        return late


def fresh_warehouse(folder: Path, name: str) -> Path:
    path = folder / f"{name}.duckdb"
    dbt(["seed"], path)
    dbt(["run-operation", "ensure_events_landing_table"], path)
    return path


# --- 1. generator -----------------------------------------------------------------------


def bench_generator(folder: Path, rows: int) -> dict[str, float]:
    path = fresh_warehouse(folder, "generator")
    seconds, landed = timed(lambda: land(path, 1, rows))
    population, b = load_population(seed=7), Behaviour()
    plan = plan_chunks(START, 1, rows, population, b)
    gen_seconds, tables = timed(lambda: [chunk_table(c, 7, population, b) for c in plan])
    generated = sum(t.num_rows for t in tables)
    with duckdb.connect(str(folder / "floor.duckdb")) as connection:
        connection.execute("set preserve_insertion_order = false")
        for number, table in enumerate(tables):
            connection.register(f"chunk{number}", table)
        formatted = " union all ".join(
            landing_select(f"chunk{n}", "floor") for n in range(len(tables))
        )
        connection.execute(f"create temp table formatted as {formatted}")
        connection.execute("create table landed as select * from formatted limit 0")
        floor_seconds, _ = timed(
            lambda: connection.execute("insert into landed select * from formatted")
        )
    return {
        "rows": landed,
        "rows_per_second": landed / seconds,
        "generation_rows_per_second": generated / gen_seconds,
        "landing_floor_rows_per_second": generated / floor_seconds,
        "faker_rows_per_second": faker_rows_per_second(),
    }


def faker_rows_per_second(rows: int = 5_000) -> float:
    """Faker making event-like rows one at a time (ids, times, IPs, agents, URLs)."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(7)

    def make():
        return [
            (
                fake.uuid4(),
                fake.random_element(("Sent", "DeliveredEvent", "Open", "Click")),
                fake.date_time_between("-30d"),
                fake.email(),
                fake.ipv4_public(),
                fake.user_agent(),
                fake.uri(),
            )
            for _ in range(rows)
        ]

    seconds, _ = timed(make)
    return rows / seconds


# --- 2-5. builds ----------------------------------------------------------------------------


def floor_seconds(path: Path) -> float:
    """The models' compiled SQL (from the last build's manifest) run directly, in DAG order."""
    manifest = json.loads((PROJECT_DIR / "target" / "manifest.json").read_text())
    models = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
    }
    order: list[str] = []

    def visit(unique_id: str) -> None:
        if unique_id in order or unique_id not in models:
            return
        for parent in models[unique_id]["depends_on"]["nodes"]:
            visit(parent)
        order.append(unique_id)

    for unique_id in sorted(models):
        visit(unique_id)
    statements = []
    for unique_id in order:
        node = models[unique_id]
        kind = "view" if node["config"]["materialized"] == "view" else "table"
        relation = node["relation_name"].split(".", 1)[1]  # schema.identifier
        statements.append(f"create or replace {kind} {relation} as {node['compiled_code']}")
    with duckdb.connect(str(path)) as connection:
        # The dbt profile's settings: the same memory limit and row-order freedom.
        connection.execute("set preserve_insertion_order = false")
        connection.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
        connection.execute("set enable_progress_bar = false")
        start = time.perf_counter()
        for statement in statements:
            connection.execute(statement)
        return time.perf_counter() - start


def bench_size(folder: Path, rows: int) -> dict[str, float]:
    path = fresh_warehouse(folder, f"history_{rows}")
    landed = land(path, DAYS, rows // DAYS)
    history = hold_back_late_arrivals(path, START + dt.timedelta(days=DAYS))
    build, peak = dbt(["build", "--selector", "daily"], path)
    breakdown = dbt_breakdown()
    floor = floor_seconds(path) if history <= FLOOR_UP_TO else None
    return {
        "rows": history,
        "generated": landed,
        "build_seconds": build,
        "breakdown": breakdown,
        "floor_seconds": floor,
        "peak_rss_bytes": peak,
        "path": str(path),
    }


def bench_incremental(result: dict) -> dict[str, float]:
    path = Path(result["path"])
    new_day = START + dt.timedelta(days=DAYS)
    added = land(path, 1, max(1, result["rows"] // 100), start=new_day)
    late = land_held_back(path)
    seconds, _ = dbt(["build", "--selector", "daily"], path)
    written = {}
    with duckdb.connect(str(path)) as connection:
        for model, (schema, stamp) in INCREMENTAL_MODELS.items():
            written[model] = connection.execute(
                f"select count(*) filter (where {stamp} = (select max({stamp}) from "
                f"{schema}.{model})), count(*) from {schema}.{model}"
            ).fetchone()
    return {
        "new_rows": added,
        "late_rows": late,
        "seconds": seconds,
        "breakdown": dbt_breakdown(),
        "written": written,
    }


def svg_plot(sizes: list[dict]) -> str:
    """A small line chart of build and floor seconds against history size."""
    width, height, left, bottom = 560, 300, 60, 40
    top = max(max(s["build_seconds"], s["floor_seconds"] or 0) for s in sizes) * 1.1
    most = max(s["rows"] for s in sizes)

    def point(rows: float, seconds: float) -> str:
        x = left + (width - left - 20) * rows / most
        y = height - bottom - (height - bottom - 20) * seconds / top
        return f"{x:.1f},{y:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="16" text-anchor="middle" font-weight="bold">'
        "Full build time by history size (DuckDB, 2 cores)</text>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        'stroke="black"/>',
        f'<line x1="{left}" y1="20" x2="{left}" y2="{height - bottom}" stroke="black"/>',
        f'<text x="{width / 2}" y="{height - 8}" text-anchor="middle">'
        "landed rows (millions)</text>",
        f'<text x="14" y="{height / 2}" transform="rotate(-90 14 {height / 2})" '
        'text-anchor="middle">seconds</text>',
    ]
    for s in sizes:
        x = point(s["rows"], 0).split(",")[0]
        parts.append(
            f'<text x="{x}" y="{height - bottom + 14}" text-anchor="middle">'
            f"{s['rows'] / 1e6:.1f}</text>"
        )
    for tick in range(5):
        seconds = top * tick / 4
        y = point(0, seconds).split(",")[1]
        parts.append(f'<text x="{left - 6}" y="{y}" text-anchor="end">{seconds:.0f}</text>')
    for key, colour, label in (
        ("build_seconds", "#1f77b4", "dbt build --selector daily"),
        ("floor_seconds", "#ff7f0e", "floor: compiled SQL, no dbt"),
    ):
        measured = [s for s in sizes if s[key]]
        points = " ".join(point(s["rows"], s[key]) for s in measured)
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                     'stroke-width="2"/>')  # fmt: skip
        for s in measured:
            cx, cy = point(s["rows"], s[key]).split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"/>')
        parts.append(f'<text x="{left + 10}" y="{34 if key == "build_seconds" else 50}" '
                     f'fill="{colour}">{label}</text>')  # fmt: skip
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--generator-rows", type=int, default=1_000_000)
    parser.add_argument("--write", type=Path, help="Replace the scale section of this file.")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    started = time.perf_counter()
    try:
        print(f"generator: {args.generator_rows:,} rows ...", flush=True)
        generator = bench_generator(folder, args.generator_rows)
        print(json.dumps(generator, indent=1), flush=True)
        results, incremental = [], None
        anchor_size = max((size for size in sizes if size <= FLOOR_UP_TO), default=sizes[0])
        for rows in sizes:
            print(f"full build: {rows:,} rows ...", flush=True)
            results.append(bench_size(folder, rows))
            print(json.dumps(results[-1], indent=1), flush=True)
            if rows == anchor_size:
                # Right after its full build, as a daily run follows the previous one.
                anchor = results[-1]
                print(f"incremental day on {anchor['rows']:,} rows ...", flush=True)
                incremental = bench_incremental(anchor)
                print(json.dumps(incremental, indent=1), flush=True)
            Path(results[-1]["path"]).unlink(missing_ok=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    total = time.perf_counter() - started
    text = report(generator, results, anchor, incremental, total)
    print(text)
    if args.write:
        (args.write.parent / "scale_growth.svg").write_text(svg_plot(results), encoding="utf-8")
        write_section(args.write, f"{MARK_START}\n{text}{MARK_END}", MARK_START, MARK_END)


def report(generator, results, anchor, incremental, total) -> str:
    gib = 1024**3
    lines = [
        "## Scale (issue: incremental facts and the generator at volume)",
        "",
        "Command: `.venv/bin/python bench/scale_bench.py --write docs/benchmarks.md` "
        f"(whole run {total / 60:.1f} min).",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"memory_limit {MEMORY_LIMIT} (MART_DUCKDB_MEMORY_LIMIT, the floor uses it too). "
        f"History: {DAYS} days of generated events (late arrivals, duplicates, MPP opens, "
        "scanner clicks), plus the seeds.",
        "",
        "### Generator",
        "",
        "| measure | rows/s | target |",
        "| --- | ---: | --- |",
        f"| `mart generate` into a DuckDB file ({generator['rows']:,} rows) "
        f"| {generator['rows_per_second']:,.0f} | >= 1,000,000 |",
        f"| generation alone (NumPy + Arrow, no text) "
        f"| {generator['generation_rows_per_second']:,.0f} | |",
        f"| landing floor: DuckDB inserting the same rows already formatted "
        f"| {generator['landing_floor_rows_per_second']:,.0f} | |",
        f"| Faker, one event-like row at a time | {generator['faker_rows_per_second']:,.0f} | |",
        "",
        "### Full build against the floor",
        "",
        "| landed rows | `dbt build --selector daily` s | floor s | ratio | peak RSS | target |",
        "| ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        target = "<= 1.5 x floor at 10M; RSS < 4 GB" if r is anchor else ""
        floor, ratio = "not measured", ""
        if r["floor_seconds"]:
            floor = f"{r['floor_seconds']:.1f}"
            ratio = f"{r['build_seconds'] / r['floor_seconds']:.2f} x"
        lines.append(
            f"| {r['rows']:,} | {r['build_seconds']:.1f} | {floor} | {ratio} "
            f"| {r['peak_rss_bytes'] / gib:.2f} GiB | {target} |"
        )
    full, day = anchor["breakdown"], incremental["breakdown"]
    lines += [
        "",
        "![Build time by history size](scale_growth.svg)",
        "",
        "### One incremental day",
        "",
        f"On the {anchor['rows']:,}-row history: {incremental['new_rows']:,} new rows "
        f"(1%) plus {incremental['late_rows']:,} late arrivals for earlier days, built with "
        "`dbt build --selector daily` right after the full build. Target: <= 15% of the "
        "full build (the first row).",
        "",
        "| measure | full build s | incremental day s | share |",
        "| --- | ---: | ---: | ---: |",
        f"| whole dbt process (wall) | {anchor['build_seconds']:.1f} "
        f"| {incremental['seconds']:.1f} "
        f"| {incremental['seconds'] / anchor['build_seconds']:.0%} |",
        f"| dbt's elapsed time (without start-up) | {full['elapsed']:.1f} | {day['elapsed']:.1f} "
        f"| {day['elapsed'] / full['elapsed']:.0%} |",
        f"| models (node seconds, 2 threads) | {full['model']:.1f} | {day['model']:.1f} "
        f"| {day['model'] / full['model']:.0%} |",
        f"| data tests (node seconds; the daily selection runs no unit tests) "
        f"| {full['test']:.1f} | {day['test']:.1f} "
        f"| {day['test'] / full['test']:.0%} |",
        "",
        "Each incremental model: the rows the day's run wrote (its run stamp at the newest "
        "value) against its node seconds, both as a share of the full build's.",
        "",
        "| model | rows written | share of rows | full build s | incremental s | share of time |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for model, (written, total) in incremental["written"].items():
        key = f"model.email_mart.{model}"
        before, after = full["nodes"].get(key, 0.0), day["nodes"].get(key, 0.0)
        lines.append(
            f"| `{model}` | {written:,} | {written / max(total, 1):.1%} | {before:.1f} "
            f"| {after:.1f} | {after / before if before else 0:.0%} |"
        )
    slowest = sorted(
        ((s, uid) for uid, s in day["nodes"].items() if uid.startswith(("test.", "unit_test."))),
        reverse=True,
    )[:6]
    lines += [
        "",
        "The incremental day's slowest tests (node seconds): "
        + "; ".join(
            f"`{uid.split('.')[3 if uid.startswith('unit') else 2]}` {s:.1f}" for s, uid in slowest
        )
        + ".",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
