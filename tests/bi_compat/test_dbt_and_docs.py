"""dbt works from the repository root and from dbt_project/ on the same warehouse, its docs
work offline, and every link in the repository's Markdown resolves inside the repository."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from tests.dbt.dbt_runner import DBT_EXECUTABLE, DBT_PROJECT_DIR, REPO_ROOT, dbt_env

MARKDOWN_LINK = re.compile(
    r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)"
)
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.MULTILINE)
HTML_LINK = re.compile(r"""<(?:a|img)\s[^>]*(?:href|src)=["']([^"']+)["']""", re.IGNORECASE)
CODE_PATH = re.compile(r"`((?:\.\./|\./)[^`\s]+)`")  # a path written as code, e.g. `../x.md`
LOCAL_URL = re.compile(r"^https?://(127\.0\.0\.1|localhost)(:\d+)?(/|$)")


def _markdown_files() -> list[Path]:
    """The repository's Markdown: tracked or new, not ignored (caches, venvs, build output)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.md"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(REPO_ROOT / line for line in listed.stdout.splitlines() if line)


def _problems(path: Path, text: str) -> list[str]:
    targets = [t for pair in MARKDOWN_LINK.findall(text) for t in pair if t]
    targets += REFERENCE_LINK.findall(text) + HTML_LINK.findall(text)
    problems = []
    for target in targets + CODE_PATH.findall(text):
        if target.startswith("#") or target.startswith("mailto:") or LOCAL_URL.match(target):
            continue
        if re.match(r"^[a-z]+://", target):
            problems.append(f"{target} (outside the repository)")
            continue
        resolved = (path.parent / target.split("#")[0]).resolve()
        if not resolved.is_relative_to(REPO_ROOT):
            problems.append(f"{target} (points outside the repository)")
        elif not resolved.exists() and target in targets:
            problems.append(f"{target} (no such file)")
    return [f"{path.relative_to(REPO_ROOT)}: {problem}" for problem in problems]


def test_bi_compat_markdown_links_resolve_inside_the_repo() -> None:
    files = _markdown_files()
    assert REPO_ROOT / "dbt_project" / "README.md" in files and len(files) >= 8
    problems = [p for path in files for p in _problems(path, path.read_text(encoding="utf-8"))]
    assert not problems, "\n".join(problems)


def test_bi_compat_the_link_check_finds_links_that_leave_the_repo() -> None:
    page = REPO_ROOT / "dbt_project" / "README.md"
    sample = (
        "[spec](../../shared/domain.md), `../../shared/x.md`, [gone](missing.md), "
        "[web](https://example.com/x), [ok](../docs/glossary.md), [ui](http://127.0.0.1:3000)"
    )
    assert len(_problems(page, sample)) == 4, _problems(page, sample)


def _dbt(args: list[str], cwd: Path, env: dict[str, str], tmp: Path) -> str:
    target = ["--target-path", str(tmp / "target")]  # dbt debug writes none and refuses it
    done = subprocess.run(
        [str(DBT_EXECUTABLE), *args, *([] if args[0] == "debug" else target)],
        cwd=cwd,
        env=dbt_env({**env, "DBT_LOG_PATH": str(tmp / "logs")}),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, f"dbt {' '.join(args)} in {cwd} failed:\n{done.stdout[-3000:]}"
    return done.stdout


def _debugged_path(output: str) -> str:
    """The DuckDB path `dbt debug` connected to (it opens, so creates, the file)."""
    assert "Connection test: [OK" in output or "All checks passed" in output, output[-3000:]
    (path,) = re.findall(r"^\S*\s+path: (.+)$", output, re.MULTILINE)
    return path.strip()


def test_bi_compat_dbt_from_root_and_from_project_dir_use_one_warehouse(tmp_path: Path) -> None:
    # A relative WAREHOUSE_PATH is relative to the repository root from either directory.
    relative = os.path.relpath(tmp_path / "shared.duckdb", REPO_ROOT)
    env = {"WAREHOUSE_PATH": relative, "WAREHOUSE_TARGET": "duckdb"}
    root_flags = ["--project-dir", "dbt_project", "--profiles-dir", "dbt_project"]
    from_root = _debugged_path(_dbt(["debug", *root_flags], REPO_ROOT, env, tmp_path))
    # From dbt_project/ with no flags at all (dbt finds dbt_project.yml and profiles.yml there):
    from_project = _debugged_path(_dbt(["debug"], DBT_PROJECT_DIR, env, tmp_path))
    expected = (tmp_path / "shared.duckdb").resolve()
    assert (REPO_ROOT / from_root).resolve() == expected, from_root
    assert (DBT_PROJECT_DIR / from_project).resolve() == expected, from_project
    assert expected.exists()
    stray = (DBT_PROJECT_DIR / relative).resolve()
    assert not stray.exists(), f"dbt in dbt_project/ resolved the path against its cwd: {stray}"


def test_bi_compat_dbt_docs_generate_static_works_offline(
    built_warehouse: Path, tmp_path: Path
) -> None:
    flags = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    warehouse = shutil.copy(built_warehouse, tmp_path / "warehouse.duckdb")  # dbt opens it writable
    _dbt(
        ["docs", "generate", "--static", *flags],
        REPO_ROOT,
        {"WAREHOUSE_PATH": str(warehouse)},
        tmp_path,
    )
    page = (tmp_path / "target" / "static_index.html").read_text(encoding="utf-8")
    # One file with the manifest and catalog inside: opens from disk, no server, no network.
    assert "kpi_monthly_long" in page and "fct_handoffs" in page
    loaded = re.findall(r"""<(?:script|link|img)\b[^>]*(?:src|href)=["']([^"']+)""", page)
    assert not [u for u in loaded if re.match(r"^(https?:)?//", u)], loaded
    # The page loads a tracker from the network only when the manifest asks for tracking.
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    assert manifest["metadata"]["send_anonymous_usage_stats"] is False
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text())
    assert any(key.endswith(".kpi_monthly_long") for key in catalog["nodes"])
