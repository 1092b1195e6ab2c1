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


_HELD: dict[Path, list] = {}  # warehouse locks this process holds: [depth, lock file]


def warehouse_folder(path: Path) -> Path:
    """The warehouse file's folder, created if missing, or a UserError naming the problem."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise PermissionError(f"cannot write to {path.parent}")
    except OSError as error:
        reason = error.strerror or str(error)
        raise UserError(
            f"The warehouse {path} cannot be created ({reason.lower()}: "
            f"{getattr(error, 'filename', None) or path.parent}); point MART_DUCKDB_PATH at a "
            "file in a folder you can write to."
        ) from None
    return path.parent


@contextmanager
def hold_warehouse(path: Path | None = None, reading: bool = False):
    """Hold the warehouse for this process: a second harness process gets a clear error.

    Re-entrant within a process (a command holds it around every dbt run and query it makes;
    holds may end in any order, as two diff sides on one file do). The lock is an advisory
    lock on `<warehouse>.lock`, released by the OS if we die. A command that only reads
    (`reading`) goes on without it where the folder is read-only: DuckDB itself refuses a
    read-only open while a writer holds the file.
    """
    path = (path or duckdb_path()).resolve()
    if path not in _HELD:
        if reading and not os.access(path.parent, os.W_OK):
            yield
            return
        _HELD[path] = [0, _lock(path)]
    _HELD[path][0] += 1
    try:
        yield
    finally:
        _HELD[path][0] -= 1
        if _HELD[path][0] == 0:
            handle = _HELD.pop(path)[1]
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()


def _lock(path: Path):
    """The open `<warehouse>.lock`, locked by this process (its pid written in it)."""
    warehouse_folder(path)
    lock_path = path.with_name(path.name + ".lock")
    try:
        handle = lock_path.open("a+")
    except OSError as error:
        raise UserError(
            f"The warehouse {path} cannot be locked ({(error.strerror or str(error)).lower()}: "
            f"{lock_path}); point MART_DUCKDB_PATH at a file in a folder you can write to."
        ) from None
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
    return handle


@contextmanager
def connect(path: Path | None = None, read_only: bool = False):
    """A connection to the warehouse file: read-write by default, opened with DuckDB's
    default configuration, the same as dbt-duckdb's, so it can share the database with dbt in
    this process; `read_only` for commands that only read (then the file must exist).
    Another process holding the file gets a clear error.
    """
    path = path or duckdb_path()
    if read_only:
        from harness.settings import built_duckdb_path

        built_duckdb_path(path)
    else:
        warehouse_folder(path)
    with hold_warehouse(path, reading=read_only):
        yield from _connection(path, read_only)


def _connection(path: Path, read_only: bool = False):
    try:
        try:
            connection = duckdb.connect(str(path), read_only=read_only)
        except duckdb.ConnectionException:
            # dbt-duckdb keeps this process's read-write connection open after a build (as
            # `mart daily` has just run): a second one must share its configuration.
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
