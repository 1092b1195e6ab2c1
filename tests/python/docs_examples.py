"""The shell and SQL examples of README.md and docs/*.md, as fenced blocks, with the comment
that may stand on the line before a fence:

    <!-- docs-test: skip: <why it cannot run here, e.g. it needs Snowflake credentials> -->
    <!-- docs-test: exit N: <why the command's documented outcome is exit code N> -->
    <!-- docs-test: in test_<module>.py: <why that module runs it, on what it leaves> -->
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from harness import PROJECT_DIR

DOCUMENTS = [PROJECT_DIR / "README.md", *sorted((PROJECT_DIR / "docs").glob("*.md"))]
FENCE = re.compile(
    r"(?:^[ \t]*<!-- docs-test: (?P<marker>[^\n]*?) -->\n)?"
    r"^[ \t]*```(?P<language>bash|sh|shell|sql)\n(?P<body>.*?)^[ \t]*```",
    re.MULTILINE | re.DOTALL,
)
MARKER = re.compile(
    r"(?:(?P<skip>skip)|exit (?P<code>\d+)|in (?P<module>test_\w+\.py)): (?P<why>\S.*)"
)


@dataclass(frozen=True)
class Example:
    document: str
    line: int
    language: str
    body: str
    marker: str | None

    @property
    def name(self) -> str:
        return f"{self.document}:{self.line}"

    @property
    def first_command(self) -> str:
        """Its first command line, without a trailing comment."""
        line = next(
            line
            for line in self.body.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        )
        return re.sub(r"\s+#\s.*$", "", line).strip()


def examples() -> list[Example]:
    found = []
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start("language")) + 1
            body = textwrap.dedent(match["body"])  # a fence inside a list item is indented
            found.append(Example(path.name, line, match["language"], body, match["marker"]))
    return found


def example_starting_with(document: str, first_command: str) -> Example:
    """The one example of `document` whose first command is `first_command`."""
    matching = [
        example
        for example in examples()
        if example.document == document and example.first_command == first_command
    ]
    assert len(matching) == 1, f"{document} has {len(matching)} examples starting {first_command!r}"
    return matching[0]
