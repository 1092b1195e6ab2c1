"""The generator at scale (`mart generate`) and the incremental proof (`mart simulate`)."""

from __future__ import annotations

import csv
import datetime as dt

import duckdb
import pytest
from conftest import project_copy, run_example
from typer.testing import CliRunner

from harness import emulator
from harness.cli import app
from harness.dbt import environment
from harness.events import EVENT_TYPES, Behaviour
from harness.generate import (
    SEEDS,
    chunk_table,
    generate,
    load_population,
    plan_chunks,
)
from harness.landing import DuckDBSink, landing_shape
from harness.simulate import PENDING, simulate
from harness.warehouse import connect

START = dt.date(2026, 11, 10)


def seed_column(name: str, column: str) -> set[str]:
    with (SEEDS / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return {row[column] for row in csv.DictReader(handle)}


@pytest.fixture
def landing(tmp_path):
    connection = duckdb.connect(str(tmp_path / "landing.duckdb"))
    connection.execute(f"create table {PENDING} as select * from ({landing_shape()}) limit 0")
    yield connection
    connection.close()


def test_the_population_is_the_crm_plus_a_few_unknown_people_and_campaigns():
    population = load_population(seed=3)
    contacts = seed_column("contact", "id")
    keys = set(population.subscriber_keys)
    with (SEEDS / "contact.csv").open(newline="", encoding="utf-8") as handle:
        opted_out = {
            r["id"]
            for r in csv.DictReader(handle)
            if "true" in (r["has_opted_out_of_email"], r["is_deleted"])
        }
    with (SEEDS / "lead.csv").open(newline="", encoding="utf-8") as handle:
        converted = {r["id"] for r in csv.DictReader(handle) if r["is_converted"] == "true"}
    assert opted_out and converted
    assert contacts - opted_out <= keys, "every contact who did not opt out may be emailed"
    assert not keys & (opted_out | converted), "opted-out, deleted and converted are not"
    unknown = keys - contacts - seed_column("lead", "id")
    assert 0 < len(unknown) < 0.05 * len(keys)
    crm = set(population.campaign_ids[: population.crm_campaigns])
    assert crm <= seed_column("campaign", "id")
    assert not set(population.campaign_ids[population.crm_campaigns :]) & crm


def test_chunks_are_deterministic_per_seed():
    population, b = load_population(seed=3), Behaviour()
    chunk = plan_chunks(START, 1, 20_000, population, b)[0]
    first = chunk_table(chunk, 3, population, b)
    assert first.equals(chunk_table(chunk, 3, population, b))
    assert not first.equals(chunk_table(chunk, 4, population, b))


def test_about_the_requested_rows_per_day_in_chunks_of_bounded_size():
    population, b = load_population(seed=3), Behaviour()
    plan = plan_chunks(START, 2, 1_500_000, population, b)
    assert {chunk.day for chunk in plan} == {START, START + dt.timedelta(days=1)}
    day_one = [chunk for chunk in plan if chunk.day == START]
    assert len(day_one) >= 2  # 1.5M rows never sit in memory at once
    rows = sum(chunk_table(chunk, 3, population, b).num_rows for chunk in day_one)
    assert abs(rows - 1_500_000) < 0.03 * 1_500_000


def test_generated_rows_carry_every_behaviour_and_a_rerun_adds_nothing(landing):
    sink = DuckDBSink(landing, PENDING)
    result = generate(sink, start=START, days=2, events_per_day=30_000, seed=5, bad_rate=0.01)
    assert result.events == landing.execute(f"select count(*) from {PENDING}").fetchone()[0]

    def one(sql: str):
        return landing.execute(sql.replace("{t}", PENDING)).fetchone()[0]

    types = {
        row[0] for row in landing.execute(f"select distinct event_type from {PENDING}").fetchall()
    }
    assert set(EVENT_TYPES) | {"Forwarded"} == types
    assert one("select count(*) - count(distinct event_id) from {t}") > 0  # re-deliveries
    assert one("select count(*) from {t} where event_id is null") > 0  # bad rows
    assert one("select count(*) from {t} where ip_address like '17.%'") > 0  # Apple MPP
    assert one("select count(*) from {t} where user_agent like '%Scanner%'") > 0
    late = """
        select count(*) from {t}
        where event_type in ('Open', 'Click')
          and _loaded_at > try_cast(event_date as timestamp) + interval 30 hour
    """
    assert one(late) > 0
    # SFMC's local time (UTC-6) precedes the landing time (UTC) for good rows.
    assert one("select count(*) from {t} where try_cast(event_date as timestamp) is null") > 0
    assert one("select min(_loaded_at) from {t}") >= dt.datetime(2026, 11, 10, 0, 0)

    again = generate(sink, start=START, days=2, events_per_day=30_000, seed=5, bad_rate=0.01)
    assert (again.events, again.chunks, again.skipped) == (0, 0, result.chunks)


def test_mart_generate_lands_rows_and_says_how_many(tmp_path):
    with environment(MART_DUCKDB_PATH=str(tmp_path / "mart.duckdb")):
        outcome = CliRunner().invoke(
            app,
            ["generate", "--days", "1", "--events-per-day", "4000", "--start-date", "2026-11-12"],
        )
        assert outcome.exit_code == 0, outcome.output
        assert "Landed" in outcome.output and "raw.events" in outcome.output
        with duckdb.connect(str(tmp_path / "mart.duckdb")) as connection:
            landed = connection.execute(
                "select count(*) from raw.events where _load_id like 'gen:42:2026-11-12:%'"
            ).fetchone()[0]
        assert 3_500 < landed < 4_500


@pytest.mark.slow
def test_fifteen_incremental_days_equal_a_full_refresh(tmp_path):
    """15 days: more than twice the longest lateness (opens and clicks land up to 5 days
    late, duplicates up to 3, against a 3-day lookback), with an orphan job every tenth day.
    The README's own command, as written, in a copy of the project: it exits 0 only when
    every model equals the full refresh and every daily build passed every data test."""
    folder = project_copy(tmp_path / "email-mart")
    done = run_example(
        "README.md",
        ".venv/bin/mart simulate --days 15 --events-per-day 800 --seed 9 --start-date 2026-11-10 --bad-rate 0.02",  # noqa: E501 - the README's line
        folder,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "15 incremental days" in done.stdout and "equal a full refresh" in done.stdout
    assert "test failed" not in done.stdout + done.stderr
    with duckdb.connect(str(folder / "state" / "simulate" / "incremental.duckdb")) as connection:

        def one(sql: str):
            return connection.execute(sql).fetchone()[0]

        # The days really exercised the hard cases: events landing days late, duplicates
        # re-delivered on a later day, and quarantined rows.
        assert one(
            "select count(*) from marts.fct_email_events "
            "where cast(loaded_at as date) >= event_date + 2"
        )
        assert one(
            "select count(*) from marts.fct_email_events "
            "where cast(last_loaded_at as date) > cast(loaded_at as date)"
        )
        assert one("select count(*) from audit.audit__rejected_events")
        assert one("select count(*) from marts.dq_orphan_campaign_ids")
        assert one("select count(*) from marts.fct_email_events where not is_known_person")


@pytest.mark.slow
def test_incremental_days_on_the_emulator_equal_a_full_refresh_on_duckdb(tmp_path):
    """The incremental SQL as dbt-snowflake runs it (delete+insert), fed by the bulk path
    (Parquet, PUT, COPY INTO), against a DuckDB full refresh of the same rows."""
    result = simulate(
        tmp_path / "simulate",
        days=2,
        events_per_day=300,
        seed=9,
        start=START,
        bad_rate=0.02,
        target="snowflake_emulator",
    )
    assert result.landed > 400
    assert not result.differs, [r.as_dict() for r in result.results if r.differs]
    with environment(MART_EMULATOR_DIR=str(tmp_path / "simulate" / "emulator")):
        assert not emulator.status().running  # the simulation's emulator was stopped


def test_the_bad_rows_planted_cover_every_rejection_reason():
    """The profile's bad-row kinds (both generators) are the seed's reasons, then the kinds
    that are kept and flagged; one list each, no third copy."""
    from harness.generate import BAD_KINDS
    from harness.settings import rejection_reasons

    reasons = rejection_reasons()
    assert set(BAD_KINDS[: len(reasons)]) == set(reasons)
    assert not set(BAD_KINDS[len(reasons) :]) & set(reasons)


# Per send (SFMC's send: job, list, batch, subscriber) and per event, from landed rows as the
# source writes them, duplicates collapsed by event id.
LANDED_RATES = """
with events as (
    select distinct event_id, event_type, job_id, list_id, batch_id, subscriber_key
    from {relation} where {where}
),

sends as (
    select
        max(case when event_type = 'DeliveredEvent' then 1 else 0 end) as delivered,
        max(case when event_type = 'Open' then 1 else 0 end) as opened,
        max(case when event_type = 'Click' then 1 else 0 end) as clicked,
        max(case when event_type like '%Bounce' then 1 else 0 end) as bounced,
        max(case when event_type = 'Unsubscribe' then 1 else 0 end) as unsubscribed
    from events
    group by job_id, list_id, batch_id, subscriber_key
    having max(case when event_type = 'Sent' then 1 else 0 end) = 1
)

select 'sends', count(*), count(*) from sends
union all select 'delivered', sum(delivered), count(*) from sends
union all select 'opened', sum(opened), count(*) from sends
union all select 'clicked', sum(clicked), count(*) from sends
union all select 'bounced', sum(bounced), count(*) from sends
union all select 'unsubscribed', sum(unsubscribed), count(*) from sends
union all
select 'events: ' || event_type, count(*), (select count(*) from events) from events group by 1
union all
select 'duplicate rows', count(*) - count(distinct event_id), count(*) from {relation}
where {where}
"""


MOCK_DAY, MOCK_EVENTS, MOCK_SEED = "2026-11-02", 20_000, 7
EVERYTHING = "2100-01-01 00:00:00"  # landed_by: every row of the day's sends, however late


@pytest.fixture(scope="module")
def mock_warehouses(tmp_path_factory):
    """Two seeded warehouses: `whole` holds every row drawn for MOCK_DAY's run (the day
    before's sends, whenever they arrive); `daily` the mock exports of two consecutive runs."""
    from harness.dbt import run_dbt
    from harness.jobs import insert_mock_events

    folder = tmp_path_factory.mktemp("mock")
    paths = {"whole": folder / "whole.duckdb", "daily": folder / "daily.duckdb"}
    for name, path in paths.items():
        with environment(MART_DUCKDB_PATH=str(path)):
            run_dbt(["seed"], quiet=True)
            run_dbt(["run-operation", "ensure_events_landing_table"], quiet=True)
            if name == "whole":
                insert_mock_events(MOCK_DAY, MOCK_EVENTS, MOCK_SEED, "duckdb", landed_by=EVERYTHING)
    return paths


def test_the_dbt_macro_and_the_python_generator_draw_the_same_day(mock_warehouses):
    """One profile, two generators: on the same day and seed, the share of sends delivered,
    opened, clicked, bounced and unsubscribed, the mix of event types and the duplicate
    share agree within four standard errors of a two-proportion test (n ~ 7,000 sends each:
    an open rate four points apart fails)."""
    from harness.exports import FileSink

    with connect(mock_warehouses["whole"], read_only=True) as connection:
        sql = LANDED_RATES.format(
            relation="raw.events", where=f"_load_id = 'mock:{MOCK_DAY}:{MOCK_SEED}'"
        )
        macro = {name: (hits, n) for name, hits, n in connection.execute(sql).fetchall()}
    sink = FileSink()
    generate(
        sink,
        start=dt.date.fromisoformat(MOCK_DAY),
        days=1,
        events_per_day=MOCK_EVENTS,
        seed=MOCK_SEED,
    )
    python = {
        name: (hits, n)
        for name, hits, n in sink.connection.execute(
            LANDED_RATES.format(relation="landed", where="true")
        ).fetchall()
    }

    assert macro["sends"][0] > 5_000 and python["sends"][0] > 5_000, (macro, python)
    assert set(macro) == set(python), "the same event types"
    assert "events: Complaint" in macro, "complaints are drawn too"
    apart = {}
    for name in sorted(set(macro) - {"sends"}):
        (a, n), (b, m) = macro[name], python[name]
        pooled = (a + b) / (n + m)
        error = (pooled * (1 - pooled) * (1 / n + 1 / m)) ** 0.5
        if abs(a / n - b / m) > 4 * error + 1e-12:
            apart[name] = (round(a / n, 4), round(b / m, 4), round(4 * error, 4))
    assert not apart, f"(macro, python, allowed difference): {apart}"


def test_a_mock_day_lands_what_has_arrived_and_the_next_day_the_rest(mock_warehouses):
    """The daily job on D lands the export its 06:00 UTC run finds: the sends of D-1 and
    what arrived by then, nothing dated after D; the run on D+1 lands what arrived since,
    late opens and re-delivered duplicates of D-1's sends included. Against every row drawn
    for D-1's sends (the `whole` warehouse): nothing lands early, twice or never."""
    from harness.jobs import insert_mock_events

    day = dt.date.fromisoformat(MOCK_DAY)
    following = (day + dt.timedelta(days=1)).isoformat()
    with environment(MART_DUCKDB_PATH=str(mock_warehouses["daily"])):
        insert_mock_events(MOCK_DAY, MOCK_EVENTS, MOCK_SEED, "duckdb")
        insert_mock_events(following, MOCK_EVENTS, MOCK_SEED, "duckdb")
        again = insert_mock_events(following, MOCK_EVENTS, MOCK_SEED, "duckdb")
    assert again.startswith("nothing new arrived"), again
    key = "event_id, event_type, _loaded_at, event_date"
    with connect(mock_warehouses["whole"], read_only=True) as connection:
        whole = connection.execute(f"select {key} from raw.events").fetchall()
    with connect(mock_warehouses["daily"], read_only=True) as connection:
        first = connection.execute(
            f"select {key} from raw.events where _load_id = 'mock:{MOCK_DAY}:{MOCK_SEED}'"
        ).fetchall()
        second = connection.execute(
            f"select {key} from raw.events where _load_id = 'mock:{following}:{MOCK_SEED}'"
        ).fetchall()
    cutoff = dt.datetime.combine(day, dt.time(6))
    next_cutoff = cutoff + dt.timedelta(days=1)
    # SFMC's EventDate is CST without daylight saving: UTC-6.
    happened = [dt.datetime.fromisoformat(row[3]) + dt.timedelta(hours=6) for row in first]
    assert max(row[2] for row in first) <= cutoff and max(happened) <= cutoff
    assert sorted(first) == sorted(row for row in whole if row[2] <= cutoff)
    ids = {row[0] for row in whole}
    carried = [row for row in second if row[0] in ids]
    assert len(carried) == len({row for row in carried}), "nothing lands twice"
    assert sorted(carried) == sorted(row for row in whole if cutoff < row[2] <= next_cutoff)
    assert carried, "late rows of the day before's sends arrive with the next run"
    assert len(first) < len(whole), "some rows of D-1's sends arrive after D's run"


def test_a_mock_day_dated_today_or_later_lands_nothing_after_now(tmp_path):
    """Run today before 06:00 UTC, or for a date to come: only rows that have already
    arrived land (the run's moment is now), so freshness never reads a future load."""
    from harness.dbt import run_dbt
    from harness.jobs import insert_mock_events

    path = tmp_path / "today.duckdb"
    today = dt.datetime.now(dt.UTC).date()
    with environment(MART_DUCKDB_PATH=str(path)):
        run_dbt(["seed", "--select", "campaign", "contact", "lead"], quiet=True)
        for offset in (0, 1):
            insert_mock_events((today + dt.timedelta(days=offset)).isoformat(), 2_000, 5, "duckdb")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with connect(path, read_only=True) as connection:
        rows, latest = connection.execute(
            "select count(*), max(_loaded_at) from raw.events"
        ).fetchone()
    assert rows > 0 and latest <= now
