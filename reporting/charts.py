"""Charts as inline SVG, drawn by matplotlib's SVG backend.

Why matplotlib: it is the best-kept plotting library on PyPI, draws server-side with no
browser, script or network, and its SVG keeps text as `<text>` (`svg.fonttype: none`), so
the page's fonts render Japanese and the charts stay small and print sharply. `Figure` is used
directly (no pyplot): no global state, safe in a Dagster step. Every chart gets its own id salt
so ids never clash when many SVGs share one page.
"""

import html
import io
import math
import re
import warnings
from collections.abc import Sequence

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from reporting.labels import format_value

# Fonts that have Japanese glyphs first (matplotlib falls back glyph by glyph among installed
# ones); the browser draws the text anyway, with the page's fonts.
# Only installed ones are named: matplotlib logs a warning per chart for each missing family.
FONTS = ("IPAGothic", "IPAexGothic", "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo")
INSTALLED = {font.name for font in font_manager.fontManager.ttflist}
STYLE = {
    "svg.fonttype": "none",
    "font.family": [*(f for f in FONTS if f in INSTALLED), "DejaVu Sans"],
    "font.size": 9,
    "axes.edgecolor": "#999999",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e5e5e5",
    "grid.linewidth": 0.6,
    "xtick.color": "#555555",
    "ytick.color": "#555555",
    "xtick.major.size": 0,
    "ytick.major.size": 0,
}
PREVIOUS_COLOUR = "#c8c8c8"
TARGET_COLOUR = "#333333"
Values = Sequence[float | None]


def _svg(fig: Figure, name: str) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": name}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"(?s).*[Gg]lyph .* missing from font")
        warnings.filterwarnings("ignore", message=r"findfont: Font family .* not found")
        fig.savefig(
            buffer, format="svg", metadata={"Date": None}, bbox_inches="tight", pad_inches=0.05
        )
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # no XML prolog or DOCTYPE inside HTML
    # Scales with its box: width 100 % of the figure it sits in, height from the viewBox.
    text = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r"<svg\1", text, count=1)
    return text.replace("<svg", f'<svg class="chart-svg" data-chart="{name}" role="img"', 1)


def _figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(width, height), dpi=72)


def _value_axis(axis, fmt: str) -> None:  # type: ignore[no-untyped-def]
    axis.set_major_formatter(FuncFormatter(lambda v, _: format_value(v, fmt)))
    axis.set_major_locator(MaxNLocator(nbins=4, integer=fmt in ("int",), min_n_ticks=2))
    data = axis.axes.dataLim
    high = data.x1 if axis.axis_name == "x" else data.y1
    if not math.isfinite(high) or high <= 0:  # nothing above zero: a 0-1 scale, not "0 0 0 0"
        axis.set_view_interval(0, 1, ignore=True)


def _gaps(values: Values) -> list[float]:
    """None as NaN: matplotlib breaks the line there instead of bridging the gap."""
    return [float("nan") if v is None else v for v in values]


