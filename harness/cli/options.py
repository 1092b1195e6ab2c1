"""What the `mart` commands share: their options, date parsing, user-error handling and the
warehouse lock."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated

import typer

from harness.cli.render import errors
from harness.dbt import TARGETS
from harness.errors import UserError

TargetOption = Annotated[
    str,
    typer.Option("--target", "-t", help=f"dbt target: {' | '.join(TARGETS)}.", show_default=True),
]
SeedOption = Annotated[int, typer.Option(help="Randomness seed.", min=0, max=2**31 - 1)]
SideOption = Annotated[
    str, typer.Option(help="duckdb | duckdb:<file> | snowflake_emulator | snowflake")
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show dbt's own log on the terminal too.")
]
BadRateOption = Annotated[
    float,
    typer.Option(help="Share of rows corrupted (every kind of bad input).", min=0, max=1),
]


def user_errors(command):
    """Print a UserError as one sentence and exit 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UserError as error:
            errors.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


def holding(target: str, reading: bool = False):
    """Hold the DuckDB warehouse for a whole command, so a second command fails fast
    (`reading`: a command that only reads, see harness.warehouse.hold_warehouse)."""
    from contextlib import nullcontext

    from harness.warehouse import hold_warehouse

    return hold_warehouse(reading=reading) if target == "duckdb" else nullcontext()


def parse_date(text: str | None, option: str = "--date") -> str | None:
    """A date option's value as YYYY-MM-DD, or a UserError naming the option and saying how
    to write it."""
    if text is None:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise UserError(
            f"{option} '{text}' is not a calendar date; write it as YYYY-MM-DD, e.g. 2026-11-26."
        ) from None


def first_day(start_date: str | None, days: int) -> dt.date:
    """The first day of `days` days: --start-date, or so that the last day is today."""
    if start_date is not None:
        return dt.date.fromisoformat(parse_date(start_date, "--start-date"))
    return dt.date.today() - dt.timedelta(days=days - 1)
