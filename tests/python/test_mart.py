"""The mart built by real dbt on a real DuckDB file, checked with independent computations."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import DAILY_DATES, query

from harness.dbt import NO_UNIT_TESTS, DbtError, manifest, run_dbt
from harness.exports import land, read_landing_file
from harness.jobs import insert_mock_events
from harness.landing import DuckDBSink
from harness.settings import rejection_reasons
from harness.warehouse import connect

REQUIRED_MODELS = {
    "staging": {
        "stg_marketing_cloud_events",
        "stg_campaigns",
        "stg_campaign_members",
        "stg_contacts",
        "stg_leads",
    },
    "marts": {
        "dim_campaign",
        "dim_person",
        "fct_email_events",
        "fct_email_sends",
        "fct_email_events_daily",
        "fct_campaign_membership",
        "dq_campaign_id_coverage",
        "dq_orphan_campaign_ids",
        "dq_campaign_non_member_recipients",
    },
    "audit": {
        "audit__event_id_duplicates",
        "audit__daily_grain_violations",
        "audit__orphan_campaigns_14d",
    },
}


def test_every_model_is_built_in_its_schema(warehouse):
    found = defaultdict(set)
    for schema, name, kind in query(
        warehouse, "select table_schema, table_name, table_type from information_schema.tables"
    ):
        found[schema].add(name)
        if schema == "audit":
            assert kind == "VIEW", f"audit.{name} must be a view"
    for schema, models in REQUIRED_MODELS.items():
        assert models <= found[schema], f"missing in {schema}: {models - found[schema]}"
    for schema in ("staging", "marts"):
        for name in REQUIRED_MODELS[schema]:
            assert query(warehouse, f"select count(*) from {schema}.{name}")[0][0] > 0, name


def test_every_dbt_unit_test_passes(built):
    """Every dbt unit test of the project, once per suite (the daily selection has none, as
    production): their inputs' columns come from the built warehouse."""
    units = run_dbt(["test", "--select", "test_type:unit"], quiet=True)
    assert units.count(("unit_test",), "pass", "success") == len(manifest().unit_tests)
    assert not units.failures


