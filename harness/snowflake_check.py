"""`mart check-snowflake`: would production's Snowflake run what dbt sends it, and read it as
DuckDB does? Answered offline.

The emulator is DuckDB underneath and permissive by design, so zero differences between the
engines cannot say that Snowflake would run the SQL. This check reads every statement dbt
sends to Snowflake for the project — seeds' DDL and inserts, every model, data and unit
test, the hooks, source freshness and the project's operations — as the unmodified
dbt-snowflake adapter sent them to the emulator (its statement log, harness/emulator.py),
and holds each one to Snowflake's documented SQL:

- `parse`: it parses with sqlglot's Snowflake dialect at error level RAISE;
- `duckdb-syntax`: constructs that parse but only DuckDB has — a query that starts with
  FROM, an array type written `type[]`;
- `unknown-function` / `arity`: every function called is in Snowflake's function catalog
  (harness/snowflake_functions.yml, written from Snowflake's SQL function reference) with
  that number of arguments; an unknown one names the Snowflake function to use;
- semantic traps that run on both engines but mean different things there, each with the
  page that documents Snowflake's reading: `backslash-escape` (a backslash in a
  single-quoted string is an escape in Snowflake), `text-to-timestamp` (text other than an
  ISO-8601 literal cast to a date or time without a format follows TIMESTAMP_INPUT_FORMAT),
  `integer-division` (COUNT or an integer literal divided without a cast: a fixed-point
  quotient of scale 6 in Snowflake, a double in DuckDB), `date-argument-order` (the date
  part comes first in DATEADD, DATEDIFF, DATE_TRUNC and DATE_PART), `quoted-lowercase`
  (a quoted identifier with lower-case letters is case-sensitive in Snowflake) and
  `reserved-word` (Snowflake's reserved keywords used as unquoted names).

Snowflake's own constructs that look foreign — array constants `[1, 2]`, object constants
`{'a': 1}`, QUALIFY, EXCLUDE — are Snowflake SQL and pass.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import json
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from harness import PROJECT_DIR

CATALOG = Path(__file__).with_name("snowflake_functions.yml")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FUNCTIONS_PAGE = "https://docs.snowflake.com/en/sql-reference/functions-all"
PAGES = {
    "parse": "https://docs.snowflake.com/en/sql-reference/constructs",
    "duckdb-syntax": "https://docs.snowflake.com/en/sql-reference/constructs",
    "unknown-function": FUNCTIONS_PAGE,
    "arity": FUNCTIONS_PAGE,
    "backslash-escape": "https://docs.snowflake.com/en/sql-reference/data-types-text#escape-sequences-in-single-quoted-string-constants",
    "text-to-timestamp": "https://docs.snowflake.com/en/sql-reference/date-time-input-output",
    "integer-division": "https://docs.snowflake.com/en/sql-reference/operators-arithmetic",
    "date-argument-order": "https://docs.snowflake.com/en/sql-reference/functions/dateadd",
    "quoted-lowercase": "https://docs.snowflake.com/en/sql-reference/identifiers-syntax",
    "reserved-word": "https://docs.snowflake.com/en/sql-reference/reserved-keywords",
}
# Snowflake's reserved keywords (docs.snowflake.com/en/sql-reference/reserved-keywords):
# not usable as unquoted identifiers.
RESERVED = _words(
    """ACCOUNT ALL ALTER AND ANY AS BETWEEN BY CASE CAST CHECK COLUMN CONNECT CONNECTION
    CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER
    DATABASE DELETE DISTINCT DROP ELSE EXISTS FALSE FOLLOWING FOR FROM FULL GRANT GROUP
    GSCLUSTER HAVING ILIKE IN INCREMENT INNER INSERT INTERSECT INTO IS ISSUE JOIN LATERAL
    LEFT LIKE LOCALTIME LOCALTIMESTAMP MINUS NATURAL NOT NULL OF ON OR ORDER ORGANIZATION
    QUALIFY REGEXP REVOKE RIGHT RLIKE ROW ROWS SAMPLE SCHEMA SELECT SET SOME START TABLE
    TABLESAMPLE THEN TO TRIGGER TRUE TRY_CAST UNION UNIQUE UPDATE USING VALUES VIEW WHEN
    WHENEVER WHERE WITH"""
)
# Names followed by a parenthesis that are not function calls: data types with their
# precision, and keywords that open a list or a subquery.
TYPES = _words(
    """VARCHAR CHAR CHARACTER STRING TEXT NUMBER NUMERIC DECIMAL DEC INT INTEGER BIGINT
    SMALLINT TINYINT BYTEINT FLOAT FLOAT4 FLOAT8 DOUBLE REAL BINARY VARBINARY BOOLEAN DATE
    TIME TIMESTAMP TIMESTAMP_NTZ TIMESTAMP_LTZ TIMESTAMP_TZ DATETIME VARIANT OBJECT ARRAY
    GEOGRAPHY GEOMETRY VECTOR"""
)
NOT_CALLS = _words(
    """IN OVER VALUES EXISTS AS USING FILTER WITHIN ON FROM JOIN SELECT WHERE AND OR NOT WHEN
    THEN ELSE WITH INTO TABLE VIEW KEY BY ALL ANY SOME UNION EXCEPT INTERSECT MINUS CLUSTER
    EXCLUDE RENAME REPLACE_COLUMNS PARTITION RANGE ROWS QUALIFY HAVING LIKE ILIKE"""
)
# Date parts Snowflake accepts as the first argument of its date functions.
DATE_PARTS = _words(
    """YEAR YEARS Y YY YYY YYYY YR YRS MONTH MONTHS MM MON MONS DAY DAYS D DD DAYOFMONTH
    WEEK WEEKS W WK WEEKOFYEAR WOY WY QUARTER QUARTERS Q QTR QTRS HOUR HOURS H HH HR HRS
    MINUTE MINUTES M MI MIN MINS SECOND SECONDS S SEC SECS MILLISECOND MILLISECONDS MS MSEC
    MICROSECOND MICROSECONDS US USEC NANOSECOND NANOSECONDS NS NSEC NANOSEC NSECOND
    DAYOFWEEK WEEKDAY DOW DW DAYOFWEEKISO DAYOFYEAR YEARDAY DOY DY YEAROFWEEK YEAROFWEEKISO
    WEEKISO EPOCH_SECOND EPOCH EPOCH_MILLISECOND EPOCH_MICROSECOND EPOCH_NANOSECOND
    TIMEZONE_HOUR TIMEZONE_MINUTE"""
)
PART_FIRST = frozenset(
    {"DATEADD", "TIMEADD", "TIMESTAMPADD", "DATEDIFF", "TIMEDIFF", "TIMESTAMPDIFF"}
    | {"DATE_TRUNC", "DATE_PART"}
)
ISO_8601 = re.compile(
    r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)
TEMPORAL = re.compile(r"^(DATE|TIME|TIMESTAMP|TIMESTAMP_NTZ|TIMESTAMP_LTZ|TIMESTAMP_TZ|DATETIME)")
HOOKS = "hooks and run-operations"  # what dbt sends with no node: on-run-start/end, macros
QUERY_COMMENT = re.compile(r"/\*\s*(\{.*?\"app\":\s*\"dbt\".*?\})\s*\*/", re.DOTALL)


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    line: int  # the line of the statement (1 = its first)
    node: str | None = None  # dbt's unique_id of what sent the statement
    file: str | None = None  # the node's file in the project

    @property
    def page(self) -> str:
        return PAGES[self.rule]

    def describe(self) -> str:
        where = f"{self.file or 'dbt'} ({self.node or 'no node'})"
        return f"{where} line {self.line}: {self.rule}: {self.message} [{self.page}]"


@dataclass(frozen=True)
class Statement:
    sql: str
    node: str | None = None
    file: str | None = None


@functools.cache
def catalog() -> tuple[dict[str, dict], dict[str, str]]:
    """(Snowflake function -> {min, max, page}, DuckDB-only name -> Snowflake's)."""
    data = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    return data["functions"], {name.upper(): use for name, use in data["duckdb_only"].items()}


def _line_of(sql: str):
    """offset -> the line (1 = the first) of that offset in `sql`."""
    import bisect

    starts = [index for index, character in enumerate(sql) if character == "\n"]
    return lambda offset: bisect.bisect_left(starts, offset) + 1


# Functions whose operands a keyword separates: POSITION(a IN b), EXTRACT(part FROM x).
KEYWORD_OPERANDS = {"POSITION": "IN", "EXTRACT": "FROM", "DATE_PART": "FROM", "TRIM": "FROM"}


def _arguments(tokens, open_index: int, name: str = "") -> tuple[int, int]:
    """(number of top-level arguments, index of the closing parenthesis) of a call to
    `name` whose opening parenthesis is tokens[open_index]."""
    from sqlglot.tokens import TokenType

    separator = KEYWORD_OPERANDS.get(name)

    depth, count, seen = 0, 0, False
    for index in range(open_index, len(tokens)):
        kind = tokens[index].token_type
        if kind in (TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.L_BRACE):
            depth += 1
            if depth > 1:
                seen = True
        elif kind in (TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.R_BRACE):
            depth -= 1
            if depth == 0:
                return (count + 1 if seen else 0), index
        elif depth == 1:
            if kind == TokenType.COMMA:
                count += 1
            elif separator and tokens[index].text.upper() == separator and count == 0:
                count += 1  # POSITION(a IN b), EXTRACT(part FROM x): two operands
            else:
                seen = True
    return count + (1 if seen else 0), len(tokens) - 1


def _function_findings(sql: str, tokens, _line) -> Iterable[Finding]:
    from sqlglot.tokens import TokenType

    functions, duckdb_only = catalog()
    for index, token in enumerate(tokens[:-1]):
        if tokens[index + 1].token_type != TokenType.L_PAREN:
            continue
        name = token.text.upper()
        previous = tokens[index - 1] if index else None
        if (
            not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", token.text)
            or token.token_type in (TokenType.STRING, TokenType.IDENTIFIER)
            or name in TYPES
            or name in NOT_CALLS
            or (token.token_type != TokenType.VAR and name not in functions)
            or (previous is not None and previous.token_type == TokenType.DOT)
            or (previous is not None and previous.text.upper() in ("TABLE", "INTO", "VIEW"))
        ):
            continue
        line = _line(token.start)
        if name not in functions:
            use = duckdb_only.get(name) or next(
                iter(difflib.get_close_matches(name, list(functions), n=1, cutoff=0.6)), None
            )
            nearest = f"; in Snowflake use {use}" if use else ""
            yield Finding(
                "unknown-function",
                f"{name} is not a Snowflake function{nearest}. If Snowflake has it, add it to "
                f"{CATALOG.name} with its arity and the page of Snowflake's function "
                "reference that gives it",
                line,
            )
            continue
        count, _ = _arguments(tokens, index + 1, name)
        spec = functions[name]
        maximum = float("inf") if spec["max"] == "many" else spec["max"]
        if not spec["min"] <= count <= maximum:
            arity = spec["min"] if spec["min"] == spec["max"] else f"{spec['min']} to {spec['max']}"
            yield Finding(
                "arity",
                f"{name} takes {arity} arguments in Snowflake, not {count} ({spec['page']})",
                line,
            )
        if name in PART_FIRST and count >= 2:
            first = tokens[index + 2]
            part = first.text.strip("'\"").upper()
            if part not in DATE_PARTS:
                yield Finding(
                    "date-argument-order",
                    f"{name}'s first argument is the date part (day, month, ...), not {first.text}",
                    line,
                )


def _token_findings(sql: str, tokens, _line) -> Iterable[Finding]:
    from sqlglot.tokens import TokenType

    unquoted = {token.text.upper() for token in tokens if token.token_type == TokenType.VAR}
    for index, token in enumerate(tokens):
        kind = token.token_type
        previous = tokens[index - 1] if index else None
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        line = _line(token.start)
        if kind == TokenType.STRING:
            raw = sql[token.start : token.end + 1]
            # \\ and \' are Snowflake's own spellings of a backslash and a quote (macro
            # sql_literal and dbt-snowflake write them); any other escape reads differently.
            if raw.startswith("'") and "\\" in raw.replace("\\\\", "").replace("\\'", ""):
                yield Finding(
                    "backslash-escape",
                    f"{raw[:40]} holds a backslash, an escape in Snowflake and a character in "
                    "DuckDB: double it (macro sql_literal) or use $$...$$",
                    line,
                )
        elif kind == TokenType.FROM and (previous is None or previous.token_type in (
            TokenType.L_PAREN, TokenType.SEMICOLON, TokenType.ALIAS, TokenType.UNION
        )):  # fmt: skip
            yield Finding(
                "duckdb-syntax",
                "a query that starts with FROM is DuckDB's; write SELECT ... FROM",
                line,
            )
        elif (
            kind == TokenType.L_BRACKET
            and following is not None
            and following.token_type == TokenType.R_BRACKET
            and previous is not None
            and previous.text.upper() in TYPES | {"INT", "TEXT", "VARCHAR"}
        ):
            yield Finding(
                "duckdb-syntax",
                f"the array type {previous.text}[] is DuckDB's; Snowflake's is ARRAY",
                line,
            )
        elif kind == TokenType.IDENTIFIER and token.text != token.text.upper():
            raw = sql[token.start : token.end + 1]
            # Quoted the same way throughout, a lower-case name is one name; the trap is
            # the same name unquoted elsewhere (upper-cased by Snowflake: another column).
            if raw.startswith('"') and token.text.upper() in unquoted:
                yield Finding(
                    "quoted-lowercase",
                    f"{raw} is case-sensitive in Snowflake (unquoted names are upper-case): "
                    "drop the quotes or match the case",
                    line,
                )


def _tree_findings(sql: str, tree) -> Iterable[Finding]:
    from sqlglot import exp

    for cast in tree.find_all(exp.Cast):
        target = cast.to.sql(dialect="snowflake").upper()
        literal = cast.this
        if (
            isinstance(literal, exp.Literal)
            and literal.is_string
            and TEMPORAL.match(target)
            and not ISO_8601.match(literal.this.strip())
        ):
            yield Finding(
                "text-to-timestamp",
                f"'{cast.this.this}' cast to {target} follows TIMESTAMP_INPUT_FORMAT in "
                "Snowflake: write ISO-8601 text or TO_TIMESTAMP(text, format)",
                1,
            )
    for call in tree.find_all(exp.Anonymous, exp.StrToTime, exp.TsOrDsToDate):
        name = (call.name if isinstance(call, exp.Anonymous) else "").upper()
        arguments = call.expressions if isinstance(call, exp.Anonymous) else []
        if (
            name.startswith(("TO_TIMESTAMP", "TO_DATE", "TRY_TO_TIMESTAMP", "TRY_TO_DATE"))
            and len(arguments) == 1
            and isinstance(arguments[0], exp.Literal)
            and arguments[0].is_string
            and not ISO_8601.match(arguments[0].this.strip())
        ):
            yield Finding(
                "text-to-timestamp",
                f"{name}('{arguments[0].this}') without a format follows "
                "TIMESTAMP_INPUT_FORMAT in Snowflake: pass the format",
                1,
            )
    for division in tree.find_all(exp.Div):
        operands = (division.this, division.expression)
        floats = any(
            isinstance(operand, exp.Cast)
            and operand.to.sql(dialect="snowflake").upper().startswith(("FLOAT", "DOUBLE", "REAL"))
            for operand in operands
        )
        counts = [isinstance(operand, exp.Count | exp.CountIf) for operand in operands]
        whole = [
            isinstance(operand, exp.Literal) and not operand.is_string and "." not in operand.this
            for operand in operands
        ]
        if not floats and (any(counts) or all(whole)):
            yield Finding(
                "integer-division",
                f"{division.sql(dialect='snowflake')[:60]} divides integers: a number of scale "
                "6 in Snowflake, a double in DuckDB; cast one side to double",
                1,
            )
    for column in tree.find_all(exp.Column, exp.TableAlias, exp.Alias):
        identifier = column.args.get("alias") if isinstance(column, exp.Alias) else column.this
        if (
            isinstance(identifier, exp.Identifier)
            and not identifier.quoted
            and identifier.name.upper() in RESERVED
        ):
            yield Finding(
                "reserved-word",
                f"{identifier.name} is reserved in Snowflake: quote it or rename it",
                1,
            )


def check_statement(sql: str) -> list[Finding]:
    """Every finding in one statement as Snowflake would receive it."""
    from sqlglot import ErrorLevel
    from sqlglot.dialects.snowflake import Snowflake
    from sqlglot.errors import ParseError, TokenError

    dialect = Snowflake()
    try:
        tokens = dialect.tokenize(sql)
    except TokenError as error:
        return [Finding("parse", f"Snowflake's dialect cannot read it: {error}", 1)]
    line = _line_of(sql)
    findings = [*_function_findings(sql, tokens, line), *_token_findings(sql, tokens, line)]
    try:
        trees = dialect.parser(error_level=ErrorLevel.RAISE).parse(tokens, sql)
    except ParseError as error:
        detail = error.errors[0] if error.errors else {}
        return [
            *findings,
            Finding(
                "parse",
                f"Snowflake's dialect cannot parse it: {detail.get('description', error)}",
                int(detail.get("line") or 1),
            ),
        ]
    for tree in trees:
        if tree is not None:
            findings.extend(_tree_findings(sql, tree))
    return findings


def statements_from_log(path: Path, manifest=None) -> list[Statement]:
    """The distinct statements of an emulator statement log, each with the node that sent
    it (dbt's query comment) and its file (with the project's `manifest`)."""
    files = {}
    nodes = {**manifest.nodes, **manifest.unit_tests, **manifest.macros} if manifest else {}
    for unique_id, node in nodes.items():
        files[unique_id] = getattr(node, "original_file_path", None)
    files[HOOKS] = "dbt_project.yml, macros/"
    seen: dict[str, Statement] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        sql = json.loads(line)["statement"]
        comment = QUERY_COMMENT.search(sql)
        node = json.loads(comment.group(1)).get("node_id") if comment else None
        if comment and node is None:
            # dbt's own connection: the project's hooks and its run-operations.
            node = HOOKS
        body = _body(sql)
        if body and body not in seen:
            seen[body] = Statement(body, node, files.get(node))
    return list(seen.values())


def _body(sql: str) -> str:
    """A logged statement without dbt's query comment: what the check reads."""
    return QUERY_COMMENT.sub("", sql).strip()


def _first_row(sql: str) -> str:
    """A literal `insert ... values (...), (...)` cut after its first row: the connector
    wrote the rows of a seed (one is enough to read), and parsing 10,000 costs seconds."""
    head = re.match(r"(?is)^\s*insert\s+into\s+[^(]+\([^)]*\)\s*values\s*\(", sql)
    if head is None or len(sql) < 20_000:
        return sql
    depth, quoted, index = 1, False, head.end()
    while index < len(sql) and depth:
        character = sql[index]
        if quoted:
            if character == "\\":
                index += 1
            elif character == "'":
                quoted = sql[index + 1 : index + 2] == "'"
                index += quoted
        elif character == "'":
            quoted = True
        elif character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        index += 1
    return sql[:index]


def _findings(bodies: Iterable[str]) -> dict[str, list[Finding]]:
    """Each statement's findings, without its node and file."""
    import logging

    logging.getLogger("sqlglot").setLevel(logging.ERROR)  # "falling back to a Command"
    return {body: check_statement(_first_row(body)) for body in bodies}


def check(
    statements: Iterable[Statement], known: dict[str, list[Finding]] | None = None
) -> list[Finding]:
    """Every finding of every statement, with the node and file that sent it (`known`: the
    findings of statements already checked, by statement)."""
    from dataclasses import replace

    statements = list(statements)
    known = dict(known or {})
    known.update(_findings(s.sql for s in statements if s.sql not in known))
    return [
        replace(finding, node=statement.node, file=statement.file)
        for statement in statements
        for finding in known[statement.sql]
    ]


TARGET = "snowflake_emulator"
# Where checks keep dbt's parses for the next one (_ParseCache; git-ignored).
PARSES = PROJECT_DIR / "state" / "check-snowflake-parses"


def check_settings(folder: Path) -> dict[str, str]:
    """The environment a check in `folder` runs dbt in: its own emulator, statement log and
    target folder, the project's own (local) environment without prefixes. The statement
    log holds every statement sent, so dbt writes neither its JSON artifacts (manifest.json
    and run_results.json after every command, docs.getdbt.com/reference/global-configs/
    json-artifacts; the check reads the manifest in memory) nor each statement again into
    its log file (info, not debug, unless DBT_LOG_LEVEL_FILE says otherwise): together ~2 s
    of a check's client CPU (docs/benchmarks.md)."""
    return {
        "MART_EMULATOR_DIR": str(folder / "emulator"),
        "MART_EMULATOR_STATEMENT_LOG": str(folder / "statements.jsonl"),
        "DBT_TARGET_PATH": str(folder / "target"),
        "DBT_WRITE_JSON": "false",
        "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE", "info"),
        "DBT_MART_ENVIRONMENT": "local",
        "DBT_MART_SOURCES": "",
        "DBT_MART_SCHEMA_PREFIX": "",
        "MART_SCHEMA_PREFIX": "",
    }


