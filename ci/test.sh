#!/usr/bin/env bash
# The full test suite: lint (ruff, sqlfluff with the dbt templater) and pytest, which builds
# the whole project on a fresh DuckDB file with real dbt. Installs what it needs first.
#
#   bash ci/test.sh            everything (CI runs this)
#   bash ci/test.sh --fast     lint, every dbt unit test, one DuckDB build with its data tests
#                              and every Python test that needs neither the Snowflake emulator
#                              nor a multi-day replay (pytest -m "not slow")
# Other arguments go to pytest, e.g. `bash ci/test.sh --fast -k dashboard`.
set -euo pipefail
cd "$(dirname "$0")/.."

tier=()
if [ "${1:-}" = "--fast" ]; then
    tier=(-m "not slow")
    shift
fi
started=$SECONDS

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

echo "==> pytest ${tier[*]}"
.venv/bin/pytest "${tier[@]}" --durations=15 "$@"

echo "==> passed in $((SECONDS - started)) s"
