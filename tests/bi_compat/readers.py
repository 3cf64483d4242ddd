"""Run the BI-tool recipes of README.md and the readers of the published copy.

The README's "For BI tools" recipes are the tested ones: each sits in a fenced block after a
`<!-- recipe: NAME -->` marker, and the tests run that block with the README's example paths
replaced by the test's.
"""

import json
import re
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
READER = Path(__file__).with_name("read_published.py")


def read_with(python: Path | str, published: Path) -> dict:
    """What `python` (with its own duckdb) reads from every table: read_published.py's JSON."""
    done = subprocess.run(
        [str(python), str(READER), str(published)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        raise AssertionError(f"{python} could not read {published}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def recipe(name: str) -> str:
    """The code block after `<!-- recipe: name -->` in README.md."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(
        rf"<!-- recipe: {re.escape(name)} -->\s*```[a-z]*\n(.*?)\n```", readme, re.DOTALL
    )
    assert found, f"README.md has no recipe {name!r}"
    return found.group(1)
