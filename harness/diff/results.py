"""Typed results of a diff: one dataclass per check, a `ModelDiff` holding them.

Every check answers `differs`; `as_dict()` gives the JSON report's shape
(`{"model", "relation", "key", "match", "checks": {name: {"differs", ...}}, "samples"}`).
Samples stay plain dicts: they are rows as fetched (`key`, `left`, `right`, and `columns`
for a changed row), ready for JSON.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field


class Check(ABC):
    """A check's fields plus whether it found a difference, for the JSON report."""

    @property
    @abstractmethod
    def differs(self) -> bool: ...

    def as_dict(self) -> dict:
        values = asdict(self)  # type: ignore[call-overload]  # nested dataclasses too
        return {"differs": self.differs} | {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class ExistsCheck(Check):
    """The relation is missing on one side (only recorded then)."""

    left: bool
    right: bool

    @property
    def differs(self) -> bool:
        return not (self.left and self.right)


@dataclass(frozen=True)
class TypeMismatch:
    column: str
    left: str
    right: str


@dataclass(frozen=True)
class SchemaCheck(Check):
    """Columns on one side only, and shared columns whose types cannot be compared."""

    only_left: list[str]
    only_right: list[str]
    type_mismatches: list[TypeMismatch]

    @property
    def differs(self) -> bool:
        return bool(self.only_left or self.only_right or self.type_mismatches)


@dataclass(frozen=True)
class RowCountCheck(Check):
    left: int
    right: int

    @property
    def differs(self) -> bool:
        return self.left != self.right


@dataclass(frozen=True)
class RowsCheck(Check):
    """Rows by grain: missing on the right, extra on the right, changed (with the columns
    that changed, counted). The segment figures say how much the algorithm had to fetch;
    an ad-hoc query diff has none."""

    missing_on_right: int
    extra_on_right: int
    changed: int = 0
    changed_columns: dict[str, int] = field(default_factory=dict)
    segment_depth: int | None = None
    segments_compared: int | None = None
    segments_fetched: int | None = None

    @property
    def differs(self) -> bool:
        return bool(self.missing_on_right or self.extra_on_right or self.changed)


@dataclass(frozen=True)
class ProfileDifference:
    column: str
    measure: str  # nulls, distinct, min, max, sum, trues, total_length
    left: object
    right: object


@dataclass(frozen=True)
class ProfileCheck(Check):
    """Per-column measures that differ. Equal row checksums imply an equal profile, so it is
    only computed to explain a difference (`implied_by` says when it was not)."""

    differences: list[ProfileDifference] = field(default_factory=list)
    implied_by: str | None = None

    @property
    def differs(self) -> bool:
        return bool(self.differences)


@dataclass
class ModelDiff:
    """One model (or query) compared: its checks in the order they ran, and sample rows."""

    model: str
    relation: str
    key: list[str]
    exists: ExistsCheck | None = None
    schema: SchemaCheck | None = None
    row_count: RowCountCheck | None = None
    rows: RowsCheck | None = None
    profile: ProfileCheck | None = None
    samples: list[dict] = field(default_factory=list)

    @property
    def checks(self) -> dict[str, Check]:
        """The checks that ran, by name."""
        named = {
            "exists": self.exists,
            "schema": self.schema,
            "row_count": self.row_count,
            "rows": self.rows,
            "profile": self.profile,
        }
        return {name: check for name, check in named.items() if check is not None}

    @property
    def differs(self) -> bool:
        return any(check.differs for check in self.checks.values())

    def as_dict(self) -> dict:
        return {
            "model": self.model,
            "relation": self.relation,
            "key": self.key,
            "match": not self.differs,
            "checks": {name: check.as_dict() for name, check in self.checks.items()},
            "samples": self.samples,
        }
