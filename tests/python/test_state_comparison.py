"""Slim CI selects what a pull request changed, and nothing else: production's manifest and a
pull request's of the same commit agree on every node (state:modified+ is empty), a change
to one model's SQL selects exactly that model and its descendants, a change to a macro the
models that use it. Parsed by real dbt for the Snowflake target (production as dbt Cloud's
job runs it, the pull request as CI does), in copies of the project."""

from __future__ import annotations

import pytest
from conftest import project_copy

from harness.dbt import environment

pytestmark = pytest.mark.slow

# dbt parses without connecting: the connection settings need values, not a warehouse.
SNOWFLAKE = {
    "SNOWFLAKE_ACCOUNT": "xy12345.eu-west-1",
    "SNOWFLAKE_USER": "transformer",
    "SNOWFLAKE_ROLE": "TRANSFORMER",
    "SNOWFLAKE_WAREHOUSE": "TRANSFORMING",
    "SNOWFLAKE_DATABASE": "ANALYTICS",
    "SNOWFLAKE_PASSWORD": "not-used-by-parse",
}
PRODUCTION = {"DBT_MART_ENVIRONMENT": "prod", "DBT_MART_SCHEMA_PREFIX": ""}
PULL_REQUEST = {"DBT_MART_ENVIRONMENT": "ci", "DBT_MART_SCHEMA_PREFIX": "pr_7_"}


def dbt(project, arguments: list[str], settings: dict[str, str]) -> list[str]:
    """dbt, in-process, on `project` for the snowflake target; ls's output as a list."""
    from dbt.cli.main import dbtRunner

    with environment(**SNOWFLAKE, **settings, DBT_MART_SOURCES="", MART_SCHEMA_PREFIX=""):
        outcome = dbtRunner().invoke(
            [
                *arguments,
                "--quiet",
                "--log-level",
                "none",
                "--project-dir",
                str(project),
                "--profiles-dir",
                str(project / "profiles"),
                "--target",
                "snowflake",
            ]
        )
    assert outcome.success, outcome.exception
    return sorted(outcome.result or []) if arguments[0] == "ls" else []


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """A copy of the project and production's manifest of it (state/manifest.json)."""
    project = project_copy(tmp_path_factory.mktemp("state") / "email-mart")
    dbt(project, ["parse", "--target-path", str(project / "state")], PRODUCTION)
    return project


def modified(project, production_project) -> list[str]:
    """What `dbt ls --select state:modified+` lists in a pull request against production."""
    return dbt(
        project,
        [
            "ls", "--select", "state:modified+", "--state", str(production_project / "state"),
            "--output", "name", "--target-path", str(project / "target-pr"),
        ],
        PULL_REQUEST,
    )  # fmt: skip


def descendants(project, selector: str) -> list[str]:
    return dbt(
        project,
        ["ls", "--select", selector, "--output", "name", "--target-path", str(project / "t")],
        PULL_REQUEST,
    )


def test_an_unchanged_pull_request_selects_nothing(production):
    assert modified(production, production) == []


def test_a_comment_in_one_model_selects_that_model_and_its_descendants(production, tmp_path):
    project = project_copy(tmp_path / "email-mart")
    model = project / "models" / "marts" / "fct_email_sends.sql"
    model.write_text(model.read_text() + "\n-- a reviewer asked for this comment\n")
    selected = modified(project, production)
    assert selected == descendants(project, "fct_email_sends+")
    assert "fct_email_sends" in selected and "fct_email_events" not in selected


def test_a_change_to_a_macro_selects_the_models_that_use_it(production, tmp_path):
    project = project_copy(tmp_path / "email-mart")
    macro = project / "macros" / "metrics.sql"
    head = "{% macro safe_divide(numerator, denominator) -%}"
    text = macro.read_text()
    assert head in text
    macro.write_text(text.replace(head, head + "\n    {#- reviewed -#}", 1))
    from dbt.cli.main import dbtRunner  # the models that call the macro, from the manifest

    with environment(**SNOWFLAKE, **PULL_REQUEST):
        parsed = dbtRunner().invoke(
            ["parse", "--quiet", "--log-level", "none", "--project-dir", str(project),
             "--profiles-dir", str(project / "profiles"), "--target", "snowflake",
             "--target-path", str(project / "t2")]
        ).result  # fmt: skip
    # Its callers, directly or through other macros (state:modified.macros follows both).
    using = {"macro.email_mart.safe_divide"}
    while grown := {
        unique_id
        for unique_id, macro in parsed.macros.items()
        if set(macro.depends_on.macros) & using and unique_id not in using
    }:
        using |= grown
    callers = sorted(
        node.name for node in parsed.nodes.values() if set(node.depends_on.macros) & using
    )
    assert callers, "safe_divide has users"
    expected = sorted({name for caller in callers for name in descendants(project, f"{caller}+")})
    assert modified(project, production) == expected
