"""The one way the harness runs dbt: in-process through dbtRunner, one invocation at a time.

`run_dbt(["build", ...], target="duckdb")` returns a `DbtRun` with per-node statuses, or
raises `DbtError` carrying dbt's own message when the invocation fails.

dbt's own log goes to its log file (`dbt_log_file()`), not the terminal, unless `verbose(True)`
was called (`mart --verbose`); `listening(callback)` passes dbt's events to a progress bar.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections import Counter
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from harness import PROJECT_DIR
from harness.errors import UserError
from harness.settings import duckdb_path, snowflake_settings

TARGETS = ("duckdb", "snowflake", "snowflake_emulator")

_LOCK = threading.Lock()  # dbt is not re-entrant: never two invocations at once in a process


class DbtError(UserError):
    """A dbt invocation failed; the message is dbt's own."""


_OUTPUT = {"verbose": False}
_LISTENERS: list = []  # callbacks receiving every dbt event of the invocations that follow


def verbose(on: bool) -> None:
    """Whether dbt logs to the terminal as well as to its log file (default: the file only)."""
    _OUTPUT["verbose"] = on


@contextmanager
def listening(callback):
    """Pass every dbt event of the invocations inside the block to `callback(event)`."""
    _LISTENERS.append(callback)
    try:
        yield
    finally:
        _LISTENERS.remove(callback)


def dbt_log_file() -> Path:
    """Where dbt writes its log: DBT_LOG_PATH (else the project's logs/) / dbt.log."""
    folder = os.environ.get("DBT_LOG_PATH")
    return (Path(folder) if folder else PROJECT_DIR / "logs") / "dbt.log"


def dbt_target_path() -> Path:
    """dbt's target folder (artifacts, docs): DBT_TARGET_PATH, else the project's target/."""
    folder = os.environ.get("DBT_TARGET_PATH")
    return Path(folder) if folder else PROJECT_DIR / "target"


@dataclass
class DbtRun:
    """What one dbt invocation did."""

    command: list[str]
    success: bool
    statuses: Counter = field(default_factory=Counter)  # (resource_type, status) -> count
    failures: list[str] = field(default_factory=list)
    result: object = None

    def count(self, resource_types: tuple[str, ...], *statuses: str) -> int:
        return sum(
            n
            for (kind, status), n in self.statuses.items()
            if kind in resource_types and status in statuses
        )


def check_target(target: str) -> str:
    """The target, or a UserError naming the ones that exist."""
    if target not in TARGETS:
        raise UserError(f"Unknown target '{target}'; use one of: {', '.join(TARGETS)}.")
    return target


@contextmanager
def environment(**values: str):
    """Set environment variables for a block, restoring the previous values after it."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def prepare_environment(target: str = "duckdb", *, connects: bool = True) -> None:
    """Get the target ready before dbt starts: absolute paths, the emulator (when dbt
    connects: a parse does not), credentials."""
    from harness.warehouse import warehouse_folder

    path = duckdb_path()
    warehouse_folder(path)
    os.environ["MART_DUCKDB_PATH"] = str(path)
    if target == "snowflake_emulator":
        from harness import emulator

        # The emulator is a warehouse of one's own, like the DuckDB file: layer names as
        # they are, unless the caller chose an environment (see macro mart_environment).
        os.environ.setdefault("DBT_MART_ENVIRONMENT", "local")
        if connects:
            emulator.start()
    elif target == "snowflake":
        snowflake_settings()  # names every missing variable


# Arguments leaving dbt's unit tests out of a build: they read fixed inputs, so they prove
# nothing about the data a build is run for (the daily selector leaves them out too).
NO_UNIT_TESTS = ("--exclude-resource-type", "unit_test")
# ... and its data tests too, for a build whose only use is the tables it leaves.
NO_TESTS = (*NO_UNIT_TESTS, "--exclude-resource-type", "test")
# Commands that parse the project themselves (or need no manifest).
UNPARSED_COMMANDS = ("parse", "deps", "clean", "debug", "init")
# Parsed manifests, reused by every later invocation with the same key (dbtRunner accepts a
# manifest and then skips parsing: about 0.4 s with partial parsing, 5 s without). dbt
# compiles the manifest's own node objects, so a run's result nodes (compiled_code) hold
# what the latest invocation with that key compiled, in whichever warehouse: read them
# before the next invocation.
_MANIFESTS: dict[tuple, object] = {}
# Environment variables that can change what a parse produces (env_var() in the project,
# the profile's target database) start with these; the emulator's port and dbt's run flags
# (which dbt's own partial parsing ignores too) do not.
_PARSE_ENVIRONMENT = ("MART_", "DBT_", "SNOWFLAKE_")
_NOT_PARSE_ENVIRONMENT = (
    "MART_EMULATOR_PORT",
    "DBT_TARGET_PATH",
    "DBT_LOG_PATH",
    "DBT_LOG_LEVEL_FILE",
    "DBT_FULL_REFRESH",
)


def _project_fingerprint() -> tuple:
    """Names, sizes and modification times of the project's files that dbt parses."""
    files = [PROJECT_DIR / "dbt_project.yml", PROJECT_DIR / "profiles" / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests/generic", "analyses"):
        files += (
            sorted((PROJECT_DIR / folder).rglob("*")) if (PROJECT_DIR / folder).exists() else []
        )
    fingerprint = []
    for path in files:
        if path.is_file():
            status = path.stat()
            fingerprint.append((str(path), status.st_size, status.st_mtime_ns))
    return tuple(fingerprint)


def project_arguments(target: str) -> list[str]:
    """dbt's arguments naming this project, its profiles and the target."""
    profiles = PROJECT_DIR / "profiles"
    return ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(profiles), "--target", target]


