#!/usr/bin/env bash
# The full test suite: lint (ruff, sqlfluff with the dbt templater) and pytest, which builds
# the whole project on a fresh DuckDB file with real dbt. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/setup.sh

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export DBT_SEND_ANONYMOUS_USAGE_STATS=false

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "==> sqlfluff (dbt templater)"
MART_DUCKDB_PATH="$scratch/lint.duckdb" DBT_TARGET_PATH="$scratch/lint-target" \
    .venv/bin/sqlfluff lint models --processes 2

echo "==> pytest"
.venv/bin/pytest "$@"
