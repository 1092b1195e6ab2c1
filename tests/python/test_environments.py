"""Environments (macro mart_environment): which schemas each one builds, read from the
manifest dbt parses under each setting; and EventDate read the same way everywhere."""

from __future__ import annotations

import duckdb
import pytest
from sfmc_event_dates import CORPUS, decisions, expected

from harness.dbt import DbtError, environment, manifest, run_dbt

LAYERS = {"raw", "staging", "marts", "audit", "salesforce"}


def schemas_under(**variables: str) -> tuple[dict[str, str], str, bool]:
    """(model name -> schema, the events source's schema, whether the CRM's stand-in seeds
    are enabled: the reference seed rejection_reasons is, everywhere)."""
    with environment(**variables):
        parsed = manifest()
    models = {
        node.name: node.schema
        for node in parsed.nodes.values()
        if node.resource_type == "model" and node.package_name == "email_mart"
    }
    events = next(s for s in parsed.sources.values() if s.name == "events")
    seeds = [
        n
        for n in parsed.nodes.values()
        if n.resource_type == "seed" and n.name != "rejection_reasons"
    ]
    assert any(n.name == "rejection_reasons" for n in parsed.nodes.values())
    return models, events.schema, bool(seeds)


@pytest.mark.parametrize(
    ("variables", "prefix", "seeds_enabled"),
    [
        ({"DBT_MART_ENVIRONMENT": "prod", "DBT_MART_SCHEMA_PREFIX": "ignored_"}, "", False),
        ({"DBT_MART_ENVIRONMENT": "ci", "DBT_MART_SCHEMA_PREFIX": "pr_42_"}, "pr_42_", True),
        ({"DBT_MART_ENVIRONMENT": "dev", "DBT_MART_SCHEMA_PREFIX": ""}, "main_", True),
        ({"DBT_MART_ENVIRONMENT": "DEV", "DBT_MART_SCHEMA_PREFIX": "dbt_ann_"}, "dbt_ann_", True),
        ({"DBT_MART_ENVIRONMENT": "local", "DBT_MART_SCHEMA_PREFIX": ""}, "", True),
    ],
)
def test_each_environment_builds_its_own_schemas(state_dir, variables, prefix, seeds_enabled):
    """Production builds the layers by name; ci and dev only ever prefixed schemas (an empty
    DBT_MART_SCHEMA_PREFIX counts as unset and falls back to the target's schema: 'main' on
    DuckDB)."""
    models, events, seeds = schemas_under(**variables, MART_SCHEMA_PREFIX="")
    assert set(models.values()) == {prefix + layer for layer in ("staging", "marts", "audit")}
    assert models["fct_email_events_daily"] == prefix + "marts"
    assert events == prefix + "raw", "the events source follows macro schema_prefix()"
    assert seeds is seeds_enabled, "seeds never load into production"
    if prefix:
        assert not set(models.values()) & LAYERS, "no production schema is written"


def test_warehouses_of_one_database_name_share_a_parse(tmp_path):
    """dbt-duckdb names the database after the file's stem, and that name is all of the
    path a parse depends on: another folder reuses the manifest, another name does not."""
    session = manifest()
    with environment(MART_DUCKDB_PATH=str(tmp_path / "mart.duckdb")):
        assert manifest() is session
    with environment(MART_DUCKDB_PATH=str(tmp_path / "other.duckdb")):
        other = manifest()
    events = [s for s in other.sources.values() if s.name == "events"]
    assert other is not session and [s.database for s in events] == ["other"]


def test_an_unknown_environment_is_refused_in_one_sentence(state_dir):
    with (
        environment(DBT_MART_ENVIRONMENT="staging"),
        pytest.raises(DbtError, match="set it to prod, ci, dev or local"),
    ):
        run_dbt(["compile", "--select", "fct_email_events_daily"], quiet=True)


def test_a_prefix_that_is_not_an_identifier_is_refused(state_dir):
    with (
        environment(DBT_MART_ENVIRONMENT="dev", DBT_MART_SCHEMA_PREFIX="x; drop schema marts"),
        pytest.raises(DbtError, match="letters, digits and underscores"),
    ):
        run_dbt(["compile", "--select", "fct_email_events_daily"], quiet=True)


# --- EventDate ------------------------------------------------------------------------------


def test_event_dates_are_read_as_the_two_formats_say_on_duckdb(state_dir):
    """Exactly ISO and SFMC's US format parse, with valid parts; everything else — epoch
    integers, month names, 'infinity', 24:00:00, time zones, a 'T' — is unparseable."""
    found = decisions("duckdb", lambda sql: duckdb.connect().execute(sql).fetchall())
    assert found == {text: expected(text) for text in CORPUS}
    assert sum(value is not None for value in found.values()) == 10  # counted by hand
