"""The project's seed CSVs, generated from one integer seed.

`write_seeds(folder, seed=42)` rewrites every seed byte for byte identically for the same
seed and package versions. Each entity is drawn by its own function, in a fixed order from
one Faker and one NumPy generator (`Draw`), into rows of a small frozen dataclass whose
fields are the seed's columns. Faker draws people, companies and campaign names; events come
from the vectorized generator in `harness.events`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields, replace
from pathlib import Path

import numpy as np
from faker import Faker

from harness.events import (
    FREE_MAIL,
    OUTCOMES,
    PROFILE,
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

CAMPAIGN_STATUSES = ("Planned", "In_Progress", "Completed", "Cancelled")
COUNTRIES = ("US", "US", "US", "CA", "GB", "DE", "FR", "AU")
WINDOW_START = dt.date(2026, 9, 1)
WINDOW_DAYS = 61
WINDOW_END = WINDOW_START + dt.timedelta(days=WINDOW_DAYS - 1)


@dataclass
class SeedSizes:
    accounts: int = 150
    contacts: int = 2000
    leads: int = 1000
    campaigns: int = 50
    orphan_campaigns: int = 3
    unknown_subscribers: int = 6


# --- the seeds' rows ------------------------------------------------------------------------


# The CRM seeds are laid out as Fivetran's Salesforce connector lands the objects: a table per
# object, Salesforce's field names in snake_case, `is_deleted` (the recycle bin: soft
# deletes) and `_fivetran_synced` (when the connector last wrote the row).


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    industry: str
    billing_country: str
    created_date: dt.datetime
    is_deleted: bool
    _fivetran_synced: dt.datetime


@dataclass(frozen=True)
class Contact:
    id: str
    account_id: str
    first_name: str
    last_name: str
    email: str
    title: str
    mailing_country: str
    has_opted_out_of_email: bool
    created_date: dt.datetime
    is_deleted: bool
    _fivetran_synced: dt.datetime


@dataclass(frozen=True)
class Lead:
    id: str
    first_name: str
    last_name: str
    email: str
    company: str
    country: str
    status: str
    is_converted: bool
    converted_contact_id: str | None
    converted_date: dt.date | None
    created_date: dt.datetime
    is_deleted: bool
    _fivetran_synced: dt.datetime


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    type: str
    status: str
    start_date: dt.date
    end_date: dt.date
    budgeted_cost: int
    is_active: bool
    created_date: dt.datetime
    is_deleted: bool
    _fivetran_synced: dt.datetime

    @property
    def sends_email(self) -> bool:
        return self.type == "Email" and self.status in ("In_Progress", "Completed")


@dataclass(frozen=True)
class CampaignMember:
    id: str
    campaign_id: str
    lead_id: str | None
    contact_id: str | None
    type: str
    status: str
    has_responded: bool
    created_date: dt.datetime
    is_deleted: bool
    _fivetran_synced: dt.datetime


@dataclass(frozen=True)
class CampaignDailyMetrics:
    """The CRM's own reported email results per campaign and UTC send date (a report object
    Marketing Cloud Connect keeps in Salesforce, synced like the others)."""

    campaign_id: str
    metric_date: str
    emails_sent: int
    emails_delivered: int
    unique_opens: int
    unique_clicks: int
    hard_bounces: int
    soft_bounces: int
    unsubscribes: int
    _fivetran_synced: dt.datetime


@dataclass(frozen=True)
class MarketingCloudEvent:
    """A row of the raw events landing table (its layout, as exported)."""

    event_id: str
    event_type: str
    account_id: str
    job_id: int
    list_id: int
    batch_id: int
    subscriber_id: int
    subscriber_key: str
    campaign_id: str
    event_date: str
    email_domain: str
    url: str
    link_name: str
    bounce_category: str
    bounce_subcategory: str
    smtp_code: str
    ip_address: str
    user_agent: str
    is_unique: str  # SFMC's IsUnique: only its data views carry it
    _loaded_at: str


SEEDS = {
    "account": Account,
    "campaign": Campaign,
    "campaign_daily_email_metrics": CampaignDailyMetrics,
    "campaign_member": CampaignMember,
    "contact": Contact,
    "lead": Lead,
    "marketing_cloud_events": MarketingCloudEvent,
}
# When the connector last synced the CRM (the seeds' _fivetran_synced).
SYNCED_AT = dt.datetime(2026, 11, 1, 2, 0)
SEED_NAMES = tuple(SEEDS)
# Columns of the raw events landing table, in order (the seed has the same layout).
EVENT_COLUMNS = tuple(field.name for field in fields(MarketingCloudEvent))


def header(row_type: type) -> list[str]:
    return [field.name for field in fields(row_type)]


# --- drawing ----------------------------------------------------------------------------------


class Draw:
    """The seed's randomness: one Faker and one NumPy generator, always drawn in one order."""

    def __init__(self, seed: int):
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.rng = np.random.default_rng(seed)

    def moment(self, start: dt.date, end: dt.date) -> dt.datetime:
        span = int((end - start).days * 86400)
        return dt.datetime.combine(start, dt.time()) + dt.timedelta(
            seconds=int(self.rng.integers(0, max(span, 1)))
        )

    def free_mail(self) -> str:
        return FREE_MAIL[int(self.rng.integers(0, 6))]


