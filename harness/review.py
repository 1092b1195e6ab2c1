"""`mart review`: what a change does to the numbers, offline, before it merges.

The base commit (default: the merge-base with main) is built in a git worktree of its own
on a DuckDB file of its own, on fixed inputs: the seeds and a few days of generated events
(a fixed seed and size). The build is cached by commit and inputs, so a second review of the
same base costs nothing. The change — the working tree, or `--head REF` — starts from a copy
of the base's warehouse and rebuilds only what it touches: the models state comparison finds
modified against the base's manifest (`state:modified+`), and the users of any var whose
value changed (state comparison cannot see a var's value), with their descendants; every
other relation is the base's own, so it is equal by construction. Each touched model is
diffed with the diff engine (`harness.diff`, honouring the columns' declared tolerances),
and the KPIs of the daily fact and the sends fact are summed over the whole period.

The report: one line per touched model (rows before and after, added, removed, changed; the
kind of change in SQLMesh's words — breaking when rows or values change, non-breaking when
only columns are added, no data change), the changed columns with counts and example keys,
and every count and rate before -> after.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from harness import PROJECT_DIR
from harness.errors import UserError

DAILY, SENDS = "fct_email_events_daily", "fct_email_sends"
# What a build reads besides the project itself: the files whose change changes the data.
PROJECT_FILES = (
    "dbt_project.yml",
    "models",
    "macros",
    "seeds",
    "tests",
    "profiles",
    "selectors.yml",
)


@dataclass(frozen=True)
class Inputs:
    """The fixed inputs both sides are built on."""

    days: int = 3
    events_per_day: int = 2_000
    seed: int = 42
    start: str = "2026-11-10"

    def key(self) -> str:
        return f"d{self.days}-e{self.events_per_day}-s{self.seed}-{self.start}"


@dataclass
class ModelReview:
    """One touched model: the diff, and what kind of change it is."""

    model: str
    kind: str  # breaking | non-breaking | no data change | added | removed
    rows_before: int | None
    rows_after: int | None
    added: int = 0
    removed: int = 0
    changed: int = 0
    added_columns: list[str] = field(default_factory=list)
    removed_columns: list[str] = field(default_factory=list)
    changed_columns: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list] = field(default_factory=dict)  # column -> example keys


@dataclass(frozen=True)
class Kpi:
    model: str
    name: str  # the column or rate
    label: str  # in words
    before: float | None
    after: float | None
    is_rate: bool

    @property
    def moved(self) -> bool:
        if self.before is None or self.after is None:
            return self.before != self.after
        return abs(self.after - self.before) > (1e-12 if self.is_rate else 0)

    def describe(self) -> str:
        def show(value):
            if value is None:
                return "n/a"
            return f"{value:.1%}" if self.is_rate else f"{value:,.0f}"

        text = f"{self.label} {show(self.before)} → {show(self.after)}"
        if self.moved and self.before is not None and self.after is not None:
            delta = self.after - self.before
            text += f" ({delta * 100:+.1f} pt)" if self.is_rate else f" ({delta:+,.0f})"
        return text


@dataclass
class Review:
    base: str  # commit
    head: str  # commit, or "working tree"
    inputs: Inputs
    models: list[ModelReview]
    kpis: list[Kpi]
    base_cached: bool

    @property
    def changes_data(self) -> bool:
        return any(model.kind != "no data change" for model in self.models)


# --- git --------------------------------------------------------------------------------


def _git(*arguments: str, cwd: Path = PROJECT_DIR) -> str:
    try:
        done = subprocess.run(
            ["git", *arguments], cwd=cwd, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise UserError("git is not installed; mart review compares two commits.") from None
    if done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, arguments, done.stdout, done.stderr)
    return done.stdout.strip()


def repository_root() -> Path:
    try:
        return Path(_git("rev-parse", "--show-toplevel"))
    except subprocess.CalledProcessError:
        raise UserError(
            f"{PROJECT_DIR} is not a git repository; mart review compares the working tree "
            "with a commit: run it in a clone of the project."
        ) from None


def resolve(ref: str) -> str:
    try:
        return _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except subprocess.CalledProcessError:
        raise UserError(
            f"There is no commit '{ref}' in this repository; pass --base a branch, tag or "
            "commit that `git log` shows (e.g. main, or origin/main after a fetch)."
        ) from None


def default_base() -> str:
    """The merge-base of HEAD with main (or origin/main)."""
    for main in ("main", "origin/main"):
        try:
            return _git("merge-base", "HEAD", main)
        except subprocess.CalledProcessError:
            continue
    raise UserError(
        "There is no main branch to review against; pass --base REF (a branch, tag or commit)."
    )


def uncommitted_project_files() -> list[str]:
    """Files the build reads that differ from HEAD in the working tree."""
    listed = _git("status", "--porcelain", "--", *PROJECT_FILES)
    return [line[3:] for line in listed.splitlines() if line.strip()]


# --- builds -----------------------------------------------------------------------------


def _dbt(project: Path, arguments: list[str], warehouse: Path, target: Path) -> None:
    """dbt on `project` (a worktree or the working tree) against `warehouse`."""
    environment = os.environ | {
        "MART_DUCKDB_PATH": str(warehouse),
        "DBT_MART_ENVIRONMENT": "local",
        "DBT_MART_SOURCES": "",
        "DBT_MART_SCHEMA_PREFIX": "",
        "MART_SCHEMA_PREFIX": "",
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target / "logs"),
        "DBT_LOG_LEVEL_FILE": "warn",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    done = subprocess.run(
        [str(PROJECT_DIR / ".venv" / "bin" / "dbt"), *arguments, "--quiet",
         "--project-dir", str(project), "--profiles-dir", str(project / "profiles"),
         "--target", "duckdb"],
        env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        detail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
        raise UserError(f"dbt {arguments[0]} failed on {project.name}:\n{detail}")


def _land_events(warehouse: Path, inputs: Inputs) -> None:
    import datetime as dt

    import duckdb

    from harness.generate import generate
    from harness.landing import DuckDBSink, landing_shape

    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema if not exists raw")
        connection.execute(f"create table if not exists raw.events as {landing_shape()} limit 0")
        generate(
            DuckDBSink(connection, "raw.events"),
            start=dt.date.fromisoformat(inputs.start),
            days=inputs.days,
            events_per_day=inputs.events_per_day,
            seed=inputs.seed,
        )


def build_base(commit: str, inputs: Inputs, cache: Path, announce) -> tuple[Path, bool]:
    """The base commit's warehouse folder (mart.duckdb, target/), built once per commit
    and inputs; (folder, whether it came from the cache)."""
    folder = cache / f"{commit[:12]}-{inputs.key()}"
    if (folder / "built").exists():
        return folder, True
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    worktree = folder / "project"
    announce(f"Building the base {commit[:12]} (a worktree of its own)")
    _git("worktree", "add", "--detach", "--force", str(worktree), commit)
    try:
        if not (worktree / ".venv").exists():
            (worktree / ".venv").symlink_to(PROJECT_DIR / ".venv")
        warehouse, target = folder / "mart.duckdb", folder / "target"
        _land_events(warehouse, inputs)  # the landing table as dbt would create it
        _dbt(worktree, ["build", "--exclude-resource-type", "unit_test",
                        "--exclude-resource-type", "test"], warehouse, target)  # fmt: skip
        project_vars = yaml.safe_load((worktree / "dbt_project.yml").read_text())["vars"]
        (folder / "vars.json").write_text(json.dumps(project_vars, default=str))
    finally:
        _git("worktree", "remove", "--force", str(worktree))
    (folder / "built").write_text(commit)
    return folder, False


def changed_vars(base_vars: dict, head_vars: dict) -> set[str]:
    return {
        name
        for name in set(base_vars) | set(head_vars)
        if json.dumps(base_vars.get(name), sort_keys=True, default=str)
        != json.dumps(head_vars.get(name), sort_keys=True, default=str)
    }


def var_users(manifest: dict, names: set[str]) -> set[str]:
    """The models whose SQL, or a macro they call (however deep), reads one of `names`."""
    if not names:
        return set()
    pattern = [f"'{name}'" for name in names] + [f'"{name}"' for name in names]

    def reads(text: str) -> bool:
        return "var(" in text and any(quoted in text for quoted in pattern)

    macros = manifest["macros"]
    reading = {uid for uid, macro in macros.items() if reads(macro.get("macro_sql", ""))}
    while grown := {
        uid
        for uid, macro in macros.items()
        if uid not in reading and set(macro["depends_on"]["macros"]) & reading
    }:
        reading |= grown
    return {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and (reads(node.get("raw_code", "")) or set(node["depends_on"]["macros"]) & reading)
    }


# --- the review -------------------------------------------------------------------------


def _models_of(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "email_mart"
    }


class HeadDbt:
    """dbt in this process on the change's project against the head warehouse: parsed
    once, the manifest reused by ls and build. Its target folder stays between reviews, so
    dbt's partial parsing makes a second review's parse cheap."""

    def __init__(self, project: Path, folder: Path):
        self.project, self.folder = project, folder
        self.settings = {
            "MART_DUCKDB_PATH": str(folder / "mart.duckdb"),
            "DBT_MART_ENVIRONMENT": "local",
            "DBT_MART_SOURCES": "",
            "DBT_MART_SCHEMA_PREFIX": "",
            "MART_SCHEMA_PREFIX": "",
            "DBT_LOG_PATH": str(folder / "logs"),
            "DBT_LOG_LEVEL_FILE": "warn",
        }
        self.manifest = None

    def __call__(self, arguments: list[str]):
        from dbt.cli.main import dbtRunner

        from harness.dbt import environment

        common = ["--quiet", "--log-level", "none", "--project-dir", str(self.project),
                  "--profiles-dir", str(self.project / "profiles"), "--target", "duckdb",
                  "--target-path", str(self.folder / "target")]  # fmt: skip
        with environment(**self.settings):
            outcome = dbtRunner(manifest=self.manifest).invoke([*arguments, *common])
        if not outcome.success:
            detail = outcome.exception or "see the log in " + str(self.folder / "logs")
            raise UserError(f"dbt {arguments[0]} failed on the change: {detail}")
        if arguments[0] == "parse":
            self.manifest = outcome.result
        return outcome.result


def _touched(dbt: HeadDbt, base_folder: Path, base_vars: dict) -> list[str]:
    """The models the change touches, and their descendants, in the head project."""
    head_vars = yaml.safe_load((dbt.project / "dbt_project.yml").read_text())["vars"]
    dbt(["parse"])
    manifest = json.loads((dbt.folder / "target" / "manifest.json").read_text())
    users = var_users(manifest, changed_vars(base_vars, head_vars))
    selector = "state:modified+ " + " ".join(f"{name}+" for name in sorted(users))
    listed = dbt(
        ["ls", "--select", selector, "--state", str(base_folder / "target"),
         "--resource-type", "model", "--output", "name"]
    )  # fmt: skip
    return sorted(listed or [])


def run_review(
    base_ref: str | None,
    head_ref: str | None,
    inputs: Inputs,
    cache: Path,
    announce=lambda text: None,
) -> Review:
    root = repository_root()
    if root.resolve() != PROJECT_DIR.resolve():
        raise UserError(f"mart review runs from the project's own clone ({PROJECT_DIR}).")
    base = resolve(base_ref) if base_ref else default_base()
    head = resolve(head_ref) if head_ref else None
    if head is not None and (dirty := uncommitted_project_files()):
        raise UserError(
            f"You asked to review commit {head_ref}, but the working tree has uncommitted "
            f"changes to {', '.join(dirty[:3])}; commit or stash them, or leave out --head "
            "to review the working tree as it is."
        )
    base_folder, cached = build_base(base, inputs, cache, announce)
    head_folder = cache / "head"
    head_folder.mkdir(parents=True, exist_ok=True)
    for stale in ("mart.duckdb", "mart.duckdb.wal", "project"):
        path = head_folder / stale
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    head_project = PROJECT_DIR
    worktree = None
    if head is not None:
        worktree = head_folder / "project"
        _git("worktree", "add", "--detach", "--force", str(worktree), head)
        if not (worktree / ".venv").exists():
            (worktree / ".venv").symlink_to(PROJECT_DIR / ".venv")
        head_project = worktree
    try:
        shutil.copy(base_folder / "mart.duckdb", head_folder / "mart.duckdb")
        base_vars = json.loads((base_folder / "vars.json").read_text())
        announce("Finding what the change touches (state:modified+, changed vars)")
        dbt = HeadDbt(head_project, head_folder)
        touched = _touched(dbt, base_folder, base_vars)
        if touched:
            announce(f"Rebuilding {len(touched)} touched model(s) on a copy of the base")
            dbt(["run", "--select", " ".join(touched), "--full-refresh"])
        base_manifest = json.loads((base_folder / "target" / "manifest.json").read_text())
        head_manifest = json.loads((head_folder / "target" / "manifest.json").read_text())
    finally:
        if worktree is not None:
            _git("worktree", "remove", "--force", str(worktree))
    announce("Diffing the touched models and the KPIs")
    models = _diff_touched(touched, base_folder, head_folder, base_manifest, head_manifest)
    kpis = _kpis(base_folder / "mart.duckdb", head_folder / "mart.duckdb")
    return Review(base, head or "working tree", inputs, models, kpis, cached)


def _spec(node: dict):
    """A manifest node (JSON) as the diff engine's ModelSpec, its tolerances included."""
    from harness.diff import ModelSpec
    from harness.diff.models import declared_tolerances

    metas = {
        name: {**(column.get("meta") or {}), **((column.get("config") or {}).get("meta") or {})}
        for name, column in (node.get("columns") or {}).items()
    }
    return ModelSpec(
        node["name"],
        node["schema"],
        node["alias"] or node["name"],
        (),
        declared_tolerances(node["name"], metas),
    )


