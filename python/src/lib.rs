//! `govtext._native`: the pipeline for the Python package. Documents come in as paths,
//! bytes, text or the rows of an Arrow table (anything with `__arrow_c_stream__`: pyarrow,
//! polars, DuckDB); the five tables go back as `pyarrow.Table`s through the Arrow C data
//! interface (no row becomes a Python object). The interpreter is released (`detach`) while
//! the stages run. The package's Python layer (`pysrc/govtext`) chooses what each input is
//! and shapes the results; this module does the work.
//!
//! The allocator is the system's: the `govtext` binary installs mimalloc as its global
//! allocator, a library inside someone else's process does not.

use arrow_array::{
    Array, ArrayRef, BinaryArray, BinaryViewArray, Date32Array, Int32Array, LargeBinaryArray,
    LargeStringArray, RecordBatch, StringArray, StringViewArray,
};
use arrow_pyarrow::{FromPyArrow, IntoPyArrow, Table};
use arrow_schema::{DataType, Field, Schema};
use govtext::model::{DocRows, Hints, PartitionKey, RejectRow};
use govtext::pipeline::{self, Collected, Source};
use govtext::sink::{batch, RowOptions, Shard};
use govtext::source::{self, Item, SourceOptions};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use std::path::PathBuf;
use std::sync::Arc;

/// An error of the pipeline or the dataset, with its chain of causes on one line (as the
/// command line prints it).
fn failed(e: anyhow::Error) -> PyErr {
    let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    PyRuntimeError::new_err(chain.join(": "))
}

fn jobs_or_cores(jobs: Option<usize>) -> usize {
    jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    })
    .max(1)
}

/// One input as the Python layer hands it over: `("path", p)`, `("doc", id, bytes, text,
/// title, url, date)` or `("table", obj)`.
enum Input {
    Path(PathBuf),
    Item(Item),
    Items(Vec<Item>),
}

fn doc_item(
    id: String,
    bytes: Vec<u8>,
    title: Option<String>,
    url: Option<String>,
    date: Option<String>,
    opts: &SourceOptions,
) -> Item {
    let hints = Hints {
        id: Some(id.clone()),
        title,
        url,
        date,
    };
    source::from_memory(&id, bytes, hints, opts)
}

/// The `i`th value of a text column (utf8, large or view), if not null.
fn text_at(col: &ArrayRef, i: usize) -> PyResult<Option<String>> {
    if col.is_null(i) {
        return Ok(None);
    }
    let any = col.as_any();
    if let Some(a) = any.downcast_ref::<StringArray>() {
        return Ok(Some(a.value(i).to_string()));
    }
    if let Some(a) = any.downcast_ref::<LargeStringArray>() {
        return Ok(Some(a.value(i).to_string()));
    }
    if let Some(a) = any.downcast_ref::<StringViewArray>() {
        return Ok(Some(a.value(i).to_string()));
    }
    if let Some(a) = any.downcast_ref::<Date32Array>() {
        return Ok(a.value_as_date(i).map(|d| d.to_string()));
    }
    Err(PyTypeError::new_err(format!(
        "a column of type {} where text was expected",
        col.data_type()
    )))
}

/// The `i`th value of a binary column (plain, large or view), if not null.
fn bytes_at(col: &ArrayRef, i: usize) -> PyResult<Option<Vec<u8>>> {
    if col.is_null(i) {
        return Ok(None);
    }
    let any = col.as_any();
    if let Some(a) = any.downcast_ref::<BinaryArray>() {
        return Ok(Some(a.value(i).to_vec()));
    }
    if let Some(a) = any.downcast_ref::<LargeBinaryArray>() {
        return Ok(Some(a.value(i).to_vec()));
    }
    if let Some(a) = any.downcast_ref::<BinaryViewArray>() {
        return Ok(Some(a.value(i).to_vec()));
    }
    Err(PyTypeError::new_err(format!(
        "column `bytes` is of type {}; it must be binary",
        col.data_type()
    )))
}

