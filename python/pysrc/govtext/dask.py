"""A govtext run sharded over a Dask cluster: the cluster schedules, ``govtext`` commits.

>>> from dask.distributed import Client, LocalCluster
>>> import govtext.dask
>>> with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
...     summary = govtext.dask.run("corpus/", "out/", client=client, shards=8)

Every worker must see the inputs and the output at the same paths (a shared filesystem).
Each shard is one task (``govtext.run(..., shard="I/N")``), retried by Dask if its worker
dies: a shard run again replaces its own files. Once every shard is done the dataset is
published once, atomically, by ``govtext.commit`` on the client.
"""

from __future__ import annotations

import os
from typing import Any, Iterable

import govtext

__all__ = ["run"]


def _shard(
    inputs: list[str],
    output: str,
    shard: str,
    jobs: int | None,
    keep_original: bool,
    max_bytes: int,
) -> dict[str, Any]:
    if jobs is None:
        try:
            from distributed import get_worker

            jobs = get_worker().state.nthreads
        except (ImportError, ValueError, AttributeError):
            jobs = None
    summary = govtext.run(
        inputs,
        output,
        jobs=jobs,
        keep_original=keep_original,
        max_bytes=max_bytes,
        shard=shard,
    )
    return {"shard": shard, "pid": os.getpid(), **summary}


def run(
    inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    client: Any = None,
    shards: int | None = None,
    jobs: int | None = None,
    keep_original: bool = False,
    max_bytes: int = 512 << 20,
    retries: int = 2,
) -> dict[str, Any]:
    """Runs ``shards`` shards of the job as Dask tasks, then commits them as one dataset.

    ``client``: a ``distributed.Client`` (default: the current one). ``shards``: how many
    (default: the cluster's worker threads). ``jobs``: threads per shard (default: the
    worker's). Returns the commit's summary with each shard's under ``"shards_run"``.
    """
    from distributed import get_client

    client = client or get_client()
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    paths = [os.path.abspath(os.fspath(p)) for p in inputs]
    out = os.path.abspath(os.fspath(output))
    if shards is None:
        shards = max(1, sum(client.nthreads().values()))
    futures = [
        client.submit(
            _shard,
            paths,
            out,
            f"{i}/{shards}",
            jobs,
            keep_original,
            max_bytes,
            key=f"govtext-shard-{i}-of-{shards}-{os.getpid()}",
            pure=False,
            retries=retries,
        )
        for i in range(shards)
    ]
    done = client.gather(futures)
    committed = govtext.commit(out)
    return {**committed, "shards_run": done}
