"""The road to production, rehearsed on a fresh Snowflake (the emulator): the production job
exactly as ci/dbt_cloud_jobs.yml gives it, with DBT_MART_ENVIRONMENT=prod, against nothing
but the sources an ingestion tool would have landed; then pull requests through slim CI's
own steps (ci/slim_ci.sh, which the GitHub workflow runs too), and their cleanup."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import subprocess

import pytest
import yaml
from conftest import project_copy

from harness import PROJECT_DIR, emulator
from harness.dbt import DbtError, environment, run_dbt
from harness.diff import open_side
from harness.jobs import insert_mock_events

TARGET = "snowflake_emulator"
# What dbt-snowflake sends to read, set and restore a node's query_tag.
TAG_STATEMENT = re.compile(r"\s*(show parameters like 'query_tag'|alter session)", re.I)


def production_job() -> dict:
    jobs = yaml.safe_load((PROJECT_DIR / "ci" / "dbt_cloud_jobs.yml").read_text())["jobs"]
    job = jobs["email_mart_daily"]
    variables = {k: v for item in job["custom_environment_variables"] for k, v in item.items()}
    assert variables == {"DBT_MART_ENVIRONMENT": "prod"}
    return job


def schemas() -> set[str]:
    side = open_side(TARGET)
    try:
        return {row[1].lower() for row in side.execute("show schemas in database MART")}
    finally:
        side.close()


def slim_ci(project, step: str, *arguments: str, prefix: str) -> subprocess.CompletedProcess:
    """A step of ci/slim_ci.sh in a pull request's copy of the project, on the emulator."""
    done = subprocess.run(
        ["bash", "ci/slim_ci.sh", step, *arguments],
        cwd=project,
        env=os.environ
        | {
            "DBT_MART_ENVIRONMENT": "ci",
            "DBT_MART_SCHEMA_PREFIX": prefix,
            "DBT_MART_SOURCES": "",
            "DBT_TARGET": TARGET,
            "MART_EMULATOR_PORT": str(emulator.status().port),
            "DBT_TARGET_PATH": str(project / "target"),
            "DBT_LOG_PATH": str(project / "logs"),
        },
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def built(project) -> dict[str, str]:
    """Node name -> status of the last dbt invocation in the project copy."""
    results = json.loads((project / "target" / "run_results.json").read_text())["results"]
    return {result["unique_id"].split(".")[-1]: result["status"] for result in results}


@pytest.mark.slow
def test_production_then_pull_requests_through_slim_ci(state_dir, tmp_path):
    job = production_job()
    log = tmp_path / "statements.jsonl"
    with environment(
        MART_EMULATOR_DIR=str(tmp_path / "emulator"),
        MART_EMULATOR_STATEMENT_LOG=str(log),
        DBT_TARGET_PATH=str(tmp_path / "target"),
    ):
        try:
            # What Fivetran and the SFMC loader would have landed: the CRM in schema
            # salesforce, a day of exports in raw.events. Nothing else.
            with environment(DBT_MART_ENVIRONMENT="local"):
                run_dbt(["seed", "--exclude", "marketing_cloud_events"], target=TARGET, quiet=True)
                insert_mock_events("2026-11-20", 400, 5, TARGET)
            side = open_side(TARGET)
            side.execute("drop table if exists MART.raw.dbt_invocations")
            side.execute("drop table if exists MART.raw.dbt_node_results")
            side.close()
            log.unlink()

            with environment(DBT_MART_ENVIRONMENT="prod"):
                if job["run_generate_sources"]:
                    # dbt Cloud runs freshness first and goes on whatever it finds
                    # (docs.getdbt.com/docs/deploy/source-freshness).
                    with contextlib.suppress(DbtError):
                        run_dbt(["source", "freshness"], target=TARGET, quiet=True)
                steps = [shlex.split(step) for step in job["execute_steps"]]
                assert all(step[0] == "dbt" for step in steps)
                outcomes = [run_dbt(step[1:], target=TARGET, quiet=True) for step in steps]
                if job["generate_docs"]:
                    run_dbt(["docs", "generate"], target=TARGET, quiet=True)
            production_state = tmp_path / "production-state"
            production_state.mkdir()
            shutil.copy(tmp_path / "target" / "manifest.json", production_state)

            # Mock events never reach production's events: not from production, not from
            # a CI run that reads them.
            for settings, refusal in (
                ({"DBT_MART_ENVIRONMENT": "prod"}, "DBT_MART_ENVIRONMENT=prod"),
                ({"DBT_MART_ENVIRONMENT": "ci", "DBT_MART_SCHEMA_PREFIX": "pr_9_"}, "own"),
            ):
                with environment(**settings), pytest.raises(DbtError, match=refusal):
                    insert_mock_events("2026-11-21", 100, 3, TARGET)

            # Every statement the production job sent carries the job's query tag.
            sent = [json.loads(line) for line in log.read_text().splitlines()]
            assert len(sent) > 200, "the job's statements (285 at 2026-12-04)"
            untagged = [s["statement"][:120] for s in sent if s["query_tag"] != "email_mart"]
            assert not untagged, untagged[:5]
            # The session has it from login: no node sets it again (macros/query_tags.sql).
            assert not [s for s in sent if TAG_STATEMENT.match(s["statement"])]
            # A session opened without it (a dbt Cloud environment without the extended
            # attribute): each node sets the tag and restores the session's, as dbt-snowflake
            # does; the hooks' statements go untagged.
            log.unlink()
            with environment(DBT_MART_ENVIRONMENT="prod", MART_EMULATOR_QUERY_TAG=""):
                run_dbt(["run", "--select", "dim_campaign"], target=TARGET, quiet=True)
            sent = [json.loads(line) for line in log.read_text().splitlines()]
            model = [s for s in sent if s["statement"].startswith("create or replace table "
                     "MART.marts.dim_campaign")]  # fmt: skip
            assert model and {s["query_tag"] for s in model} == {"email_mart"}
            assert [s for s in sent if TAG_STATEMENT.match(s["statement"])]
            assert "" in {s["query_tag"] for s in sent}, "the session's own tag: none"

            kinds = {r.node.resource_type for o in outcomes for r in o.result.results}
            seeds = {
                r.node.name for o in outcomes for r in o.result.results
                if r.node.resource_type == "seed"
            }  # fmt: skip
            assert seeds == {"rejection_reasons"}, "reference data only: no CRM stand-in"
            assert "unit_test" not in kinds
            assert {"model", "test"} <= kinds
            production = schemas()
            assert {"raw", "staging", "marts", "audit", "salesforce"} <= production
            side = open_side(TARGET)
            try:
                raw = {row[1].lower() for row in side.execute("show tables in schema MART.raw")}
                # The landing table and the run history; no seed.
                assert raw == {"events", "dbt_invocations", "dbt_node_results"}
                grants = {(r[1], r[5]) for r in side.execute("show grants on schema MART.marts")}
                assert grants == {("USAGE", "REPORTER")}
                database = {(r[1], r[5]) for r in side.execute("show grants on database MART")}
                assert ("USAGE", "REPORTER") not in database, "granted once by an administrator"
                sends = side.query("select sum(sends) from marts.fct_email_events_daily")[0][0]
                assert sends > 100, "production's events, built"
            finally:
                side.close()

            # A pull request that changes one model: exactly it and its descendants are
            # built, into the pull request's schemas; unchanged parents are production's.
            changed = project_copy(tmp_path / "pr-7")
            model = changed / "models" / "marts" / "fct_email_sends.sql"
            model.write_text(model.read_text() + "\n-- clarified in review\n")
            slim_ci(changed, "build", str(production_state), prefix="pr_7_")
            expected = {
                "fct_email_sends", "fct_email_events_daily", "dim_campaign",
                "fct_campaign_membership", "dq_campaign_daily_reconciliation",
                "dq_campaign_non_member_recipients", "audit__daily_grain_violations",
                "audit__threshold_checks", "audit__volume_anomalies",
            }  # fmt: skip
            models = {name for name in built(changed) if not name.startswith(("test_", "unit"))}
            assert expected <= set(built(changed)), expected - set(built(changed))
            assert "fct_email_events" not in models and "stg_campaigns" not in models
            assert set(built(changed).values()) <= {"success", "pass", "warn", "no-op"}
            compiled = next((changed / "target" / "compiled").rglob("fct_email_sends.sql"))
            assert '"MART"."marts"."fct_email_events"' in compiled.read_text().replace(
                "MART.marts.fct_email_events", '"MART"."marts"."fct_email_events"'
            ), "an unchanged parent is read from production"
            pr_schemas = {schema for schema in schemas() if schema.startswith("pr_7_")}
            assert {"pr_7_marts", "pr_7_audit"} <= pr_schemas
            slim_ci(changed, "cleanup", prefix="pr_7_")
            assert not {schema for schema in schemas() if schema.startswith("pr_7_")}

            # An unchanged pull request builds nothing, and leaves nothing behind.
            unchanged = project_copy(tmp_path / "pr-8")
            slim_ci(unchanged, "build", str(production_state), prefix="pr_8_")
            assert not [name for name, status in built(unchanged).items() if status == "success"]
            slim_ci(unchanged, "cleanup", prefix="pr_8_")
            assert not {schema for schema in schemas() if schema.startswith("pr_8_")}
            assert schemas() == production, "production's schemas are untouched"
        finally:
            emulator.stop()
