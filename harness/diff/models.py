"""Which dbt models a diff compares, with their grains, and the loop over them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from harness.diff.canonical import Tolerance
from harness.diff.relation import diff_relation
from harness.diff.results import ModelDiff
from harness.diff.sides import Side
from harness.errors import UserError

DEFAULT_SELECTION = "path:models/marts path:models/audit"
# The run history records each run itself (ids, times): never equal between two warehouses.
DEFAULT_EXCLUSION = "tag:run_history"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    schema: str
    relation_name: str
    grain: tuple[str, ...]
    # Per column, how far a value may move and still be equal (the YAML's column meta).
    tolerances: dict[str, Tolerance] = field(default_factory=dict)


def declared_tolerances(model: str, columns: dict[str, dict]) -> dict[str, Tolerance]:
    """The tolerances a model's YAML declares on its columns (`columns`: name -> the
    column's meta): `meta: {diff_tolerance: {absolute: 0.0001, relative: 0.000001}}`
    (either may be left out: 0). A column with none compares exactly, to float noise."""
    found = {}
    for name, meta in columns.items():
        declared = meta.get("diff_tolerance")
        if declared is None:
            continue
        try:
            found[name.lower()] = Tolerance(
                absolute=float(declared.get("absolute", 0)),
                relative=float(declared.get("relative", 0)),
            )
        except (AttributeError, TypeError, ValueError):
            raise UserError(
                f"{model}.{name}: diff_tolerance must be "
                "{absolute: <number>, relative: <number>}, not "
                f"{declared!r}."
            ) from None
    return found


def column_meta(column) -> dict:
    """A manifest column's meta, as written under the column or its config."""
    config = getattr(column, "config", None)
    return {**(getattr(column, "meta", None) or {}), **(getattr(config, "meta", None) or {})}


def selected_models(select: str | None = None) -> list[ModelSpec]:
    """The models a dbt selector picks (default: every mart, dq and audit model), each with
    its grain as declared by its tests (unique, or unique_combination_of_columns)."""
    from harness.dbt import manifest, run_dbt

    parsed = manifest()
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
        ModelSpec(
            node.name,
            node.schema,
            node.alias or node.name,
            grains.get(uid, ()),
            declared_tolerances(
                node.name, {name: column_meta(c) for name, c in node.columns.items()}
            ),
        )
        for uid, node in parsed.nodes.items()
        if node.resource_type == "model"
        and node.name in wanted
        and node.package_name == "email_mart"
    ]
    return sorted(specs, key=lambda spec: (spec.schema, spec.name))


def diff_models(
    left: Side,
    right: Side,
    models: Sequence[ModelSpec],
    progress: Callable[[str], None] | None = None,
    max_samples: int = 5,
) -> list[ModelDiff]:
    """Diff each model by its grain; `progress` hears each model's name when it is done."""
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
                tolerances=spec.tolerances,
            )
        )
        if progress:
            progress(spec.name)
    return results
