"""reladiff, the peer of `mart diff`, on two DuckDB files — run by bench/diff_bench.py with
the Python of reladiff's own virtual environment (its pins differ from the project's).

    <reladiff venv>/bin/python bench/reladiff_run.py LEFT RIGHT SCHEMA.TABLE KEY COL,COL,...

Prints one JSON line: seconds, rows reported (a changed row is a '-' and a '+'), keys.
"""

import json
import sys
import time

import reladiff


def main() -> None:
    left, right, table, key, columns = sys.argv[1:6]
    extra = tuple(column for column in columns.split(",") if column != key)
    started = time.perf_counter()
    tables = [
        reladiff.connect_to_table(
            f"duckdb://{path}", tuple(table.split(".")), key, extra_columns=extra
        )
        for path in (left, right)
    ]
    differences = list(reladiff.diff_tables(*tables))
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "rows": len(differences),
                "keys": len({row[0] for _, row in differences}),
            }
        )
    )


if __name__ == "__main__":
    main()
