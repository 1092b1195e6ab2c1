"""`mart tableau`'s workbook: the three dashboards of the exposures as one Tableau workbook.

`Email Mart.twb` holds one data source per model the dashboards read (connected to
Snowflake's MARTS like the .tds files: the same columns, captions, roles and the rates as
calculated fields SUM(numerator) / SUM(denominator)), the worksheets a marketer expects
(KPI tiles, trends by send date, campaigns, audience and membership quality) and one
dashboard per exposure, each with a date-range and a campaign filter. `Email Mart.twbx`
packs the same workbook with Hyper extracts (harness/tableau_extracts.py) in place of the
Snowflake connections: Tableau opens it with no database.

The format follows Tableau's published workbook schema (tableau/tableau-document-schemas,
2026.2): version 26.2, a federated data source per model, worksheets whose shelves name
column instances (`[sum:SENDS:qk]`, `[usr:<rate>:qk]`, `[tdy:REPORT_DATE:qk]`), filters shared
by a dashboard's worksheets through one filter group, and dashboard zones that name the
worksheets and show the filters.
"""

from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from harness.settings import kpi_rates
from harness.tableau import Column, Model, rate_field_name

WORKBOOK = "Email Mart"
VERSION = "26.2"
NAMESPACE = uuid.UUID("6f1c2a10-5e4d-4c3b-8a29-e3a1c0d7b901")  # stable ids: same file, same ids


@dataclass(frozen=True)
class Field:
    """A column instance on a shelf: a field of a model, aggregated (sum), a rate's
    calculated field (usr), a date truncated to the day (tdy) or as it is (none)."""

    model: str
    column: str  # the model's column, lower-case
    derivation: str  # Sum | User | Day-Trunc | None

    def name(self) -> str:
        prefix = {"Sum": "sum", "User": "usr", "Day-Trunc": "tdy", "None": "none"}
        kind = "nk" if self.derivation == "None" and self.is_text else "qk"
        return f"[{prefix[self.derivation]}:{self.field_name[1:-1]}:{kind}]"

    @property
    def is_text(self) -> bool:
        return self.column.endswith(("_id", "_status", "_type", "_name"))

    @property
    def field_name(self) -> str:
        """The data source's field: the column, or for a rate its calculated field."""
        if self.derivation == "User":
            rate = next(r for r in kpi_rates(self.model) if r.name == self.column)
            return rate_field_name(rate)
        return f"[{self.column.upper()}]"


@dataclass(frozen=True)
class Sheet:
    name: str
    model: str
    mark: str  # Text | Line | Bar
    rows: tuple[Field, ...] = ()
    cols: tuple[Field, ...] = ()
    text: Field | None = None


@dataclass(frozen=True)
class Dashboard:
    name: str  # a working title; the workbook names it by its exposure's label
    exposure: str
    sheets: tuple[Sheet, ...]
    # The filters every worksheet of the dashboard shares: (model, date column, campaign column)
    filters: dict[str, tuple[str, str]] = field(default_factory=dict)


def _f(model: str, column: str, derivation: str) -> Field:
    return Field(model, column, derivation)