def test_the_daily_job_adds_each_day_to_the_daily_fact(warehouse):
    """Each daily run lands the day before's sends (the export its 06:00 UTC run finds)."""
    import datetime as dt

    for day in DAILY_DATES:
        sent = (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()
        sends = query(
            warehouse,
            "select sum(sends) from marts.fct_email_events_daily where report_date = ?",
            [sent],
        )[0][0]
        assert sends and sends > 300, f"no sends for {sent}"
    batches = query(
        warehouse, "select count(distinct _load_id) from raw.events where _load_id like 'mock:%:7'"
    )
    assert batches[0][0] == len(DAILY_DATES)


SEND_KEY = ("job_id", "list_id", "batch_id", "subscriber_key")
OUTCOMES = (
    "is_delivered",
    "is_bounced",
    "is_hard_bounced",
    "is_soft_bounced",
    "is_opened",
    "is_human_opened",
    "is_clicked",
    "is_human_clicked",
    "is_unsubscribed",
    "is_complained",
    "is_reconstructed",
)


def sends_from_events(warehouse) -> dict[tuple, dict]:
    """Every send and its outcomes, derived here from fct_email_events as ../shared/DOMAIN.md
    defines them (Python, not the models' SQL)."""
    rows = query(
        warehouse,
        """
        select job_id, list_id, batch_id, subscriber_key, campaign_id, event_type, bounce_type,
               is_machine_open, is_suspected_bot_click, event_at
        from marts.fct_email_events
        """,
    )
    events = defaultdict(list)
    for job, list_id, batch, key, campaign, kind, bounce, machine, bot, at in rows:
        events[(job, list_id, batch, key)].append((kind, bounce, machine, bot, at, campaign))
    tracked_jobs = {key[0] for key, evs in events.items() if any(e[0] == "DELIVERED" for e in evs)}
    sends = {}
    for key, evs in events.items():
        kinds = [e[0] for e in evs]
        bounced = "BOUNCE" in kinds
        opened_any = "OPEN" in kinds or "CLICK" in kinds
        delivered = not bounced and (
            "DELIVERED" in kinds or opened_any or "COMPLAINT" in kinds or key[0] not in tracked_jobs
        )
        human_open = any(k == "OPEN" and not m for k, _, m, _, _, _ in evs)
        human_click = any(k == "CLICK" and not b for k, _, _, b, _, _ in evs)
        send_events = [e for e in evs if e[0] == "SEND"]
        first = min(send_events or evs, key=lambda e: e[4])
        sends[key] = {
            "campaign_id": first[5] if send_events else max(e[5] or "" for e in evs) or None,
            "send_date": first[4].date(),
            "is_delivered": delivered,
            "is_bounced": bounced,
            "is_hard_bounced": any(b == "HARD" for _, b, _, _, _, _ in evs),
            "is_soft_bounced": bounced
            and not any(b == "HARD" for _, b, *_ in evs)
            and any(b == "SOFT" for _, b, *_ in evs),
            "is_opened": delivered and opened_any,
            "is_human_opened": delivered and (human_open or human_click),
            "is_clicked": delivered and "CLICK" in kinds,
            "is_human_clicked": delivered and human_click,
            "is_unsubscribed": delivered and "UNSUBSCRIBE" in kinds,
            "is_complained": delivered and "COMPLAINT" in kinds,
            "is_reconstructed": not send_events,
        }
    return sends


def test_every_send_outcome_follows_the_domain_definitions(warehouse):
    expected = sends_from_events(warehouse)
    actual = {
        tuple(row[:4]): dict(zip(("campaign_id", "send_date", *OUTCOMES), row[4:], strict=True))
        for row in query(
            warehouse,
            f"select {', '.join(SEND_KEY)}, campaign_id, send_date, {', '.join(OUTCOMES)} "
            "from marts.fct_email_sends",
        )
    }
    assert len(actual) == len(expected) > 2000
    assert actual == expected
    # The rules were exercised: journeys (a job sending one person twice), soft-bounce
    # retries, implied opens.
    journeys = query(
        warehouse,
        "select count(*) from (select job_id, subscriber_key from marts.fct_email_sends "
        "group by all having count(*) > 1)",
    )[0][0]
    retries = query(
        warehouse, "select count(*) from marts.fct_email_sends where bounce_event_count > 1"
    )[0][0]
    implied = query(
        warehouse,
        "select count(*) from marts.fct_email_sends where is_opened and open_count = 0",
    )[0][0]
    assert journeys > 0 and retries > 0 and implied > 0, (journeys, retries, implied)


def test_every_daily_number_equals_an_aggregation_of_the_sends_and_events(warehouse):
    """The cohort columns recomputed in Python from fct_email_sends rows, the activity columns
    from fct_email_events rows, the rates from those sums (not with the model's SQL)."""
    cohort_names = {
        "sends": None,
        "reconstructed_sends": "is_reconstructed",
        "delivered_sends": "is_delivered",
        "bounced_sends": "is_bounced",
        "hard_bounced_sends": "is_hard_bounced",
        "soft_bounced_sends": "is_soft_bounced",
        "opened_sends": "is_opened",
        "human_opened_sends": "is_human_opened",
        "clicked_sends": "is_clicked",
        "human_clicked_sends": "is_human_clicked",
        "unsubscribed_sends": "is_unsubscribed",
        "complained_sends": "is_complained",
    }
    expected = defaultdict(lambda: defaultdict(int))
    for row in query(
        warehouse,
        f"select send_date, coalesce(campaign_id, '(none)'), {', '.join(OUTCOMES)} "
        "from marts.fct_email_sends",
    ):
        cell = expected[(row[0], row[1])]
        flags = dict(zip(OUTCOMES, row[2:], strict=True))
        for column, flag in cohort_names.items():
            cell[column] += 1 if flag is None else int(flags[flag])
    activity = {
        "SEND": "send_events",
        "DELIVERED": "delivered_events",
        "OPEN": "open_events",
        "CLICK": "click_events",
        "BOUNCE": "bounce_events",
        "UNSUBSCRIBE": "unsubscribe_events",
        "COMPLAINT": "complaint_events",
    }
    for day, campaign, kind, machine, bot in query(
        warehouse,
        "select event_date, coalesce(campaign_id, '(none)'), event_type, is_machine_open, "
        "is_suspected_bot_click from marts.fct_email_events",
    ):
        cell = expected[(day, campaign)]
        cell[activity[kind]] += 1
        cell["machine_open_events"] += bool(machine)
        cell["suspected_bot_click_events"] += bool(bot)
    columns = [*cohort_names, *activity.values(), "machine_open_events",
               "suspected_bot_click_events"]  # fmt: skip
    rates = {
        "delivery_rate": ("delivered_sends", "sends"),
        "unique_open_rate": ("opened_sends", "delivered_sends"),
        "human_unique_open_rate": ("human_opened_sends", "delivered_sends"),
        "click_through_rate": ("clicked_sends", "delivered_sends"),
        "click_to_open_rate": ("clicked_sends", "opened_sends"),
        "human_click_to_open_rate": ("human_clicked_sends", "human_opened_sends"),
        "bounce_rate": ("bounced_sends", "sends"),
        "unsubscribe_rate": ("unsubscribed_sends", "delivered_sends"),
        "complaint_rate": ("complained_sends", "delivered_sends"),
    }
    daily = query(
        warehouse,
        f"select report_date, campaign_id, {', '.join(columns)}, {', '.join(rates)} "
        "from marts.fct_email_events_daily",
    )
    assert len(daily) == len(expected)
    for row in daily:
        cell = expected[(row[0], row[1])]
        actual = dict(zip(columns + list(rates), row[2:], strict=True))
        assert {c: actual[c] for c in columns} == {c: cell[c] for c in columns}, row[:2]
        for rate, (numerator, denominator) in rates.items():
            want = cell[numerator] / cell[denominator] if cell[denominator] else None
            assert actual[rate] == pytest.approx(want), (row[:2], rate)


def test_every_rate_and_human_count_holds_in_every_marts_model(warehouse):
    """No rate outside [0, 1], no human count above its total, no cohort subset above sends,
    in any table of the marts (read here from the warehouse, whatever the models)."""
    checked = 0
    for (table,) in query(
        warehouse, "select table_name from information_schema.tables where table_schema = 'marts'"
    ):
        names = [r[0] for r in query(warehouse, f"describe marts.{table}")]
        for name in names:
            broken = []
            if name.endswith("_rate"):
                broken = query(
                    warehouse,
                    f"select count(*) from marts.{table} where {name} not between 0 and 1",
                )
            elif name.startswith("human_") and name[6:] in names:
                broken = query(
                    warehouse, f"select count(*) from marts.{table} where {name} > {name[6:]}"
                )
            elif name.endswith("_sends") and "sends" in names:
                broken = query(
                    warehouse, f"select count(*) from marts.{table} where {name} > sends"
                )
            if broken:
                checked += 1
                assert broken[0][0] == 0, (table, name)
    assert checked > 20


def test_the_audit_catches_any_changed_count_or_rate_of_the_daily_fact(warehouse):
    """Each count and rate of one row is changed in turn (in a transaction, rolled back):
    audit__daily_grain_violations names it every time."""
    names = [r[0] for r in query(warehouse, "describe marts.fct_email_events_daily")]
    changeable = [n for n in names if n.endswith(("_rate", "_sends", "_events")) or n == "sends"]
    assert len(changeable) >= 30
    row = query(
        warehouse,
        "select report_date, campaign_id from marts.fct_email_events_daily "
        "where human_clicked_sends > 0 and open_events > 0 and bounce_events > 0 "
        "and unsubscribed_sends > 0 order by sends desc limit 1",
    )
    assert row, "no row has every kind of number"
    day, campaign = row[0]
    assert query(warehouse, "select count(*) from audit.audit__daily_grain_violations") == [(0,)]
    for name in changeable:
        change = f"case when {name} < 0.5 then {name} + 0.01 else {name} - 0.01 end"
        warehouse.execute("begin transaction")
        try:
            warehouse.execute(
                f"update marts.fct_email_events_daily set {name} = "
                f"{change if name.endswith('_rate') else name + ' + 1'} "
                "where report_date = ? and campaign_id = ?",
                [day, campaign],
            )
            found = query(
                warehouse,
                "select violation_type, column_name from audit.audit__daily_grain_violations",
            )
        finally:
            warehouse.execute("rollback")
        assert ("VALUE_MISMATCH", name) in found, name


def test_the_mart_reconciles_with_the_crm_within_its_documented_lag(warehouse):
    """The CRM's numbers come from what the generator drew for each send, not from the
    events: every difference is 0 but a few unique opens the CRM's sync missed (0 to 3)."""
    rows = query(
        warehouse,
        """
        select sends_difference, delivered_sends_difference, clicked_sends_difference,
               hard_bounced_sends_difference, soft_bounced_sends_difference,
               unsubscribed_sends_difference, opened_sends_difference
        from marts.dq_campaign_daily_reconciliation
        """,
    )
    assert len(rows) > 20
    assert all(row[:6] == (0, 0, 0, 0, 0, 0) for row in rows), [r for r in rows if any(r[:6])]
    assert all(0 <= row[6] <= 3 for row in rows)
    assert any(row[6] > 0 for row in rows), "the CRM's lag is modelled"


def test_every_raw_row_is_a_fact_a_duplicate_or_quarantined(warehouse):
    raw = query(warehouse, "select count(*), count(distinct event_id) from raw.events")[0]
    facts = query(
        warehouse, "select count(*), sum(collapsed_duplicate_count) from marts.fct_email_events"
    )[0]
    rejected = query(warehouse, "select count(*) from audit.audit__rejected_events")[0][0]
    assert raw[0] == facts[0] + facts[1] + rejected
    duplicates = query(
        warehouse, "select sum(collapsed_row_count) from audit.audit__event_id_duplicates"
    )
    assert duplicates[0][0] == facts[1] > 0


def test_audit_views_surface_orphans_and_no_grain_violations(warehouse):
    assert query(warehouse, "select count(*) from audit.audit__daily_grain_violations")[0][0] == 0
    orphans = {
        r[0] for r in query(warehouse, "select campaign_id from marts.dq_orphan_campaign_ids")
    }
    crm = {
        r[0] for r in query(warehouse, "select id from salesforce.campaign where not is_deleted")
    }
    on_events = {r[0] for r in query(warehouse, "select distinct campaign_id from raw.events")}
    assert orphans == on_events - crm - {None}
    recent = {
        r[0] for r in query(warehouse, "select campaign_id from audit.audit__orphan_campaigns_14d")
    }
    latest = query(warehouse, "select max(event_date) from marts.fct_email_events")[0][0]
    in_window = {
        r[0]
        for r in query(
            warehouse,
            "select distinct campaign_id from marts.fct_email_events "
            "where campaign_id is not null and not is_known_campaign "
            "and event_date > ? - interval 14 day",
            [latest],
        )
    }
    assert recent == in_window and recent, "the orphans of the last 14 days of data, named"
    assert recent <= orphans


def test_no_personal_data_in_marts_or_audit(warehouse):
    emails = {r[0] for r in query(warehouse, "select email from staging.stg_contacts")}
    for schema in ("marts", "audit"):
        for (name,) in query(
            warehouse,
            "select table_name from information_schema.tables where table_schema = ?",
            [schema],
        ):
            columns = {r[0] for r in query(warehouse, f"describe {schema}.{name}")}
            assert not columns & {"email", "first_name", "last_name", "ip_address"}, name
    sample = next(iter(emails))
    assert (
        query(
            warehouse, "select count(*) from marts.dim_person where person_key = md5(?)", [sample]
        )[0][0]
        == 1
    )


def test_a_converted_lead_is_one_person(warehouse):
    people = query(warehouse, "select count(*) from marts.dim_person")[0][0]
    contacts = query(warehouse, "select count(*) from salesforce.contact where not is_deleted")[0][
        0
    ]
    open_leads = query(
        warehouse,
        "select count(*) from salesforce.lead where not is_deleted "
        "and (not is_converted or converted_contact_id is null)",
    )[0][0]
    deleted = query(warehouse, "select count(*) from salesforce.contact where is_deleted")[0][0]
    assert deleted > 0, "the recycle bin is exercised"
    assert people == contacts + open_leads


def test_mock_events_are_idempotent_and_deterministic(built):
    day, batch = DAILY_DATES[0], f"mock:{DAILY_DATES[0]}:7"
    digest_sql = (
        "select count(*), md5(string_agg(md5(concat_ws('|', event_id, event_type, job_id, "
        "subscriber_key, campaign_id, event_date, _loaded_at)), ',' "
        "order by event_id, event_type)) from raw.events where _load_id = ?"
    )
    with connect() as connection:
        before = query(connection, digest_sql, [batch])[0]
    insert_mock_events(day, 1500, 7, "duckdb")
    with connect() as connection:
        assert query(connection, digest_sql, [batch])[0] == before, "second run added rows"
        connection.execute("delete from raw.events where _load_id = ?", [batch])
    insert_mock_events(day, 1500, 7, "duckdb")
    with connect() as connection:
        assert query(connection, digest_sql, [batch])[0] == before, "same args, other rows"
    # Of the 1,500 rows drawn for the day before's sends, those that arrived by 06:00 UTC.
    assert 1_000 < before[0] < 1500


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("{run_date: '2026-02-30'}", "is not a calendar date"),
        ("{run_date: 'yesterday'}", "is not a calendar date"),
        ("{n_events: -5}", "n_events must be a whole number from 1"),
        ("{seed: 'x; drop table raw.events'}", "seed must be a whole number"),
    ],
)
def test_mock_events_reject_bad_arguments_clearly(built, args, message):
    with pytest.raises(DbtError, match=message):
        run_dbt(["run-operation", "insert_mock_marketing_cloud_events", "--args", args])


