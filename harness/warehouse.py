"""Warehouse connections (the local DuckDB file, Snowflake targets), row counts, the loader."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import duckdb

from harness.dbt import duckdb_path
from harness.errors import UserError

LAYER_SCHEMAS = ("staging", "marts", "audit")
REQUIRED_EVENT_COLUMNS = ("event_id", "event_type", "job_id", "subscriber_key", "event_date")


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


def landing_columns(connection) -> list[str]:
    """Columns of raw.events, in order (empty when the table does not exist yet)."""
    return [
        row[0]
        for row in connection.execute(
            """
            select column_name from information_schema.columns
            where table_schema = 'raw' and table_name = 'events'
            order by ordinal_position
            """
        ).fetchall()
    ]


def check_events_file(file: Path) -> str:
    """The file's suffix (.csv or .parquet), or a UserError naming what is wrong."""
    if not file.is_file():
        raise UserError(f"{file} does not exist; pass the path of a CSV or Parquet export.")
    suffix = file.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise UserError(f"{file} is neither .csv nor .parquet; export the events as one of them.")
    return suffix


def load_events_file(connection, file: Path) -> tuple[str, int]:
    """Append a CSV or Parquet export to raw.events as one batch, in one transaction.

    The batch id is the file name plus a digest of its bytes: loading the same file again
    adds nothing. Returns (load_id, rows added).
    """
    suffix = check_events_file(file)
    columns = landing_columns(connection)
    if not columns:
        raise UserError("The landing table raw.events does not exist yet; run `mart build` first.")
    exported = [c for c in columns if not c.startswith("_")]

    reader = (
        "read_csv(?, all_varchar = true, header = true)" if suffix == ".csv" else "read_parquet(?)"
    )
    source = file
    if suffix == ".csv":
        raw = file.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            # Keep every row: bytes that are not UTF-8 become U+FFFD, and staging quarantines
            # those rows as INVALID_TEXT instead of the whole file failing to load.
            source = Path(tempfile.mkdtemp(prefix="mart-load-")) / file.name
            source.write_text(raw.decode("utf-8", errors="replace"), encoding="utf-8")
    try:
        described = connection.execute(f"describe select * from {reader}", [str(source)]).fetchall()
        found = [row[0] for row in described]
    except duckdb.Error as error:
        raise UserError(
            f"{file} could not be read ({str(error).splitlines()[0]}); check its format."
        ) from None
    normalized = {name.strip().lower(): name for name in found}
    missing = [c for c in REQUIRED_EVENT_COLUMNS if c not in normalized]
    if missing:
        raise UserError(
            f"{file} has no column {', '.join(missing)}; its header must name the landing "
            f"columns ({', '.join(exported)})."
        )
    for name, kind, *_ in described:
        if any(marker in kind.upper() for marker in ("[]", "STRUCT", "MAP", "UNION", "BLOB")):
            raise UserError(
                f"{file}: column {name} is of type {kind}, which is not a text value; "
                "export it as text (or a number or timestamp) and load again."
            )
    unknown = [name for key, name in normalized.items() if key not in exported]
    if unknown:
        raise UserError(
            f"{file} has column(s) {', '.join(unknown)} that raw.events does not have; rename or "
            f"drop them (known columns: {', '.join(exported)})."
        )

    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:16]
    load_id = f"file:{file.name}:{digest}"
    select_list = ", ".join(
        f'cast("{normalized[c]}" as varchar)' if c in normalized else "null" for c in exported
    )
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    connection.execute("begin transaction")
    try:
        if connection.execute(
            "select count(*) from raw.events where _load_id = ?", [load_id]
        ).fetchone()[0]:
            connection.execute("rollback")
            return load_id, 0
        connection.execute(
            f"insert into raw.events ({', '.join(exported)}, _loaded_at, _load_id) "
            f"select {select_list}, ?, ? from {reader}",
            [loaded_at, load_id, str(source)],
        )
        added = connection.execute(
            "select count(*) from raw.events where _load_id = ?", [load_id]
        ).fetchone()[0]
        connection.execute("commit")
    except duckdb.Error as error:
        connection.execute("rollback")
        raise UserError(
            f"{file} could not be loaded ({str(error).splitlines()[0]}); nothing was added."
        ) from None
    return load_id, added


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
