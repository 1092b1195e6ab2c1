"""The diff engine finds every injected difference and reports none on equal data.

Both sides are real DuckDB files; the expected differences are the mutations applied here.
Each finding is checked with both hashings: DuckDB's own (what two DuckDB sides use) and the
md5 of canonical text (what two different engines use; test_emulator.py diffs across them).
"""

from __future__ import annotations

import duckdb
import pytest

from harness.diff import (
    Md5Hashing,
    NativeHashing,
    RowCountCheck,
    diff_relation,
    open_side,
    segments,
)

CREATE = """
create schema if not exists marts;
create or replace table marts.t as
select
    i as id,
    i % 1000 as quantity,
    'name ' || i as name,
    cast(i * 1.25 as decimal(18, 2)) as amount,
    i / 7.0 as ratio,
    i % 2 = 0 as flag,
    date '2026-01-01' + cast(i % 300 as integer) as day,
    timestamp '2026-01-01 00:00:00' + to_seconds(i) as at
from range({rows}) as r(i)
"""


def make_pair(folder, rows: int, mutate: str | None = None):
    paths = []
    for side in ("left", "right"):
        path = folder / f"{side}.duckdb"
        with duckdb.connect(str(path)) as connection:
            connection.execute(CREATE.format(rows=rows))
            if side == "right" and mutate:
                connection.execute(mutate)
        paths.append(path)
    return open_side(f"duckdb:{paths[0]}"), open_side(f"duckdb:{paths[1]}")


HASHINGS = pytest.mark.parametrize(
    "hashing", [NativeHashing(), Md5Hashing()], ids=["duckdb_hash", "md5"]
)


def run(folder, rows, mutate=None, key=("id",), hashing=None):
    left, right = make_pair(folder, rows, mutate)
    try:
        return diff_relation(left, right, "marts", "t", list(key), hashing=hashing)
    finally:
        left.close()
        right.close()


def test_two_duckdb_sides_hash_with_duckdb_and_any_other_pair_with_md5(tmp_path):
    from harness.diff.hashing import hashing_for
    from harness.diff.sides import Side

    duck, snow = Side("a", "duckdb", list), Side("b", "snowflake", list)
    assert isinstance(hashing_for(duck, duck), NativeHashing)
    assert isinstance(hashing_for(duck, snow), Md5Hashing)
    assert isinstance(hashing_for(snow, snow), Md5Hashing)


MUTATIONS = {
    "missing row": ("delete from marts.t where id = 17", {"missing_on_right": 1}),
    "extra row": (
        "insert into marts.t select 100000000, 1, 'new', 1, 1, true, date '2026-01-01', "
        "timestamp '2026-01-01'",
        {"extra_on_right": 1},
    ),
    "changed integer": ("update marts.t set quantity = 7 where id = 5", {"changed": ["quantity"]}),
    "changed text": ("update marts.t set name = 'changed' where id = 5", {"changed": ["name"]}),
    "changed decimal": (
        "update marts.t set amount = amount + 0.01 where id = 5",
        {"changed": ["amount"]},
    ),
    "changed boolean": ("update marts.t set flag = not flag where id = 5", {"changed": ["flag"]}),
    "changed date": ("update marts.t set day = day + 1 where id = 5", {"changed": ["day"]}),
    "timestamp off by one second": (
        'update marts.t set "at" = "at" + interval 1 second where id = 5',
        {"changed": ["at"]},
    ),
    "float beyond tolerance": (
        "update marts.t set ratio = ratio + 0.001 where id = 5",
        {"changed": ["ratio"]},
    ),
    "NULL vs empty string": (
        "update marts.t set name = null where id = 5; update marts.t set name = '' where id = 6",
        {"changed": ["name"], "count": 2},
    ),
}


@HASHINGS
@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_each_injected_difference_is_found_on_a_small_table(tmp_path, case, hashing):
    mutate, expected = MUTATIONS[case]
    result = run(tmp_path, 1000, mutate, hashing=hashing)
    rows = result.rows
    assert result.differs and rows.differs, case
    if "missing_on_right" in expected:
        assert rows.missing_on_right == expected["missing_on_right"]
    if "extra_on_right" in expected:
        assert rows.extra_on_right == expected["extra_on_right"]
    if "changed" in expected:
        assert rows.changed == expected.get("count", 1)
        assert set(rows.changed_columns) == set(expected["changed"])
        assert result.samples and result.samples[0]["key"]["id"] in (5, 6)


