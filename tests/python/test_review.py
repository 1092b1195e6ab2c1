"""`mart review` on throwaway branches of a copy of the project (a git repository of its
own), as a user runs it: a process in the copy, the base built once and cached, each change
in the working tree reviewed against it. Expected figures are recomputed here from the two
warehouses the review leaves, not read from its own code."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml
from conftest import project_copy, reader_environment, run_example

pytestmark = pytest.mark.slow


def git(folder, *arguments: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=review", "-c", "user.email=review@example.com", *arguments],
        cwd=folder, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def mart(folder, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *arguments],
        cwd=folder, env=reader_environment(folder) | {"COLUMNS": "200"},
        capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    """A copy of the project as a repository whose main holds one commit."""
    folder = project_copy(tmp_path_factory.mktemp("review") / "email-mart")
    (folder / ".gitignore").write_text(
        (folder / ".gitignore").read_text() + "\n.venv\nstate/\ntarget/\nlogs/\n"
    )
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "base")
    return folder


def review(folder) -> tuple[subprocess.CompletedProcess, str]:
    """The README's review command, as written, on the change in the working tree."""
    done = run_example("README.md", ".venv/bin/mart review --markdown review.md", folder)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    report = (folder / "review.md").read_text()
    git(folder, "checkout", "-q", "--", ".")  # the branch is thrown away
    return done, report


def base_and_head(folder):
    """The two warehouses the last review compared."""
    base = git(folder, "rev-parse", "HEAD")
    [cached] = (folder / "state" / "review").glob(f"{base[:12]}-*")
    return cached / "mart.duckdb", folder / "state" / "review" / "head" / "mart.duckdb"


def attached(folder):
    import duckdb

    before, after = base_and_head(folder)
    connection = duckdb.connect()
    connection.execute(f"attach '{before}' as before (read_only)")
    connection.execute(f"attach '{after}' as after (read_only)")
    return connection


def test_a_comment_reads_no_data_change(repository):
    model = repository / "models" / "marts" / "dim_campaign.sql"
    model.write_text(model.read_text() + "\n-- a reviewer asked for this comment\n")
    done, report = review(repository)
    assert "No data change" in done.stdout
    assert "**No data change** in the 1 touched model(s): `dim_campaign`." in report


def test_a_wider_machine_open_window_moves_the_flags_and_the_human_open_rate(repository):
    project = repository / "dbt_project.yml"
    text = project.read_text()
    assert "\n  machine_open_seconds: 2\n" in text
    project.write_text(
        text.replace("\n  machine_open_seconds: 2\n", "\n  machine_open_seconds: 3600\n")
    )
    _, report = review(repository)
    with attached(repository) as connection:
        machine = connection.execute(
            "select count(*) from before.marts.fct_email_events b "
            "join after.marts.fct_email_events a using (event_id) "
            "where a.is_machine_open <> b.is_machine_open"
        ).fetchone()[0]
        human = connection.execute(
            "select count(*) from before.marts.fct_email_sends b "
            "join after.marts.fct_email_sends a using (send_id) "
            "where a.is_human_opened <> b.is_human_opened"
        ).fetchone()[0]
        rates = [
            connection.execute(
                f"select count_if(is_human_opened) / count_if(is_delivered) "
                f"from {side}.marts.fct_email_sends"
            ).fetchone()[0]
            for side in ("before", "after")
        ]
    assert machine > 0 and human > 0
    assert f"`fct_email_events.is_machine_open`: {machine:,} rows" in report
    assert f"`fct_email_sends.is_human_opened`: {human:,} rows" in report
    expected = (
        f"Human unique open rate {rates[0]:.1%} → {rates[1]:.1%} "
        f"({(rates[1] - rates[0]) * 100:+.1f} pt)"
    )
    assert expected in report, (expected, report)
    assert "| `fct_email_events` | breaking |" in report


def test_a_renamed_column_is_one_removed_and_one_added(repository):
    model = repository / "models" / "marts" / "dim_campaign.sql"
    text = model.read_text()
    assert "        campaigns.budgeted_cost,\n" in text
    model.write_text(
        text.replace(
            "        campaigns.budgeted_cost,\n", "        campaigns.budgeted_cost as budget,\n"
        )
    )
    done, report = review(repository)
    line = next(line for line in report.splitlines() if line.startswith("| `dim_campaign` |"))
    assert "breaking" in line and "added `budget`" in line and "removed `budgeted_cost`" in line
    assert "column budget added" in done.stdout and "column budgeted_cost removed" in done.stdout


@pytest.mark.parametrize(("moved", "differs"), [(0.0005, False), (0.01, True)])
def test_a_float_within_its_declared_tolerance_is_no_difference(repository, moved, differs):
    """delivery_rate declares an absolute tolerance of 0.001 in the models' YAML: a value
    that moves by 0.0005 is equal, by 0.01 it is a difference."""
    schema = repository / "models" / "marts" / "_marts__models.yml"
    document = yaml.safe_load(schema.read_text())
    daily = next(m for m in document["models"] if m["name"] == "fct_email_events_daily")
    column = next(c for c in daily["columns"] if c["name"] == "delivery_rate")
    column.setdefault("meta", {})["diff_tolerance"] = {"absolute": 0.001}
    schema.write_text(yaml.safe_dump(document, sort_keys=False))
    model = repository / "models" / "marts" / "fct_email_events_daily.sql"
    text = model.read_text()
    assert text.rstrip().endswith("select * from final")
    moved_sql = f"select * replace (delivery_rate + {moved} as delivery_rate) from final"
    model.write_text(text.rstrip().removesuffix("select * from final") + moved_sql + "\n")
    _, report = review(repository)
    line = next(
        (line for line in report.splitlines() if line.startswith("| `fct_email_events_daily` |")),
        "",
    )
    if differs:
        assert "breaking" in line and "`delivery_rate`" in line, report
    else:
        # Equal within its tolerance (the audit that recomputes the rate exactly still sees
        # the shift, and says so on its own line).
        assert "| no data change |" in line, report


def test_the_second_review_reuses_the_base(repository):
    done, _ = review(repository)
    assert "base cached" in done.stdout or "Building the base" not in done.stdout


@pytest.mark.parametrize(
    ("setup", "arguments", "words"),
    [
        (None, ["--base", "no-such-branch"], ["no commit 'no-such-branch'", "--base"]),
        ("dirty", ["--head", "HEAD"], ["uncommitted changes", "--head"]),
        ("not a repository", [], ["not a git repository", "clone"]),
    ],
)
def test_bad_input_gets_one_sentence(repository, tmp_path, setup, arguments, words):
    folder = repository
    if setup == "dirty":
        model = repository / "models" / "marts" / "dim_campaign.sql"
        model.write_text(model.read_text() + "\n-- not committed\n")
    if setup == "not a repository":
        folder = project_copy(tmp_path / "no-git")
    try:
        done = mart(folder, "review", *arguments)
    finally:
        git(repository, "checkout", "-q", "--", ".")
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.strip()]
    assert line.startswith("error: ") and all(word in line for word in words), line
    assert not re.search(r"^\s+File ", done.stderr, re.M)
