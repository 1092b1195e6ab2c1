"""Scheduling and CI as code, validated offline."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness import PROJECT_DIR
from harness.dbt import DbtError, run_dbt

JOBS = PROJECT_DIR / "ci" / "dbt_cloud_jobs.yml"
VARS = PROJECT_DIR / "ci" / "dbt_cloud_jobs.vars.yml"
VALIDATOR = Path(sys.executable).with_name("dbt-jobs-as-code")


def validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VALIDATOR), "validate", str(path), "--vars-yml", str(VARS)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_dbt_cloud_jobs_are_valid_and_only_the_demo_adds_mock_data():
    result = validate(JOBS)
    assert result.returncode == 0, result.stdout + result.stderr
    jobs = yaml.safe_load(JOBS.read_text())["jobs"]
    production = jobs["email_mart_daily"]
    assert production["execute_steps"] == ["dbt build --selector daily"]
    assert production["run_generate_sources"] is True  # freshness first, not blocking
    assert production["generate_docs"] is True and production["triggers"]["schedule"] is True
    assert {"DBT_MART_ENVIRONMENT": "prod"} in production["custom_environment_variables"]
    weekly = jobs["email_mart_weekly_tests"]
    assert weekly["execute_steps"] == ["dbt test --selector whole_table"]
    assert weekly["environment_id"] == production["environment_id"]
    assert weekly["triggers"]["schedule"] is True
    ci = jobs["email_mart_ci"]
    assert ci["job_type"] == "ci" and ci["triggers"]["github_webhook"] is True
    assert ci["deferring_environment_id"] == production["environment_id"]
    assert ci["execute_steps"] == ["dbt build --select state:modified+"]
    assert {"DBT_MART_ENVIRONMENT": "ci"} in ci["custom_environment_variables"]
    demo = jobs["email_mart_demo"]
    assert demo["environment_id"] not in (production["environment_id"], ci["environment_id"])
    assert demo["execute_steps"][0] == "dbt seed"
    assert "insert_mock_marketing_cloud_events" in demo["execute_steps"][1]
    assert {"DBT_MART_ENVIRONMENT": "dev"} in demo["custom_environment_variables"]
    steps = [step for job in (production, weekly, ci) for step in job["execute_steps"]]
    assert not [step for step in steps if "mock" in step or "seed" in step.split()]
    every_variable = [
        name
        for job in jobs.values()
        for variables in job.get("custom_environment_variables", [])
        for name in variables
    ]
    assert all(name.startswith("DBT_") for name in every_variable)


def test_the_validator_rejects_a_broken_job(tmp_path):
    broken = yaml.safe_load(JOBS.read_text())
    del broken["jobs"]["email_mart_daily"]["triggers"]
    path = tmp_path / "jobs.yml"
    path.write_text(yaml.safe_dump(broken))
    assert validate(path).returncode != 0


def test_workflows_run_the_readme_test_command_and_skip_slim_ci_without_secrets():
    readme = (PROJECT_DIR / "README.md").read_text()
    assert "bash ci/test.sh" in readme
    ci = yaml.safe_load((PROJECT_DIR / ".github/workflows/ci.yml").read_text())
    steps = [step.get("run", "") for step in ci["jobs"]["test"]["steps"]]
    assert "bash ci/test.sh" in steps
    assert (PROJECT_DIR / ".ci/run").read_text().strip().endswith("bash ci/test.sh")
    slim = yaml.safe_load((PROJECT_DIR / ".github/workflows/snowflake_slim_ci.yml").read_text())
    slim_steps = slim["jobs"]["slim-ci"]["steps"]
    assert "--defer --state" in " ".join(s.get("run", "") for s in slim_steps)
    gated = [s for s in slim_steps[1:] if s.get("if", "").find("secrets.outputs.present") >= 0]
    assert len(gated) == len(slim_steps) - 1, (
        "every step after the check is skipped without secrets"
    )


@pytest.mark.parametrize("prefix", ["", "marts", "PR_1_", "x'; drop schema marts; --"])
def test_drop_prefixed_schemas_refuses_anything_but_a_ci_prefix(state_dir, prefix):
    with pytest.raises(DbtError, match="nothing was dropped"):
        run_dbt(["run-operation", "drop_prefixed_schemas", "--args", f'{{prefix: "{prefix}"}}'])


def test_validator_is_installed():
    assert shutil.which(str(VALIDATOR)) or VALIDATOR.exists()
