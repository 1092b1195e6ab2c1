"""`mart check-snowflake` on the project, as a user runs it (a process of its own), and on
constructs planted one at a time in the statement that creates a real model, exactly as
dbt-snowflake sent it to the emulator: each DuckDB-only construct or trap is reported with
its rule, the statement unchanged and Snowflake's own look-alikes are not."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from conftest import project_copy, reader_environment, run_example

from harness.snowflake_check import (
    CATALOG,
    HOOKS,
    Statement,
    catalog,
    check,
    statements_from_log,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """The project checked by `mart check-snowflake` in a copy of it; its statements; the
    copy."""
    folder = project_copy(tmp_path_factory.mktemp("check") / "email-mart")
    # What an earlier check left in its folder, a finding since mended: not read again.
    (folder / "state" / "check-snowflake").mkdir(parents=True)
    (folder / "state" / "check-snowflake" / ".check-snowflake").touch()
    (folder / "state" / "check-snowflake" / "statements.jsonl").write_text(
        json.dumps({"query_tag": "", "statement": "select list_value(1, 2)"}) + "\n"
    )
    done = run_example(
        "README.md", ".venv/bin/mart check-snowflake --folder state/check-snowflake", folder
    )
    from harness.dbt import environment, manifest

    checked = folder / "state" / "check-snowflake"
    with environment(MART_EMULATOR_DIR=str(checked / "emulator")):
        parsed = manifest("snowflake_emulator")
    return done, statements_from_log(checked / "statements.jsonl", parsed), folder


def test_the_project_passes_with_no_finding(checked):
    done, statements, _ = checked
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No finding" in done.stdout and "Traceback" not in done.stderr
    kinds = {statement.node.split(".")[0] for statement in statements if statement.node}
    assert {"seed", "model", "test", "unit_test", "source", HOOKS} <= kinds, kinds


def test_the_catalog_covers_every_function_the_project_calls(checked):
    _, statements, _ = checked
    findings = check(statements)
    assert not [f for f in findings if f.rule in ("unknown-function", "arity")]
    functions, _ = catalog()
    assert all(
        spec["page"].startswith("https://docs.snowflake.com/") for spec in functions.values()
    )


def test_the_next_check_parses_only_what_changed(checked):
    """A check keeps dbt's partial parse of both its environments, and the emulator port
    they were made with (dbt parses everything again when the profile, port included,
    changes): given the kept parses, that port and the check's settings, dbt parses no file
    again, for the project's own environment and for production."""
    import shutil
    import subprocess

    from harness.snowflake_check import check_settings

    _, _, folder = checked
    kept = folder / "state" / "check-snowflake-parses"
    port = (kept / "port").read_text()
    following = folder / "state" / "the-next-check"
    for environment, target in (("local", "target"), ("prod", "target-prod")):
        (following / target).mkdir(parents=True)
        shutil.copyfile(kept / environment / "partial_parse.msgpack",
                        following / target / "partial_parse.msgpack")  # fmt: skip
        settings = check_settings(following) | {
            "MART_EMULATOR_PORT": port,
            "DBT_MART_ENVIRONMENT": environment,
            "DBT_TARGET_PATH": str(following / target),
        }
        done = subprocess.run(
            [".venv/bin/dbt", "--debug", "parse", "--target", "snowflake_emulator",
             "--profiles-dir", "profiles"],
            cwd=folder, env=reader_environment(folder) | settings,
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Partial parsing enabled: 0 files deleted, 0 files added, 0 files changed" in (
            done.stdout
        ), (environment, done.stdout[-3000:])


