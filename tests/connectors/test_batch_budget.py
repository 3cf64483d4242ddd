"""The batch budget that sources extracted side by side share (connectors/batching.py): each
running source commits at its share of it, so their batches together stay within it however
long they overlap; the data landed is the same whatever the budget."""

import threading
from pathlib import Path

import pytest

from connectors.batching import BatchBudget, BatchPolicy
from connectors.core.errors import ConfigurationError
from connectors.landing.duckdb import DuckDBDestination, DuckDBSession
from connectors.run import close_readers, extract_sources
from connectors.settings import Settings

from .sandbox_support import latest_versions, make_world
from .test_sandbox_integration import FAST
from .test_side_by_side import _plan

serve = pytest.importorskip("sandbox.serve")
MB = 2**20
OWN = BatchPolicy(max_records=10_000, max_bytes=8 * MB, max_seconds=5.0)


def test_batch_budget_share_follows_the_sources_running() -> None:
    budget = BatchBudget(16 * MB)
    assert budget.policy(OWN) == OWN  # nobody running yet: the policy's own limits
    with budget.member():
        assert budget.policy(OWN) == OWN  # alone: whole batches
        with budget.member():
            assert budget.policy(OWN) == OWN  # two: 8 MB each, the policy's own cap
            with budget.member():
                three = budget.policy(OWN)
                assert three.max_bytes == 16 * MB // 3
                assert three.max_records == 10_000 * (16 * MB // 3) // (8 * MB)
                assert three.max_seconds == OWN.max_seconds
                assert 3 * three.max_bytes <= budget.total_bytes
            assert budget.policy(OWN) == OWN
    assert budget.members == 0


def test_batch_budget_member_leaves_on_error_and_counts_threads() -> None:
    budget = BatchBudget(8 * MB)
    with pytest.raises(RuntimeError), budget.member():
        raise RuntimeError("a source failed")
    assert budget.members == 0

    inside, release = threading.Barrier(5), threading.Event()

    def source() -> None:
        with budget.member():
            inside.wait(timeout=10)
            release.wait(timeout=10)

    threads = [threading.Thread(target=source) for _ in range(4)]
    for thread in threads:
        thread.start()
    inside.wait(timeout=10)
    assert budget.members == 4
    assert budget.policy(OWN).max_bytes == 2 * MB
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert budget.members == 0


def test_batch_budget_refuses_nothing_to_share() -> None:
    with pytest.raises(ValueError, match="positive"):
        BatchBudget(0)
    with pytest.raises(ConfigurationError, match="CONNECTORS_BATCH_BUDGET_MB"):
        Settings({"CONNECTORS_BATCH_BUDGET_MB": "0"}).value("CONNECTORS_BATCH_BUDGET_MB")


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    return make_world(tmp_path_factory.mktemp("world") / "data", leads=300, seed=5)


def test_batch_budget_tight_budget_commits_smaller_batches_of_the_same_data(
    world, tmp_path, monkeypatch
) -> None:
    written: dict[str, list[int]] = {}
    write_batch = DuckDBSession.write_batch

    def counting(session: DuckDBSession, batch) -> None:
        written.setdefault(run, []).append(sum(len(r.raw_json) for r in batch.rows))
        write_batch(session, batch)

    monkeypatch.setattr(DuckDBSession, "write_batch", counting)
    with serve.running(world) as sb:
        for run, budget in (("default", None), ("tight", "0.01")):
            close_readers()
            extra = {"CONNECTORS_BATCH_BUDGET_MB": budget} if budget else {}
            outcomes = extract_sources(
                _plan(world),
                destination=DuckDBDestination(tmp_path / f"{run}.duckdb"),
                run_id=run,
                env={**sb.env, **FAST, **extra},
            )
            assert all(o.error is None for o in outcomes)
    close_readers()
    expected = latest_versions(tmp_path / "default.duckdb")
    assert sum(len(ids) for ids in expected.values()) > 1000
    assert latest_versions(tmp_path / "tight.duckdb") == expected
    # 10 KB shared by three sources: each batch is one page, so more commits of less each.
    assert 2 * len(written["tight"]) > 3 * len(written["default"])
    assert max(written["tight"]) < max(written["default"])
