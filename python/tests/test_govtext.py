"""The Python package against the command line's job: the same rows for the same inputs
(every table, compared in DuckDB), every input accepted in every form the API takes, bad
inputs as exceptions with the reasons `rejects` gives, no crash on generated junk, the
datasets `run` writes opened by `read`, and the interpreter free while Rust works."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pytest

import govtext

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"


def except_both_ways(con: duckdb.DuckDBPyConnection, a: str, b: str) -> tuple[int, int]:
    """Rows of `a` not in `b` and of `b` not in `a`, every column compared by name."""
    cols = ", ".join(f'"{d[0]}"' for d in con.execute(f"SELECT * FROM {b} LIMIT 0").description)
    q = "SELECT count(*) FROM (SELECT {c} FROM {x} EXCEPT ALL SELECT {c} FROM {y})"
    n1 = con.execute(q.format(c=cols, x=a, y=b)).fetchall()[0][0]
    n2 = con.execute(q.format(c=cols, x=b, y=a)).fetchall()[0][0]
    return n1, n2


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    summary = govtext.run(str(SAMPLES), out, jobs=2)
    assert summary["documents"] == 8 and summary["rejects"] == 0
    return out


def test_process_gives_the_rows_run_writes(written: Path):
    tables = govtext.process(SAMPLES)
    con = govtext.read(written)
    for name in govtext.TABLES:
        con.register(f"p_{name}", tables[name])
        rows = con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
        assert tables[name].num_rows == rows, name
        assert except_both_ways(con, name, f"p_{name}") == (0, 0), name
    assert tables["documents"].num_rows == 8
    # the partition columns travel as columns
    docs = pl.from_arrow(tables["documents"])
    assert set(docs.columns) >= {"year", "province_code", "doc_id", "text"}
    assert docs.filter(pl.col("province_code") == "CN-LN").height >= 1


def test_the_samples_gdp_targets_with_polars():
    t = govtext.process(SAMPLES)
    ind = pl.from_arrow(t["indicators"])
    gdp = ind.filter((pl.col("indicator") == "gdp") & (pl.col("kind") == "target"))
    assert gdp.height >= 1
    assert gdp["growth_pct"].drop_nulls().min() > 0


def sample_texts() -> list[tuple[str, str]]:
    out = []
    for p in sorted(SAMPLES.glob("*.txt")):
        b = p.read_bytes()
        try:
            out.append((p.name, b.decode("utf-8")))
        except UnicodeDecodeError:
            pass  # the GBK and Big5 samples are read as bytes below
    return out


def test_tables_from_pyarrow_polars_and_duckdb_give_the_same_rows():
    docs = sample_texts()
    ids = [d[0] for d in docs]
    texts = [d[1] for d in docs]
    expected = govtext.process(pa.table({"id": ids, "text": texts}))
    assert expected["documents"].num_rows == len(docs)
    assert expected["documents"].column("source_path").to_pylist() == ids
    from_polars = govtext.process(pl.DataFrame({"id": ids, "text": texts}))
    from_lazy = govtext.process(pl.DataFrame({"id": ids, "text": texts}).lazy())
    con = duckdb.connect()
    rel = con.sql(
        "SELECT * FROM (VALUES " + ", ".join("(?, ?)" for _ in docs) + ") t(id, text)",
        params=[x for d in docs for x in d],
    )
    from_duckdb = govtext.process(rel)
    for name in govtext.TABLES:
        for other in (from_polars, from_lazy, from_duckdb):
            assert other[name].to_pylist() == expected[name].to_pylist(), name
    # raw bytes in any encoding, and titles, urls and dates, as a JSON Lines record gives them
    raw = [(p.name, p.read_bytes()) for p in sorted(SAMPLES.glob("*.txt"))]
    t = govtext.process(
        pa.table(
            {
                "id": [r[0] for r in raw],
                "bytes": [r[1] for r in raw],
                "title": ["某县政府工作报告"] * len(raw),
                "date": ["2024-01-10"] * len(raw),
            }
        )
    )
    # the same bytes as the files: the same documents (ids from the bytes), decoded alike
    files = govtext.process(sorted(SAMPLES.glob("*.txt")))["documents"]
    pairs = lambda tb: sorted(zip(tb.column("doc_id").to_pylist(), tb.column("encoding").to_pylist()))
    assert pairs(t["documents"]) == pairs(files)
    assert len(set(files.column("encoding").to_pylist())) == 3  # UTF-8, GBK, Big5
    assert set(t["documents"].column("title").to_pylist()) != {None}


def test_bytes_and_text_are_documents_named_by_position():
    report = (SAMPLES / "qinghe_county_2024_report.txt").read_bytes()
    t = govtext.process([report, report.decode("utf-8")])
    # the same bytes twice: the second is the duplicate a run makes of it
    assert t["documents"].column("source_path").to_pylist() == ["0"]
    assert t["rejects"].to_pylist()[0]["reason"] == "duplicate"
    assert t["rejects"].to_pylist()[0]["source_path"] == "1"


def test_bad_inputs_raise_with_the_reasons_rejects_give():
    with pytest.raises(govtext.Rejected) as e:
        govtext.inspect(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert e.value.reason == "binary"
    with pytest.raises(govtext.Rejected) as e:
        govtext.process([b""], errors="raise")
    assert e.value.reason == "empty" and e.value.source_path == "0"
    # the same inputs without errors="raise": rows of rejects
    t = govtext.process([b"", b"\x00\x01\x02\x03" * 100])
    assert [r["reason"] for r in t["rejects"].to_pylist()] == ["empty", "binary"]
    with pytest.raises(ValueError, match="no `id` column"):
        govtext.process(pa.table({"text": ["某县"]}))
    with pytest.raises(ValueError, match="neither a `text` nor a `bytes`"):
        govtext.process(pa.table({"id": ["a"]}))
    with pytest.raises(TypeError):
        govtext.process(12345)
    with pytest.raises(TypeError, match="where text was expected"):
        govtext.process(pa.table({"id": [1, 2], "text": ["某县", "某市"]}))
    with pytest.raises(ValueError, match="shard 9 does not exist"):
        govtext.run(SAMPLES, "/tmp/never-written", shard="9/3")
    with pytest.raises(RuntimeError, match="not a directory"):
        govtext.run(SAMPLES, SAMPLES / "qinghe_county_2024_report.txt")
    with pytest.raises(FileNotFoundError):
        govtext.read("/nonexistent/dataset")


def test_inspect_as_data():
    d = govtext.inspect(SAMPLES / "songlin_district_2024_report_pinyin.txt")
    assert d["document"]["pinyin_removed"] > 0
    assert d["document"]["script"] in ("hant", "mixed")
    assert d["sections"] and d["indicators"]
    assert all(i["doc_id"] == d["document"]["doc_id"] for i in d["indicators"])
    assert set(d["trace"]) == {"wraps_joined", "mojibake_spans", "removed"}


def junk(seed: int) -> list[bytes]:
    """Inputs of the shapes the property tests feed the binary: random bytes, random code
    points, GBK and Big5 cut anywhere, pinyin and brackets, huge lines, numbers everywhere."""
    rng = random.Random(seed)
    cjk = "政府工作报告全县地区生产总值增长百分之五点五以上力争目标区县市年月日一二三四五六七八九十"
    out = []
    for i in range(300):
        k = i % 8
        if k == 0:
            out.append(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))))
        elif k == 1:
            out.append("".join(chr(rng.randrange(1, 0x2FFFF)) for _ in range(rng.randrange(1, 200)))
                       .encode("utf-8", "surrogatepass"))
        elif k == 2:
            s = "".join(rng.choice(cjk) for _ in range(rng.randrange(1, 300))).encode("gbk")
            out.append(s[: rng.randrange(1, len(s) + 1)])
        elif k == 3:
            s = "".join(rng.choice(cjk) for _ in range(rng.randrange(1, 300))).encode("big5", "replace")
            out.append(s[: rng.randrange(1, len(s) + 1)])
        elif k == 4:
            out.append("".join(rng.choice(cjk) + rng.choice(["(qū)", "(", ")", "?", "!", ""])
                               for _ in range(rng.randrange(1, 200))).encode("utf-8"))
        elif k == 5:
            out.append(("增长" + "9" * rng.randrange(1, 400) + "%。").encode("utf-8") * rng.randrange(1, 5))
        elif k == 6:
            out.append(("一、" + "。" * rng.randrange(0, 50) + "\n" * rng.randrange(0, 50)).encode("utf-8"))
        else:
            out.append(b"<html>" + bytes(rng.randrange(32, 127) for _ in range(rng.randrange(0, 500))))
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_no_input_crashes_the_interpreter(seed: int):
    docs = junk(seed)
    t = govtext.process(docs, jobs=2)
    # every input is a document or a reject, none lost
    assert t["documents"].num_rows + t["rejects"].num_rows == len(docs)
    assert not [r for r in t["rejects"].to_pylist() if r["reason"] == "internal_error"]


def test_read_with_polars(written: Path):
    frames = govtext.read(written, engine="polars")
    assert set(frames) == set(govtext.TABLES)
    n = frames["indicators"].select(pl.len()).collect().item()
    assert n == govtext.read(written).execute("SELECT count(*) FROM indicators").fetchall()[0][0]
    assert "province_code" in frames["documents"].collect_schema().names()


def test_the_interpreter_runs_while_rust_works():
    docs = junk(3) * 4
    ticks = 0
    done = threading.Event()

    def tick():
        nonlocal ticks
        while not done.is_set():
            ticks += 1

    th = threading.Thread(target=tick)
    th.start()
    try:
        before = ticks
        govtext.process(docs, jobs=1)
        during = ticks - before
    finally:
        done.set()
        th.join()
    # a Python thread made progress while process() ran: the GIL was released
    assert during > 1000
