"""`mart`: run the email mart locally. Every command that runs dbt takes --target."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from harness import PROJECT_DIR
from harness.cli.options import (
    BadRateOption,
    SeedOption,
    SideOption,
    TargetOption,
    VerboseOption,
    first_day,
    holding,
    parse_date,
    user_errors,
)
from harness.cli.render import (
    console,
    dbt_output,
    errors,
    phase,
    print_alerts,
    print_diff,
    print_review,
    print_summary,
)
from harness.dbt import NO_UNIT_TESTS, check_target, dbt_target_path, manifest, run_dbt
from harness.errors import UserError
from harness.settings import built_duckdb_path

app = typer.Typer(
    help="Run, test and inspect the email analytics mart (dbt on DuckDB or Snowflake).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.command()
@user_errors
def seeds(
    seed: SeedOption = 42,
    out: Annotated[Path, typer.Option(help="Folder to write the CSVs to.")] = PROJECT_DIR / "seeds",
) -> None:
    """Regenerate the seed CSVs (byte-for-byte identical for the same --seed)."""
    from harness.seeds import write_seeds

    with console.status("Generating seeds…"):
        written = write_seeds(out, seed=seed)
    table = Table("seed", "rows", title=f"Seeds written to {out} (seed {seed})")
    for name, rows in written.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)


@app.command()
@user_errors
def build(
    target: TargetOption = "duckdb",
    select: Annotated[
        str | None,
        typer.Option(
            help="dbt selector (default: everything). Tests run when all the models they "
            "read are selected (dbt's --indirect-selection cautious), so a partial build "
            "never tests a relationship to a model it did not build."
        ),
    ] = None,
    full_refresh: Annotated[bool, typer.Option(help="Rebuild incremental models.")] = False,
    unit_tests: Annotated[
        bool,
        typer.Option(
            "--unit-tests/--no-unit-tests",
            help="Run the dbt unit tests too (fixed inputs: --no-unit-tests when only the "
            "data matters).",
        ),
    ] = True,
    verbose: VerboseOption = False,
) -> None:
    """Load the seeds and build every model with its tests (`dbt build`)."""
    check_target(target)
    args = ["build"] + (["--select", select, "--indirect-selection", "cautious"] if select else [])
    args += ["--full-refresh"] if full_refresh else []
    args += [] if unit_tests else list(NO_UNIT_TESTS)
    with holding(target):
        phase(f"Building on {target}: dbt {' '.join(args)}")
        with dbt_output(verbose):
            run = run_dbt(args, target=target, allow_test_failures=True)
        print_summary(run, target)
    if run.failures:
        raise typer.Exit(1)


@app.command()
@user_errors
def daily(
    date: Annotated[
        str | None, typer.Option(help="Day of mock events to add, YYYY-MM-DD (default today).")
    ] = None,
    events: Annotated[
        int, typer.Option(help="Mock events drawn for the day's sends.", min=1, max=10_000_000)
    ] = 400,
    seed: SeedOption = 42,
    target: TargetOption = "duckdb",
    docs: Annotated[bool, typer.Option(help="Generate the dbt docs site.")] = True,
    bad_rate: BadRateOption = 0.0,
    verbose: VerboseOption = False,
) -> None:
    """The daily job as it runs at 06:00 UTC on --date: land the mock export (yesterday's
    sends and what arrived since the last run), source freshness, `dbt build --selector
    daily`, docs, then the summary and the open alerts."""
    from harness.jobs import run_daily

    check_target(target)
    with holding(target):
        with dbt_output(verbose):
            run = run_daily(
                parse_date(date),
                n_events=events,
                seed=seed,
                target=target,
                docs=docs,
                bad_rate=bad_rate,
                announce=phase,
            )
        if docs:
            console.print(
                f"Docs: {dbt_target_path() / 'index.html'} (serve with `dbt docs serve`)",
                highlight=False,
            )
        print_summary(run, target)
        report_alerts(target, post_webhook=True)
    if run.failures:
        raise typer.Exit(1)


@app.command()
@user_errors
def alerts(
    target: TargetOption = "duckdb",
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the alerts to this JSON file.")
    ] = None,
    webhook: Annotated[
        bool,
        typer.Option(help="POST them to DBT_MART_ALERT_WEBHOOK_URL when it is set."),
    ] = True,
) -> None:
    """Open alerts: thresholds, volume anomalies, the latest build's failing tests, stale
    sources. Exits 1 when any is at error level."""
    check_target(target)
    with holding(target, reading=True):
        found = report_alerts(target, post_webhook=webhook, json_out=json_out)
    if any(alert.level == "error" for alert in found):
        raise typer.Exit(1)


def report_alerts(target: str, post_webhook: bool, json_out: Path | None = None) -> list:
    """Print the open alerts as a table, write JSON, POST the webhook; returns them."""
    import json

    from harness.alerts import message, open_alerts, post
    from harness.diff import open_side

    side = open_side(target)
    try:
        found = open_alerts(side.execute, target)
    except Exception as error:
        # A relation the alerts read does not exist: the warehouse was loaded, never built.
        if "does not exist" not in str(error):
            raise
        raise UserError(
            f"The {target} warehouse has no audit views yet ({str(error).splitlines()[0]}); "
            "build it first: `mart build` or `mart daily`."
        ) from None
    finally:
        side.close()
    print_alerts(found, target)
    payload = message(found, target)
    if json_out is not None:
        json_out.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    if post_webhook and (failure := post(payload)):
        console.print(f"The alert webhook failed ({failure}); the alerts are above.")
    return found


@app.command()
@user_errors
def load(
    files: Annotated[list[Path], typer.Argument(help="Export files (CSV, Parquet or zip).")],
    export_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="landing (the landing table's columns), sfmc-data-views (one CSV per data "
            "view) or tracking-extract (the Tracking Extract activity's zip).",
        ),
    ] = "landing",
    campaigns: Annotated[
        Path | None,
        typer.Option(help="CSV mapping job_id or email_name to campaign_id (SFMC formats)."),
    ] = None,
    target: TargetOption = "duckdb",
    verbose: VerboseOption = False,
) -> None:
    """Append your own exports to the events landing table, one batch per file.

    Every file is read and checked before anything lands; a file already loaded adds
    nothing. Build afterwards with `mart build`.
    """
    from harness.dbt import events_relation
    from harness.exports import land, read_exports
    from harness.landing import open_sink

    check_target(target)
    batches = read_exports(files, export_format, campaigns)
    with holding(target):
        with dbt_output(verbose):
            run_dbt(["run-operation", "ensure_events_landing_table"], target=target, quiet=True)
        with open_sink(target) as sink:
            landed = land(sink, batches)
    landing = events_relation(target).replace('"', "")
    for batch, added in landed:
        note = "already loaded, nothing added" if added == 0 else f"{added:,} rows added"
        console.print(f"{batch.source}: {note} (batch {batch.load_id})")
    if export_format != "landing":
        unmapped = {
            job
            for batch, _ in landed
            for job, campaign in zip(
                batch.rows["job_id"].to_pylist(), batch.rows["campaign_id"].to_pylist(), strict=True
            )
            if campaign is None
        }
        if unmapped:
            console.print(
                f"{len(unmapped):,} send job(s) have no campaign (they stay orphans): map their "
                "JobID or EmailName in --campaigns to attribute them."
            )
    console.print(f"Landed into {landing} on {target}. Next: `mart build`.")


@app.command()
@user_errors
def generate(
    days: Annotated[int, typer.Option(help="Days of events.", min=1, max=3650)] = 1,
    events_per_day: Annotated[
        int, typer.Option(help="Landed rows per day (about).", min=1, max=1_000_000_000)
    ] = 1_000_000,
    seed: SeedOption = 42,
    start_date: Annotated[
        str | None,
        typer.Option(help="First day, YYYY-MM-DD (default: the last day is today)."),
    ] = None,
    bad_rate: BadRateOption = 0.0,
    export_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="landing (into the warehouse's landing table), or files as SFMC exports them: "
            "sfmc-data-views or tracking-extract (with --out).",
        ),
    ] = "landing",
    out: Annotated[
        Path | None, typer.Option(help="Folder for the files of an SFMC --format.")
    ] = None,
    target: TargetOption = "duckdb",
    verbose: VerboseOption = False,
) -> None:
    """Land realistic events at scale into raw.events, in chunks, with a progress bar.

    Deterministic for a seed and start date; chunks already loaded are skipped, so an
    interrupted run picks up where it stopped. Build afterwards with `mart build`. With
    --format sfmc-data-views or tracking-extract and --out, the same events are written as
    Marketing Cloud's files instead (load them with `mart load --format ...`).
    """
    if export_format != "landing":
        _generate_files(export_format, out, days, events_per_day, seed, start_date, bad_rate)
        return
    if out is not None:
        raise UserError(
            "--out is for the SFMC file formats; pass --format sfmc-data-views or "
            "tracking-extract, or drop --out to land into the warehouse."
        )
    import time

    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from harness.dbt import events_relation
    from harness.generate import generate as generate_events
    from harness.landing import open_sink

    check_target(target)
    first = first_day(start_date, days)
    with holding(target):
        with dbt_output(verbose):
            run_dbt(["run-operation", "ensure_events_landing_table"], target=target, quiet=True)
        columns = (
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,.0f} / ~{task.total:,.0f} rows"),
            TimeRemainingColumn(),
        )
        started = time.perf_counter()
        with open_sink(target) as sink, Progress(*columns, console=console) as progress:
            task = progress.add_task("Generating", total=days * events_per_day)
            result = generate_events(
                sink,
                start=first,
                days=days,
                events_per_day=events_per_day,
                seed=seed,
                bad_rate=bad_rate,
                progress=lambda rows: progress.advance(task, rows),
            )
        seconds = time.perf_counter() - started
    last = first + dt.timedelta(days=days - 1)
    rate = f", {result.events / seconds:,.0f} rows/s" if result.events else ""
    landing = events_relation(target).replace('"', "")
    console.print(
        f"Landed {result.events:,} rows in {result.chunks} chunks into {landing} "
        f"on {target} ({first} to {last}; {seconds:.1f} s{rate})."
        + (f" {result.skipped} chunks were already there." if result.skipped else "")
    )
    console.print("Next: `mart build` (incremental) or `mart build --full-refresh`.")


def _generate_files(export_format, out, days, events_per_day, seed, start_date, bad_rate):
    """`mart generate --format sfmc-data-views|tracking-extract --out DIR`."""
    from harness.exports import FileSink
    from harness.generate import generate as generate_events

    if export_format not in ("sfmc-data-views", "tracking-extract"):
        raise UserError(
            f"Unknown format '{export_format}'; use landing, sfmc-data-views or tracking-extract."
        )
    if out is None:
        raise UserError(f"--format {export_format} writes files: pass --out DIR.")
    first = first_day(start_date, days)
    sink = FileSink()
    with console.status("Generating…"):
        result = generate_events(
            sink, start=first, days=days, events_per_day=events_per_day, seed=seed,
            bad_rate=bad_rate,
        )  # fmt: skip
        written = sink.write(export_format, out)
    console.print(
        f"Generated {result.events:,} rows ({first} onwards) and wrote {len(written)} files to "
        f"{out}: {', '.join(path.name for path in written[:4])}"
        + (", …" if len(written) > 4 else "")
        + f". Load them: `mart load --format {export_format} --campaigns "
        f"{out / 'campaigns.csv'} {out}/*`."
    )


@app.command()
@user_errors
def dashboard(
    out: Annotated[Path, typer.Option(help="Folder for the site.")] = PROJECT_DIR
    / "target"
    / "dashboard",
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the site in your browser afterwards.")
    ] = False,
) -> None:
    """Build the dashboards and the operations page from the DuckDB marts as a static site
    (no network, no server: open the files). Prints the path of its first page."""
    from harness.dashboard import build_site
    from harness.warehouse import connect

    built_duckdb_path(build_with="mart daily")
    with holding("duckdb", reading=True):
        parsed = manifest()
        with connect(read_only=True) as connection:
            built = connection.execute(
                "select count(*) from information_schema.tables where table_schema = 'marts' "
                "and table_name = 'fct_email_events_daily'"
            ).fetchone()[0]
            if not built:
                raise UserError("The marts are not built yet; run `mart daily` first.")
            pages = build_site(connection, parsed, out)
    for page in pages[1:]:
        console.print(f"{page}")
    console.print(f"Open: file://{pages[0]}")
    if open_browser:
        import webbrowser

        webbrowser.open(f"file://{pages[0]}")


@app.command()
@user_errors
def tableau(
    out: Annotated[Path, typer.Option(help="Folder for the files.")] = PROJECT_DIR
    / "target"
    / "tableau",
    extract: Annotated[
        bool,
        typer.Option(
            "--extract/--no-extract",
            help="Also write Hyper extracts of the workbook's models and Email Mart.twbx, "
            "which Tableau opens without Snowflake.",
        ),
    ] = False,
) -> None:
    """Write one Tableau data source (.tds) per mart and audit model and the workbook of the
    three dashboards (Email Mart.twb), connected to Snowflake; with --extract, the packaged
    workbook on Hyper extracts of the DuckDB marts (Email Mart.twbx).

    Connection from SNOWFLAKE_ACCOUNT, SNOWFLAKE_WAREHOUSE, SNOWFLAKE_DATABASE (as the dbt
    profile) and the reporting role DBT_MART_REPORTING_ROLE; columns, types and descriptions from
    the local DuckDB build and the dbt docs (build first: `mart build`). With --extract and
    no Snowflake settings, only the packaged workbook."""
    from harness.tableau import reporting_models, snowflake_settings, write_datasources
    from harness.tableau_workbook import (
        exposure_labels,
        workbook_models,
        write_packaged_workbook,
        write_workbook,
    )
    from harness.warehouse import connect

    try:
        settings = snowflake_settings()
    except UserError:
        if not extract:
            raise
        settings = None  # offline: the packaged workbook needs no Snowflake
    built_duckdb_path()
    with holding("duckdb", reading=True):
        parsed = manifest()
        with connect(read_only=True) as connection:
            models = reporting_models(connection, parsed)
            by_name = {model.name: model for model in models}
            read = {name: by_name[name] for name in workbook_models()}
            labels = exposure_labels(parsed)
            if settings is not None:
                written = write_datasources(out, models, settings)
                workbook = write_workbook(out, read, settings, labels)
            if extract:
                from harness.tableau_extracts import write_extracts

                extracts = write_extracts(connection, read, out / "extracts")
                packaged = write_packaged_workbook(out, read, extracts, labels)
    if settings is not None:
        table = Table("data source", "schema", "columns", title=f"Tableau data sources in {out}")
        for model, path in zip(models, written, strict=True):
            table.add_row(path.name, model.schema, str(len(model.columns)))
        console.print(table)
        console.print(f"Workbook: {workbook} (three dashboards, on Snowflake)", highlight=False)
        console.print(
            f"Open the .twb or a .tds in Tableau Desktop; it connects to {settings['server']} "
            f"as role {settings['role']} (sign in with your own Snowflake user)."
        )
    else:
        console.print(
            "No SNOWFLAKE_ACCOUNT, SNOWFLAKE_WAREHOUSE and SNOWFLAKE_DATABASE: wrote only the "
            "packaged workbook (set them for the .twb and .tds files on Snowflake)."
        )
    if extract:
        console.print(
            f"Packaged workbook: {packaged} (Hyper extracts of {len(read)} models; opens "
            "without Snowflake)",
            highlight=False,
        )


@app.command()
@user_errors
def review(
    base: Annotated[
        str | None,
        typer.Option(help="The commit to compare with (default: the merge-base with main)."),
    ] = None,
    head: Annotated[
        str | None,
        typer.Option(help="A commit to review instead of the working tree as it is."),
    ] = None,
    days: Annotated[int, typer.Option(help="Days of generated events.", min=1, max=60)] = 3,
    events_per_day: Annotated[
        int, typer.Option(help="Generated rows a day.", min=100, max=1_000_000)
    ] = 2_000,
    seed: SeedOption = 42,
    markdown_out: Annotated[
        Path | None, typer.Option("--markdown", help="Also write the report as Markdown here.")
    ] = None,
    fail_on_change: Annotated[
        bool, typer.Option(help="Exit 1 when the change moves any data.")
    ] = False,
    verbose: VerboseOption = False,
) -> None:
    """What a change does to the numbers, before it merges: the base commit and the change
    built on the same inputs (the base once per commit, cached under state/review/), every
    model the change touches diffed, every KPI before -> after. Exit 0 whatever it finds
    (--fail-on-change: 1 when data moves). In GitHub Actions the report is also appended to
    the step summary."""
    import os

    from harness.review import Inputs, markdown, run_review

    inputs = Inputs(days=days, events_per_day=events_per_day, seed=seed)
    with dbt_output(verbose):
        found = run_review(base, head, inputs, PROJECT_DIR / "state" / "review", phase)
    print_review(found)
    report = markdown(found)
    if markdown_out is not None:
        markdown_out.write_text(report, encoding="utf-8")
        console.print(f"Markdown report: {markdown_out}")
    if summary := os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(report + "\n")
    if fail_on_change and found.changes_data:
        raise typer.Exit(1)


@app.command("check-snowflake")
@user_errors
def check_snowflake(
    folder: Annotated[
        Path | None,
        typer.Option(
            help="Keep the emulator, its statement log and dbt's target (compiled SQL, no "
            "JSON artifacts) here."
        ),
    ] = None,
    verbose: VerboseOption = False,
) -> None:
    """Would Snowflake run it, and read it as DuckDB does? Every statement dbt sends for the
    project (seeds, models, data and unit tests, hooks, freshness, operations), as sent to
    a fresh emulator, checked against Snowflake's documented SQL: parse, DuckDB-only syntax,
    functions and their arity (harness/snowflake_functions.yml), and the traps that mean
    different things on the two engines. One line per finding; exit 1 on any."""
    import tempfile
    import time

    from harness.snowflake_check import collect_and_check

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mart-check-") as scratch:
        where = folder or Path(scratch)
        where.mkdir(parents=True, exist_ok=True)
        phase("Building the project on a fresh emulator, logging every statement")
        with dbt_output(verbose):
            statements, findings = collect_and_check(where)
    for finding in findings:
        errors.print(finding.describe(), highlight=False, soft_wrap=True)
    nodes = len({statement.node for statement in statements})
    seconds = time.perf_counter() - started
    if findings:
        errors.print(
            f"[red]{len(findings)} finding(s)[/] in {len(statements):,} statements from "
            f"{nodes} nodes ({seconds:.0f} s)."
        )
        raise typer.Exit(1)
    console.print(
        f"[green]No finding[/] in {len(statements):,} statements from {nodes} nodes "
        f"({seconds:.0f} s): Snowflake's SQL throughout."
    )


@app.command("dbt-cloud-env-vars")
@user_errors
def dbt_cloud_env_vars(
    account_id: Annotated[int, typer.Option(help="Your dbt Cloud account id.", min=1)],
    project_id: Annotated[int, typer.Option(help="Your dbt Cloud project id.", min=1)],
    host: Annotated[
        str, typer.Option(help="Your dbt Cloud access URL.")
    ] = "https://cloud.getdbt.com",
    environment: Annotated[
        list[str] | None,
        typer.Option(
            help="ROLE=NAME: your dbt Cloud name of an environment role (production, ci, "
            "development, demo), where it is not the file's. Repeat for each.",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Print the request instead of sending it.")] = (
        False
    ),
) -> None:
    """Create the project-level environment variables the dbt Cloud jobs override
    (ci/dbt_cloud_env_vars.yml), in one call to dbt Cloud's API (token: DBT_API_KEY). Run it
    once, before the first `dbt-jobs-as-code sync`."""
    import json

    from harness.dbt_cloud import bulk_request, create

    names = {}
    for pair in environment or []:
        role, equals, name = pair.partition("=")
        if not equals or not name.strip():
            raise UserError(f"--environment '{pair}' is not ROLE=NAME, e.g. production=Prod.")
        names[role.strip()] = name.strip()
    body = bulk_request(names)
    if dry_run:
        console.print_json(json.dumps(body))
        return
    create(account_id, project_id, host, body)
    console.print(
        f"Created {len(body['env_var'])} environment variables in dbt Cloud project "
        f"{project_id}: {', '.join(entry['new_name'] for entry in body['env_var'])}."
    )


emulator_app = typer.Typer(help="Start, stop and inspect the local Snowflake emulator.")
app.add_typer(emulator_app, name="emulator")


@emulator_app.command("start")
@user_errors
def emulator_start() -> None:
    """Start the emulator on a free loopback port (data kept under state/emulator/)."""
    from harness import emulator

    console.print(emulator.start().describe())


@emulator_app.command("stop")
@user_errors
def emulator_stop() -> None:
    """Stop the emulator (its data stays on disk)."""
    from harness import emulator

    stopped = emulator.stop()
    console.print("Stopped the Snowflake emulator." if stopped else emulator.status().describe())


@emulator_app.command("status")
@user_errors
def emulator_status() -> None:
    """Say whether the emulator runs, where, and where its data is."""
    from harness import emulator

    console.print(emulator.status().describe())


@emulator_app.command("reset")
@user_errors
def emulator_reset() -> None:
    """Stop the emulator and delete its databases."""
    from harness import emulator

    emulator.reset()
    console.print("The Snowflake emulator is stopped and its data deleted.")


@app.command()
@user_errors
def diff(
    left: SideOption = "duckdb",
    right: SideOption = "snowflake_emulator",
    select: Annotated[
        str | None, typer.Option(help="dbt selector (default: every mart, dq and audit model).")
    ] = None,
    query: Annotated[
        str | None, typer.Option(help="Ad-hoc query in Snowflake SQL to run on both sides instead.")
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the JSON report here.")
    ] = None,
    samples: Annotated[int, typer.Option(help="Sample keys shown per model.", min=0, max=100)] = 5,
) -> None:
    """Compare models (schema, row counts, profiles, rows by grain) between two warehouses.

    Exit code 0 when equal, 1 when not.
    """
    import json

    from harness.diff import diff_models, diff_query, open_side, selected_models

    models = None if query else selected_models(select)
    left_side, right_side = open_side(left), open_side(right)
    try:
        if query:
            results = [diff_query(left_side, right_side, query, samples)]
        else:
            with console.status("Comparing…") as status:
                results = diff_models(
                    left_side,
                    right_side,
                    models,
                    max_samples=samples,
                    progress=lambda name: status.update(f"Compared {name}"),
                )
    finally:
        left_side.close()
        right_side.close()
    print_diff(results, left, right)
    if json_path:
        json_path.write_text(
            json.dumps(
                {
                    "left": left,
                    "right": right,
                    "equal": not any(r.differs for r in results),
                    "models": [r.as_dict() for r in results],
                },
                indent=2,
                default=str,
            )
        )
        console.print(f"JSON report: {json_path}")
    if any(r.differs for r in results):
        raise typer.Exit(1)


@app.command()
@user_errors
def verify(
    date: Annotated[
        str, typer.Option(help="Day of mock events to add on both engines.")
    ] = "2026-11-04",
    events: Annotated[int, typer.Option(help="Mock events to add.", min=1, max=1_000_000)] = 800,
    seed: SeedOption = 11,
    verbose: VerboseOption = False,
) -> None:
    """Prove the engines equal: build fresh DuckDB and emulator warehouses the same way
    (under state/verify/) and diff every mart, dq and audit model. Exit 1 on any difference."""
    from harness.jobs import verify_engines

    with dbt_output(verbose):
        results = verify_engines(
            PROJECT_DIR / "state" / "verify", parse_date(date), events, seed, announce=phase
        )
    print_diff(results, "duckdb", "snowflake_emulator")
    if any(r.differs for r in results):
        raise typer.Exit(1)
    console.print("[green]DuckDB and the Snowflake emulator agree on every model.[/]")


@app.command()
@user_errors
def simulate(
    days: Annotated[int, typer.Option(help="Days to play.", min=1, max=365)] = 30,
    events_per_day: Annotated[
        int, typer.Option(help="Landed rows per day (about).", min=1, max=10_000_000)
    ] = 2_000,
    seed: SeedOption = 42,
    start_date: Annotated[
        str,
        typer.Option(help="First day, YYYY-MM-DD (after the seed events, which end in 2026-11)."),
    ] = "2026-11-10",
    bad_rate: BadRateOption = 0.01,
    target: TargetOption = "duckdb",
    verbose: VerboseOption = False,
) -> None:
    """Prove incremental builds equal a full refresh: play days of events one by one (late
    and duplicate rows included) with the daily build after each, then diff every mart against
    a --full-refresh build of the same rows (under state/simulate/). Exit 1 on any difference."""
    from rich.progress import Progress

    from harness.simulate import simulate as play

    check_target(target)
    with dbt_output(verbose), Progress(console=console, transient=True) as progress:
        task = progress.add_task("Playing days", total=days)
        result = play(
            PROJECT_DIR / "state" / "simulate",
            days=days,
            events_per_day=events_per_day,
            seed=seed,
            start=first_day(start_date, days),
            bad_rate=bad_rate,
            target=target,
            announce=phase,
            on_day=lambda day, rows: progress.update(
                task, advance=1, description=f"{day}: {rows:,} rows landed, built"
            ),
        )
    print_diff(result.results, "full refresh (duckdb)", f"incremental ({target})")
    for failure in result.test_failures:
        errors.print(f"[red]test failed on day {failure}[/]")
    if result.differs:
        raise typer.Exit(1)
    console.print(
        f"[green]{result.days} incremental days ({result.landed:,} rows) equal a full refresh "
        "on every model.[/]"
    )


def main() -> None:  # pragma: no cover - console entry point
    app()
