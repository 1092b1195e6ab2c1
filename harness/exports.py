"""What Marketing Cloud exports, read into the landing table's layout (`mart load`).

Three formats, each file or zip member one landing batch:

- `landing`: the landing table's own columns (var('landing_columns')), CSV or Parquet.
- `sfmc-data-views`: one CSV per data view, as an Automation Studio query activity exports
  it (`_Sent`, `_Open`, `_Click`, `_Bounce`, `_Unsubscribe`, `_Complaint`; `_Job` for the
  campaign mapping). Columns per Salesforce Help, "Data View: Sent" … "Data View: Job"
  (help.salesforce.com/s/articleView?id=mktg.mc_as_data_view_sent.htm and its siblings
  mc_as_data_view_open, _click, _bounce, _unsubscribe, _complaint, _job).
- `tracking-extract`: the zip an Automation Studio Tracking Extract activity writes, one
  CSV (or tab-separated) file per table: Sent, Opens, Clicks, Bounces, Unsubs, SendJobs.
  Columns per Salesforce Help, "Tracking Extract" and its per-file pages
  (help.salesforce.com/s/articleView?id=mktg.mc_as_tracking_extract.htm; mc_as_sent,
  mc_as_opens, mc_as_clicks, mc_as_bounces, mc_as_unsubs, mc_as_sendjobs).

Neither SFMC format carries an event id, an event type column the mart can trust (the file
is the type), a campaign id, an IP address or a user agent. So at load:

- the event id is md5 of the event's natural key — kind, JobID, ListID, BatchID,
  SubscriberID, EventDate as exported, and the URL of a click — the same for both SFMC
  formats, so an overlapping re-export of the same window collapses into the same events
  (two events of one kind, one subscriber and one send in the same second are one event);
- the event type is the file's (a bounce's kind from its BounceCategory);
- the campaign id comes from a mapping file the user provides (`--campaigns`): JobID to
  Salesforce campaign id, or EmailName to campaign id with the `_Job` / SendJobs export of
  the same load naming each job's email; an unmapped job keeps no campaign (an orphan);
- an email address (tracking extract) never reaches the warehouse: its domain is kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from harness.errors import UserError
from harness.landing import Sink, quoted
from harness.settings import landing_columns

FORMATS = ("landing", "sfmc-data-views", "tracking-extract")
# Parquet types that are not one value a text column can hold.
NOT_TEXT = ("[]", "STRUCT", "MAP", "UNION", "BLOB")
# The landing layout's columns a file must have (the rest may be missing: NULL).
REQUIRED_LANDING_COLUMNS = ("event_id", "event_type", "job_id", "subscriber_key", "event_date")


@dataclass(frozen=True)
class Kind:
    """One SFMC export of events: a data view or a tracking extract file."""

    name: str  # as SFMC names it: _Open, Opens
    event: str  # the kind of event in the natural key: Sent, Open, Click, Bounce, ...
    names: tuple[str, ...]  # file names (lower case, no extension, dates stripped) it has
    required: tuple[str, ...]
    optional: tuple[str, ...]
    landing: dict[str, str] = field(default_factory=dict)  # landing column -> SQL

    @property
    def columns(self) -> set[str]:
        return {name.lower() for name in self.required + self.optional}


VIEW_KEY = ("JobID", "ListID", "BatchID", "SubscriberID", "SubscriberKey", "EventDate")
VIEW_COMMON = (
    "AccountID",
    "OYBAccountID",
    "Domain",
    "TriggererSendDefinitionObjectID",
    "TriggeredSendCustomerKey",
)
VIEW_LANDING = {
    "account_id": '"accountid"',
    "job_id": '"jobid"',
    "list_id": '"listid"',
    "batch_id": '"batchid"',
    "subscriber_id": '"subscriberid"',
    "subscriber_key": '"subscriberkey"',
    "event_date": '"eventdate"',
    "email_domain": '"domain"',
    "is_unique": '"isunique"',
}
EXTRACT_KEY = ("SendID", "SubscriberKey", "SubscriberID", "ListID", "EventDate", "BatchID")
EXTRACT_COMMON = ("ClientID", "EmailAddress", "EventType", "TriggeredSendExternalKey", "IsUnique")
EXTRACT_LANDING = {
    "account_id": '"clientid"',
    "job_id": '"sendid"',
    "list_id": '"listid"',
    "batch_id": '"batchid"',
    "subscriber_id": '"subscriberid"',
    "subscriber_key": '"subscriberkey"',
    "event_date": '"eventdate"',
    # The address never lands: only its domain.
    "email_domain": "nullif(split_part(\"emailaddress\", '@', 2), '')",
    "is_unique": '"isunique"',
}
# A bounce's landing type from its category (BounceCategory: Hard bounce, Soft bounce,
# Block bounce, Technical/Other bounce, Unknown bounce).
BOUNCE_TYPE = (
    "case when lower(trim(\"bouncecategory\")) like 'hard%' then 'HardBounce' "
    "when lower(trim(\"bouncecategory\")) like 'soft%' then 'SoftBounce' else 'OtherBounce' end"
)
BOUNCE_VIEW = (
    "BounceCategoryID",
    "BounceSubcategoryID",
    "BounceSubcategory",
    "BounceTypeID",
    "BounceType",
    "SMTPBounceReason",
    "SMTPMessage",
    "SMTPCode",
    "IsFalseBounce",
)


def _view(name, event, names, required=(), optional=(), **landing) -> Kind:
    # Every view but _Sent carries IsUnique.
    unique = () if event == "Sent" else ("IsUnique",)
    return Kind(
        name,
        event,
        names,
        VIEW_KEY + required,
        VIEW_COMMON + unique + optional,
        {**VIEW_LANDING, **landing} if unique else {**VIEW_LANDING, "is_unique": "null", **landing},
    )


def _extract(name, event, names, required=(), optional=(), **landing) -> Kind:
    return Kind(
        name,
        event,
        names,
        EXTRACT_KEY + required,
        EXTRACT_COMMON + optional,
        {**EXTRACT_LANDING, **landing},
    )


DATA_VIEWS = (
    _view("_Sent", "Sent", ("sent",), event_type="'Sent'"),
    _view("_Open", "Open", ("open", "opens"), event_type="'Open'"),
    _view(
        "_Click",
        "Click",
        ("click", "clicks"),
        ("URL",),
        ("LinkName", "LinkContent"),
        event_type="'Click'",
        url='"url"',
        link_name='"linkname"',
    ),
    _view(
        "_Bounce",
        "Bounce",
        ("bounce", "bounces"),
        ("BounceCategory",),
        BOUNCE_VIEW,
        event_type=BOUNCE_TYPE,
        bounce_category='"bouncecategory"',
        bounce_subcategory='"bouncesubcategory"',
        smtp_code='"smtpcode"',
    ),
    _view(
        "_Unsubscribe", "Unsubscribe", ("unsubscribe", "unsubscribes"), event_type="'Unsubscribe'"
    ),
    _view("_Complaint", "Complaint", ("complaint", "complaints"), event_type="'Complaint'"),
)
EXTRACT_FILES = (
    _extract("Sent", "Sent", ("sent",), event_type="'Sent'"),
    _extract("Opens", "Open", ("opens",), event_type="'Open'"),
    _extract(
        "Clicks",
        "Click",
        ("clicks",),
        ("URL",),
        ("SendURLID", "URLID", "Alias"),
        event_type="'Click'",
        url='"url"',
        link_name='"alias"',
    ),
    _extract(
        "Bounces",
        "Bounce",
        ("bounces",),
        ("BounceCategory",),
        ("SMTPCode", "BounceReason", "BounceType", "BounceSubcategory"),
        event_type=BOUNCE_TYPE,
        bounce_category='"bouncecategory"',
        smtp_code='"smtpcode"',
    ),
    _extract("Unsubs", "Unsubscribe", ("unsubs",), event_type="'Unsubscribe'"),
    _extract("Complaints", "Complaint", ("complaints",), event_type="'Complaint'"),
)
# Job exports: JobID (SendID) to EmailName, for a campaign mapping by email name.
JOB_FILES = {"sfmc-data-views": ("_Job", "JobID"), "tracking-extract": ("SendJobs", "SendID")}


@dataclass(frozen=True)
class Batch:
    """One landing batch: where it came from, its id, and its rows in the landing layout."""

    source: str  # the file (or zip member) as the user would name it
    load_id: str
    rows: pa.Table


# --- reading CSV and Parquet ----------------------------------------------------------------


def _check_file(file: Path, suffixes: tuple[str, ...]) -> None:
    if not file.is_file():
        raise UserError(f"{file} does not exist; pass the path of an export file.")
    if file.suffix.lower() not in suffixes:
        raise UserError(
            f"{file} is not a {' or '.join(suffixes)} file; export it as "
            f"{' or '.join(s.lstrip('.').upper() for s in suffixes)}."
        )


def _utf8_text(raw: bytes) -> bytes:
    """The bytes, with any that are not UTF-8 replaced by U+FFFD: every row still loads, and
    staging quarantines those rows as INVALID_TEXT instead of the whole file failing."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace").encode("utf-8")
    return raw


