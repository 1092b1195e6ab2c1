"""Marketing Cloud's own exports (`mart load --format sfmc-data-views|tracking-extract`):
recognised, mapped, keyed and landed; and the round trip: generated events written as SFMC's
files, loaded and built, give the marts that generating straight into the warehouse gives,
apart from what the formats cannot carry."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness import emulator
from harness.cli import app
from harness.dbt import environment, run_dbt
from harness.errors import UserError
from harness.exports import FileSink, read_exports, read_sfmc_files
from harness.generate import generate
from harness.settings import landing_columns

START, DAYS, PER_DAY, SEED = dt.date(2026, 11, 10), 2, 3000, 7
SHARED = "AccountID,JobID,ListID,BatchID,SubscriberID,SubscriberKey,EventDate,Domain"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The same generated events, written as data views and as a tracking extract."""
    folder = tmp_path_factory.mktemp("sfmc")
    sink = FileSink()
    generate(sink, start=START, days=DAYS, events_per_day=PER_DAY, seed=SEED)
    return {
        "views": sink.write("sfmc-data-views", folder / "views"),
        "extract": sink.write("tracking-extract", folder / "extract"),
        "folder": folder,
    }


def rows(batches) -> list[dict]:
    return [row for batch in batches for row in batch.rows.to_pylist()]


def data_view_batches(exported):
    files = exported["views"]
    return read_exports(files, "sfmc-data-views", files[-1])  # the mapping is the last file


def test_both_formats_land_the_same_rows(exported):
    views = rows(data_view_batches(exported))
    extract_files = exported["extract"]
    extract = rows(read_exports(extract_files[:1], "tracking-extract", extract_files[1]))
    assert len(views) == len(extract) > 3000
    assert {r["event_id"] for r in views} == {r["event_id"] for r in extract}
    # The same rows in every column both formats carry (so one round trip proves both).
    carried = ("event_type", "account_id", "job_id", "list_id", "batch_id", "subscriber_id",
               "subscriber_key", "campaign_id", "event_date", "email_domain", "url",
               "link_name", "bounce_category", "smtp_code")  # fmt: skip
    by_id = {r["event_id"]: r for r in extract}
    assert all(all(r[c] == by_id[r["event_id"]][c] for c in carried) for r in views)
    assert len({r["event_id"] for r in views}) == len(views), "each event once"
    # Every row: the landing layout, a type the view implies, a campaign from the mapping.
    assert set(views[0]) == {*landing_columns(), "_loaded_at"}
    kinds = {r["event_type"] for r in views}
    assert kinds == {"Sent", "Open", "Click", "HardBounce", "SoftBounce", "OtherBounce",
                     "Unsubscribe", "Complaint"}  # fmt: skip
    assert sum(r["campaign_id"] is not None for r in views) > 0.9 * len(views)
    assert {r["is_unique"] for r in views if r["event_type"] != "Sent"} == {"True", "False"}
    assert all(r["ip_address"] is None and r["user_agent"] is None for r in views)


def test_the_event_id_is_md5_of_the_natural_key(tmp_path):
    """Computed here from the documented key, independently of the loader's SQL."""
    click = tmp_path / "_Click_2026-11-10.csv"
    click.write_text(
        SHARED + ",IsUnique,URL\n"
        "514009876,11,1125,7,40000022,0035g000xjzwJkDAAU,9/1/2026 7:08:30 AM,x.com,True,"
        "https://example.com/a\n"
    )
    (row,) = rows(read_sfmc_files([click], "sfmc-data-views"))
    key = "Click|11|1125|7|40000022|9/1/2026 7:08:30 AM|https://example.com/a"
    assert row["event_id"] == hashlib.md5(key.encode()).hexdigest()
    assert (row["event_type"], row["event_date"], row["is_unique"]) == (
        "Click",
        "9/1/2026 7:08:30 AM",
        "True",
    )


