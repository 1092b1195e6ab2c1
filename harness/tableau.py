"""`mart tableau`: one Tableau data source (.tds) per reporting model, connected to Snowflake.

Each file connects to the model's table or view in Snowflake (server, warehouse, database
from the same SNOWFLAKE_* variables as the dbt profile; production's schema MARTS or AUDIT,
or DBT_MART_SCHEMA_PREFIX's; the reporting role DBT_MART_REPORTING_ROLE) and declares every
column with its caption, role (dimension or measure), Tableau data type and the dbt
description. Column types are read from the local DuckDB build (the same models, the same
type families on both engines, proven by `mart verify`); descriptions from the dbt project.

A rate is never averaged: its stored column is hidden and has no default aggregation, and
the data source carries it as a calculated field SUM(numerator) / SUM(denominator) (the
definitions of var('kpi_rates')), so any level of detail gets the ratio of sums.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from harness.errors import UserError
from harness.settings import Rate, kpi_rates, mart_setting, reporting_role
from harness.settings import snowflake_settings as snowflake_settings_of

REPORTING_SCHEMAS = ("marts", "audit")

# DuckDB type (prefix) → Tableau datatype.
TABLEAU_TYPES = (
    ("BOOLEAN", "boolean"),
    ("TIMESTAMP", "datetime"),
    ("DATE", "date"),
    ("DECIMAL", "real"),
    ("DOUBLE", "real"),
    ("FLOAT", "real"),
    ("REAL", "real"),
    ("BIGINT", "integer"),
    ("HUGEINT", "integer"),
    ("INTEGER", "integer"),
    ("SMALLINT", "integer"),
    ("TINYINT", "integer"),
    ("UBIGINT", "integer"),
    ("VARCHAR", "string"),
)
# Numbers that identify or locate rather than measure: dimensions, never summed.
DIMENSION_NUMBERS = re.compile(r"(_id|_key|_code|_number|_year|_month)$")
# Numbers that hold on their own row only: a share, a threshold, a bound, an expectation, an
# age. Summing them means nothing (two 60 % shares are not 120 %): continuous dimensions,
# which Tableau places disaggregated, never with a default SUM.
PER_ROW_NUMBERS = re.compile(
    r"(_share|_at|_bound|^expected_value|^standard_deviation|_age_seconds)$"
)


@dataclass(frozen=True)
class Column:
    name: str
    duckdb_type: str
    description: str

    @property
    def datatype(self) -> str:
        for prefix, tableau in TABLEAU_TYPES:
            if self.duckdb_type.upper().startswith(prefix):
                return tableau
        return "string"

    @property
    def numeric(self) -> bool:
        return self.datatype in ("integer", "real")

    @property
    def role(self) -> str:
        if self.numeric and not DIMENSION_NUMBERS.search(self.name):
            return "dimension" if PER_ROW_NUMBERS.search(self.name) else "measure"
        return "dimension"

    @property
    def kind(self) -> str:
        """Tableau's column type: quantitative measures and per-row numbers (continuous),
        ordinal dates, nominal the rest."""
        if self.role == "measure" or (self.numeric and PER_ROW_NUMBERS.search(self.name)):
            return "quantitative"
        return "ordinal" if self.datatype in ("date", "datetime") else "nominal"

    @property
    def caption(self) -> str:
        return " ".join(
            word.upper() if word in ("id", "ctr", "mpp", "crm", "utc") else word.capitalize()
            for word in self.name.split("_")
        )


@dataclass(frozen=True)
class Model:
    name: str
    schema: str
    materialized: str
    description: str
    columns: tuple[Column, ...]


def reporting_models(connection, manifest) -> list[Model]:
    """Every model in marts and audit, with DuckDB types and dbt descriptions."""
    models = []
    for node in manifest.nodes.values():
        if node.resource_type != "model" or node.config.schema not in REPORTING_SCHEMAS:
            continue
        rows = connection.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [node.schema, node.name],
        ).fetchall()
        if not rows:
            raise UserError(
                f"{node.schema}.{node.name} is not in the DuckDB warehouse; build it first "
                "(`mart build`)."
            )
        documented = {name.lower(): column.description for name, column in node.columns.items()}
        models.append(
            Model(
                name=node.name,
                schema=node.config.schema,
                materialized=node.config.materialized,
                description=" ".join(node.description.split()),
                columns=tuple(
                    Column(name, kind, " ".join(documented.get(name.lower(), "").split()))
                    for name, kind in rows
                ),
            )
        )
    return sorted(models, key=lambda model: (model.schema, model.name))


def snowflake_settings() -> dict[str, str]:
    """Where the data sources connect: the profile's account, warehouse and database, the
    reporting role, and the schema prefix (none: production's schemas)."""
    settings = snowflake_settings_of(
        "`mart tableau`",
        required=("SNOWFLAKE_ACCOUNT", "SNOWFLAKE_WAREHOUSE", "SNOWFLAKE_DATABASE"),
        credentials=False,
    )
    return {
        "server": settings.server,
        "warehouse": settings.warehouse,
        "database": settings.database,
        "role": reporting_role(),
        "prefix": mart_setting("SCHEMA_PREFIX"),
    }


def datasource_xml(model: Model, settings: dict[str, str]) -> ET.ElementTree:
    schema = (settings["prefix"] + model.schema).upper()
    table = model.name.upper()
    root = ET.Element(
        "datasource",
        {
            "formatted-name": model.name,
            "inline": "true",
            "version": "18.1",
            "xmlns:user": "http://www.tableausoftware.com/xml/user",
        },
    )
    if model.description:
        _description(root, model.description)
    connection = ET.SubElement(
        root,
        "connection",
        {
            "class": "snowflake",
            "server": settings["server"],
            "warehouse": settings["warehouse"],
            "dbname": settings["database"].upper(),
            "schema": schema,
            "service": settings["role"],  # the role Tableau connects with
            "authentication": "Username Password",
            "username": "",
            "one-time-sql": "",
        },
    )
    ET.SubElement(
        connection,
        "relation",
        {"name": table, "table": f"[{schema}].[{table}]", "type": "table"},
    )
    rates = {rate.name: rate for rate in kpi_rates(model.name)}
    for column in model.columns:
        attributes = {
            "name": f"[{column.name.upper()}]",
            "caption": column.caption,
            "datatype": column.datatype,
            "role": column.role,
            "type": column.kind,
        }
        if column.name in rates:
            attributes["hidden"] = "true"  # the calculated field below replaces it
        elif column.role == "measure":
            attributes["aggregation"] = "Sum"
        element = ET.SubElement(root, "column", attributes)
        if column.description:
            _description(element, column.description)
    for column in model.columns:
        if column.name in rates:
            _rate_field(root, rates[column.name], column)
    ET.indent(root)
    return ET.ElementTree(root)


def _rate_field(root: ET.Element, rate: Rate, column: Column) -> None:
    """A rate as Tableau computes it at any level of detail: SUM(numerator) / SUM(denominator)
    (NULL where the denominator sums to 0, as Tableau divides)."""
    element = ET.SubElement(
        root,
        "column",
        {
            "name": rate_field_name(rate),
            "caption": column.caption,
            "datatype": "real",
            "role": "measure",
            "type": "quantitative",
        },
    )
    ET.SubElement(
        element,
        "calculation",
        {
            "class": "tableau",
            "formula": f"SUM([{rate.numerator.upper()}]) / SUM([{rate.denominator.upper()}])",
        },
    )
    if column.description:
        _description(element, column.description)


def rate_field_name(rate: Rate) -> str:
    """The calculated field's name for a rate (the stored column keeps its own)."""
    return f"[{rate.name.upper()} (ratio of sums)]"


def _description(parent: ET.Element, text: str) -> None:
    formatted = ET.SubElement(ET.SubElement(parent, "desc"), "formatted-text")
    ET.SubElement(formatted, "run").text = text


def write_datasources(folder: Path, models: list[Model], settings: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for model in models:
        path = folder / f"{model.name}.tds"
        datasource_xml(model, settings).write(path, encoding="utf-8", xml_declaration=True)
        written.append(path)
    return written