def test_the_next_emulator_listens_on_the_kept_port_once_it_is_free(tmp_path):
    """A port with a listener is taken; once closed, with its connections in TIME_WAIT (as
    the last check's server leaves it), it is free to the next emulator, which binds with
    SO_REUSEADDR; `start(port=...)` uses it."""
    import os
    import socket

    from harness import emulator
    from harness.dbt import environment

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    assert emulator._free_port(port) != port, "a listener holds it"
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()  # the server's side closes first: its end waits in TIME_WAIT
    client.close()
    server.close()
    assert emulator._free_port(port) == port
    with environment(MART_EMULATOR_DIR=str(tmp_path / "emulator"), MART_EMULATOR_PORT="0"):
        try:
            emulator.start(wait=False, port=port)
            assert os.environ["MART_EMULATOR_PORT"] == str(port)
        finally:
            emulator.stop()


def test_a_seed_inserts_a_line_per_row(checked):
    """dbt-snowflake splits every statement it sends with the connector's split_statements,
    whose cost grows with the square of a line's length (macros/load_csv_rows.sql): the
    events seed's 10,000-row inserts, as Snowflake would receive them, hold a row per line."""
    _, statements, _ = checked
    inserts = [
        statement.sql
        for statement in statements
        if statement.node == "seed.email_mart.marketing_cloud_events"
        and statement.sql.lstrip().lower().startswith("insert")
    ]
    assert inserts and sum(len(sql) for sql in inserts) > 1_000_000
    assert max(len(line) for sql in inserts for line in sql.splitlines()) < 10_000


def model_statement(statements) -> Statement:
    """The statement that creates fct_email_events_daily, as the emulator received it."""
    return next(
        statement
        for statement in statements
        if statement.node == "model.email_mart.fct_email_events_daily"
        and statement.sql.lstrip().lower().startswith("create or replace")
    )


# (construct planted in the model's select list, the rule that must name it)
PLANTED = [
    ("list_value(1, 2) as planted", "unknown-function"),
    ("strftime(report_date, '%Y') as planted", "unknown-function"),
    ("epoch_ms(report_date) as planted", "unknown-function"),
    ("regexp_full_match(campaign_id, 'x') as planted", "unknown-function"),
    ("read_csv_auto('x.csv') as planted", "unknown-function"),
    ("sends::int[] as planted", "duckdb-syntax"),
    ("(from marts.dim_campaign select campaign_id limit 1) as planted", "duckdb-syntax"),
    ("'C:\\new' as planted", "backslash-escape"),
    ("'05/01/2026'::timestamp as planted", "text-to-timestamp"),
    ("to_date('05/01/2026') as planted", "text-to-timestamp"),
    ("count(*) / 7 as planted", "integer-division"),
    ("datediff(report_date, report_date, day) as planted", "date-argument-order"),
    ("dateadd(day, 1) as planted", "arity"),
    ('"sends" as planted', "quoted-lowercase"),
    ("1 as select", "parse"),
]
LOOK_ALIKES = [
    "[1, 2] as planted",
    "{'a': 1} as planted",
    "object_construct('a', 1) as planted",
    "'C:\\\\new' as planted",
    "cast('2026-05-01 10:00:00' as timestamp) as planted",
    "count(*) / cast(7 as double) as planted",
    "dateadd(day, 1, report_date) as planted",
]


def plant(statement: Statement, construct: str) -> Statement:
    sql = statement.sql
    select = sql.lower().rindex("select ")  # the model's outermost select
    planted = sql[: select + len("select ")] + construct + ", " + sql[select + len("select ") :]
    return replace(statement, sql=planted)


@pytest.mark.parametrize(("construct", "rule"), PLANTED, ids=[rule for _, rule in PLANTED])
def test_a_planted_construct_is_reported_with_its_rule_and_file(checked, construct, rule):
    statement = model_statement(checked[1])
    assert check([statement]) == [], "the model as it is passes"
    findings = check([plant(statement, construct)])
    assert rule in {finding.rule for finding in findings}, (construct, findings)
    finding = next(finding for finding in findings if finding.rule == rule)
    assert finding.file == "models/marts/fct_email_events_daily.sql"
    assert finding.page.startswith("https://docs.snowflake.com/")
    described = finding.describe()
    assert "fct_email_events_daily" in described and rule in described and "line " in described