def collect_and_check(folder: Path) -> tuple[list[Statement], list[Finding]]:
    """Every statement dbt sends for the project, from a fresh emulator's statement log in
    `folder`: the seeds, a day of mock events (an operation), a full build (every model,
    data test, unit test and hook), source freshness, the CI cleanup operation, and a
    production run of one mart (the grants and the production hooks); and their findings.
    The statements are checked as they are logged, in a process of their own (_Beside)."""
    import subprocess

    from harness import emulator
    from harness.dbt import DbtError, environment, manifest, run_dbt
    from harness.jobs import insert_mock_events

    folder = folder.resolve()  # dbt reads a relative target path from the project's root
    log = folder / "statements.jsonl"
    _claim(folder)
    # A fresh emulator and log, whatever an earlier check left in its folder (the emulator
    # appends to its log and keeps its databases).
    log.unlink(missing_ok=True)
    shutil.rmtree(folder / "emulator", ignore_errors=True)
    # dbt's target folders, one per environment: each keeps its own partial parse.
    local, production = str(folder / "target"), str(folder / "target-prod")
    parses = _ParseCache(PARSES)
    parsing = None  # production's first parse, beside the seeds
    with environment(**check_settings(folder)), parses.held() as port, _Beside(folder) as beside:
        try:
            # The server starts (imports, opens its databases) while dbt parses the project.
            emulator.start(wait=False, port=port)
            parses.restore(local, production)
            manifest(TARGET)
            parsing = _parse_production_beside(production)
            run_dbt(["seed"], target=TARGET, quiet=True)
            insert_mock_events("2026-11-20", 200, 1, TARGET)
            run_dbt(["build", "--exclude", "resource_type:seed"], target=TARGET, quiet=True,
                    allow_test_failures=True)  # fmt: skip
            with contextlib.suppress(DbtError):  # stale seeds are what it finds
                run_dbt(["source", "freshness"], target=TARGET, quiet=True)
            run_dbt(
                ["run-operation", "drop_prefixed_schemas", "--args", "{prefix: check_}"],
                target=TARGET,
                quiet=True,
            )
            if parsing is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):  # then dbt parses here
                    parsing.wait(timeout=600)
            with environment(DBT_MART_ENVIRONMENT="prod", DBT_TARGET_PATH=production):
                run_dbt(["run", "--select", "dim_campaign"], target=TARGET, quiet=True)
            parsed = manifest(TARGET)
            known = beside.findings()
            parses.keep(local, production)
        finally:
            if parsing is not None and parsing.poll() is None:  # the check stopped early
                parsing.kill()
                parsing.wait()
            emulator.stop()
    statements = statements_from_log(log, parsed)
    return statements, check(statements, known)


