"""A BI tool in a separate process: query the published copy read-only in a loop.

Usage: python -m tests.reliability.bi_reader PUBLISHED_PATH REPORT_JSON STOP_FILE

Until STOP_FILE exists it opens the published copy with read_only=True, checks that it is
consistent (one _publish_info row, as many mart tables as it announces, KPIs readable) and
records every error. The report lists queries, errors (with messages) and the run ids seen.
A missing file is counted apart (before the first publish there is nothing to read).
"""

import json
import sys
import time
from pathlib import Path

from .support import published_state


def main(published: Path, report: Path, stop_file: Path) -> int:
    queries = 0
    missing = 0
    errors: list[str] = []
    run_ids: list[str] = []
    while not stop_file.exists():
        if not published.exists():
            missing += 1
            time.sleep(0.05)
            continue
        try:
            run_id, _ = published_state(published)
            queries += 1
            if not run_ids or run_ids[-1] != run_id:
                run_ids.append(run_id)
        except Exception as error:  # every failure is a finding, whatever its type
            errors.append(f"{type(error).__name__}: {error}")
        time.sleep(0.02)
    report.write_text(
        json.dumps({"queries": queries, "missing": missing, "errors": errors, "run_ids": run_ids})
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])))