def data_test_names(run) -> set[str]:
    """The names of the data tests a dbt invocation ran. (Not their SQL: a result's node is
    the parsed manifest's own object, which every later invocation sharing that manifest
    compiles again, in any warehouse of the same name: see compiled_now.)"""
    return {
        result.node.name
        for result in run.result.results
        if result.node.resource_type == "test" and str(result.status) != "skipped"
    }


def compiled_now(*names: str) -> dict[str, str]:
    """Data tests' SQL compiled against this session's warehouse as it is now, by name: the
    scoped tests read the latest build's stamp or dates as constants when compiled, and a
    test of another module on this worker may have built since the session's daily runs."""
    run = run_dbt(["compile", "--select", *names], quiet=True)
    compiled = {
        result.node.name: result.node.compiled_code
        for result in run.result.results
        if result.node.resource_type == "test"
    }
    assert set(compiled) == set(names), sorted(compiled)
    return compiled


def test_the_daily_tests_check_what_the_run_wrote_and_still_catch_each_fault(built, warehouse):
    """The last daily run was incremental: its tests read what it wrote (built_at = its
    start) against the rest. Planted in a transaction each (rolled back), as if that run had
    written them: a duplicate of an older event, a duplicate within the run's sends, an event
    whose send does not exist, an unbalanced reconciliation: each fails its daily test. The
    same duplicate planted on an older row (outside the run) is the whole-table test's. The
    warn-level orphan tests count the run's new orphans: one more for a campaign the CRM does
    not know on an event the run wrote, none for one on an older event."""
    names = data_test_names(built["dailies"][-1])
    accepted = "accepted_values_in_latest_build_fct_email_events_event_type"
    planted = {
        "unique_in_latest_build_fct_email_events_event_id",
        "relationships_in_latest_build_fct_email_events_send_id__send_id__ref_fct_email_sends_",
        "is_zero_dq_campaign_daily_reconciliation_sends_difference",
        accepted,
        orphan_campaigns := (
            "relationships_in_latest_build_fct_email_events_campaign_id__campaign_id__ref_dim_campaign_"
        ),
    }
    assert planted <= names, sorted(names)
    twins = {
        "unique_fct_email_events_event_id",
        "unique_int_email_events_deduplicated_event_id",
        "relationships_fct_email_events_send_id__send_id__ref_fct_email_sends_",
        "relationships_fct_email_events_campaign_id__campaign_id__ref_dim_campaign_",
        "relationships_fct_email_events_person_id__person_id__ref_dim_person_",
    }
    assert not twins & names, "the daily run does not run the whole-table twins"
    sends_key = next(n for n in names if n.startswith("unique_in_latest_build_fct_email_sends_"))
    ((latest, earliest),) = query(
        warehouse, "select max(built_at), min(built_at) from marts.fct_email_events"
    )
    assert earliest < latest, "the incremental run rewrote only part of the fact"
    written = query(
        warehouse, "select count(*) from marts.fct_email_events where built_at = ?", [latest]
    )[0][0]
    total = query(warehouse, "select count(*) from marts.fct_email_events")[0][0]
    assert 0 < written < total
    tests = compiled_now(*planted, sends_key)

    def failing_rows(test: str, plant: str) -> int:
        warehouse.execute("begin transaction")
        try:
            warehouse.execute(plant)
            return len(query(warehouse, tests[test]))
        finally:
            warehouse.execute("rollback")

    older_event = (
        "insert into marts.fct_email_events select * replace "
        f"(timestamp '{latest}' as built_at) from marts.fct_email_events "
        f"where built_at < timestamp '{latest}' limit 1"
    )
    assert failing_rows("unique_in_latest_build_fct_email_events_event_id", "select 1") == 0
    assert failing_rows("unique_in_latest_build_fct_email_events_event_id", older_event) == 1
    assert (
        failing_rows(
            sends_key,
            "insert into marts.fct_email_sends select * from marts.fct_email_sends "
            f"where built_at = timestamp '{latest}' limit 1",
        )
        == 1
    )
    orphan = (
        "update marts.fct_email_events set send_id = 'no-such-send' where event_id = "
        f"(select min(event_id) from marts.fct_email_events where built_at = timestamp '{latest}')"
    )
    assert (
        failing_rows(
            "relationships_in_latest_build_fct_email_events_send_id__send_id__ref_fct_email_sends_",
            orphan,
        )
        == 1
    )

    def unknown_campaign(op: str) -> str:
        return (
            "update marts.fct_email_events set campaign_id = 'no-such-campaign' where event_id "
            f"= (select min(event_id) from marts.fct_email_events where built_at {op} "
            f"timestamp '{latest}' and is_known_campaign)"
        )

    new_orphans = failing_rows(orphan_campaigns, "select 1")
    assert failing_rows(orphan_campaigns, unknown_campaign("=")) == new_orphans + 1
    assert failing_rows(orphan_campaigns, unknown_campaign("<")) == new_orphans
    assert (
        failing_rows(
            "is_zero_dq_campaign_daily_reconciliation_sends_difference",
            "update marts.dq_campaign_daily_reconciliation set sends_difference = 1 "
            "where campaign_id = "
            "(select min(campaign_id) from marts.dq_campaign_daily_reconciliation)",
        )
        >= 1
    )
    # A `where: __latest_build__` test (macro get_where_subquery) reads what the run wrote,
    # by a constant: a type outside the vocabulary fails it there, not on an older row.
    assert f"built_at = cast('{latest}" in tests[accepted], "the run's start as a constant"

    def bad_type(op: str) -> str:
        return (
            "update marts.fct_email_events set event_type = 'SPAM' where event_id = (select "
            f"min(event_id) from marts.fct_email_events where built_at {op} timestamp '{latest}')"
        )

    assert failing_rows(accepted, bad_type("=")) == 1
    assert failing_rows(accepted, bad_type("<")) == 0
    # Out of the run's reach: a duplicate written with an older built_at.
    outside = (
        "insert into marts.fct_email_events select * from marts.fct_email_events "
        f"where built_at < timestamp '{latest}' limit 1"
    )
    assert failing_rows("unique_in_latest_build_fct_email_events_event_id", outside) == 0
    # ... which dbt's own unique test, in the weekly whole-table selection, reads.
    whole_table = run_dbt(["test", "--selector", "whole_table"], allow_test_failures=True)
    assert not whole_table.failures and whole_table.count(("test",), "pass") >= 6, whole_table


