"""Retries, token refresh and vendor conventions against a scripted stub server."""

import base64
import json
import logging
from datetime import UTC, datetime

import duckdb
import pytest

from connectors.core.errors import QuotaExhaustedError, VendorError
from connectors.landing.duckdb import DuckDBDestination
from connectors.run import close_readers, extract_stream

from .stub_server import Stub, serve

SENTINEL = "Sentinel-Secret-9f3e2a"
ENV_FAST = {"CONNECTORS_BACKOFF_MAX": "0.05", "CONNECTORS_READ_TIMEOUT": "3"}


@pytest.fixture(autouse=True)
def _fresh_readers():
    close_readers()
    yield
    close_readers()


def _sf_records(n: int) -> list[dict]:
    return [
        {
            "attributes": {"type": "Lead"},
            "Id": f"00Q{i:05d}",
            "Email": f"p{i}@example.com",
            "SystemModstamp": f"2026-01-{1 + i // 10:02d}T00:00:{i % 60:02d}.000+0000",
            "IsDeleted": i == 3,
        }
        for i in range(n)
    ]


def salesforce_stub(records: list[dict], page: int = 4) -> Stub:
    stub = Stub()
    tokens: list[str] = []

    def token(method, path, query, headers, body):
        form = {
            k: v[0] for k, v in __import__("urllib.parse").parse.parse_qs(body.decode()).items()
        }
        if form.get("client_secret") != SENTINEL:
            return 400, {}, {"error": "invalid_client", "error_description": "bad secret"}
        tokens.append(f"tok{len(tokens)}-00D.abcdef")
        return 200, {}, {"access_token": tokens[-1], "instance_url": stub.base_url}

    def authed(headers) -> bool:
        return bool(tokens) and headers.get("Authorization") == f"Bearer {tokens[-1]}"

    def describe(method, path, query, headers, body):
        fields = [
            {"name": n, "type": "string"} for n in ("Id", "Email", "SystemModstamp", "IsDeleted")
        ]
        return 200, {"Sforce-Limit-Info": "api-usage=5/1000"}, {"fields": fields}

    def query_page(offset: int):
        chunk = records[offset : offset + page]
        body = {"totalSize": len(records), "done": offset + page >= len(records), "records": chunk}
        if not body["done"]:
            body["nextRecordsUrl"] = f"/services/data/v62.0/query/LOC-{offset + page}"
        return 200, {"Sforce-Limit-Info": "api-usage=6/1000"}, body

    def query_all(method, path, query, headers, body):
        if not authed(headers):
            return (
                401,
                {},
                [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
            )
        assert "ORDER BY SystemModstamp ASC, Id ASC" in query["q"][0]
        return query_page(0)

    stub.route("POST", "/services/oauth2/token", token)
    stub.route("GET", "/services/data/v62.0/sobjects/Lead/describe", describe)
    stub.route("GET", "/services/data/v62.0/queryAll", query_all)
    for offset in range(page, len(records), page):
        stub.route(
            "GET",
            f"/services/data/v62.0/query/LOC-{offset}",
            lambda *a, o=offset: (
                query_page(o)
                if authed(a[3])
                else (401, {}, [{"message": "expired", "errorCode": "INVALID_SESSION_ID"}])
            ),
        )
    stub.tokens = tokens  # type: ignore[attr-defined]
    return stub


def _sf_env(stub: Stub) -> dict[str, str]:
    # The stub answers REST queries only (no COUNT(), no Bulk API 2.0).
    return {
        "SALESFORCE_LOGIN_URL": stub.base_url,
        "SALESFORCE_CLIENT_SECRET": SENTINEL,
        "SALESFORCE_BULK": "never",
        **ENV_FAST,
    }


def _count(path, table: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"SELECT count(DISTINCT id) FROM raw.{table}").fetchall()[0][0]
    finally:
        con.close()


def test_salesforce_survives_5xx_truncation_expired_token_and_limit(tmp_path, caplog) -> None:
    caplog.set_level(logging.INFO)
    records = _sf_records(10)
    with serve(salesforce_stub(records)) as stub:
        stub.fail_next("GET", "/services/data/v62.0/queryAll", (503, {}, b"unavailable"))
        stub.fail_next(
            "GET",
            "/services/data/v62.0/query/LOC-4",
            (200, {"Content-Length": "5000"}, b'{"totalSize": 1'),
        )
        stub.fail_next(
            "GET",
            "/services/data/v62.0/query/LOC-8",
            (401, {}, [{"message": "Session expired", "errorCode": "INVALID_SESSION_ID"}]),
            (
                403,
                {"Retry-After": "0"},
                [{"message": "TotalRequests", "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
            ),
        )
        dest = DuckDBDestination(tmp_path / "w.duckdb")
        result = extract_stream(
            "salesforce", "lead", destination=dest, run_id="r1", env=_sf_env(stub)
        )
        assert (result.records_sent, result.loaded, result.quarantined) == (10, 10, 0)
        assert result.pages == 3
        assert len(stub.tokens) == 2  # the expired session was replaced once
        assert _count(tmp_path / "w.duckdb", "salesforce__lead") == 10
        assert result.cursor_after == "2026-01-01T00:00:09.000000Z"
        # Second run asks from the cursor with >= (the boundary record is re-read, nothing else).
        stub.route(
            "GET",
            "/services/data/v62.0/queryAll",
            lambda m, p, q, h, b: (
                (200, {}, {"totalSize": 1, "done": True, "records": records[-1:]})
                if "SystemModstamp >= 2026-01-01T00:00:09Z" in q["q"][0]
                else (400, {}, [{"errorCode": "MALFORMED_QUERY", "message": q["q"][0]}])
            ),
        )
        again = extract_stream(
            "salesforce", "lead", destination=dest, run_id="r2", env=_sf_env(stub)
        )
        assert (again.records_sent, again.requests) == (1, 1)
    for record in caplog.records:
        assert SENTINEL not in record.getMessage()
        assert "tok0-00D.abcdef" not in record.getMessage()
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    dump = json.dumps(con.execute("SELECT * FROM raw.salesforce__lead").fetchall(), default=str)
    dump += json.dumps(con.execute("SELECT * FROM meta.stream_state").fetchall(), default=str)
    con.close()
    assert SENTINEL not in dump and "tok0" not in dump


def test_salesforce_bad_credentials_error_is_redacted(tmp_path) -> None:
    with serve(salesforce_stub(_sf_records(2))) as stub:
        env = {**_sf_env(stub), "SALESFORCE_CLIENT_SECRET": "Wrong-" + SENTINEL}
        with pytest.raises(VendorError) as info:
            extract_stream(
                "salesforce", "lead", destination=DuckDBDestination(tmp_path / "w.duckdb"),
                run_id="r", env=env,
            )  # fmt: skip
    assert SENTINEL not in str(info.value)
    assert "invalid_client" in str(info.value)


def test_salesforce_refuses_to_spend_past_daily_quota(tmp_path) -> None:
    with serve(salesforce_stub(_sf_records(10))) as stub:
        stub.fail_next(
            "GET",
            "/services/data/v62.0/sobjects/Lead/describe",
            (200, {"Sforce-Limit-Info": "api-usage=1000/1000"}, {"fields": [{"name": "Id"}]}),
        )
        with pytest.raises(QuotaExhaustedError):
            extract_stream(
                "salesforce", "lead", destination=DuckDBDestination(tmp_path / "w.duckdb"),
                run_id="r", env=_sf_env(stub),
            )  # fmt: skip


def gong_stub(calls: int) -> Stub:
    stub = Stub()
    expected = "Basic " + base64.b64encode(f"k-gong:{SENTINEL}".encode()).decode()
    data = [
        {"id": str(1000 + i), "started": f"2026-02-01T00:{i:02d}:00Z", "direction": "Outbound"}
        for i in range(calls)
    ]

    def extensive(method, path, query, headers, body):
        assert headers.get("Authorization") == expected
        request = json.loads(body)
        chosen = [c for c in data if c["started"] >= request["filter"]["fromDateTime"]]
        if not chosen:
            return (
                404,
                {},
                {"requestId": "x", "errors": ["No calls found for the specified period"]},
            )
        start = int(request.get("cursor") or 0)
        page = [
            {"metaData": c, "parties": [{"emailAddress": "x@y.jp"}]}
            for c in chosen[start : start + 2]
        ]
        records = {"totalRecords": len(chosen), "currentPageSize": len(page)}
        if start + 2 < len(chosen):
            records["cursor"] = str(start + 2)
        return 200, {}, {"requestId": "r", "records": records, "calls": page}

    stub.route("POST", "/v2/calls/extensive", extensive)
    return stub


def test_gong_honours_retry_after_and_treats_404_as_empty(tmp_path) -> None:
    with serve(gong_stub(5)) as stub:
        stub.fail_next(
            "POST",
            "/v2/calls/extensive",
            (429, {"Retry-After": "1"}, {"requestId": "r", "errors": ["slow"]}),
        )
        env = {
            "GONG_BASE_URL": stub.base_url,
            "GONG_ACCESS_KEY": "k-gong",
            "GONG_ACCESS_KEY_SECRET": SENTINEL,
            "CONNECTORS_RATE_SCALE": "20",
            **ENV_FAST,
        }
        dest = DuckDBDestination(tmp_path / "w.duckdb")
        started = datetime.now(UTC)
        result = extract_stream("gong", "calls", destination=dest, run_id="r1", env=env)
        assert (datetime.now(UTC) - started).total_seconds() >= 1.0  # waited as told
        assert (result.records_sent, result.loaded, result.pages) == (5, 5, 3)
        assert result.cursor_after == "2026-02-01T00:04:00.000000Z"
        stub.routes[("POST", "/v2/calls/extensive")] = lambda *a: (
            404, {}, {"requestId": "r", "errors": ["No calls found for the specified period"]}
        )  # fmt: skip
        empty = extract_stream("gong", "calls", destination=dest, run_id="r2", env=env)
        assert (empty.records_sent, empty.cursor_after) == (0, result.cursor_after)
