"""Compare models between two warehouses (DuckDB, the Snowflake emulator, Snowflake).

Every query is written once, in Snowflake's dialect, and transpiled by sqlglot for DuckDB.
Per model: schema (columns and type families), row counts, a per-column profile, and rows
keyed by the model's grain. Rows are compared in the spirit of data-diff: each row is reduced
to an md5 over a canonical text form, rows are grouped into segments by a prefix of the md5
of their key, and only segments whose checksums differ are fetched and compared row by row
(segments still too large are split further: bisection). Identical tables cost one checksum
scan per side.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import sqlglot

from harness.errors import UserError

NULL_TEXT = "\\N"
FLOAT_DIGITS = 6  # numbers are hashed at 1e-6 resolution; rows then compare with tolerance
ABS_TOLERANCE = 1e-6
REL_TOLERANCE = 1e-9
FETCH_LIMIT = 5_000  # a differing segment with more rows than this is split again
TARGET_ROWS_PER_SEGMENT = 256

NUMERIC = ("integer", "decimal", "float")


# --- sides ---------------------------------------------------------------------------------


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
        import duckdb

        from harness.settings import duckdb_path

        path = Path(spec.partition(":")[2]).expanduser() if ":" in spec else duckdb_path()
        if not path.exists():
            raise UserError(f"No DuckDB warehouse at {path}; build it first (`mart build`).")
        connection = duckdb.connect(str(path))
        return Side(spec, "duckdb", lambda q: connection.execute(q).fetchall(), connection.close)
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


# --- columns and canonical forms -----------------------------------------------------------


def type_family(data_type: str, scale: int | None) -> str:
    kind = data_type.upper().split("(")[0].strip()
    if kind in ("DECIMAL", "NUMERIC", "NUMBER"):
        return "integer" if not scale else "decimal"
    if kind in (
        "TINYINT", "SMALLINT", "INTEGER", "INT", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
        "UINTEGER", "UBIGINT", "UHUGEINT", "BYTEINT",
    ):  # fmt: skip
        return "integer"
    if kind in ("DOUBLE", "FLOAT", "REAL", "FLOAT4", "FLOAT8", "DOUBLE PRECISION"):
        return "float"
    if "CHAR" in kind or kind in ("TEXT", "STRING"):
        return "text"
    if kind == "BOOLEAN":
        return "boolean"
    if kind == "DATE":
        return "date"
    if kind.startswith(("TIMESTAMP", "DATETIME")):
        return "timestamp"
    return "other"


@dataclass(frozen=True)
class Column:
    name: str  # lower case
    family: str
    data_type: str


def columns_of(side: Side, schema: str, table: str) -> list[Column]:
    rows = side.query(
        "select column_name, data_type, numeric_scale from information_schema.columns "
        f"where lower(table_schema) = lower('{schema}') and lower(table_name) = lower('{table}') "
        "order by ordinal_position"
    )
    return [Column(name.lower(), type_family(kind, scale), kind) for name, kind, scale in rows]


def comparable_family(left: str, right: str) -> str | None:
    """The family both sides' values are canonicalised in, or None when they cannot be."""
    if left == right:
        return left
    if left in NUMERIC and right in NUMERIC:
        return "float" if "float" in (left, right) else "decimal"
    return None


def quote(column: str) -> str:
    """A column as a quoted identifier in Snowflake's case (upper): Snowflake stores unquoted
    names upper case, and DuckDB matches identifiers case-insensitively even when quoted."""
    return '"' + column.upper().replace('"', '""') + '"'


def canonical(column: str, family: str) -> str:
    """Snowflake SQL: the column as canonical text (NULL stays NULL)."""
    column = quote(column)
    if family == "integer":
        return f"cast(cast({column} as bigint) as varchar)"
    if family in ("decimal", "float"):
        scale = 10**FLOAT_DIGITS
        return f"cast(cast(round(cast({column} as double) * {scale}) as bigint) as varchar)"
    if family == "boolean":
        return f"case when {column} then 'true' when not {column} then 'false' end"
    if family == "date":
        return f"cast(datediff(day, to_date('1970-01-01'), {column}) as varchar)"
    if family == "timestamp":
        return f"cast(date_part(epoch_microsecond, {column}) as varchar)"
    return f"cast({column} as varchar)"


def row_text(columns: Sequence[tuple[str, str]]) -> str:
    """Snowflake SQL: '|'-joined canonical text of (column, family) pairs, NULL as \\N."""
    parts = [f"coalesce({canonical(name, family)}, '{NULL_TEXT}')" for name, family in columns]
    return " || '|' || ".join(parts) if parts else "''"


