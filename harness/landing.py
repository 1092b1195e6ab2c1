"""Where landing rows go: the events landing table of a warehouse, one batch at a time.

A Sink appends an Arrow table as one landing batch (`_load_id`), all or nothing, and says
which batches are already there, so every loader (`mart generate`, `mart load`, `mart
simulate`) can skip what an earlier run landed. DuckDB gets one transaction per batch;
Snowflake targets a Parquet file, PUT to the table's stage and one COPY INTO.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa

from harness.errors import UserError

Select = Callable[[str, str], str]  # (relation, load_id) -> SQL of landing rows


def quoted(text: str) -> str:
    """`text` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


class Sink:
    """Where chunks land (one landing batch per chunk, all or nothing)."""

    def loaded_batches(self, prefix: str) -> set[str]:
        """The landing batches already there whose id starts with `prefix`."""
        raise NotImplementedError

    def append(self, table: pa.Table, load_id: str, select: Select) -> int:
        """Land `table` as batch `load_id`; `select` turns it into landing rows (SQL).
        Returns the rows landed, as the warehouse counts them."""
        raise NotImplementedError


class DuckDBSink(Sink):
    """Appends to the landing table of a DuckDB file: one transaction per chunk."""

    def __init__(self, connection, landing: str):
        self.connection = connection
        self.landing = landing
        # Row order of the landing table carries no meaning; not keeping it is faster.
        connection.execute("set preserve_insertion_order = false")

    def loaded_batches(self, prefix: str) -> set[str]:
        rows = self.connection.execute(
            f"select distinct _load_id from {self.landing} where starts_with(_load_id, ?)",
            [prefix],
        ).fetchall()
        return {row[0] for row in rows}

    def append(self, table: pa.Table, load_id: str, select: Select) -> int:
        connection = self.connection
        connection.register("_generated_chunk", table)
        try:
            connection.execute("begin")
            (landed,) = connection.execute(
                f"insert into {self.landing} by name " + select("_generated_chunk", load_id)
            ).fetchone()
            connection.execute("commit")
        except BaseException:
            connection.execute("rollback")
            raise
        finally:
            connection.unregister("_generated_chunk")
        return landed


class SnowflakeSink(Sink):
    """Bulk loads into a Snowflake landing table: Parquet file, PUT to the table's stage, COPY.

    DuckDB (in memory) formats the rows and writes the Parquet file, so the text is the same
    as on the DuckDB path; COPY INTO loads a file in one statement (all or nothing).

    COPY INTO skips a file name it loaded into the table in the last 64 days, silently
    (docs.snowflake.com/en/user-guide/data-load-considerations-load, "Load metadata"); a
    batch deleted and generated again has the same file name. Only batches that are not in
    the table are ever sent (`loaded_batches`), so FORCE = TRUE is safe, and every COPY's
    result must account for every row of its file, or the load fails loudly
    (docs.snowflake.com/en/sql-reference/sql/copy-into-table, FORCE and the output columns).
    """

    def __init__(self, connection, landing: str, folder: Path):
        self.connection = connection
        self.landing = landing
        self.stage = "@" + landing.rpartition(".")[0] + ".%" + landing.rpartition(".")[2]
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def loaded_batches(self, prefix: str) -> set[str]:
        with self.connection.cursor() as cursor:
            rows = cursor.execute(
                f"select distinct _load_id from {self.landing} where startswith(_load_id, %s)",
                (prefix,),
            ).fetchall()
        return {row[0] for row in rows}

    def append(self, table: pa.Table, load_id: str, select: Select) -> int:
        import duckdb

        name = load_id.replace(":", "_") + ".parquet"
        path = self.folder / name
        with duckdb.connect() as formatter:
            formatter.register("_generated_chunk", table)
            formatter.execute(
                f"copy ({select('_generated_chunk', load_id)}) to '{path}' (format parquet)"
            )
            (rows,) = formatter.execute(f"select count(*) from '{path}'").fetchone()
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"put 'file://{path}' {self.stage} auto_compress = false overwrite = true"
                )
                cursor.execute(
                    f"copy into {self.landing} from {self.stage}/{name} "
                    "file_format = (type = parquet) "
                    "match_by_column_name = case_insensitive purge = true force = true"
                )
                columns = [column[0].lower() for column in cursor.description]
                results = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        finally:
            path.unlink(missing_ok=True)
        loaded = sum(int(result.get("rows_loaded") or 0) for result in results)
        if loaded != rows:
            statuses = ", ".join(sorted({str(result.get("status")) for result in results}))
            raise UserError(
                f"COPY INTO {self.landing} loaded {loaded:,} of the {rows:,} rows of batch "
                f"{load_id} (status {statuses or 'none'}); delete the batch "
                f"(_load_id = '{load_id}') and run `mart generate` again."
            )
        return loaded


@contextmanager
def open_sink(target: str) -> Iterator[Sink]:
    """The sink for a target: the DuckDB file directly, Snowflake targets by Parquet + COPY."""
    from harness.dbt import writable_events_relation as events_relation
    from harness.settings import duckdb_path

    if target == "duckdb":
        from harness.warehouse import connect

        with connect() as connection:
            yield DuckDBSink(connection, events_relation(target))
        return
    from harness.warehouse import connect_snowflake

    connection = connect_snowflake(target)
    try:
        yield SnowflakeSink(connection, events_relation(target), duckdb_path().parent / "generate")
    finally:
        connection.close()


def landing_shape() -> str:
    """An empty select with the landing table's columns (all text, _loaded_at a timestamp),
    to create a landing table outside dbt (macro create_events_landing_table's shape)."""
    from harness.settings import landing_columns

    columns = [f"cast(null as varchar) as {name}" for name in landing_columns()]
    columns += ["cast(null as timestamp) as _loaded_at", "cast(null as varchar) as _load_id"]
    return "select " + ", ".join(columns)
