"""The local Snowflake emulator: fakesnow's HTTP server on loopback, driven by dbt-snowflake.

The harness runs the server in a child process (`python -m harness.emulator serve`) that
persists its databases under state/emulator/ (one DuckDB file per Snowflake database), so a
second command sees the first one's tables. The fixes live here, at the emulator layer, never
in models:

- Temporary relations. dbt-snowflake creates `create or replace temporary table|view
  DB.SCHEMA.x` (incremental runs, unit tests), which DuckDB rejects: temporary objects live
  in its temp catalog. The statement rewrite drops database and schema from a temporary
  relation when it is created, and from every later reference to it in that session.
- Failing fast. An unhandled error inside fakesnow answers HTTP 500, which the Snowflake
  connector retries for minutes; the server turns it into an ordinary SQL error instead.
- Grants. fakesnow cannot parse GRANT, REVOKE or SHOW GRANTS; the server keeps the grants of
  each relation itself (`Grants`), so dbt's `grants` config runs and can be inspected.
- Bulk inserts. dbt-snowflake loads a seed as `insert into t (...) values (...), (...)` with
  up to 10,000 rows of literals; fakesnow parses such a statement twice and walks it with
  about 75 transforms, which made seeds two thirds of a full build. A literal-only insert
  runs its first row through fakesnow (names, transaction, result as usual) and the other
  rows from Arrow into the relation fakesnow compiled it for (`BulkInsert`).
- Session parameters. dbt-snowflake reads QUERY_TAG (`show parameters like 'query_tag' in
  session`), sets a model's query_tag and restores it; fakesnow implements neither, so the
  emulator keeps each session's tag and answers with it: at first the QUERY_TAG the client
  logged in with (the profile's `query_tag`, which the connector sends as a session
  parameter), else empty, as in Snowflake.
- Cloning. `create [or replace] [transient] table A clone B [copy grants]` (dbt clone,
  docs.snowflake.com/en/sql-reference/sql/create-clone) becomes a copy of B's rows and
  columns: Snowflake's zero-copy clone holds the same data, and, as in Snowflake, no load
  history (docs.snowflake.com/en/user-guide/object-clone).
- A statement log. With MART_EMULATOR_STATEMENT_LOG set when the server starts, every
  statement it receives is appended to that file (JSON lines: the session's query tag and
  the statement as sent), so a test can see exactly what dbt-snowflake sent.
- Parsing once. The server parsed every statement a second time only to learn its type, and
  described every result by parsing its DuckDB SQL again: a query (select or with) now has
  its type without a parse, and a result is described by DuckDB directly.
- Transforms where they apply. fakesnow walks every statement's whole tree once per
  transform (about 75 walks); the emulator calls each transform only on the nodes of the
  classes it can change, found in one walk (`harness/emulator_transforms.py`): the same
  result, a fifth of the time.
- Writing without a copy. fakesnow writes each transformed statement as DuckDB SQL on a deep
  copy of its tree, then reads only the tree's kind and fakesnow's own annotations: that
  one writing skips the copy.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from harness import PROJECT_DIR
from harness.errors import UserError

DATABASE = "MART"  # the emulator target's database (profiles/profiles.yml)
DESCRIBE_COLUMNS = (
    '"name"',
    '"type"',
    '"kind"',
    '"null?"',
    '"default"',
    '"primary key"',
    '"unique key"',
    '"check"',
    '"expression"',
    '"comment"',
    '"policy name"',
    '"privacy domain"',
)
START_TIMEOUT_SECONDS = 60


def state_dir() -> Path:
    """Where the emulator keeps its databases, log and pid file (git-ignored)."""
    configured = os.environ.get("MART_EMULATOR_DIR")
    return Path(configured).resolve() if configured else PROJECT_DIR / "state" / "emulator"


@dataclass(frozen=True)
class EmulatorStatus:
    running: bool
    pid: int | None = None
    port: int | None = None
    data_dir: Path | None = None

    def describe(self) -> str:
        if not self.running:
            return "The Snowflake emulator is not running."
        return (
            f"The Snowflake emulator is running on 127.0.0.1:{self.port} (pid {self.pid}), "
            f"data in {self.data_dir}."
        )


def _pid_file() -> Path:
    return state_dir() / "server.json"


def _alive(pid: int) -> bool:
    try:
        # Reap it first when it is this process's child: a zombie still answers kill(pid, 0).
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass  # started by another process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def status() -> EmulatorStatus:
    try:
        info = json.loads(_pid_file().read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return EmulatorStatus(running=False)
    pid, port = int(info["pid"]), int(info["port"])
    if _alive(pid) and _accepts(port):
        return EmulatorStatus(True, pid, port, Path(info["data_dir"]))
    return EmulatorStatus(running=False)


def _free_port(preferred: int | None = None) -> int:
    """`preferred` if nothing listens on it, else a port the system picks. (A port a stopped
    server used may still hold connections in TIME_WAIT: free to a server, which binds
    with SO_REUSEADDR as uvicorn does, and so to this test.)"""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", preferred or 0))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(wait: bool = True, port: int | None = None) -> EmulatorStatus:
    """Start the emulator (or return the running one) and export its port for dbt. With
    `wait` False, return as soon as the server is launched (its port exported, it imports
    and opens its databases meanwhile): a later `start()` waits for it. A new server
    listens on `port` when it is free (dbt keeps its partial parse only while the profile,
    the port included, stays the same), else on any free port."""
    current = status()
    if current.running:
        os.environ["MART_EMULATOR_PORT"] = str(current.port)
        return current
    folder = state_dir()
    launched = _launched()
    if launched is None:
        data = folder / "data"
        data.mkdir(parents=True, exist_ok=True)
        port = _free_port(port)
        log = (folder / "server.log").open("ab")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "harness.emulator",
                "serve",
                "--port",
                str(port),
                "--data",
                str(data),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=PROJECT_DIR,
        )
        launched = {"pid": process.pid, "port": port, "data_dir": str(data)}
        _pid_file().write_text(json.dumps(launched))
    os.environ["MART_EMULATOR_PORT"] = str(launched["port"])
    if not wait:
        return EmulatorStatus(running=False)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if not _alive(launched["pid"]):
            _pid_file().unlink(missing_ok=True)
            raise UserError(f"The Snowflake emulator exited at start; see {folder / 'server.log'}.")
        if _accepts(launched["port"]):
            return status()
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(launched["pid"], signal.SIGTERM)
    _pid_file().unlink(missing_ok=True)
    raise UserError(
        f"The Snowflake emulator did not start within {START_TIMEOUT_SECONDS} s; "
        f"see {folder / 'server.log'}."
    )


def _launched() -> dict | None:
    """The server this state folder's pid file names, if it is alive (it may not accept
    connections yet)."""
    try:
        info = json.loads(_pid_file().read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    pid = int(info["pid"])
    if not _alive(pid):
        return None
    # A server answers on its port; one still starting runs `harness.emulator serve` (the
    # pid may be another process's, given the pid of a server that exited), or is this
    # process's child (until its program is running, the child shows none).
    ours = _accepts(int(info["port"])) or _serves(pid) or _is_child(pid)
    return info if ours else None


def _serves(pid: int) -> bool:
    try:
        return b"harness.emulator\x00serve" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _is_child(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return True


def stop() -> bool:
    """Stop the emulator (running or still starting); True when there was one. Its data
    stays on disk."""
    launched = _launched()
    _pid_file().unlink(missing_ok=True)
    if launched is None:
        return False
    pid = int(launched["pid"])
    with contextlib.suppress(ProcessLookupError):  # it may have exited meanwhile
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not _alive(pid):
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
    return True


def reset() -> None:
    """Stop the emulator and delete its databases."""
    import shutil

    stop()
    shutil.rmtree(state_dir() / "data", ignore_errors=True)


# --- inside the server process ---------------------------------------------------------------


def rewrite_temporary_relations(expression, temporary_names: set[str]):
    """Drop database and schema from temporary relations and references to them.

    `temporary_names` is the session's set of temporary relation names (lower case); a
    `create temporary table|view` adds its name to it.
    """
    from sqlglot import exp

    if isinstance(expression, exp.Create) and expression.args.get("kind") in ("TABLE", "VIEW"):
        properties = expression.args.get("properties")
        is_temporary = properties is not None and any(
            isinstance(prop, exp.TemporaryProperty) for prop in properties.expressions
        )
        if is_temporary:
            target = expression.this
            table = target.this if isinstance(target, exp.Schema) else target
            if isinstance(table, exp.Table):
                temporary_names.add(table.name.lower())
    if not temporary_names:
        return expression
    describing = isinstance(expression, exp.Describe)
    for table in expression.find_all(exp.Table):
        if table.name.lower() not in temporary_names:
            continue
        if describing:
            # Column look-up (dbt unit tests, incremental schema checks): DuckDB keeps
            # temporary relations in catalog "temp", schema "main"; _describe_temporary
            # answers from there.
            table.set("catalog", exp.to_identifier("temp"))
            table.set("db", exp.to_identifier("main"))
        else:
            table.set("db", None)
            table.set("catalog", None)
    return expression


def _describe_temporary(describe_table):
    """Wrap fakesnow's DESCRIBE TABLE transform to answer for temporary relations too."""
    import sqlglot
    from fakesnow.transforms.transforms import SQL_DESCRIBE_TABLE
    from sqlglot import exp

    # DuckDB lists temporary relations under catalog "temp", schema "main", in the global
    # columns view (each column twice), with the name in the case fakesnow created it.
    inner = (
        SQL_DESCRIBE_TABLE.template.replace("SELECT\n", "SELECT DISTINCT ordinal_position,\n", 1)
        .replace(
            "FROM _fs_information_schema._fs_columns",
            "FROM _fs_global._fs_information_schema._fs_columns",
        )
        .replace(
            "WHERE table_catalog = '${catalog}' AND table_schema = '${schema}' "
            "AND table_name = '${table}'",
            "WHERE table_catalog = 'temp' AND table_schema = 'main' "
            "AND upper(table_name) = upper('${table}')",
        )
        .replace("ORDER BY ordinal_position", "")
    )
    if "table_catalog = 'temp'" not in inner:
        raise RuntimeError("fakesnow's DESCRIBE TABLE template changed; update harness.emulator")

    def describe(expression, current_database=None, current_schema=None):
        table = expression.find(exp.Table) if isinstance(expression, exp.Describe) else None
        if table is not None and table.catalog.upper() == "TEMP":
            name = table.name.replace("'", "''")
            query = (
                f"SELECT {', '.join(DESCRIBE_COLUMNS)} FROM ({inner.replace('${table}', name)}) "
                "ORDER BY ordinal_position"
            )
            return sqlglot.parse_one(query, read="duckdb")
        return describe_table(expression, current_database, current_schema)

    return describe