def test_no_email_address_reaches_the_landing_rows(exported):
    extract_files = exported["extract"]
    with zipfile.ZipFile(extract_files[0]) as archive:
        assert "@" in archive.read("Opens.csv").decode(), "the extract does carry addresses"
    landed = rows(read_exports(extract_files[:1], "tracking-extract", extract_files[1]))
    assert not any("@" in str(value) for row in landed for value in row.values())
    assert all(row["email_domain"] for row in landed)


def test_complaints_bounce_kinds_and_bytes_that_are_not_utf8(tmp_path):
    complaint = tmp_path / "_Complaint_2026-11-10.csv"
    complaint.write_text(SHARED + ",IsUnique\n1,11,1,1,5,003A,2026-11-10 10:00:00,x.com,1\n")
    bounce = tmp_path / "bounces.csv"  # named as the view, in other words
    bounce.write_bytes(
        (SHARED + ",IsUnique,BounceCategory,SMTPCode\n").encode()
        + b"1,11,1,1,5,003A,2026-11-10 10:00:00,x.com,1,Hard bounce,550\n"
        + b"1,11,1,1,6,003B,2026-11-10 10:00:00,x.com,1,Soft bounce,452\n"
        + b"1,11,1,1,7,003C,2026-11-10 10:00:00,x.com,1,Block bounce,554\n"
        + b"1,11,1,1,8,003D,2026-11-10 10:00:00,x\xff.com,1,Technical/Other bounce,500\n"
    )
    landed = rows(read_sfmc_files([complaint, bounce], "sfmc-data-views"))
    assert [r["event_type"] for r in landed] == [
        "Complaint",
        "HardBounce",
        "SoftBounce",
        "OtherBounce",
        "OtherBounce",
    ]
    assert "\ufffd" in landed[-1]["email_domain"], "kept, for staging to quarantine"


@pytest.mark.parametrize(
    ("name", "header", "message"),
    [
        ("export.csv", SHARED + ",IsUnique", "fit _Open, _Unsubscribe, _Complaint; name the file"),
        ("export.csv", "id,type,when", "looks most like"),
        ("_Open_1.csv", "JobID,ListID,EventDate", "named like data view _Open but has no column"),
        ("_Sent_1.csv", SHARED + ",Colour", "has column(s) colour that _Sent does not have"),
    ],
)
def test_a_file_that_is_no_data_view_fails_whole_in_one_sentence(tmp_path, name, header, message):
    file = tmp_path / name
    file.write_text(header + "\n" + ",".join("1" * len(header.split(","))) + "\n")
    with pytest.raises(UserError, match=re.escape(message)):
        read_sfmc_files([file], "sfmc-data-views")


def test_a_click_or_bounce_is_told_by_its_header_alone(tmp_path):
    file = tmp_path / "export.csv"
    file.write_text(SHARED + ",URL\n1,11,1,1,5,003A,2026-11-10 10:00:00,x.com,https://a\n")
    assert rows(read_sfmc_files([file], "sfmc-data-views"))[0]["event_type"] == "Click"


def test_campaigns_map_by_job_or_by_email_name(tmp_path):
    sent = tmp_path / "_Sent_1.csv"
    sent.write_text(
        SHARED + "\n1,11,1,1,5,003A,2026-11-10 10:00:00,x.com\n"
        "1,12,1,1,5,003A,2026-11-10 10:00:00,x.com\n1,13,1,1,5,003A,2026-11-10 10:00:00,x.com\n"
    )
    job = tmp_path / "_Job.csv"
    job.write_text("JobID,EmailName,FromName\n12,Spring sale,Shop\n")
    mapping = tmp_path / "campaigns.csv"
    mapping.write_text("job_id,email_name,campaign_id\n11,,701A\n,Spring sale,701B\n")
    landed = rows(read_exports([sent, job], "sfmc-data-views", mapping))
    assert [(r["job_id"], r["campaign_id"]) for r in landed] == [
        ("11", "701A"),
        ("12", "701B"),
        ("13", None),
    ]
    mapping.write_text("job_id,campaign_id\n11,701A\n11,701C\n")
    with pytest.raises(UserError, match="maps job 11 to two campaigns"):
        read_exports([sent], "sfmc-data-views", mapping)
    mapping.write_text("job,campaign\n11,701A\n")
    with pytest.raises(UserError, match="needs a header with campaign_id"):
        read_exports([sent], "sfmc-data-views", mapping)


