"""How `mart` shows results: the consoles and the tables of builds, diffs and alerts."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager

from rich.box import SIMPLE_HEAD
from rich.console import Console
from rich.table import Table

from harness.dbt import DbtRun

console = Console()
errors = Console(stderr=True)
COMPACT = SIMPLE_HEAD  # tables: a rule under the header, no frame


def phase(title: str) -> None:
    """One line saying what a command is doing now."""
    console.print(f"[bold cyan]→[/] {title}", highlight=False)


@contextmanager
def dbt_output(verbose: bool):
    """dbt's log to its file (the path is printed at the end), or to the terminal too with
    --verbose; on a terminal, a progress bar of the nodes each dbt invocation has done."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from harness import dbt

    dbt.verbose(verbose)
    try:
        if verbose or not console.is_terminal:
            yield
        else:
            columns = (TextColumn("  dbt"), BarColumn(), MofNCompleteColumn(), TextColumn("nodes"))
            with Progress(*columns, console=console, transient=True) as progress:
                task = progress.add_task("dbt", total=None, visible=False)

                def on_event(event) -> None:
                    if event.info.name == "ConcurrencyLine":
                        progress.update(
                            task, total=event.data.node_count, completed=0, visible=True
                        )
                    elif event.info.name == "NodeFinished":
                        progress.advance(task)

                with dbt.listening(on_event):
                    yield
    finally:
        dbt.verbose(False)
        if not verbose:
            console.print(f"dbt's log: {dbt.dbt_log_file()}", highlight=False)


def print_summary(run: DbtRun, target: str) -> None:
    """Rows per reporting model (DuckDB: the marts and audit schemas Tableau reads) and the
    node outcomes of a build."""
    if target == "duckdb":
        from harness.settings import duckdb_path
        from harness.warehouse import connect, row_counts

        with connect() as connection:
            counts = row_counts(connection, ("marts", "audit"))
        table = Table("schema", "model", "rows", title=f"Warehouse {duckdb_path()}", box=COMPACT)
        for schema, name, rows in counts:
            table.add_row(schema, name, f"{rows:,}")
        console.print(table)
    outcomes = Table("nodes", "ok", "warn", "fail/error", "skipped", title="dbt build", box=COMPACT)
    for label, kinds, ok in (
        ("seeds", ("seed",), ("success",)),
        ("models", ("model",), ("success",)),
        ("data tests", ("test",), ("pass",)),
        ("unit tests", ("unit_test",), ("pass", "success")),
    ):
        if not run.count(kinds, *ok, "warn", "fail", "error", "skipped"):
            continue  # e.g. no unit tests in the daily selection
        outcomes.add_row(
            label,
            str(run.count(kinds, *ok)),
            str(run.count(kinds, "warn")),
            str(run.count(kinds, "fail", "error")),
            str(run.count(kinds, "skipped")),
        )
    console.print(outcomes)
    for failure in run.failures:
        errors.print(f"[red]✗[/] {failure}", highlight=False)


def print_diff(results: Sequence, left: str, right: str) -> None:
    """One line per model (harness.diff.ModelDiff), then the details of each difference."""
    table = Table("model", "result", "differs in", "detail", title=f"{left} ↔ {right}")
    for result in results:
        differing = [name for name, check in result.checks.items() if check.differs]
        detail = ""
        if result.rows is not None and result.rows.differs:
            rows = result.rows
            detail = (
                f"{rows.missing_on_right} missing, {rows.extra_on_right} extra, "
                f"{rows.changed} changed"
            )
        elif result.row_count is not None and result.row_count.differs:
            detail = f"{result.row_count.left} vs {result.row_count.right} rows"
        elif result.exists is not None:
            missing = [
                side
                for side, there in (("left", result.exists.left), ("right", result.exists.right))
                if not there
            ]
            detail = f"missing on the {' and '.join(missing)}"
        table.add_row(
            result.model,
            "[red]differs[/]" if differing else "[green]match[/]",
            ", ".join(differing),
            detail,
        )
    console.print(table)
    for result in results:
        if not result.differs:
            continue
        if result.schema is not None:
            for label in ("only_left", "only_right", "type_mismatches"):
                if value := getattr(result.schema, label):
                    console.print(f"  {result.model}: {label.replace('_', ' ')}: {value}")
        if result.profile is not None:
            for difference in result.profile.differences[:5]:
                console.print(
                    f"  {result.model}: profile {difference.column} {difference.measure}: "
                    f"{difference.left} vs {difference.right}"
                )
        for sample in result.samples:
            console.print(f"  {result.model}: {sample}", highlight=False)


def print_alerts(found: Sequence, target: str) -> None:
    """Open alerts (harness.alerts.Alert) as a table, errors in red."""
    if not found:
        console.print(f"No open alerts on {target}.")
        return
    table = Table("level", "kind", title=f"Open alerts ({target})", box=COMPACT)
    # Names in full, however narrow the terminal: they are what a person searches for.
    table.add_column("alert", overflow="fold")
    table.add_column("detail")
    for alert in found:
        colour = "red" if alert.level == "error" else "yellow"
        table.add_row(f"[{colour}]{alert.level}[/]", alert.kind, alert.name, alert.detail)
    console.print(table)


def print_review(found) -> None:
    """`mart review`'s report: a line per touched model, the changed columns, the KPIs."""
    from harness.review import count_text

    head = "working tree" if found.head == "working tree" else found.head[:12]
    cached = " (base cached)" if found.base_cached else ""
    if not found.models or not found.changes_data:
        touched = f"{len(found.models)} touched model(s)" if found.models else "no model"
        console.print(f"No data change: {head} against {found.base[:12]}, {touched}{cached}.")
        return
    table = Table(
        "model", "change", "rows before → after", "added", "removed", "changed",
        title=f"{head} against {found.base[:12]}{cached}", box=COMPACT,
    )  # fmt: skip
    for model in found.models:
        colour = {"breaking": "red", "non-breaking": "yellow"}.get(model.kind, "green")
        table.add_row(
            model.model, f"[{colour}]{model.kind}[/]",
            f"{count_text(model.rows_before)} → {count_text(model.rows_after)}",
            f"{model.added:,}", f"{model.removed:,}", f"{model.changed:,}",
        )  # fmt: skip
    console.print(table)
    for model in found.models:
        for column in model.added_columns:
            console.print(f"  {model.model}: column {column} added", highlight=False)
        for column in model.removed_columns:
            console.print(f"  {model.model}: column {column} removed", highlight=False)
        for column, count in sorted(model.changed_columns.items(), key=lambda item: -item[1]):
            console.print(f"  {model.model}.{column}: {count:,} rows changed", highlight=False)
    moved = [kpi for kpi in found.kpis if kpi.moved]
    console.print(f"KPIs over the whole period ({len(moved)} of {len(found.kpis)} moved):")
    for kpi in moved:
        console.print(f"  {kpi.describe()}", highlight=False)
