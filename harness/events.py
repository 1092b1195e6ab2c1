"""Vectorized Marketing Cloud event generation.

Input is one row per *send* (a job sending one email to one subscriber); output is the events
that send produces, as NumPy columns of numbers and codes (`decode` makes the landing table's
text for small batches; `harness.generate` has the warehouse make it at scale). Every behaviour
of real SFMC data that the mart must handle is produced here: funnel order (send, then delivery or
bounce, then opens, then clicks), hard/soft/block bounces, Apple Mail Privacy Protection
machine opens, security-scanner clicks, unsubscribes, late-arriving events and re-delivered
duplicates. Nothing loops per row in Python, so the same code scales from seeds to millions.

Times are produced in UTC (NumPy datetime64[s]); `sfmc_local_text` renders them in SFMC's
export zone, US Central Standard Time without daylight saving (UTC-6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.settings import mock_event_profile

SFMC_UTC_OFFSET = np.timedelta64(-6, "h")  # EventDate is CST without DST (Etc/GMT+6)

# Source event type names (SFMC API EventType) as they land in raw. Events carry the index
# of their type in EVENT_TYPES (an int8 code); text is made only where text is needed.
EVENT_TYPES = (
    "Sent",
    "DeliveredEvent",
    "Open",
    "Click",
    "HardBounce",
    "SoftBounce",
    "OtherBounce",
    "Unsubscribe",
    "Complaint",
)
SENT, DELIVERED, OPEN, CLICK, HARD_BOUNCE, SOFT_BOUNCE, OTHER_BOUNCE, UNSUBSCRIBE = range(8)
COMPLAINT = 8

# Bounce category, subcategory and SMTP code by event type ('' for non-bounces).
BOUNCE_DETAILS = (
    ("", "", ""),
    ("", "", ""),
    ("", "", ""),
    ("", "", ""),
    ("Hard bounce", "User Unknown", "550"),
    ("Soft bounce", "Mailbox Full", "452"),
    ("Block bounce", "Blocked", "554"),
    ("", "", ""),
    ("", "", ""),
)

# User agents by code: 0 none, then five human clients, Apple's image proxy (MPP sends a
# bare user agent) and a security scanner.
USER_AGENTS = (
    "",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Safari/605.1",
    "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 Chrome/130.0 Mobile",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.18129)",
    "Mozilla/5.0",
    "Mozilla/5.0 (compatible; SafeLinks-Scanner/2.1)",
)
NO_AGENT, FIRST_HUMAN_AGENT, HUMAN_AGENTS, MPP_AGENT, SCANNER_AGENT = 0, 1, 5, 6, 7

PROFILE = mock_event_profile()  # var('mock_event_profile') of dbt_project.yml

# Links by code (-1: the event has no link).
LINKS = tuple((link["url"], link["name"]) for link in PROFILE["links"])
FREE_MAIL = tuple(PROFILE["free_mail_domains"])
SFMC_ACCOUNT_ID = str(PROFILE["sfmc_account_id"])


@dataclass(frozen=True)
class Behaviour:
    """Chances of each behaviour per send; the defaults are var('mock_event_profile'), the
    profile the dbt macro insert_mock_marketing_cloud_events draws from too."""

    hard_bounce: float = PROFILE["hard_bounce"]
    soft_bounce: float = PROFILE["soft_bounce"]
    soft_bounce_retry: float = PROFILE["soft_bounce_retry"]
    block_bounce: float = PROFILE["block_bounce"]
    human_open: float = PROFILE["human_open"]
    open_again: float = PROFILE["open_again"]
    mpp_share: float = PROFILE["mpp_share"]
    click_given_open: float = PROFILE["click_given_open"]
    click_without_open: float = PROFILE["click_without_open"]
    scanner_on_corporate: float = PROFILE["scanner_on_corporate"]
    scanner_late_share: float = PROFILE["scanner_late_share"]
    unsubscribe_given_open: float = PROFILE["unsubscribe_given_open"]
    complaint_given_delivered: float = PROFILE["complaint_given_delivered"]
    late_share: float = PROFILE["late_share"]
    duplicate_share: float = PROFILE["duplicate_share"]
    non_member_share: float = PROFILE["non_member_share"]
    orphan_job_share: float = PROFILE["orphan_job_share"]


OUTCOMES = (
    "is_delivered",
    "is_bounced",
    "is_hard_bounced",
    "is_soft_bounced",
    "is_opened",
    "is_clicked",
    "is_unsubscribed",
    "is_complained",
)


@dataclass
class Sends:
    """One row per send (all arrays the same length), plus the lookups its codes index.

    People and campaigns are carried as indexes (`person`, `campaign`) into the lookup
    arrays, so a million sends never hold a million Python strings.
    """

    job_id: np.ndarray  # int64
    list_id: np.ndarray  # int64
    batch_id: np.ndarray  # int64
    campaign: np.ndarray  # int: index into campaign_ids
    person: np.ndarray  # int: index into subscriber_keys (and the other per-person lookups)
    sent_at: np.ndarray  # datetime64[s], UTC
    campaign_ids: np.ndarray  # str
    subscriber_keys: np.ndarray  # str
    subscriber_ids: np.ndarray  # int64, per person
    email_domains: np.ndarray  # str, per person
    is_corporate: np.ndarray  # bool per person: corporate mailbox (security scanners)

    def __len__(self) -> int:
        return len(self.job_id)


def _seconds(values: np.ndarray) -> np.ndarray:
    return values.astype("int64").astype("timedelta64[s]")


def generate_events(
    sends: Sends, rng: np.random.Generator, behaviour: Behaviour | None = None
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Events for a batch of sends, as columns (one entry per event, unordered), and what
    truly happened to each send (its outcomes, one boolean array per name in OUTCOMES).

    Event columns: send (index into `sends`), event_type (code into EVENT_TYPES), event_at,
    loaded_at (datetime64[s], UTC), link (code into LINKS, -1 for none), ip_address (packed
    IPv4, 0 for none), user_agent (code into USER_AGENTS). `decode` turns them into text.
    The outcomes are drawn here, not read back from the events: they are what a source
    system that saw every send would report (the CRM's numbers in the seeds).
    """
    b = behaviour or Behaviour()
    n = len(sends)
    idx = np.arange(n)
    parts: list[dict[str, np.ndarray]] = []

    def add(index, event_type, at, *, link=-1, ip=0, agent=NO_AGENT):
        k = len(index)
        parts.append(
            {
                "send": index,
                "event_type": np.full(k, event_type, dtype="int8"),
                "event_at": at,
                "link": np.broadcast_to(np.asarray(link, dtype="int8"), (k,)),
                "ip_address": np.broadcast_to(np.asarray(ip, dtype="int64"), (k,)),
                "user_agent": np.broadcast_to(np.asarray(agent, dtype="int8"), (k,)),
            }
        )

    sent_at = sends.sent_at
    add(idx, SENT, sent_at)

    # Bounce or delivery, seconds to minutes after the send. A soft bounce is retried, and
    # may bounce again hours later: still one bounced send.
    u = rng.random(n)
    hard = u < b.hard_bounce
    soft = (u >= b.hard_bounce) & (u < b.hard_bounce + b.soft_bounce)
    block = (u >= b.hard_bounce + b.soft_bounce) & (
        u < b.hard_bounce + b.soft_bounce + b.block_bounce
    )
    bounced = hard | soft | block
    for mask, kind in ((hard, HARD_BOUNCE), (soft, SOFT_BOUNCE), (block, OTHER_BOUNCE)):
        where = idx[mask]
        add(where, kind, sent_at[where] + _seconds(rng.integers(5, 900, len(where))))
    retried = idx[soft & (rng.random(n) < b.soft_bounce_retry)]
    add(
        retried,
        SOFT_BOUNCE,
        sent_at[retried] + _seconds(rng.integers(3600, 6 * 3600, len(retried))),
    )
    delivered = idx[~bounced]
    delivered_at = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    delivered_at[delivered] = sent_at[delivered] + _seconds(rng.integers(1, 120, len(delivered)))
    add(delivered, DELIVERED, delivered_at[delivered])

    # Apple MPP: the proxy fetches images shortly after delivery, from Apple's 17.0.0.0/8.
    on_apple_mail = rng.random(n) < b.mpp_share
    mpp = delivered[on_apple_mail[delivered]]
    mpp_ip = _ips(rng, len(mpp), first_octet=17)
    add(
        mpp,
        OPEN,
        delivered_at[mpp] + _seconds(rng.integers(0, 600, len(mpp))),
        ip=mpp_ip,
        agent=MPP_AGENT,
    )

    # Human opens: hours after delivery; some people open more than once.
    human = delivered[rng.random(len(delivered)) < b.human_open]
    first_open_at = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    first_open_at[human] = delivered_at[human] + _seconds(
        30 + rng.exponential(6 * 3600, len(human))
    )
    agents = (FIRST_HUMAN_AGENT + rng.integers(0, HUMAN_AGENTS, n)).astype("int8")
    person_ip = _ips(rng, n)
    add(human, OPEN, first_open_at[human], ip=person_ip[human], agent=agents[human])
    again = human[rng.random(len(human)) < b.open_again]
    add(
        again,
        OPEN,
        first_open_at[again] + _seconds(60 + rng.exponential(24 * 3600, len(again))),
        ip=person_ip[again],
        agent=agents[again],
    )

    # Clicks: mostly after a human open; a few with no recorded open (images blocked).
    clickers = human[rng.random(len(human)) < b.click_given_open]
    not_opened = np.setdiff1d(delivered, human, assume_unique=True)
    blind = not_opened[rng.random(len(not_opened)) < b.click_without_open]
    click_base = np.concatenate([first_open_at[clickers], delivered_at[blind]])
    click_who = np.concatenate([clickers, blind])
    click_at = click_base + _seconds(10 + rng.exponential(900, len(click_who)) + 120)
    link = rng.integers(0, len(LINKS), len(click_who))
    add(click_who, CLICK, click_at, link=link, ip=person_ip[click_who], agent=agents[click_who])

    # Security scanners on corporate mailboxes follow every link within two seconds, mostly
    # seconds after delivery, sometimes much later (then only the burst gives them away).
    scanned = delivered[
        sends.is_corporate[sends.person[delivered]]
        & (rng.random(len(delivered)) < b.scanner_on_corporate)
    ]
    late_scan = rng.random(len(scanned)) < b.scanner_late_share
    scan_start = delivered_at[scanned] + _seconds(
        np.where(
            late_scan, rng.integers(300, 3600, len(scanned)), rng.integers(3, 40, len(scanned))
        )
    )
    scan_who = np.repeat(scanned, len(LINKS))
    scan_link = np.tile(np.arange(len(LINKS)), len(scanned))
    scanner_ip = _ips(rng, len(scanned), first_octet=52)
    add(
        scan_who,
        CLICK,
        np.repeat(scan_start, len(LINKS)) + _seconds(rng.integers(0, 2, len(scan_who))),
        link=scan_link,
        ip=np.repeat(scanner_ip, len(LINKS)),
        agent=SCANNER_AGENT,
    )

    # Unsubscribes: a small share of human openers, minutes after opening.
    leavers = human[rng.random(len(human)) < b.unsubscribe_given_open]
    add(
        leavers,
        UNSUBSCRIBE,
        first_open_at[leavers] + _seconds(30 + rng.exponential(600, len(leavers))),
        ip=person_ip[leavers],
        agent=agents[leavers],
    )

    # Spam complaints: a few delivered sends, reported hours after delivery (SFMC's
    # _Complaint data view carries no IP address or user agent).
    complainers = delivered[rng.random(len(delivered)) < b.complaint_given_delivered]
    add(
        complainers,
        COMPLAINT,
        delivered_at[complainers] + _seconds(rng.integers(600, 86400, len(complainers))),
    )

    events = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    total = len(events["event_at"])

    # Landing time: minutes after the event, or days for late-arriving opens and clicks.
    lag = 60 + rng.exponential(1200, total)
    engaged = (events["event_type"] == OPEN) | (events["event_type"] == CLICK)
    late = engaged & (rng.random(total) < b.late_share)
    lag[late] += rng.integers(1, 6, late.sum()) * 86400 + rng.integers(0, 86400, late.sum())
    events["loaded_at"] = events["event_at"] + _seconds(lag)

    def flag(*groups) -> np.ndarray:
        marked = np.zeros(n, dtype=bool)
        for group in groups:
            marked[group] = True
        return marked

    outcomes = {
        "is_delivered": ~bounced,
        "is_bounced": bounced,
        "is_hard_bounced": hard,
        "is_soft_bounced": soft,
        "is_opened": flag(mpp, human, click_who, scanned),
        "is_clicked": flag(click_who, scanned),
        "is_unsubscribed": flag(leavers),
        "is_complained": flag(complainers),
    }
    return events, outcomes