def _manifest_key(target: str) -> tuple:
    """What a parse depends on. Of the DuckDB file's path, only the database name dbt-duckdb
    derives from it (the file's stem, in every node's relation name): warehouses in other
    folders share a manifest. (dbt's own partial parsing re-parses in full, ~2 s, whenever
    the path changes, as the profile's hash changes.)"""
    from dbt.adapters.duckdb.credentials import DuckDBCredentials

    environment = tuple(
        sorted(
            (
                name,
                DuckDBCredentials.path_derived_database_name(value)
                if name == "MART_DUCKDB_PATH"
                else value,
            )
            for name, value in os.environ.items()
            if name.startswith(_PARSE_ENVIRONMENT) and name not in _NOT_PARSE_ENVIRONMENT
        )
    )
    return (target, environment, _project_fingerprint())


def _error_collector(errors: list[str], unmatched: list[str] | None = None):
    """A dbt event callback keeping the messages of error-level events in `errors` (and the
    selection criteria that matched nothing in `unmatched`), and passing every event on to
    the listeners."""

    def keep_errors(event) -> None:
        if event.info.level == "error" and event.info.msg:
            errors.append(str(event.info.msg).strip())
        if unmatched is not None and event.info.name == "NoNodesForSelectionCriteria":
            unmatched.append(event.data.spec_raw)
        for listener in list(_LISTENERS):
            listener(event)

    return keep_errors


def _output_arguments() -> list[str]:
    """dbt's terminal output: none (errors reach the caller as DbtError), unless verbose.
    Its log file keeps dbt's own level (debug, or DBT_LOG_LEVEL_FILE): `--log-level` alone
    would set the file's level too (dbt's flags: LOG_LEVEL_FILE follows LOG_LEVEL unless
    it is given), and the log whose path `mart` prints would stay empty."""
    if _OUTPUT["verbose"]:
        return []
    return [
        "--log-level",
        "none",
        "--log-level-file",
        os.environ.get("DBT_LOG_LEVEL_FILE", "debug"),
    ]


def _parsed_manifest(target: str, command: str = "parse"):
    """The manifest for this target and environment, parsed once. A project that does not
    parse raises DbtError with dbt's message, as the `command` that needed it."""
    from dbt.cli.main import dbtRunner

    key = _manifest_key(target)
    if key not in _MANIFESTS:
        errors: list[str] = []
        outcome = dbtRunner(callbacks=[_error_collector(errors)]).invoke(
            ["parse", "--quiet", *_output_arguments(), *project_arguments(target)]
        )
        if not outcome.success:
            detail = outcome.exception or "; ".join(errors[-3:]) or "see dbt's output above"
            raise DbtError(f"dbt {command} failed: {detail}")
        _MANIFESTS[key] = outcome.result
    return _MANIFESTS[key]


def manifest(target: str = "duckdb"):
    """The project's parsed manifest for `target` (parsed once, then reused)."""
    check_target(target)
    prepare_environment(target, connects=False)
    with _LOCK:
        return _parsed_manifest(target)