@pytest.mark.parametrize("construct", LOOK_ALIKES)
def test_snowflakes_own_constructs_are_not_reported(checked, construct):
    assert check([plant(model_statement(checked[1]), construct)]) == []


def test_qualify_and_exclude_are_snowflake_sql(checked):
    statement = model_statement(checked[1])
    sql = statement.sql.rstrip().rstrip(")")
    assert not check(
        [replace(statement, sql=sql.replace("select *", "select * exclude (sends)", 1))]
    )
    qualified = (
        "select * from marts.dim_campaign qualify row_number() over (order by campaign_id) = 1"
    )
    assert not check([Statement(qualified)])


def test_an_unknown_function_says_where_to_add_it_and_what_to_cite(checked):
    [finding] = check([plant(model_statement(checked[1]), "array_position(x, 1) as planted")])
    assert finding.rule == "unknown-function"
    assert (
        CATALOG.name in finding.message
        and "page of Snowflake's function reference" in finding.message
    )


# Statements for fakesnow's rarer transforms, which the project does not send.
RARER = [
    "select seq_01.nextval",
    "select parse_json('{\"a\": 1}'):a::varchar as a, upper(parse_json('{}'):b) as b",
    "select to_timestamp(1700000000), to_date('2026-01-01'), try_parse_json('[1]')",
    "select sha2('a'), sha2_hex('a', 256), hex_decode_string('41'), random(7)",
    "select array_agg(x) within group (order by x) from t",
    "select array_size(array_construct(1, 2)), object_agg(k, v) from t",
    "select dateadd(day, 1, '2026-01-01'), datediff(day, '2026-01-01', '2026-02-01')",
    "select regexp_replace('a\\\\b', '\\\\\\\\', 'c'), regexp_substr('ab', 'b')",
    "select * from table(flatten(input => parse_json('[1, 2]'))) f",
    "select column1 from values (1), (2)",
    "create table t2 (a varchar(10), b number) as select 'x', 1",
    "alter table t cluster by (a)",
    "show primary keys in database mart",
    "select sum('1'), avg(x) from t where x > 0",
    "select sum(sum(x)) over (), avg(x) from t",
    "select 'x' as c from t sample (10)",
    "select v['a']['b'] as c, regexp_substr(regexp_substr(x, 'a'), 'b') as d from t",
    "select to_number(to_number(x)) as c from t",
    "create tag cost_center",
    "drop tag cost_center",
]


def test_the_emulators_transforms_are_fakesnows(checked):
    """The emulator runs fakesnow's transforms on the nodes each can change
    (harness/emulator_transforms.py) instead of walking every node with each: on every
    statement the project sends and on statements for the rarer transforms, the tree it
    leaves is fakesnow's, and so is any error."""
    import fakesnow
    import fakesnow.cursor
    import snowflake.connector
    from fakesnow.dialect import parse_one

    from harness import emulator_transforms

    assert emulator_transforms.matches_fakesnow()
    statements = [statement.sql for statement in checked[1] if len(statement.sql) < 100_000]
    fakesnows = fakesnow.cursor.FakeSnowflakeCursor._transform
    compared = 0
    with fakesnow.patch(), snowflake.connector.connect(database="MART", schema="PUBLIC") as conn:
        cursor = conn.cursor()
        for sql in [*statements, *RARER]:
            try:
                theirs, ours = parse_one(sql), parse_one(sql)
            except Exception:  # not Snowflake SQL to sqlglot: fakesnow answers it otherwise
                continue
            outcomes = []
            for run, tree in ((fakesnows, theirs), (emulator_transforms.transform, ours)):
                try:
                    done = run(cursor, tree, None)
                    outcomes.append((repr(done), done.sql(dialect="duckdb")))
                except Exception as error:  # the same error is the same outcome
                    outcomes.append((type(error).__name__, str(error)))
            assert outcomes[0] == outcomes[1], sql
            compared += 1
    assert compared > 300