def _read_csv(connection, name: str, raw: bytes) -> list[str]:
    """Registers the CSV (comma or tab separated, all text) as relation `export`; returns
    its header as written."""
    folder = Path(tempfile.mkdtemp(prefix="mart-load-"))
    path = folder / "export.csv"
    path.write_bytes(_utf8_text(raw))
    try:
        connection.execute(
            "create or replace temp table export as select * from "
            "read_csv(?, all_varchar = true, header = true, auto_detect = true)",
            [str(path)],
        )
    except duckdb.Error as error:
        raise UserError(
            f"{name} could not be read ({str(error).splitlines()[0]}); check that it is a CSV "
            "export with a header row."
        ) from None
    finally:
        path.unlink(missing_ok=True)
        folder.rmdir()
    return [row[0] for row in connection.execute("describe export").fetchall()]


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:16]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _to_landing(connection, expressions: dict[str, str]) -> pa.Table:
    """The registered `export` as landing rows: every landing column as text (NULL where the
    file has nothing for it), plus _loaded_at."""
    select = ", ".join(
        f"cast({expressions[column]} as varchar) as {column}"
        if column in expressions
        else f"cast(null as varchar) as {column}"
        for column in landing_columns()
    )
    loaded_at = quoted(_now().isoformat(sep=" "))
    return connection.sql(
        f"select {select}, cast({loaded_at} as timestamp) as _loaded_at from export"
    ).to_arrow_table()


