"""`mart tableau`: .tds data sources for every reporting model, validated structurally."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from xml.etree import ElementTree as ET

import pytest
from conftest import query
from typer.testing import CliRunner

from harness import PROJECT_DIR
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
    # Offline, the packaged workbook needs no Snowflake: --extract writes it alone.
    with environment(**dict.fromkeys(cleared, "")):
        outcome = CliRunner().invoke(app, ["tableau", "--out", str(tmp_path), "--extract"])
    assert outcome.exit_code == 0, outcome.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["Email Mart.twbx", "extracts"]


# --- the workbook and its extracts --------------------------------------------------------

SHARED_TABLEAU = PROJECT_DIR.parent / "shared" / "tableau"
FIELD = re.compile(r"\[([^\]]+)\]\.(\[[^\]]+\])")  # [datasource].[instance]


@pytest.fixture(scope="module")
def tableau_files(built, tmp_path_factory):
    """`mart tableau --extract` on the session warehouse: .tds, .twb, extracts and .twbx."""
    folder = tmp_path_factory.mktemp("tableau")
    with environment(**SNOWFLAKE):
        outcome = CliRunner().invoke(app, ["tableau", "--out", str(folder), "--extract"])
    assert outcome.exit_code == 0, outcome.output
    packaged = folder / "packaged"
    with zipfile.ZipFile(folder / "Email Mart.twbx") as archive:
        archive.extractall(packaged)
    return folder, [folder / "Email Mart.twb", packaged / "Email Mart.twb"]


def test_every_workbook_validates_against_tableaus_own_schema(tableau_files):
    validator = SHARED_TABLEAU / "validate_twb.py"
    if not (SHARED_TABLEAU / "twb_2026.2.0.xsd").exists():
        pytest.skip(f"Tableau's workbook schema is not here: {SHARED_TABLEAU}/twb_2026.2.0.xsd")
    _, workbooks = tableau_files
    done = subprocess.run(
        [sys.executable, str(validator), *map(str, workbooks)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": VALID") == len(workbooks), done.stdout


def test_every_reference_in_the_workbook_resolves(tableau_files):
    """What the schema does not check: every field a worksheet, filter or calculation names
    exists in its data source (a column or a calculated field), every dashboard zone names a
    worksheet, and each dashboard exposure has its dashboard."""
    from harness.dbt import manifest

    for path in tableau_files[1]:
        root = ET.parse(path).getroot()
        fields = {}
        for source in root.iter("datasource"):
            if source.find("connection") is not None:
                fields[source.get("name")] = {c.get("name") for c in source.findall("column")}
        for datasource in root.iter("datasource"):
            for column in datasource.findall("column"):
                calculation = column.find("calculation")
                if calculation is not None:
                    for name in re.findall(r"\[[^\]]+\]", calculation.get("formula")):
                        assert name in fields[datasource.get("name")], (path, name)
        sheets = {sheet.get("name") for sheet in root.iter("worksheet")}
        for worksheet in root.iter("worksheet"):
            view = worksheet.find("table/view")
            instances = {}
            for dependencies in view.findall("datasource-dependencies"):
                source = dependencies.get("datasource")
                for instance in dependencies.findall("column-instance"):
                    assert instance.get("column") in fields[source], (worksheet.get("name"),)
                    instances[(source, instance.get("name"))] = instance
            texts = [worksheet.findtext("table/rows") or "", worksheet.findtext("table/cols") or ""]
            texts += [f.get("column") for f in view.findall("filter")]
            texts += [t.get("column") for t in worksheet.iter("text")]
            texts += [s.text for s in view.iter("column") if s.text]
            referenced = [match for text in texts for match in FIELD.findall(text)]
            assert referenced, worksheet.get("name")
            for source, instance in referenced:
                assert (source, instance) in instances, (worksheet.get("name"), instance)
        dashboards = {d.get("name"): d for d in root.iter("dashboard")}
        for dashboard in dashboards.values():
            zones = [z for z in dashboard.iter("zone") if z.get("name")]
            assert {z.get("name") for z in zones} <= sheets, dashboard.get("name")
            filters = [z.get("param") for z in zones if z.get("type-v2") == "filter"]
            assert any("DATE" in p or "_AT" in p for p in filters), dashboard.get("name")
            assert any("CAMPAIGN_ID" in p for p in filters), dashboard.get("name")
        exposures = [e for e in manifest().exposures.values() if e.type == "dashboard"]
        assert {e.label for e in exposures} == set(dashboards), path


def test_the_extracts_read_back_through_hyper_as_the_marts(tableau_files, warehouse):
    """Each .hyper, read by Tableau's Hyper engine: the rows and the sum of every count
    column of its mart, and each rate as a ratio of sums equal to the mart's to 1e-9."""
    from tableauhyperapi import Connection, HyperProcess, Telemetry

    from harness.settings import kpi_rates

    folder = tableau_files[0] / "extracts"
    extracts = sorted(folder.glob("*.hyper"))
    assert {path.stem for path in extracts} >= {"fct_email_events_daily", "fct_campaign_membership"}
    telemetry = Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU
    with HyperProcess(telemetry, parameters={"log_config": ""}) as hyper:
        for path in extracts:
            name = path.stem
            counts = [
                column
                for (column,) in query(
                    warehouse,
                    "select column_name from information_schema.columns where table_schema = "
                    "'marts' and table_name = ? and data_type in ('BIGINT', 'HUGEINT', 'INTEGER')",
                    [name],
                )
            ]
            mart = query(
                warehouse,
                f"select count(*){''.join(f', sum({c})' for c in counts)} from marts.{name}",
            )[0]
            with Connection(hyper.endpoint, path) as extract:
                sums = "".join(f', sum("{c.upper()}")' for c in counts)
                read = extract.execute_list_query(
                    f'select count(*){sums} from "Extract"."Extract"'
                )[0]
                assert [int(v or 0) for v in read] == [int(v or 0) for v in mart], name
                for rate in kpi_rates(name):
                    hyper_rate = extract.execute_scalar_query(
                        f'select cast(sum("{rate.numerator.upper()}") as double precision) / '
                        f'sum("{rate.denominator.upper()}") from "Extract"."Extract"'
                    )
                    mart_rate = query(
                        warehouse,
                        f"select sum({rate.numerator}) / sum({rate.denominator}) from marts.{name}",
                    )[0][0]
                    assert abs(hyper_rate - mart_rate) <= 1e-9, (name, rate.name)


def test_no_share_or_bound_is_summed_by_default(tableau_files):
    """A share, a threshold or a bound holds on its own row: never a measure summed by
    default (two 60 % shares are not 120 %)."""
    folder = tableau_files[0]
    for model, names in {
        "audit__threshold_checks": ("[MEASURED_SHARE]", "[WARN_AT]", "[ERROR_AT]"),
        "audit__volume_anomalies": ("[EXPECTED_VALUE]", "[LOWER_BOUND]", "[UPPER_BOUND]"),
    }.items():
        columns = {c.get("name"): c for c in ET.parse(folder / f"{model}.tds").iter("column")}
        for name in names:
            column = columns[name]
            assert column.get("aggregation") is None and column.get("role") == "dimension", name
            assert column.get("type") == "quantitative", name
    counts = {
        c.get("name"): c for c in ET.parse(folder / "audit__threshold_checks.tds").iter("column")
    }
    assert counts["[NUMERATOR]"].get("aggregation") == "Sum"
