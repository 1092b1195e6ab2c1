"""The bottom layer: the project's own definitions that Python shares with dbt.

Imports nothing from the harness but its root. `project_vars()` reads the vars of
dbt_project.yml, where each shared definition lives once: the KPI rates (`kpi_rates`) and the
mock-event behaviour (`mock_event_profile`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import yaml

from harness import PROJECT_DIR


@functools.cache
def project_vars() -> dict:
    """The `vars:` of dbt_project.yml (their defaults; `--vars` overrides are dbt's own)."""
    with (PROJECT_DIR / "dbt_project.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["vars"]


@dataclass(frozen=True)
class Rate:
    """A KPI rate: numerator ÷ denominator, two columns of the same row of `model`."""

    model: str
    name: str
    numerator: str
    denominator: str


def kpi_rates(model: str | None = None) -> list[Rate]:
    """Every rate of var('kpi_rates'), or those of one model, in their declared order."""
    return [
        Rate(name_of_model, name, definition["numerator"], definition["denominator"])
        for name_of_model, rates in project_vars()["kpi_rates"].items()
        if model in (None, name_of_model)
        for name, definition in rates.items()
    ]


def mock_event_profile() -> dict:
    """var('mock_event_profile'): chances and means per send of the mock generators, the
    free-mail domains and the kinds of bad row `bad_rate` injects."""
    return dict(project_vars()["mock_event_profile"])
