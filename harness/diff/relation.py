"""Diff one relation (schema, row count, rows, profile) or one ad-hoc query's results."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import sqlglot

from harness.diff.canonical import (
    FLOAT_DIGITS,
    NUMERIC,
    Tolerance,
    canonical,
    close_enough,
    columns_of,
    comparable_family,
    jsonable,
    quote,
)
from harness.diff.hashing import Hashing
from harness.diff.results import (
    ExistsCheck,
    ModelDiff,
    ProfileCheck,
    ProfileDifference,
    RowCountCheck,
    RowsCheck,
    SchemaCheck,
    TypeMismatch,
)
from harness.diff.segments import compare_rows
from harness.diff.sides import Side
from harness.errors import UserError

MAX_PROFILE_DIFFERENCES = 50


def diff_relation(
    left: Side,
    right: Side,
    schema: str,
    table: str,
    key: Sequence[str] | None = None,
    *,
    model: str | None = None,
    max_samples: int = 5,
    hashing: Hashing | None = None,
    tolerances: dict[str, Tolerance] | None = None,
) -> ModelDiff:
    """Compare `schema.table` on both sides, in four checks:

    - schema: columns on one side only; shared columns whose type families cannot be
      compared (DECIMAL and DOUBLE can: both canonicalise as numbers);
    - row_count;
    - rows, by `key` (the grain; every shared column when it is not given or not shared),
      with the segment-checksum algorithm of `harness.diff.segments`;
    - profile (nulls, distinct values, min/max/sum...) per column, computed only to explain
      a difference: equal row checksums imply an equal profile.

    A relation missing on either side gives only the `exists` check. `hashing` defaults to
    the fastest that both sides share (`harness.diff.hashing.hashing_for`). `tolerances`:
    how far each numeric column's values may move and still be equal."""
    relation = f"{schema}.{table}"
    result = ModelDiff(model or table, relation, list(key or []))
    left_columns = {c.name: c for c in columns_of(left, schema, table)}
    right_columns = {c.name: c for c in columns_of(right, schema, table)}
    if not left_columns or not right_columns:
        result.exists = ExistsCheck(bool(left_columns), bool(right_columns))
        return result

    shared: list[tuple[str, str]] = []
    type_mismatches = []
    for name, column in left_columns.items():
        if name not in right_columns:
            continue
        family = comparable_family(column.family, right_columns[name].family)
        if family is None:
            type_mismatches.append(
                TypeMismatch(name, column.data_type, right_columns[name].data_type)
            )
        else:
            shared.append((name, family))
    result.schema = SchemaCheck(
        only_left=[name for name in left_columns if name not in right_columns],
        only_right=[name for name in right_columns if name not in left_columns],
        type_mismatches=type_mismatches,
    )
    families = dict(shared)
    key = [name for name in (key or []) if name in families] or [name for name, _ in shared]
    result.key = key

    count_sql = f"select count(*) from {relation}"
    result.row_count = RowCountCheck(left.query(count_sql)[0][0], right.query(count_sql)[0][0])

    rows = max(result.row_count.left, result.row_count.right)
    result.rows, samples = compare_rows(
        left, right, relation, key, shared, rows, hashing, tolerances
    )
    result.samples = samples[:max_samples]

    if result.rows.differs or result.row_count.differs:
        result.profile = _profile(left, right, relation, shared, result.rows)
    else:
        result.profile = ProfileCheck(implied_by="equal row checksums")
    return result


def _profile(
    left: Side,
    right: Side,
    relation: str,
    shared: Sequence[tuple[str, str]],
    rows: RowsCheck,
) -> ProfileCheck:
    """The measures that differ. With the same rows on both sides but changed values, only
    the changed columns can profile differently; missing or extra rows touch every column."""
    same_rows = not (rows.missing_on_right or rows.extra_on_right)
    profiled = [
        (name, family) for name, family in shared if not same_rows or name in rows.changed_columns
    ]
    profile_sql, labels = _profile_sql(relation, profiled)
    left_profile, right_profile = left.query(profile_sql)[0], right.query(profile_sql)[0]
    differences = [
        ProfileDifference(column, measure, jsonable(a), jsonable(b))
        for (column, measure), a, b in zip(labels, left_profile, right_profile, strict=True)
        if not close_enough(a, b)
    ]
    return ProfileCheck(differences[:MAX_PROFILE_DIFFERENCES])


def _profile_sql(relation: str, shared: Sequence[tuple[str, str]]) -> tuple[str, list]:
    """One query computing every measure of every column, and the (column, measure) labels
    of its outputs in order."""
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


def diff_query(left: Side, right: Side, snowflake_sql: str, max_samples: int = 5) -> ModelDiff:
    """Run one Snowflake-dialect query on both sides and compare the results as multisets
    (floats rounded to FLOAT_DIGITS)."""
    result = ModelDiff("query", snowflake_sql, [])
    try:
        rows_left, rows_right = left.query(snowflake_sql), right.query(snowflake_sql)
    except sqlglot.errors.ParseError as error:
        raise UserError(
            f"The query is not valid Snowflake SQL ({error}); fix it and retry."
        ) from None
    result.row_count = RowCountCheck(len(rows_left), len(rows_right))

    def normal(row):
        return tuple(round(v, FLOAT_DIGITS) if isinstance(v, float) else jsonable(v) for v in row)

    left_counts = Counter(normal(r) for r in rows_left)
    right_counts = Counter(normal(r) for r in rows_right)
    only_left = list((left_counts - right_counts).elements())
    only_right = list((right_counts - left_counts).elements())
    result.rows = RowsCheck(missing_on_right=len(only_left), extra_on_right=len(only_right))
    result.samples = [{"left": list(r), "right": None} for r in only_left[:max_samples]] + [
        {"left": None, "right": list(r)} for r in only_right[:max_samples]
    ]
    return result