/// The documents of an Arrow table: a row each, `id` naming it (its `source_path`), its
/// `text` or its raw `bytes`, and `title`, `url`, `date` when the table has them.
fn table_items(obj: &Bound<'_, PyAny>, opts: &SourceOptions) -> PyResult<Vec<Item>> {
    let table = Table::from_pyarrow_bound(obj)?;
    let schema = table.schema();
    let has = |n: &str| schema.column_with_name(n).is_some();
    if !has("id") {
        return Err(PyValueError::new_err(
            "the table has no `id` column: every document needs one (it becomes source_path)",
        ));
    }
    if !has("text") && !has("bytes") {
        return Err(PyValueError::new_err(
            "the table has neither a `text` nor a `bytes` column",
        ));
    }
    let mut items = Vec::new();
    for b in table.record_batches() {
        let col = |n: &str| b.column_by_name(n).cloned();
        let (id, text, raw) = (col("id").expect("checked"), col("text"), col("bytes"));
        let (title, url, date) = (col("title"), col("url"), col("date"));
        for i in 0..b.num_rows() {
            let id = text_at(&id, i)?.ok_or_else(|| {
                PyValueError::new_err(format!("row {i} of the table has a null `id`"))
            })?;
            let body = match (&raw, &text) {
                (Some(r), _) if !r.is_null(i) => bytes_at(r, i)?.unwrap_or_default(),
                (_, Some(t)) => text_at(t, i)?.unwrap_or_default().into_bytes(),
                _ => Vec::new(),
            };
            let opt = |c: &Option<ArrayRef>| -> PyResult<Option<String>> {
                match c {
                    Some(c) => text_at(c, i),
                    None => Ok(None),
                }
            };
            items.push(doc_item(
                id,
                body,
                opt(&title)?,
                opt(&url)?,
                opt(&date)?,
                opts,
            ));
        }
    }
    Ok(items)
}

fn inputs_of(list: &Bound<'_, PyList>, opts: &SourceOptions) -> PyResult<Vec<Input>> {
    let mut out = Vec::new();
    for x in list.iter() {
        let t = x.cast::<PyTuple>()?;
        let kind: String = t.get_item(0)?.extract()?;
        match kind.as_str() {
            "path" => out.push(Input::Path(t.get_item(1)?.extract()?)),
            "doc" => {
                let id: String = t.get_item(1)?.extract()?;
                let bytes: Vec<u8> = t.get_item(2)?.extract()?;
                out.push(Input::Item(doc_item(
                    id,
                    bytes,
                    t.get_item(3)?.extract()?,
                    t.get_item(4)?.extract()?,
                    t.get_item(5)?.extract()?,
                    opts,
                )));
            }
            "table" => out.push(Input::Items(table_items(&t.get_item(1)?, opts)?)),
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown input kind {other:?}"
                )))
            }
        }
    }
    Ok(out)
}

/// Paths alone are read as the run reads them (walked, streamed); anything else makes every
/// input a document in memory, in the order given.
fn source_of(inputs: Vec<Input>, opts: SourceOptions) -> Source {
    if inputs.iter().all(|i| matches!(i, Input::Path(_))) {
        let paths = inputs
            .into_iter()
            .filter_map(|i| match i {
                Input::Path(p) => Some(p),
                _ => None,
            })
            .collect();
        return Source::Paths {
            inputs: paths,
            opts,
            shard: None,
        };
    }
    let mut items = Vec::new();
    for i in inputs {
        match i {
            Input::Path(p) => source::expand(std::slice::from_ref(&p), |entry| match entry {
                Ok(path) => source::read(&path, &opts, |item| items.push(item)),
                Err(item) => items.push(item),
            }),
            Input::Item(item) => items.push(item),
            Input::Items(v) => items.extend(v),
        }
    }
    Source::Items(items)
}

