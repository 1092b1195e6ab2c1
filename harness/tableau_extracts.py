"""`mart tableau --extract`: the models the workbook reads as Tableau Hyper extracts, from the
DuckDB warehouse, written with Tableau's own Hyper engine (`tableauhyperapi`), so the
packaged workbook (`Email Mart.twbx`) opens in Tableau without Snowflake.

Each extract holds one table, `Extract.Extract` (the name Tableau's own extracts use), with
the model's columns upper-cased as Snowflake returns them, so the workbook's fields are the
same on both connections. Column types follow the warehouse's (the same type families on
both engines, as `mart verify` proves).
"""

from __future__ import annotations

from pathlib import Path

from harness.tableau import Model

EXTRACT_TABLE = ("Extract", "Extract")


def hyper_type(duckdb_type: str):
    """The Hyper SQL type of a DuckDB column type."""
    from tableauhyperapi import SqlType

    kind = duckdb_type.upper()
    if kind.startswith(("BIGINT", "HUGEINT", "UBIGINT", "INTEGER", "SMALLINT", "TINYINT")):
        return SqlType.big_int()
    if kind.startswith(("DOUBLE", "FLOAT", "REAL")):
        return SqlType.double()
    if kind.startswith("DECIMAL"):
        precision, scale = (int(n) for n in kind[kind.index("(") + 1 : -1].split(","))
        return SqlType.numeric(min(precision, 18), scale)
    if kind.startswith("BOOLEAN"):
        return SqlType.bool()
    if kind.startswith("TIMESTAMP"):
        return SqlType.timestamp()
    if kind.startswith("DATE"):
        return SqlType.date()
    return SqlType.text()


def write_extracts(connection, models: dict[str, Model], folder: Path) -> dict[str, Path]:
    """One .hyper file per model in `folder`, its rows from the DuckDB `connection`."""
    from tableauhyperapi import (
        NULLABLE,
        Connection,
        CreateMode,
        HyperProcess,
        Inserter,
        TableDefinition,
        TableName,
        Telemetry,
    )

    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    parameters = {"log_config": ""}  # no hyperd.log beside the caller
    with HyperProcess(Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU, parameters=parameters) as hyper:
        for name, model in models.items():
            path = folder / f"{name}.hyper"
            table = TableName(*EXTRACT_TABLE)
            definition = TableDefinition(
                table,
                [
                    TableDefinition.Column(
                        column.name.upper(),
                        hyper_type(column.duckdb_type),
                        NULLABLE,
                    )
                    for column in model.columns
                ],
            )
            columns = ", ".join(f'"{column.name}"' for column in model.columns)
            rows = connection.execute(f'select {columns} from "{model.schema}"."{name}"').fetchall()
            with Connection(hyper.endpoint, path, CreateMode.CREATE_AND_REPLACE) as extract:
                extract.catalog.create_schema_if_not_exists(EXTRACT_TABLE[0])
                extract.catalog.create_table(definition)
                with Inserter(extract, definition) as inserter:
                    inserter.add_rows(rows)
                    inserter.execute()
            written[name] = path
    return written
