"""A dbt step leaves its partial-parse file where the next step is seeded from."""

from pathlib import Path

import pytest

from orchestration.lib.partial_parse import PARTIAL_PARSE_FILE, keep_partial_parse


def test_the_step_file_replaces_the_project_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    project, step = tmp_path / "project", tmp_path / "project" / "target" / "step-1"
    step.mkdir(parents=True)
    (project / "target" / PARTIAL_PARSE_FILE).write_bytes(b"parsed by make manifest")
    (step / PARTIAL_PARSE_FILE).write_bytes(b"parsed by the step")

    assert keep_partial_parse(step, project)
    assert (project / "target" / PARTIAL_PARSE_FILE).read_bytes() == b"parsed by the step"
    assert sorted(p.name for p in (project / "target").iterdir()) == [PARTIAL_PARSE_FILE, "step-1"]


def test_nothing_to_keep_and_an_absolute_target_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, step = tmp_path / "project", tmp_path / "step"
    step.mkdir()
    assert not keep_partial_parse(step, project)  # dbt failed before parsing
    assert not (project / "target").exists()

    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("DBT_TARGET_PATH", str(elsewhere))
    (step / PARTIAL_PARSE_FILE).write_bytes(b"x")
    assert keep_partial_parse(step, project)
    assert (elsewhere / PARTIAL_PARSE_FILE).read_bytes() == b"x"
    assert not keep_partial_parse(elsewhere, project)  # the step wrote it there itself