def test_the_audit_recomputation_is_daily_on_the_run_s_dates_and_weekly_on_all(built, warehouse):
    """The daily run recomputes fct_email_events_daily only on the dates it wrote
    (daily_grain_violations_in_latest_build); the whole history moved to the weekly
    selection (audit__daily_grain_violations' has_no_rows, tag whole_table). A count changed
    on a date the run wrote fails the daily test; on an old date the daily test cannot see
    it, and `dbt test --selector whole_table` fails."""
    names = data_test_names(built["dailies"][-1])
    check = "daily_grain_violations_in_latest_build_fct_email_events_daily_"
    assert check in names and "has_no_rows_audit__daily_grain_violations_" not in names
    tests = compiled_now(check)
    ((latest,),) = query(warehouse, "select max(built_at) from marts.fct_email_events_daily")
    written, old = (
        query(
            warehouse,
            "select min(report_date) from marts.fct_email_events_daily "
            f"where built_at {op} ? and sends > 0",
            [latest],
        )[0][0]
        for op in ("=", "<")
    )
    assert written and old and old < written, (old, written)

    def plant(day) -> str:
        return (
            "update marts.fct_email_events_daily set sends = sends + {step} where campaign_id = "
            "(select min(campaign_id) from marts.fct_email_events_daily "
            f"where report_date = date '{day}' and sends > 0) and report_date = date '{day}'"
        )

    def failing_rows(day) -> int:
        warehouse.execute("begin transaction")
        try:
            warehouse.execute(plant(day).format(step=1))
            return len(query(warehouse, tests[check]))
        finally:
            warehouse.execute("rollback")

    assert len(query(warehouse, tests[check])) == 0
    assert failing_rows(written) >= 1, "a wrong count on a date the run wrote fails daily"
    assert failing_rows(old) == 0, "an old date is not the daily run's to read"
    warehouse.execute(plant(old).format(step=1))
    try:
        weekly = run_dbt(["test", "--selector", "whole_table"], allow_test_failures=True)
    finally:
        warehouse.execute(plant(old).format(step=-1))
    failed = [failure.partition(":")[0] for failure in weekly.failures]
    assert failed == ["has_no_rows_audit__daily_grain_violations_"], weekly.failures
    assert len(query(warehouse, "select * from audit.audit__daily_grain_violations")) == 0


