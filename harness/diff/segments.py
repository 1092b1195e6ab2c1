"""The segment-checksum algorithm: find the rows that differ without fetching the others.

1. Every row gets two hashes (`harness.diff.hashing`: md5 over canonical text between any
   two engines, DuckDB's hash() when both sides are DuckDB): of its key (which segment it is
   in) and of the whole row (its checksum). A table of N rows starts at `segment_depth(N)`
   hex digits of the key hash, about `TARGET_ROWS_PER_SEGMENT` rows per segment.
2. One query per side returns (segment, row count, sum of row-hash numbers) for every
   segment. Segments equal on both sides are done: equal count and equal checksum sum.
3. A differing segment with more than `FETCH_LIMIT` rows is split (two more hex digits,
   256 sub-segments) and only its sub-segments are checksummed again: bisection.
4. The remaining differing segments are fetched from both sides in one query each and
   matched row by row on (key hash, occurrence), so a broken grain still compares as a
   multiset; a row whose hash differs but whose values are equal within the float tolerance
   (a rounding boundary crossed) is not a difference.

Identical tables cost one grouped checksum scan per side; k differences cost at most a few
more scans restricted to their segments, and a fetch of about k x 256 rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from harness.diff.canonical import FLOAT_NOISE, Tolerance, close_enough, jsonable, quote
from harness.diff.hashing import Hashing, hashing_for
from harness.diff.results import RowsCheck
from harness.diff.sides import Side

FETCH_LIMIT = 5_000  # a differing segment with more rows than this is split again
TARGET_ROWS_PER_SEGMENT = 256


def segment_depth(rows: int) -> int:
    """Hex characters of the key hash per segment so that segments hold about
    TARGET_ROWS_PER_SEGMENT rows (at most 8: 4 billion segments)."""
    depth = 1
    while 16**depth * TARGET_ROWS_PER_SEGMENT < rows and depth < 8:
        depth += 1
    return depth


def compare_rows(
    left: Side,
    right: Side,
    relation: str,
    key: Sequence[str],
    shared: Sequence[tuple[str, str]],
    rows: int,
    hashing: Hashing | None = None,
    tolerances: dict[str, Tolerance] | None = None,
) -> tuple[RowsCheck, list[dict]]:
    """Compare `relation`'s rows on both sides by `key`, over the `shared` (column, family)
    pairs; `rows` is the larger side's row count. Returns the check and every differing row
    as a sample (key, left and right values; the changed columns for a changed row). A
    value within its column's tolerance (`tolerances`, else float noise) is no change."""
    tolerances = tolerances or {}
    families = dict(shared)
    hashing = hashing or hashing_for(left, right)
    key_sql = hashing.key_hash([(k, families[k]) for k in key])
    row_sql = hashing.row_hash(shared)
    depth = segment_depth(rows)
    to_fetch, segments_compared = _differing_segments(
        left, right, relation, hashing, key_sql, row_sql, depth
    )

    missing, extra, changed, samples = 0, 0, 0, []
    changed_columns: Counter = Counter()
    if to_fetch:
        names = [name for name, _ in shared]
        fetch_sql = (
            f"select {key_sql} as key_hash, {row_sql} as row_hash, "
            f"{', '.join(map(quote, names))} from {relation}"
            f"{_where_in_segments(hashing, key_sql, to_fetch)}"
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
            columns = [
                name
                for i, name in enumerate(names)
                if not close_enough(a[2 + i], b[2 + i], tolerances.get(name, FLOAT_NOISE))
            ]
            if not columns:
                continue  # within the tolerance (float noise crossed a rounding boundary)
            changed += 1
            changed_columns.update(columns)
            samples.append(
                {
                    "key": _key_values(a, names, key),
                    "columns": columns,
                    "left": {c: jsonable(a[2 + names.index(c)]) for c in columns},
                    "right": {c: jsonable(b[2 + names.index(c)]) for c in columns},
                }
            )
    check = RowsCheck(
        missing_on_right=missing,
        extra_on_right=extra,
        changed=changed,
        changed_columns=dict(changed_columns),
        segment_depth=depth,
        segments_compared=segments_compared,
        segments_fetched=len(to_fetch),
    )
    return check, samples


def _differing_segments(
    left: Side,
    right: Side,
    relation: str,
    hashing: Hashing,
    key_sql: str,
    row_sql: str,
    depth: int,
) -> tuple[list[tuple], int]:
    """Steps 2 and 3: the (segment, depth) pairs whose rows must be fetched, and how many
    segments were checksummed to find them."""
    pending = [(None, 0, depth)]  # (parent segment or None, parent depth, depth to group by)
    to_fetch: list[tuple] = []
    segments_compared = 0
    while pending:
        by_depth: dict[tuple[int, int], list] = defaultdict(list)
        for parent, parent_depth, level in pending:
            by_depth[(parent_depth, level)].append(parent)
        pending = []
        for (parent_depth, level), parents in by_depth.items():
            where = _where_in_segments(
                hashing, key_sql, [(p, parent_depth) for p in parents if p is not None]
            )
            checksum_sql = (
                f"select {hashing.segment(key_sql, level)} as segment, count(*) as row_count, "
                f"sum({hashing.checksum(row_sql)}) as checksum from {relation}{where} group by 1"
            )
            sums_left = {s: (int(n), int(c)) for s, n, c in left.query(checksum_sql)}
            sums_right = {s: (int(n), int(c)) for s, n, c in right.query(checksum_sql)}
            segments = set(sums_left) | set(sums_right)
            segments_compared += len(segments)
            for segment in sorted(segments):
                a, b = sums_left.get(segment), sums_right.get(segment)
                if a is not None and a == b:
                    continue
                size = max(a[0] if a else 0, b[0] if b else 0)
                if size > FETCH_LIMIT and level < hashing.max_depth:
                    pending.append((segment, level, min(hashing.max_depth, level + 2)))
                else:
                    to_fetch.append((segment, level))
    return to_fetch, segments_compared


def _where_in_segments(hashing: Hashing, key_sql: str, segments: Sequence[tuple]) -> str:
    """A where clause keeping the rows in any of the (segment, depth) pairs; empty for none
    (the whole table)."""
    by_depth: dict[int, list] = defaultdict(list)
    for segment, depth in segments:
        by_depth[depth].append(segment)
    if not by_depth:
        return ""
    tests = [hashing.in_segments(key_sql, listed, d) for d, listed in sorted(by_depth.items())]
    return " where " + " or ".join(tests)


def _by_key(rows: list[tuple]) -> dict[tuple, tuple]:
    """Rows by (key hash, occurrence): a broken grain still compares as a multiset."""
    seen: Counter = Counter()
    keyed = {}
    for row in sorted(rows, key=lambda r: (r[0], r[1])):
        seen[row[0]] += 1
        keyed[(row[0], seen[row[0]])] = row
    return keyed


def _as_dict(row, names) -> dict:
    return {name: jsonable(row[2 + i]) for i, name in enumerate(names)}


def _key_values(row, names, key) -> dict:
    return {k: jsonable(row[2 + names.index(k)]) for k in key}
