"""GX Data Docs that open offline, list every suite, and say which rules block publishing.

GX renders its pages with stylesheets and scripts from public CDNs, and an ephemeral context
indexes only the suites it validated itself: with one context per check step, the second step's
site index replaced the first's. After GX has rendered, this module

- copies Bootstrap 4 and jQuery from their Python packages (xstatic-bootstrap, xstatic-jquery)
  into `static/offline/` and points every page there instead of the CDNs; what has no package
  (bootstrap-table, vega, Font Awesome) is replaced by no-op shims and a few CSS glyphs, so the
  pages neither fetch nor fail;
- keeps the latest run of every suite in `suites.json` (both check steps write to one site) and
  writes `index.html` from it: each suite with its rules, blocking (error) or warning, and their
  outcome, linking to GX's validation page of that run;
- puts the same rule table at the top of that validation page.
"""

import fcntl
import html
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from expectations.results import RuleResult, SuiteRun

LEDGER = "suites.json"
OFFLINE_DIR = Path("static") / "offline"
MARKER = 'data-offline="themodel"'
SEVERITY_LABELS = {"error": "blocking", "warn": "warning"}

# <link href=...> and <script src=...> that load from another host (http:, https:, //).
_REMOTE_ASSET = re.compile(
    r"""<link\b[^>]*\bhref=["'](?:https?:)?//[^"']*["'][^>]*>"""
    r"""|<script\b[^>]*\bsrc=["'](?:https?:)?//[^"']*["'][^>]*>\s*</script>""",
    re.IGNORECASE,
)

# <img src=...> from another host (GX's logo, with a per-render query string).
_REMOTE_IMAGE = re.compile(
    r"""<img\b([^>]*)\bsrc=["'](?:https?:)?//[^"']*?([\w.-]+\.(?:png|svg|gif))(?:\?[^"']*)?["']""",
    re.IGNORECASE,
)

# What GX's inline scripts call from the libraries that have no package: harmless no-ops.
SHIMS_JS = """\
(function ($) {
  if ($ && !$.fn.bootstrapTable) { $.fn.bootstrapTable = function () { return this; }; }
  if ($ && !$.fn.datepicker) { $.fn.datepicker = function () { return this; }; }
  window.vegaEmbed = window.vegaEmbed || function () { return Promise.resolve(); };
})(window.jQuery);
"""

# The five Font Awesome icons GX uses, as plain glyphs; and the site index's own styles.
OFFLINE_CSS = """\
.fas, .far, .fa { font-style: normal; }
.fa-check-circle::before { content: "\\2714"; }
.fa-times::before { content: "\\2718"; }
.fa-exclamation-triangle::before { content: "\\26A0"; }
.fa-question-circle::before { content: "?"; font-weight: bold; }
.fa-comment::before { content: "\\1F4AC"; }
.dq-rules { font-size: 0.9rem; }
.dq-rules td, .dq-rules th { padding: 0.25rem 0.5rem; vertical-align: top; }
.dq-blocking { background: #dc3545; color: #fff; }
.dq-warning { background: #ffc107; color: #212529; }
.dq-failed { color: #dc3545; font-weight: bold; }
.dq-passed { color: #198754; }
"""


def data_docs_index(page: Path) -> Path:
    """The site's index.html, from one of its validation pages (site/validations/...)."""
    for folder in page.parents:
        if folder.name == "validations":
            return folder.parent / "index.html"
    return page.parent / "index.html"


def _offline_assets() -> dict[str, Path | str]:
    """Target file name -> packaged source file (or literal text)."""
    import xstatic.pkg.bootstrap as bootstrap  # data-only packages: Bootstrap 4.5, jQuery 3.7
    import xstatic.pkg.jquery as jquery

    bootstrap_dir, jquery_dir = Path(bootstrap.BASE_DIR), Path(jquery.BASE_DIR)
    return {
        "bootstrap.min.css": bootstrap_dir / "css" / "bootstrap.min.css",
        "bootstrap.bundle.min.js": bootstrap_dir / "js" / "bootstrap.bundle.min.js",
        "jquery.min.js": jquery_dir / "jquery.min.js",
        "shims.js": SHIMS_JS,
        "offline.css": OFFLINE_CSS,
    }