def test_tag_daily_selects_every_model_and_seed(built):
    listed = run_dbt(
        [
            "ls",
            "--select",
            "tag:daily",
            "--resource-type",
            "model",
            "--output",
            "name",
            "--log-level",
            "none",
        ]
    )
    everything = run_dbt(
        ["ls", "--resource-type", "model", "--output", "name", "--log-level", "none"]
    )
    assert sorted(listed.result) == sorted(everything.result)
    assert len(listed.result) >= 15


@pytest.mark.parametrize(
    ("exposure", "reads"),
    [
        ("executive_email_performance", {"fct_email_events_daily", "dim_campaign"}),
        (
            "campaign_performance_engagement",
            {
                "fct_email_events_daily",
                "fct_email_sends",
                "fct_email_events",
                "dim_campaign",
                "dim_person",
            },
        ),
        (
            "audience_membership_quality",
            {
                "fct_campaign_membership",
                "dim_person",
                "dim_campaign",
                "dq_campaign_id_coverage",
                "dq_orphan_campaign_ids",
                "dq_campaign_daily_reconciliation",
                "dq_campaign_non_member_recipients",
                "audit__event_id_duplicates",
                "audit__rejected_events",
                "audit__load_reconciliation",
                "audit__daily_grain_violations",
                "audit__orphan_campaigns_14d",
            },
        ),
    ],
)
def test_each_dashboard_exposure_selects_what_it_reads_and_their_parents(built, exposure, reads):
    arguments = ["ls", "--select", f"+exposure:{exposure}", "--resource-type", "model"]
    upstream = set(run_dbt([*arguments, "--output", "name", "--log-level", "none"]).result)
    assert reads <= upstream
    assert "stg_marketing_cloud_events" in upstream  # the lineage reaches the sources
    # Everything the dashboard's models read, walked up the manifest's parent map.
    parsed = manifest()
    ids = {uid for uid, node in parsed.nodes.items() if node.name in reads}
    parents, pending = set(ids), list(ids)
    while pending:
        for parent in parsed.parent_map.get(pending.pop(), []):
            if parent not in parents:
                parents.add(parent)
                pending.append(parent)
    models = {parsed.nodes[uid].name for uid in parents if uid.startswith("model.")}
    assert upstream == models  # nothing a dashboard does not read