def _grain(manifest: dict, name: str) -> tuple[str, ...]:
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        if node.get("attached_node", "").endswith(f".{name}"):
            kwargs = metadata.get("kwargs", {})
            if metadata.get("name") == "unique_combination_of_columns":
                return tuple(c.lower() for c in kwargs["combination_of_columns"])
            if metadata.get("name") == "unique":
                return (str(kwargs["column_name"]).lower(),)
    return ()


def _diff_touched(touched, base_folder, head_folder, base_manifest, head_manifest):
    from harness.diff.relation import diff_relation
    from harness.diff.sides import open_side

    base_models, head_models = _models_of(base_manifest), _models_of(head_manifest)
    left = open_side(f"duckdb:{base_folder / 'mart.duckdb'}")
    right = open_side(f"duckdb:{head_folder / 'mart.duckdb'}")
    reviews = []
    try:
        names = sorted(set(touched) | (set(base_models) - set(head_models)))
        for name in names:
            if name not in head_models:
                reviews.append(ModelReview(name, "removed", None, None))
                continue
            spec = _spec(head_models[name])
            result = diff_relation(
                left, right, spec.schema, spec.relation_name,
                _grain(head_manifest, name) or _grain(base_manifest, name),
                model=name, max_samples=200, tolerances=spec.tolerances,
            )  # fmt: skip
            reviews.append(_classify(result, name in base_models))
    finally:
        left.close()
        right.close()
    return reviews