def _keep_try_cast(to_timestamp):
    """fakesnow turns TRY_CAST(x AS TIMESTAMP) into a plain CAST that raises on bad text
    (TryCast is a Cast to sqlglot); keep it a TRY_CAST, NULL on bad text, as on Snowflake."""
    from sqlglot import exp

    def transform(expression):
        return expression if isinstance(expression, exp.TryCast) else to_timestamp(expression)

    return transform


OBJECT_KINDS = r"(table|view|schema|database)"
SHOW_GRANTS = re.compile(rf"^\s*show\s+grants\s+on\s+(?:{OBJECT_KINDS}\s+)?(\S+?)\s*;?\s*$", re.I)
GRANT = re.compile(
    rf"^\s*(grant|revoke)\s+([\w\s,]+?)\s+on\s+(?:{OBJECT_KINDS}\s+)?(\S+)\s+(?:to|from)\s+"
    r"(?:role\s+)?([\w\"$.]+)\s*;?\s*$",
    re.I,
)
REPLACE = re.compile(
    r"^\s*create\s+or\s+replace\s+(?:(?:transient|temporary|temp|secure)\s+)*"
    r"(?:table|view)\s+([^\s(]+)",
    re.I,
)
COPY_GRANTS = re.compile(r"\bcopy\s+grants\b", re.I)
COMMENT = re.compile(r"/\*.*?\*/", re.S)
SHOW_QUERY_TAG = re.compile(
    r"^\s*show\s+parameters\s+like\s+'query_tag'\s+in\s+session\s*;?\s*$", re.I
)
SET_QUERY_TAG = re.compile(
    r"^\s*alter\s+session\s+(?:set\s+query_tag\s*=\s*'((?:[^']|'')*)'|unset\s+query_tag)"
    r"\s*;?\s*$",
    re.I,
)