# --- the landing layout ---------------------------------------------------------------------


def read_landing_file(file: Path) -> Batch:
    """A CSV or Parquet export in the landing table's own layout, as one batch."""
    _check_file(file, (".csv", ".parquet"))
    raw = file.read_bytes()
    exported = landing_columns()
    with duckdb.connect() as connection:
        if file.suffix.lower() == ".csv":
            header = _read_csv(connection, str(file), raw)
        else:
            try:
                connection.execute(
                    "create temp table export as select * from read_parquet(?)", [str(file)]
                )
            except duckdb.Error as error:
                raise UserError(
                    f"{file} could not be read ({str(error).splitlines()[0]}); check its format."
                ) from None
            described = connection.execute("describe export").fetchall()
            for name, kind, *_ in described:
                if any(
                    marker in kind.upper() for marker in ("[]", "STRUCT", "MAP", "UNION", "BLOB")
                ):
                    raise UserError(
                        f"{file}: column {name} is of type {kind}, which is not a text value; "
                        "export it as text (or a number or timestamp) and load again."
                    )
            header = [row[0] for row in described]
        normalized = {name.strip().lower(): name for name in header}
        missing = [c for c in REQUIRED_LANDING_COLUMNS if c not in normalized]
        if missing:
            raise UserError(
                f"{file} has no column {', '.join(missing)}; its header must name the landing "
                f"columns ({', '.join(exported)}), or pass --format for an SFMC export."
            )
        unknown = [name for key, name in normalized.items() if key not in exported]
        if unknown:
            raise UserError(
                f"{file} has column(s) {', '.join(unknown)} that the landing table does not "
                f"have; rename or drop them (known columns: {', '.join(exported)})."
            )
        rows = _to_landing(
            connection, {c: f'"{normalized[c]}"' for c in exported if c in normalized}
        )
    return Batch(str(file), f"file:{file.name}:{_digest(raw)}", rows)


