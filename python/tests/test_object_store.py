"""Runs into and out of an S3-compatible store: a moto server this test starts on loopback.
The dataset is read back with pyarrow's S3 filesystem and with polars, and what a reader of
the store sees is checked at each step of a publish's life (first run, unchanged rerun, a
changed corpus)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import govtext

boto3 = pytest.importorskip("boto3")
pytest.importorskip("moto")
import pyarrow.dataset as ds  # noqa: E402
import pyarrow.fs as pafs  # noqa: E402
import polars as pl  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("the moto server did not start")
            time.sleep(0.2)
    env = {
        **KEYS,
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": url,
        "AWS_ALLOW_HTTP": "true",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield url
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        server.terminate()
        server.wait(timeout=10)


def client(url: str):
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", **{k.lower(): v for k, v in KEYS.items()})


def keys(s3, bucket: str, prefix: str) -> list[str]:
    r = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for o in r.get("Contents", []))


def upload(s3, bucket: str, prefix: str, files: list[Path]) -> None:
    for p in files:
        s3.put_object(Bucket=bucket, Key=f"{prefix}/{p.name}", Body=p.read_bytes())


def test_a_run_from_and_into_the_store(endpoint: str):
    s3 = client(endpoint)
    s3.create_bucket(Bucket="gt-in")
    s3.create_bucket(Bucket="gt-out")
    upload(s3, "gt-in", "corpus", sorted(SAMPLES.iterdir()))

    summary = govtext.run("s3://gt-in/corpus", "s3://gt-out/reports")
    assert summary["documents"] == 8 and not summary["unchanged"]
    local = govtext.process(SAMPLES)

    # pyarrow's S3 filesystem, hive partitions from the keys
    fs = pafs.S3FileSystem(
        access_key="testing",
        secret_key="testing",
        region="us-east-1",
        endpoint_override=endpoint.removeprefix("http://"),
        scheme="http",
    )
    ind = ds.dataset("gt-out/reports/indicators", filesystem=fs, format="parquet", partitioning="hive").to_table()
    assert ind.num_rows == local["indicators"].num_rows == 77
    cols = [c for c in local["indicators"].column_names if c not in ("year", "province_code")]
    order = [("indicator_id", "ascending")]
    assert ind.select(cols).sort_by(order).to_pylist() == local["indicators"].select(cols).sort_by(order).to_pylist()
    docs = ds.dataset("gt-out/reports/documents", filesystem=fs, format="parquet", partitioning="hive").to_table()
    # every document named by its object's URL (a JSON Lines record's with its line)
    paths = docs.column("source_path").to_pylist()
    assert len(paths) == 8
    assert {p.split("#")[0] for p in paths} == {f"s3://gt-in/corpus/{p.name}" for p in SAMPLES.iterdir()}

    # polars, straight from the store
    opts = {
        "aws_endpoint_url": endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "aws_region": "us-east-1",
        "aws_allow_http": "true",
    }
    frame = pl.scan_parquet(
        "s3://gt-out/reports/sentences/**/*.parquet", storage_options=opts, hive_partitioning=True
    ).collect()
    assert frame.height == local["sentences"].num_rows
    gdp = pl.scan_parquet(
        "s3://gt-out/reports/indicators/**/*.parquet", storage_options=opts, hive_partitioning=True
    ).filter(pl.col("indicator") == "gdp").collect()
    assert gdp.height == pl.from_arrow(local["indicators"]).filter(pl.col("indicator") == "gdp").height

    # the manifest lists exactly the data files there, and _SUCCESS vouches for it
    import hashlib
    import json

    body = s3.get_object(Bucket="gt-out", Key="reports/_manifest.json")["Body"].read()
    manifest = json.loads(body)
    listed = sorted(f"reports/{f['path']}" for f in manifest["files"])
    data = [k for k in keys(s3, "gt-out", "reports/") if k.endswith(".parquet")]
    assert listed == data
    success = s3.get_object(Bucket="gt-out", Key="reports/_SUCCESS")["Body"].read().decode()
    assert success == f"manifest_sha256={hashlib.sha256(body).hexdigest()}\n"

    # the same inputs again: nothing written
    before = s3.head_object(Bucket="gt-out", Key="reports/_manifest.json")["ETag"]
    assert govtext.run("s3://gt-in/corpus", "s3://gt-out/reports")["unchanged"]
    assert s3.head_object(Bucket="gt-out", Key="reports/_manifest.json")["ETag"] == before

    # one input fewer: its partitions' files replaced, the old ones gone once the new
    # manifest is in, the untouched ones neither uploaded again nor deleted
    s3.delete_object(Bucket="gt-in", Key="corpus/qinghe_county_2024_report.txt")
    govtext.run("s3://gt-in/corpus", "s3://gt-out/reports")
    manifest2 = json.loads(s3.get_object(Bucket="gt-out", Key="reports/_manifest.json")["Body"].read())
    listed2 = sorted(f"reports/{f['path']}" for f in manifest2["files"])
    assert listed2 == [k for k in keys(s3, "gt-out", "reports/") if k.endswith(".parquet")]
    assert manifest2["tables"]["documents"]["rows"] == 7
    assert set(listed) & set(listed2), "files whose bytes did not change keep their names"
    assert set(listed) - set(listed2), "files that changed were replaced"


def test_a_prefix_that_is_not_a_dataset_is_not_written_into(endpoint: str):
    s3 = client(endpoint)
    s3.create_bucket(Bucket="gt-other")
    s3.put_object(Bucket="gt-other", Key="data/notes.txt", Body=b"someone else's")
    with pytest.raises(RuntimeError, match="no govtext dataset"):
        govtext.run(SAMPLES, "s3://gt-other/data")
    assert keys(s3, "gt-other", "data/") == ["data/notes.txt"]
