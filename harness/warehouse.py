"""Warehouse connections (the local DuckDB file, Snowflake targets), row counts, the loader."""

from __future__ import annotations

import fcntl
import os
import re
from contextlib import contextmanager
from pathlib import Path

import duckdb

from harness.errors import UserError
from harness.settings import duckdb_path

LAYER_SCHEMAS = ("staging", "marts", "audit")


def _in_use(path: Path, pid: str | None) -> UserError:
    who = f"process {pid}" if pid else "another process"
    return UserError(
        f"The warehouse {path} is in use by {who}; wait for it to finish, or point "
        "MART_DUCKDB_PATH at another file."
    )


_HELD: dict[Path, int] = {}  # warehouse locks this process holds, with their depth


@contextmanager
def hold_warehouse(path: Path | None = None):
    """Hold the warehouse for this process: a second harness process gets a clear error.

    Re-entrant within a process (a command holds it around every dbt run and query it makes).
    The lock is an advisory lock on `<warehouse>.lock`, released by the OS if we die.
    """
    path = (path or duckdb_path()).resolve()
    if _HELD.get(path):
        _HELD[path] += 1
        try:
            yield
        finally:
            _HELD[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    handle = lock_path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip()
        handle.close()
        raise _in_use(path, holder) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    _HELD[path] = 1
    try:
        yield
    finally:
        _HELD.pop(path, None)
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


@contextmanager
def connect(path: Path | None = None):
    """A read-write connection to the warehouse file.

    Opened with DuckDB's default configuration, the same as dbt-duckdb's, so it can share the
    database with dbt in this process. Another process holding the file gets a clear error.
    """
    path = path or duckdb_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with hold_warehouse(path):
        yield from _connection(path)


def _connection(path: Path):
    try:
        connection = duckdb.connect(str(path))
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise UserError(
                f"The warehouse {path} cannot be opened ({str(error).splitlines()[0]}); "
                "check MART_DUCKDB_PATH and the folder's permissions."
            ) from None
        held_by = re.search(r"PID (\d+)", str(error))
        raise _in_use(path, held_by.group(1) if held_by else None) from None
    try:
        yield connection
    finally:
        connection.close()


def row_counts(connection, schemas: tuple[str, ...] = LAYER_SCHEMAS) -> list[tuple[str, str, int]]:
    """(schema, relation, rows) for every table and view in the given schemas."""
    relations = connection.execute(
        """
        select table_schema, table_name
        from information_schema.tables
        where table_schema in ({})
        order by table_schema, table_name
        """.format(", ".join("?" for _ in schemas)),
        list(schemas),
    ).fetchall()
    return [
        (
            schema,
            name,
            connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0],
        )
        for schema, name in relations
    ]


def connect_snowflake(target: str):
    """A Snowflake connector connection to `target` (snowflake_emulator or snowflake)."""
    import snowflake.connector

    if target == "snowflake_emulator":
        from harness import emulator

        running = emulator.start()
        settings = {
            "account": "emulator",
            "user": "emulator",
            "password": os.environ.get("MART_EMULATOR_PASSWORD", "emulator-accepts-anything"),
            "host": "127.0.0.1",
            "port": running.port,
            "protocol": "http",
            "database": emulator.DATABASE,
            "network_timeout": 600,
        }
    else:
        from harness.settings import snowflake_settings

        settings = snowflake_settings().connector_arguments()
    return snowflake.connector.connect(
        **settings, session_parameters={"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False}
    )
