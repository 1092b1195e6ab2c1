"""Seeds: deterministic, and shaped like the source systems (checked on the CSVs directly)."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict

import pytest

from harness import PROJECT_DIR
from harness.ids import salesforce_id_suffix
from harness.seeds import SEED_NAMES, write_seeds


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seeds")
    write_seeds(folder, seed=42)
    return folder


def read(folder, name):
    with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_seed_42_reproduces_the_committed_seeds_byte_for_byte(generated):
    for name in SEED_NAMES:
        assert (generated / f"{name}.csv").read_bytes() == (
            PROJECT_DIR / "seeds" / f"{name}.csv"
        ).read_bytes(), f"{name}.csv differs from `mart seeds --seed 42`"


def test_another_seed_gives_other_data(tmp_path, generated):
    write_seeds(tmp_path, seed=43)
    assert (tmp_path / "contacts.csv").read_bytes() != (generated / "contacts.csv").read_bytes()


def test_salesforce_id_checksum_matches_a_known_id():
    # Salesforce's documented example: 001A0000006Vm9r is 001A0000006Vm9rIAC.
    assert salesforce_id_suffix("001A0000006Vm9r") == "IAC"


def test_sizes_and_vocabularies(generated):
    events = read(generated, "marketing_cloud_events")
    assert 2_000 <= len(events) <= 10_000
    assert len(read(generated, "campaigns")) == 50
    assert len(read(generated, "contacts")) == 2_000
    assert len(read(generated, "leads")) == 1_000
    statuses = {row["status"] for row in read(generated, "campaigns")}
    assert statuses == {"Planned", "In_Progress", "Completed", "Cancelled"}
    assert {row["type"] for row in read(generated, "campaign_members")} == {"Lead", "Contact"}
    kinds = Counter(row["event_type"] for row in events)
    for kind in (
        "Sent",
        "DeliveredEvent",
        "Open",
        "Click",
        "HardBounce",
        "SoftBounce",
        "Unsubscribe",
    ):
        assert kinds[kind] > 0, kind


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_events_follow_the_funnel_and_carry_the_pitfalls(generated):
    events = read(generated, "marketing_cloud_events")
    by_send = defaultdict(list)
    for row in events:
        by_send[(row["job_id"], row["subscriber_key"])].append(row)

    late = mpp = scanner = clicks = clicks_after_open = 0
    for rows in by_send.values():
        times = defaultdict(list)
        for row in rows:
            times[row["event_type"]].append(_at(row["event_date"]))
        sent = min(times["Sent"])
        delivered = min(times["DeliveredEvent"], default=None)
        if delivered:
            assert delivered >= sent
        for opened in times["Open"]:
            assert delivered is not None and opened >= delivered
        first_open = min(times["Open"], default=None)
        for clicked in times["Click"]:
            assert delivered is not None and clicked >= delivered
            clicks += 1
            clicks_after_open += first_open is not None and clicked >= first_open
            scanner += (clicked - delivered).total_seconds() <= 100
        for row in rows:
            # event_date is CST (UTC-6); _loaded_at is UTC.
            happened = _at(row["event_date"]) + dt.timedelta(hours=6)
            late += (_at(row["_loaded_at"]) - happened) > dt.timedelta(days=1)
            mpp += row["event_type"] == "Open" and row["ip_address"].startswith("17.")
    assert clicks_after_open / clicks > 0.5, "most clicks come after an open"
    assert scanner > 0 and mpp > 0 and late > 0

    ids = Counter(row["event_id"] for row in events)
    assert any(n > 1 for n in ids.values()), "re-delivered duplicate event ids"

    crm = {row["campaign_id"] for row in read(generated, "campaigns")}
    assert {row["campaign_id"] for row in events} - crm, "orphan campaign ids"


def test_converted_leads_are_contacts_with_the_same_email(generated):
    contacts = {row["contact_id"]: row for row in read(generated, "contacts")}
    converted = [row for row in read(generated, "leads") if row["is_converted"] == "true"]
    assert converted
    for lead in converted:
        assert contacts[lead["converted_contact_id"]]["email"] == lead["email"]