def _claim(folder: Path) -> None:
    """Marks `folder` as a check's (its emulator and statement log are cleared at each
    check), or raises UserError if it holds an emulator or a statement log that no check
    made: `--folder state` would otherwise clear the emulator `mart build --target
    snowflake_emulator` keeps in state/emulator."""
    from harness.errors import UserError

    marker = folder / ".check-snowflake"
    found = [name for name in ("emulator", "statements.jsonl") if (folder / name).exists()]
    if found and not marker.exists():
        raise UserError(
            f"{folder} already holds {' and '.join(found)}, which no check made; give "
            "--folder an empty folder, or one an earlier check used."
        )
    folder.mkdir(parents=True, exist_ok=True)
    marker.touch()


def _parse_production_beside(production: str):
    """Without a kept parse of production (a first check), dbt parses the project for it in
    a process of its own while the seeds load (dbt's client busy on one core, the emulator
    nearly idle), so that the production run finds a partial parse to start from; the
    running process, or None when there is a kept parse."""
    import subprocess
    import sys

    from harness.dbt import project_arguments

    if (Path(production) / _ParseCache.FILE).exists():
        return None
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("dbt")), "parse", "--quiet",
         *project_arguments(TARGET)],
        env=os.environ | {"DBT_MART_ENVIRONMENT": "prod", "DBT_TARGET_PATH": production},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


