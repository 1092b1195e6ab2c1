"""Which dbt models a diff compares, with their grains, and the loop over them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
        ModelSpec(node.name, node.schema, node.alias or node.name, grains.get(uid, ()))
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
            )
        )
        if progress:
            progress(spec.name)
    return results
