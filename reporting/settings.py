"""Where the report is written: `FUNNEL_REPORT_PATH`, by default `report/funnel.html` beside
the published copy (so it moves with `WAREHOUSE_PUBLISHED_PATH`). Checked at start; a wrong
value is a `WarehouseSettingError` naming the variable, never retried."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dwh.settings import WarehouseSettingError, WarehouseSettings, resolve_path

VARIABLE = "FUNNEL_REPORT_PATH"
DEFAULT_RELATIVE = Path("report") / "funnel.html"


@dataclass(frozen=True)
class ReportSettings:
    path: Path

    @classmethod
    def from_env(
        cls, warehouse: WarehouseSettings, env: Mapping[str, str] | None = None
    ) -> "ReportSettings":
        source = os.environ if env is None else env
        value = source.get(VARIABLE) or ""
        if not value:
            return cls(path=warehouse.published_path.parent / DEFAULT_RELATIVE)
        if not value.strip() or "\x00" in value:
            raise WarehouseSettingError(VARIABLE, f"expected a file path, not {value!r}")
        path = resolve_path(value.strip())
        if path.suffix.lower() not in (".html", ".htm"):
            raise WarehouseSettingError(
                VARIABLE, f"expected an .html file (the report is one web page), not {value!r}"
            )
        if path.is_dir():
            raise WarehouseSettingError(VARIABLE, f"{path} is a directory; name the .html file")
        if path in (warehouse.path, warehouse.published_path):
            raise WarehouseSettingError(VARIABLE, f"{path} is the warehouse itself")
        return cls(path=path)
