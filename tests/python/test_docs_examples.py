"""Every shell and SQL example of README.md and docs/*.md runs as written.

They run in order, as a reader follows them, in a copy of the project (its own state/,
target/ and exports/; nothing is written into the project tree) with none of the test
session's settings (conftest.reader_environment). A comment before a fence may change what is
expected, and must say why (docs_examples.py): `skip` (it needs Snowflake credentials, or
is the suite itself), `exit N` (its documented outcome), or `in test_<module>.py` (the module
that checks what the example leaves runs it there, through conftest.run_example: the
emulator's examples, the 15-day replay). An example passes when it exits as expected with no
traceback; a SQL example runs against the copy's DuckDB warehouse.
"""

from __future__ import annotations

import subprocess

import pytest
from conftest import project_copy, reader_environment
from docs_examples import MARKER, examples

from harness import PROJECT_DIR

pytestmark = pytest.mark.slow

EXAMPLES = examples()


def test_every_marker_names_its_reason():
    assert len(EXAMPLES) >= 10, "the README's examples were found"
    for example in EXAMPLES:
        if example.marker is not None:
            assert MARKER.fullmatch(example.marker), (example.name, example.marker)


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    """A copy of the project and the environment of a reader in its root."""
    folder = project_copy(tmp_path_factory.mktemp("reader") / "email-mart")
    environment = reader_environment(folder)
    yield folder, environment
    # An example may have started the copy's emulator.
    subprocess.run(
        [".venv/bin/mart", "emulator", "stop"], cwd=folder, env=environment, check=False,
        capture_output=True,
    )  # fmt: skip


def test_the_first_hour_is_quiet_and_clean(reader):
    """A newcomer's first runs, in the reader's fresh copy: the README's first command, then
    `mart daily` for the next two dates; each exits 0 in at most 50 lines before its table of
    open alerts (whose length depends on the day's data), and `mart alerts` after each exits
    0 (no error-level alert: no false alarm). Each names dbt's log, which holds that run's dbt
    invocations."""
    import datetime as dt
    import re

    folder, environment = reader
    today = dt.datetime.now(dt.UTC).date()
    first = EXAMPLES[0]
    assert first.first_command == "bash ci/setup.sh && .venv/bin/mart daily"
    runs = [["bash", "-c", first.body]] + [
        [".venv/bin/mart", "daily", "--date", (today + dt.timedelta(days=n)).isoformat()]
        for n in (1, 2)
    ]
    logged = 0  # dbt invocations in dbt's log so far
    for command in runs:
        done = subprocess.run(
            command, cwd=folder, env=environment, capture_output=True, text=True, check=False
        )
        output = done.stdout + done.stderr
        lines = [line for line in output.splitlines() if "RequestsDependencyWarning" not in line
                 and not line.strip().startswith("warnings.warn")]  # fmt: skip
        assert done.returncode == 0 and "Traceback" not in output, output
        alerts_at = next((n for n, line in enumerate(lines) if "Open alerts" in line), len(lines))
        assert alerts_at <= 50, f"{command}: {alerts_at} lines before the alerts\n{output}"
        [log] = re.findall(r"^dbt's log: (.+)$", output, re.MULTILINE)
        invocations = re.findall(r"Running with dbt=", (folder / log).read_text())
        assert len(invocations) > logged, f"{command}: nothing of this run in {log}"
        logged = len(invocations)
        alerts = subprocess.run(
            [".venv/bin/mart", "alerts"], cwd=folder, env=environment,
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert alerts.returncode == 0, alerts.stdout + alerts.stderr


# The first example (set-up and the first daily run) is the first hour's first command,
# run there as written with stricter checks; the others follow it, as a reader does.
@pytest.mark.parametrize("example", EXAMPLES[1:], ids=[example.name for example in EXAMPLES[1:]])
def test_the_example_runs_as_written(reader, example):
    folder, environment = reader
    expected = 0
    if example.marker is not None:
        marker = MARKER.fullmatch(example.marker)
        if marker["skip"]:
            pytest.skip(f"{example.name}: {marker['why']}")
        if marker["module"]:
            source = (PROJECT_DIR / "tests" / "python" / marker["module"]).read_text()
            assert "run_example(" in source and example.first_command in source, (
                f"{marker['module']} does not run {example.name} through run_example"
            )
            return
        expected = int(marker["code"])
    if example.language == "sql":
        import duckdb

        with duckdb.connect(str(folder / "state" / "mart.duckdb"), read_only=True) as connection:
            connection.execute(example.body).fetchall()
        return
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", example.body],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    assert done.returncode == expected, f"{example.name} exited {done.returncode}:\n{output}"