@dataclass(frozen=True)
class Mailbox:
    """Where a subscriber key's email goes: its domain, and whether it is a company's."""

    domain: str
    is_corporate: bool


class Emails:
    """Unique email addresses (first.last, then first.last2, ...)."""

    def __init__(self):
        self.taken: set[str] = set()

    def new(self, first: str, last: str, domain: str) -> str:
        base = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        email, suffix = f"{base}@{domain}", 1
        while email in self.taken:
            suffix += 1
            email = f"{base}{suffix}@{domain}"
        self.taken.add(email)
        return email


def draw_accounts(draw: Draw, count: int) -> tuple[list[Account], dict[str, str]]:
    """Accounts, and each one's email domain."""
    accounts, domains = [], {}
    for account_id in salesforce_ids("account", count, draw.rng):
        name = draw.fake.unique.company()
        domains[account_id] = draw.fake.unique.domain_name()
        accounts.append(
            Account(
                account_id,
                name,
                draw.fake.random_element(
                    ("Technology", "Retail", "Finance", "Healthcare", "Manufacturing", "Media")
                ),
                draw.fake.random_element(COUNTRIES),
                draw.moment(dt.date(2019, 1, 1), dt.date(2025, 12, 31)),
                False,
                SYNCED_AT,
            )
        )
    return accounts, domains


def draw_contacts(
    draw: Draw,
    count: int,
    accounts: list[Account],
    account_domains: dict[str, str],
    emails: Emails,
    mailboxes: dict[str, Mailbox],
) -> list[Contact]:
    """Contacts: 70% at their account's domain, the rest on free mail; 4% opted out."""
    contacts = []
    for contact_id in salesforce_ids("contact", count, draw.rng):
        account_id = accounts[int(draw.rng.integers(0, len(accounts)))].id
        first, last = draw.fake.first_name(), draw.fake.last_name()
        is_work = draw.rng.random() < 0.7
        domain = account_domains[account_id] if is_work else draw.free_mail()
        mailboxes[contact_id] = Mailbox(domain, bool(is_work))
        contacts.append(
            Contact(
                contact_id,
                account_id,
                first,
                last,
                emails.new(first, last, domain),
                draw.fake.job(),
                draw.fake.random_element(COUNTRIES),
                bool(draw.rng.random() < 0.04),
                draw.moment(dt.date(2021, 1, 1), WINDOW_START),
                False,
                SYNCED_AT,
            )
        )
    return contacts