def query_tag_statement(command: str, session: dict) -> str | None:
    """SQL answering a QUERY_TAG statement from the session's own tag, or None."""
    statement = COMMENT.sub("", command).strip()
    if SHOW_QUERY_TAG.match(statement):
        tag = session.get("query_tag", "").replace("'", "''")
        return (
            f"select 'QUERY_TAG' as \"key\", '{tag}' as \"value\", '' as \"default\", "
            "'SESSION' as \"level\", 'Tag for queries' as \"description\", 'STRING' as \"type\""
        )
    if changed := SET_QUERY_TAG.match(statement):
        session["query_tag"] = (changed.group(1) or "").replace("''", "'")
        return "select 'Statement executed successfully.' as \"status\""
    return None


CLONE_TABLE = re.compile(
    r"^\s*create\s+(?:or\s+replace\s+)?(?:transient\s+)?table\s+(?P<target>[\w.\"$]+)\s+"
    r"clone\s+(?P<source>[\w.\"$]+)(?:\s+copy\s+grants)?\s*;?\s*$",
    re.I,
)


def clone_statement(command: str) -> str | None:
    """A table clone as the copy fakesnow can run (the same rows and columns), or None."""
    statement = COMMENT.sub("", command).strip()
    if cloned := CLONE_TABLE.match(statement):
        return f"create or replace table {cloned['target']} as select * from {cloned['source']}"
    return None


