"""The bottom layer: the project's own definitions that Python shares with dbt.

Imports nothing from the harness but its root and its errors. `project_vars()` reads the vars
of dbt_project.yml, where each shared definition lives once: the KPI rates (`kpi_rates`) and
the mock-event behaviour (`mock_event_profile`), the landing columns. The environment's
settings are read here too: the DuckDB warehouse's path (`duckdb_path`), MART settings
(`mart_setting`, DBT_MART_* or MART_*) and the Snowflake connection (`snowflake_settings`).
Every other module may import this one; it imports none of them.
"""

from __future__ import annotations

import csv
import functools
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from harness import PROJECT_DIR
from harness.errors import UserError

DEFAULT_DUCKDB_PATH = PROJECT_DIR / "state" / "mart.duckdb"


def duckdb_path() -> Path:
    """The DuckDB warehouse file: MART_DUCKDB_PATH, else state/mart.duckdb in the project."""
    configured = os.environ.get("MART_DUCKDB_PATH")
    path = Path(configured).expanduser() if configured else DEFAULT_DUCKDB_PATH
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


def built_duckdb_path(path: Path | None = None, build_with: str = "mart build") -> Path:
    """A DuckDB warehouse that exists (default: `duckdb_path()`), or a UserError naming the
    command that builds it."""
    path = path or duckdb_path()
    if not path.exists():
        raise UserError(f"No DuckDB warehouse at {path}; build it first (`{build_with}`).")
    return path


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


def landing_columns() -> list[str]:
    """var('landing_columns'): the events landing table's exported (text) columns, in order;
    `_loaded_at` and `_load_id` follow them."""
    return list(project_vars()["landing_columns"])


def rejection_reasons() -> list[str]:
    """The quarantine's reasons, in precedence order (seeds/rejection_reasons.csv, the seed
    staging's rejection_reason is tested against)."""
    with (PROJECT_DIR / "seeds" / "rejection_reasons.csv").open(newline="", encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda row: int(row["precedence"]))
    return [row["rejection_reason"] for row in rows]


def mock_event_profile() -> dict:
    """var('mock_event_profile'): chances and means per send of the mock generators, the
    free-mail domains and the kinds of bad row `bad_rate` injects."""
    return dict(project_vars()["mock_event_profile"])


def mart_setting(name: str, default: str = "") -> str:
    """A MART setting from the environment: DBT_MART_<name> (the spelling dbt Cloud passes
    to runs), else MART_<name> (local), else `default`; set but empty counts as unset, as in
    the dbt project's own env_var() fallbacks (macro schema_prefix)."""
    return os.environ.get(f"DBT_MART_{name}") or os.environ.get(f"MART_{name}") or default


def reporting_role() -> str:
    """The role Tableau reads as (macro reporting_role in the dbt project)."""
    return mart_setting("REPORTING_ROLE", "REPORTER")


SNOWFLAKE_REQUIRED = (
    "SNOWFLAKE_ACCOUNT",
    "SNOWFLAKE_USER",
    "SNOWFLAKE_ROLE",
    "SNOWFLAKE_WAREHOUSE",
    "SNOWFLAKE_DATABASE",
)


@dataclass(frozen=True)
class SnowflakeSettings:
    """The SNOWFLAKE_* variables of the dbt profile's snowflake target, read in one place
    for every Python connection (the harness's loads, `mart tableau`)."""

    account: str
    user: str
    role: str
    warehouse: str
    database: str
    password: str
    private_key_path: str
    private_key_passphrase: str

    @property
    def server(self) -> str:
        """The account's host name (an account identifier, or already a host)."""
        if self.account.endswith(".snowflakecomputing.com"):
            return self.account
        return f"{self.account}.snowflakecomputing.com"

    def connector_arguments(self) -> dict[str, str]:
        """Arguments of snowflake.connector.connect: a password, or a key pair whose
        file may be encrypted with a passphrase."""
        arguments = {
            "account": self.account,
            "user": self.user,
            "role": self.role,
            "warehouse": self.warehouse,
            "database": self.database,
        }
        if self.password:
            arguments["password"] = self.password
        else:
            arguments["private_key_file"] = self.private_key_path
            if self.private_key_passphrase:
                arguments["private_key_file_pwd"] = self.private_key_passphrase
        return arguments


def snowflake_settings(
    purpose: str = "The snowflake target",
    required: tuple[str, ...] = SNOWFLAKE_REQUIRED,
    credentials: bool = True,
) -> SnowflakeSettings:
    """The Snowflake settings, or a UserError naming every missing variable."""
    missing = [name for name in required if not os.environ.get(name)]
    if credentials and not (
        os.environ.get("SNOWFLAKE_PASSWORD") or os.environ.get("SNOWFLAKE_PRIVATE_KEY_PATH")
    ):
        missing.append("SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH")
    if missing:
        raise UserError(
            f"{purpose} needs {', '.join(missing)}; set them in the environment (see the "
            "README's Snowflake section)."
        )
    return SnowflakeSettings(
        **{
            field: os.environ.get(f"SNOWFLAKE_{field.upper()}", "")
            for field in SnowflakeSettings.__dataclass_fields__
        }
    )