def test_docs_describe_every_model_and_column(built):
    target = Path(built["dir"]) / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    undocumented = []
    for unique_id, node in catalog["nodes"].items():
        if not unique_id.startswith(("model.email_mart.", "seed.email_mart.")):
            continue
        documented = manifest["nodes"][unique_id]
        if not documented["description"].strip():
            undocumented.append(unique_id)
        for column in node["columns"]:
            described = documented["columns"].get(column.lower(), {}).get("description", "")
            if not described.strip():
                undocumented.append(f"{unique_id}.{column}")
    assert not undocumented, undocumented
    assert any(k.startswith("model.email_mart.") for k in catalog["nodes"])


MY_EXPORT = (
    "event_id,event_type,job_id,subscriber_key,event_date,campaign_id\n"
    "user-1,Sent,999001,0035g00FEk0wmNhAMI,2026-11-03 09:00:00,7015g000MyOwn00AAA\n"
    "user-2,open,999001,0035g00FEk0wmNhAMI,2026-11-03 10:00:00,7015g000MyOwn00AAA\n"
    ",Click,999001,0035g00FEk0wmNhAMI,2026-11-03 10:01:00,7015g000MyOwn00AAA\n"
    "user-4,Forwarded,999001,0035g00FEk0wmNhAMI,2026-11-03 10:02:00,7015g000MyOwn00AAA\n"
    "user-5,Click,999001,0035g00FEk0wmNhAMI,yesterday,7015g000MyOwn00AAA\n"
)
BAD_ROWS = [
    b"ok-1,Open,999002,0035g00FEk0wmNhAMI,2026-11-03 10:00:00,,\n",
    b"big-1,Open,999002,0035g00FEk0wmNhAMI,2026-11-03 10:00:00,," + b"x" * 3000 + b"\n",
    b"bytes-1,Click,999002,0035g00FEk0wmNhAMI,2026-11-03 10:00:00,https://x/\xff\xfe,\n",
    b"future-1,Open,999002,0035g00FEk0wmNhAMI,2031-01-01 00:00:00,,\n",
    b"old-1,Open,999002,0035g00FEk0wmNhAMI,1999-01-01 00:00:00,,\n",
    b'"x\'); drop table raw.events; --",Open,999002,0035g00FEk0wmNhAMI,2026-11-03 10:00:00,,\n',
]


