"""No secret in the repository, and none in what the harness prints."""

from __future__ import annotations

import re
import subprocess

from typer.testing import CliRunner

from harness import PROJECT_DIR
from harness.cli import app

SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    "URL with a password": re.compile(
        r"[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:[^/\s@'\"]+@[\w.-]+", re.I
    ),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "literal password in a profile": re.compile(
        # A value, not a template ({{ env_var(...) }}) nor a Python annotation (password: str).
        r"^\s*(?:password|private_key_passphrase|token)\s*:\s*(?![\"']?\{\{|str$)\S+",
        re.I | re.M,
    ),
    "Snowflake account URL with credentials": re.compile(
        r"snowflakecomputing\.com.*(?:password|pwd)=", re.I
    ),
}


def scan(text: str) -> list[str]:
    return [name for name, pattern in SECRET_PATTERNS.items() if pattern.search(text)]


def test_no_tracked_file_holds_a_credential():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(tracked) > 20
    findings = {}
    for name in tracked:
        path = PROJECT_DIR / name
        if name.startswith("tests/python/test_security.py") or not path.is_file():
            continue
        try:
            found = scan(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue
        if found:
            findings[name] = found
    assert not findings, findings


def test_the_scanner_finds_planted_secrets():
    assert scan("password: hunter2\n") == ["literal password in a profile"]
    assert scan("password: \"{{ env_var('SNOWFLAKE_PASSWORD') }}\"\n") == []
    assert "private key" in scan("-----BEGIN PRIVATE KEY-----\nMII...")
    assert "URL with a password" in scan("snowflake://me:s3cret@xy123.snowflakecomputing.com/db")
    assert "AWS access key" in scan("AKIAABCDEFGHIJKLMNOP")


def test_errors_never_print_the_password(monkeypatch, state_dir):
    secret = "correct-horse-battery-staple-42"
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", secret)
    monkeypatch.setenv("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", secret)
    monkeypatch.delenv("SNOWFLAKE_ACCOUNT", raising=False)
    result = CliRunner().invoke(app, ["build", "--target", "snowflake"])
    assert result.exit_code == 2 and "SNOWFLAKE_ACCOUNT" in result.output
    assert secret not in result.output
    diff = CliRunner().invoke(app, ["diff", "--left", "snowflake", "--right", "duckdb"])
    assert diff.exit_code == 2 and "SNOWFLAKE_ACCOUNT" in diff.output, diff.output
    assert secret not in diff.output
