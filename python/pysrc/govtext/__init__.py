"""govtext: Chinese government documents -> documents, sections, sentences, indicators.

The pipeline of the ``govtext`` command line, in Python. The work is done in Rust, with the
interpreter released; the tables come back as ``pyarrow.Table``s through the Arrow C data
interface (no row becomes a Python object on the way).

>>> import govtext
>>> t = govtext.process("samples/")                 # a folder, a file, or several
>>> t["indicators"].num_rows > 0
True
>>> import polars as pl
>>> gdp = pl.from_arrow(t["indicators"]).filter(pl.col("indicator") == "gdp")

* ``process(docs)``: the five tables (``documents``, ``sections``, ``sentences``,
  ``indicators``, ``rejects``) of the rows ``govtext run`` writes for the same inputs, with
  the partition columns ``year`` and ``province_code`` as columns.
* ``inspect(doc)``: one document through every stage, as a dict.
* ``run(inputs, output, ...)``: the command line's job, into a Parquet dataset.
* ``commit(output)``: publish the shards of a run (``run(..., shard="I/N")``).
* ``read(output)``: a DuckDB connection with the tables as views, or polars LazyFrames.
* ``govtext.dask.run(inputs, output, client=..., shards=N)``: the shards on a Dask cluster.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Union

from . import _native

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import polars
    import pyarrow

__all__ = [
    "Rejected",
    "TABLES",
    "commit",
    "inspect",
    "process",
    "read",
    "run",
]

__version__: str = _native.__version__

#: The tables ``process`` returns and ``run`` writes, in the order they are written.
TABLES = ("documents", "sections", "sentences", "indicators", "rejects")

PathLike = Union[str, "os.PathLike[str]"]


class Rejected(ValueError):
    """A document the pipeline could not make anything of: the row ``rejects`` would hold.

    ``reason`` is the ``rejects.reason`` vocabulary (``empty``, ``binary``, ``undecodable``,
    ``too_large``, ``duplicate``, ...), ``message`` names the input, the stage and the cause.
    """

    def __init__(self, source_path: str, reason: str, message: str):
        super().__init__(message)
        self.source_path = source_path
        self.reason = reason
        self.message = message


def _is_table(x: Any) -> bool:
    return hasattr(x, "__arrow_c_stream__") or hasattr(x, "arrow") or hasattr(x, "collect")


def _as_stream(x: Any) -> Any:
    """Something speaking the Arrow PyCapsule stream interface."""
    if hasattr(x, "collect") and not hasattr(x, "__arrow_c_stream__"):
        x = x.collect()  # a polars LazyFrame
    if not hasattr(x, "__arrow_c_stream__") and hasattr(x, "arrow"):
        x = x.arrow()  # an older DuckDB relation
    if not hasattr(x, "__arrow_c_stream__"):
        raise TypeError(f"{type(x).__name__} does not speak the Arrow stream interface")
    return x


def _inputs(docs: Any) -> list[tuple]:
    """What each input is: a path, a document (bytes or text), or a table of documents."""
    if isinstance(docs, (str, bytes, os.PathLike)) or _is_table(docs):
        docs = [docs]
    out: list[tuple] = []
    for i, d in enumerate(docs):
        if isinstance(d, os.PathLike):
            out.append(("path", os.fspath(d)))
        elif isinstance(d, str):
            # a str that names a file or a directory is that path; any other is a text
            if "\n" not in d and len(d) < 4096 and os.path.exists(d):
                out.append(("path", d))
            else:
                out.append(("doc", str(i), d.encode("utf-8"), None, None, None))
        elif isinstance(d, (bytes, bytearray, memoryview)):
            out.append(("doc", str(i), bytes(d), None, None, None))
        elif _is_table(d):
            out.append(("table", _as_stream(d)))
        else:
            raise TypeError(
                f"input {i}: {type(d).__name__}; expected a path, bytes, str, or a table with "
                "`id` and `text` or `bytes` (pyarrow, polars, DuckDB)"
            )
    return out


def process(
    docs: Any,
    *,
    jobs: int | None = None,
    keep_original: bool = False,
    max_bytes: int = 512 << 20,
    errors: str = "rejects",
) -> dict[str, "pyarrow.Table"]:
    """The rows ``govtext run`` writes for ``docs``, as five ``pyarrow.Table``s.

    ``docs`` is a path (a file or a directory, walked as the command line walks it), ``bytes``
    (a document's raw bytes, in any encoding the pipeline reads), a ``str`` (a document's
    text; a ``str`` that names an existing file or directory is that path), a table of
    documents (pyarrow, polars or DuckDB, or anything with ``__arrow_c_stream__``) with an
    ``id`` column (it becomes ``source_path``), ``text`` or ``bytes``, and optionally
    ``title``, ``url`` and ``date`` — or a list of any of these. Documents given as bytes or
    text are named by their position (``"0"``, ``"1"``, ...).

    Returns ``{"documents", "sections", "sentences", "indicators", "rejects"}``, each table
    with the partition columns ``year`` and ``province_code`` as columns (the files keep them
    in their paths). Inputs that are no document are rows of ``rejects``, as in a run; with
    ``errors="raise"`` the first of them raises ``Rejected`` instead.

    >>> t = process(["…２０２４年全县地区生产总值增长５．５％…".encode("utf-8")])
    >>> t["documents"].num_rows
    1
    """
    if errors not in ("rejects", "raise"):
        raise ValueError('errors must be "rejects" or "raise"')
    tables = _native.process(
        _inputs(docs), jobs=jobs, keep_original=keep_original, max_bytes=max_bytes
    )
    if errors == "raise" and tables["rejects"].num_rows:
        first = tables["rejects"].slice(0, 1).to_pylist()[0]
        raise Rejected(first["source_path"], first["reason"], first["message"])
    return {name: tables[name] for name in TABLES}


def inspect(doc: Any) -> dict[str, Any]:
    """One document through every stage, as data: what ``govtext inspect FILE`` prints.

    ``doc`` is a path, ``bytes`` or a ``str`` (as in ``process``). Returns ``document`` (its
    row of ``documents`` as a dict), ``sections``, ``sentences`` and ``indicators`` (lists of
    row dicts) and ``trace`` (what repair and clean changed: ``wraps_joined``,
    ``mojibake_spans`` as ``(found, repaired)`` pairs, ``removed`` as ``(rule, line)``
    pairs). A document the pipeline rejects raises ``Rejected`` with the reason ``rejects``
    would give it. A path that holds several documents (``.jsonl``) gives the first; use
    ``process`` for all of them.
    """
    (kind, *rest) = _inputs(doc)[0]
    if kind == "path":
        if os.path.isdir(rest[0]):
            raise IsADirectoryError(f"{rest[0]}: inspect reads one document; process() reads folders")
        out = _native.inspect(rest[0])
    elif kind == "doc":
        out = _native.inspect_bytes(rest[0], rest[1])
    else:
        raise TypeError("inspect reads one document: a path, bytes or a str")
    tables = out["tables"]
    if tables["documents"].num_rows == 0:
        r = tables["rejects"].slice(0, 1).to_pylist()
        if not r:
            raise Rejected(str(rest[0]), "empty", f"{rest[0]}: no document in it")
        raise Rejected(r[0]["source_path"], r[0]["reason"], r[0]["message"])
    doc_id = tables["documents"].column("doc_id")[0].as_py()

    def rows(t: str) -> list[dict[str, Any]]:
        return [r for r in tables[t].to_pylist() if r["doc_id"] == doc_id]

    return {
        "document": rows("documents")[0],
        "sections": rows("sections"),
        "sentences": rows("sentences"),
        "indicators": rows("indicators"),
        "trace": out["traces"][0],
    }


def run(
    inputs: PathLike | Iterable[PathLike],
    output: PathLike = "output",
    *,
    jobs: int | None = None,
    max_bytes: int = 512 << 20,
    full_refresh: bool = False,
    keep_original: bool = False,
    shard: str | None = None,
) -> dict[str, Any]:
    """The command line's ``govtext run INPUTS -o OUTPUT``: the same options, the same dataset.

    Returns the run's summary: ``documents``, ``rejects``, ``rejects_by_reason``, ``reused``
    (documents kept from the dataset already there), ``unchanged``, ``tables`` (rows per
    table), ``input_bytes``, ``seconds``. ``shard="I/N"`` (or ``"auto/N"``) writes one shard
    of the run for ``commit`` to publish. A run that cannot write its dataset raises
    ``RuntimeError`` with the reason (the command line's one-line error).
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    return _native.run(
        [os.fspath(p) for p in inputs],
        os.fspath(output),
        jobs=jobs,
        max_bytes=max_bytes,
        full_refresh=full_refresh,
        keep_original=keep_original,
        shard=shard,
    )


def commit(output: PathLike = "output") -> dict[str, Any]:
    """The command line's ``govtext commit OUTPUT``: publish every shard of a run as one
    dataset, atomically. Raises ``RuntimeError`` naming what is missing or mixed."""
    return _native.commit(os.fspath(output))


def read(
    output: PathLike = "output", *, engine: str = "duckdb"
) -> Union["duckdb.DuckDBPyConnection", Mapping[str, "polars.LazyFrame"]]:
    """A written dataset, opened for queries.

    ``engine="duckdb"``: an in-memory DuckDB connection with a view per table
    (``con.sql("SELECT * FROM indicators WHERE indicator = 'gdp'")``). ``engine="polars"``:
    ``{table: polars.LazyFrame}``. Both read the partition columns from the paths.
    """
    root = Path(output)
    if not (root / "_manifest.json").exists():
        raise FileNotFoundError(f"{root}: no govtext dataset (_manifest.json) there")
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        for view in _native.duckdb_views(str(root)).split(";"):
            if view.strip():
                con.execute(view).fetchall()
        return con
    if engine == "polars":
        import polars as pl

        return {
            t: pl.scan_parquet(str(root / t / "**" / "*.parquet"), hive_partitioning=True)
            for t in TABLES
        }
    raise ValueError('engine must be "duckdb" or "polars"')