def hash_number(md5_sql: str, chars: int = 6) -> str:
    """Snowflake SQL: an integer from the first hex characters of an md5 (ascii arithmetic,
    the same on every engine, no hex parsing needed)."""
    terms = [
        f"cast(ascii(substr({md5_sql}, {i + 1}, 1)) as bigint) * {128**i}" for i in range(chars)
    ]
    return " + ".join(terms)


# --- the comparison ------------------------------------------------------------------------


@dataclass
class ModelDiff:
    model: str
    relation: str
    key: list[str]
    checks: dict[str, dict] = field(default_factory=dict)
    samples: list[dict] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return any(check.get("differs") for check in self.checks.values())

    def as_dict(self) -> dict:
        return {
            "model": self.model,
            "relation": self.relation,
            "key": self.key,
            "match": not self.differs,
            "checks": self.checks,
            "samples": self.samples,
        }


def _close(left, right) -> bool:
    """Equal values; numbers (not text that looks like one) within the float tolerance."""
    if left is None or right is None:
        return left is None and right is None
    numbers = (int, float, Decimal)
    if isinstance(left, numbers) and isinstance(right, numbers):
        if isinstance(left, bool) or isinstance(right, bool):
            return left == right
        return math.isclose(float(left), float(right), rel_tol=REL_TOLERANCE, abs_tol=ABS_TOLERANCE)
    return left == right


def diff_relation(
    left: Side,
    right: Side,
    schema: str,
    table: str,
    key: Sequence[str] | None = None,
    *,
    model: str | None = None,
    max_samples: int = 5,
) -> ModelDiff:
    relation = f"{schema}.{table}"
    result = ModelDiff(model or table, relation, list(key or []))
    left_columns = {c.name: c for c in columns_of(left, schema, table)}
    right_columns = {c.name: c for c in columns_of(right, schema, table)}
    if not left_columns or not right_columns:
        result.checks["exists"] = {
            "differs": True,
            "left": bool(left_columns),
            "right": bool(right_columns),
        }
        return result

    # Schema ---------------------------------------------------------------------------------
    only_left = [name for name in left_columns if name not in right_columns]
    only_right = [name for name in right_columns if name not in left_columns]
    shared: list[tuple[str, str]] = []
    type_mismatches = []
    for name, column in left_columns.items():
        if name not in right_columns:
            continue
        family = comparable_family(column.family, right_columns[name].family)
        if family is None:
            type_mismatches.append(
                {"column": name, "left": column.data_type, "right": right_columns[name].data_type}
            )
        else:
            shared.append((name, family))
    result.checks["schema"] = {
        "differs": bool(only_left or only_right or type_mismatches),
        "only_left": only_left,
        "only_right": only_right,
        "type_mismatches": type_mismatches,
    }
    families = dict(shared)
    key = [name for name in (key or []) if name in families] or [name for name, _ in shared]
    result.key = key

    # Row counts -----------------------------------------------------------------------------
    count_sql = f"select count(*) from {relation}"
    left_count, right_count = left.query(count_sql)[0][0], right.query(count_sql)[0][0]
    result.checks["row_count"] = {
        "differs": left_count != right_count,
        "left": left_count,
        "right": right_count,
    }

    # Rows, by segment checksums -------------------------------------------------------------
    rows_check = _diff_rows(left, right, relation, key, shared, max(left_count, right_count))
    result.checks["rows"] = rows_check["check"]
    result.samples = rows_check["samples"][:max_samples]

    # Profile: equal row checksums imply an equal profile, so it is only computed (one query
    # per side) to explain a difference -----------------------------------------------------
    rows = result.checks["rows"]
    if rows["differs"] or result.checks["row_count"]["differs"]:
        # With the same rows on both sides but changed values, only the changed columns can
        # profile differently; missing or extra rows touch every column.
        same_rows = not (rows["missing_on_right"] or rows["extra_on_right"])
        profiled = [
            (name, family)
            for name, family in shared
            if not same_rows or name in rows["changed_columns"]
        ]
        profile_sql, labels = _profile_sql(relation, profiled)
        left_profile, right_profile = left.query(profile_sql)[0], right.query(profile_sql)[0]
        differences = [
            {"column": column, "measure": measure, "left": _jsonable(a), "right": _jsonable(b)}
            for (column, measure), a, b in zip(labels, left_profile, right_profile, strict=True)
            if not _close(a, b)
        ]
        result.checks["profile"] = {"differs": bool(differences), "differences": differences[:50]}
    else:
        result.checks["profile"] = {"differs": False, "implied_by": "equal row checksums"}
    return result


