"""Ask MetricFlow's engine (what `mf query` runs) a list of queries; print the results as JSON.

    python query_semantic_layer.py PROJECT_DIR PROFILES_DIR QUERIES_JSON

PROJECT_DIR is a dbt project whose target/semantic_manifest.json is current (dbt parse or
build), PROFILES_DIR holds profiles.yml; the warehouse comes from the environment as for dbt.
Each query is {"metrics": [...], "group_by": [...]} or {"saved_query": "name"}; each result is
{"columns": [...], "rows": [[...], ...]} with dates as ISO text and decimals as floats.
A separate process: dbt and MetricFlow keep global state that must not leak into pytest.
"""

import datetime
import decimal
import json
import sys
from pathlib import Path


def _plain(value: object) -> object:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def run(project: Path, profiles: Path, queries: list[dict]) -> list[dict]:
    from dbt_metricflow.cli.cli_configuration import CLIConfiguration
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

    config = CLIConfiguration()
    config.setup(dbt_profiles_path=profiles, dbt_project_path=project)
    results = []
    for query in queries:
        request = MetricFlowQueryRequest.create(
            saved_query_name=query.get("saved_query"),
            metric_names=query.get("metrics"),
            group_by_names=query.get("group_by"),
        )
        table = config.mf.query(request).result_df
        assert table is not None
        results.append(
            {
                "columns": list(table.column_names),
                "rows": [[_plain(value) for value in row] for row in table.rows],
            }
        )
    return results


if __name__ == "__main__":
    project_dir, profiles_dir, queries_json = sys.argv[1:4]
    print(json.dumps(run(Path(project_dir), Path(profiles_dir), json.loads(queries_json))))
