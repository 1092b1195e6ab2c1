"""`mart dashboard` opened in real headless Chromium (Debian's package, via Playwright).

Fails on any console error or an empty chart; screenshots of every page are kept in
$MART_TEST_ARTIFACTS/screenshots/ (CI sets it and uploads them), else in the session's
temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.dashboard import PAGES, build_site, describe
from harness.dbt import manifest
from harness.settings import project_vars
from harness.warehouse import connect

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Chromium is missing: `bash ci/setup.sh` installs Debian's chromium."
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def open_page(browser, path, screenshot: str):
    """Load a page; return (console errors, charts, marks per chart)."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    charts = page.locator("div.chart").count()
    if charts:
        page.wait_for_function(
            "n => document.querySelectorAll('div.chart svg.marks').length === n",
            arg=charts,
            timeout=30_000,
        )
    marks = page.evaluate(
        "() => [...document.querySelectorAll('div.chart')].map("
        "c => c.querySelectorAll('svg.marks .role-mark > *').length)"
    )
    folder = Path(os.environ.get("MART_TEST_ARTIFACTS") or os.environ["DBT_TARGET_PATH"])
    (folder / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "screenshots" / screenshot), full_page=True)
    text = page.inner_text("body")
    page.close()
    return errors, marks, text


def test_every_dashboard_page_renders_real_charts_without_errors(built, browser, tmp_path):
    outcome = CliRunner().invoke(app, ["dashboard", "--out", str(tmp_path / "site")])
    assert outcome.exit_code == 0, outcome.output
    assert f"file://{tmp_path / 'site' / 'index.html'}" in outcome.output.replace("\n", "")
    for file, title in PAGES:
        path = tmp_path / "site" / file
        page_html = path.read_text(encoding="utf-8")
        assert "<script src" not in page_html and "<link" not in page_html  # no CDN
        errors, marks, text = open_page(browser, path, file.replace(".html", ".png"))
        assert not errors, (file, errors)
        assert title in text
        assert marks and all(count > 0 for count in marks), (file, marks)
    # The tiles' tooltips are the dbt descriptions of the metrics.
    docs = describe(manifest(), "fct_email_events_daily")
    executive = (tmp_path / "site" / "executive.html").read_text(encoding="utf-8")
    for column in ("unique_open_rate", "click_to_open_rate", "human_unique_open_rate"):
        assert docs[column] and json.dumps(docs[column]).replace("</", "<\\/") in executive


def marts_shaped_like_the_warehouse():
    """An in-memory database with every mart and audit relation of the built warehouse, empty."""
    empty = duckdb.connect()
    with connect() as connection:
        relations = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('marts', 'audit')"
        ).fetchall()
        for schema, table in relations:
            shape = connection.sql(f"select * from {schema}.{table} limit 0").to_arrow_table()
            empty.execute(f"create schema if not exists {schema}")
            empty.register("shape", shape)
            empty.execute(f"create table {schema}.{table} as select * from shape")
            empty.unregister("shape")
    return empty


def test_empty_marts_give_a_friendly_page_not_a_crash(built, browser, tmp_path):
    pages = build_site(marts_shaped_like_the_warehouse(), manifest(), tmp_path / "empty")
    for path in pages[1:]:
        shot = "empty_" + path.name.replace(".html", ".png")
        errors, marks, text = open_page(browser, path, shot)
        assert not errors, (path.name, errors)
        assert "mart daily" in text and marks == []


# One campaign's sends per day, planted: Wednesday has none, Friday only 20 (all opened, a
# 100 % "rate" if it were drawn). The dashboards draw no rate below var dashboard_min_sends.
PLANTED = {
    "2026-03-02": 400,
    "2026-03-03": 300,
    "2026-03-05": 350,
    "2026-03-06": 20,
    "2026-03-07": 380,
}


def test_rate_lines_break_where_no_day_has_enough_sends(built, browser, tmp_path):
    min_sends = project_vars()["dashboard_min_sends"]
    assert 20 < min_sends <= 300
    marts = marts_shaped_like_the_warehouse()
    for day, sends in PLANTED.items():
        opened = sends if sends < min_sends else sends // 3
        marts.execute(
            "insert into marts.fct_email_events_daily by name select ? as report_date, "
            "'7010000000000AA' as campaign_id, ? as sends, ? as delivered_sends, "
            "? as opened_sends, ? as human_opened_sends, ? as clicked_sends, "
            "0 as bounced_sends, 0 as unsubscribed_sends, 0 as complained_sends, "
            "0 as open_events, 0 as machine_open_events",
            [day, sends, sends, opened, opened // 2, opened // 5],
        )
    build_site(marts, manifest(), tmp_path / "site")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto((tmp_path / "site" / "executive.html").as_uri())
    page.wait_for_selector("div.chart svg.marks .mark-line path")
    # Runs of consecutive days with enough sends, counted from PLANTED: Mon-Tue, Thu, Sat.
    days = sorted(PLANTED)
    runs = sum(
        1
        for index, day in enumerate(days)
        if PLANTED[day] >= min_sends
        and (
            index == 0
            or PLANTED[days[index - 1]] < min_sends
            or (date.fromisoformat(day) - date.fromisoformat(days[index - 1])).days > 1
        )
    )
    assert runs == 3
    lines = page.eval_on_selector_all(
        "div.chart svg.marks .mark-line path", "paths => paths.map(p => p.getAttribute('d'))"
    )
    assert len(lines) == 3  # unique open, human open, click-through rate
    for path in lines:
        assert path.count("M") == runs, path  # a new subpath after each gap, no segment across
    points = page.eval_on_selector_all(  # aria-label: "Send date: Mar 05, 2026; ..."
        "div.chart svg.marks .mark-symbol.role-mark path",
        "marks => marks.map(m => m.getAttribute('aria-label'))",
    )
    assert len(points) == 3 * sum(sends >= min_sends for sends in PLANTED.values())
    assert sum("Send date: Mar 05, 2026;" in label for label in points) == 3
    assert not any("Mar 06, 2026" in label for label in points), "a rate from 20 sends"
    # The date filter: from Thursday on, the Sends tile (the first text mark) counts Thursday
    # to Saturday.
    tile = "() => document.querySelector('div.chart svg.marks .mark-text text').textContent"
    assert page.evaluate(tile) == f"{sum(PLANTED.values()):,}"
    page.fill("input[type=date] >> nth=0", "2026-03-05")
    later = sum(sends for day, sends in PLANTED.items() if day >= "2026-03-05")
    page.wait_for_function(f"() => ({tile})() === '{later:,}'", timeout=10_000)
    page.close()