def _install_assets(site: Path) -> None:
    target = site / OFFLINE_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name, source in _offline_assets().items():
        if isinstance(source, Path):
            shutil.copyfile(source, target / name)
        else:
            (target / name).write_text(source, encoding="utf-8")


def _local_head(prefix: str) -> str:
    base = f"{prefix}{OFFLINE_DIR.as_posix()}"
    return (
        f'<link {MARKER} rel="stylesheet" href="{base}/bootstrap.min.css">\n'
        f'<link rel="stylesheet" href="{base}/offline.css">\n'
        f'<script src="{base}/jquery.min.js"></script>\n'
        f'<script src="{base}/bootstrap.bundle.min.js"></script>\n'
        f'<script src="{base}/shims.js"></script>\n'
    )


def make_offline(page: Path, site: Path) -> None:
    """Point one page at the site's local assets instead of the CDNs (idempotent)."""
    text = page.read_text(encoding="utf-8")
    if MARKER in text:
        return
    prefix = os.path.relpath(site, page.parent).replace(os.sep, "/") + "/"
    text = _REMOTE_ASSET.sub("", text)
    # GX ships its images in static/images: the local copy, or no image at all.
    text = _REMOTE_IMAGE.sub(
        lambda m: (
            f'<img{m.group(1)}src="{prefix}static/images/{m.group(2)}"'
            if (site / "static" / "images" / m.group(2)).exists()
            else f'<img{m.group(1)}alt=""'
        ),
        text,
    )
    # GX counts one folder too few for the favicon of validation pages: re-anchor them all.
    text = re.sub(r"""(href|src)=(["'])(?:\./|(?:\.\./)+)static/""", rf"\1=\2{prefix}static/", text)
    text = text.replace("<head>", "<head>\n" + _local_head(prefix), 1)
    page.write_text(text, encoding="utf-8")


