"""The project's seed CSVs, generated from one integer seed.

`write_seeds(folder, seed=42)` rewrites all seven seeds byte for byte identically for the same
seed and package versions. Faker draws people, companies and campaign names; events come from
the vectorized generator in `harness.events`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from faker import Faker

from harness.events import (
    FREE_MAIL,
    SFMC_ACCOUNT_ID,
    Behaviour,
    Sends,
    decode,
    duplicate_rows,
    generate_events,
    ip_text,
    sfmc_local_text,
)
from harness.events import utc_text as events_utc_text
from harness.ids import salesforce_ids

SEED_NAMES = (
    "accounts",
    "campaign_daily_metrics",
    "campaign_members",
    "campaigns",
    "contacts",
    "leads",
    "marketing_cloud_events",
)

# Columns of the raw events landing table, in order (the seed has the same layout).
EVENT_COLUMNS = (
    "event_id",
    "event_type",
    "account_id",
    "job_id",
    "list_id",
    "batch_id",
    "subscriber_id",
    "subscriber_key",
    "campaign_id",
    "event_date",
    "email_domain",
    "url",
    "link_name",
    "bounce_category",
    "bounce_subcategory",
    "smtp_code",
    "ip_address",
    "user_agent",
    "_loaded_at",
)

# The CRM's reported daily numbers (seed campaign_daily_metrics), in column order.
CRM_METRICS = (
    "emails_sent",
    "emails_delivered",
    "unique_opens",
    "unique_clicks",
    "hard_bounces",
    "soft_bounces",
    "unsubscribes",
)
CAMPAIGN_STATUSES = ("Planned", "In_Progress", "Completed", "Cancelled")
WINDOW_START = dt.date(2026, 9, 1)
WINDOW_DAYS = 61


@dataclass
class SeedSizes:
    accounts: int = 150
    contacts: int = 2000
    leads: int = 1000
    campaigns: int = 50
    orphan_campaigns: int = 3
    unknown_subscribers: int = 6


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
            count += 1
    return count


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _email(fake: Faker, first: str, last: str, domain: str, taken: set[str]) -> str:
    base = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    email = f"{base}@{domain}"
    suffix = 1
    while email in taken:
        suffix += 1
        email = f"{base}{suffix}@{domain}"
    taken.add(email)
    return email


def build_seeds(seed: int = 42, sizes: SeedSizes | None = None) -> dict[str, tuple[list, list]]:
    """All seeds as {name: (header, rows)}; rows hold Python values rendered later."""
    sizes = sizes or SeedSizes()
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = np.random.default_rng(seed)
    window_end = WINDOW_START + dt.timedelta(days=WINDOW_DAYS - 1)

    def moment(start: dt.date, end: dt.date) -> dt.datetime:
        span = int((end - start).days * 86400)
        return dt.datetime.combine(start, dt.time()) + dt.timedelta(
            seconds=int(rng.integers(0, max(span, 1)))
        )

    # Accounts -----------------------------------------------------------------------------
    account_ids = salesforce_ids("account", sizes.accounts, rng)
    accounts, account_domain = [], {}
    for account_id in account_ids:
        name = fake.unique.company()
        domain = fake.unique.domain_name()
        account_domain[account_id] = domain
        accounts.append(
            (
                account_id,
                name,
                fake.random_element(
                    ("Technology", "Retail", "Finance", "Healthcare", "Manufacturing", "Media")
                ),
                fake.random_element(("US", "US", "US", "CA", "GB", "DE", "FR", "AU")),
                moment(dt.date(2019, 1, 1), dt.date(2025, 12, 31)),
            )
        )

    # Contacts -----------------------------------------------------------------------------
    taken_emails: set[str] = set()
    contact_ids = salesforce_ids("contact", sizes.contacts, rng)
    contacts, person_domain, corporate = [], {}, {}
    for contact_id in contact_ids:
        account_id = account_ids[int(rng.integers(0, len(account_ids)))]
        first, last = fake.first_name(), fake.last_name()
        is_work = rng.random() < 0.7
        domain = account_domain[account_id] if is_work else FREE_MAIL[int(rng.integers(0, 6))]
        person_domain[contact_id], corporate[contact_id] = domain, is_work
        contacts.append(
            (
                contact_id,
                account_id,
                first,
                last,
                _email(fake, first, last, domain, taken_emails),
                fake.job(),
                fake.random_element(("US", "US", "US", "CA", "GB", "DE", "FR", "AU")),
                bool(rng.random() < 0.04),
                moment(dt.date(2021, 1, 1), WINDOW_START),
            )
        )

    # Leads: some converted into one of the contacts above (the same human, same email) -----
    lead_ids = salesforce_ids("lead", sizes.leads, rng)
    converted_contacts = iter(rng.permutation(len(contact_ids)))
    leads = []
    for lead_id in lead_ids:
        created = moment(dt.date(2024, 1, 1), WINDOW_START)
        if rng.random() < 0.15:
            contact = contacts[int(next(converted_contacts))]
            first, last, email = contact[2], contact[3], contact[4]
            converted_contact, converted_date = contact[0], contact[8].date()
            created = min(created, contact[8] - dt.timedelta(days=30))
            company = next(a[1] for a in accounts if a[0] == contact[1])
            status = "Converted"
            domain, is_work = person_domain[contact[0]], corporate[contact[0]]
        else:
            first, last = fake.first_name(), fake.last_name()
            company = fake.company()
            is_work = rng.random() < 0.6
            domain = fake.domain_name() if is_work else FREE_MAIL[int(rng.integers(0, 6))]
            email = _email(fake, first, last, domain, taken_emails)
            converted_contact, converted_date = None, None
            status = fake.random_element(("Open", "Working", "Nurturing", "Unqualified"))
        person_domain[lead_id], corporate[lead_id] = domain, is_work
        leads.append(
            (
                lead_id,
                first,
                last,
                email,
                company,
                fake.random_element(("US", "US", "CA", "GB", "DE", "FR", "AU", "BR")),
                status,
                converted_contact is not None,
                converted_contact,
                converted_date,
                created,
            )
        )

    # Campaigns ------------------------------------------------------------------------------
    campaign_ids = salesforce_ids("campaign", sizes.campaigns + sizes.orphan_campaigns, rng)
    orphan_ids = set(
        campaign_ids[i]
        for i in rng.choice(len(campaign_ids), sizes.orphan_campaigns, replace=False)
    )
    crm_campaign_ids = [c for c in campaign_ids if c not in orphan_ids]
    campaigns, sending_campaigns = [], []
    for campaign_id in crm_campaign_ids:
        start = WINDOW_START + dt.timedelta(days=int(rng.integers(-20, WINDOW_DAYS - 5)))
        kind = fake.random_element(("Email", "Email", "Email", "Webinar", "Event"))
        status = str(rng.choice(CAMPAIGN_STATUSES, p=[0.15, 0.35, 0.4, 0.1]))
        if status == "Planned":
            start = window_end + dt.timedelta(days=int(rng.integers(5, 60)))
        end = start + dt.timedelta(days=int(rng.integers(7, 45)))
        campaigns.append(
            (
                campaign_id,
                f"{fake.catch_phrase()} ({kind})",
                kind,
                status,
                start,
                end,
                int(rng.integers(5, 120)) * 100,
                bool(status in ("In_Progress", "Completed")),
                moment(start - dt.timedelta(days=60), start),
            )
        )
        if kind == "Email" and status in ("In_Progress", "Completed"):
            sending_campaigns.append((campaign_id, max(start, WINDOW_START)))

    # Send jobs and recipients ---------------------------------------------------------------
    behaviour = Behaviour()
    people = np.array(contact_ids + lead_ids, dtype=object)
    # A converted lead's pre-conversion sends went to the lead id; everyone else is a
    # contact or an unconverted lead.
    unknown_keys = salesforce_ids("contact", sizes.unknown_subscribers + len(contact_ids), rng)
    unknown_keys = [k for k in unknown_keys if k not in set(contact_ids)][
        : sizes.unknown_subscribers
    ]
    subscriber_number = {key: 40_000_000 + i for i, key in enumerate(sorted(people))}
    for i, key in enumerate(unknown_keys):
        subscriber_number[key] = 49_000_000 + i
        person_domain[key], corporate[key] = FREE_MAIL[i % len(FREE_MAIL)], False

    jobs = [(cid, start) for cid, start in sending_campaigns]
    # Orphan jobs spread over the window, the latest within its last week (so the 14-day
    # orphan audit has something to show on the seeds alone).
    jobs += [
        (cid, window_end - dt.timedelta(days=20 * i + int(rng.integers(1, 6))))
        for i, cid in enumerate(sorted(orphan_ids))
    ]
    # Opted-out contacts are never emailed.
    opted_out = {contact[0] for contact in contacts if contact[7]}
    emailable = np.array([key for key in people if key not in opted_out], dtype=object)
    job_columns: dict[str, list] = {
        name: [] for name in ("job", "list", "batch", "campaign", "key", "sent_at")
    }
    members: dict[tuple[str, str], tuple[str, dt.datetime]] = {}
    next_job = 210_400
    for campaign_id, start in jobs:
        audience = emailable[rng.choice(len(emailable), int(rng.integers(20, 45)), replace=False)]
        audience = sorted(audience)
        if campaign_id in orphan_ids:
            audience = sorted(set(audience) | set(unknown_keys[:2]))
        # A journey sends its waves under one JobID, each wave a new batch: a person in two
        # waves receives two sends of the same job.
        journey = rng.random() < 0.3
        batch_offset = 0
        for wave in range(int(rng.integers(1, 3))):
            if wave == 0 or not journey:
                next_job += int(rng.integers(1, 40))
                list_id = 1_100 + int(rng.integers(0, 30))
                batch_offset = 0
            day = start + dt.timedelta(days=7 * wave + int(rng.integers(0, 5)))
            day = min(day, window_end)
            job_start = dt.datetime.combine(day, dt.time(13)) + dt.timedelta(
                minutes=int(rng.integers(0, 240))
            )
            for position, key in enumerate(audience):
                job_columns["job"].append(next_job)
                job_columns["list"].append(list_id)
                job_columns["batch"].append(batch_offset + 1 + position // 25)
                job_columns["campaign"].append(campaign_id)
                job_columns["key"].append(key)
                job_columns["sent_at"].append(
                    np.datetime64(job_start + dt.timedelta(seconds=position * 3), "s")
                )
                # A few recipients come from lists the CRM never records as members.
                if campaign_id not in orphan_ids and rng.random() >= behaviour.non_member_share:
                    members.setdefault((campaign_id, key), ("Sent", job_start))
            batch_offset += 1 + (len(audience) - 1) // 25

    person_keys = np.array(sorted(subscriber_number), dtype=object)
    person_of = {key: i for i, key in enumerate(person_keys)}
    campaign_lookup = np.array(sorted(set(job_columns["campaign"])), dtype=object)
    campaign_of = {campaign_id: i for i, campaign_id in enumerate(campaign_lookup)}
    sends = Sends(
        job_id=np.array(job_columns["job"], dtype="int64"),
        list_id=np.array(job_columns["list"], dtype="int64"),
        batch_id=np.array(job_columns["batch"], dtype="int64"),
        campaign=np.array([campaign_of[c] for c in job_columns["campaign"]], dtype="int64"),
        person=np.array([person_of[k] for k in job_columns["key"]], dtype="int64"),
        sent_at=np.array(job_columns["sent_at"], dtype="datetime64[s]"),
        campaign_ids=campaign_lookup,
        subscriber_keys=person_keys,
        subscriber_ids=np.array([subscriber_number[k] for k in person_keys], dtype="int64"),
        email_domains=np.array([person_domain[k] for k in person_keys], dtype=object),
        is_corporate=np.array([corporate[k] for k in person_keys], dtype=bool),
    )
    events, outcomes = generate_events(sends, rng, behaviour)
    events["event_id"] = np.array(
        [f"{a:016x}{b:016x}" for a, b in rng.integers(0, 2**63, size=(len(events["event_at"]), 2))],
        dtype=object,
    )
    events = duplicate_rows(events, rng, behaviour.duplicate_share)
    order = np.lexsort((events["event_id"], events["loaded_at"]))
    events = decode(sends, {key: column[order] for key, column in events.items()})

    local_dates = sfmc_local_text(events["event_at"])
    loaded_text = events_utc_text(events["loaded_at"])
    ips = ip_text(events["ip_address"])
    event_rows = [
        (
            events["event_id"][i],
            events["event_type"][i],
            SFMC_ACCOUNT_ID,
            int(events["job_id"][i]),
            int(events["list_id"][i]),
            int(events["batch_id"][i]),
            int(events["subscriber_id"][i]),
            events["subscriber_key"][i],
            events["campaign_id"][i],
            local_dates[i],
            events["email_domain"][i],
            events["url"][i],
            events["link_name"][i],
            events["bounce_category"][i],
            events["bounce_subcategory"][i],
            events["smtp_code"][i],
            ips[i],
            events["user_agent"][i],
            loaded_text[i],
        )
        for i in range(len(order))
    ]

    # Campaign members: recipients, plus a few invitees never emailed; a handful of campaigns
    # hold both a converted lead and its contact (the same human) -----------------------------
    responders = {
        (events["campaign_id"][i], events["subscriber_key"][i])
        for i in np.flatnonzero(events["event_type"] == "Click")
    }
    lead_to_contact = {lead[0]: lead[8] for lead in leads if lead[8]}
    for campaign_id, _ in sending_campaigns[:6]:
        for lead_id, contact_id in list(lead_to_contact.items())[:40]:
            if (campaign_id, lead_id) in members:
                members.setdefault(
                    (campaign_id, contact_id), ("Sent", members[(campaign_id, lead_id)][1])
                )
    for campaign in campaigns:
        if campaign[3] in ("Planned", "Cancelled") or campaign[2] != "Email":
            for key in people[rng.choice(len(people), int(rng.integers(5, 25)), replace=False)]:
                members.setdefault(
                    (campaign[0], key),
                    ("Planned" if campaign[3] == "Planned" else "Invited", campaign[8]),
                )
    member_ids = salesforce_ids("campaign_member", len(members), rng)
    member_rows = []
    for member_id, ((campaign_id, key), (status, created)) in zip(
        member_ids, sorted(members.items()), strict=True
    ):
        responded = (campaign_id, key) in responders
        member_rows.append(
            (
                member_id,
                campaign_id,
                key if key.startswith("00Q") else None,
                key if key.startswith("003") else None,
                "Lead" if key.startswith("00Q") else "Contact",
                "Responded" if responded else status,
                responded,
                created,
            )
        )

    # The CRM's own numbers per campaign and send date: what happened to each send as drawn
    # above (not read back from the events), counted as SFMC's job tracking counts them; its
    # sync misses a few late opens. ------------------------------------------------------------
    crm = _crm_daily_metrics(sends, outcomes, rng, set(crm_campaign_ids))

    return {
        "accounts": (
            ["account_id", "account_name", "industry", "billing_country", "created_date"],
            accounts,
        ),
        "contacts": (
            [
                "contact_id",
                "account_id",
                "first_name",
                "last_name",
                "email",
                "title",
                "mailing_country",
                "has_opted_out_of_email",
                "created_date",
            ],
            contacts,
        ),
        "leads": (
            [
                "lead_id",
                "first_name",
                "last_name",
                "email",
                "company",
                "country",
                "status",
                "is_converted",
                "converted_contact_id",
                "converted_date",
                "created_date",
            ],
            leads,
        ),
        "campaigns": (
            [
                "campaign_id",
                "name",
                "type",
                "status",
                "start_date",
                "end_date",
                "budgeted_cost",
                "is_active",
                "created_date",
            ],
            campaigns,
        ),
        "campaign_members": (
            [
                "campaign_member_id",
                "campaign_id",
                "lead_id",
                "contact_id",
                "type",
                "status",
                "has_responded",
                "created_date",
            ],
            member_rows,
        ),
        "marketing_cloud_events": (list(EVENT_COLUMNS), event_rows),
        "campaign_daily_metrics": (
            ["campaign_id", "metric_date", *CRM_METRICS],
            crm,
        ),
    }


def _crm_daily_metrics(
    sends: Sends, outcomes: dict[str, np.ndarray], rng: np.random.Generator, crm_campaigns: set
) -> list[tuple]:
    """Salesforce's reported numbers per campaign and UTC send date, from each send's drawn
    outcomes: sent, delivered, opened (implied opens, machine opens included), clicked
    (scanner clicks included), hard- and soft-bounced and unsubscribed sends."""
    metric_outcomes = dict(
        zip(
            CRM_METRICS,
            (None, "is_delivered", "is_opened", "is_clicked", "is_hard_bounced",
             "is_soft_bounced", "is_unsubscribed"),
            strict=True,
        )
    )  # fmt: skip
    days = sends.sent_at.astype("datetime64[D]")
    campaigns = sends.campaign_ids[sends.campaign]
    counts: dict[tuple[str, str], list[int]] = {}
    for i in np.argsort(sends.sent_at, kind="stable"):
        bucket = counts.setdefault((campaigns[i], str(days[i])), [0] * len(CRM_METRICS))
        for position, outcome in enumerate(metric_outcomes.values()):
            bucket[position] += 1 if outcome is None else int(outcomes[outcome][i])
    rows = []
    for (campaign_id, day), values in sorted(counts.items()):
        if campaign_id not in crm_campaigns:  # the CRM knows nothing of orphan campaigns
            continue
        if rng.random() < 0.08:  # the CRM sync missed a few late opens
            values[2] = max(0, values[2] - int(rng.integers(1, 4)))
        rows.append((campaign_id, day, *values))
    return rows


def write_seeds(folder: Path, seed: int = 42) -> dict[str, int]:
    """Write the seven seed CSVs into `folder`; returns rows written per seed."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, (header, rows) in build_seeds(seed).items():
        written[name] = _write_csv(
            folder / f"{name}.csv", header, ([_text(v) for v in row] for row in rows)
        )
    return dict(sorted(written.items()))