class _ParseCache:
    """dbt's partial parse of the check's two environments (the project's own, and
    production), kept in `folder` from one check to the next with the emulator port it was
    made for: dbt re-parses only the files that changed since (docs.getdbt.com/reference/
    parsing, partial parsing), unless the profile changed, and a profile's port is part of
    it (dbt-core hashes the connection's settings: ManifestLoader.build_manifest_state_check).
    A check starts its emulator on the kept port when that is free; a second check running
    at the same time goes without (the lock), as does one whose port is taken."""

    FILE = "partial_parse.msgpack"

    def __init__(self, folder: Path):
        self.folder = folder
        self.locked = False

    @contextlib.contextmanager
    def held(self):
        """The kept port while this check holds the cache (None if another check does)."""
        import fcntl

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = (self.folder / "lock").open("w")
        except OSError:  # a read-only state/: the check goes without
            yield None
            return
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # another check holds it (or no locks here)
                yield None
                return
            self.locked = True
            try:
                port = (self.folder / "port").read_text().strip()
            except FileNotFoundError:
                port = ""
            yield int(port) if port.isdigit() else None

    def restore(self, *targets: str) -> None:
        """Each environment's kept parse into its target folder (in order: local, prod)."""
        for name, target in zip(("local", "prod"), targets, strict=True):
            kept = self.folder / name / self.FILE
            if self.locked and kept.exists():
                Path(target).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(kept, Path(target) / self.FILE)

    def keep(self, *targets: str) -> None:
        """The parses this check made, and the port they were made for."""
        if not self.locked:
            return
        for name, target in zip(("local", "prod"), targets, strict=True):
            made = Path(target) / self.FILE
            if made.exists():
                (self.folder / name).mkdir(exist_ok=True)
                shutil.copyfile(made, self.folder / name / (self.FILE + ".new"))
                (self.folder / name / (self.FILE + ".new")).replace(self.folder / name / self.FILE)
        (self.folder / "port").write_text(os.environ["MART_EMULATOR_PORT"])


