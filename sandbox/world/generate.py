"""generate(): the sandbox data directory of contracts section 2, plus its truth."""

import json
import random
import shutil
from pathlib import Path

from sandbox.world import hubspot
from sandbox.world.fmt import DAY, add_months_ts, marketo_datetime, parse_utc
from sandbox.world.org import Org, build_companies, build_org, salesforce_id
from sandbox.world.payloads import (
    activity_types_json,
    gong_user,
    rep_modstamp,
    sf_opportunity_stage,
    sf_user,
    sf_user_role,
)
from sandbox.world.profile import DEFAULT, Profile, get_profile
from sandbox.world.simulate import World, sf_key
from sandbox.world.truth import SETTINGS, TruthBuilder
from sandbox.world.writer import ShardedSortedWriter

# Bump whenever the generated data changes, so cached worlds (bench, demo) are regenerated.
GENERATOR_VERSION = "1.1.0"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WORLD_MONTHS = 18
SALESFORCE_OBJECTS = (
    "User",
    "UserRole",
    "Account",
    "Contact",
    "Lead",
    "Opportunity",
    "OpportunityHistory",
    "OpportunityStage",
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
    out_dir: Path,
    leads: int,
    seed: int = 42,
    as_of: str = "2026-06-30T15:00:00Z",
    profile: str | Profile = DEFAULT,
) -> Path:
    """Writes the world of `leads` persons ending at `as_of` for a company profile
    (sandbox/world/profile.py); same arguments, same bytes."""
    if leads < 1:
        raise ValueError("leads must be at least 1")
    org_profile = get_profile(profile) if isinstance(profile, str) else profile
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    as_of_ts = parse_utc(as_of)
    start_ts = add_months_ts(as_of_ts, -WORLD_MONTHS)
    org_rng = random.Random(seed)
    org = build_org(org_rng, leads, start_ts, as_of_ts, org_profile)
    companies = build_companies(org_rng, max(20, leads // 5))
    # A HubSpot-only org: the event model's records are written aside, then as HubSpot objects.
    on_hubspot = org_profile.crm == "hubspot"
    vendor_dir = out_dir / ".vendor" if on_hubspot else out_dir
    writer = ShardedSortedWriter(vendor_dir)
    truth = TruthBuilder(org.rep_team, week_start=org_profile.week_start)
    world = World(seed, start_ts, as_of_ts, org, companies, writer, truth, org_profile)

    roles_created = start_ts - 900 * DAY
    for role in org.roles:
        writer.write(
            "salesforce/UserRole.jsonl",
            sf_key(roles_created, role.role_id),
            sf_user_role(role, roles_created),
        )
    for number, stage in enumerate(org_profile.stages, start=1):
        # a retired stage was deactivated a while ago; the others never changed
        modified = roles_created if stage.is_active else start_ts - 200 * DAY
        record = sf_opportunity_stage(
            stage, salesforce_id("01J", number), org.reps[0].user_id, roles_created, modified
        )
        writer.write("salesforce/OpportunityStage.jsonl", sf_key(modified, record["Id"]), record)
    for rep in org.reps:
        user = sf_user(rep, org_profile.company_name)
        writer.write("salesforce/User.jsonl", sf_key(rep_modstamp(rep), rep.user_id), user)
        if rep.gong_user_id is not None:
            writer.write("gong/users.jsonl", rep.gong_user_id, gong_user(rep))

    for index in range(leads):
        world.simulate_person(index)
    world.legacy_customers(max(3, leads // 150))
    world.internal_noise()
    world.internal_external_meetings()
    world.internal_test_leads()
    world.close_handoffs()
    world.close_accounts()
    writer.finish()
    if on_hubspot:
        return _finish_hubspot(out_dir, vendor_dir, org, org_profile, seed, leads, as_of, truth)
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
        "profile": org_profile.name,
        "reporting_tz": "Asia/Tokyo",
        "settings": {
            **SETTINGS,
            "week_start": WEEKDAYS[org_profile.week_start],
            "call_match_window_minutes": org_profile.call_match_window_seconds // 60,
            "lead_source_precedence": list(org_profile.lead_source_precedence),
        },
        "counts": dict(sorted({**counts, **business}.items())),
        "kpis": truth.rows(),
    }
    _write_json(out_dir / "truth.json", truth_doc)
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "leads": leads,
        "profile": org_profile.name,
        "start": marketo_datetime(start_ts),
        "as_of": as_of,
        "files": {relpath: writer.counts.get(relpath, 0) for relpath in sorted(ALL_FILES)},
    }
    _write_json(out_dir / "manifest.json", manifest)
    return out_dir


def _finish_hubspot(
    out_dir: Path,
    vendor_dir: Path,
    org: Org,
    profile: Profile,
    seed: int,
    leads: int,
    as_of: str,
    truth: TruthBuilder,
) -> Path:
    """The HubSpot files from the event model's records, and the truth with reps keyed by
    their HubSpot owner id."""
    counts = hubspot.translate(vendor_dir, out_dir, org, profile, seed, parse_utc(as_of))
    shutil.rmtree(vendor_dir)
    business = dict(sorted(truth.counts.items()))
    business["reps"] = len(org.reps)
    business["accounts"] = counts["hubspot/companies.jsonl"]
    business["opportunities"] = counts["hubspot/deals.jsonl"]
    file_counts = {
        relpath.replace("/", ".").removesuffix(".jsonl"): n for relpath, n in counts.items()
    }
    rows = truth.rows()
    for row in rows:
        if row["grain"] == "rep":
            row["key"] = hubspot.owner_id(str(row["key"]))
    truth_doc = {
        "as_of": as_of,
        "profile": profile.name,
        "reporting_tz": "Asia/Tokyo",
        "settings": {
            **SETTINGS,
            "week_start": WEEKDAYS[profile.week_start],
            "call_match_window_minutes": profile.call_match_window_seconds // 60,
            "lead_source_precedence": ["hubspot"],
        },
        "counts": dict(sorted({**file_counts, **business}.items())),
        "kpis": rows,
    }
    _write_json(out_dir / "truth.json", truth_doc)
    start_ts = add_months_ts(parse_utc(as_of), -WORLD_MONTHS)
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "leads": leads,
        "profile": profile.name,
        "vendors": ["hubspot"],
        "start": marketo_datetime(start_ts),
        "as_of": as_of,
        "files": dict(sorted(counts.items())),
    }
    _write_json(out_dir / "manifest.json", manifest)
    return out_dir


def is_current(data_dir: Path, leads: int, seed: int, profile: str = DEFAULT.name) -> bool:
    """Whether data_dir already holds the world generate() would write for these arguments now."""
    manifest = data_dir / "manifest.json"
    if not manifest.exists():
        return False
    meta = json.loads(manifest.read_text())
    wanted = {
        "generator_version": GENERATOR_VERSION,
        "leads": leads,
        "seed": seed,
        "profile": profile,
    }
    return all(meta.get(key) == value for key, value in wanted.items())


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