def _profile_sql(relation: str, shared: Sequence[tuple[str, str]]) -> tuple[str, list]:
    measures, labels = [], []
    for name, family in shared:
        column = quote(name)
        measures.append(f"count(*) - count({column})")
        labels.append((name, "nulls"))
        distinct = canonical(name, family) if family in ("decimal", "float") else column
        measures.append(f"count(distinct {distinct})")
        labels.append((name, "distinct"))
        if family in NUMERIC:
            for fn in ("min", "max", "sum"):
                measures.append(f"{fn}(cast({column} as double))")
                labels.append((name, fn))
        elif family in ("date", "timestamp"):
            for fn in ("min", "max"):
                measures.append(f"{fn}(cast({canonical(name, family)} as bigint))")
                labels.append((name, fn))
        elif family == "boolean":
            measures.append(f"sum(case when {column} then 1 else 0 end)")
            labels.append((name, "trues"))
        elif family == "text":
            measures.append(f"sum(length({column}))")
            labels.append((name, "total_length"))
    return f"select {', '.join(measures)} from {relation}", labels


def _segment_depth(rows: int) -> int:
    depth = 1
    while 16**depth * TARGET_ROWS_PER_SEGMENT < rows and depth < 8:
        depth += 1
    return depth


def _diff_rows(left, right, relation, key, shared, rows) -> dict:
    key_sql = f"md5({row_text([(k, dict(shared)[k]) for k in key])})"
    row_sql = f"md5({row_text(shared)})"
    depth = _segment_depth(rows)
    pending = [("", depth)]  # (prefix filter, depth to group by)
    to_fetch: list[str] = []
    segments_compared = 0
    while pending:
        by_depth: dict[int, list[str]] = defaultdict(list)
        for prefix, level in pending:
            by_depth[level].append(prefix)
        pending = []
        for level, prefixes in by_depth.items():
            where = _prefix_filter(key_sql, prefixes)
            checksum_sql = (
                f"select substr({key_sql}, 1, {level}) as segment, count(*) as row_count, "
                f"sum({hash_number(row_sql)}) as checksum from {relation}{where} group by 1"
            )
            sums_left = {s: (n, c) for s, n, c in left.query(checksum_sql)}
            sums_right = {s: (n, c) for s, n, c in right.query(checksum_sql)}
            segments_compared += len(set(sums_left) | set(sums_right))
            for segment in sorted(set(sums_left) | set(sums_right)):
                a, b = sums_left.get(segment), sums_right.get(segment)
                if (
                    a is not None
                    and b is not None
                    and int(a[0]) == int(b[0])
                    and int(a[1]) == int(b[1])
                ):
                    continue
                size = max(int(a[0]) if a else 0, int(b[0]) if b else 0)
                if size > FETCH_LIMIT and level < 32:
                    pending.append((segment, min(32, level + 2)))
                else:
                    to_fetch.append(segment)

    missing, extra, changed, samples = 0, 0, 0, []
    changed_columns: Counter = Counter()
    if to_fetch:
        names = [name for name, _ in shared]
        fetch_sql = (
            f"select {key_sql} as key_hash, {row_sql} as row_hash, "
            f"{', '.join(map(quote, names))} from {relation}{_prefix_filter(key_sql, to_fetch)}"
        )
        left_rows = _by_key(left.query(fetch_sql))
        right_rows = _by_key(right.query(fetch_sql))
        for row_key in sorted(set(left_rows) | set(right_rows)):
            a, b = left_rows.get(row_key), right_rows.get(row_key)
            if b is None:
                missing += 1
                samples.append(
                    {"key": _key_values(a, names, key), "left": _as_dict(a, names), "right": None}
                )
                continue
            if a is None:
                extra += 1
                samples.append(
                    {"key": _key_values(b, names, key), "left": None, "right": _as_dict(b, names)}
                )
                continue
            if a[1] == b[1]:
                continue
            columns = [name for i, name in enumerate(names) if not _close(a[2 + i], b[2 + i])]
            if not columns:
                continue  # float noise within tolerance crossed a rounding boundary
            changed += 1
            changed_columns.update(columns)
            samples.append(
                {
                    "key": _key_values(a, names, key),
                    "columns": columns,
                    "left": {c: _jsonable(a[2 + names.index(c)]) for c in columns},
                    "right": {c: _jsonable(b[2 + names.index(c)]) for c in columns},
                }
            )
    return {
        "check": {
            "differs": bool(missing or extra or changed),
            "missing_on_right": missing,
            "extra_on_right": extra,
            "changed": changed,
            "changed_columns": dict(changed_columns),
            "segment_depth": depth,
            "segments_compared": segments_compared,
            "segments_fetched": len(to_fetch),
        },
        "samples": samples,
    }