DAILY, MEMBERSHIP = "fct_email_events_daily", "fct_campaign_membership"
COVERAGE, NON_MEMBERS = "dq_campaign_id_coverage", "dq_campaign_non_member_recipients"
SEND_DATE = _f(DAILY, "report_date", "Day-Trunc")
DASHBOARDS = (
    Dashboard(
        "Executive Email Performance",
        "executive_email_performance",
        (
            Sheet("Sends", DAILY, "Text", text=_f(DAILY, "sends", "Sum")),
            Sheet("Delivery rate", DAILY, "Text", text=_f(DAILY, "delivery_rate", "User")),
            Sheet(
                "Human open rate", DAILY, "Text", text=_f(DAILY, "human_unique_open_rate", "User")
            ),
            Sheet(
                "Human click-through rate",
                DAILY,
                "Text",
                text=_f(DAILY, "human_click_through_rate", "User"),
            ),
            Sheet(
                "Human open rate by send date",
                DAILY,
                "Line",
                rows=(_f(DAILY, "human_unique_open_rate", "User"),),
                cols=(SEND_DATE,),
            ),
            Sheet(
                "Sends by send date",
                DAILY,
                "Bar",
                rows=(_f(DAILY, "sends", "Sum"),),
                cols=(SEND_DATE,),
            ),
        ),
        {DAILY: ("report_date", "campaign_id")},
    ),
    Dashboard(
        "Campaign Performance & Engagement",
        "campaign_performance_engagement",
        (
            Sheet(
                "Sends by campaign",
                DAILY,
                "Bar",
                rows=(_f(DAILY, "campaign_id", "None"),),
                cols=(_f(DAILY, "sends", "Sum"),),
            ),
            Sheet(
                "Human open rate by campaign",
                DAILY,
                "Bar",
                rows=(_f(DAILY, "campaign_id", "None"),),
                cols=(_f(DAILY, "human_unique_open_rate", "User"),),
            ),
            Sheet(
                "Human click-to-open rate by campaign",
                DAILY,
                "Bar",
                rows=(_f(DAILY, "campaign_id", "None"),),
                cols=(_f(DAILY, "human_click_to_open_rate", "User"),),
            ),
            Sheet(
                "Human clicks by send date",
                DAILY,
                "Line",
                rows=(_f(DAILY, "human_clicked_sends", "Sum"),),
                cols=(SEND_DATE,),
            ),
        ),
        {DAILY: ("report_date", "campaign_id")},
    ),
    Dashboard(
        "Audience & Membership Quality",
        "audience_membership_quality",
        (
            Sheet(
                "Members by status",
                MEMBERSHIP,
                "Bar",
                rows=(_f(MEMBERSHIP, "member_status", "None"),),
                cols=(_f(MEMBERSHIP, "member_record_count", "Sum"),),
            ),
            Sheet(
                "Known-campaign coverage by event date",
                COVERAGE,
                "Line",
                rows=(_f(COVERAGE, "known_campaign_coverage_rate", "User"),),
                cols=(_f(COVERAGE, "event_date", "Day-Trunc"),),
            ),
            Sheet(
                "Recipients without a membership, by campaign",
                NON_MEMBERS,
                "Bar",
                rows=(_f(NON_MEMBERS, "campaign_id", "None"),),
                cols=(_f(NON_MEMBERS, "sends", "Sum"),),
            ),
        ),
        {
            MEMBERSHIP: ("first_sent_at", "campaign_id"),
            COVERAGE: ("event_date", ""),
            NON_MEMBERS: ("first_sent_at", "campaign_id"),
        },
    ),
)


def _id(*parts: str) -> str:
    return "{" + str(uuid.uuid5(NAMESPACE, "/".join(parts))).upper() + "}"


def datasource_name(model: str) -> str:
    return f"federated.{model}"


def _column_element(parent, column: Column, hidden: bool) -> ET.Element:
    attributes = {
        "caption": column.caption,
        "datatype": column.datatype,
        "name": f"[{column.name.upper()}]",
        "role": column.role,
        "type": column.kind,
    }
    if hidden:
        attributes["hidden"] = "true"
    elif column.role == "measure":
        attributes["aggregation"] = "Sum"
    return ET.SubElement(parent, "column", attributes)


