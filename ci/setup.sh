#!/usr/bin/env bash
# Set up everything the project needs in a local virtual environment (.venv), with the exact
# versions of constraints.txt. Safe to run again: it skips work that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "error: Python 3.11 is required (found $("$PYTHON" --version 2>&1)); install it or set PYTHON=/path/to/python3.11." >&2
    exit 2
fi

stamp=".venv/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "==> Creating .venv and installing pinned dependencies"
    "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[dev]"
    rm -f .venv/.installed-*
    touch "$stamp"
fi
# Headless Chromium for the dashboard browser test (Debian's package; root, or sudo without
# a password). Elsewhere, say what is missing instead of failing here.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "==> Installing Chromium (apt-get)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        echo "==> Installing Chromium (sudo apt-get)"
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "warning: Chromium is not installed; the dashboard browser test needs Debian's chromium package." >&2
    fi
fi
# The installed versions, read from the packages' metadata (`dbt --version` also asks PyPI).
echo "==> Environment ready: $(.venv/bin/python -c '
import platform
from importlib.metadata import version
names = ("dbt-core", "dbt-duckdb", "dbt-snowflake", "duckdb", "fakesnow")
print(", ".join(f"{name} {version(name)}" for name in names) + f", Python {platform.python_version()}")
')"