def _classify(result, existed: bool) -> ModelReview:
    if result.exists is not None and not result.exists.left:
        return ModelReview(result.model, "added", None, None)
    rows, schema = result.rows, result.schema
    review = ModelReview(
        result.model,
        "no data change",
        result.row_count.left,
        result.row_count.right,
        added=rows.extra_on_right,
        removed=rows.missing_on_right,
        changed=rows.changed,
        added_columns=list(schema.only_right),
        removed_columns=list(schema.only_left),
        changed_columns=dict(rows.changed_columns),
    )
    for sample in result.samples:
        for column in sample.get("columns", []):
            keys = review.examples.setdefault(column, [])
            if len(keys) < 3:
                keys.append(sample["key"])
    if review.added or review.removed or review.changed or review.removed_columns:
        review.kind = "breaking"
    elif review.added_columns or schema.type_mismatches:
        review.kind = "non-breaking"
    return review


def _kpis(before: Path, after: Path) -> list[Kpi]:
    """Every count and rate of the daily fact, and every outcome of the sends fact, summed
    over the whole period on each side (rates as ratios of the summed cohort columns)."""
    from harness.settings import kpi_rates
    from harness.warehouse import connect

    def sums(path: Path, table: str, columns: list[str]) -> dict:
        with connect(path, read_only=True) as connection:
            present = {
                row[0]
                for row in connection.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'marts' and table_name = ?",
                    [table],
                ).fetchall()
            }
            wanted = [c for c in columns if c in present]
            if not wanted:
                return {}
            values = connection.execute(
                f"select {', '.join(f'sum(cast({c} as bigint))' for c in wanted)} "
                f"from marts.{table}"
            ).fetchone()
        return dict(zip(wanted, values, strict=True))

    def columns_of(path: Path, table: str, suffix: str | None, prefix: str | None) -> list[str]:
        with connect(path, read_only=True) as connection:
            rows = connection.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
        return [
            name
            for name, kind in rows
            if (suffix and name.endswith(suffix) and kind in ("BIGINT", "INTEGER", "HUGEINT"))
            or (prefix and name.startswith(prefix) and kind == "BOOLEAN")
        ]

    kpis = []
    daily = sorted(set(columns_of(before, DAILY, "_sends", None))
                   | set(columns_of(after, DAILY, "_sends", None)) | {"sends"})  # fmt: skip
    daily += [c for c in set(columns_of(before, DAILY, "_events", None))
              | set(columns_of(after, DAILY, "_events", None)) if c not in daily]  # fmt: skip
    old, new = sums(before, DAILY, daily), sums(after, DAILY, daily)
    for rate in kpi_rates(DAILY):

        def ratio(values, rate=rate):
            numerator, denominator = values.get(rate.numerator), values.get(rate.denominator)
            return numerator / denominator if numerator is not None and denominator else None

        kpis.append(Kpi(DAILY, rate.name, _words(rate.name), ratio(old), ratio(new), True))
    for column in daily:
        kpis.append(Kpi(DAILY, column, _words(column), old.get(column), new.get(column), False))
    flags = sorted(set(columns_of(before, SENDS, None, "is_"))
                   | set(columns_of(after, SENDS, None, "is_")))  # fmt: skip
    old, new = sums(before, SENDS, flags), sums(after, SENDS, flags)
    for column in flags:
        label = "sends " + _words(column.removeprefix("is_")).lower()
        kpis.append(Kpi(SENDS, column, label, old.get(column), new.get(column), False))
    return kpis