/// `batch` with the partition columns (`year`, `province_code`) of each row appended: the
/// files keep them in their paths, a table in memory as columns.
fn with_partition(batch: RecordBatch, keys: &[&PartitionKey]) -> PyResult<RecordBatch> {
    let year: Int32Array = keys.iter().map(|k| k.year).collect();
    let prov: StringArray = keys.iter().map(|k| k.province_code.as_deref()).collect();
    let mut fields: Vec<Field> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    fields.push(Field::new("year", DataType::Int32, true));
    fields.push(Field::new("province_code", DataType::Utf8, true));
    let mut cols = batch.columns().to_vec();
    cols.push(Arc::new(year));
    cols.push(Arc::new(prov));
    let schema = Schema::new_with_metadata(fields, batch.schema().metadata().clone());
    RecordBatch::try_new(Arc::new(schema), cols).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

fn to_table(py: Python<'_>, batch: RecordBatch) -> PyResult<Bound<'_, PyAny>> {
    let schema = batch.schema();
    Table::try_new(vec![batch], schema)
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?
        .into_pyarrow(py)
}

/// The five tables of `docs` and `rejects`, as pyarrow tables.
fn tables<'py>(
    py: Python<'py>,
    docs: Vec<DocRows>,
    rejects: &[RejectRow],
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    // the child tables first: the sentences' text is sliced from their documents'
    let children = |n: fn(&DocRows) -> usize| -> Vec<&PartitionKey> {
        docs.iter()
            .flat_map(|d| std::iter::repeat_n(&d.partition, n(d)))
            .collect()
    };
    let (sections, sentences, indicators) = py.detach(|| {
        (
            with_partition(batch::sections(&docs), &children(|d| d.sections.len())),
            with_partition(batch::sentences(&docs), &children(|d| d.sentences.len())),
            with_partition(batch::indicators(&docs), &children(|d| d.indicators.len())),
        )
    });
    let keys: Vec<PartitionKey> = docs.iter().map(|d| d.partition.clone()).collect();
    let documents = py.detach(|| {
        let rows: Vec<_> = docs.into_iter().map(|d| d.document).collect();
        with_partition(batch::documents(&rows), &keys.iter().collect::<Vec<_>>())
    });
    out.set_item("documents", to_table(py, documents?)?)?;
    out.set_item("sections", to_table(py, sections?)?)?;
    out.set_item("sentences", to_table(py, sentences?)?)?;
    out.set_item("indicators", to_table(py, indicators?)?)?;
    out.set_item("rejects", to_table(py, batch::rejects(rejects))?)?;
    Ok(out)
}

/// `process(inputs, jobs=None, keep_original=False, max_bytes=...)`: the five tables of the
/// rows a run over `inputs` writes.
#[pyfunction]
#[pyo3(signature = (inputs, jobs=None, keep_original=false, max_bytes=512 << 20))]
fn process<'py>(
    py: Python<'py>,
    inputs: &Bound<'py, PyList>,
    jobs: Option<usize>,
    keep_original: bool,
    max_bytes: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = SourceOptions { max_bytes };
    let inputs = inputs_of(inputs, &opts)?;
    let jobs = jobs_or_cores(jobs);
    let options = RowOptions { keep_original };
    let (
        Collected {
            documents, rejects, ..
        },
        _,
    ) = py
        .detach(|| pipeline::collect(source_of(inputs, opts), jobs, options))
        .map_err(failed)?;
    tables(py, documents, &rejects)
}

/// `inspect(path)`: the documents of one file through every stage: their tables (a row of
/// documents each, or of rejects) and what the stages changed in each.
#[pyfunction]
fn inspect<'py>(py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, PyDict>> {
    let mut items = Vec::new();
    source::read(&path, &SourceOptions::default(), |i| items.push(i));
    inspect_items(py, items)
}

/// `inspect_bytes(id, bytes)`: `inspect` of a document given in memory, named `id`.
#[pyfunction]
fn inspect_bytes<'py>(py: Python<'py>, id: String, bytes: Vec<u8>) -> PyResult<Bound<'py, PyDict>> {
    let item = doc_item(id, bytes, None, None, None, &SourceOptions::default());
    inspect_items(py, vec![item])
}

