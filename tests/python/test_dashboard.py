"""`mart dashboard` opened in real headless Chromium (Debian's package, via Playwright).

Fails on any console error or an empty chart; screenshots of every page are kept in
$MART_TEST_ARTIFACTS/screenshots/ (CI sets it and uploads them), else in the session's
temporary folder.
"""

from __future__ import annotations

import html
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.dashboard import PAGES, build_site, describe
from harness.dbt import manifest
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
        assert docs[column] and html.escape(docs[column]) in executive, column


def test_empty_marts_give_a_friendly_page_not_a_crash(built, browser, tmp_path):
    empty = duckdb.connect()  # every mart and audit relation, with no rows
    with connect() as connection:
        relations = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('marts', 'audit')"
        ).fetchall()
        for schema, table in relations:
            shape = connection.execute(f"select * from {schema}.{table} limit 0").to_arrow_table()
            empty.execute(f"create schema if not exists {schema}")
            empty.register("shape", shape)
            empty.execute(f"create table {schema}.{table} as select * from shape")
            empty.unregister("shape")
    pages = build_site(empty, manifest(), tmp_path / "empty")
    for path in pages[1:]:
        shot = "empty_" + path.name.replace(".html", ".png")
        errors, marks, text = open_page(browser, path, shot)
        assert not errors, (path.name, errors)
        assert "mart daily" in text and marks == []