@pytest.fixture(scope="module")
def extra_loads(built, tmp_path_factory):
    """Your own exports (a small one, one full of bad rows) and a mock day with a 25% bad
    rate land on the session warehouse; the seeds are reloaded; then one daily build."""
    folder = tmp_path_factory.mktemp("exports")
    export, bad = folder / "my_export.csv", folder / "bad_rows.csv"
    export.write_text(MY_EXPORT)
    bad.write_bytes(
        b"event_id,event_type,job_id,subscriber_key,event_date,url,user_agent\n"
        + b"".join(BAD_ROWS)
    )
    with connect() as connection:
        sink = DuckDBSink(connection, "raw.events")
        loaded = {
            name: (batch.load_id, added)
            for name, file in (("export", export), ("bad", bad))
            for batch, added in land(sink, [read_landing_file(file)])
        }
        assert loaded["export"][1] == 5
        again = land(sink, [read_landing_file(export)])
        assert [(b.load_id, added) for b, added in again] == [(loaded["export"][0], 0)], "once"
    insert_mock_events("2026-11-09", 3000, 5, "duckdb", bad_rate=0.25)
    run_dbt(["seed", "--full-refresh"])
    # The unit tests ran in the session's daily builds; they read no warehouse data.
    run_dbt(["build", "--select", "tag:daily", *NO_UNIT_TESTS])
    return loaded