class _Beside:
    """The findings of the statements logged in `folder`'s statement log, checked as they
    arrive by a process of its own (`python -m harness.snowflake_check LOG OUT DONE`), which
    uses the CPU the build leaves idle (dbt's client and the emulator take turns) and reads
    the log until `findings()` marks it complete. If that process fails or takes over ten
    minutes, it knows no findings, and `check` reads every statement itself. Its output:
    checking.log in `folder`."""

    def __init__(self, folder: Path):
        import subprocess
        import sys

        self.log = folder / "statements.jsonl"
        self.found, self.done = folder / "checked.json", folder / "checking.done"
        self.found.unlink(missing_ok=True)
        self.done.unlink(missing_ok=True)
        with (folder / "checking.log").open("wb") as output:  # why, if it fails
            self.process = subprocess.Popen(
                [sys.executable, "-m", "harness.snowflake_check", str(self.log),
                 str(self.found), str(self.done)],
                cwd=PROJECT_DIR,
                stdout=output,
                stderr=subprocess.STDOUT,
            )  # fmt: skip

    def __enter__(self) -> _Beside:
        return self

    def __exit__(self, *_exc) -> None:
        self.process.kill()
        self.process.wait()

    def findings(self) -> dict[str, list[Finding]]:
        """Every logged statement's findings, once the log is complete (none if the process
        failed: `check` then checks each statement)."""
        import subprocess

        self.done.touch()
        try:
            finished = self.process.wait(timeout=600) == 0 and self.found.exists()
        except subprocess.TimeoutExpired:
            finished = False
        if not finished:
            return {}
        found = json.loads(self.found.read_text(encoding="utf-8"))
        return {body: [Finding(**finding) for finding in found[body]] for body in found}


def _follow(log: Path, found: Path, done: Path) -> None:
    """_Beside's process: checks each new statement of `log` as it is written (whole lines
    only), until `done` exists and the log is read to its end; writes the findings by
    statement to `found`."""
    import time
    from dataclasses import asdict

    offset, findings = 0, {}
    while True:
        complete = done.exists()  # before reading: the last read then sees every line
        try:
            with log.open("rb") as handle:
                handle.seek(offset)
                chunk = handle.read()
        except FileNotFoundError:
            chunk = b""
        lines = chunk[: chunk.rfind(b"\n") + 1]
        offset += len(lines)
        bodies = {_body(json.loads(line)["statement"]) for line in lines.splitlines()}
        new = [body for body in bodies if body and body not in findings]
        findings.update({body: [asdict(f) for f in fs] for body, fs in _findings(new).items()})
        if complete:
            break
        if not new:
            time.sleep(0.1)
    found.write_text(json.dumps(findings), encoding="utf-8")


if __name__ == "__main__":  # python -m harness.snowflake_check LOG OUT DONE (see _Beside)
    import sys

    _follow(*(Path(argument) for argument in sys.argv[1:4]))
