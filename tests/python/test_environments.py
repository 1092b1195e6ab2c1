"""Environments (macro mart_environment): which schemas each one builds, read from the
manifest dbt parses under each setting; and EventDate read the same way everywhere."""

from __future__ import annotations

import duckdb
import pytest
from sfmc_event_dates import CORPUS, decisions, expected

from harness.dbt import DbtError, environment, manifest, run_dbt
from harness.warehouse import connect

LAYERS = {"raw", "staging", "marts", "audit", "salesforce"}


def schemas_under(**variables: str) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """(model name -> schema, source name -> schema, the seeds) of the manifest dbt parses
    under these settings."""
    with environment(**variables):
        parsed = manifest()
    models = {
        node.name: node.schema
        for node in parsed.nodes.values()
        if node.resource_type == "model" and node.package_name == "email_mart"
    }
    sources = {source.source_name: source.schema for source in parsed.sources.values()}
    seeds = {node.name for node in parsed.nodes.values() if node.resource_type == "seed"}
    return models, sources, seeds


@pytest.mark.parametrize(
    ("variables", "prefix", "reads"),
    [
        ({"DBT_MART_ENVIRONMENT": "prod", "DBT_MART_SCHEMA_PREFIX": "ignored_"}, "", ""),
        ({"DBT_MART_ENVIRONMENT": "ci", "DBT_MART_SCHEMA_PREFIX": "pr_42_"}, "pr_42_", ""),
        ({"DBT_MART_ENVIRONMENT": "dev", "DBT_MART_SCHEMA_PREFIX": ""}, "main_", ""),
        ({"DBT_MART_ENVIRONMENT": "DEV", "DBT_MART_SCHEMA_PREFIX": "dbt_ann_"}, "dbt_ann_", ""),
        (
            {
                "DBT_MART_ENVIRONMENT": "dev",
                "DBT_MART_SCHEMA_PREFIX": "demo_",
                "DBT_MART_SOURCES": "own",
            },
            "demo_",
            "demo_",
        ),
        ({"DBT_MART_ENVIRONMENT": "local", "DBT_MART_SCHEMA_PREFIX": ""}, "", ""),
    ],
)
def test_each_environment_writes_its_own_schemas_and_reads_one_world(
    state_dir, variables, prefix, reads
):
    """Production builds the layers by name; ci and dev only ever prefixed schemas (an empty
    DBT_MART_SCHEMA_PREFIX counts as unset and falls back to the target's schema: 'main' on
    DuckDB). Events and the CRM come from one place: production's schemas (read-only), or
    the environment's own where it reads its own sources (local; the demo job's `own`), the
    schemas its seeds and mock events go to. Every environment has the same nodes."""
    settings = {"DBT_MART_SOURCES": "", "MART_SCHEMA_PREFIX": ""} | variables
    models, sources, seeds = schemas_under(**settings)
    assert set(models.values()) == {prefix + layer for layer in ("staging", "marts", "audit")}
    assert models["fct_email_events_daily"] == prefix + "marts"
    assert sources == {"marketing_cloud": reads + "raw", "salesforce": reads + "salesforce"}
    assert "rejection_reasons" in seeds and "contact" in seeds, "one DAG everywhere"
    if prefix:
        assert not set(models.values()) & LAYERS, "no production schema is written"


def test_production_refuses_its_own_sources_in_one_sentence(state_dir):
    with (
        environment(DBT_MART_ENVIRONMENT="prod", DBT_MART_SOURCES="own"),
        pytest.raises(DbtError, match="Production reads production's sources"),
    ):
        run_dbt(["run-operation", "ensure_events_landing_table"], quiet=True)


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


def test_compile_and_docs_generate_leave_a_fresh_warehouse_untouched(tmp_path):
    """They run the project hooks too (docs.getdbt.com/reference/project-configs/
    on-run-start-on-run-end), which on a build create the landing table and record the
    run: here they write nothing, and need nothing to exist."""
    path = tmp_path / "mart.duckdb"
    with environment(MART_DUCKDB_PATH=str(path), DBT_TARGET_PATH=str(tmp_path / "target")):
        run_dbt(["compile"], quiet=True)
        run_dbt(["docs", "generate"], quiet=True)
    with connect(path, read_only=True) as connection:
        schemas = connection.execute(
            "select schema_name from information_schema.schemata where catalog_name = 'mart'"
        ).fetchall()
        tables = connection.execute("select count(*) from information_schema.tables").fetchone()
    assert schemas == [("main",)] and tables == (0,)