def draw_leads(
    draw: Draw,
    count: int,
    contacts: list[Contact],
    accounts: list[Account],
    emails: Emails,
    mailboxes: dict[str, Mailbox],
) -> list[Lead]:
    """Leads; 15% converted into one of the contacts (the same human, the same email)."""
    account_names = {account.id: account.name for account in accounts}
    lead_ids = salesforce_ids("lead", count, draw.rng)
    converted_contacts = iter(draw.rng.permutation(len(contacts)))
    leads = []
    for lead_id in lead_ids:
        created = draw.moment(dt.date(2024, 1, 1), WINDOW_START)
        if draw.rng.random() < 0.15:
            contact = contacts[int(next(converted_contacts))]
            first, last, email = contact.first_name, contact.last_name, contact.email
            converted_contact = contact.id
            converted_date = contact.created_date.date()
            created = min(created, contact.created_date - dt.timedelta(days=30))
            company = account_names[contact.account_id]
            status = "Converted"
            mailboxes[lead_id] = mailboxes[contact.id]
        else:
            first, last = draw.fake.first_name(), draw.fake.last_name()
            company = draw.fake.company()
            is_work = draw.rng.random() < 0.6
            domain = draw.fake.domain_name() if is_work else draw.free_mail()
            email = emails.new(first, last, domain)
            converted_contact, converted_date = None, None
            status = draw.fake.random_element(("Open", "Working", "Nurturing", "Unqualified"))
            mailboxes[lead_id] = Mailbox(domain, bool(is_work))
        leads.append(
            Lead(
                lead_id,
                first,
                last,
                email,
                company,
                draw.fake.random_element(("US", "US", "CA", "GB", "DE", "FR", "AU", "BR")),
                status,
                converted_contact is not None,
                converted_contact,
                converted_date,
                created,
                False,
                SYNCED_AT,
            )
        )
    return leads


def draw_campaigns(draw: Draw, sizes: SeedSizes) -> tuple[list[Campaign], set[str]]:
    """The CRM's campaigns, and a few campaign ids it does not know (orphans)."""
    campaign_ids = salesforce_ids("campaign", sizes.campaigns + sizes.orphan_campaigns, draw.rng)
    orphan_ids = set(
        campaign_ids[i]
        for i in draw.rng.choice(len(campaign_ids), sizes.orphan_campaigns, replace=False)
    )
    campaigns = []
    for campaign_id in (c for c in campaign_ids if c not in orphan_ids):
        start = WINDOW_START + dt.timedelta(days=int(draw.rng.integers(-20, WINDOW_DAYS - 5)))
        kind = draw.fake.random_element(("Email", "Email", "Email", "Webinar", "Event"))
        status = str(draw.rng.choice(CAMPAIGN_STATUSES, p=[0.15, 0.35, 0.4, 0.1]))
        if status == "Planned":
            start = WINDOW_END + dt.timedelta(days=int(draw.rng.integers(5, 60)))
        end = start + dt.timedelta(days=int(draw.rng.integers(7, 45)))
        campaigns.append(
            Campaign(
                campaign_id,
                f"{draw.fake.catch_phrase()} ({kind})",
                kind,
                status,
                start,
                end,
                int(draw.rng.integers(5, 120)) * 100,
                bool(status in ("In_Progress", "Completed")),
                draw.moment(start - dt.timedelta(days=60), start),
                False,
                SYNCED_AT,
            )
        )
    return campaigns, orphan_ids


@dataclass
class Audience:
    """Who was sent what: the sends, and the campaign memberships the CRM records."""

    sends: Sends
    members: dict[tuple[str, str], tuple[str, dt.datetime]]  # (campaign, key) -> status, when
    people: np.ndarray  # every contact and lead id


