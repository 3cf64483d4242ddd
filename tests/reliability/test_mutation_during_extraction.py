"""Records modified, deleted and created while the extraction runs (plus some 5xx).

The fakes mutate themselves after a few pages. After the faulty run and one catch-up run, the
raw layer (latest version per id, what staging keeps) must equal a fault-free extraction of
the mutated final state into an empty warehouse: no lost record, no stale version. The only
ids the incremental warehouse may hold beyond it are records the vendor removed without a
trace in its API (Marketo leads deleted, listed by deleted_leads; Gong calls removed).
"""

import json
from pathlib import Path

import pytest

from connectors.destinations.duckdb import DuckDBDestination
from connectors.run import close_readers, extract_source
from connectors.streams import STREAMS

from .scoreboard import SCOREBOARD
from .support import FAST_RETRIES, raw_latest

REMOVABLE_WITHOUT_TRACE = {"marketo__leads", "gong__calls"}


def _extract_everything(warehouse: Path, env: dict[str, str], run_id: str) -> None:
    close_readers()  # one reader per source per process: start from fresh sessions
    destination = DuckDBDestination(warehouse)
    for source in STREAMS:
        for result in extract_source(source, destination=destination, run_id=run_id, env=env):
            assert result.loaded + result.quarantined == result.records_sent, result
            SCOREBOARD.add_records(result.records_sent, result.loaded, result.quarantined)
    close_readers()


# Known bugs (see the xfail below): Gong calls changed or removed while or after they are read
# are not reconciled (the calls cursor is metaData.started, which a change does not move).
GONG_SKIP_BUG = "gong__calls"


def _mutate_mid_extraction(world: Path, tmp_path: Path, seed: int, pages: int) -> dict:
    """Faulty run with mid-extraction mutations, catch-up run, fresh run on the final state."""
    from sandbox.fakes import FaultConfig
    from sandbox.serve import running

    faults = FaultConfig(
        seed=seed,
        mutate_after_pages=pages,
        mutate_modify=8,
        mutate_delete=3,
        mutate_create=3,
        server_error_rate=0.05,
    )
    incremental, fresh = tmp_path / "incremental.duckdb", tmp_path / "fresh.duckdb"
    with running(world, faults=faults) as sandbox:
        env = {**sandbox.env, **FAST_RETRIES}
        _extract_everything(incremental, env, "during-mutation")
        mutated = [s for s, fake in sandbox.fakes.items() if fake.mutated_by_fault]
        sandbox.set_faults(FaultConfig())
        _extract_everything(incremental, env, "catch-up")
        _extract_everything(fresh, env, "fresh-on-final-state")
    SCOREBOARD.trials += 1
    for source in mutated:
        SCOREBOARD.faults[f"mutated_during_extraction_{source}"] += 1
    assert len(mutated) >= 2, f"the mutation fault barely fired: {mutated}"

    expected, actual = raw_latest(fresh), raw_latest(incremental)
    lost = {t: sorted(set(rows) - set(actual.get(t, {}))) for t, rows in expected.items()}
    SCOREBOARD.records_lost += sum(len(v) for v in lost.values())
    return {"expected": expected, "actual": actual, "lost": lost}


def _assert_exact(outcome: dict, skip: set[str]) -> None:
    expected, actual, lost = outcome["expected"], outcome["actual"], outcome["lost"]
    lost = {t: ids for t, ids in lost.items() if ids and t not in skip}
    assert not lost, lost
    stale = {
        t: sorted(i for i, raw in rows.items() if i in actual.get(t, {}) and actual[t][i] != raw)
        for t, rows in expected.items()
        if t not in skip
    }
    assert not any(stale.values()), stale
    extra = {t: sorted(set(rows) - set(expected.get(t, {}))) for t, rows in actual.items()}
    unexplained = {t: ids for t, ids in extra.items() if ids and t not in REMOVABLE_WITHOUT_TRACE}
    assert not unexplained, unexplained
    # Deleted Marketo leads must be announced by the deleted_leads stream.
    deleted_lead_ids = {
        str(json.loads(raw).get("leadId"))
        for raw in actual.get("marketo__deleted_leads", {}).values()
    }
    assert set(extra.get("marketo__leads", [])) <= deleted_lead_ids


@pytest.fixture(scope="module")
def mutated_run(world: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    return _mutate_mid_extraction(world, tmp_path_factory.mktemp("mutation"), seed=4, pages=3)


def test_mutations_during_extraction_then_catch_up_equal_the_final_state(
    mutated_run: dict,
) -> None:
    _assert_exact(mutated_run, skip={GONG_SKIP_BUG})


@pytest.mark.xfail(
    strict=True,
    reason="bugs in gong calls: (1) a call removed during /v2/calls paging makes the next page "
    "skip one older call (the fake's records.cursor is an offset into the shrinking list) and "
    "the connector's cursor moves past it: never landed (seed 4, mutate_after_pages=3: call "
    "7000000000013195854); (2) retitled calls keep metaData.started, so the started-cursor "
    "never re-reads them: raw keeps the stale version (4 calls in this scenario)",
)
def test_gong_calls_survive_changes_during_extraction(mutated_run: dict) -> None:
    _assert_exact(mutated_run, skip=set())


@pytest.mark.slow
@pytest.mark.parametrize("seed,pages", [(6, 1), (7, 5), (9, 10)])
def test_mutations_at_other_moments(world: Path, tmp_path: Path, seed: int, pages: int) -> None:
    _assert_exact(_mutate_mid_extraction(world, tmp_path, seed=seed, pages=pages), {GONG_SKIP_BUG})