@HASHINGS
def test_identical_tables_match_and_float_noise_within_tolerance_is_ignored(tmp_path, hashing):
    assert not run(tmp_path, 1000, hashing=hashing).differs
    noisy = run(tmp_path, 1000, "update marts.t set ratio = ratio * (1 + 1e-12)", hashing=hashing)
    assert not noisy.differs, noisy.as_dict()


@HASHINGS
def test_segments_split_to_different_depths_still_fetch_every_difference(
    tmp_path, hashing, monkeypatch
):
    """With at most one row fetched per segment, the 16 first segments split into 256
    sub-segments each, and those still holding two or more rows split again: the rows are
    fetched from segments of two depths in one query."""
    monkeypatch.setattr(segments, "FETCH_LIMIT", 1)
    depths_fetched = []
    where = segments._where_in_segments

    def recording(hashing_, key_sql, pairs):
        depths_fetched.append({depth for _, depth in pairs})
        return where(hashing_, key_sql, pairs)

    monkeypatch.setattr(segments, "_where_in_segments", recording)
    changes = "update marts.t set quantity = -1 where id % 3 = 0"
    result = run(tmp_path, 1000, changes, hashing=hashing)
    assert result.rows.changed == 334 and result.rows.changed_columns == {"quantity": 334}
    assert depths_fetched[-1] == {3, 5}, depths_fetched  # the fetch: two depths at once


def test_identifier_case_is_normalised(tmp_path):
    result = run(
        tmp_path,
        200,
        'alter table marts.t rename column name to "NAME"; '
        'alter table marts.t rename column amount to "Amount"',
    )
    assert not result.differs, result.as_dict()


def test_dropped_column_and_changed_type_are_schema_differences(tmp_path):
    dropped = run(tmp_path, 200, "alter table marts.t drop column flag")
    assert dropped.schema.only_left == ["flag"]
    assert not dropped.rows.differs, "remaining columns still compare"
    retyped = run(tmp_path, 200, "alter table marts.t alter column day type varchar")
    assert retyped.schema.type_mismatches[0].column == "day"
    numeric_families = run(tmp_path, 200, "alter table marts.t alter column amount type double")
    assert not numeric_families.schema.differs, "DECIMAL vs DOUBLE: one family"


@HASHINGS
def test_a_million_rows_with_ten_changes(tmp_path, hashing):
    changes = "update marts.t set name = name || '!' where id % 100000 = 3"
    result = run(tmp_path, 1_000_000, changes, hashing=hashing)
    rows = result.rows
    assert rows.changed == 10 and rows.missing_on_right == rows.extra_on_right == 0
    assert rows.segments_fetched <= 10, "only differing segments are fetched"
    identical = run(tmp_path, 1_000_000, hashing=hashing)
    assert not identical.differs


def test_a_million_rows_missing_and_extra(tmp_path):
    result = run(
        tmp_path,
        1_000_000,
        "delete from marts.t where id in (10, 999999); "
        "insert into marts.t select 2000000, 0, 'x', 0, 0, false, date '2026-01-01', "
        "timestamp '2026-01-01'",
    )
    rows = result.rows
    assert (rows.missing_on_right, rows.extra_on_right, rows.changed) == (2, 1, 0)
    assert result.row_count == RowCountCheck(left=1_000_000, right=999_999)
    assert result.as_dict()["checks"]["row_count"] == {
        "differs": True,
        "left": 1_000_000,
        "right": 999_999,
    }


def test_values_compare_as_numbers_only_when_they_are_numbers():
    from decimal import Decimal

    from harness.diff.canonical import close_enough as close

    assert close(1, 1 + 1e-12) and close(Decimal("1.25"), 1.25) and close(None, None)
    assert not close("1", "1.0"), "text is compared as text"
    assert not close(1.0, 1.001) and not close(None, "") and not close(True, False)


def test_the_profile_explains_a_difference_with_the_measures_that_moved(tmp_path):
    """Expected values computed here from the mutation: one name set to NULL ('name 5' has
    6 characters) moves nulls, distinct and total length of that column and nothing else;
    equal tables compute no profile at all."""
    result = run(tmp_path, 1000, "update marts.t set name = null where id = 5")
    moved = {(d.column, d.measure): (d.left, d.right) for d in result.profile.differences}
    assert moved == {
        ("name", "nulls"): (0, 1),
        ("name", "distinct"): (1000, 999),
        ("name", "total_length"): (
            sum(len(f"name {i}") for i in range(1000)),
            sum(len(f"name {i}") for i in range(1000) if i != 5),
        ),
    }
    assert run(tmp_path, 1000).profile.implied_by == "equal row checksums"
