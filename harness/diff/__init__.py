"""Compare models between two warehouses (DuckDB, the Snowflake emulator, Snowflake).

Every query is written once, in Snowflake's dialect, and transpiled by sqlglot for DuckDB.
Per model: schema (columns and type families), row counts, a per-column profile, and rows
keyed by the model's grain. Rows are compared in the spirit of data-diff: each row is reduced
to a hash (an md5 over a canonical text form between two engines; DuckDB's hash() of the
canonical values when both sides are DuckDB), rows are grouped into segments by the hash of
their key, and only segments whose checksums differ are fetched and compared row by row
(segments still too large are split further: bisection). Identical tables cost one checksum
scan per side.

The package's seams, one module each:

- `sides`: a warehouse that runs Snowflake-dialect SQL (`open_side`).
- `canonical`: type families, the canonical value and text of a value, tolerance.
- `hashing`: row and key hashes and segments, portable (md5) or DuckDB's own.
- `segments`: the segment-checksum algorithm that finds the differing rows.
- `results`: typed results (`ModelDiff` and its checks), each with `as_dict()` for JSON.
- `relation`: one table (`diff_relation`) or one ad-hoc query (`diff_query`).
- `models`: which dbt models to compare and their grains (`selected_models`, `diff_models`).
"""

from harness.diff.canonical import hash_number, row_text
from harness.diff.hashing import Md5Hashing, NativeHashing
from harness.diff.models import ModelSpec, diff_models, selected_models
from harness.diff.relation import diff_query, diff_relation
from harness.diff.results import (
    ExistsCheck,
    ModelDiff,
    ProfileCheck,
    RowCountCheck,
    RowsCheck,
    SchemaCheck,
)
from harness.diff.sides import Side, open_side

__all__ = [
    "ExistsCheck",
    "Md5Hashing",
    "ModelDiff",
    "ModelSpec",
    "NativeHashing",
    "ProfileCheck",
    "RowCountCheck",
    "RowsCheck",
    "SchemaCheck",
    "Side",
    "diff_models",
    "diff_query",
    "diff_relation",
    "hash_number",
    "open_side",
    "row_text",
    "selected_models",
]
