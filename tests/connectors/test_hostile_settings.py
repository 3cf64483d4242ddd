"""Settings and strings that reach places raw: checked at start, named when wrong, never
retried, never spliced into SQL or SOQL, secrets never shown."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from connectors.core.errors import ConfigurationError
from connectors.core.redact import redact
from connectors.landing.duckdb import DuckDBDestination
from connectors.registry import VENDORS
from connectors.run import close_readers, extract_stream
from connectors.settings import Settings
from dwh.postgres import connect as connect_postgres
from dwh.settings import WarehouseSettingError, WarehouseSettings

from .stub_server import serve
from .test_http_faults import SENTINEL, _sf_env, _sf_records, salesforce_stub

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("CONNECTORS_READ_TIMEOUT", "abc", "a number > 0"),
        ("CONNECTORS_MAX_ATTEMPTS", "2.5", "a whole number > 0"),
        ("GONG_CALLS_LOOKBACK_HOURS", "-5", "a number >= 0"),
        ("GONG_CALLS_RECONCILE_HOURS", "nan", "a number >= 0"),
        ("MARKETO_BASE_URL", "ftp://x", "an http(s) URL"),
        ("SALESFORCE_LOGIN_URL", "https://user:pw@login.salesforce.com", "without credentials"),
        ("CONNECTORS_QUARANTINE_MAX_SHARE", "2", "a share between 0 and 1"),
        ("MARKETO_PRIORITY_ACTIVITY_TYPES", "13;12", "separated by commas, or none"),
        ("MARKETO_PRIORITY_ACTIVITY_TYPES", "13,,0", "separated by commas, or none"),
    ],
)
def test_hostile_settings_are_checked_at_start_and_named(
    variable: str, value: str, expected: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        Settings({variable: value}).validate(VENDORS.values())
    assert variable in str(info.value) and expected in str(info.value)
    assert info.value.settings == (variable,)
    assert "pw" not in str(info.value)  # a URL with credentials is not echoed


def test_hostile_every_wrong_setting_is_named_in_one_error() -> None:
    with pytest.raises(ConfigurationError) as info:
        Settings({"CONNECTORS_READ_TIMEOUT": "x", "GONG_BASE_URL": "nope"}).validate(
            VENDORS.values()
        )
    assert set(info.value.settings) == {"CONNECTORS_READ_TIMEOUT", "GONG_BASE_URL"}


def test_hostile_cli_stops_on_a_wrong_setting_without_retrying(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CONNECTORS_READ_TIMEOUT": "garbage",
        "WAREHOUSE_PATH": str(tmp_path / "w.duckdb"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "connectors", "extract", "--source", "gong", "--quiet"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    message = " ".join(done.stderr.split())  # rich wraps long lines
    assert "CONNECTORS_READ_TIMEOUT must be a number > 0, not 'garbage'" in message
    assert not (tmp_path / "w.duckdb").exists()  # nothing was started


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"WAREHOUSE_TARGET": "snowflake"}, "WAREHOUSE_TARGET"),
        (
            {"WAREHOUSE_TARGET": "postgres", "WAREHOUSE_POSTGRES_DSN": "host=x"},
            "WAREHOUSE_POSTGRES_DSN",
        ),
        ({"WAREHOUSE_LOCK_TIMEOUT_SECONDS": "-1"}, "WAREHOUSE_LOCK_TIMEOUT_SECONDS"),
        ({"DBT_DUCKDB_MEMORY_LIMIT": "2GB'; drop table x; --"}, "DBT_DUCKDB_MEMORY_LIMIT"),
        ({"DBT_DUCKDB_THREADS": "4; drop table x"}, "DBT_DUCKDB_THREADS"),
        ({"DBT_DUCKDB_THREADS": "0"}, "DBT_DUCKDB_THREADS"),
        ({"DBT_THREADS": "many"}, "DBT_THREADS"),
        ({"WAREHOUSE_PUBLISH_MEMORY_LIMIT": "lots"}, "WAREHOUSE_PUBLISH_MEMORY_LIMIT"),
        ({"WAREHOUSE_PUBLISH_THREADS": "-2"}, "WAREHOUSE_PUBLISH_THREADS"),
    ],
)
def test_hostile_warehouse_settings_are_checked_and_named(
    env: dict[str, str], variable: str
) -> None:
    with pytest.raises(WarehouseSettingError) as info:
        WarehouseSettings.from_env(env)
    assert info.value.variable == variable and str(info.value).startswith(variable)


def test_duckdb_threads_default_is_capped_at_the_usable_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Unset, DBT_DUCKDB_THREADS is the default (4) but never more than the cores the process
    may use; a value set is taken as it is, and dbt gets the number either way."""
    import dwh.settings as settings

    assert 1 <= settings.usable_cores() <= (os.cpu_count() or 1)
    for cores, expected in ((2, 2), (1, 1), (16, 4)):
        monkeypatch.setattr(settings, "usable_cores", lambda cores=cores: cores)
        chosen = WarehouseSettings.for_duckdb("w.duckdb")
        assert chosen.dbt_duckdb_threads == expected
        assert chosen.dbt_env()["DBT_DUCKDB_THREADS"] == str(expected)
    set_by_hand = WarehouseSettings.for_duckdb("w.duckdb", DBT_DUCKDB_THREADS="8")
    assert set_by_hand.dbt_duckdb_threads == 8