# --- SFMC's data views and tracking extract ------------------------------------------------


def _file_kind(name: str, kinds) -> Kind | None:
    """The kind a file's name says: `_Open_2026-11-01.csv`, `opens.csv`, `Opens.csv`."""
    first = _file_words(name)[:1]
    return next((kind for kind in kinds if first and first[0] in kind.names), None)


def _recognise(name: str, header: list[str], kinds, what: str) -> Kind:
    """The kind of an export file, by its name, else by its header; one sentence if neither."""
    present = {column.strip().lower() for column in header}
    by_name = _file_kind(name, kinds)
    if by_name is not None:
        missing = [c for c in by_name.required if c.lower() not in present]
        if missing:
            raise UserError(
                f"{name} is named like {what} {by_name.name} but has no column "
                f"{', '.join(missing)}; export the columns {', '.join(by_name.required)}."
            )
        unknown = sorted(present - by_name.columns)
        if unknown:
            raise UserError(
                f"{name} ({by_name.name}) has column(s) {', '.join(unknown)} that "
                f"{by_name.name} does not have; drop them (known: "
                f"{', '.join(by_name.required + by_name.optional)})."
            )
        return by_name
    fitting = [
        kind
        for kind in kinds
        if {c.lower() for c in kind.required} <= present and present <= kind.columns
    ]
    # Only the kinds with a column of their own are told apart by their header.
    distinct = [kind for kind in fitting if kind.event in ("Click", "Bounce")]
    if len(distinct) == 1:
        return distinct[0]
    if fitting:
        raise UserError(
            f"{name}: its columns fit {', '.join(kind.name for kind in fitting)}; name the file "
            f"after its {what}, for example {fitting[0].name}_2026-11-01.csv."
        )
    closest = max(kinds, key=lambda kind: len(present & kind.columns))
    raise UserError(
        f"{name} is not an SFMC {what} export: its header ({', '.join(header)}) fits none; it "
        f"looks most like {closest.name}, which has {', '.join(closest.required)}."
    )


def _event_id(kind: Kind) -> str:
    """md5 of the natural key, as text: kind | JobID | ListID | BatchID | SubscriberID |
    EventDate | URL. Both SFMC formats give one event the same id."""
    landing = kind.landing
    parts = [quoted(kind.event)] + [
        f"coalesce(trim({landing[column]}), '')"
        for column in ("job_id", "list_id", "batch_id", "subscriber_id", "event_date")
    ]
    parts.append(f"coalesce(trim({landing['url']}), '')" if "url" in landing else "''")
    return "md5(" + " || '|' || ".join(parts) + ")"


@dataclass
class Campaigns:
    """JobID -> Salesforce campaign id, from the mapping file (and the job exports)."""

    by_job: dict[str, str] = field(default_factory=dict)
    by_email_name: dict[str, str] = field(default_factory=dict)
    email_names: dict[str, str] = field(default_factory=dict)  # JobID -> EmailName

    def resolved(self) -> dict[str, str]:
        mapped = {
            job: self.by_email_name[name]
            for job, name in self.email_names.items()
            if name in self.by_email_name
        }
        return {**mapped, **self.by_job}


