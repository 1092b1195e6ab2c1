"""How rows are hashed and bucketed into segments: the same way on two engines, or faster on one.

The segment-checksum algorithm (`harness.diff.segments`) needs four pieces of SQL: a key
hash (which segment a row is in), a row hash (its checksum), a segment of the key hash at a
depth (in hex digits: 16**depth segments), and a filter keeping the rows of some segments.

- `Md5Hashing` works between any two engines: an md5 over each row's canonical text
  (`canonical.row_text`), segments as prefixes of the key's md5. The md5 of the same text is
  the same everywhere, while `HASH()` differs between DuckDB and Snowflake.
- `NativeHashing`, when both sides are DuckDB (one process, so one DuckDB version): DuckDB's
  own `hash()` over the canonical *values* (`canonical.canonical_value`, typed, no text), and
  segments as the key hash's top bits. The same rows hash alike, as with md5, at a fraction of
  the cost (no text is built, no md5 is computed): measured in docs/benchmarks.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.diff.canonical import canonical_value, hash_number, row_text
from harness.diff.sides import Side


@dataclass(frozen=True)
class Md5Hashing:
    """Portable: md5 over canonical text; segments are hex prefixes of the key's md5."""

    max_depth = 32  # hex digits in an md5

    def key_hash(self, key: Sequence[tuple[str, str]]) -> str:
        return f"md5({row_text(key)})"

    def row_hash(self, columns: Sequence[tuple[str, str]]) -> str:
        return f"md5({row_text(columns)})"

    def checksum(self, row_hash: str) -> str:
        return hash_number(row_hash)

    def segment(self, key_hash: str, depth: int) -> str:
        return f"substr({key_hash}, 1, {depth})"

    def in_segments(self, key_hash: str, segments: Sequence, depth: int) -> str:
        listed = ", ".join(f"'{segment}'" for segment in segments)
        return f"{self.segment(key_hash, depth)} in ({listed})"


@dataclass(frozen=True)
class NativeHashing:
    """DuckDB on both sides: hash() over canonical values; segments are top bits of it."""

    max_depth = 16  # hex digits in a 64-bit hash

    def key_hash(self, key: Sequence[tuple[str, str]]) -> str:
        return self.row_hash(key)

    def row_hash(self, columns: Sequence[tuple[str, str]]) -> str:
        return f"hash({', '.join(canonical_value(name, family) for name, family in columns)})"

    def checksum(self, row_hash: str) -> str:
        return row_hash  # a UBIGINT; sum() of them is a HUGEINT: exact

    def segment(self, key_hash: str, depth: int) -> str:
        return f"({key_hash} >> {64 - 4 * depth})"

    def in_segments(self, key_hash: str, segments: Sequence, depth: int) -> str:
        return f"{self.segment(key_hash, depth)} in ({', '.join(str(int(s)) for s in segments)})"


Hashing = Md5Hashing | NativeHashing


def hashing_for(left: Side, right: Side) -> Hashing:
    """Native hashing when both sides are DuckDB, md5 of canonical text otherwise."""
    if left.dialect == right.dialect == "duckdb":
        return NativeHashing()
    return Md5Hashing()