@pytest.mark.postgres
def test_hostile_postgres_refusal_names_the_dsn_without_its_password() -> None:
    dsn = "postgresql://postgres:Hunter2-Secret@127.0.0.1:5432/no_such_database_here"
    with pytest.raises(WarehouseSettingError) as info:
        connect_postgres(dsn)
    assert info.value.variable == "WAREHOUSE_POSTGRES_DSN"
    assert "Hunter2-Secret" not in str(info.value) and "no_such_database_here" in str(info.value)


def test_hostile_describe_field_names_never_reach_soql(tmp_path: Path) -> None:
    stub = salesforce_stub(_sf_records(3))
    hostile_field = "Id FROM Account WHERE Name != null --"
    queries: list[str] = []
    real_query = stub.routes[("GET", "/services/data/v62.0/queryAll")]

    def describe(method, path, query, headers, body):  # type: ignore[no-untyped-def]
        fields = [{"name": n, "type": "string"} for n in ("Id", "Email", "SystemModstamp")]
        return 200, {}, {"fields": [*fields, {"name": hostile_field, "type": "string"}]}

    def query_all(method, path, query, headers, body):  # type: ignore[no-untyped-def]
        queries.append(query["q"][0])
        return real_query(method, path, query, headers, body)

    stub.route("GET", "/services/data/v62.0/sobjects/Lead/describe", describe)
    stub.route("GET", "/services/data/v62.0/queryAll", query_all)
    close_readers()
    with serve(stub):
        result = extract_stream(
            "salesforce", "lead", destination=DuckDBDestination(tmp_path / "w.duckdb"),
            run_id="r", env=_sf_env(stub),
        )  # fmt: skip
    close_readers()
    assert result.loaded == 3
    assert queries and all("Account" not in q and "--" not in q for q in queries)


def test_hostile_invalid_client_names_the_settings_to_fix(tmp_path: Path) -> None:
    close_readers()
    with serve(salesforce_stub(_sf_records(2))) as stub:
        env = {**_sf_env(stub), "SALESFORCE_CLIENT_SECRET": "Wrong-" + SENTINEL}
        with pytest.raises(ConfigurationError) as info:
            extract_stream(
                "salesforce", "lead", destination=DuckDBDestination(tmp_path / "w.duckdb"),
                run_id="r", env=env,
            )  # fmt: skip
    close_readers()
    assert "SALESFORCE_CLIENT_ID" in str(info.value)
    assert "SALESFORCE_CLIENT_SECRET" in str(info.value)
    assert SENTINEL not in str(info.value)


def test_hostile_webhook_url_and_dsn_passwords_are_redacted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "https://hooks.example.com/services/T000/B000/XyzSecretToken123"
    monkeypatch.setenv("PIPELINE_FAILURE_WEBHOOK_URL", url)
    text = redact(f"could not post to {url}; dsn postgresql://etl:PgPass-77@db:5432/w")
    assert "XyzSecretToken123" not in text and url not in text
    assert "PgPass-77" not in text