def read_campaign_map(file: Path) -> Campaigns:
    """The mapping file: a CSV with campaign_id and job_id or email_name (one per row)."""
    _check_file(file, (".csv",))
    text = _utf8_text(file.read_bytes()).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    header = {name.strip().lower(): name for name in reader.fieldnames or []}
    if "campaign_id" not in header or not ({"job_id", "email_name"} & header.keys()):
        raise UserError(
            f"{file} needs a header with campaign_id and job_id or email_name (found "
            f"{', '.join(reader.fieldnames or []) or 'none'}); see README 'Load your own events'."
        )
    campaigns = Campaigns()
    for number, row in enumerate(reader, start=2):
        campaign = (row.get(header["campaign_id"]) or "").strip()
        job = (row.get(header.get("job_id", ""), "") or "").strip()
        email = (row.get(header.get("email_name", ""), "") or "").strip()
        if not campaign or not (job or email):
            raise UserError(
                f"{file} line {number} has no campaign_id or neither job_id nor email_name; "
                "fill them in or remove the line."
            )
        target = campaigns.by_job if job else campaigns.by_email_name
        key = job or email
        if target.get(key, campaign) != campaign:
            raise UserError(
                f"{file} maps {'job' if job else 'email'} {key} to two campaigns "
                f"({target[key]} and {campaign}); keep one."
            )
        target[key] = campaign
    return campaigns


def _member_name(source: str) -> str:
    """A file's own name: the zip member's for `archive.zip:Opens.csv`."""
    return Path(source.rpartition(".zip:")[2] or source).name


def _is_job_file(source: str, export_format: str) -> bool:
    return _file_words(_member_name(source))[:1] == [JOB_FILES[export_format][0].strip("_").lower()]


def _file_words(name: str) -> list[str]:
    return re.sub(r"[^a-z]+", " ", Path(name).stem.lower()).split()


def _job_email_names(connection, source: str, header: list[str], export_format: str):
    """JobID -> EmailName from a `_Job` or SendJobs export."""
    job_name, job_column = JOB_FILES[export_format]
    present = {column.strip().lower(): column for column in header}
    if job_column.lower() not in present or "emailname" not in present:
        raise UserError(
            f"{source} ({job_name}) needs the columns {job_column} and EmailName for the "
            "campaign mapping; export them."
        )
    rows = connection.execute(
        f'select trim("{present[job_column.lower()]}"), trim("{present["emailname"]}") from export'
    ).fetchall()
    return {job: name for job, name in rows if job and name}


def _events(connection, kind: Kind, header: list[str]) -> pa.Table:
    """The registered export of `kind` as landing rows, campaigns from `campaign_map`."""
    # Columns by lower-case name, so each kind's SQL finds them however the file cases them.
    renamed = ", ".join(f'"{column}" as "{column.strip().lower()}"' for column in header)
    connection.execute(f"create or replace temp table export as select {renamed} from export")
    for column in sorted(kind.columns - {column.strip().lower() for column in header}):
        connection.execute(f'alter table export add column "{column}" varchar')
    job = kind.landing["job_id"]
    campaign = f"(select campaign_id from campaign_map where job_id = trim({job}))"
    return _to_landing(
        connection, {**kind.landing, "event_id": _event_id(kind), "campaign_id": campaign}
    )


