#!/usr/bin/env bash
# The full test suite: lint (ruff, sqlfluff with the dbt templater) and pytest, which builds
# the whole project on a fresh DuckDB file with real dbt. Installs what it needs first.
#
#   bash ci/test.sh            everything (CI runs this)
#   bash ci/test.sh --fast     lint (ruff, sqlfluff, `mart check-snowflake`), every dbt unit
#                              test, one DuckDB build with its data tests and every Python test
#                              that needs neither the Snowflake emulator nor a multi-day replay
#                              (pytest -m "not slow")
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

# sqlfluff compiles the dbt project itself and waits on little but the CPU; it runs beside
# pytest, whose start (the workers' imports and collection) leaves room for it.
echo "==> sqlfluff (dbt templater), in the background"
MART_DUCKDB_PATH="$scratch/lint.duckdb" DBT_TARGET_PATH="$scratch/lint-target" \
    .venv/bin/sqlfluff lint models --processes 2 >"$scratch/sqlfluff.log" 2>&1 &
sqlfluff_pid=$!

# `mart check-snowflake` (every statement dbt sends, held to Snowflake's SQL): a lint step
# of the fast tier, beside pytest; the full tier runs it in test_snowflake_check.py.
check_pid=""
if [ ${#tier[@]} -gt 0 ]; then
    echo "==> mart check-snowflake, in the background"
    MART_DUCKDB_PATH="$scratch/check.duckdb" DBT_LOG_PATH="$scratch/check-logs" \
        .venv/bin/mart check-snowflake --folder "$scratch/check-snowflake" \
        >"$scratch/check-snowflake.log" 2>&1 &
    check_pid=$!
fi

# Whole test modules on one worker per core, at most four (pytest-xdist): a module's
# fixtures (a warehouse, an emulator) are built once, in one worker; every worker builds its
# own session warehouse. One dbt build keeps about one core busy (dbt's orchestration is one
# Python thread), so two workers on two cores take ~40% less time than one. The slow modules
# come first (conftest.py), not the ones with most tests.
workers=(--numprocesses auto --maxprocesses 4 --dist loadfile --no-loadscope-reorder)
echo "==> pytest ${tier[*]} ${workers[*]}"
pytest_status=0
.venv/bin/pytest "${tier[@]}" "${workers[@]}" --durations=15 "$@" || pytest_status=$?

echo "==> sqlfluff (dbt templater)"
sqlfluff_status=0
wait "$sqlfluff_pid" || sqlfluff_status=$?
grep -v "^=== \[dbt templater\]" "$scratch/sqlfluff.log" || true
check_status=0
if [ -n "$check_pid" ]; then
    echo "==> mart check-snowflake"
    wait "$check_pid" || check_status=$?
    cat "$scratch/check-snowflake.log"
fi
if [ "$sqlfluff_status" -ne 0 ] || [ "$pytest_status" -ne 0 ] || [ "$check_status" -ne 0 ]; then
    echo "==> FAILED: sqlfluff exit $sqlfluff_status, pytest exit $pytest_status," \
        "check-snowflake exit $check_status ($((SECONDS - started)) s)"
    exit 1
fi
echo "==> passed in $((SECONDS - started)) s"
