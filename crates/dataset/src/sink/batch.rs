//! Rows → Arrow RecordBatches, built from the tables' declarations in `schema` (each column
//! read by its getter, so a batch has the schema's columns in the schema's order by
//! construction).

use crate::schema::{arrow_schema, Col, Get, DOCUMENTS, INDICATORS, REJECTS, SECTIONS, SENTENCES};
use arrow_array::builder::StringBuilder;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, RecordBatch,
};
use govtext_core::model::*;
use std::sync::Arc;

/// One column of `rows` (each a row and the document it belongs to).
fn column<C, R>(get: &Get<C, R>, rows: &[(&C, &R)]) -> ArrayRef {
    let it = rows.iter().map(|&(c, r)| (c, r));
    match get {
        Get::Str(f) => strings(rows.len(), it.map(|(c, r)| Some(f(c, r)))),
        Get::OptStr(f) => strings(rows.len(), it.map(|(c, r)| f(c, r))),
        Get::I32(f) => Arc::new(Int32Array::from_iter_values(it.map(|(c, r)| f(c, r)))),
        Get::OptI32(f) => Arc::new(it.map(|(c, r)| f(c, r)).collect::<Int32Array>()),
        Get::I64(f) => Arc::new(Int64Array::from_iter_values(it.map(|(c, r)| f(c, r)))),
        Get::OptI64(f) => Arc::new(it.map(|(c, r)| f(c, r)).collect::<Int64Array>()),
        Get::OptF64(f) => Arc::new(it.map(|(c, r)| f(c, r)).collect::<Float64Array>()),
        Get::Bool(f) => Arc::new(it.map(|(c, r)| Some(f(c, r))).collect::<BooleanArray>()),
        Get::OptDate(f) => Arc::new(it.map(|(c, r)| f(c, r)).collect::<Date32Array>()),
        // ids are written straight into the column: no string per row while rows wait
        Get::Id(f) => ids(
            rows.len(),
            it.map(|(c, r)| f(c, r)).map(|(d, i)| (d, Some(i))),
        ),
        Get::OptId(f) => ids(rows.len(), it.map(|(c, r)| f(c, r))),
    }
}

/// A string column sized once: its values are measured first (a pass over borrowed
/// strings), so that megabytes of text are copied into one buffer, not into a buffer
/// doubled and copied again as it fills.
fn strings<'a>(n: usize, it: impl Iterator<Item = Option<&'a str>> + Clone) -> ArrayRef {
    let bytes = it.clone().map(|s| s.map_or(0, str::len)).sum();
    let mut b = StringBuilder::with_capacity(n, bytes);
    for s in it {
        b.append_option(s);
    }
    Arc::new(b.finish())
}

fn ids<'a>(n: usize, it: impl Iterator<Item = (&'a str, Option<RowId>)>) -> ArrayRef {
    let mut b = StringBuilder::with_capacity(n, n * 24);
    for (doc_id, id) in it {
        match id {
            Some(i) => {
                i.write(&mut b, doc_id);
                b.append_value("");
            }
            None => b.append_null(),
        }
    }
    Arc::new(b.finish())
}

fn build<C, R>(table: &str, cols: &[Col<C, R>], rows: &[(&C, &R)]) -> RecordBatch {
    let arrays = cols.iter().map(|c| column(&c.get, rows)).collect();
    RecordBatch::try_new(arrow_schema(table), arrays)
        .unwrap_or_else(|e| panic!("{table}: columns do not match the schema: {e}"))
}

/// The rows of one child table of `docs`, each with its document.
fn children<'a, R>(
    docs: &'a [DocRows],
    of: fn(&'a DocRows) -> &'a [R],
) -> Vec<(&'a DocumentRow, &'a R)> {
    docs.iter()
        .flat_map(|d| of(d).iter().map(move |r| (&d.document, r)))
        .collect()
}

pub fn documents(rows: &[DocumentRow]) -> RecordBatch {
    let rows: Vec<_> = rows.iter().map(|r| (&(), r)).collect();
    build("documents", DOCUMENTS, &rows)
}

/// The sections of `docs` (their documents still in place).
pub fn sections(docs: &[DocRows]) -> RecordBatch {
    build("sections", SECTIONS, &children(docs, |d| &d.sections))
}

/// The sentences of `docs`, their text sliced from each document's.
pub fn sentences(docs: &[DocRows]) -> RecordBatch {
    build("sentences", SENTENCES, &children(docs, |d| &d.sentences))
}

/// The indicators of `docs`.
pub fn indicators(docs: &[DocRows]) -> RecordBatch {
    build("indicators", INDICATORS, &children(docs, |d| &d.indicators))
}

pub fn rejects(rows: &[RejectRow]) -> RecordBatch {
    let rows: Vec<_> = rows.iter().map(|r| (&(), r)).collect();
    build("rejects", REJECTS, &rows)
}