def landing_environment(target: str = "duckdb") -> tuple[str, str]:
    """(environment, sources) of a run on `target`, as macros mart_environment and
    mart_sources decide them: DBT_MART_ENVIRONMENT (local on DuckDB, else dev) and
    DBT_MART_SOURCES (own where local, else production)."""
    environment = (os.environ.get("DBT_MART_ENVIRONMENT") or "").lower().strip() or (
        "local" if target == "duckdb" else "dev"
    )
    sources = (os.environ.get("DBT_MART_SOURCES") or "").lower().strip() or (
        "own" if environment == "local" else "production"
    )
    return environment, sources


def writable_events_relation(target: str = "duckdb") -> str:
    """The events landing table, when this run may write it: production's own, or an
    environment's own sources; a UserError for a CI or developer run that reads
    production's (it would write into production)."""
    environment, sources = landing_environment(target)
    relation = events_relation(target)
    if environment != "prod" and sources != "own":
        plain = relation.replace('"', "")
        raise UserError(
            f"This {environment} run reads production's events ({plain}, "
            "DBT_MART_SOURCES=production) and never writes them; set DBT_MART_SOURCES=own to "
            "load into the environment's own sources."
        )
    return relation


def events_relation(target: str = "duckdb") -> str:
    """The events landing table, source('marketing_cloud', 'events'), as dbt names it for
    `target` in this environment (schema prefix and the events_* vars included)."""
    parsed = manifest(target)
    return next(
        source.relation_name
        for source in parsed.sources.values()
        if (source.source_name, source.name) == ("marketing_cloud", "events")
    )


def _selection(args: list[str]) -> set[str]:
    """The criteria given to --select (-s, --models, -m) in dbt arguments."""
    criteria: set[str] = set()
    for flag, value in itertools.pairwise(args):
        if flag in ("--select", "-s", "--models", "-m"):
            criteria.update(value.split())
    return criteria


def run_dbt(
    args: list[str],
    *,
    target: str = "duckdb",
    quiet: bool = False,
    allow_test_failures: bool = False,
) -> DbtRun:
    """Invoke dbt in-process against this project. Raises DbtError when dbt fails.

    With allow_test_failures, failing data tests are reported in the result instead of
    raising (errors in models still raise).
    """
    from dbt.cli.main import dbtRunner

    check_target(target)
    prepare_environment(target)
    command = [*args, *_output_arguments(), *project_arguments(target)]
    if quiet:
        command.insert(1, "--quiet")
    logged_errors: list[str] = []
    unmatched: list[str] = []

    from harness.warehouse import hold_warehouse

    with _LOCK, hold_warehouse() if target == "duckdb" else nullcontext():
        manifest = None if args[0] in UNPARSED_COMMANDS else _parsed_manifest(target, args[0])
        outcome = dbtRunner(
            manifest=manifest, callbacks=[_error_collector(logged_errors, unmatched)]
        ).invoke(command)
        if args[0] == "parse" and outcome.success:
            _MANIFESTS[_manifest_key(target)] = outcome.result
    run = DbtRun(command=command, success=bool(outcome.success), result=outcome.result)
    for item in getattr(outcome.result, "results", None) or []:
        node = getattr(item, "node", None)
        kind = getattr(node, "resource_type", "operation")
        kind = getattr(kind, "value", str(kind))
        status = getattr(item.status, "value", str(item.status))
        run.statuses[(kind, status)] += 1
        if status in ("error", "fail") and node is not None:
            run.failures.append(f"{node.name}: {item.message}")
    if outcome.exception is not None:
        raise DbtError(f"dbt {args[0]} failed: {outcome.exception}")
    selected = _selection(args)
    unmatched = [spec for spec in unmatched if spec in selected]
    if unmatched:
        raise UserError(
            f"The selection {', '.join(repr(spec) for spec in unmatched)} matches no model, "
            "seed or test; check the spelling (`dbt ls --select ...` lists what a selection "
            "matches)."
        )
    if not outcome.success:
        only_tests_failed = run.failures and all(
            kind in ("test", "unit_test")
            for (kind, status) in run.statuses
            if status in ("error", "fail")
        )
        if not (allow_test_failures and only_tests_failed):
            detail = "; ".join(run.failures[:5] or logged_errors[-3:]) or "see dbt's output above"
            raise DbtError(f"dbt {args[0]} failed: {detail}")
    return run