def _words(name: str) -> str:
    """A column's name in words: human_unique_open_rate -> Human unique open rate."""
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


# --- the report --------------------------------------------------------------------------


def markdown(review: Review) -> str:
    """The report as Markdown, for a pull request comment or GitHub's step summary."""
    head = "the working tree" if review.head == "working tree" else f"`{review.head[:12]}`"
    lines = [
        "<!-- mart-review -->",
        f"## Data review: {head} against `{review.base[:12]}`",
        "",
        f"Both built on the same inputs: the seeds and {review.inputs.days} days of "
        f"generated events from {review.inputs.start} ({review.inputs.events_per_day:,} a "
        f"day, seed {review.inputs.seed}).",
        "",
    ]
    if not review.models:
        return "\n".join([*lines, "**No data change**: the change touches no model.", ""])
    if not review.changes_data:
        names = ", ".join(f"`{m.model}`" for m in review.models)
        return "\n".join(
            [
                *lines,
                f"**No data change** in the {len(review.models)} touched model(s): {names}.",
                "",
            ]
        )
    lines += [
        "| model | change | rows before → after | added | removed | changed | columns |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for model in review.models:
        lines.append(
            f"| `{model.model}` | {model.kind} | {count_text(model.rows_before)} → "
            f"{count_text(model.rows_after)} | {model.added:,} | {model.removed:,} | "
            f"{model.changed:,} | {columns_text(model)} |"
        )
    details = [model for model in review.models if model.changed_columns]
    if details:
        lines += ["", "Changed values, with example keys:", ""]
        for model in details:
            for column, count in sorted(model.changed_columns.items(), key=lambda i: -i[1]):
                keys = "; ".join(_key(key) for key in model.examples.get(column, []))
                lines.append(f"- `{model.model}.{column}`: {count:,} rows (e.g. {keys})")
    moved = [kpi for kpi in review.kpis if kpi.moved]
    lines += ["", f"KPIs over the whole period ({len(moved)} of {len(review.kpis)} moved):", ""]
    lines += [f"- {kpi.describe()}" for kpi in moved] or ["- none moved"]
    return "\n".join([*lines, ""])


def count_text(value) -> str:
    return "none" if value is None else f"{value:,}"


def columns_text(model: ModelReview) -> str:
    parts = [f"added `{c}`" for c in model.added_columns]
    parts += [f"removed `{c}`" for c in model.removed_columns]
    parts += [f"`{c}` ({n:,})" for c, n in sorted(model.changed_columns.items())]
    return ", ".join(parts)


def _key(key) -> str:
    if isinstance(key, dict):
        return ", ".join(f"{k}={v}" for k, v in key.items())
    return str(key)