class StatementLog:
    """Every statement the server receives, with its session's query tag, as JSON lines."""

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.Lock()

    def write(self, command: str, session: dict) -> None:
        line = json.dumps({"query_tag": session.get("query_tag", ""), "statement": command})
        with self.lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class Grants:
    """Snowflake grants, which fakesnow does not emulate: kept per object (table, view,
    schema, database) in the emulator's data folder, answered to SHOW GRANTS like Snowflake.

    As in Snowflake, `create or replace` of a table or view drops the grants of the object
    it replaces, unless the statement says `copy grants`
    (docs.snowflake.com/en/sql-reference/sql/create-table, COPY GRANTS)."""

    def __init__(self, path: Path):
        self.path = path
        self.by_object: dict[str, set[tuple[str, str, str]]] = {}
        self._lock = threading.Lock()  # dbt's threads are sessions served side by side
        if path.exists():
            for name, triples in json.loads(path.read_text()).items():
                self.by_object[name] = {tuple(triple) for triple in triples}

    @staticmethod
    def _name(relation: str) -> str:
        return relation.replace('"', "").upper()

    def _save(self) -> None:
        self.path.write_text(
            json.dumps({k: sorted(v) for k, v in self.by_object.items()}, indent=1)
        )

    def rewrite(self, command: str) -> str:
        """Answer SHOW GRANTS / GRANT / REVOKE with plain SQL fakesnow can run; follow
        `create or replace` (dropping grants, or copying them and removing the clause fakesnow
        cannot run)."""
        with self._lock:
            return self._rewrite(command)

    def _rewrite(self, command: str) -> str:
        statement = COMMENT.sub("", command).strip()
        if shown := SHOW_GRANTS.match(statement):
            rows = [
                f'select cast(null as timestamp) as "created_on", \'{privilege}\' as "privilege", '
                f"'{kind}' as \"granted_on\", '{self._name(shown.group(2))}' as \"name\", "
                f"'ROLE' as \"granted_to\", '{grantee}' as \"grantee_name\", "
                "'false' as \"grant_option\", 'EMULATOR' as \"granted_by\""
                for privilege, grantee, kind in sorted(
                    self.by_object.get(self._name(shown.group(2)), set())
                )
            ]
            empty = (
                'select cast(null as timestamp) as "created_on", \'\' as "privilege", '
                "'' as \"granted_on\", '' as \"name\", '' as \"granted_to\", "
                "'' as \"grantee_name\", '' as \"grant_option\", '' as \"granted_by\" where 1 = 0"
            )
            return " union all ".join(rows) if rows else empty
        if granted := GRANT.match(statement):
            verb, privileges, kind, name, grantee = granted.groups()
            kind = (kind or "table").upper()
            triples = self.by_object.setdefault(self._name(name), set())
            for privilege in (p.strip().upper() for p in privileges.split(",")):
                triple = (privilege, grantee.replace('"', "").upper(), kind)
                (triples.add if verb.lower() == "grant" else triples.discard)(triple)
            self._save()
            return "select 'Statement executed successfully.' as \"status\""
        if replaced := REPLACE.match(statement):
            if COPY_GRANTS.search(command):
                return COPY_GRANTS.sub("", command)
            if self.by_object.pop(self._name(replaced.group(1)), None) is not None:
                self._save()
        return command


