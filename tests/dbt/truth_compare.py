"""Compare marts.kpi_long with truth.json's kpis, row by row (contracts 5.5, 5.6)."""

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

KpiKey = tuple[str, str, str, str, str]  # kpi, grain, key, period_grain, period_start
RATE_TOLERANCE = 1e-9
# Every KPI row of the warehouse, in the shape of the truth's keys.
KPI_QUERY = (
    "select kpi, grain, grain_key, period_grain, cast(period_start as varchar), value "
    "from marts.kpi_long"
)


@dataclass(frozen=True)
class Difference:
    key: KpiKey
    truth: float | None
    warehouse: float | None

    def __str__(self) -> str:
        kpi, grain, grain_key, period_grain, start = self.key
        return (
            f"{kpi:30} {grain:8} {grain_key:22} {period_grain:5} {start}  "
            f"truth={self.truth}  dbt={self.warehouse}"
        )


def truth_kpis(data_dir: Path) -> dict[KpiKey, float]:
    document = json.loads((data_dir / "truth.json").read_text(encoding="utf-8"))
    return {
        (row["kpi"], row["grain"], row["key"], row["period_grain"], row["period_start"]): float(
            row["value"]
        )
        for row in document["kpis"]
    }


def _equal(truth: float, warehouse: float) -> bool:
    # counts are integral and must match exactly; rates and means within 1e-9 (relative for
    # large sums such as revenue, whose float addition order differs)
    if truth.is_integer() and warehouse.is_integer():
        return truth == warehouse
    return math.isclose(truth, warehouse, rel_tol=RATE_TOLERANCE, abs_tol=RATE_TOLERANCE)


def compare(truth: dict[KpiKey, float], rows: Iterable[tuple]) -> list[Difference]:
    warehouse = {(k, g, key, p, str(start)): float(v) for k, g, key, p, start, v in rows}
    differences = [
        Difference(key, truth.get(key), warehouse.get(key))
        for key in sorted(truth.keys() | warehouse.keys())
        if key not in truth or key not in warehouse or not _equal(truth[key], warehouse[key])
    ]
    return differences


def report(differences: list[Difference], limit: int = 80) -> str:
    by_kpi: dict[str, int] = {}
    for difference in differences:
        by_kpi[difference.key[0]] = by_kpi.get(difference.key[0], 0) + 1
    lines = [f"{len(differences)} KPI rows differ; per kpi: {dict(sorted(by_kpi.items()))}"]
    lines += [str(d) for d in differences[:limit]]
    return "\n".join(lines)
