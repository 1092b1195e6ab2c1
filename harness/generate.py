"""Events at scale: `mart generate` and the day-by-day replay of `mart simulate`.

The population is the CRM in the seed CSVs (contacts, unconverted leads and the email
campaigns, all made by Faker in `harness.seeds`) plus a few subscribers and campaigns the
CRM does not know (orphans). Events come from the vectorized funnel in `harness.events`:
NumPy produces numbers and codes only, Arrow carries them (low-cardinality text as
dictionaries) and the warehouse formats the landing table's text in one SQL statement, so no
Python string is made per event.

Work is split into chunks of whole send jobs (at most CHUNK_SENDS sends, about a million
events); each chunk is drawn from its own random stream (seed, day, chunk), is one landing
batch `gen:<seed>:<day>:<chunk>` loaded in one transaction, and is skipped when it is already
there. So a run is deterministic, memory stays bounded whatever the volume, and an
interrupted run continues where it stopped.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from harness import PROJECT_DIR
from harness.errors import UserError
from harness.events import (
    BOUNCE_DETAILS,
    EVENT_TYPES,
    FREE_MAIL,
    LINKS,
    PROFILE,
    SFMC_ACCOUNT_ID,
    USER_AGENTS,
    Behaviour,
    Sends,
    duplicate_rows,
    generate_events,
)
from harness.ids import salesforce_ids
from harness.landing import Sink

SEEDS = PROJECT_DIR / "seeds"
CHUNK_SENDS = 320_000  # about a million events
UNKNOWN_SUBSCRIBERS = 60  # subscriber keys the CRM has never seen
JOURNEY_JOB_ID = 2_999_999_999  # the one journey job, sending every other day
ORPHAN_CAMPAIGNS = 3  # campaign ids the CRM has never seen

# Kinds of bad row `bad_rate` injects (code = position + 1), var('mock_event_profile')'s
# list that the dbt macro injects too: nine quarantine reasons, then three valid kinds.
BAD_KINDS = tuple(PROFILE["bad_row_kinds"])


def _bad(kind: str) -> int:
    """The `bad` code of a kind of bad row."""
    return BAD_KINDS.index(kind) + 1


@dataclass(frozen=True)
class Population:
    """Who can be emailed, and for which campaigns: lookups that send codes index."""

    subscriber_keys: np.ndarray  # str
    subscriber_ids: np.ndarray  # int64
    email_domains: np.ndarray  # str, one per person
    is_corporate: np.ndarray  # bool, one per person
    campaign_ids: np.ndarray  # str: the CRM's sending email campaigns, then the orphans
    crm_campaigns: int  # how many of campaign_ids the CRM knows (the first ones)


def load_population(seeds: Path = SEEDS, seed: int = 42) -> Population:
    """The CRM people and email campaigns of the seed CSVs, plus unknown ones."""

    def rows(name: str) -> list[dict[str, str]]:
        with (seeds / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    # Opted-out contacts are never emailed; a converted lead is its contact now: new sends
    # go to the contact.
    people = {
        row["id"]: row["email"]
        for row in rows("contact")
        if row["has_opted_out_of_email"] != "true" and row["is_deleted"] != "true"
    }
    people |= {
        row["id"]: row["email"]
        for row in rows("lead")
        if row["is_converted"] != "true" and row["is_deleted"] != "true"
    }
    campaigns = sorted(
        row["id"]
        for row in rows("campaign")
        if row["type"] == "Email"
        and row["status"] in ("In_Progress", "Completed")
        and row["is_deleted"] != "true"
    )
    if not people or not campaigns:
        raise UserError(
            f"The seeds in {seeds} hold no people or no sending email campaigns; "
            "regenerate them with `mart seeds`."
        )
    rng = np.random.default_rng([seed, 0])
    unknown = [
        key for key in salesforce_ids("contact", UNKNOWN_SUBSCRIBERS * 2, rng) if key not in people
    ][:UNKNOWN_SUBSCRIBERS]
    orphans = [
        campaign_id
        for campaign_id in salesforce_ids("campaign", ORPHAN_CAMPAIGNS * 2, rng)
        if campaign_id not in campaigns
    ][:ORPHAN_CAMPAIGNS]
    keys = sorted(people)
    domains = [people[key].rpartition("@")[2].lower() for key in keys]
    domains += [sorted(FREE_MAIL)[i % len(FREE_MAIL)] for i in range(len(unknown))]
    return Population(
        subscriber_keys=np.array(keys + unknown, dtype=object),
        subscriber_ids=np.concatenate(
            [
                40_000_000 + np.arange(len(keys), dtype="int64"),
                49_000_000 + np.arange(len(unknown), dtype="int64"),
            ]
        ),
        email_domains=np.array(domains, dtype=object),
        is_corporate=np.array([domain not in FREE_MAIL for domain in domains]),
        campaign_ids=np.array(campaigns + orphans, dtype=object),
        crm_campaigns=len(campaigns),
    )


def expected_events_per_send(b: Behaviour, corporate_share: float) -> float:
    """The mean number of landed rows one send produces under `b` (duplicates included)."""
    bounce = b.hard_bounce + b.soft_bounce * (1 + b.soft_bounce_retry) + b.block_bounce
    delivered = 1 - (b.hard_bounce + b.soft_bounce + b.block_bounce)
    engaged = delivered * (
        b.mpp_share
        + b.human_open * (1 + b.open_again)
        + b.human_open * b.click_given_open
        + (1 - b.human_open) * b.click_without_open
        + corporate_share * b.scanner_on_corporate * len(LINKS)
        + b.human_open * b.unsubscribe_given_open
        + b.complaint_given_delivered
    )
    return (1 + delivered + bounce + engaged) * (1 + b.duplicate_share)


@dataclass(frozen=True)
class Chunk:
    """One landing batch: whole send jobs of one day."""

    day: dt.date
    number: int
    first_job: int  # index of its first job within the day
    jobs: int
    audience_share: float  # each person's chance of being in a job's audience

    def load_id(self, seed: int) -> str:
        return f"gen:{seed}:{self.day.isoformat()}:{self.number}"


def plan_chunks(
    start: dt.date, days: int, events_per_day: int, population: Population, b: Behaviour
) -> list[Chunk]:
    """Split each day's sends into send jobs to the whole population, grouped in chunks."""
    people = len(population.subscriber_keys)
    corporate = float(population.is_corporate.mean())
    sends = max(1, round(events_per_day / expected_events_per_send(b, corporate)))
    jobs = max(1, math.ceil(sends / people))
    share = sends / (jobs * people)
    chunks = math.ceil(jobs / max(1, CHUNK_SENDS // people))
    per_chunk = math.ceil(jobs / chunks)  # even chunks, none of them a small remainder
    plan = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        for number, first in enumerate(range(0, jobs, per_chunk)):
            plan.append(Chunk(day, number, first, min(per_chunk, jobs - first), share))
    return plan


def chunk_sends(
    chunk: Chunk, population: Population, rng: np.random.Generator, b: Behaviour
) -> Sends:
    """The sends of a chunk's jobs: a random audience each, sent from a random start time."""
    people = len(population.subscriber_keys)
    chosen = rng.random((chunk.jobs, people)) < chunk.audience_share
    job, person = np.nonzero(chosen)
    rank = np.arange(len(job)) - np.searchsorted(job, job)  # position within its job
    day_number = (chunk.day - dt.date(2000, 1, 1)).days
    job_ids = 3_000_000_000 + day_number * 100_000 + chunk.first_job + np.arange(chunk.jobs)
    # On odd days the first job is a journey: one JobID sending again and again (to a new
    # audience, in new batches), so one person gets several sends of one job over the days.
    # (Every tenth day, an even one, the first job is an orphan instead.)
    journey = chunk.number == 0 and chunk.day.toordinal() % 2 == 1
    if journey:
        job_ids[0] = JOURNEY_JOB_ID
    orphan = rng.random(chunk.jobs) < b.orphan_job_share
    # However few the jobs, every tenth day sends one orphan job (the audits need some).
    orphan[0] |= chunk.number == 0 and chunk.day.toordinal() % 10 == 0
    campaign = np.where(
        orphan,
        population.crm_campaigns
        + rng.integers(0, len(population.campaign_ids) - population.crm_campaigns, chunk.jobs),
        rng.integers(0, population.crm_campaigns, chunk.jobs),
    )
    if journey:
        orphan[0], campaign[0] = False, 0  # the journey belongs to one CRM campaign
    midnight = np.datetime64(chunk.day.isoformat(), "s")
    start = midnight + (6 * 3600 + rng.integers(0, 16 * 3600, chunk.jobs)).astype("timedelta64[s]")
    return Sends(
        job_id=job_ids[job].astype("int64"),
        list_id=(1_100 + rng.integers(0, 30, chunk.jobs))[job],
        # Batch ids are unique per job and day, so the journey's sends never collide.
        batch_id=(day_number % 10_000) * 1_000 + 1 + rank // 500,
        campaign=campaign[job],
        person=person,
        sent_at=start[job] + (rank // 100).astype("timedelta64[s]"),
        campaign_ids=population.campaign_ids,
        subscriber_keys=population.subscriber_keys,
        subscriber_ids=population.subscriber_ids,
        email_domains=population.email_domains,
        is_corporate=population.is_corporate,
    )


def _dictionary(codes: np.ndarray, values, mask: np.ndarray | None = None) -> pa.Array:
    """Codes as an Arrow dictionary column over `values` (masked codes are NULL)."""
    dictionary = pa.array(list(values), type=pa.string())
    indices = pa.array(codes.astype("int32"), mask=mask)
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def chunk_table(
    chunk: Chunk, seed: int, population: Population, b: Behaviour, bad_rate: float = 0.0
) -> pa.Table:
    """A chunk's events as an Arrow table of numbers and dictionaries (see LANDING_SELECT)."""
    rng = np.random.default_rng([seed, chunk.day.toordinal(), chunk.number])
    sends = chunk_sends(chunk, population, rng, b)
    events, _ = generate_events(sends, rng, b)
    ids = rng.integers(0, 2**63, size=(len(events["send"]), 2))
    events["id_high"], events["id_low"] = ids[:, 0], ids[:, 1]
    events = duplicate_rows(events, rng, b.duplicate_share)
    total = len(events["send"])
    bad = np.where(
        rng.random(total) < bad_rate, rng.integers(1, len(BAD_KINDS) + 1, total), 0
    ).astype("int8")
    send, kind, link = events["send"], events["event_type"], events["link"]
    person = sends.person[send]
    no_link = link < 0
    bounce = np.array(BOUNCE_DETAILS, dtype=object)
    not_bounce = bounce[kind, 0] == ""
    return pa.table(
        {
            "id_high": events["id_high"],
            "id_low": events["id_low"],
            "event_type": _dictionary(kind, EVENT_TYPES),
            "job_id": sends.job_id[send],
            "list_id": sends.list_id[send],
            "batch_id": sends.batch_id[send],
            "subscriber_id": population.subscriber_ids[person],
            "subscriber_key": _dictionary(person, population.subscriber_keys),
            "campaign_id": _dictionary(sends.campaign[send], population.campaign_ids),
            "email_domain": _dictionary(*_unique_codes(population.email_domains, person)),
            "url": _dictionary(np.maximum(link, 0), (url for url, _ in LINKS), no_link),
            "link_name": _dictionary(np.maximum(link, 0), (name for _, name in LINKS), no_link),
            "bounce_category": _dictionary(kind, bounce[:, 0], not_bounce),
            "bounce_subcategory": _dictionary(kind, bounce[:, 1], not_bounce),
            "smtp_code": _dictionary(kind, bounce[:, 2], not_bounce),
            "ip_address": events["ip_address"],
            "user_agent": _dictionary(events["user_agent"], USER_AGENTS, events["user_agent"] == 0),
            "event_at": events["event_at"],
            "loaded_at": events["loaded_at"],
            "bad": bad,
        }
    )


def _unique_codes(values: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(codes, dictionary) for values[index] with a dictionary of distinct values."""
    distinct, inverse = np.unique(values.astype(str), return_inverse=True)
    return inverse[index], distinct.tolist()


def landing_select(relation: str, load_id: str, with_bad_rows: bool = True) -> str:
    """DuckDB SQL turning a chunk table (named `relation`) into landing-table rows.

    Text is made here, by the engine, in parallel: hex event ids, SFMC's local time (UTC-6)
    and dotted IPs. `bad` codes corrupt a row in one way each (see BAD_KINDS). A conflicting
    duplicate takes its neighbour's event id, a window over the whole chunk (a sort): a
    chunk drawn without bad rows (`with_bad_rows` False) is spared it.
    """
    event_id = "printf('%016x%016x', id_high, id_low)"
    if with_bad_rows:
        event_id = f"""case
                when bad = {_bad("MISSING_EVENT_ID")} then null
                when bad = {_bad("CONFLICTING_DUPLICATE")}
                    then lag({event_id}) over (order by id_high, id_low)
                else {event_id}
            end"""
    return f"""
        select
            {event_id} as event_id,
            case when bad = {_bad("UNKNOWN_EVENT_TYPE")} then 'Forwarded'
                else event_type::varchar end as event_type,
            '{SFMC_ACCOUNT_ID}' as account_id,
            case when bad = {_bad("MISSING_JOB_ID")} then '' else job_id::varchar end as job_id,
            list_id::varchar as list_id,
            batch_id::varchar as batch_id,
            subscriber_id::varchar as subscriber_id,
            case
                when bad = {_bad("MISSING_SUBSCRIBER_KEY")} then ' '
                when bad = {_bad("UNKNOWN_PERSON")} then '0035g000NOBODY' || (id_low % 1000)
                else subscriber_key::varchar
            end as subscriber_key,
            campaign_id::varchar as campaign_id,
            case bad
                when {_bad("UNPARSEABLE_TIMESTAMP")} then 'not a date'
                -- Before the floor (2000-01-01) in UTC too: CST is UTC-6.
                when {_bad("TIMESTAMP_BEFORE_FLOOR")} then '1999-06-30 12:00:00'
                when {_bad("TIMESTAMP_IN_FUTURE")}
                    then strftime(loaded_at + interval 30 day, '%Y-%m-%d %H:%M:%S')
                else strftime(event_at - interval 6 hour, '%Y-%m-%d %H:%M:%S')
            end as event_date,
            email_domain::varchar as email_domain,
            url::varchar as url,
            case when bad = {_bad("SQL_LOOKING_TEXT")} then 'x''); drop table raw.events; --'
                else link_name::varchar end as link_name,
            bounce_category::varchar as bounce_category,
            bounce_subcategory::varchar as bounce_subcategory,
            smtp_code::varchar as smtp_code,
            case when ip_address <> 0 then concat_ws('.',
                ip_address >> 24, (ip_address >> 16) & 255,
                (ip_address >> 8) & 255, ip_address & 255) end as ip_address,
            case bad
                when {_bad("OVERSIZED_TEXT")} then repeat('x', 4096)
                when {_bad("INVALID_TEXT")}
                    then concat(coalesce(user_agent::varchar, 'Mozilla/5.0'), chr(65533))
                else user_agent::varchar
            end as user_agent,
            loaded_at::timestamp as _loaded_at,
            '{load_id}' as _load_id
        from {relation}
    """


Progress = Callable[[int], None]


@dataclass
class GenerateResult:
    events: int  # landed rows added by this run
    chunks: int  # chunks loaded by this run
    skipped: int  # chunks already there (loaded by an earlier run) and left alone


def generate(
    sink: Sink,
    *,
    start: dt.date,
    days: int,
    events_per_day: int,
    seed: int,
    bad_rate: float = 0.0,
    behaviour: Behaviour | None = None,
    progress: Progress = lambda events: None,
) -> GenerateResult:
    """Generate and land `days` days of events from `start`, chunk by chunk, into `sink`.

    The next chunk is generated in a worker thread while the sink loads the current one
    (NumPy and the warehouse both release the GIL for most of their work).
    """
    b = behaviour or Behaviour()
    population = load_population(seed=seed)
    loaded = sink.loaded_batches(f"gen:{seed}:")
    plan = [
        chunk
        for chunk in plan_chunks(start, days, events_per_day, population, b)
        if chunk.load_id(seed) not in loaded
    ]
    result = GenerateResult(0, 0, len(loaded))

    def make(chunk: Chunk) -> pa.Table:
        return chunk_table(chunk, seed, population, b, bad_rate)

    select = functools.partial(landing_select, with_bad_rows=bad_rate > 0)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(make, plan[0]) if plan else None
        for number, chunk in enumerate(plan):
            table = pending.result()
            if number + 1 < len(plan):
                pending = pool.submit(make, plan[number + 1])
            result.events += sink.append(table, chunk.load_id(seed), select)
            result.chunks += 1
            progress(table.num_rows)
    return result