def _datasource(parent, model: Model, connection: dict[str, str]) -> None:
    """A federated data source on Snowflake (`connection` from snowflake_settings) or on
    the model's packaged Hyper extract (`{"hyper": path in the .twbx}`)."""
    name = datasource_name(model.name)
    datasource = ET.SubElement(
        parent, "datasource",
        {"caption": model.name, "inline": "true", "name": name, "version": VERSION},
    )  # fmt: skip
    federated = ET.SubElement(datasource, "connection", {"class": "federated"})
    named = ET.SubElement(ET.SubElement(federated, "named-connections"), "named-connection")
    if "hyper" in connection:
        named.attrib.update({"caption": model.name, "name": f"hyper.{model.name}"})
        ET.SubElement(named, "connection", {
            "authentication": "auth-none", "author-locale": "en_US", "class": "hyper",
            "dbname": connection["hyper"], "default-settings": "yes", "schema": "Extract",
            "sslmode": "", "tablename": "Extract", "username": "tableau_internal_user",
        })  # fmt: skip
        ET.SubElement(federated, "relation", {
            "connection": f"hyper.{model.name}", "name": "Extract",
            "table": "[Extract].[Extract]", "type": "table",
        })  # fmt: skip
    else:
        schema = (connection["prefix"] + model.schema).upper()
        named.attrib.update({"caption": connection["server"], "name": f"snowflake.{model.name}"})
        ET.SubElement(named, "connection", {
            "authentication": "Username Password", "class": "snowflake",
            "dbname": connection["database"].upper(), "odbc-connect-string-extras": "",
            "one-time-sql": "", "schema": schema, "server": connection["server"],
            "service": connection["role"], "username": "", "warehouse": connection["warehouse"],
        })  # fmt: skip
        ET.SubElement(federated, "relation", {
            "connection": f"snowflake.{model.name}", "name": model.name.upper(),
            "table": f"[{schema}].[{model.name.upper()}]", "type": "table",
        })  # fmt: skip
    ET.SubElement(datasource, "aliases", {"enabled": "yes"})
    rates = {rate.name: rate for rate in kpi_rates(model.name)}
    for column in model.columns:
        _column_element(datasource, column, hidden=column.name in rates)
    for column in model.columns:
        if column.name in rates:
            _rate_column(datasource, column.caption, rates[column.name])


def _rate_column(parent, caption: str, rate) -> None:
    """A rate's calculated field: SUM(numerator) / SUM(denominator), at any level of detail."""
    calculated = ET.SubElement(parent, "column", {
        "caption": caption, "datatype": "real", "default-format": "p0.0%",
        "name": rate_field_name(rate), "role": "measure", "type": "quantitative",
    })  # fmt: skip
    ET.SubElement(calculated, "calculation", {
        "class": "tableau",
        "formula": f"SUM([{rate.numerator.upper()}]) / SUM([{rate.denominator.upper()}])",
    })  # fmt: skip


def _instance(field_: Field) -> dict[str, str]:
    return {
        "column": field_.field_name,
        "derivation": field_.derivation,
        "name": field_.name(),
        "pivot": "key",
        "type": "nominal" if field_.name().endswith(":nk]") else "quantitative",
    }


def _shelf(model: str, fields: tuple[Field, ...]) -> str:
    return " / ".join(f"[{datasource_name(model)}].{f.name()}" for f in fields)


def _filters(model: str, dashboard: Dashboard, group: int) -> list[tuple[Field, dict]]:
    """The dashboard's date-range and campaign filters on `model`, as (field, filter attrs)."""
    date, campaign = dashboard.filters.get(model, ("", ""))
    found = []
    if date:
        found.append((_f(model, date, "None"), {"class": "quantitative",
                                               "included-values": "in-range"}))  # fmt: skip
    if campaign:
        found.append((_f(model, campaign, "None"), {"class": "categorical",
                                                   "filter-group": str(group)}))  # fmt: skip
    return found


