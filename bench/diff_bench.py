"""Benchmark: `mart diff` on two 10M-row DuckDB tables against its peer, reladiff, and the
md5 path against its checksum-scan floor.

    .venv/bin/python bench/diff_bench.py [--rows 10000000] [--write docs/benchmarks.md]

Peer: reladiff 0.6 on the same two files comparing every column (bench/reladiff_run.py, in
its own virtual environment under bench/.venvs/reladiff, made on first use from PyPI);
targets: identical <= 1.0x reladiff, 10 differences <= 0.5x reladiff, every difference
found. Two DuckDB sides hash with DuckDB's hash() (harness.diff.hashing); the md5 path that
two different engines use is measured too, against its floor: one full-table md5 checksum
scan of both sides (the same canonical row text, md5 and sum as its segment checksums, with
no grouping, no key hash, no profile); identical within 1.5x of it, 10 changed rows under
2x its identical case.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from docs_section import write_section  # bench/, beside this file

from harness.diff import Md5Hashing, diff_relation, hash_number, open_side, row_text

CREATE = """
create schema if not exists marts;
create or replace table marts.t as
select
    i as id,
    'name ' || i as name,
    cast(i * 1.25 as decimal(18, 2)) as amount,
    i / 7.0 as ratio,
    i % 2 = 0 as flag,
    date '2026-01-01' + cast(i % 300 as integer) as day,
    timestamp '2026-01-01 00:00:00' + to_seconds(i) as "at"
from range({rows}) as r(i)
"""
MARK_START, MARK_END = "<!-- diff-bench:start -->", "<!-- diff-bench:end -->"
RELADIFF = "reladiff==0.6.0"
BENCH = Path(__file__).resolve().parent
COLUMNS = [
    ("id", "integer"), ("name", "text"), ("amount", "decimal"), ("ratio", "float"),
    ("flag", "boolean"), ("day", "date"), ("at", "timestamp"),
]  # fmt: skip


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--write", type=Path, help="Update this Markdown file's section.")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="diff-bench-"))
    paths = [folder / "left.duckdb", folder / "right.duckdb"]
    build_seconds, _ = timed(lambda: [_create(p, args.rows) for p in paths])
    print(f"built 2 x {args.rows:,} rows in {build_seconds:.1f} s ({folder})")

    floor_sql = f"select count(*), sum({hash_number(f'md5({row_text(COLUMNS)})')}) from marts.t"

    def floor():
        for path in paths:
            side = open_side(f"duckdb:{path}")
            side.query(floor_sql)
            side.close()

    def diff(hashing=None):
        left, right = open_side(f"duckdb:{paths[0]}"), open_side(f"duckdb:{paths[1]}")
        try:
            return diff_relation(left, right, "marts", "t", ["id"], hashing=hashing)
        finally:
            left.close()
            right.close()

    floor()  # warm the file cache once
    floor_seconds, _ = timed(floor)
    identical_seconds, identical = timed(diff)
    md5_identical_seconds, md5_identical = timed(lambda: diff(Md5Hashing()))
    assert not identical.differs and not md5_identical.differs, identical.as_dict()
    peer_identical = reladiff(paths)
    assert peer_identical["rows"] == 0, peer_identical
    with duckdb.connect(str(paths[1])) as connection:
        connection.execute(
            f"update marts.t set name = name || '!' where id % ({args.rows} // 10) = 7"
        )
    changed_seconds, changed = timed(diff)
    md5_changed_seconds, md5_changed = timed(lambda: diff(Md5Hashing()))
    rows = changed.rows
    assert rows.changed == 10 and md5_changed.rows.changed == 10, (rows, md5_changed.rows)
    peer_changed = reladiff(paths)
    peer_i, peer_c = peer_identical["seconds"], peer_changed["seconds"]

    lines = [
        f"### Diff of two {args.rows:,}-row tables, DuckDB ↔ DuckDB",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}.",
        "",
        "| measure | seconds | ratio | target |",
        "| --- | ---: | ---: | --- |",
        f"| reladiff 0.6, identical tables | {peer_i:.2f} | 1.00 | |",
        f"| reladiff 0.6, 10 changed rows ({peer_changed['keys']} reported) "
        f"| {peer_c:.2f} | 1.00 | |",
        f"| `mart diff`, identical tables | {identical_seconds:.2f} "
        f"| {identical_seconds / peer_i:.2f} x reladiff | <= 1.0 x reladiff |",
        f"| `mart diff`, 10 changed rows ({rows.changed} reported) | {changed_seconds:.2f} "
        f"| {changed_seconds / peer_c:.2f} x reladiff | <= 0.5 x reladiff |",
        "",
        "Between two engines (DuckDB ↔ the emulator or Snowflake) `mart diff` hashes an md5 of "
        "each row's canonical text instead, the same on every engine; here on the same "
        "tables, against the floor of that path: one md5 checksum scan of both sides.",
        "",
        "| measure | seconds | ratio | target |",
        "| --- | ---: | ---: | --- |",
        f"| floor: one md5 checksum scan of both sides | {floor_seconds:.2f} | 1.00 | |",
        f"| md5 path, identical tables | {md5_identical_seconds:.2f} "
        f"| {md5_identical_seconds / floor_seconds:.2f} x floor, "
        f"{md5_identical_seconds / peer_i:.2f} x reladiff | <= 1.5 x floor |",
        f"| md5 path, 10 changed rows ({md5_changed.rows.changed} reported) "
        f"| {md5_changed_seconds:.2f} "
        f"| {md5_changed_seconds / md5_identical_seconds:.2f} x identical, "
        f"{md5_changed_seconds / peer_c:.2f} x reladiff | < 2 x identical |",
        "",
        f"Segments: depth {rows.segment_depth} "
        f"({16**rows.segment_depth:,} key-hash buckets), "
        f"{rows.segments_fetched} fetched for the changed case.",
        "",
    ]
    print("\n".join(lines))
    if args.write:
        section = MARK_START + "\n" + "\n".join(lines) + MARK_END
        write_section(args.write, section, MARK_START, MARK_END)


def reladiff(paths: list[Path]) -> dict:
    """reladiff on the two files, every column compared, in its own virtual environment."""
    venv = BENCH / ".venvs" / "reladiff"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", RELADIFF, f"duckdb=={duckdb.__version__}"],
            check=True,
        )
    columns = ",".join(name for name, _ in COLUMNS)
    command = [str(python), str(BENCH / "reladiff_run.py"), *map(str, paths), "marts.t", "id"]
    output = subprocess.run([*command, columns], check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def _create(path: Path, rows: int) -> None:
    with duckdb.connect(str(path)) as connection:
        connection.execute(CREATE.format(rows=rows))


if __name__ == "__main__":
    main()
