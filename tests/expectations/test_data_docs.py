"""GX Data Docs open offline, list the suites of both check steps, mark blocking vs warning."""

import json
import re
from pathlib import Path

import pandas as pd

from dwh.settings import WarehouseSettings
from expectations.data_docs import data_docs_index
from expectations.runner import run_suites
from expectations.suite_files import SUITES_DIR, load_suite
from tests.expectations.handoffs import clean_handoffs, write_table
from tests.expectations.test_runner import NOW, raw_leads

RAW_LEAD = load_suite(SUITES_DIR / "raw_salesforce__lead.yml")
HANDOFFS = load_suite(SUITES_DIR / "fct_handoffs.yml")
# Tags that make a browser fetch: nothing may come from another host.
FETCHED = re.compile(r"""<(?:link|script|img|iframe|source)\b[^>]*\b(?:href|src)=["']([^"']+)""")


def _two_check_steps(tmp_path: Path, handoffs: pd.DataFrame) -> tuple[Path, dict]:
    """The raw suites (before dbt), then the model suites (after), into one site."""
    warehouse, docs = tmp_path / "warehouse.duckdb", tmp_path / "docs"
    write_table(warehouse, raw_leads(), "raw.salesforce__lead")
    write_table(warehouse, handoffs, "marts.fct_handoffs")
    location = WarehouseSettings.for_duckdb(warehouse)
    runs = {}
    for suites in ([RAW_LEAD], [HANDOFFS]):
        for run in run_suites(location, suites, evaluated_at=NOW, data_docs_dir=docs):
            runs[run.suite] = run
    return docs, runs


def test_bi_compat_data_docs_are_offline_and_index_both_check_steps(tmp_path: Path) -> None:
    broken = clean_handoffs(60)
    broken.loc[:, "handoff_status"] = "unknown"  # an error rule fails: handoff_status_in_set
    broken.loc[:10, "contact_email"] = None  # a warning fails: contact_email_present
    docs, runs = _two_check_steps(tmp_path, broken)

    index = (docs / "index.html").read_text(encoding="utf-8")
    for suite in ("raw_salesforce__lead", "fct_handoffs"):  # the first step's suite stayed
        assert f'id="{suite}"' in index
        page = runs[suite].data_docs_path
        assert page is not None and page.exists() and data_docs_index(page) == docs / "index.html"
        assert page.relative_to(docs).as_posix() in index, "the index links the suite's page"
    ledger = json.loads((docs / "suites.json").read_text())
    assert set(ledger) == {"raw_salesforce__lead", "fct_handoffs"}

    pages = list(docs.rglob("*.html"))
    assert len(pages) >= 5  # index, two suite pages, two validation pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        remote = [url for url in FETCHED.findall(text) if re.match(r"^(https?:)?//", url)]
        assert not remote, f"{page.relative_to(docs)} loads {remote}"
        for url in FETCHED.findall(text):  # every local asset is in the site
            assert (page.parent / url.split("?")[0]).exists(), f"{page}: missing {url}"
    assert (docs / "static" / "offline" / "bootstrap.min.css").stat().st_size > 100_000

    handoffs_page = runs["fct_handoffs"].data_docs_path.read_text(encoding="utf-8")
    handoffs_section = index[index.index('id="fct_handoffs"') :]
    for text in (handoffs_section, handoffs_page):
        rows = re.findall(
            r"<tr><td><span class=\"badge dq-(\w+)\">\w+</span></td>"
            r"<td class=\"dq-\w+\">(\w+)</td><td><code>(\w+)</code>",
            text,
        )
        by_rule = {rule: (severity, outcome) for severity, outcome, rule in rows}
        assert by_rule["handoff_status_in_set"] == ("blocking", "FAILED")
        assert by_rule["contact_email_present"] == ("warning", "FAILED")
        assert by_rule["handoff_id_unique"] == ("blocking", "passed")
        assert len(by_rule) == len(HANDOFFS.rules)
    assert 'dq-blocking">1 blocking failed' in index


def test_bi_compat_data_docs_suite_page_notes_the_severity(tmp_path: Path) -> None:
    docs, _ = _two_check_steps(tmp_path, clean_handoffs(60))
    suite_page = (docs / "expectations" / "fct_handoffs.html").read_text(encoding="utf-8")
    assert "handoff_id_unique: <strong>blocking</strong>" in suite_page
    assert "contact_email_present: <strong>warning</strong>" in suite_page