INSERT_VALUES = re.compile(r"^\s*insert\s+into\s+([^\s(]+)\s*\(([^()]*)\)\s*values\s*", re.I)
LITERAL = re.compile(
    r"\s*(?:(?P<open>\()|(?P<close>\))|(?P<comma>,)"
    r"|'(?P<text>(?:[^'\\]|\\[\\nr']|'')*)'"
    r"|(?P<number>-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)"
    r"|(?P<word>NULL|TRUE|FALSE)(?![\w.]))",
    re.I,
)
# A statement that returns rows: select or with, after leading comments and whitespace.
QUERY = re.compile(r"^(?:\s|/\*.*?\*/|--[^\n]*\n)*(?:select|with)\b", re.I | re.S)
# A statement of definition (its type: DDL), after leading comments and whitespace.
DDL = re.compile(r"^(?:\s|/\*.*?\*/|--[^\n]*\n)*(create|drop|alter)\b", re.I | re.S)
TRAILING_COMMENT = re.compile(r"(?:\s*/\*.*?\*/)+\s*$", re.S)
UNESCAPE = re.compile(r"\\([\\nr'])|''")
ESCAPES = {"\\": "\\", "n": "\n", "r": "\r", "'": "'"}
WORDS = {"NULL": None, "TRUE": True, "FALSE": False}