def decode(sends: Sends, events: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The events' columns as the landing table's text values (slow: for small batches).

    Adds the send's job, list, batch, campaign and subscriber columns; other columns the
    events carry (event_id, for one) are passed through.
    """
    send, kind, link = events["send"], events["event_type"], events["link"]
    person = sends.person[send]
    links = np.array((*LINKS, ("", "")), dtype=object)  # -1 picks the empty last row
    bounce = np.array(BOUNCE_DETAILS, dtype=object)[kind]
    text = {key: value for key, value in events.items() if key not in ("send", "link")}
    text.update(
        job_id=sends.job_id[send],
        list_id=sends.list_id[send],
        batch_id=sends.batch_id[send],
        campaign_id=sends.campaign_ids[sends.campaign[send]],
        subscriber_id=sends.subscriber_ids[person],
        subscriber_key=sends.subscriber_keys[person],
        email_domain=sends.email_domains[person],
        event_type=np.array(EVENT_TYPES, dtype=object)[kind],
        url=links[link, 0],
        link_name=links[link, 1],
        user_agent=np.array(USER_AGENTS, dtype=object)[events["user_agent"]],
        bounce_category=bounce[:, 0],
        bounce_subcategory=bounce[:, 1],
        smtp_code=bounce[:, 2],
    )
    return text


def duplicate_rows(
    events: dict[str, np.ndarray], rng: np.random.Generator, share: float
) -> dict[str, np.ndarray]:
    """Re-deliver a share of events (same event_id and payload) one to three days later."""
    total = len(events["event_at"])
    again = np.flatnonzero(rng.random(total) < share)
    replay = {key: column[again] for key, column in events.items()}
    replay["loaded_at"] = replay["loaded_at"] + _seconds(rng.integers(86400, 3 * 86400, len(again)))
    return {key: np.concatenate([events[key], replay[key]]) for key in events}


def _ips(rng: np.random.Generator, count: int, first_octet: int | None = None) -> np.ndarray:
    """IPv4 addresses packed in int64 (text is made by `ip_text`, or by the warehouse)."""
    octets = rng.integers(1, 255, size=(count, 4))
    if first_octet is None:
        # Public-looking addresses that are never in Apple's 17.0.0.0/8.
        octets[:, 0] = rng.choice(np.array([23, 31, 45, 62, 81, 98, 104, 151, 176, 203]), count)
    else:
        octets[:, 0] = first_octet
    return (octets[:, 0] << 24) | (octets[:, 1] << 16) | (octets[:, 2] << 8) | octets[:, 3]


def ip_text(packed: np.ndarray) -> list[str]:
    """Packed IPv4 (0 = none) → dotted text ('' for none)."""
    return [
        f"{v >> 24}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}" if v else ""
        for v in packed.tolist()
    ]


def sfmc_local_text(utc: np.ndarray) -> np.ndarray:
    """UTC datetime64[s] → SFMC export text in CST without DST ('YYYY-MM-DD HH:MM:SS')."""
    local = (utc + SFMC_UTC_OFFSET).astype("datetime64[s]")
    return np.char.replace(np.datetime_as_string(local, unit="s"), "T", " ").astype(object)


def utc_text(utc: np.ndarray) -> np.ndarray:
    """UTC datetime64[s] → 'YYYY-MM-DD HH:MM:SS'."""
    return np.char.replace(np.datetime_as_string(utc, unit="s"), "T", " ").astype(object)
