"""`python -m harness.cli`: the `mart` command."""

from harness.cli import main

main()