@dataclass(frozen=True)
class BulkInsert:
    """A multi-row `insert into t (columns) values (...), ...` holding literals only, as the
    statement for one row (`?` placeholders) and the rows as Python values."""

    one_row: str
    rows: list[tuple]

    MIN_ROWS = 2

    @classmethod
    def parse(cls, command: str) -> BulkInsert | None:
        """The bulk insert in `command`, or None for anything else (fakesnow handles it).

        Literals are what the Snowflake connector writes for bound values: '…' strings with
        backslash escapes (\\\\, \\n, \\r, \\'), numbers, NULL, TRUE and FALSE."""
        head = INSERT_VALUES.match(command)
        if head is None or len(command) < 2_000:
            return None
        rows: list[tuple] = []
        row: list | None = None
        # dbt appends its query comment (/* {"app": "dbt", ...} */) after the statement.
        body = TRAILING_COMMENT.sub("", command).rstrip().rstrip(";")
        position, end = head.end(), len(body)
        while position < end:
            token = LITERAL.match(command, position)
            if token is None:
                return None
            position = token.end()
            kind = token.lastgroup
            if kind == "open":
                if row is not None:
                    return None
                row = []
            elif kind == "close":
                if row is None:
                    return None
                rows.append(tuple(row))
                row = None
            elif kind == "comma":
                continue  # between values or rows; arity is checked below
            elif row is None:
                return None
            elif kind == "text":
                row.append(
                    UNESCAPE.sub(
                        lambda m: ESCAPES[m.group(1)] if m.group(1) else "'", token.group("text")
                    )
                )
            elif kind == "number":
                number = token.group("number")
                row.append(int(number) if number.lstrip("-").isdigit() else float(number))
            else:
                row.append(WORDS[token.group("word").upper()])
        width = len(head.group(2).split(","))
        if row is not None or len(rows) < cls.MIN_ROWS or any(len(r) != width for r in rows):
            return None
        placeholders = ", ".join("?" for _ in range(width))
        return cls(f"{command[: head.end()]}({placeholders})", rows)

    def execute(self, cursor, execute, *args, **kwargs):
        """Insert every row: the first through fakesnow, the rest from Arrow into the
        relation fakesnow compiled it for (DuckDB casts each column to the table's type)."""
        import pyarrow as pa
        from sqlglot import exp

        execute(cursor, self.one_row, *args, **{**kwargs, "binding_params": list(self.rows[0])})
        rest = self.rows[1:]
        columns = {f"c{i}": [row[i] for row in rest] for i in range(len(rest[0]))}
        try:
            table = pa.table(columns)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed kinds in a column: row by row
            compiled = cursor._last_transformed.sql(dialect="duckdb")
            cursor._duck_conn.executemany(compiled, [list(row) for row in rest])
        else:
            insert = cursor._last_transformed.copy()
            insert.set("expression", exp.select("*").from_("_mart_bulk_rows"))
            cursor._duck_conn.register("_mart_bulk_rows", table)
            try:
                cursor._duck_conn.execute(insert.sql(dialect="duckdb"))
            finally:
                cursor._duck_conn.unregister("_mart_bulk_rows")
        inserted = f"select {len(self.rows)} as 'number of rows inserted'"
        return answer_directly(cursor, inserted, rowcount=len(self.rows))


def answer_directly(cursor, select: str, rowcount: int | None = None):
    """The cursor's result as fakesnow leaves it, from DuckDB SQL of our own (a constant
    SELECT; `rowcount` the rows a DML statement affected, else the result's rows):
    fakesnow's parse, transforms and generation cost several milliseconds a statement, and
    dbt-snowflake reads or sets the query tag around every node (a third of a build's
    statements)."""
    import uuid

    from sqlglot import exp

    cursor._duck_conn.execute(select)
    cursor._arrow_table = cursor._duck_conn.to_arrow_table()
    cursor._arrow_table_fetch_index = None
    cursor._rowcount = cursor._arrow_table.num_rows if rowcount is None else rowcount
    cursor._sfqid = str(uuid.uuid4())
    cursor._last_sql, cursor._last_params, cursor._last_transformed = select, None, exp.Select()
    cursor._mart_described = (select, cursor._duck_conn.description)  # see describe_last_sql
    cursor._conn.results_cache[cursor._sfqid] = (
        cursor._arrow_table, cursor._rowcount, select, None, cursor._last_transformed
    )  # fmt: skip
    return cursor


CREATE_IF_NOT_EXISTS = re.compile(
    r"^\s*create\s+(?:(?:transient|temporary|temp)\s+)?table\s+if\s+not\s+exists\s+([\w.\"$]+)",
    re.I,
)


