"""generate(): the sandbox data directory of contracts section 2, plus its truth."""

import json
import random
from pathlib import Path

from sandbox.world.fmt import DAY, add_months_ts, marketo_datetime, parse_utc
from sandbox.world.org import build_companies, build_org
from sandbox.world.records import (
    activity_types_json,
    gong_user,
    rep_modstamp,
    sf_user,
    sf_user_role,
)
from sandbox.world.simulate import World, sf_key
from sandbox.world.truth import SETTINGS, TruthBuilder
from sandbox.world.writer import ShardedSortedWriter

GENERATOR_VERSION = "1.0.0"
WORLD_MONTHS = 18
SALESFORCE_OBJECTS = (
    "User",
    "UserRole",
    "Account",
    "Contact",
    "Lead",
    "Opportunity",
    "OpportunityHistory",
    "LeadHistory",
    "Task",
    "Event",
)
ALL_FILES = (
    *(f"salesforce/{name}.jsonl" for name in SALESFORCE_OBJECTS),
    "marketo/leads.jsonl",
    "marketo/activities.jsonl",
    "marketo/deleted_leads.jsonl",
    "gong/users.jsonl",
    "gong/calls.jsonl",
)


def generate(
    out_dir: Path, leads: int, seed: int = 42, as_of: str = "2026-06-30T15:00:00Z"
) -> Path:
    """Writes the world of `leads` persons ending at `as_of`; same arguments, same bytes."""
    if leads < 1:
        raise ValueError("leads must be at least 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    as_of_ts = parse_utc(as_of)
    start_ts = add_months_ts(as_of_ts, -WORLD_MONTHS)
    org_rng = random.Random(seed)
    org = build_org(org_rng, leads, start_ts, as_of_ts)
    companies = build_companies(org_rng, max(20, leads // 5))
    writer = ShardedSortedWriter(out_dir)
    truth = TruthBuilder(org.rep_team)
    world = World(seed, start_ts, as_of_ts, org, companies, writer, truth)

    roles_created = start_ts - 900 * DAY
    for role in org.roles:
        writer.write(
            "salesforce/UserRole.jsonl",
            sf_key(roles_created, role.role_id),
            sf_user_role(role, roles_created),
        )
    for rep in org.reps:
        writer.write("salesforce/User.jsonl", sf_key(rep_modstamp(rep), rep.user_id), sf_user(rep))
        if rep.gong_user_id is not None:
            writer.write("gong/users.jsonl", rep.gong_user_id, gong_user(rep))

    for index in range(leads):
        world.simulate_person(index)
    world.legacy_customers(max(3, leads // 150))
    world.internal_noise()
    world.close_handoffs()
    world.close_accounts()
    writer.finish()
    for relpath in ALL_FILES:  # a small world may have no record of some kind
        (out_dir / relpath).touch()

    (out_dir / "marketo" / "activity_types.json").write_text(
        json.dumps(activity_types_json(), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    counts = _file_counts(writer.counts)
    business = dict(sorted(truth.counts.items()))
    business["reps"] = len(org.reps)
    business["accounts"] = counts["salesforce.Account"]
    business["opportunities"] = counts["salesforce.Opportunity"]
    truth_doc = {
        "as_of": as_of,
        "reporting_tz": "Asia/Tokyo",
        "settings": SETTINGS,
        "counts": dict(sorted({**counts, **business}.items())),
        "kpis": truth.rows(),
    }
    _write_json(out_dir / "truth.json", truth_doc)
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "leads": leads,
        "start": marketo_datetime(start_ts),
        "as_of": as_of,
        "files": {relpath: writer.counts.get(relpath, 0) for relpath in sorted(ALL_FILES)},
    }
    _write_json(out_dir / "manifest.json", manifest)
    return out_dir


def _file_counts(raw: dict[str, int]) -> dict[str, int]:
    """'salesforce/Lead.jsonl' -> 'salesforce.Lead' (non-deleted records the fakes serve)."""
    counts = {}
    for relpath in ALL_FILES:
        source, name = relpath.split("/")
        counts[f"{source}.{name.removesuffix('.jsonl')}"] = raw.get(relpath, 0)
    return counts


def _write_json(path: Path, document: dict) -> None:
    path.write_text(
        json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
