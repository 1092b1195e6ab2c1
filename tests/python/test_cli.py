"""The `mart` CLI: clear one-line errors for user mistakes, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from harness.cli import app

runner = CliRunner()


def test_help_lists_the_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("seeds", "build", "daily", "load"):
        assert command in result.output


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["daily", "--date", "2026-02-30"], "is not a calendar date"),
        (["daily", "--target", "oracle"], "Unknown target 'oracle'"),
        (["build", "--target", "postgres"], "Unknown target 'postgres'"),
        (["load", "/nonexistent/events.csv"], "does not exist"),
    ],
)
def test_user_mistakes_give_one_sentence(argv, message):
    result = runner.invoke(app, argv)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_bounded_options_are_validated_by_the_parser():
    result = runner.invoke(app, ["daily", "--events", "-3"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_the_installed_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "daily" in result.stdout


def test_a_wrong_header_names_the_file_and_the_column(built, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,type\n1,Sent\n")
    result = runner.invoke(app, ["load", str(bad)])
    assert result.exit_code == 2
    assert "bad.csv" in result.output and "event_id" in result.output


def test_a_second_command_on_a_busy_warehouse_fails_fast(state_dir):
    import os
    import time

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from harness.warehouse import hold_warehouse\n"
            "with hold_warehouse():\n    print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = runner.invoke(app, ["build"])
        assert time.monotonic() - started < 10, "fails fast, no waiting"
        assert result.exit_code == 2
        assert f"in use by process {holder.pid}" in result.output
        assert "Traceback" not in result.output
    finally:
        holder.kill()
        holder.wait()


def test_a_parquet_column_of_the_wrong_type_is_named(built, tmp_path):
    import duckdb

    bad = tmp_path / "nested.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            "copy (select ['a', 'b'] as event_id, 'Sent' as event_type, '1' as job_id, "
            "'003x' as subscriber_key, '2026-11-03 10:00:00' as event_date) "
            f"to '{bad}' (format parquet)"
        )
    result = runner.invoke(app, ["load", str(bad)])
    assert result.exit_code == 2
    assert "nested.parquet" in result.output and "event_id" in result.output
    assert "Traceback" not in result.output
