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
    assert (tmp_path / "contact.csv").read_bytes() != (generated / "contact.csv").read_bytes()


def test_salesforce_id_checksum_matches_a_known_id():
    # Salesforce's documented example: 001A0000006Vm9r is 001A0000006Vm9rIAC.
    assert salesforce_id_suffix("001A0000006Vm9r") == "IAC"


def test_sizes_and_vocabularies(generated):
    events = read(generated, "marketing_cloud_events")
    assert 5_000 <= len(events) <= 15_000
    assert len(read(generated, "campaign")) == 50
    live = [row for row in read(generated, "contact") if row["is_deleted"] == "false"]
    assert len(live) == 2_000
    assert len(read(generated, "lead")) == 1_000
    statuses = {row["status"] for row in read(generated, "campaign")}
    assert statuses == {"Planned", "In_Progress", "Completed", "Cancelled"}
    assert {row["type"] for row in read(generated, "campaign_member")} == {"Lead", "Contact"}
    kinds = Counter(row["event_type"] for row in events)
    for kind in (
        "Sent",
        "DeliveredEvent",
        "Open",
        "Click",
        "HardBounce",
        "SoftBounce",
        "Unsubscribe",
        "Complaint",
    ):
        assert kinds[kind] > 0, kind
    delivered = kinds["DeliveredEvent"]
    assert kinds["Complaint"] / delivered < 0.001, "complaints stay under 0.1 % (DOMAIN.md)"


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_events_follow_the_funnel_and_carry_the_pitfalls(generated):
    events = read(generated, "marketing_cloud_events")
    by_send = defaultdict(list)
    for row in events:
        by_send[(row["job_id"], row["list_id"], row["batch_id"], row["subscriber_key"])].append(row)

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
        for row in rows:
            if row["event_type"] != "Click":
                continue
            clicked = _at(row["event_date"])
            scanner += (clicked - delivered).total_seconds() <= 100
            if "Scanner" not in row["user_agent"]:
                clicks += 1
                clicks_after_open += first_open is not None and clicked >= first_open
        for row in rows:
            # event_date is CST (UTC-6); _loaded_at is UTC.
            happened = _at(row["event_date"]) + dt.timedelta(hours=6)
            late += (_at(row["_loaded_at"]) - happened) > dt.timedelta(days=1)
            mpp += row["event_type"] == "Open" and row["ip_address"].startswith("17.")
    assert clicks_after_open / clicks > 0.5, "most human clicks come after an open"
    assert scanner > 0 and mpp > 0 and late > 0

    ids = Counter(row["event_id"] for row in events)
    assert any(n > 1 for n in ids.values()), "re-delivered duplicate event ids"

    crm = {row["id"] for row in read(generated, "campaign")}
    assert {row["campaign_id"] for row in events} - crm, "orphan campaign ids"


def test_converted_leads_are_contacts_with_the_same_email(generated):
    contacts = {row["id"]: row for row in read(generated, "contact")}
    converted = [row for row in read(generated, "lead") if row["is_converted"] == "true"]
    assert converted
    for lead in converted:
        assert contacts[lead["converted_contact_id"]]["email"] == lead["email"]


def committed(name):
    return read(PROJECT_DIR / "seeds", name)


def seed_sends() -> dict[tuple, dict]:
    """Each send of the committed seed events (first copy of each event id) and its
    outcomes as ../shared/DOMAIN.md defines them, with this file's own reading of the
    signals: Apple's 17.x addresses are machine opens, scanner user agents bot clicks."""
    seen, sends = set(), defaultdict(lambda: defaultdict(bool))
    for row in committed("marketing_cloud_events"):
        if row["event_id"] in seen:
            continue
        seen.add(row["event_id"])
        send = sends[(row["job_id"], row["list_id"], row["batch_id"], row["subscriber_key"])]
        kind = row["event_type"]
        send[kind] = True
        send["campaign_id"] = row["campaign_id"]
        if kind == "Sent":
            send["sent_at"] = _at(row["event_date"]) + dt.timedelta(hours=6)
        send["human_open"] |= kind == "Open" and not row["ip_address"].startswith("17.")
        send["human_click"] |= kind == "Click" and "Scanner" not in row["user_agent"]
    for send in sends.values():
        send["bounced"] = send["HardBounce"] or send["SoftBounce"] or send["OtherBounce"]
        send["delivered"] = not send["bounced"]
        send["opened"] = send["delivered"] and (send["Open"] or send["Click"])
        send["clicked"] = send["delivered"] and send["Click"]
    return sends