def test_appended_events_survive_a_build_with_seeds(extra_loads):
    load_id = extra_loads["export"][0]
    with connect() as connection:
        assert (
            query(connection, "select count(*) from raw.events where _load_id = ?", [load_id])[0][0]
            == 5
        )
        facts = {
            r[0]
            for r in query(
                connection, "select event_id from marts.fct_email_events where job_id = '999001'"
            )
        }
        assert facts == {"user-1", "user-2"}
        reasons = sorted(
            r[0]
            for r in query(
                connection,
                "select rejection_reason from audit.audit__rejected_events where load_id = ?",
                [load_id],
            )
        )
        assert reasons == ["MISSING_EVENT_ID", "UNKNOWN_EVENT_TYPE", "UNPARSEABLE_TIMESTAMP"]


def test_bad_rows_are_quarantined_with_reasons_and_every_load_date_reconciles(extra_loads):
    load_id, added = extra_loads["bad"]
    assert added == len(BAD_ROWS), "every row lands, even the one with bytes that are not UTF-8"
    with connect() as connection:
        reasons = dict(
            query(
                connection,
                "select event_id, rejection_reason from audit.audit__rejected_events "
                "where load_id = ?",
                [load_id],
            )
        )
        assert reasons == {
            "big-1": "OVERSIZED_TEXT",
            "bytes-1": "INVALID_TEXT",
            "future-1": "TIMESTAMP_IN_FUTURE",
            "old-1": "TIMESTAMP_BEFORE_FLOOR",
        }
        facts = {
            r[0]
            for r in query(
                connection, "select event_id from marts.fct_email_events where job_id = '999002'"
            )
        }
        assert facts == {"ok-1", "x'); drop table raw.events; --"}, "SQL-looking text is data"
        unbalanced = query(
            connection,
            "select load_date, unaccounted_rows from audit.audit__load_reconciliation "
            "where unaccounted_rows != 0",
        )
        assert unbalanced == []


def test_the_generator_bad_rate_injects_every_kind_and_nothing_is_lost(extra_loads):
    with connect() as connection:
        reasons = {
            r[0]
            for r in query(
                connection,
                "select distinct rejection_reason from audit.audit__rejected_events "
                "where load_id = 'mock:2026-11-09:5'",
            )
        }
        assert reasons == set(rejection_reasons()), "a 25% bad rate plants every reason"
        kept = query(
            connection,
            "select count(*) filter (where link_name like '%drop table%'), "
            "count(*) filter (where not is_known_person) from marts.fct_email_events",
        )[0]
        assert kept[0] > 0 and kept[1] > 0, "SQL-looking text and unknown people are kept"
        conflicts = query(
            connection,
            "select count(*) from audit.audit__event_id_duplicates where has_conflicting_payloads",
        )[0][0]
        assert conflicts > 0
        assert query(connection, "select count(*) from raw.events")[0][0] > 0
        assert (
            query(
                connection,
                "select count(*) from audit.audit__load_reconciliation where unaccounted_rows != 0",
            )[0][0]
            == 0
        )
