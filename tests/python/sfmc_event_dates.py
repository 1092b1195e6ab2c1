"""SFMC EventDate texts and this test suite's own reading of them (Python, not the macro
parse_sfmc_event_date), for the tests on DuckDB and on the emulator."""

from __future__ import annotations

import datetime as dt
import re

from harness.dbt import run_dbt

CORPUS = [
    "2026-01-15 18:30:00",
    "2026-01-15 18:30:00.5",
    "2026-01-15 18:30:00.123456789",
    "9/1/2026 7:08:30 AM",
    "09/01/2026 07:08:30 am",
    "12/31/2026 12:00:00 AM",
    "12/31/2026 12:00:00 PM",
    "2/29/2024 1:00:00 pm",
    "2/29/2025 1:00:00 PM",
    "2026-02-29 00:00:00",
    "2024-02-29 23:59:59",
    "1900-02-29 00:00:00",
    "2000-02-29 00:00:00",
    "2026-01-15 24:00:00",
    "2026-01-15 18:60:00",
    "2026-01-15 18:30:60",
    "2026-04-31 00:00:00",
    "infinity",
    "-infinity",
    "1700000000",
    "1700000000000",
    "05-Mar-2016",
    "2026-01-15T18:30:00",
    "2026-01-15 18:30:00Z",
    "2026-01-15 18:30:00+01:00",
    "Thu, 15 Jan 2026 18:30:00 GMT",
    "",
    " ",
    "2026/01/15 18:30:00",
    "13/1/2026 1:00:00 AM",
    "1/32/2026 1:00:00 AM",
    "1/1/2026 13:00:00 PM",
    "1/1/2026 0:00:00 AM",
    "2026-1-15 18:30:00",
    "2026-01-15",
    "now",
    "x'); drop table raw.events; --",
]
ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?", re.A)
US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ([AaPp][Mm])", re.A)


def expected(text: str) -> str | None:
    """This test's own reading of the two accepted formats (Python, not the macro)."""
    try:
        if match := ISO.fullmatch(text):
            year, month, day, hour, minute, second, fraction = match.groups()
            micro = int((fraction or "").ljust(6, "0")[:6])
            value = dt.datetime(*map(int, (year, month, day, hour, minute, second)), micro)
        elif match := US.fullmatch(text):
            month, day, year, hour, minute, second, half = match.groups()
            if not 1 <= int(hour) <= 12:
                return None
            hour = int(hour) % 12 + (12 if half.upper() == "PM" else 0)
            value = dt.datetime(int(year), int(month), int(day), hour, int(minute), int(second))
        else:
            return None
    except ValueError:  # a part out of range
        return None
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def corpus_sql() -> str:
    rows = ", ".join("('" + text.replace("'", "''") + "')" for text in CORPUS)
    return (
        "select text, {{ timestamp_text(parse_sfmc_event_date('text')) }} as parsed_text, "
        "{{ dbt.date_trunc('second', parse_sfmc_event_date('text')) }} is null as is_null, "
        '{{ dbt.datediff("cast(\'2000-01-01\' as " ~ dbt.type_timestamp() ~ ")", '
        "parse_sfmc_event_date('text'), 'microsecond') }} as micros "
        f"from (values {rows}) as corpus(text)"
    )


def decisions(target: str, execute) -> dict[str, str | None]:
    compiled = run_dbt(["compile", "--inline", corpus_sql()], target=target, quiet=True)
    rows = execute(compiled.result.results[0].node.compiled_code)
    epoch = dt.datetime(2000, 1, 1)
    return {
        text: None
        if is_null
        else (epoch + dt.timedelta(microseconds=int(micros))).strftime("%Y-%m-%d %H:%M:%S.%f")
        for text, _, is_null, micros in rows
    }