def test_committed_seeds_sit_in_the_ranges_of_real_programs():
    """../shared/DOMAIN.md: delivery 95-99 %, hard bounce < 1 %, unique open 30-50 %, human
    open 15-30 %, CTR 1-5 %, CTOR 5-20 %, unsubscribe 0.1-0.5 % of delivered."""
    sends = list(seed_sends().values())
    delivered = [s for s in sends if s["delivered"]]
    opened = [s for s in delivered if s["opened"]]

    def share(items, flag):
        return sum(bool(s[flag]) for s in items) / len(items)

    assert 0.95 <= len(delivered) / len(sends) <= 0.99
    assert share(sends, "HardBounce") < 0.01
    assert 0.30 <= share(delivered, "opened") <= 0.50
    human = sum(s["human_open"] or s["human_click"] for s in delivered) / len(delivered)
    assert 0.15 <= human <= 0.30
    assert 0.01 <= share(delivered, "clicked") <= 0.05
    assert 0.05 <= share(opened, "clicked") <= 0.20
    assert 0.001 <= share(delivered, "Unsubscribe") <= 0.005


def test_recipients_are_emailable_and_journeys_reuse_a_job():
    opted_out = {r["id"] for r in committed("contact") if r["has_opted_out_of_email"] == "true"}
    sent = [r for r in committed("marketing_cloud_events") if r["event_type"] == "Sent"]
    per_send = Counter(
        (r["job_id"], r["list_id"], r["batch_id"], r["subscriber_key"]) for r in sent
    )
    ids = Counter(r["event_id"] for r in sent)
    assert all(
        n == ids[r["event_id"]]
        for r in sent
        for n in [per_send[(r["job_id"], r["list_id"], r["batch_id"], r["subscriber_key"])]]
    ), "a recipient at most once per send"
    assert opted_out and not {r["subscriber_key"] for r in sent} & opted_out
    jobs_per_person = Counter(
        (r["job_id"], r["subscriber_key"]) for r in sent if ids[r["event_id"]] == 1
    )
    assert any(n > 1 for n in jobs_per_person.values()), "a journey sends one job to a person twice"


def test_the_crm_reports_what_the_events_show_but_a_few_late_opens():
    """campaign_daily_email_metrics is drawn from the generator's per-send outcomes, not from the
    events; read here against the events, it agrees except 0 to 3 unique opens per row."""
    expected = defaultdict(Counter)
    campaigns = {r["id"] for r in committed("campaign")}
    for send in seed_sends().values():
        if send["campaign_id"] not in campaigns:
            continue
        cell = expected[(send["campaign_id"], send["sent_at"].date().isoformat())]
        cell["emails_sent"] += 1
        cell["emails_delivered"] += send["delivered"]
        cell["unique_opens"] += send["opened"]
        cell["unique_clicks"] += send["clicked"]
        cell["hard_bounces"] += send["HardBounce"]
        cell["soft_bounces"] += send["SoftBounce"] and not send["HardBounce"]
        cell["unsubscribes"] += send["delivered"] and send["Unsubscribe"]
    reported = {
        (r["campaign_id"], r["metric_date"]): r for r in committed("campaign_daily_email_metrics")
    }
    assert set(reported) == set(expected)
    lagging = 0
    for key, cell in expected.items():
        row = reported[key]
        for metric in ("emails_sent", "emails_delivered", "unique_clicks", "hard_bounces",
                       "soft_bounces", "unsubscribes"):  # fmt: skip
            assert int(row[metric]) == cell[metric], (key, metric)
        gap = cell["unique_opens"] - int(row["unique_opens"])
        assert 0 <= gap <= 3, key
        lagging += gap > 0
    assert lagging > 0
