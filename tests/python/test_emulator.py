"""The same project on the Snowflake emulator (real dbt-snowflake, fakesnow's server on
loopback) and on DuckDB, proven equal by the diff harness."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import sqlglot
from conftest import project_copy, reader_environment, run_example
from sfmc_event_dates import CORPUS, decisions, expected
from typer.testing import CliRunner

from harness import emulator
from harness.cli import app
from harness.dbt import environment, manifest, run_dbt
from harness.diff import diff_models, open_side, selected_models
from harness.emulator import rewrite_temporary_relations
from harness.jobs import insert_mock_events

# `mart verify`'s defaults (harness/cli): the day, size and seed of its mock events.
MOCK_DAY, MOCK_EVENTS, MOCK_SEED = "2026-11-04", 800, 11


@pytest.fixture(scope="module")
def both_engines(state_dir, tmp_path_factory):
    """The README's emulator examples, as written, in a copy of the project: `mart verify`
    (fresh DuckDB and emulator warehouses built the same way: seeds, a day of mock events,
    models, tests; then diffed), then the step-by-step commands on a warehouse of one's own
    (here a copy of verify's DuckDB file) and the diff examples. The module's tests then
    read verify's two warehouses."""
    folder = project_copy(tmp_path_factory.mktemp("engines") / "email-mart")
    verify = folder / "state" / "verify"
    done = run_example("README.md", ".venv/bin/mart verify", folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "DuckDB and the Snowflake emulator agree on every model" in done.stdout
    (folder / "state" / "mart.duckdb").write_bytes((verify / "mart.duckdb").read_bytes())
    try:
        for first in (
            ".venv/bin/mart build --target snowflake_emulator --select +dim_person",
            ".venv/bin/mart diff --left duckdb --right snowflake_emulator --select dim_person --json report.json",  # noqa: E501 - the README's line
        ):
            done = run_example("README.md", first, folder)
            assert done.returncode == 0, done.stdout + done.stderr
            assert "Traceback" not in done.stdout + done.stderr
    finally:
        stop = [".venv/bin/mart", "emulator", "stop"]
        subprocess.run(stop, cwd=folder, env=reader_environment(folder), check=False)
    with environment(
        DBT_TARGET_PATH=str(folder / "target"),
        MART_DUCKDB_PATH=str(verify / "mart.duckdb"),
        MART_EMULATOR_DIR=str(verify / "emulator"),
    ):
        try:
            left, right = open_side("duckdb"), open_side("snowflake_emulator")
            try:
                results = diff_models(left, right, selected_models())
            finally:
                left.close()
                right.close()
            if artifacts := os.environ.get("MART_TEST_ARTIFACTS"):
                # The report `mart verify` printed, kept where CI uploads artifacts.
                Path(artifacts).mkdir(parents=True, exist_ok=True)
                (Path(artifacts) / "verify-report.json").write_text(
                    json.dumps(
                        {
                            "left": "duckdb",
                            "right": "snowflake_emulator",
                            "equal": not any(r.differs for r in results),
                            "models": [r.as_dict() for r in results],
                        },
                        indent=2,
                        default=str,
                    )
                )
            # Idempotent on the emulator too: the same batch again adds nothing.
            insert_mock_events(MOCK_DAY, MOCK_EVENTS, MOCK_SEED, "snowflake_emulator")
            yield {"folder": folder, "results": results}
        finally:
            emulator.stop()


@pytest.mark.slow
def test_zero_diff_between_duckdb_and_the_emulator_over_all_marts(both_engines):
    results = both_engines["results"]
    assert {r.model for r in results} >= {
        "fct_email_events",
        "fct_email_sends",
        "fct_email_events_daily",
        "dim_person",
    }
    differing = {r.model: r.as_dict() for r in results if r.differs}
    assert not differing, differing
    daily = next(r for r in results if r.model == "fct_email_events_daily")
    assert daily.key == ["report_date", "campaign_id"]
    assert daily.row_count.left > 100


@pytest.mark.slow
def test_the_mock_events_batch_is_the_same_on_both_engines(both_engines):
    left, right = open_side("duckdb"), open_side("snowflake_emulator")
    query = (
        "select count(*), count(distinct event_id), min(event_date), max(event_date) "
        f"from raw.events where _load_id = 'mock:{MOCK_DAY}:{MOCK_SEED}'"
    )
    try:
        assert left.query(query) == right.query(query)
        assert 0 < left.query(query)[0][0] <= MOCK_EVENTS  # those arrived by 06:00 UTC
    finally:
        left.close()
        right.close()


@pytest.mark.slow
def test_diff_command_exit_codes_and_json_report(both_engines, tmp_path):
    runner = CliRunner()
    report = tmp_path / "report.json"
    equal = runner.invoke(
        app,
        [
            "diff",
            "--left",
            "duckdb",
            "--right",
            "snowflake_emulator",
            "--select",
            "fct_email_events_daily dim_campaign",
            "--json",
            str(report),
        ],
    )
    assert equal.exit_code == 0, equal.output
    assert '"equal": true' in report.read_text()
    other = both_engines["folder"] / "other.duckdb"
    import duckdb

    with duckdb.connect(os.environ["MART_DUCKDB_PATH"]) as source:
        campaigns = source.execute("select * from marts.dim_campaign").to_arrow_table()
    with duckdb.connect(str(other)) as target:
        target.register("campaigns", campaigns)
        target.execute("create schema marts")
        target.execute("create table marts.dim_campaign as select * from campaigns")
        target.execute("update marts.dim_campaign set sends = sends + 1 where sends > 0")
    differs = runner.invoke(
        app,
        ["diff", "--left", "duckdb", "--right", f"duckdb:{other}", "--select", "dim_campaign"],
    )
    assert differs.exit_code == 1, differs.output
    assert "differs" in differs.output
    adhoc = runner.invoke(
        app,
        [
            "diff",
            "--left",
            "duckdb",
            "--right",
            "snowflake_emulator",
            "--query",
            "select report_date, sum(sends) from marts.fct_email_events_daily group by 1",
        ],
    )
    assert adhoc.exit_code == 0, adhoc.output


@pytest.mark.slow
def test_emulator_status_and_restart_keep_the_data(both_engines):
    status = emulator.status()
    assert status.running and status.port
    emulator.stop()
    assert not emulator.status().running
    side = open_side("snowflake_emulator")  # starts it again, on the same folder
    try:
        assert side.query("select count(*) from marts.dim_campaign")[0][0] == 50
    finally:
        side.close()


def test_temporary_relation_rewrite():
    names: set[str] = set()
    create = sqlglot.parse_one(
        "create or replace temporary view MART.staging.x__dbt_tmp as select 1 as a",
        read="snowflake",
    )
    assert (
        rewrite_temporary_relations(create, names)
        .sql("snowflake")
        .startswith("CREATE OR REPLACE TEMPORARY VIEW x__dbt_tmp")
    )
    later = sqlglot.parse_one(
        "insert into MART.staging.x select * from MART.staging.x__dbt_tmp", read="snowflake"
    )
    assert rewrite_temporary_relations(later, names).sql("snowflake") == (
        "INSERT INTO MART.staging.x SELECT * FROM x__dbt_tmp"
    )


def test_missing_snowflake_credentials_name_every_variable(monkeypatch):
    for name in ("SNOWFLAKE_ACCOUNT", "SNOWFLAKE_USER", "SNOWFLAKE_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["build", "--target", "snowflake"])
    assert result.exit_code == 2
    assert "SNOWFLAKE_ACCOUNT" in result.output and "SNOWFLAKE_USER" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_a_warehouse_outside_production_grants_the_reporting_role_nothing(both_engines):
    """verify's builds are local: the grants config is applied in production only (macro
    snowflake__apply_grants), so no developer's or pull request's relation is Tableau's.
    Production's grants: test_production.py."""
    side = open_side("snowflake_emulator")
    try:

        def grantees(kind: str, name: str) -> set[tuple[str, str]]:
            rows = side.execute(f"show grants on {kind} {name}")
            return {(row[1], row[5]) for row in rows}

        assert grantees("table", "MART.marts.fct_email_events") == set()
        assert grantees("view", "MART.audit.audit__rejected_events") == set()
        assert grantees("schema", "MART.marts") == set()
        assert grantees("database", "MART") == set()
    finally:
        side.close()


LITERALS = ["C:\\new\\table", "tab\\tend", "it's", "x" * 999 + "\\" + "y" * 50]


@pytest.mark.slow
def test_a_literal_reads_as_the_same_text_on_both_engines(both_engines):
    """sql_literal: Snowflake reads backslash escapes in single-quoted strings, DuckDB does
    not (docs.snowflake.com/en/sql-reference/data-types-text): the rendered SQL doubles a
    backslash for Snowflake only, and each engine reads back the text itself, cut at 1,000
    characters (a cut that ends in a backslash included)."""
    columns = ", ".join(
        f"{{{{ sql_literal(var('texts')[{n}], 1000) }}}} as text_{n}" for n in range(len(LITERALS))
    )
    cuts = tuple(text[:1000] for text in LITERALS)
    for target in ("duckdb", "snowflake_emulator"):
        outcome = run_dbt(
            ["compile", "--inline", f"select {columns}", "--vars", json.dumps({"texts": LITERALS})],
            target=target,
            quiet=True,
        )
        sql = outcome.result.results[0].node.compiled_code
        for n, cut in enumerate(cuts):
            escaped = cut.replace("'", "''")
            if target == "snowflake_emulator":
                escaped = cut.replace("\\", "\\\\").replace("'", "''")
            assert f"'{escaped}' as text_{n}" in sql, (target, n)
        side = open_side(target)
        try:
            assert tuple(side.execute(sql)[0]) == cuts, target
        finally:
            side.close()


@pytest.mark.slow
def test_the_compiled_grants_config(both_engines):
    for node in manifest().nodes.values():
        if node.resource_type != "model":
            continue
        expected = {"select": ["REPORTER"]} if node.schema in ("marts", "audit") else {}
        assert node.config.grants == expected, node.name


@pytest.mark.slow
def test_generate_reloads_a_deleted_batch_on_the_emulator(both_engines):
    """COPY INTO skips a file name it loaded before (64 days of load metadata, which the
    emulator keeps too): a batch deleted and generated again must still land."""
    arguments = ["generate", "--target", "snowflake_emulator", "--days", "1"]
    arguments += ["--events-per-day", "3000", "--start-date", "2026-11-06", "--seed", "8"]
    count = "select count(*) from raw.events where _load_id like 'gen:8:2026-11-06:%'"
    runner = CliRunner()
    first = runner.invoke(app, arguments)
    assert first.exit_code == 0, first.output
    side = open_side("snowflake_emulator")
    try:
        landed = side.query(count)[0][0]
        assert 2_500 < landed < 3_500
        assert f"Landed {landed:,} rows" in first.output, "the count is the warehouse's"
        batch = side.query("select min(_load_id) from raw.events where _load_id like 'gen:8:%'")
        side.execute(f"delete from raw.events where _load_id = '{batch[0][0]}'")
        deleted = landed - side.query(count)[0][0]
        assert deleted > 0
    finally:
        side.close()
    again = runner.invoke(app, arguments)
    assert again.exit_code == 0, again.output
    side = open_side("snowflake_emulator")
    try:
        assert side.query(count)[0][0] == landed
        assert f"Landed {deleted:,} rows" in again.output
    finally:
        side.close()


@pytest.mark.slow
def test_event_dates_are_read_the_same_way_on_the_emulator(both_engines):
    side = open_side("snowflake_emulator")
    try:
        found = decisions("snowflake_emulator", side.execute)
    finally:
        side.close()
    assert found == {text: expected(text) for text in CORPUS}


@pytest.mark.slow
def test_the_run_history_is_kept_alike_on_both_engines(both_engines):
    """Each engine recorded its own runs; what is deterministic about them (which node
    ended how, in the build) is the same on both."""
    query = (
        "select r.unique_id, r.status from audit.audit__dbt_node_results r "
        "join audit.audit__dbt_invocations i on r.invocation_id = i.invocation_id "
        "where i.command = 'build' and i.started_at = "
        "(select min(started_at) from audit.audit__dbt_invocations where command = 'build')"
    )
    # Every invocation, in order: its command, outcome and how many node results it left.
    runs = (
        "select i.command, i.status, count(r.unique_id) from audit.audit__dbt_invocations i "
        "left join audit.audit__dbt_node_results r on r.invocation_id = i.invocation_id "
        "group by i.invocation_id, i.command, i.status, i.started_at order by i.started_at"
    )
    sides = [open_side("duckdb"), open_side("snowflake_emulator")]
    try:
        duckdb_nodes, emulator_nodes = (set(side.query(query)) for side in sides)
        duckdb_runs, emulator_runs = ([tuple(r) for r in side.query(runs)] for side in sides)
    finally:
        for side in sides:
            side.close()
    assert len(duckdb_nodes) > 150 and duckdb_nodes == emulator_nodes
    # The first two: verify's seed and build (dbt runs no project hooks for run-operation),
    # the build's warnings (the planted orphans) recorded as such on both engines. Later
    # tests in this module run more builds on the emulator only.
    assert [(command, status) for command, status, _ in duckdb_runs[:2]] == [
        ("seed", "success"),
        ("build", "warn"),
    ], duckdb_runs
    assert duckdb_runs[:2] == emulator_runs[:2]
