"""The `mart` CLI as a user runs it, a process of its own: a user mistake gets exit code 1 or
2 and one sentence on stderr naming the problem and the fix, never a traceback. (Click's
CliRunner catches exceptions itself, so only a real process can show a traceback.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

MART = (sys.executable, "-m", "harness.cli")


def mart(*args: str, user: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """`mart ARGS` in a new process with extra environment variables, as `user` if given
    (only when the tests run as root: a read-only file or folder binds everyone else)."""
    preexec = None
    if user is not None:
        import pwd

        account = pwd.getpwnam(user)

        def preexec():
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)

    return subprocess.run(
        MART + args,
        capture_output=True,
        text=True,
        env=os.environ | env | {"COLUMNS": "200"},
        preexec_fn=preexec,
        timeout=600,
        check=False,
    )


def one_sentence(result: subprocess.CompletedProcess, *words: str) -> str:
    """The one line a failed command wrote to stderr; it says each of `words`."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode in (1, 2), output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def test_help_lists_the_commands():
    result = mart("--help")
    assert result.returncode == 0
    for command in ("seeds", "build", "daily", "load", "alerts", "diff"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["daily", "--date", "2026-02-30"], ["--date '2026-02-30'", "YYYY-MM-DD"]),
        (["generate", "--start-date", "2026/11/01"], ["--start-date '2026/11/01'", "YYYY-MM-DD"]),
        (["daily", "--target", "oracle"], ["Unknown target 'oracle'", "duckdb"]),
        (["build", "--target", "postgres"], ["Unknown target 'postgres'"]),
        (["load", "/nonexistent/events.csv"], ["does not exist", "path of an export file"]),
    ],
)
def test_user_mistakes_give_one_sentence(argv, words):
    one_sentence(mart(*argv), *words)


def test_bounded_options_are_validated_by_the_parser():
    result = mart("daily", "--events", "-3")
    assert result.returncode == 2 and "Traceback" not in result.stdout + result.stderr
    assert "Invalid value for '--events'" in result.stderr


def test_a_warehouse_under_a_file_is_named_with_the_fix(tmp_path):
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("")
    result = mart("build", MART_DUCKDB_PATH=str(a_file / "mart.duckdb"))
    one_sentence(result, str(a_file), "cannot be created", "MART_DUCKDB_PATH")


def test_a_warehouse_where_nobody_may_write_is_named_with_the_fix():
    result = mart("build", MART_DUCKDB_PATH="/sys/mart.duckdb")
    one_sentence(result, "/sys/mart.duckdb", "MART_DUCKDB_PATH")


def test_check_snowflake_leaves_a_folder_it_did_not_make_untouched(tmp_path):
    """A check clears its own emulator and statement log; in a folder holding an emulator
    no check made (`--folder state`: the one `mart build --target snowflake_emulator`
    keeps), it stops before touching anything."""
    kept = tmp_path / "emulator" / "data" / "MART.duckdb"
    kept.parent.mkdir(parents=True)
    kept.write_text("a warehouse")
    result = mart("check-snowflake", "--folder", str(tmp_path))
    one_sentence(result, str(tmp_path), "no check made", "--folder")
    assert kept.read_text() == "a warehouse"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["emulator"]


def test_alerts_on_a_warehouse_never_built_say_to_build(tmp_path):
    import duckdb

    path = tmp_path / "loaded.duckdb"
    with duckdb.connect(str(path)) as connection:  # landed, as `mart load` leaves it
        connection.execute("create schema raw; create table raw.events (event_id varchar)")
    one_sentence(mart("alerts", MART_DUCKDB_PATH=str(path)), "mart build", "mart daily")


def test_read_only_commands_open_the_warehouse_read_only(built, tmp_path):
    """`mart alerts` and `mart diff` only read, so they open the file read-only: they run
    while another process reads it (DuckDB refuses a read-write open then, whoever the user),
    and on a file in a folder nobody may write to (no lock file needed)."""
    from harness.settings import duckdb_path
    from harness.warehouse import connect

    copy = tmp_path / "mart.duckdb"  # the session warehouse's name: its manifest
    with connect() as connection:
        connection.execute("checkpoint")
        shutil.copy(duckdb_path(), copy)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            f"connection = duckdb.connect({str(copy)!r}, read_only=True)\n"
            "print('reading', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "reading"
        alerts = mart("alerts", MART_DUCKDB_PATH=str(copy))
        assert alerts.returncode in (0, 1), alerts.stdout + alerts.stderr
        assert "alerts" in alerts.stdout.lower()
        diff = mart(
            "diff", "--left", "duckdb", "--right", f"duckdb:{copy}", "--select", "dim_campaign",
            MART_DUCKDB_PATH=str(copy),
        )  # fmt: skip
        assert diff.returncode == 0, diff.stdout + diff.stderr
    finally:
        reader.kill()
        reader.wait()
    tmp_path.chmod(0o555)  # no lock file can be made beside it: reading needs none
    try:
        if os.access(tmp_path, os.W_OK):
            return  # root may write anyway; the reader above proved the read-only open
        alerts = mart("alerts", MART_DUCKDB_PATH=str(copy))
        assert alerts.returncode in (0, 1), alerts.stdout + alerts.stderr
    finally:
        tmp_path.chmod(0o755)


def test_a_selection_that_matches_nothing_says_so(tmp_path):
    result = mart("build", "--select", "dim_campaing", MART_DUCKDB_PATH=str(tmp_path / "m.duckdb"))
    one_sentence(result, "'dim_campaing'", "matches no model", "dbt ls --select")


def test_a_wrong_header_names_the_file_and_the_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,type\n1,Sent\n")
    one_sentence(mart("load", str(bad)), "bad.csv", "event_id")


def test_a_parquet_column_of_the_wrong_type_is_named(tmp_path):
    import duckdb

    bad = tmp_path / "nested.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            "copy (select ['a', 'b'] as event_id, 'Sent' as event_type, '1' as job_id, "
            "'003x' as subscriber_key, '2026-11-03 10:00:00' as event_date) "
            f"to '{bad}' (format parquet)"
        )
    one_sentence(mart("load", str(bad)), "nested.parquet", "event_id")


def test_a_second_command_on_a_busy_warehouse_fails_fast(tmp_path):
    path = tmp_path / "busy.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from harness.warehouse import hold_warehouse\n"
            "with hold_warehouse():\n    print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"MART_DUCKDB_PATH": str(path)},
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = mart("build", MART_DUCKDB_PATH=str(path))
        assert time.monotonic() - started < 10, "fails fast, no waiting"
        one_sentence(result, f"in use by process {holder.pid}", "MART_DUCKDB_PATH")
    finally:
        holder.kill()
        holder.wait()
