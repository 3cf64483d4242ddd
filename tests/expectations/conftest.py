"""Shared fixtures: the dbt manifest (built once by the orchestration tests' fixture)."""

from tests.orchestration.conftest import dbt_manifest

__all__ = ["dbt_manifest"]