def test_mart_load_names_a_bad_file_and_lands_nothing(built, tmp_path):
    good = tmp_path / "_Sent_1.csv"
    good.write_text(SHARED + "\n1,11,1,1,5,003A,2026-11-10 10:00:00,x.com\n")
    bad = tmp_path / "_Open_1.csv"
    bad.write_text("JobID\n1\n")
    before = duckdb_count("select count(*) from raw.events")
    result = CliRunner().invoke(app, ["load", "--format", "sfmc-data-views", str(good), str(bad)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "_Open_1.csv" in result.output and "JobID" in result.output
    assert duckdb_count("select count(*) from raw.events") == before, "nothing landed"


def duckdb_count(sql: str, path=None) -> int:
    """One number from a warehouse file (the session's by default), opened as dbt opens it."""
    from harness.warehouse import connect

    with connect(Path(path) if path else None) as db:
        return db.execute(sql).fetchone()[0]


# --- the round trip ---------------------------------------------------------------------------

# What the formats carry, compared column by column; what they cannot carry, named.
CARRIED = (
    "sends", "delivered_sends", "bounced_sends", "hard_bounced_sends", "soft_bounced_sends",
    "opened_sends", "clicked_sends", "human_clicked_sends", "unsubscribed_sends", "send_events",
    "open_events", "click_events", "suspected_bot_click_events", "bounce_events",
    "unsubscribe_events",
)  # fmt: skip
# No user agent or IP address: Apple's proxy is seen only by its timing (machine opens and so
# human opens differ); no DeliveredEvent: delivery is "sent and not bounced" (equal here,
# since the generator delivers every send that does not bounce, but delivered_events differ).
NOT_CARRIED = ("machine_open_events", "human_opened_sends", "delivered_events")


def daily(path) -> dict[tuple, tuple]:
    columns = ", ".join(CARRIED + NOT_CARRIED)
    from harness.warehouse import connect

    with connect(Path(path)) as db:
        return {
            (day, campaign): values
            for day, campaign, *values in db.execute(
                f"select report_date, campaign_id, {columns} from marts.fct_email_events_daily"
            ).fetchall()
        }


def build_loaded(folder, files, export_format, mapping, target="duckdb"):
    """A fresh warehouse: the CRM's seeds loaded, the files loaded, everything built but the
    unit tests (they read fixed inputs, not these files). (Files loaded into a warehouse
    already built are test_mart.py's extra_loads.)"""
    runner = CliRunner()
    with environment(
        MART_DUCKDB_PATH=str(folder / "mart.duckdb"), MART_EMULATOR_DIR=str(folder / "emulator")
    ):
        run_dbt(["seed"], target=target, quiet=True)
        for step in (
            ["load", "--format", export_format, "--campaigns", str(mapping), "--target", target]
            + [str(f) for f in files],
            ["build", "--target", target, "--no-unit-tests"],
        ):
            outcome = runner.invoke(app, step)
            assert outcome.exit_code == 0, (step, outcome.output)
        assert "data tests" in outcome.output and "unit tests" not in outcome.output
    return folder / "mart.duckdb"


@pytest.fixture(scope="module")
def straight(exported, tmp_path_factory):
    """The same events generated straight into a warehouse."""
    folder = tmp_path_factory.mktemp("straight")
    with environment(MART_DUCKDB_PATH=str(folder / "mart.duckdb")):
        runner = CliRunner()
        arguments = ["generate", "--days", str(DAYS), "--events-per-day", str(PER_DAY)]
        arguments += ["--start-date", START.isoformat(), "--seed", str(SEED)]
        assert runner.invoke(app, arguments).exit_code == 0
        assert runner.invoke(app, ["build", "--no-unit-tests"]).exit_code == 0
    return daily(folder / "mart.duckdb")


def assert_same_as_straight(loaded: dict, straight: dict) -> dict[str, int]:
    """Equal on every carried column of every day and campaign; the not-carried ones summed."""
    assert loaded.keys() == straight.keys()
    carried = len(CARRIED)
    for key, values in straight.items():
        assert loaded[key][:carried] == values[:carried], key
    return {
        name: (sum(v[carried + i] for v in straight.values()),
               sum(v[carried + i] for v in loaded.values()))
        for i, name in enumerate(NOT_CARRIED)
    }  # fmt: skip


@pytest.fixture(scope="module")
def loaded_views(exported, tmp_path_factory):
    """A warehouse built from the data views' files (the tracking extract lands the same
    rows: test_both_formats_land_the_same_rows)."""
    files, mapping = exported["views"][:-1], exported["views"][-1]
    return build_loaded(tmp_path_factory.mktemp("views"), files, "sfmc-data-views", mapping)


@pytest.mark.slow
def test_the_round_trip_on_duckdb_gives_the_same_marts(loaded_views, straight):
    lost = assert_same_as_straight(daily(loaded_views), straight)
    machine_straight, machine_loaded = lost["machine_open_events"]
    assert 0 < machine_loaded < machine_straight, "timing alone finds fewer machine opens"
    unique = duckdb_count(
        "select count(*) from marts.dq_sfmc_unique_events where unique_event_difference <> 0",
        loaded_views,
    )
    assert unique == 0, "SFMC's IsUnique (written as the first of its kind) agrees"


@pytest.mark.slow
def test_loading_twice_and_an_overlapping_export_add_no_duplicate_facts(
    exported, loaded_views, tmp_path
):
    files, mapping = exported["views"][:-1], exported["views"][-1]
    path = loaded_views
    facts = "select count(*) from marts.fct_email_events"
    collapsed = "select count(*) from marts.fct_email_events where collapsed_duplicate_count > 0"
    before = (duckdb_count(facts, path), duckdb_count(collapsed, path))
    # A second export of the opens overlapping the first by a day: other bytes, other name.
    opens = sorted(f for f in files if f.name.startswith("_Open_"))[:2]
    overlap = tmp_path / "_Open_overlap.csv"
    lines = [opens[0].read_text().splitlines()[0]]
    for file in opens:
        lines += file.read_text().splitlines()[1:]
    overlap.write_text("\n".join(lines) + "\n")
    with environment(MART_DUCKDB_PATH=str(path)):
        runner = CliRunner()
        again = ["load", "--format", "sfmc-data-views", "--campaigns", str(mapping)]
        twice = runner.invoke(app, again + [str(f) for f in files])
        assert twice.exit_code == 0 and "rows added" not in twice.output, "a file loads once"
        assert runner.invoke(app, [*again, str(overlap)]).exit_code == 0
        assert runner.invoke(app, ["build", "--no-unit-tests"]).exit_code == 0
    assert duckdb_count(facts, path) == before[0], "no fact added"
    overlapped = len(lines) - 1
    assert duckdb_count(collapsed, path) == before[1] + overlapped, "each a duplicate"


@pytest.mark.slow
def test_the_round_trip_on_the_emulator_gives_the_same_marts(exported, straight, tmp_path):
    files, mapping = exported["views"][:-1], exported["views"][-1]
    try:
        build_loaded(tmp_path, files, "sfmc-data-views", mapping, target="snowflake_emulator")
        with environment(MART_EMULATOR_DIR=str(tmp_path / "emulator")):
            from harness.diff import open_side

            side = open_side("snowflake_emulator")
            columns = ", ".join(CARRIED + NOT_CARRIED)
            loaded = {
                (day, campaign): [int(value) for value in values]
                for day, campaign, *values in side.query(
                    f"select report_date, campaign_id, {columns} from marts.fct_email_events_daily"
                )
            }
            side.close()
    finally:
        with environment(MART_EMULATOR_DIR=str(tmp_path / "emulator")):
            emulator.stop()
    assert_same_as_straight(loaded, straight)
