"""The benchmark scenarios (issue 7): a extraction contenders, b growth, c 1% re-run,
d peak RSS (collected by a, b, c, e), e throttled sandbox; and of issue 21: f first-load
quota, bulk against REST, m extraction memory, q Marketo's first load day by day."""

import math
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.measure import NOT_MEASURED, alternate, measured, summarise
from bench.worlds import world
from connectors.registry import STREAMS
from sandbox.remote import RemoteSandbox, serving

WORK_DIR = Path(__file__).resolve().parent / ".work"
UNTHROTTLED_RATE_SCALE = "1000"  # the client limiter must not be what scenario a/b measure
# b, c and m measure the time and memory of the whole world. At 1M leads its Marketo Bulk
# Extract files (~2.2 GB) pass the default 500 MB a day, so the connectors rightly stop after
# the day's allowance and go on the next vendor day (f measures that with the default quotas);
# these scenarios run as a subscription whose export allowance holds the world.
WHOLE_WORLD_ALLOWANCE = {"MARKETO_DAILY_EXPORT_MB": str(10**6)}
PAGE_SIZE = {"salesforce": 2000, "marketo": 300, "gong": 100}
ALL_STREAMS = {f"{source}.{s.name}" for source, specs in STREAMS.items() for s in specs}


def _summary(values: list[float]) -> dict[str, Any]:
    return asdict(summarise(values))


@contextmanager
def sandbox(data_dir: Path, **options: Any) -> Iterator[RemoteSandbox]:
    """The fakes in their own process: they share neither the GIL nor the RSS of the client."""
    with serving(data_dir, **options) as sb:
        NOT_MEASURED.add(sb.pid)
        try:
            yield sb
        finally:
            NOT_MEASURED.discard(sb.pid)


