"""Harness for the email analytics mart: mock data, dbt runs and checks, all local-first."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
"""The dbt project root (where dbt_project.yml lives)."""

__all__ = ["PROJECT_DIR"]
