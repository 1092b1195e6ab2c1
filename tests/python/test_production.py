"""The production job on a fresh Snowflake (the emulator): its steps exactly as
ci/dbt_cloud_jobs.yml gives them, with DBT_MART_ENVIRONMENT=prod, against nothing but the
sources an ingestion tool would have landed."""

from __future__ import annotations

import contextlib
import shlex

import pytest
import yaml

from harness import PROJECT_DIR, emulator
from harness.dbt import DbtError, environment, run_dbt
from harness.diff import open_side

TARGET = "snowflake_emulator"


def production_job() -> dict:
    jobs = yaml.safe_load((PROJECT_DIR / "ci" / "dbt_cloud_jobs.yml").read_text())["jobs"]
    job = jobs["email_mart_daily"]
    variables = {k: v for item in job["custom_environment_variables"] for k, v in item.items()}
    assert variables == {"DBT_MART_ENVIRONMENT": "prod"}
    return job


@pytest.mark.slow
def test_the_first_production_run_on_a_fresh_warehouse_succeeds(state_dir, tmp_path):
    job = production_job()
    with environment(
        MART_EMULATOR_DIR=str(tmp_path / "emulator"), DBT_TARGET_PATH=str(tmp_path / "target")
    ):
        try:
            # What Fivetran would have landed: the CRM in schema salesforce. Nothing else.
            with environment(DBT_MART_ENVIRONMENT="local"):
                run_dbt(["seed", "--exclude", "marketing_cloud_events"], target=TARGET, quiet=True)
            side = open_side(TARGET)
            side.execute("drop schema if exists MART.raw cascade")
            side.close()

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

            kinds = {r.node.resource_type for o in outcomes for r in o.result.results}
            seeds = {
                r.node.name for o in outcomes for r in o.result.results
                if r.node.resource_type == "seed"
            }  # fmt: skip
            assert seeds == {"rejection_reasons"}, "reference data only: no CRM stand-in"
            assert "unit_test" not in kinds
            assert {"model", "test"} <= kinds
            side = open_side(TARGET)
            try:
                schemas = {row[1].lower() for row in side.execute("show schemas in database MART")}
                assert {"raw", "staging", "marts", "audit", "salesforce"} <= schemas
                assert not {s for s in schemas if s.endswith(("_marts", "_staging"))}
                raw = {row[1].lower() for row in side.execute("show tables in schema MART.raw")}
                # The landing table and the run history, created by the run; no seed.
                assert raw == {"events", "dbt_invocations", "dbt_node_results"}
                grants = {(r[1], r[5]) for r in side.execute("show grants on schema MART.marts")}
                assert grants == {("USAGE", "REPORTER")}
                daily = side.query("select count(*) from marts.fct_email_events_daily")
                assert daily == [(0,)], "no event was made up"
            finally:
                side.close()
        finally:
            emulator.stop()