def draw_sends(
    draw: Draw,
    sizes: SeedSizes,
    contacts: list[Contact],
    leads: list[Lead],
    campaigns: list[Campaign],
    orphan_ids: set[str],
    mailboxes: dict[str, Mailbox],
    behaviour: Behaviour,
) -> Audience:
    """Send jobs of the email campaigns and the orphan ones, to random emailable people.

    A converted lead's pre-conversion sends went to the lead id; opted-out contacts are
    never emailed; a journey sends its waves under one JobID, each wave in new batches."""
    contact_ids = [contact.id for contact in contacts]
    people = np.array(contact_ids + [lead.id for lead in leads], dtype=object)
    unknown_keys = salesforce_ids("contact", sizes.unknown_subscribers + len(contact_ids), draw.rng)
    unknown_keys = [k for k in unknown_keys if k not in set(contact_ids)][
        : sizes.unknown_subscribers
    ]
    subscriber_number = {key: 40_000_000 + i for i, key in enumerate(sorted(people))}
    for i, key in enumerate(unknown_keys):
        subscriber_number[key] = 49_000_000 + i
        mailboxes[key] = Mailbox(FREE_MAIL[i % len(FREE_MAIL)], False)

    jobs = [
        (campaign.id, max(campaign.start_date, WINDOW_START))
        for campaign in campaigns
        if campaign.sends_email
    ]
    # Orphan jobs spread over the window, the latest within its last week (so the 14-day
    # orphan audit has something to show on the seeds alone).
    jobs += [
        (cid, WINDOW_END - dt.timedelta(days=20 * i + int(draw.rng.integers(1, 6))))
        for i, cid in enumerate(sorted(orphan_ids))
    ]
    opted_out = {contact.id for contact in contacts if contact.has_opted_out_of_email}
    emailable = np.array([key for key in people if key not in opted_out], dtype=object)
    columns: dict[str, list] = {
        name: [] for name in ("job", "list", "batch", "campaign", "key", "sent_at")
    }
    members: dict[tuple[str, str], tuple[str, dt.datetime]] = {}
    next_job = 210_400
    for campaign_id, start in jobs:
        # As many sends a day as a mock day of `mart daily` (about 150), so the history and
        # the days after it compare like with like; an orphan job is an ad-hoc send to a few
        # people, as in the mock days (var mock_event_profile.orphan_job_sends).
        size = int(draw.rng.integers(60, 140))
        if campaign_id in orphan_ids:
            size = 1 + size % PROFILE["orphan_job_sends"]
        chosen = draw.rng.choice(len(emailable), size, replace=False)
        audience = sorted(emailable[chosen])
        if campaign_id in orphan_ids:
            audience = sorted(set(audience) | set(unknown_keys[:2]))
        journey = draw.rng.random() < 0.3
        batch_offset = 0
        for wave in range(int(draw.rng.integers(1, 3))):
            if wave == 0 or not journey:
                next_job += int(draw.rng.integers(1, 40))
                list_id = 1_100 + int(draw.rng.integers(0, 30))
                batch_offset = 0
            day = start + dt.timedelta(days=7 * wave + int(draw.rng.integers(0, 5)))
            day = min(day, WINDOW_END)
            job_start = dt.datetime.combine(day, dt.time(13)) + dt.timedelta(
                minutes=int(draw.rng.integers(0, 240))
            )
            for position, key in enumerate(audience):
                columns["job"].append(next_job)
                columns["list"].append(list_id)
                columns["batch"].append(batch_offset + 1 + position // 25)
                columns["campaign"].append(campaign_id)
                columns["key"].append(key)
                columns["sent_at"].append(
                    np.datetime64(job_start + dt.timedelta(seconds=position * 3), "s")
                )
                # A few recipients come from lists the CRM never records as members.
                if (
                    campaign_id not in orphan_ids
                    and draw.rng.random() >= behaviour.non_member_share
                ):
                    members.setdefault((campaign_id, key), ("Sent", job_start))
            batch_offset += 1 + (len(audience) - 1) // 25

    person_keys = np.array(sorted(subscriber_number), dtype=object)
    person_of = {key: i for i, key in enumerate(person_keys)}
    campaign_lookup = np.array(sorted(set(columns["campaign"])), dtype=object)
    campaign_of = {campaign_id: i for i, campaign_id in enumerate(campaign_lookup)}
    sends = Sends(
        job_id=np.array(columns["job"], dtype="int64"),
        list_id=np.array(columns["list"], dtype="int64"),
        batch_id=np.array(columns["batch"], dtype="int64"),
        campaign=np.array([campaign_of[c] for c in columns["campaign"]], dtype="int64"),
        person=np.array([person_of[k] for k in columns["key"]], dtype="int64"),
        sent_at=np.array(columns["sent_at"], dtype="datetime64[s]"),
        campaign_ids=campaign_lookup,
        subscriber_keys=person_keys,
        subscriber_ids=np.array([subscriber_number[k] for k in person_keys], dtype="int64"),
        email_domains=np.array([mailboxes[k].domain for k in person_keys], dtype=object),
        is_corporate=np.array([mailboxes[k].is_corporate for k in person_keys], dtype=bool),
    )
    return Audience(sends, members, people)


def draw_events(
    draw: Draw, sends: Sends, behaviour: Behaviour
) -> tuple[list[MarketingCloudEvent], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Every send's events as landing rows (with re-deliveries), ordered by landing time;
    also the decoded columns and each send's drawn outcomes."""
    events, outcomes = generate_events(sends, draw.rng, behaviour)
    ids = draw.rng.integers(0, 2**63, size=(len(events["event_at"]), 2))
    events["event_id"] = np.array([f"{a:016x}{b:016x}" for a, b in ids], dtype=object)
    events = duplicate_rows(events, draw.rng, behaviour.duplicate_share)
    order = np.lexsort((events["event_id"], events["loaded_at"]))
    events = decode(sends, {key: column[order] for key, column in events.items()})
    local_dates = sfmc_local_text(events["event_at"])
    loaded_text = events_utc_text(events["loaded_at"])
    ips = ip_text(events["ip_address"])
    rows = [
        MarketingCloudEvent(
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
            is_unique="",
            _loaded_at=loaded_text[i],
        )
        for i in range(len(order))
    ]
    return rows, events, outcomes


def draw_memberships(
    draw: Draw,
    audience: Audience,
    events: dict[str, np.ndarray],
    leads: list[Lead],
    campaigns: list[Campaign],
) -> list[CampaignMember]:
    """Campaign members: the recipients, a converted lead's contact beside the lead in a few
    campaigns (the same human twice), and invitees of campaigns that send no email. A member
    who clicked has responded."""
    members = audience.members
    responders = {
        (events["campaign_id"][i], events["subscriber_key"][i])
        for i in np.flatnonzero(events["event_type"] == "Click")
    }
    lead_to_contact = {lead.id: lead.converted_contact_id for lead in leads if lead.is_converted}
    sending = [campaign for campaign in campaigns if campaign.sends_email]
    for campaign in sending[:6]:
        for lead_id, contact_id in list(lead_to_contact.items())[:40]:
            if (campaign.id, lead_id) in members:
                members.setdefault(
                    (campaign.id, contact_id), ("Sent", members[(campaign.id, lead_id)][1])
                )
    people = audience.people
    for campaign in campaigns:
        if campaign.status in ("Planned", "Cancelled") or campaign.type != "Email":
            for key in people[
                draw.rng.choice(len(people), int(draw.rng.integers(5, 25)), replace=False)
            ]:
                members.setdefault(
                    (campaign.id, key),
                    (
                        "Planned" if campaign.status == "Planned" else "Invited",
                        campaign.created_date,
                    ),
                )
    member_ids = salesforce_ids("campaign_member", len(members), draw.rng)
    rows = []
    for member_id, ((campaign_id, key), (status, created)) in zip(
        member_ids, sorted(members.items()), strict=True
    ):
        responded = (campaign_id, key) in responders
        rows.append(
            CampaignMember(
                member_id,
                campaign_id,
                key if key.startswith("00Q") else None,
                key if key.startswith("003") else None,
                "Lead" if key.startswith("00Q") else "Contact",
                "Responded" if responded else status,
                responded,
                created,
                False,
                SYNCED_AT,
            )
        )
    return rows


# Which drawn outcome each reported number counts (emails_sent counts every send).
CRM_OUTCOMES = {
    "emails_sent": None,
    "emails_delivered": "is_delivered",
    "unique_opens": "is_opened",
    "unique_clicks": "is_clicked",
    "hard_bounces": "is_hard_bounced",
    "soft_bounces": "is_soft_bounced",
    "unsubscribes": "is_unsubscribed",
}
assert set(CRM_OUTCOMES.values()) - {None} <= set(OUTCOMES)


def crm_daily_metrics(
    draw: Draw, sends: Sends, outcomes: dict[str, np.ndarray], crm_campaigns: set[str]
) -> list[CampaignDailyMetrics]:
    """Salesforce's reported numbers per campaign and UTC send date, from each send's drawn
    outcomes (not read back from the events), counted as SFMC's job tracking counts them:
    implied and machine opens are opens, scanner clicks are clicks. Its sync misses a few
    late opens."""
    days = sends.sent_at.astype("datetime64[D]")
    campaign_of = sends.campaign_ids[sends.campaign]
    counts: dict[tuple[str, str], list[int]] = {}
    for i in np.argsort(sends.sent_at, kind="stable"):
        bucket = counts.setdefault((campaign_of[i], str(days[i])), [0] * len(CRM_OUTCOMES))
        for position, outcome in enumerate(CRM_OUTCOMES.values()):
            bucket[position] += 1 if outcome is None else int(outcomes[outcome][i])
    rows = []
    for (campaign_id, day), values in sorted(counts.items()):
        if campaign_id not in crm_campaigns:  # the CRM knows nothing of orphan campaigns
            continue
        if draw.rng.random() < 0.08:  # the CRM sync missed a few late opens
            values[2] = max(0, values[2] - int(draw.rng.integers(1, 4)))
        rows.append(CampaignDailyMetrics(campaign_id, day, *values, SYNCED_AT))
    return rows


def soft_deleted(
    draw: Draw, contacts: list[Contact], members: list[CampaignMember]
) -> tuple[list[Contact], list[CampaignMember]]:
    """A few records in Salesforce's recycle bin (is_deleted), as the connector keeps them:
    merged-away duplicates of contacts and removed campaign memberships. Staging drops them;
    were it not to, people and memberships would be counted twice."""
    taken = {contact.id for contact in contacts}
    picked = draw.rng.choice(len(contacts), 5, replace=False)
    new_ids = [i for i in salesforce_ids("contact", 10, draw.rng) if i not in taken][:5]
    duplicates = [
        replace(contacts[int(i)], id=new_id, is_deleted=True)
        for i, new_id in zip(picked, new_ids, strict=True)
    ]
    removed = [
        replace(members[int(i)], id=new_id, is_deleted=True)
        for i, new_id in zip(
            draw.rng.choice(len(members), 3, replace=False),
            salesforce_ids("campaign_member", 3, draw.rng),
            strict=True,
        )
    ]
    return sorted(contacts + duplicates, key=lambda c: c.id), members + removed


def build_seeds(seed: int = 42, sizes: SeedSizes | None = None) -> dict[str, list]:
    """Every seed as {name: rows} (dataclass rows, rendered by `write_seeds`)."""
    sizes = sizes or SeedSizes()
    draw, emails, mailboxes = Draw(seed), Emails(), {}
    behaviour = Behaviour()
    accounts, account_domains = draw_accounts(draw, sizes.accounts)
    contacts = draw_contacts(draw, sizes.contacts, accounts, account_domains, emails, mailboxes)
    leads = draw_leads(draw, sizes.leads, contacts, accounts, emails, mailboxes)
    campaigns, orphan_ids = draw_campaigns(draw, sizes)
    audience = draw_sends(draw, sizes, contacts, leads, campaigns, orphan_ids, mailboxes, behaviour)
    event_rows, events, outcomes = draw_events(draw, audience.sends, behaviour)
    members = draw_memberships(draw, audience, events, leads, campaigns)
    crm = crm_daily_metrics(draw, audience.sends, outcomes, {campaign.id for campaign in campaigns})
    contacts, members = soft_deleted(draw, contacts, members)
    return {
        "account": accounts,
        "campaign": campaigns,
        "campaign_daily_email_metrics": crm,
        "campaign_member": members,
        "contact": contacts,
        "lead": leads,
        "marketing_cloud_events": event_rows,
    }


# --- writing ----------------------------------------------------------------------------------


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


def _write_csv(path: Path, columns: list[str], rows: Iterable[tuple]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_text(value) for value in row])
            count += 1
    return count


def write_seeds(folder: Path, seed: int = 42) -> dict[str, int]:
    """Write every seed CSV into `folder`; returns rows written per seed."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, rows in build_seeds(seed).items():
        written[name] = _write_csv(
            folder / f"{name}.csv", header(SEEDS[name]), (astuple(row) for row in rows)
        )
    return dict(sorted(written.items()))
