"""Types of the native module (`python/src/lib.rs`); the package's `__init__` wraps it."""

from typing import Any

import pyarrow

__version__: str
#: the fingerprint of the code and data that write the rows (the manifests' `build`)
BUILD: str

def process(
    inputs: list[tuple[Any, ...]],
    jobs: int | None = None,
    keep_original: bool = False,
    max_bytes: int = ...,
) -> dict[str, pyarrow.Table]: ...
def inspect(path: str) -> dict[str, Any]: ...
def inspect_bytes(id: str, bytes: bytes) -> dict[str, Any]: ...
def run(
    inputs: list[str],
    output: str,
    jobs: int | None = None,
    max_bytes: int = ...,
    full_refresh: bool = False,
    keep_original: bool = False,
    shard: str | None = None,
) -> dict[str, Any]: ...
def commit(output: str) -> dict[str, Any]: ...
def duckdb_views(dir: str) -> str: ...