def rules_table(results: Sequence[Mapping[str, Any]]) -> str:
    """The rules of one suite run: severity (blocking or warning), outcome, observed value."""
    rows = []
    for rule in sorted(results, key=lambda r: (r["severity"] != "error", r["success"], r["rule"])):
        label = SEVERITY_LABELS.get(rule["severity"], rule["severity"])
        outcome = "passed" if rule["success"] else "FAILED"
        rows.append(
            "<tr>"
            f'<td><span class="badge dq-{label}">{label}</span></td>'
            f'<td class="dq-{"passed" if rule["success"] else "failed"}">{outcome}</td>'
            f"<td><code>{html.escape(rule['rule'])}</code></td>"
            f"<td>{html.escape(rule['expectation'])}({html.escape(rule['column'] or '')})</td>"
            f"<td>{html.escape(str(rule['observed'] or ''))}</td>"
            "</tr>"
        )
    return (
        '<table class="table table-sm table-bordered dq-rules"><thead><tr>'
        "<th>severity</th><th>result</th><th>rule</th><th>expectation</th><th>observed</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _entry(run: SuiteRun, page: Path | None, site: Path) -> dict[str, Any]:
    return {
        "table": run.table,
        "run_id": run.run_id,
        "evaluated_at": run.evaluated_at.isoformat(),
        "rows": run.row_count,
        "page": os.path.relpath(page, site).replace(os.sep, "/") if page else None,
        "rules": [_rule(r) for r in run.results],
    }


def _rule(result: RuleResult) -> dict[str, Any]:
    return {
        "rule": result.expectation,
        "expectation": result.expectation_type,
        "column": result.column,
        "severity": result.severity,
        "success": result.success,
        "observed": result.observed_value,
    }


@contextmanager
def _locked(site: Path) -> Iterator[None]:
    """Check steps of concurrent runs may finish together: one ledger update at a time."""
    with (site / ".suites.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def finish_site(site: Path, runs: Sequence[SuiteRun], *, since: datetime) -> Path:
    """After GX rendered `runs` into `site` (each run's `data_docs_path` is its validation
    page), starting at `since`: record them, rewrite the index, add rule tables to their pages
    and make the pages written since then offline (older ones already are)."""
    pages = {
        run.suite: run.data_docs_path
        for run in runs
        if run.data_docs_path is not None and run.data_docs_path.exists()
    }
    _install_assets(site)
    with _locked(site):
        ledger_path = site / LEDGER
        ledger = json.loads(ledger_path.read_text()) if ledger_path.exists() else {}
        for run in runs:
            ledger[run.suite] = _entry(run, pages.get(run.suite), site)
        temporary = ledger_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(ledger, indent=1, sort_keys=True), encoding="utf-8")
        temporary.replace(ledger_path)
        (site / "index.html").write_text(_index(ledger), encoding="utf-8")
    for run in runs:
        page = pages.get(run.suite)
        if page is not None and page.exists():
            _add_rules(page, ledger[run.suite]["rules"])
    threshold = since.timestamp() - 1  # file times are coarser on some filesystems
    for page in site.rglob("*.html"):
        if page.stat().st_mtime >= threshold:
            make_offline(page, site)
    return site / "index.html"


def _add_rules(page: Path, rules: Sequence[Mapping[str, Any]]) -> None:
    text = page.read_text(encoding="utf-8")
    if "dq-rules" in text:
        return
    block = (
        '<div class="container-fluid mt-3 mb-3" id="dq-severity">'
        "<h4>Rules by severity</h4><p>A failed <b>blocking</b> rule fails its Dagster check "
        "and stops publishing; a <b>warning</b> is reported and never blocks.</p>"
        f"{rules_table(rules)}</div>"
    )
    text = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + block, text, count=1)
    page.write_text(text, encoding="utf-8")


def _index(ledger: Mapping[str, Mapping[str, Any]]) -> str:
    sections = []
    for suite in sorted(ledger, key=lambda s: (not s.startswith("raw_"), s)):
        entry = ledger[suite]
        rules = entry["rules"]
        blocking = sum(1 for r in rules if not r["success"] and r["severity"] == "error")
        warnings = sum(1 for r in rules if not r["success"] and r["severity"] != "error")
        status = (
            f'<span class="badge dq-blocking">{blocking} blocking failed</span>'
            if blocking
            else '<span class="badge badge-success">no blocking failure</span>'
        )
        if warnings:
            status += f' <span class="badge dq-warning">{warnings} warnings</span>'
        page = entry.get("page")
        details = f' · <a href="{html.escape(page)}">GX validation page</a>' if page else ""
        evaluated = datetime.fromisoformat(entry["evaluated_at"]).strftime("%Y-%m-%d %H:%M UTC")
        sections.append(
            f'<section class="mb-4" id="{html.escape(suite)}">'
            f"<h3>{html.escape(suite)} {status}</h3>"
            f"<p><code>{html.escape(entry['table'])}</code>: {entry['rows']} rows, evaluated "
            f"{evaluated}, run <code>{html.escape(entry['run_id'])}</code>{details}"
            f' · <a href="expectations/{html.escape(suite)}.html">suite</a></p>'
            f"{rules_table(rules)}</section>"
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Data quality: Great Expectations suites</title></head>"
        '<body><div class="container-fluid p-4"><h1>Data quality</h1>'
        "<p>The latest run of every Great Expectations suite the pipeline checks (raw streams "
        "before dbt, models after it). <b>Blocking</b> rules (severity <code>error</code>) "
        "stop publishing when they fail; <b>warnings</b> never block.</p>"
        + "".join(sections)
        + "</div></body></html>"
    )
