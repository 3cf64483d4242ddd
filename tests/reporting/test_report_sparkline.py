"""The reps' sparklines: SVG written directly (reporting/charts.py::sparkline)."""

import re
import xml.etree.ElementTree as ET

from reporting.charts import sparkline

SVG = "{http://www.w3.org/2000/svg}"


def _points(svg: str) -> list[list[tuple[float, float]]]:
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    return [
        [tuple(map(float, p.split(","))) for p in line.attrib["points"].split()]
        for line in root.iter(f"{SVG}polyline")
    ]


def test_report_sparkline_breaks_at_gaps_and_marks_the_last_value() -> None:
    svg = sparkline('sec-kpi-rep-"x"', [1.0, 2.0, None, 0.0, 4.0], "#123456")
    root = ET.fromstring(svg)  # noqa: S314 (our own output: well-formed, the name escaped)
    assert root.attrib["data-chart"] == 'sec-kpi-rep-"x"' and root.attrib["class"] == "chart-svg"
    runs = _points(svg)
    assert [len(run) for run in runs] == [2, 2]  # no line bridges the missing week
    ys = [y for run in runs for _, y in run]
    assert min(ys) == runs[1][1][1]  # 4.0 is the highest point (SVG y grows downwards)
    assert runs[1][0][1] == max(ys)  # 0.0 sits on the zero line
    (dot,) = root.iter(f"{SVG}circle")
    assert (float(dot.attrib["cx"]), float(dot.attrib["cy"])) == runs[1][1]
    assert dot.attrib["fill"] == "#123456"


def test_report_sparkline_without_values_still_draws_its_zero_line() -> None:
    svg = sparkline("empty", [None, None, None])
    assert _points(svg) == [] and "<circle" not in svg
    assert len(re.findall(r"<line ", svg)) == 1  # a chart the browser check sees as drawn