def _members(files: list[Path], export_format: str) -> list[tuple[str, str, bytes]]:
    """(source, load id, bytes) of every file, or every zip member of a tracking extract."""
    members = []
    for file in files:
        if export_format == "sfmc-data-views":
            _check_file(file, (".csv",))
            raw = file.read_bytes()
            members.append((str(file), f"sfmc:{file.name}:{_digest(raw)}", raw))
            continue
        _check_file(file, (".zip",))
        raw = file.read_bytes()
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                members += [
                    (
                        f"{file}:{info.filename}",
                        f"extract:{file.name}:{_digest(raw)}:{info.filename}",
                        archive.read(info),
                    )
                    for info in archive.infolist()
                    if not info.is_dir()
                ]
        except zipfile.BadZipFile:
            raise UserError(
                f"{file} is not a zip file; pass the zip the Tracking Extract activity wrote."
            ) from None
    return members


def read_sfmc_files(
    files: list[Path], export_format: str, campaigns: Campaigns | None = None
) -> list[Batch]:
    """SFMC data view CSVs, or tracking extract zips, as landing batches (one per events
    file). Job exports (`_Job`, SendJobs) feed the campaign mapping and land nothing; a
    tracking extract's other tables (Subscribers, Lists, ...) are not events and are left."""
    campaigns = campaigns or Campaigns()
    kinds = DATA_VIEWS if export_format == "sfmc-data-views" else EXTRACT_FILES
    what = "data view" if export_format == "sfmc-data-views" else "tracking extract file"
    members = _members(files, export_format)
    jobs = [member for member in members if _is_job_file(member[0], export_format)]
    events = [member for member in members if member not in jobs]
    if export_format == "tracking-extract":
        events = [m for m in events if _file_kind(_member_name(m[0]), kinds) is not None]
    if not events:
        raise UserError(
            f"{', '.join(map(str, files))} hold(s) no events file "
            f"({', '.join(kind.name for kind in kinds)}); pass the data views' exports or the "
            "tracking extract's zip."
        )
    batches = []
    with duckdb.connect() as connection:
        for source, _, raw in jobs:
            header = _read_csv(connection, source, raw)
            campaigns.email_names.update(
                _job_email_names(connection, source, header, export_format)
            )
        connection.execute("create temp table campaign_map (job_id varchar, campaign_id varchar)")
        if mapping := campaigns.resolved():
            connection.executemany("insert into campaign_map values (?, ?)", list(mapping.items()))
        for source, load_id, raw in events:
            header = _read_csv(connection, source, raw)
            kind = _recognise(_member_name(source), header, kinds, what)
            batches.append(Batch(source, load_id, _events(connection, kind, header)))
    return batches


# --- landing the batches ---------------------------------------------------------------------


def _as_is(relation: str, load_id: str) -> str:
    return f"select *, {quoted(load_id)} as _load_id from {relation}"


def land(sink: Sink, batches: list[Batch]) -> list[tuple[Batch, int]]:
    """Each batch once: (batch, rows added; 0 when an earlier load already landed it)."""
    landed = []
    for batch in batches:
        if batch.load_id in sink.loaded_batches(batch.load_id):
            landed.append((batch, 0))
        else:
            landed.append((batch, sink.append(batch.rows, batch.load_id, _as_is)))
    return landed


def read_exports(
    files: list[Path], export_format: str = "landing", campaign_map: Path | None = None
) -> list[Batch]:
    """The files of one `mart load`, as landing batches (all read before any lands, so a bad
    file stops the load before anything is added)."""
    if export_format not in FORMATS:
        raise UserError(f"Unknown format '{export_format}'; use one of {', '.join(FORMATS)}.")
    if export_format == "landing":
        if campaign_map is not None:
            raise UserError(
                "--campaigns maps SFMC exports to campaigns; the landing layout carries "
                "campaign_id itself. Drop --campaigns or pass --format."
            )
        return [read_landing_file(file) for file in files]
    if campaign_map is None:
        return read_sfmc_files(files, export_format)
    # The mapping file may sit among the exports (`mart load --campaigns dir/campaigns.csv
    # dir/*`): it is read as the mapping only.
    files = [file for file in files if file.resolve() != campaign_map.resolve()]
    return read_sfmc_files(files, export_format, read_campaign_map(campaign_map))


