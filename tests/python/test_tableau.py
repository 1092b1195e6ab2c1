"""`mart tableau`: .tds data sources for every reporting model, validated structurally."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from conftest import query
from typer.testing import CliRunner

from harness.cli import app
from harness.dbt import environment

SNOWFLAKE = {
    "SNOWFLAKE_ACCOUNT": "xy12345.eu-west-1",
    "SNOWFLAKE_WAREHOUSE": "REPORTING_WH",
    "SNOWFLAKE_DATABASE": "analytics",
    "MART_REPORTING_ROLE": "TABLEAU_READER",
}


def test_one_tds_per_reporting_model_with_every_column_typed_and_described(
    built, warehouse, tmp_path
):
    with environment(**SNOWFLAKE):
        outcome = CliRunner().invoke(app, ["tableau", "--out", str(tmp_path)])
    assert outcome.exit_code == 0, outcome.output

    relations = query(
        warehouse,
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in ('marts', 'audit')",
    )
    assert len(relations) >= 13
    assert {path.stem for path in tmp_path.glob("*.tds")} == {name for _, name in relations}

    for schema, name in relations:
        root = ET.parse(tmp_path / f"{name}.tds").getroot()  # well-formed XML
        connection = root.find("connection")
        assert connection.get("class") == "snowflake"
        assert connection.get("server") == "xy12345.eu-west-1.snowflakecomputing.com"
        assert connection.get("warehouse") == "REPORTING_WH"
        assert connection.get("dbname") == "ANALYTICS"
        assert connection.get("schema") == schema.upper()
        assert connection.get("service") == "TABLEAU_READER"
        assert connection.find("relation").get("table") == f"[{schema.upper()}].[{name.upper()}]"
        columns = {
            c.get("name"): c for c in root.findall("column") if c.find("calculation") is None
        }
        expected = query(
            warehouse,
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        )
        assert set(columns) == {f"[{column.upper()}]" for (column,) in expected}
        for column in columns.values():
            assert column.get("caption") and column.get("role") in ("dimension", "measure")
            assert column.findtext("desc/formatted-text/run"), (name, column.get("name"))

    daily = {
        c.get("name"): c for c in ET.parse(tmp_path / "fct_email_events_daily.tds").iter("column")
    }
    expected_types = {
        "[SENDS]": ("integer", "measure", "Sum"),
        "[REPORT_DATE]": ("date", "dimension", None),
        "[CAMPAIGN_ID]": ("string", "dimension", None),
        "[IS_KNOWN_CAMPAIGN]": ("boolean", "dimension", None),
        "[LAST_LOADED_AT]": ("datetime", "dimension", None),
    }
    for name, (datatype, role, aggregation) in expected_types.items():
        column = daily[name]
        assert (column.get("datatype"), column.get("role"), column.get("aggregation")) == (
            datatype,
            role,
            aggregation,
        ), name


def test_rates_are_ratios_of_sums_in_tableau_never_averages(built, tmp_path):
    """Every stored rate is hidden with no default aggregation; a calculated field with the
    same caption divides the sums of its numerator and denominator columns."""
    with environment(**SNOWFLAKE):
        outcome = CliRunner().invoke(app, ["tableau", "--out", str(tmp_path)])
    assert outcome.exit_code == 0, outcome.output
    daily = {
        c.get("name"): c for c in ET.parse(tmp_path / "fct_email_events_daily.tds").iter("column")
    }
    formulas = {
        name: column.find("calculation").get("formula")
        for name, column in daily.items()
        if column.find("calculation") is not None
    }
    assert formulas["[UNIQUE_OPEN_RATE (ratio of sums)]"] == (
        "SUM([OPENED_SENDS]) / SUM([DELIVERED_SENDS])"
    )
    assert formulas["[CLICK_TO_OPEN_RATE (ratio of sums)]"] == (
        "SUM([CLICKED_SENDS]) / SUM([OPENED_SENDS])"
    )
    rates = [name for name in daily if name.endswith("_RATE]")]
    assert len(rates) == len(formulas) == 12
    for name in rates:
        assert daily[name].get("hidden") == "true" and daily[name].get("aggregation") is None
        calculated = daily[f"{name[:-1]} (ratio of sums)]"]
        assert calculated.get("caption") == daily[name].get("caption")
        assert calculated.findtext("desc/formatted-text/run")


def test_missing_snowflake_settings_are_named_in_one_sentence(built, tmp_path):
    cleared = ("SNOWFLAKE_ACCOUNT", "SNOWFLAKE_WAREHOUSE", "SNOWFLAKE_DATABASE")
    with environment(**dict.fromkeys(cleared, "")):
        outcome = CliRunner().invoke(app, ["tableau", "--out", str(tmp_path)])
    assert outcome.exit_code == 2  # a user error: one sentence, no traceback
    assert "SNOWFLAKE_ACCOUNT, SNOWFLAKE_WAREHOUSE, SNOWFLAKE_DATABASE" in outcome.output
    assert "Traceback" not in outcome.output
    assert not list(tmp_path.glob("*.tds"))
