"""Look at a report as a person would: headless Chromium opens the file, and we keep what a
person would notice (a screenshot, drawn charts, console errors) and what they would not (any
network request the page makes). Used by the demo and the report tests.

Playwright drives the system's Chromium (Debian's `chromium`); it never downloads a browser.
Flags as this machine needs them: no sandbox as root, no GPU, no background networking.
"""

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What a chart looks like once drawn: an SVG with a visible box and shapes inside it.
DRAWN_CHARTS = """() => Array.from(document.querySelectorAll('svg.chart-svg')).map(svg => {
  const box = svg.getBoundingClientRect();
  const marks = Array.from(svg.querySelectorAll('path, rect, line, polyline, use'))
    .filter(m => { const b = m.getBoundingClientRect(); return b.width > 0 || b.height > 0; });
  return {name: svg.dataset.chart, width: box.width, height: box.height, marks: marks.length};
})"""


class BrowserUnavailable(RuntimeError):
    """No Chromium on this machine, or Playwright is not installed."""


@dataclass
class PageLook:
    screenshot: Path
    title: str
    charts: list[dict] = field(default_factory=list)  # name, width, height, marks
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    page_height: int = 0

    @property
    def blank_charts(self) -> list[str]:
        return [
            c["name"]
            for c in self.charts
            if not (c["width"] > 0 and c["height"] > 0 and c["marks"] > 0)
        ]


def chromium_path() -> str:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailable(
        "no Chromium found (apt-get install chromium, as .ci/run does); looked for "
        + ", ".join(CHROMIUM_CANDIDATES)
    )


def look_at(
    page_file: Path,
    screenshot: Path,
    *,
    width: int = 1366,
    height: int = 900,
    pdf: Path | None = None,
) -> PageLook:
    """Open `page_file` at a laptop's screen size, wait until it has loaded, take a full-page
    screenshot (and, given `pdf`, print it as the browser would) and report what it did."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # the dev extra brings it
        raise BrowserUnavailable("playwright is not installed (pip install -e '.[dev]')") from exc
    executable = chromium_path()
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile,
        sync_playwright() as pw,
    ):
        try:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=executable,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": width, "height": height},
                timeout=60_000,
            )
        except PlaywrightError as exc:
            raise BrowserUnavailable(f"{executable} did not start: {exc}") from exc
        try:
            page = context.new_page()
            look = PageLook(screenshot=screenshot, title="")
            page.on("request", lambda request: look.requests.append(request.url))
            page.on(
                "console",
                lambda message: (
                    look.console_errors.append(message.text) if message.type == "error" else None
                ),
            )
            page.on("pageerror", lambda error: look.console_errors.append(str(error)))
            page.goto(page_file.resolve().as_uri(), wait_until="load", timeout=60_000)
            page.wait_for_load_state("networkidle", timeout=30_000)
            look.title = page.title()
            look.charts = page.evaluate(DRAWN_CHARTS)
            look.page_height = int(page.evaluate("() => document.documentElement.scrollHeight"))
            page.screenshot(path=str(screenshot), full_page=True, timeout=60_000)
            if pdf is not None:  # the page's own print CSS: @page size and margins
                page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        finally:
            context.close()
    return look
