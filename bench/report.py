"""Console tables of a results dict, and the targets of issue 7 (goals, not assertions)."""

from typing import Any


def _fmt(summary: dict[str, Any], digits: int = 2, unit: str = "") -> str:
    return (
        f"{summary['median']:,.{digits}f}{unit} "
        f"[{summary['low']:,.{digits}f}-{summary['high']:,.{digits}f}]"
    )


def _scale(leads: str) -> str:
    n = int(leads)
    return (
        f"{n // 1_000_000}M"
        if n >= 1_000_000 and n % 1_000_000 == 0
        else f"{n // 1000}k"
        if n >= 1000
        else str(n)
    )


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each measured figure next to its goal."""
    rows: list[dict[str, Any]] = []

    def add(name: str, value: float | None, goal: str, met: bool | None) -> None:
        rows.append({"target": name, "value": value, "goal": goal, "met": met})

    scen = results["scenarios"]
    for leads, a in scen.get("a", {}).items():
        for other, goal in (("raw", 0.5), ("dlt_tuned", 2.5), ("dlt_default", 10.0)):
            ratio = a["ratios"].get(f"ours/{other}")
            if ratio is not None:
                add(
                    f"a {_scale(leads)}: ours/{other} records/s", ratio, f">= {goal}", ratio >= goal
                )
    b = scen.get("b", {})
    seconds = {int(k): v["seconds"]["median"] for k, v in b.items()}
    if 10_000 in seconds:
        add("b: T(10k) s", seconds[10_000], "<= 10", seconds[10_000] <= 10)
    if 1_000_000 in seconds:
        add("b: T(1M) s", seconds[1_000_000], "<= 180", seconds[1_000_000] <= 180)
        if 100_000 in seconds:
            ratio = seconds[1_000_000] / seconds[100_000]
            add("b: T(1M)/T(100k)", ratio, "<= 11", ratio <= 11)
    for leads, c in scen.get("c", {}).items():
        add(
            f"c {_scale(leads)}: re-run/full wall",
            c["rerun_over_full"],
            "<= 0.10",
            c["rerun_over_full"] <= 0.10,
        )
        add(
            f"c {_scale(leads)}: HTTP calls/minimum",
            c["calls_over_minimum"],
            "<= 1.02",
            c["calls_over_minimum"] <= 1.02,
        )
    alone = {int(k): v["peak_rss_mb"] for k, v in scen.get("m", {}).items()}
    for leads, mb in sorted(alone.items()):
        add(f"m {_scale(str(leads))}: extraction peak RSS MB", mb, "<= 500", mb <= 500)
    if len(alone) > 1:
        low, high = min(alone), max(alone)
        ratio = alone[high] / alone[low]
        name = f"m: extraction RSS {_scale(str(high))}/{_scale(str(low))}"
        add(name, ratio, "<= 1.15", ratio <= 1.15)
    rss = scen.get("d", {}).get("pipeline_peak_rss_mb", {})
    if "1000000" in rss:
        add("d: RSS(1M) MB", rss["1000000"], "<= 500", rss["1000000"] <= 500)
        if "100000" in rss:
            ratio = rss["1000000"] / rss["100000"]
            add("d: RSS(1M)/RSS(100k)", ratio, "<= 1.5", ratio <= 1.5)
    for leads, e in scen.get("e", {}).items():
        for source, figures in e["sources"].items():
            share = figures["share_of_quota"]["median"]
            add(f"e {_scale(leads)}: {source} share of quota", share, ">= 0.95", share >= 0.95)
            add(
                f"e {_scale(leads)}: {source} throttled share",
                figures["throttled_share"],
                "<= 0.01",
                figures["throttled_share"] <= 0.01,
            )
    for leads, f in scen.get("f", {}).items():
        left = f["bulk_auto"]["marketo_quota_left"]
        add(f"f {_scale(leads)}: Marketo daily quota left", left, ">= 0.50", left >= 0.5)
    for leads, q in scen.get("q", {}).items():
        first = q["priority_rest"]["days"][0]
        add(f"q {_scale(leads)}: Marketo calls left on day one", 1 - first["calls_share_of_day"],
            ">= 0.50", first["calls_share_of_day"] <= 0.5)  # fmt: skip
        whole = first["leads_whole"] and first["priority_whole"]
        add(f"q {_scale(leads)}: leads, MQL activities whole day one", float(whole), "1", whole)
        days = q["priority_rest"]["vendor_days"]
        add(f"q {_scale(leads)}: vendor days, whole history", days, "1", days == 1)
    return rows


def print_report(results: dict[str, Any]) -> None:
    scen = results["scenarios"]
    for leads, a in scen.get("a", {}).items():
        print(
            f"\n== a: extraction, {_scale(leads)} leads, unthrottled sandbox ({a['record_counts']})"
        )
        if not a["same_record_set"]:
            print("   WARNING: contenders fetched different record counts")
        print(
            f"   {'contender':<12} {'records/s median [min-max]':>34} {'seconds':>24} "
            f"{'peak RSS MB':>24}"
        )
        for name, c in a["contenders"].items():
            print(
                f"   {name:<12} {_fmt(c['records_per_s'], 0):>34} {_fmt(c['seconds']):>24} "
                f"{_fmt(c['peak_rss_mb'], 0):>24}"
            )
        print("   ratios: " + ", ".join(f"{k} = {v:.2f}" for k, v in a["ratios"].items()))
    for leads, b in scen.get("b", {}).items():
        print(
            f"\n== b: whole pipeline, {_scale(leads)} leads: {_fmt(b['seconds'], 1, ' s')}"
            f" (success={b['success']}), peak RSS {_fmt(b['peak_rss_mb'], 0, ' MB')}"
        )
        for stage, summary in b["stages"].items():
            print(f"   {stage:<10} {_fmt(summary, 1, ' s')}")
    for leads, c in scen.get("c", {}).items():
        print(
            f"\n== c: re-run after 1% changed, {_scale(leads)} leads: "
            f"{_fmt(c['seconds'], 1, ' s')} = {c['rerun_over_full']:.0%} of the full run; "
            f"HTTP calls {c['http_calls']['median']:.0f} "
            f"vs minimum {c['minimum_calls']} ({c['calls_over_minimum']:.2f}x); "
            f"dbt table rows written {sum(c['dbt_rows_written'].values())}"
        )
        for stage, summary in c["stages"].items():
            print(f"   {stage:<10} {_fmt(summary, 1, ' s')}")
    if scen.get("m"):
        print("\n== m: extraction alone, all sources side by side, own child process")
        for leads, m in scen["m"].items():
            print(
                f"   {_scale(leads):>5}: {m['records']:,} records, {m['requests']:,} requests, "
                f"{m['seconds']:.1f} s ({m['records_per_s']:,.0f}/s), "
                f"peak RSS {m['peak_rss_mb']:,.0f} MB"
            )
    d = scen.get("d")
    if d:
        print("\n== d: peak RSS of the process tree (MB, medians)")
        for key, by_scale in d.items():
            if key != "ratios":
                print(
                    f"   {key}: " + ", ".join(f"{_scale(k)} {v:.0f}" for k, v in by_scale.items())
                )
        for key, value in d.get("ratios", {}).items():
            print(f"   {key} = {value:.2f}")
    for leads, e in scen.get("e", {}).items():
        print(f"\n== e: throttled sandbox, {_scale(leads)} leads, clock x{e['clock_speed']}")
        for source, f in e["sources"].items():
            print(
                f"   {source:<8} {f['calls']} calls in {_fmt(f['seconds'], 1, ' s')}: "
                f"{_fmt(f['share_of_quota'], 2)} of quota ({f['quota_calls_per_s']:.0f}/s), "
                f"throttled answers {f['throttled_answers']} ({f['throttled_share']:.1%})"
            )
    for leads, f in scen.get("f", {}).items():
        same = "same records" if f["same_records"] else "DIFFERENT records"
        print(f"\n== f: first load against the daily quotas, {_scale(leads)} leads ({same})")
        for mode in ("bulk_auto", "rest_only"):
            m = f[mode]
            calls = ", ".join(
                f"{source} {m['calls'][source]:,} ({m['quota_share'][source]:.1%})"
                for source in m["calls"]
            )
            print(
                f"   {mode:<10} calls (share of a day): {calls}; Marketo export "
                f"{m['marketo_export_mb']:.0f} MB; {m['seconds']:.1f} s; "
                f"peak RSS {m['peak_rss_mb']:.0f} MB"
            )
    for leads, q in scen.get("q", {}).items():
        print(f"\n== q: Marketo first load day by day, default quotas, {_scale(leads)} leads "
              f"(serves {q['served']}; priority types {q['priority_types']})")  # fmt: skip
        for mode in ("priority_rest", "all_exported"):
            for d in q[mode]["days"]:
                print(
                    f"   {mode:<13} day {d['day']:>2}: {d['calls']:,} calls "
                    f"({d['calls_share_of_day']:.1%}), export {d['export_mb']:.0f} MB, "
                    f"{d['seconds']:.0f} s; leads whole {d['leads_whole']}, priority "
                    f"activities whole {d['priority_whole']}, activities "
                    f"{d['activities_landed_share']:.0%}{' ERRORS' if d['errors'] else ''}"
                )
    rows = results.get("targets", [])
    if rows:
        print("\n== targets (goals, not assertions)")
        for row in rows:
            mark = "met" if row["met"] else "MISSED"
            print(f"   {row['target']:<42} {row['value']:>10.3f} {row['goal']:>8}  {mark}")
