"""A side of a diff: one warehouse that runs Snowflake-dialect SQL in its own dialect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlglot

from harness.errors import UserError


@dataclass
class Side:
    """One warehouse: runs Snowflake-dialect SQL, transpiled to its own dialect."""

    label: str
    dialect: str  # "duckdb" or "snowflake"
    execute: Callable[[str], list[tuple]]
    close: Callable[[], None] = lambda: None
    queries: int = 0

    def sql(self, snowflake_sql: str) -> str:
        if self.dialect == "snowflake":
            return snowflake_sql
        return sqlglot.transpile(snowflake_sql, read="snowflake", write=self.dialect)[0]

    def query(self, snowflake_sql: str) -> list[tuple]:
        self.queries += 1
        return self.execute(self.sql(snowflake_sql))


def open_side(spec: str) -> Side:
    """duckdb | duckdb:<file> | snowflake_emulator | snowflake."""
    if spec == "duckdb" or spec.startswith("duckdb:"):
        from harness.settings import built_duckdb_path
        from harness.warehouse import connect

        given = Path(spec.partition(":")[2]).expanduser() if ":" in spec else None
        path = built_duckdb_path(given)
        # A diff only reads: read-only, so a read-only file or a copy being read elsewhere is
        # fine (harness.warehouse.connect says what is wrong when the file cannot be opened).
        opened = connect(path, read_only=True)
        connection = opened.__enter__()
        return Side(
            spec,
            "duckdb",
            lambda q: connection.execute(q).fetchall(),
            lambda: opened.__exit__(None, None, None),
        )
    if spec in ("snowflake_emulator", "snowflake"):
        from harness.warehouse import connect_snowflake

        connection = connect_snowflake(spec)

        def execute(query: str) -> list[tuple]:
            with connection.cursor() as cursor:
                return list(cursor.execute(query).fetchall())

        return Side(spec, "snowflake", execute, connection.close)
    raise UserError(
        f"Unknown side '{spec}'; use duckdb, duckdb:<file>, snowflake_emulator or snowflake."
    )
