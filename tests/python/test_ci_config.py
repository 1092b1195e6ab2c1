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
    assert ci["execute_steps"] == [
        "dbt clone --select state:modified+,config.materialized:incremental,state:old",
        "dbt build --select state:modified+",
    ]
    assert {"DBT_MART_ENVIRONMENT": "ci"} in ci["custom_environment_variables"]
    demo = jobs["email_mart_demo"]
    assert demo["environment_id"] not in (production["environment_id"], ci["environment_id"])
    assert demo["execute_steps"][0] == "dbt seed"
    assert "insert_mock_marketing_cloud_events" in demo["execute_steps"][1]
    assert {"DBT_MART_ENVIRONMENT": "dev"} in demo["custom_environment_variables"]
    assert {"DBT_MART_SOURCES": "own"} in demo["custom_environment_variables"]
    steps = [step for job in (production, weekly, ci) for step in job["execute_steps"]]
    assert not [step for step in steps if "mock" in step or "seed" in step.split()]
    every_variable = [
        name
        for job in jobs.values()
        for variables in job.get("custom_environment_variables", [])
        for name in variables
    ]
    assert all(name.startswith("DBT_") for name in every_variable)


def test_every_variable_a_job_overrides_is_created_at_project_level_first():
    """dbt-jobs-as-code can only override a project-level variable (it stops with "Custom
    environment variable ... not found in dbt Cloud, you need to create it first"):
    `mart dbt-cloud-env-vars` creates each one the jobs override, with the values the jobs
    expect in their environments."""
    from harness.dbt_cloud import bulk_request, load, overridden_variables

    spec = load()
    overridden = overridden_variables()
    assert set(overridden) <= set(spec["variables"]), set(overridden) - set(spec["variables"])
    body = {entry["new_name"]: entry for entry in bulk_request()["env_var"]}
    assert set(body) == set(spec["variables"])
    role_of = {"email_mart_daily": "production", "email_mart_weekly_tests": "production",
               "email_mart_ci": "ci", "email_mart_demo": "demo"}  # fmt: skip
    jobs = yaml.safe_load(JOBS.read_text())["jobs"]
    for job, role in role_of.items():
        for variables in jobs[job]["custom_environment_variables"]:
            for name, value in variables.items():
                name_in_cloud = spec["environments"][role]
                assert body[name].get(name_in_cloud, body[name]["project"]) == value, (job, name)


def test_the_environment_variables_reach_dbt_cloud_in_one_bulk_request(monkeypatch):
    """Against a loopback server standing in for dbt Cloud's Administrative API."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from typer.testing import CliRunner

    from harness.cli import app

    received = []

    class DbtCloud(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append((self.path, self.headers["Authorization"], self.rfile.read(length)))
            self.send_response(201)
            self.end_headers()
            self.wfile.write(b'{"data": []}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), DbtCloud)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("DBT_API_KEY", "dbtc_test_token")
    try:
        result = CliRunner().invoke(
            app,
            ["dbt-cloud-env-vars", "--account-id", "12", "--project-id", "34",
             "--host", f"http://127.0.0.1:{server.server_port}",
             "--environment", "production=Prod"],
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    [(path, authorization, body)] = received
    assert path == "/api/v3/accounts/12/projects/34/environment-variables/bulk/"
    assert authorization == "Bearer dbtc_test_token"
    variables = {entry["new_name"]: entry for entry in json.loads(body)["env_var"]}
    assert variables["DBT_MART_ENVIRONMENT"]["Prod"] == "prod"
    assert variables["DBT_MART_SOURCES"]["Demo"] == "own"


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
    runs = " ".join(s.get("run", "") for s in slim_steps)
    # One definition of the steps, which the emulator rehearsal runs too (test_production).
    for step in ("prod-manifest", "build", "cleanup"):
        assert f"bash ci/slim_ci.sh {step}" in runs, step
    script = (PROJECT_DIR / "ci" / "slim_ci.sh").read_text()
    assert (
        "--defer --state" in script and "state:modified+,config.materialized:incremental" in script
    )
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
