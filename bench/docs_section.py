"""Where a benchmark's figures go: its own section of docs/benchmarks.md, between its two
marker comments, replaced on every run (appended the first time)."""

from __future__ import annotations

from pathlib import Path


def write_section(path: Path, section: str, start: str, end: str) -> None:
    """Replace the text from `start` to `end` in `path` by `section` (which holds both
    markers), or append it when the file has no such section yet."""
    text = path.read_text(encoding="utf-8")
    if start in text:
        before, _, rest = text.partition(start)
        text = before + section + rest.partition(end)[2]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")