fn inspect_items(py: Python<'_>, items: Vec<Item>) -> PyResult<Bound<'_, PyDict>> {
    let res = py.detach(pipeline::resources);
    let mut docs = Vec::new();
    let mut rejects = Vec::new();
    let out = PyDict::new(py);
    let traces = PyList::empty(py);
    for item in items {
        match item {
            Item::Reject(r) => rejects.push(r),
            Item::Doc(raw) => {
                let mut times = pipeline::StageTimes::default();
                let (result, trace) = py.detach(|| pipeline::process_traced(raw, &res, &mut times));
                match result {
                    Ok(rows) => {
                        let t = PyDict::new(py);
                        t.set_item("wraps_joined", trace.wraps_joined)?;
                        t.set_item("mojibake_spans", trace.mojibake_spans.clone())?;
                        let removed: Vec<(String, String)> = trace
                            .removed
                            .iter()
                            .map(|(rule, line)| (rule.as_str().to_string(), line.clone()))
                            .collect();
                        t.set_item("removed", removed)?;
                        traces.append(t)?;
                        docs.push(rows);
                    }
                    Err(r) => rejects.push(r),
                }
            }
        }
    }
    out.set_item("tables", tables(py, docs, &rejects)?)?;
    out.set_item("traces", traces)?;
    Ok(out)
}

/// `run(inputs, output, ...)`: the command line's `govtext run`; returns its summary.
#[pyfunction]
#[pyo3(signature = (inputs, output, jobs=None, max_bytes=512 << 20, full_refresh=false, keep_original=false, shard=None))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    inputs: Vec<PathBuf>,
    output: PathBuf,
    jobs: Option<usize>,
    max_bytes: u64,
    full_refresh: bool,
    keep_original: bool,
    shard: Option<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let shard = shard
        .map(|s| Shard::parse(&s, &|k| std::env::var(k).ok()))
        .transpose()
        .map_err(|e| PyValueError::new_err(format!("{e:#}")))?;
    let cfg = govtext::Config {
        inputs,
        output,
        jobs: jobs_or_cores(jobs),
        max_bytes,
        full_refresh,
        keep_original,
        shard,
    };
    let r = py.detach(|| govtext::run(&cfg)).map_err(failed)?;
    let out = PyDict::new(py);
    out.set_item("documents", r.documents)?;
    out.set_item("rejects", r.rejects)?;
    out.set_item("rejects_by_reason", r.rejects_by_reason.clone())?;
    out.set_item("reused", r.reused)?;
    out.set_item("unchanged", r.unchanged)?;
    out.set_item("tables", r.tables.clone())?;
    out.set_item("input_bytes", r.input_bytes)?;
    out.set_item("seconds", r.elapsed.as_secs_f64())?;
    Ok(out)
}

/// `commit(output)`: the command line's `govtext commit`; returns what was published.
#[pyfunction]
fn commit<'py>(py: Python<'py>, output: PathBuf) -> PyResult<Bound<'py, PyDict>> {
    let c = py
        .detach(|| govtext::sink::shards::commit(&output, &govtext::TOOL))
        .map_err(failed)?;
    let out = PyDict::new(py);
    out.set_item("shards", c.shards)?;
    out.set_item("documents", c.documents)?;
    out.set_item("rejects", c.rejects)?;
    out.set_item("duplicates", c.duplicates)?;
    out.set_item("tables", c.tables.clone())?;
    out.set_item("unchanged", c.unchanged)?;
    Ok(out)
}

/// `duckdb_views(dir)`: the `CREATE VIEW`s of `govtext schema --format duckdb DIR`.
#[pyfunction]
fn duckdb_views(dir: &str) -> String {
    govtext::schema::duckdb_ddl(dir)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("BUILD", govtext::TOOL.build)?;
    m.add_function(wrap_pyfunction!(process, m)?)?;
    m.add_function(wrap_pyfunction!(inspect, m)?)?;
    m.add_function(wrap_pyfunction!(inspect_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(commit, m)?)?;
    m.add_function(wrap_pyfunction!(duckdb_views, m)?)?;
    Ok(())
}