def keep_load_history(cursor, command: str, run):
    """`create table if not exists` on a table that exists does nothing in Snowflake, so the
    table keeps its load metadata (COPY INTO skips files it loaded in the last 64 days,
    docs.snowflake.com/en/user-guide/data-load-considerations-load). fakesnow forgets the
    history of any table named in a CREATE TABLE; this puts it back."""
    import duckdb

    match = CREATE_IF_NOT_EXISTS.match(command)
    if match is None:
        return run()
    parts = [part.strip('"') for part in match.group(1).split(".")]
    table = parts[-1]
    schema = parts[-2] if len(parts) > 1 else cursor._conn.schema
    catalog = parts[-3] if len(parts) > 2 else cursor._conn.database
    history = f"{catalog}._fs_information_schema._fs_load_history"
    where = "where upper(schema_name) = upper(?) and upper(table_name) = upper(?)"
    try:
        saved = cursor._duck_conn.execute(f"select * from {history} {where}", [schema, table])
        saved = saved.fetchall()
    except duckdb.Error:  # no database or history yet: nothing to keep
        saved = []
    result = run()
    if saved:
        cursor._duck_conn.execute(f"delete from {history} {where}", [schema, table])
        marks = ", ".join("?" * len(saved[0]))
        cursor._duck_conn.executemany(f"insert into {history} values ({marks})", saved)
    return result


def _install_patches(grants: Grants | None = None, log: StatementLog | None = None) -> None:
    import duckdb
    import fakesnow.cursor
    import fakesnow.server
    import fakesnow.transforms
    from sqlglot import exp
    from sqlglot.dialects.duckdb import DuckDB

    from harness import emulator_transforms

    execute = fakesnow.cursor.FakeSnowflakeCursor.execute

    def execute_patched(self, command, *args, **kwargs):
        session = self._conn.__dict__.setdefault("_mart_session", {})
        if log is not None:
            log.write(command, session)
        if grants is not None:
            command = grants.rewrite(command)
        if (answer := query_tag_statement(command, session)) is not None:
            return answer_directly(self, answer)
        command = clone_statement(command) or command
        if not kwargs.get("binding_params") and (bulk := BulkInsert.parse(command)):
            return bulk.execute(self, execute, *args, **kwargs)
        return keep_load_history(self, command, lambda: execute(self, command, *args, **kwargs))

    fakesnow.cursor.FakeSnowflakeCursor.execute = execute_patched

    # The server parses each statement once more, for its type only: a bulk insert's type
    # is that of its first row, and a query's is a query's (SELECT: a result set).
    server_parse = fakesnow.server.parse_one
    ddl_kinds = {"create": exp.Create, "drop": exp.Drop, "alter": exp.Alter}

    def parse_statement(sql_text, *args, **kwargs):
        if QUERY.match(sql_text):
            return exp.Select()
        if (kind := DDL.match(sql_text)) and "?" not in sql_text:  # no placeholder to count
            return ddl_kinds[kind.group(1).lower()]()
        head = INSERT_VALUES.match(sql_text) if len(sql_text) >= 2_000 else None
        if head is not None:
            return server_parse(sql_text[: head.end()] + "(null)", *args, **kwargs)
        return server_parse(sql_text, *args, **kwargs)

    fakesnow.server.parse_one = parse_statement

    # The columns of the last result: those DuckDB reported when it ran the statement (its
    # cursor's description, the types DESCRIBE would give), else DuckDB describes the SQL it
    # ran, without sqlglot parsing that SQL again (fakesnow's own way, kept for what DuckDB
    # cannot describe).
    describe_last = fakesnow.cursor.FakeSnowflakeCursor._describe_last_sql

    def describe_last_sql(self):
        ran, description = getattr(self, "_mart_described", (None, None))
        if description is not None and ran is self._last_sql:
            return [(name, str(kind), "YES", None, None, None) for name, kind, *_ in description]
        try:
            return self._duck_conn.execute(
                f"DESCRIBE {self._last_sql}", self._last_params
            ).fetchall()
        except duckdb.Error:
            return describe_last(self)

    fakesnow.cursor.FakeSnowflakeCursor._describe_last_sql = describe_last_sql

    # The first DuckDB SQL written in a cursor's _execute is its statement's; sqlglot copies a
    # tree before writing it (its generator may rewrite the tree on the way), and _execute
    # then reads only the tree's type, fakesnow's own args and whether it holds a SELECT.
    uncopied = threading.local()
    execute_transformed = fakesnow.cursor.FakeSnowflakeCursor._execute

    def execute_without_copy(self, transformed, params=None):
        uncopied.tree = transformed
        try:
            done = execute_transformed(self, transformed, params)
        finally:
            uncopied.tree = None
        if not transformed.args.get("result_scan_sfqid"):  # else no statement ran
            self._mart_described = (self._last_sql, self._duck_conn.description)
        return done

    fakesnow.cursor.FakeSnowflakeCursor._execute = execute_without_copy
    duckdb_generate = DuckDB.generate

    def generate(self, expression, copy=True, **options):
        if expression is getattr(uncopied, "tree", None):
            uncopied.tree, copy = None, False
        return duckdb_generate(self, expression, copy=copy, **options)

    DuckDB.generate = generate

    fakesnow.transforms.describe_table = _describe_temporary(fakesnow.transforms.describe_table)
    fakesnow.transforms.to_timestamp = _keep_try_cast(fakesnow.transforms.to_timestamp)

    # fakesnow's transforms, each on the nodes it can change, not on every node (see
    # harness/emulator_transforms.py); fakesnow's own walk if its transforms are others.
    transform = (
        emulator_transforms.transform
        if emulator_transforms.matches_fakesnow()
        else fakesnow.cursor.FakeSnowflakeCursor._transform
    )

    def _transform(self, expression, params):
        names = self._conn.__dict__.setdefault("_mart_temporary_names", set())
        return transform(self, rewrite_temporary_relations(expression, names), params)

    fakesnow.cursor.FakeSnowflakeCursor._transform = _transform


