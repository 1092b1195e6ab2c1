"""Canonical forms: what makes two values from two engines the same value.

Columns fall into type families; a value is compared through the canonical text of its
family (integers as integers, decimals and floats at 1e-6 resolution, dates as days and
timestamps as microseconds since the epoch, booleans as words), so DuckDB's DOUBLE and
Snowflake's NUMBER(38,6) agree. Rows hash as an md5 of their canonical texts; fetched rows
then compare with a float tolerance (`close_enough`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.diff.sides import Side

NULL_TEXT = "\\N"
FLOAT_DIGITS = 6  # numbers are hashed at 1e-6 resolution; rows then compare with tolerance
ABS_TOLERANCE = 1e-6
REL_TOLERANCE = 1e-9

NUMERIC = ("integer", "decimal", "float")
# Build metadata: when the run that wrote (built_at) or staged (staged_at) a row started. Two
# builds of the same data differ there by design (dbt's run_started_at), so a diff never
# compares it.
BUILD_METADATA_COLUMNS = frozenset({"built_at", "staged_at"})


def type_family(data_type: str, scale: int | None) -> str:
    """The family of an information_schema data type (and numeric scale), on any engine."""
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
    """A table's columns in order, from the side's information schema ([] when absent),
    build metadata left out."""
    rows = side.query(
        "select column_name, data_type, numeric_scale from information_schema.columns "
        f"where lower(table_schema) = lower('{schema}') and lower(table_name) = lower('{table}') "
        "order by ordinal_position"
    )
    return [
        Column(name.lower(), type_family(kind, scale), kind)
        for name, kind, scale in rows
        if name.lower() not in BUILD_METADATA_COLUMNS
    ]


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


def canonical_value(column: str, family: str) -> str:
    """Snowflake SQL: the column as its family's canonical value, typed (NULL stays NULL):
    integers, numbers at 1e-6 resolution, days and microseconds since the epoch as BIGINT;
    booleans as they are; anything else as text."""
    column = quote(column)
    if family == "integer":
        return f"cast({column} as bigint)"
    if family in ("decimal", "float"):
        scale = 10**FLOAT_DIGITS
        return f"cast(round(cast({column} as double) * {scale}) as bigint)"
    if family == "boolean":
        return column
    if family == "date":
        return f"datediff(day, to_date('1970-01-01'), {column})"
    if family == "timestamp":
        return f"date_part(epoch_microsecond, {column})"
    return f"cast({column} as varchar)"


def canonical(column: str, family: str) -> str:
    """Snowflake SQL: the column as canonical text (NULL stays NULL), the same on every
    engine."""
    if family == "boolean":
        column = quote(column)
        return f"case when {column} then 'true' when not {column} then 'false' end"
    value = canonical_value(column, family)
    return value if family not in (*NUMERIC, "date", "timestamp") else f"cast({value} as varchar)"


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


@dataclass(frozen=True)
class Tolerance:
    """How far two numbers of a column may be apart and still be equal: a column's
    `meta: {diff_tolerance: {absolute: ..., relative: ...}}` in the models' YAML, else the
    float tolerance every number has (1e-6 absolute, 1e-9 relative)."""

    absolute: float = ABS_TOLERANCE
    relative: float = REL_TOLERANCE


FLOAT_NOISE = Tolerance()


def close_enough(left, right, tolerance: Tolerance = FLOAT_NOISE) -> bool:
    """Equal values; numbers (not text that looks like one) within the tolerance."""
    if left is None or right is None:
        return left is None and right is None
    numbers = (int, float, Decimal)
    if isinstance(left, numbers) and isinstance(right, numbers):
        if isinstance(left, bool) or isinstance(right, bool):
            return left == right
        return math.isclose(
            float(left), float(right), rel_tol=tolerance.relative, abs_tol=tolerance.absolute
        )
    return left == right


def jsonable(value):
    """A fetched value as JSON can hold it (dates, decimals and the like as text)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
