"""dbt Cloud's project-level environment variables, created from ci/dbt_cloud_env_vars.yml.

A job's `custom_environment_variables` (ci/dbt_cloud_jobs.yml) can only override a variable
that already exists at project level; `mart dbt-cloud-env-vars` creates them all in one call
to the Administrative API's bulk endpoint, POST
/api/v3/accounts/{account}/projects/{project}/environment-variables/bulk/, whose body holds,
per variable, `new_name`, the `project` default and a value per environment name
(docs.getdbt.com/docs/cloud/connect-data-platform/connect-bigquery shows the request). The
API key comes only from DBT_API_KEY.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import yaml

from harness import PROJECT_DIR
from harness.errors import UserError

ENV_VARS_FILE = PROJECT_DIR / "ci" / "dbt_cloud_env_vars.yml"
JOBS_FILE = PROJECT_DIR / "ci" / "dbt_cloud_jobs.yml"


def load(path: Path = ENV_VARS_FILE) -> dict:
    """The file's `environments` (role -> dbt Cloud name) and `variables`."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def overridden_variables(path: Path = JOBS_FILE) -> dict[str, set[str]]:
    """Every variable a job overrides, with the jobs that override it."""
    jobs = yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"]
    found: dict[str, set[str]] = {}
    for name, job in jobs.items():
        for variables in job.get("custom_environment_variables") or []:
            for variable in variables:
                found.setdefault(variable, set()).add(name)
    return found


def bulk_request(names: dict[str, str] | None = None, path: Path = ENV_VARS_FILE) -> dict:
    """The bulk endpoint's JSON body. `names` maps a role to the environment's name in dbt
    Cloud where it differs from the file's."""
    spec = load(path)
    environments = spec["environments"] | (names or {})
    unknown = set(names or {}) - set(spec["environments"])
    if unknown:
        raise UserError(
            f"Unknown environment role {', '.join(sorted(unknown))}; use "
            f"{', '.join(spec['environments'])} (ci/dbt_cloud_env_vars.yml)."
        )
    body = []
    for variable, values in spec["variables"].items():
        entry = {"new_name": variable, "project": values.get("project", "")}
        for role, value in values.items():
            if role != "project":
                entry[environments[role]] = value
        body.append(entry)
    return {"env_var": body}


def create(account_id: int, project_id: int, host: str, body: dict, timeout: float = 30) -> str:
    """POST the body to dbt Cloud; returns the response text, or a UserError in one line."""
    key = os.environ.get("DBT_API_KEY")
    if not key:
        raise UserError("Set DBT_API_KEY to a dbt Cloud API token that may edit the project.")
    url = (
        f"{host.rstrip('/')}/api/v3/accounts/{account_id}/projects/{project_id}"
        "/environment-variables/bulk/"
    )
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode("utf-8"),
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")[:300]
        raise UserError(
            f"dbt Cloud refused the environment variables (HTTP {error.code}: {detail}); "
            "check the account and project ids and the token's permissions."
        ) from None
    except (urllib.error.URLError, OSError) as error:
        raise UserError(
            f"dbt Cloud could not be reached at {host} ({getattr(error, 'reason', error)}); "
            "check --host and the network."
        ) from None