def _app(data_dir: Path):
    import fakesnow.server as server
    from fakesnow.instance import FakeSnow
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    server.shared_fs = FakeSnow(db_path=str(data_dir))

    @dataclass
    class ExplainedServerError(server.ServerError):
        """Carries the underlying error's first line instead of the whole statement."""

        def __post_init__(self):
            cause = sys.exc_info()[1]
            if self.status_code == 500 and cause is not None:
                self.message = f"{type(cause).__name__}: {str(cause).splitlines()[0]}"

    server.ServerError = ExplainedServerError

    async def login_request(request):
        # The session parameters the client logs in with: its QUERY_TAG (a profile's
        # query_tag) is the session's tag until it is altered.
        body = await request.body()
        if request.headers.get("Content-Encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        parameters = json.loads(body)["data"].get("SESSION_PARAMETERS") or {}
        response = await server.login_request(request)
        token = json.loads(response.body).get("data", {}).get("token")
        if token and token in server.sessions:
            server.sessions[token].__dict__["_mart_session"] = {
                "query_tag": str(parameters.get("QUERY_TAG") or "")
            }
        return response

    async def query_request(request):
        response = await server.query_request(request)
        if response.status_code != 500:
            return response
        message = json.loads(response.body).get("message") or "emulator error"
        return JSONResponse(
            {
                "data": {"errorCode": "002003", "sqlState": "XX000"},
                "code": "002003",
                "message": f"the Snowflake emulator failed on this statement ({message}); "
                f"details in {data_dir.parent / 'server.log'}",
                "success": False,
            }
        )

    replaced = {
        "/queries/v1/query-request": query_request,
        "/session/v1/login-request": login_request,
    }
    routes = [
        Route(route.path, replaced[route.path], methods=list(route.methods or ["POST"]))
        if route.path in replaced
        else route
        for route in server.routes
    ]
    return Starlette(routes=routes)


def serve(port: int, data_dir: Path) -> None:
    import uvicorn

    statements = os.environ.get("MART_EMULATOR_STATEMENT_LOG")
    _install_patches(
        Grants(data_dir / "grants.json"), StatementLog(Path(statements)) if statements else None
    )
    uvicorn.run(_app(data_dir), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m harness.emulator")
    sub = parser.add_subparsers(dest="command", required=True)
    serve_parser = sub.add_parser("serve", help="Run the emulator server in the foreground.")
    serve_parser.add_argument("--port", type=int, required=True)
    serve_parser.add_argument("--data", type=Path, required=True)
    arguments = parser.parse_args()
    serve(arguments.port, arguments.data)