def line_chart(
    name: str,
    periods: Sequence[str],
    series: Sequence[tuple[str, Values]],
    fmt: str,
    colours: dict[str, str],
    *,
    partial_last: bool = False,
) -> str:
    """One line per series (key, values aligned with `periods`; None = no value, a gap). The
    last period is dotted when it is still running."""
    with matplotlib.rc_context(STYLE):
        fig = _figure(4.2, 1.75)
        ax = fig.add_subplot()
        xs = list(range(len(periods)))
        closed = len(xs) - 1 if partial_last else len(xs)
        for key, values in series:
            colour = colours.get(key, "#777777")
            ys = _gaps(values)
            ax.plot(
                xs[:closed], ys[:closed], color=colour, linewidth=1.6, marker="o", markersize=2.5
            )
            if partial_last and len(xs) > 1:
                ax.plot(xs[-2:], ys[-2:], color=colour, linewidth=1.2, linestyle=":")
                ax.plot(
                    xs[-1:],
                    ys[-1:],
                    color=colour,
                    marker="o",
                    markersize=2.5,
                    markerfacecolor="white",
                )
        step = max(1, len(periods) // 6)
        ax.set_xticks(xs[::step], [periods[i] for i in xs[::step]])
        ax.set_xlim(-0.3, len(periods) - 0.7)
        ax.set_ylim(bottom=0)
        _value_axis(ax.yaxis, fmt)
        return _svg(fig, name)


def funnel_chart(
    name: str,
    stages: Sequence[str],
    current: Sequence[int],
    previous: Sequence[int],
    highlight: int | None,
) -> str:
    """Horizontal bars of persons entering each stage; the previous period as a grey bar
    behind; the bottleneck step's stage in the accent colour."""
    with matplotlib.rc_context(STYLE):
        fig = _figure(4.6, 0.32 * len(stages) + 0.5)
        ax = fig.add_subplot()
        ys = list(range(len(stages)))[::-1]
        ax.barh(ys, previous, height=0.8, color=PREVIOUS_COLOUR, label="previous")
        colours = ["#d62728" if i == highlight else "#1f77b4" for i in range(len(stages))]
        ax.barh(ys, current, height=0.5, color=colours, label="current")
        top = max([*current, *previous, 1])
        for y, value in zip(ys, current, strict=True):
            ax.text(value + top * 0.01, y, f"{value:,}", va="center", fontsize=8, color="#222222")
        ax.set_yticks(ys, stages)
        ax.set_xlim(0, top * 1.12)
        ax.grid(axis="y", visible=False)
        _value_axis(ax.xaxis, "int")
        return _svg(fig, name)


def bar_chart(
    name: str,
    categories: Sequence[str],
    current: Values,
    previous: Values | None,
    fmt: str,
    colour: str = "#1f77b4",
    *,
    horizontal: bool = False,
) -> str:
    """Bars per category, with the previous period's as a grey bar beside (or behind)."""
    with matplotlib.rc_context(STYLE):
        count = len(categories)
        fig = _figure(4.6, 0.26 * count + 0.5) if horizontal else _figure(4.6, 1.9)
        ax = fig.add_subplot()
        positions = list(range(count))
        now = [v or 0 for v in current]
        if horizontal:
            positions = positions[::-1]
            if previous is not None:
                ax.barh(positions, [v or 0 for v in previous], height=0.8, color=PREVIOUS_COLOUR)
            ax.barh(positions, now, height=0.5, color=colour)
            ax.set_yticks(positions, categories)
            ax.grid(axis="y", visible=False)
            _value_axis(ax.xaxis, fmt)
        else:
            width = 0.38 if previous is not None else 0.6
            if previous is not None:
                ax.bar(
                    [p - width / 2 for p in positions],
                    [v or 0 for v in previous],
                    width=width,
                    color=PREVIOUS_COLOUR,
                )
            shift = width / 2 if previous is not None else 0
            ax.bar([p + shift for p in positions], now, width=width, color=colour)
            ax.set_xticks(positions, categories)
            ax.grid(axis="x", visible=False)
            _value_axis(ax.yaxis, fmt)
        return _svg(fig, name)


def goal_chart(
    name: str,
    months: Sequence[str],
    actual: Values,
    target: Values,
    fmt: str,
    *,
    cumulative: bool = False,
) -> str:
    """Actual per month as bars against the month's target (dashed), or, cumulative,
    the year to date as a line against the target to date (dashed)."""
    with matplotlib.rc_context(STYLE):
        fig = _figure(4.6, 1.9)
        ax = fig.add_subplot()
        xs = list(range(len(months)))
        dashed = {"color": TARGET_COLOUR, "linewidth": 1.2, "linestyle": "--"}
        if cumulative:
            ax.plot(xs, _gaps(actual), color="#1f77b4", linewidth=1.8, marker="o", markersize=2.5)
            ax.plot(xs, _gaps(target), **dashed)
        else:
            ax.bar(xs, [v or 0 for v in actual], width=0.6, color="#1f77b4")
            marks = [(x, v) for x, v in zip(xs, target, strict=True) if v is not None]
            if marks:  # each month's target across its bar
                ax.hlines(
                    [v for _, v in marks],
                    [x - 0.4 for x, _ in marks],
                    [x + 0.4 for x, _ in marks],
                    **dashed,
                )
        step = max(1, len(months) // 6)
        ax.set_xticks(xs[::step], [months[i] for i in xs[::step]])
        ax.set_ylim(bottom=0)
        ax.grid(axis="x", visible=False)
        _value_axis(ax.yaxis, fmt)
        return _svg(fig, name)


def sparkline(name: str, values: Values, colour: str = "#1f77b4") -> str:
    """A rep's weekly trend: one SVG polyline per unbroken run of values over a zero line, the
    last value a dot, scaled from zero to the highest value. Written directly, not drawn by
    matplotlib: a report has one per rep and KPI (hundreds), ~11 ms each as a matplotlib
    figure against ~0.02 ms as this string."""
    width, height, pad = 94.0, 23.0, 2.5
    top = max((v for v in values if v is not None and math.isfinite(v)), default=0.0)
    scale = (height - 2 * pad) / top if top > 0 else 0.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def point(index: int, value: float) -> tuple[float, float]:
        return pad + index * step, height - pad - max(value, 0.0) * scale

    runs: list[list[tuple[float, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None or not math.isfinite(value):
            runs.append([])  # a gap breaks the line instead of bridging it
        else:
            runs[-1].append(point(index, value))
    floor = height - pad
    shapes = [f'<line x1="{pad}" y1="{floor}" x2="{width - pad}" y2="{floor}" stroke="#e5e5e5"/>']
    shapes += [
        f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in run)}" fill="none" '
        f'stroke="{colour}" stroke-width="1.2" stroke-linejoin="round" stroke-linecap="round"/>'
        for run in runs
        if len(run) > 1
    ]
    last = [run[-1] for run in runs if run][-1:]
    shapes += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.6" fill="{colour}"/>' for x, y in last]
    return (
        f'<svg class="chart-svg" data-chart="{html.escape(name, quote=True)}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}">'
        f"{''.join(shapes)}</svg>"
    )
