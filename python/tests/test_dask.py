"""`govtext.dask.run` on a local cluster of two worker processes: the shards as tasks, one
commit, the rows of a single run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import govtext

distributed = pytest.importorskip("distributed")
import govtext.dask  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"


def all_rows(out: Path) -> dict[str, list]:
    con = govtext.read(out)
    return {
        t: sorted(map(str, con.execute(f"SELECT * FROM {t}").fetchall()))
        for t in govtext.TABLES
    }


def test_dask_shards_and_one_commit_equal_one_run(tmp_path: Path):
    one, out = tmp_path / "one", tmp_path / "out"
    govtext.run(SAMPLES, one)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        summary = govtext.dask.run(SAMPLES, out, client=client, shards=3)
        worker_pids = set(client.run(os.getpid).values())
    # every shard ran once, as a task in a worker's process
    assert sorted(s["shard"] for s in summary["shards_run"]) == ["0/3", "1/3", "2/3"]
    assert {s["pid"] for s in summary["shards_run"]} <= worker_pids
    assert os.getpid() not in worker_pids
    assert summary["shards"] == 3 and summary["documents"] == 8
    assert all_rows(out) == all_rows(one)
    assert not (tmp_path / ".out.govtext-shards").exists()