def _worksheet(parent, sheet: Sheet, dashboard: Dashboard, models: dict[str, Model], group: int):
    model = models[sheet.model]
    source = datasource_name(sheet.model)
    worksheet = ET.SubElement(parent, "worksheet", {"name": sheet.name})
    table = ET.SubElement(worksheet, "table")
    view = ET.SubElement(table, "view")
    ET.SubElement(ET.SubElement(view, "datasources"), "datasource",
                  {"caption": sheet.model, "name": source})  # fmt: skip
    used = [*sheet.rows, *sheet.cols, *([sheet.text] if sheet.text else [])]
    filters = _filters(sheet.model, dashboard, group)
    used += [f for f, _ in filters]
    dependencies = ET.SubElement(view, "datasource-dependencies", {"datasource": source})
    rates = {rate.name: rate for rate in kpi_rates(sheet.model)}
    columns = {c.name: c for c in model.columns}
    needed = set()
    for f in used:
        if f.derivation == "User":
            rate = rates[f.column]
            needed |= {rate.numerator, rate.denominator}
        else:
            needed.add(f.column)
    for name in sorted(needed):
        _column_element(dependencies, columns[name], hidden=False)
    for f in used:
        if f.derivation == "User":
            _rate_column(dependencies, columns[f.column].caption, rates[f.column])
    seen = set()
    for f in used:
        if f.name() not in seen:
            seen.add(f.name())
            ET.SubElement(dependencies, "column-instance", _instance(f))
    for f, attributes in filters:
        element = ET.SubElement(view, "filter", {**attributes, "column": f"[{source}].{f.name()}"})
        if attributes["class"] == "categorical":
            ET.SubElement(element, "groupfilter", {
                "function": "level-members", "level": f.name(),
                "user:ui-enumeration": "all", "user:ui-marker": "enumerate",
            })  # fmt: skip
    if filters:
        slices = ET.SubElement(view, "slices")
        for f, _ in filters:
            ET.SubElement(slices, "column").text = f"[{source}].{f.name()}"
    ET.SubElement(view, "aggregation", {"value": "true"})
    ET.SubElement(table, "style")
    pane = ET.SubElement(ET.SubElement(table, "panes"), "pane",
                         {"selection-relaxation-option": "selection-relaxation-allow"})  # fmt: skip
    ET.SubElement(ET.SubElement(pane, "view"), "breakdown", {"value": "auto"})
    ET.SubElement(pane, "mark", {"class": sheet.mark})
    if sheet.text is not None:
        ET.SubElement(ET.SubElement(pane, "encodings"), "text",
                      {"column": f"[{source}].{sheet.text.name()}"})  # fmt: skip
    rows = ET.SubElement(table, "rows")
    rows.text = _shelf(sheet.model, sheet.rows) or None
    cols = ET.SubElement(table, "cols")
    cols.text = _shelf(sheet.model, sheet.cols) or None
    ET.SubElement(worksheet, "simple-id", {"uuid": _id("worksheet", sheet.name)})


def _dashboard(parent, dashboard: Dashboard, name: str) -> None:
    element = ET.SubElement(parent, "dashboard", {"name": name})
    ET.SubElement(element, "style")
    ET.SubElement(element, "size", {"maxheight": "900", "maxwidth": "1400",
                                    "minheight": "900", "minwidth": "1400"})  # fmt: skip
    zones = ET.SubElement(element, "zones")
    counter = iter(range(1, 1000))
    root = ET.SubElement(zones, "zone", {"h": "100000", "id": str(next(counter)),
                                         "type-v2": "layout-basic", "w": "100000",
                                         "x": "0", "y": "0"})  # fmt: skip
    row = ET.SubElement(root, "zone", {"h": "100000", "id": str(next(counter)), "param": "horz",
                                       "type-v2": "layout-flow", "w": "100000",
                                       "x": "0", "y": "0"})  # fmt: skip
    charts = ET.SubElement(row, "zone", {"h": "100000", "id": str(next(counter)),
                                         "param": "vert", "type-v2": "layout-flow",
                                         "w": "82000", "x": "0", "y": "0"})  # fmt: skip
    height = 100000 // max(1, len(dashboard.sheets))
    for n, sheet in enumerate(dashboard.sheets):
        ET.SubElement(charts, "zone", {"h": str(height), "id": str(next(counter)),
                                       "name": sheet.name, "w": "82000", "x": "0",
                                       "y": str(n * height)})  # fmt: skip
    side = ET.SubElement(row, "zone", {"fixed-size": "200", "h": "100000",
                                       "id": str(next(counter)), "is-fixed": "true",
                                       "param": "vert", "type-v2": "layout-flow", "w": "18000",
                                       "x": "82000", "y": "0"})  # fmt: skip
    y = 0
    for model, (date, campaign) in dashboard.filters.items():
        sheet = next(s for s in dashboard.sheets if s.model == model)
        for column, mode in ((date, None), (campaign, "checkdropdown")):
            if not column:
                continue
            attributes = {"h": "12000", "id": str(next(counter)), "name": sheet.name,
                          "param": f"[{datasource_name(model)}].{_f(model, column, 'None').name()}",
                          "type-v2": "filter", "w": "18000", "x": "82000", "y": str(y)}  # fmt: skip
            if mode:
                attributes["mode"] = mode
            ET.SubElement(side, "zone", attributes)
            y += 12000
    ET.SubElement(element, "simple-id", {"uuid": _id("dashboard", dashboard.exposure)})