def _prefix_filter(key_sql: str, prefixes: Sequence[str]) -> str:
    prefixes = [p for p in prefixes if p]
    if not prefixes:
        return ""
    width = len(prefixes[0])
    listed = ", ".join(f"'{p}'" for p in prefixes)
    return f" where substr({key_sql}, 1, {width}) in ({listed})"


def _by_key(rows: list[tuple]) -> dict[tuple, tuple]:
    """Rows by (key hash, occurrence): a broken grain still compares as a multiset."""
    seen: Counter = Counter()
    keyed = {}
    for row in sorted(rows, key=lambda r: (r[0], r[1])):
        seen[row[0]] += 1
        keyed[(row[0], seen[row[0]])] = row
    return keyed


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _as_dict(row, names) -> dict:
    return {name: _jsonable(row[2 + i]) for i, name in enumerate(names)}


def _key_values(row, names, key) -> dict:
    return {k: _jsonable(row[2 + names.index(k)]) for k in key}


# --- ad-hoc queries --------------------------------------------------------------------------


def diff_query(left: Side, right: Side, snowflake_sql: str, max_samples: int = 5) -> ModelDiff:
    """Run one Snowflake-dialect query on both sides and compare the results as multisets."""
    result = ModelDiff("query", snowflake_sql, [])
    try:
        rows_left, rows_right = left.query(snowflake_sql), right.query(snowflake_sql)
    except sqlglot.errors.ParseError as error:
        raise UserError(
            f"The query is not valid Snowflake SQL ({error}); fix it and retry."
        ) from None
    result.checks["row_count"] = {
        "differs": len(rows_left) != len(rows_right),
        "left": len(rows_left),
        "right": len(rows_right),
    }

    def normal(row):
        return tuple(round(v, FLOAT_DIGITS) if isinstance(v, float) else _jsonable(v) for v in row)

    left_counts = Counter(normal(r) for r in rows_left)
    right_counts = Counter(normal(r) for r in rows_right)
    only_left = list((left_counts - right_counts).elements())
    only_right = list((right_counts - left_counts).elements())
    result.checks["rows"] = {
        "differs": bool(only_left or only_right),
        "missing_on_right": len(only_left),
        "extra_on_right": len(only_right),
    }
    result.samples = [{"left": list(r), "right": None} for r in only_left[:max_samples]] + [
        {"left": None, "right": list(r)} for r in only_right[:max_samples]
    ]
    return result


# --- models from the dbt project ------------------------------------------------------------

DEFAULT_SELECTION = "path:models/marts path:models/audit"
# The run history records each run itself (ids, times): never equal between two warehouses.
DEFAULT_EXCLUSION = "tag:run_history"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    schema: str
    relation_name: str
    grain: tuple[str, ...]


def selected_models(select: str | None = None) -> list[ModelSpec]:
    """The models a dbt selector picks (default: every mart, dq and audit model), each with
    its grain as declared by its tests (unique, or unique_combination_of_columns)."""
    from harness.dbt import run_dbt

    parsed = run_dbt(["parse"], quiet=True).result
    listed = run_dbt(
        [
            "ls",
            "--select",
            select or DEFAULT_SELECTION,
            *([] if select else ["--exclude", DEFAULT_EXCLUSION]),
            "--resource-type",
            "model",
            "--output",
            "name",
            "--log-level",
            "none",
        ],
    ).result
    if not listed:
        raise UserError(f"The selector '{select}' picks no model; check it with `dbt ls`.")
    grains: dict[str, tuple[str, ...]] = {}
    for node in parsed.nodes.values():
        metadata = getattr(node, "test_metadata", None)
        attached = getattr(node, "attached_node", None)
        if metadata is None or attached is None:
            continue
        kwargs = metadata.kwargs
        if metadata.name == "unique_combination_of_columns":
            grains[attached] = tuple(c.lower() for c in kwargs["combination_of_columns"])
        elif metadata.name == "unique" and attached not in grains:
            grains[attached] = (str(kwargs["column_name"]).lower(),)
    wanted = set(listed)
    specs = [
        ModelSpec(node.name, node.schema, node.alias or node.name, grains.get(uid, ()))
        for uid, node in parsed.nodes.items()
        if node.resource_type == "model"
        and node.name in wanted
        and node.package_name == "email_mart"
    ]
    return sorted(specs, key=lambda spec: (spec.schema, spec.name))


def diff_models(
    left: Side, right: Side, models: Sequence[ModelSpec], progress=None, max_samples: int = 5
) -> list[ModelDiff]:
    results = []
    for spec in models:
        results.append(
            diff_relation(
                left,
                right,
                spec.schema,
                spec.relation_name,
                spec.grain,
                model=spec.name,
                max_samples=max_samples,
            )
        )
        if progress:
            progress(spec.name)
    return results