def _timed(run: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    def wrapped() -> dict[str, Any]:
        with measured() as sample:
            sample.update(run())
        return sample

    return wrapped


# -- a: extraction ------------------------------------------------------------------------
def extraction(leads: int, seed: int, reps: int, with_dlt: bool) -> dict[str, Any]:
    from bench.contenders import dlt_rest, ours, raw

    data_dir, _ = world(leads, seed)
    workdir = WORK_DIR / f"a-{leads}"
    workdir.mkdir(parents=True, exist_ok=True)
    # dlt's rest_api cannot batch Marketo lead ids per page; compare the same set everywhere.
    compared = ALL_STREAMS - dlt_rest.UNSUPPORTED if with_dlt else set(ALL_STREAMS)
    with sandbox(data_dir) as sb:
        env = {**sb.env, "CONNECTORS_RATE_SCALE": UNTHROTTLED_RATE_SCALE}
        contenders: dict[str, Callable[[], dict[str, Any]]] = {
            "raw": _timed(lambda: raw.extract(env, compared)),
            "ours": _timed(lambda: ours.extract(env, workdir / "ours.duckdb", compared)),
        }
        if with_dlt:
            contenders["dlt_default"] = _timed(
                lambda: dlt_rest.extract(
                    env, workdir / "dlt_default.duckdb", tuned=False, streams=compared
                )
            )
            contenders["dlt_tuned"] = _timed(
                lambda: dlt_rest.extract(
                    env, workdir / "dlt_tuned.duckdb", tuned=True, streams=compared
                )
            )
        runs = alternate(contenders, reps)
    shutil.rmtree(workdir, ignore_errors=True)
    out: dict[str, Any] = {"compared_streams": sorted(compared), "contenders": {}}
    for name, samples in runs.items():
        for sample in samples:
            sample["total_records"] = sum(sample["records"].values())
            sample["records_per_s"] = sample["total_records"] / sample["seconds"]
        out["contenders"][name] = {
            "records": samples[-1]["total_records"],
            "records_by_stream": samples[-1]["records"],
            "records_per_s": _summary([s["records_per_s"] for s in samples]),
            "seconds": _summary([s["seconds"] for s in samples]),
            "peak_rss_mb": _summary([s["peak_rss_mb"] for s in samples]),
            "rss_growth_mb": _summary([s["rss_growth_mb"] for s in samples]),
            "requests": samples[-1].get("requests"),
        }
    counts = {name: c["records"] for name, c in out["contenders"].items()}
    out["same_record_set"] = len(set(counts.values())) == 1
    out["record_counts"] = counts
    speed = {name: c["records_per_s"]["median"] for name, c in out["contenders"].items()}
    out["ratios"] = {
        f"ours/{other}": speed["ours"] / speed[other] for other in speed if other != "ours"
    }
    return out


# -- b + c: whole pipeline, then a re-run after 1% of records changed ----------------------
def _mutation_plan(data_dir: Path) -> dict[str, dict[str, int]]:
    """1% of each source's mutable records: 80% modified, 10% deleted, 10% created."""
    import json

    files = json.loads((data_dir / "manifest.json").read_text())["files"]
    base = {
        "salesforce": sum(
            n
            for f, n in files.items()
            if f.split("/")[-1].split(".")[0]
            in ("Account", "Contact", "Lead", "Opportunity", "Task", "Event")
        ),
        "marketo": files.get("marketo/leads.jsonl", 0),
        "gong": files.get("gong/calls.jsonl", 0),
    }
    plan = {}
    for source, total in base.items():
        changed = max(1, round(total * 0.01))
        delete = create = max(0, round(changed * 0.1))
        plan[source] = {"modify": changed - delete - create, "delete": delete, "create": create}
    return plan


def _changed_per_stream(touched: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Records each stream must re-read after the mutation (what an ideal client fetches)."""
    by_endpoint = {s.endpoint: s.name for s in STREAMS["salesforce"]}
    changed: dict[str, int] = {}
    for sobject, ids in touched["salesforce"].items():
        name = by_endpoint.get(sobject, sobject)
        changed[f"salesforce.{name}"] = sum(len(v) for v in ids.values())
    marketo = touched["marketo"]
    marketo = marketo.get("leads", marketo) if "modified" not in marketo else marketo
    changed["marketo.leads"] = len(marketo["modified"]) + len(marketo["created"])
    changed["marketo.activities"] = changed["marketo.leads"]  # one type 12/13 activity each
    changed["marketo.deleted_leads"] = len(marketo["deleted"])
    gong = touched["gong"]
    gong = gong.get("calls", gong) if "modified" not in gong else gong
    changed["gong.calls"] = sum(len(v) for v in gong.values())
    return changed


def _minimum_calls(changed: dict[str, int]) -> int:
    """One call per stream at least (to learn there is nothing new), else ceil(changed/page)."""
    total = 0
    for stream in sorted(ALL_STREAMS):
        source = stream.split(".")[0]
        total += max(1, math.ceil(changed.get(stream, 0) / PAGE_SIZE[source]))
    return total


def pipeline(leads: int, seed: int, reps: int, with_rerun: bool) -> dict[str, Any]:
    from bench.pipeline import pipeline_env, reset_warehouse, run_full_pipeline

    data_dir, _ = world(leads, seed)
    workdir = WORK_DIR / f"b-{leads}"
    full_runs: list[dict[str, Any]] = []
    reruns: list[dict[str, Any]] = []
    plan = _mutation_plan(data_dir)
    for rep in range(reps):
        # A fresh sandbox per repetition: mutations live in the fakes' memory.
        with (
            sandbox(data_dir) as sb,
            pipeline_env(workdir, {**sb.env, **WHOLE_WORLD_ALLOWANCE}, UNTHROTTLED_RATE_SCALE),
        ):
            reset_warehouse(workdir)
            with measured() as sample:
                sample.update(run_full_pipeline())
            sample["http_calls"] = {s: sb.stats(s)["total"] for s in PAGE_SIZE}
            full_runs.append(sample)
            if not with_rerun:
                continue
            touched = {
                source: sb.mutate(source, seed=seed + rep, **counts)
                for source, counts in plan.items()
            }
            sb.reset_stats()
            with measured() as again:
                again.update(run_full_pipeline())
            stats = {s: sb.stats(s) for s in PAGE_SIZE}
            changed = _changed_per_stream(touched)
            again["changed_records"] = changed
            again["http_calls"] = {s: st["total"] for s, st in stats.items()}
            again["http_calls_by_endpoint"] = {s: st["requests"] for s, st in stats.items()}
            again["minimum_calls"] = _minimum_calls(changed)
            reruns.append(again)
    shutil.rmtree(workdir, ignore_errors=True)
    out: dict[str, Any] = {"b": _pipeline_summary(full_runs)}
    if with_rerun:
        c = _pipeline_summary(reruns)
        full_median = out["b"]["seconds"]["median"]
        calls = [sum(r["http_calls"].values()) for r in reruns]
        c.update(
            {
                "mutation_plan": plan,
                "changed_records": reruns[-1]["changed_records"],
                "http_calls": _summary([float(c) for c in calls]),
                "http_calls_by_source": reruns[-1]["http_calls"],
                "http_calls_by_endpoint": reruns[-1]["http_calls_by_endpoint"],
                "minimum_calls": reruns[-1]["minimum_calls"],
                "calls_over_minimum": statistics_median(calls) / reruns[-1]["minimum_calls"],
                "rerun_over_full": c["seconds"]["median"] / full_median,
            }
        )
        out["c"] = c
    return out


def statistics_median(values: list[int]) -> float:
    return summarise([float(v) for v in values]).median


def _pipeline_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    stages = sorted({stage for r in runs for stage in r["stages"]})
    return {
        "success": all(r["success"] for r in runs),
        "failed_steps": sorted({s for r in runs for s in r["failed_steps"]}),
        "seconds": _summary([r["seconds"] for r in runs]),
        "stages": {s: _summary([r["stages"].get(s, 0.0) for r in runs]) for s in stages},
        "steps_last_run": runs[-1]["steps"],
        "peak_rss_mb": _summary([r["peak_rss_mb"] for r in runs]),
        "rss_growth_mb": _summary([r["rss_growth_mb"] for r in runs]),
        "dbt_rows_written": runs[-1]["dbt_rows_written"],
        "dbt_nodes_last_run": runs[-1].get("dbt_nodes"),
        "http_calls_last_run": runs[-1].get("http_calls"),
    }


# -- e: throttled sandbox -------------------------------------------------------------------
# Published quotas (vendor-apis.md) as calls per fake second; the fakes enforce exactly these.
QUOTA_PER_SECOND = {"marketo": 100 / 20, "gong": 3.0}


def throttled(leads: int, seed: int, reps: int, clock_speed: float) -> dict[str, Any]:
    from connectors.landing.duckdb import DuckDBDestination
    from connectors.run import close_readers, extract_source, http_stats

    data_dir, _ = world(leads, seed)
    workdir = WORK_DIR / f"e-{leads}"
    workdir.mkdir(parents=True, exist_ok=True)
    per_source: dict[str, list[dict[str, Any]]] = {s: [] for s in QUOTA_PER_SECOND}
    for _ in range(reps):
        for source in QUOTA_PER_SECOND:
            with sandbox(data_dir, enforce_limits=True, clock_speed=clock_speed) as sb:
                env = {**sb.env, "CONNECTORS_RATE_SCALE": str(clock_speed)}
                db = workdir / f"{source}.duckdb"
                db.unlink(missing_ok=True)
                with measured() as sample:
                    started = time.perf_counter()
                    extract_source(
                        source, destination=DuckDBDestination(db), run_id="bench-e", env=env
                    )
                    seconds = time.perf_counter() - started
                # Marketo refuses with 606 inside HTTP 200: the client's throttled counter sees it.
                client = http_stats().get(source)
                close_readers()
                stats = sb.stats(source)
                calls = stats["total"]
                refused = max(
                    stats["status"].get("429", 0), client.throttled if client is not None else 0
                )
                quota = QUOTA_PER_SECOND[source] * clock_speed
                sample.update(
                    {
                        "calls": calls,
                        "seconds": seconds,
                        "calls_per_s": calls / seconds,
                        "share_of_quota": calls / seconds / quota,
                        "throttled_answers": refused,
                        "throttled_share": refused / calls if calls else 0.0,
                        "status": stats["status"],
                    }
                )
                per_source[source].append(sample)
    shutil.rmtree(workdir, ignore_errors=True)
    return {
        source: {
            "quota_calls_per_s": QUOTA_PER_SECOND[source] * clock_speed,
            "calls": samples[-1]["calls"],
            "seconds": _summary([s["seconds"] for s in samples]),
            "share_of_quota": _summary([s["share_of_quota"] for s in samples]),
            "throttled_answers": max(s["throttled_answers"] for s in samples),
            "throttled_share": max(s["throttled_share"] for s in samples),
            "status_last_run": samples[-1]["status"],
            "peak_rss_mb": _summary([s["peak_rss_mb"] for s in samples]),
        }
        for source, samples in per_source.items()
    }


# -- f: a first load against the vendors' daily quotas, bulk against REST -------------------
# Salesforce's daily API requests depend on the org's licences (the connector reads them from
# the org's limits): 100,000 is the sandbox fake's (vendor-apis.md 1.6).
SANDBOX_SALESFORCE_DAILY_CALLS = 100_000


def daily_call_quotas() -> dict[str, int]:
    """Default daily calls per vendor of the first load: what the connectors' settings declare
    (Marketo, Gong), the sandbox org's for Salesforce."""
    from connectors.registry import get_vendor

    defaults = _setting_defaults()
    quotas = {"salesforce": SANDBOX_SALESFORCE_DAILY_CALLS}
    for source in ("marketo", "gong"):
        quota = get_vendor(source).daily_quota
        assert quota is not None and quota.calls_setting is not None
        quotas[source] = int(defaults[quota.calls_setting])
    return quotas


def _setting_defaults() -> dict[str, str]:
    from connectors.settings import declared

    return {name: setting.default for name, setting in declared().items()}


def first_load_quota(leads: int, seed: int) -> dict[str, Any]:
    """Every stream from nothing, once with the bulk paths chosen automatically and once with
    REST paging only: calls per vendor and their share of one day's quota, Marketo export MB,
    seconds and peak RSS, side by side on the same fakes."""
    import duckdb

    from bench.contenders import ours

    data_dir, _ = world(leads, seed)
    workdir = WORK_DIR / f"f-{leads}"
    workdir.mkdir(parents=True, exist_ok=True)
    modes = {
        "bulk_auto": {},
        "rest_only": {"SALESFORCE_BULK": "never", "MARKETO_BULK": "never"},
    }
    out: dict[str, Any] = {}
    with sandbox(data_dir) as sb:
        for mode, extra in modes.items():
            env = {**sb.env, "CONNECTORS_RATE_SCALE": UNTHROTTLED_RATE_SCALE, **extra}
            env.update({f"{v.upper()}_DAILY_CALLS": str(10**9) for v in ("marketo", "gong")})
            sb.reset_stats()
            path = workdir / f"{mode}.duckdb"
            with measured() as sample:
                sample.update(ours.extract(env, path))
            quotas = daily_call_quotas()
            calls = {source: sb.stats(source)["total"] for source in quotas}
            with duckdb.connect(str(path), read_only=True) as con:
                exported = con.execute(
                    "select coalesce(sum(export_bytes), 0) from meta.api_usage"
                ).fetchone()[0]
                distinct = _distinct_ids(con)
            out[mode] = {
                # REST sends a Marketo lead once per page of lead-change activities it appears
                # in (staging keeps the latest), a bulk export once: compare identities.
                "records_sent": sum(sample["records"].values()),
                "distinct_records": distinct,
                "calls": calls,
                "quota_share": {s: calls[s] / quotas[s] for s in calls},
                "marketo_quota_left": 1 - calls["marketo"] / quotas["marketo"],
                "marketo_export_mb": exported / 2**20,
                "seconds": sample["seconds"],
                "peak_rss_mb": sample["peak_rss_mb"],
            }
    shutil.rmtree(workdir, ignore_errors=True)
    out["same_records"] = (
        out["bulk_auto"]["distinct_records"] == out["rest_only"]["distinct_records"]
    )
    return out


def _distinct_ids(con: Any) -> dict[str, int]:
    """Distinct record ids per raw table (every raw table keys its records by `id`)."""
    tables = con.execute(
        "select table_name from information_schema.tables"
        " where table_schema = 'raw' and table_name <> '_quarantine' order by table_name"
    ).fetchall()
    return {
        table: con.execute(f'select count(distinct id) from raw."{table}"').fetchone()[0]
        for (table,) in tables
    }


# -- m: the connectors' own memory at each scale ---------------------------------------------
def extraction_memory(leads: int, seed: int) -> dict[str, Any]:
    """Every stream from nothing (bulk paths chosen automatically), all sources side by side,
    in a child process of its own (`python -m bench.connector_speed --together`): its peak RSS
    is the connectors' and the landing's alone, with no heap left by an earlier scale or
    contender, and no Dagster. The fakes run in a further child, not counted."""
    import json
    import subprocess
    import sys

    data_dir, _ = world(leads, seed)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.connector_speed",
            "--data",
            str(data_dir),
            "--together",
            "--json",
            "--rate-scale",
            UNTHROTTLED_RATE_SCALE,
            *(f"--setting={name}={value}" for name, value in WHOLE_WORLD_ALLOWANCE.items()),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["records_per_s"] = figures["records"] / figures["seconds"]
    figures["marketo_first_load"] = _marketo_days(figures["usage"].get("marketo", {}))
    return figures


def _marketo_days(usage: dict[str, int]) -> dict[str, Any]:
    """The Marketo first load against the default daily quotas: export MB and calls, and how
    many vendor days its export files need at the default allowance less the reserve."""
    defaults = _setting_defaults()
    keep = 1 - float(defaults["CONNECTORS_QUOTA_RESERVE_SHARE"])
    allowed_bytes = int(defaults["MARKETO_DAILY_EXPORT_MB"]) * 2**20 * keep
    export_bytes = usage.get("export_bytes", 0)
    calls = usage.get("calls", 0)
    return {
        "export_mb": export_bytes / 2**20,
        "export_vendor_days": math.ceil(export_bytes / allowed_bytes) if export_bytes else 0,
        "calls": calls,
        "calls_share_of_day": calls / daily_call_quotas()["marketo"],
    }


# -- q: the Marketo first load day by day at the default quotas -------------------------------
MAX_VENDOR_DAYS = 12


def marketo_days(leads: int, seed: int) -> dict[str, Any]:
    """Marketo's first load at the default daily quotas (50,000 calls, 500 MB of export files,
    10 % reserve), one vendor day per run (the day's count is cleared between runs, as the
    vendor's midnight would clear it), side by side on the same fakes: with the priority
    activity types read over REST (the default) and with every type exported (`none`, as
    before they existed). Per day: calls, export MB, records landed; whether the leads and
    the priority types' activities (the MQL's) are whole."""
    from connectors.registry import STREAMS as BY_SOURCE

    data_dir, _ = world(leads, seed)
    workdir = WORK_DIR / f"q-{leads}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    priority = sorted(_priority_types())
    served = _served_marketo(data_dir, priority)
    streams = [s.name for s in BY_SOURCE["marketo"]]
    out: dict[str, Any] = {"priority_types": priority, "served": served}
    with sandbox(data_dir) as sb:
        for mode, setting in (("priority_rest", None), ("all_exported", "none")):
            env = {**sb.env, "CONNECTORS_RATE_SCALE": UNTHROTTLED_RATE_SCALE}
            if setting is not None:
                env["MARKETO_PRIORITY_ACTIVITY_TYPES"] = setting
            path = workdir / f"{mode}.duckdb"
            out[mode] = _day_by_day(sb, env, path, streams, priority, served)
    shutil.rmtree(workdir, ignore_errors=True)
    return out


def _priority_types() -> set[int]:
    from connectors.settings import Settings

    return set(Settings({}).value("MARKETO_PRIORITY_ACTIVITY_TYPES"))


def _served_marketo(data_dir: Path, priority: list[int]) -> dict[str, int]:
    """How many leads, activities and priority-type activities the fakes serve."""
    import duckdb

    # The fakes serve activities.jsonl and the generator's deleted_leads.jsonl (type 37).
    files = [
        str(data_dir / "marketo" / name) for name in ("activities.jsonl", "deleted_leads.jsonl")
    ]
    kinds = "{'activityTypeId': 'INTEGER'}"
    with duckdb.connect() as con:
        total, wanted = con.execute(
            f"select count(*), count(*) filter (where activityTypeId in ({_ids(priority)}))"
            f" from read_json(?, columns = {kinds}, format = 'newline_delimited')",
            [files],
        ).fetchone()
        leads = con.execute(
            "select count(*) from read_json(?, columns = {'id': 'BIGINT'},"
            " format = 'newline_delimited')",
            [str(data_dir / "marketo" / "leads.jsonl")],
        ).fetchone()[0]
    return {"leads": leads, "activities": total, "priority_activities": wanted}


def _ids(ids: list[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "null"


def _day_by_day(
    sb: RemoteSandbox,
    env: dict[str, str],
    path: Path,
    streams: list[str],
    priority: list[int],
    served: dict[str, int],
) -> dict[str, Any]:
    import duckdb

    from connectors.landing.duckdb import DuckDBDestination
    from connectors.run import close_readers, extract_sources

    days: list[dict[str, Any]] = []
    for day in range(1, MAX_VENDOR_DAYS + 1):
        sb.reset_stats()
        with measured() as sample:
            outcomes = extract_sources(
                {"marketo": streams}, destination=DuckDBDestination(path),
                run_id=f"q-{path.stem}-{day}", env=env,
            )  # fmt: skip
        close_readers()
        stopped = [r.stopped_early for o in outcomes for r in o.results if r.stopped_early]
        errors = [str(o.error) for o in outcomes if o.error is not None]
        with duckdb.connect(str(path)) as con:
            exported = con.execute("select coalesce(sum(export_bytes), 0) from meta.api_usage")
            export_bytes = exported.fetchone()[0]
            leads, activities, wanted = con.execute(
                "select (select count(distinct id) from raw.marketo__leads),"
                " count(distinct id), count(distinct id) filter (where"
                f" (_raw->>'activityTypeId')::integer in ({_ids(priority)}))"
                " from raw.marketo__activities"
            ).fetchone()
            con.execute("delete from meta.api_usage")  # the vendor's midnight
        calls = sb.stats("marketo")["total"]
        days.append(
            {
                "day": day,
                "calls": calls,
                "calls_share_of_day": calls / daily_call_quotas()["marketo"],
                "export_mb": export_bytes / 2**20,
                "seconds": sample["seconds"],
                "leads_whole": leads == served["leads"],
                "activities_landed_share": activities / served["activities"],
                "priority_whole": wanted == served["priority_activities"],
                "stopped": stopped,
                "errors": errors,
            }
        )
        if errors or not stopped:
            break
    return {"days": days, "vendor_days": len(days), "complete": not days[-1]["stopped"]}