def workbook_xml(
    models: dict[str, Model], connections: dict[str, dict[str, str]], labels: dict[str, str]
) -> ET.Element:
    """The workbook: a data source per model (its connection from `connections`), every
    dashboard's worksheets, the dashboards named by their exposures' `labels`."""
    root = ET.Element("workbook", {
        "original-version": VERSION, "source-build": "0.0.0 (0000.0.0.0)",
        "source-platform": "linux", "version": VERSION,
        "xmlns:user": "http://www.tableausoftware.com/xml/user",
    })  # fmt: skip
    manifest = ET.SubElement(root, "document-format-change-manifest")
    ET.SubElement(manifest, "ManifestByVersion")
    sources = ET.SubElement(root, "datasources")
    for name in sorted({sheet.model for d in DASHBOARDS for sheet in d.sheets}):
        _datasource(sources, models[name], connections[name])
    worksheets = ET.SubElement(root, "worksheets")
    for group, dashboard in enumerate(DASHBOARDS, start=1):
        for sheet in dashboard.sheets:
            _worksheet(worksheets, sheet, dashboard, models, group)
    dashboards = ET.SubElement(root, "dashboards")
    for dashboard in DASHBOARDS:
        _dashboard(dashboards, dashboard, labels[dashboard.exposure])
    windows = ET.SubElement(root, "windows", {"source-height": "30"})
    for dashboard in DASHBOARDS:
        label = labels[dashboard.exposure]
        window = ET.SubElement(windows, "window", {"class": "dashboard", "name": label})
        viewpoints = ET.SubElement(window, "viewpoints")
        for sheet in dashboard.sheets:
            ET.SubElement(viewpoints, "viewpoint", {"name": sheet.name})
        ET.SubElement(window, "active", {"id": "-1"})
        ET.SubElement(window, "simple-id", {"uuid": _id("window", dashboard.exposure)})
    explain = ET.SubElement(root, "explain-data", {
        "enabled-for-viewer": "true", "extreme-values-enabled-for-all": "true",
    })  # fmt: skip
    ET.SubElement(explain, "explanation-types")
    ET.indent(root)
    return root


def workbook_models() -> list[str]:
    """The models the workbook reads."""
    return sorted({sheet.model for dashboard in DASHBOARDS for sheet in dashboard.sheets})


def exposure_labels(manifest) -> dict[str, str]:
    """Each dashboard exposure's label (models/exposures/_exposures.yml), by name."""
    return {e.name: e.label or e.name for e in manifest.exposures.values() if e.type == "dashboard"}


def write_workbook(
    folder: Path, models: dict[str, Model], settings: dict[str, str], labels: dict[str, str]
) -> Path:
    """`Email Mart.twb`, connected to Snowflake."""
    path = folder / f"{WORKBOOK}.twb"
    connections = {name: settings for name in models}
    ET.ElementTree(workbook_xml(models, connections, labels)).write(
        path, encoding="utf-8", xml_declaration=True
    )
    return path


def write_packaged_workbook(
    folder: Path, models: dict[str, Model], extracts: dict[str, Path], labels: dict[str, str]
) -> Path:
    """`Email Mart.twbx`: the workbook on the packaged Hyper extracts (Tableau's .twbx: the
    .twb at the zip's root, the extracts under Data/Extracts/)."""
    path = folder / f"{WORKBOOK}.twbx"
    connections = {name: {"hyper": f"Data/Extracts/{name}.hyper"} for name in models}
    xml = ET.tostring(workbook_xml(models, connections, labels), encoding="unicode")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{WORKBOOK}.twb", "<?xml version='1.0' encoding='utf-8' ?>\n" + xml)
        for name, extract in extracts.items():
            archive.write(extract, f"Data/Extracts/{name}.hyper")
    return path