# --- writing generated events as SFMC would export them ----------------------------------

# EventDate as a US-locale export writes it: 9/1/2026 7:08:30 AM (CST, no daylight saving).
US_EVENT_DATE = (
    "coalesce(strftime(try_strptime(event_date, '%Y-%m-%d %H:%M:%S'), "
    "'%-m/%-d/%Y %-I:%M:%S %p'), event_date)"
)
# The file each landing event type goes to, and its kind (DeliveredEvent has none).
WRITTEN_KINDS = {
    "Sent": "Sent",
    "Open": "Open",
    "Click": "Click",
    "HardBounce": "Bounce",
    "SoftBounce": "Bounce",
    "OtherBounce": "Bounce",
    "Unsubscribe": "Unsubscribe",
    "Complaint": "Complaint",
}


class FileSink(Sink):
    """Collects generated landing rows (an in-memory DuckDB table), then writes them as the
    files `export_format` names: what the generator would have landed, as SFMC exports it."""

    def __init__(self):
        self.connection = duckdb.connect()
        columns = ", ".join(f"{column} varchar" for column in landing_columns())
        self.connection.execute(
            f"create table landed ({columns}, _loaded_at timestamp, _load_id varchar)"
        )

    def loaded_batches(self, prefix: str) -> set[str]:
        return set()

    def append(self, table: pa.Table, load_id: str, select) -> int:
        self.connection.register("_generated_chunk", table)
        try:
            (added,) = self.connection.execute(
                "insert into landed by name " + select("_generated_chunk", load_id)
            ).fetchone()
        finally:
            self.connection.unregister("_generated_chunk")
        return added

    def _events(self) -> None:
        """Table `events`: each event once (the first landed copy of an event id), of a kind
        the formats carry, with SFMC's IsUnique (first of its kind in its send)."""
        kinds = " ".join(f"when {quoted(t)} then {quoted(k)}" for t, k in WRITTEN_KINDS.items())
        self.connection.execute(
            f"""
            create or replace table events as
            with firsts as (
                select * from landed
                qualify row_number() over (partition by event_id order by _loaded_at) = 1
            ),
            kinded as (
                select *, case event_type {kinds} end as kind from firsts
            )
            select
                *,
                {US_EVENT_DATE} as us_event_date,
                case when row_number() over (
                    partition by job_id, list_id, batch_id, subscriber_key, kind
                    order by event_date, event_id
                ) = 1 then 'True' else 'False' end as is_unique_text,
                'Email for campaign ' || campaign_id as email_name
            from kinded
            where kind is not null and event_id is not null
            """
        )

    def _write(self, sql: str, path: Path) -> int:
        self.connection.execute(f"copy ({sql}) to '{path}' (header, delimiter ',')")
        return path.stat().st_size

    def write_data_views(self, folder: Path) -> list[Path]:
        """One CSV per data view per event day (`_Open_2026-11-10.csv`), `_Job.csv` and the
        mapping file `campaigns.csv` (email_name -> campaign_id)."""
        self._events()
        folder.mkdir(parents=True, exist_ok=True)
        shared = (
            "account_id as AccountID, cast(null as varchar) as OYBAccountID, job_id as JobID, "
            "list_id as ListID, batch_id as BatchID, subscriber_id as SubscriberID, "
            "subscriber_key as SubscriberKey, us_event_date as EventDate, email_domain as Domain"
        )
        extra = {
            "Sent": "",
            "Open": ", is_unique_text as IsUnique",
            "Click": ", is_unique_text as IsUnique, url as URL, link_name as LinkName, "
            "url as LinkContent",
            "Bounce": ", is_unique_text as IsUnique, bounce_category as BounceCategory, "
            "bounce_subcategory as BounceSubcategory, smtp_code as SMTPCode",
            "Unsubscribe": ", is_unique_text as IsUnique",
            "Complaint": ", is_unique_text as IsUnique",
        }
        written = []
        days = self.connection.execute(
            "select distinct substr(event_date, 1, 10) from events order by 1"
        ).fetchall()
        for (day,) in days:
            for kind, columns in extra.items():
                where = f"kind = {quoted(kind)} and substr(event_date, 1, 10) = {quoted(day)}"
                count = f"select count(*) from events where {where}"
                if self.connection.execute(count).fetchone()[0]:
                    path = folder / f"_{kind}_{day}.csv"
                    self._write(
                        f"select {shared}{columns} from events where {where} "
                        "order by event_date, event_id",
                        path,
                    )
                    written.append(path)
        written.append(folder / "_Job.csv")
        self._write(
            "select job_id as JobID, min(email_name) as EmailName, min(account_id) as AccountID "
            "from events group by job_id order by 1",
            written[-1],
        )
        written.append(folder / "campaigns.csv")
        self._write(
            "select distinct email_name, campaign_id from events "
            "where campaign_id is not null order by 1",
            written[-1],
        )
        return written

    def write_tracking_extract(self, folder: Path) -> list[Path]:
        """The Tracking Extract activity's zip (Sent, Opens, Clicks, Bounces, Unsubs,
        SendJobs) and the mapping file `campaigns.csv`."""
        self._events()
        folder.mkdir(parents=True, exist_ok=True)
        shared = (
            "account_id as ClientID, job_id as SendID, subscriber_key as SubscriberKey, "
            "lower(subscriber_key) || '@' || email_domain as EmailAddress, "
            "subscriber_id as SubscriberID, list_id as ListID, us_event_date as EventDate"
        )
        files = {
            "Sent": ("Sent", ", 'Sent' as EventType"),
            "Opens": ("Open", ", 'Open' as EventType"),
            "Clicks": (
                "Click",
                ", 'Click' as EventType, cast(null as varchar) as SendURLID, "
                "cast(null as varchar) as URLID, url as URL, link_name as Alias",
            ),
            "Bounces": (
                "Bounce",
                ", 'Bounce' as EventType, bounce_category as BounceCategory, "
                "smtp_code as SMTPCode, bounce_subcategory as BounceReason",
            ),
            "Unsubs": ("Unsubscribe", ", 'Unsubscribe' as EventType"),
            "Complaints": ("Complaint", ", 'Complaint' as EventType"),
        }
        tail = ", batch_id as BatchID, cast(null as varchar) as TriggeredSendExternalKey"
        days = self.connection.execute(
            "select min(substr(event_date, 1, 10)), max(substr(event_date, 1, 10)) from events"
        ).fetchone()
        archive_path = folder / f"tracking_extract_{days[0]}_{days[1]}.zip"
        scratch = Path(tempfile.mkdtemp(prefix="mart-extract-"))
        with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, (kind, columns) in files.items():
                path = scratch / f"{name}.csv"
                self._write(
                    f"select {shared}{columns}{tail} from events where kind = {quoted(kind)} "
                    "order by event_date, event_id",
                    path,
                )
                archive.write(path, path.name)
                path.unlink()
            path = scratch / "SendJobs.csv"
            self._write(
                "select min(account_id) as ClientID, job_id as SendID, min(email_name) "
                "as EmailName from events group by job_id order by 2",
                path,
            )
            archive.write(path, path.name)
            path.unlink()
        scratch.rmdir()
        mapping = folder / "campaigns.csv"
        self._write(
            "select distinct email_name, campaign_id from events "
            "where campaign_id is not null order by 1",
            mapping,
        )
        return [archive_path, mapping]

    def write(self, export_format: str, folder: Path) -> list[Path]:
        if export_format == "sfmc-data-views":
            return self.write_data_views(folder)
        if export_format == "tracking-extract":
            return self.write_tracking_extract(folder)
        raise UserError(
            f"Files are written as sfmc-data-views or tracking-extract, not '{export_format}'."
        )
