//! Row structs → Arrow RecordBatches, one function per table, columns in schema order.

use crate::schema::arrow_schema;
use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, StringArray,
    StringBuilder,
};
use arrow::record_batch::RecordBatch;
use govtext_core::model::*;
use std::sync::Arc;

fn s<'a, T: 'a>(rows: &'a [T], f: impl Fn(&'a T) -> &'a str) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(rows.iter().map(f)))
}
fn os<'a, T: 'a>(rows: &'a [T], f: impl Fn(&'a T) -> Option<&'a str>) -> ArrayRef {
    Arc::new(rows.iter().map(f).collect::<StringArray>())
}
fn i32s<T>(rows: &[T], f: impl Fn(&T) -> i32) -> ArrayRef {
    Arc::new(Int32Array::from_iter_values(rows.iter().map(f)))
}
fn oi32<T>(rows: &[T], f: impl Fn(&T) -> Option<i32>) -> ArrayRef {
    Arc::new(rows.iter().map(f).collect::<Int32Array>())
}
fn of64<T>(rows: &[T], f: impl Fn(&T) -> Option<f64>) -> ArrayRef {
    Arc::new(rows.iter().map(f).collect::<Float64Array>())
}

fn batch(table: &str, cols: Vec<ArrayRef>) -> RecordBatch {
    RecordBatch::try_new(arrow_schema(table), cols)
        .unwrap_or_else(|e| panic!("{table}: columns do not match the schema: {e}"))
}

pub fn documents(rows: &[DocumentRow]) -> RecordBatch {
    batch(
        "documents",
        vec![
            s(rows, |r| &r.doc_id),
            s(rows, |r| &r.source_path),
            Arc::new(Int64Array::from_iter_values(
                rows.iter().map(|r| r.source_bytes),
            )),
            s(rows, |r| &r.source_sha256),
            s(rows, |r| &r.encoding),
            i32s(rows, |r| r.decode_errors),
            s(rows, |r| &r.script),
            os(rows, |r| r.title.as_deref()),
            s(rows, |r| &r.doc_type),
            os(rows, |r| r.province.as_deref()),
            os(rows, |r| r.city.as_deref()),
            os(rows, |r| r.county.as_deref()),
            os(rows, |r| r.admin_code.as_deref()),
            os(rows, |r| r.admin_level.as_deref()),
            oi32(rows, |r| r.report_year),
            oi32(rows, |r| r.review_year),
            Arc::new(rows.iter().map(|r| r.meeting_date).collect::<Date32Array>()),
            os(rows, |r| r.meeting.as_deref()),
            os(rows, |r| r.speaker.as_deref()),
            os(rows, |r| r.speaker_title.as_deref()),
            Arc::new(
                rows.iter()
                    .map(|r| Some(r.is_truncated))
                    .collect::<BooleanArray>(),
            ),
            os(rows, |r| r.truncation.as_deref()),
            oi32(rows, |r| r.declared_chars),
            i32s(rows, |r| r.pinyin_removed),
            i32s(rows, |r| r.mojibake_repaired),
            i32s(rows, |r| r.mojibake_unrepaired),
            i32s(rows, |r| r.boilerplate_chars),
            i32s(rows, |r| r.converted_chars),
            i32s(rows, |r| r.char_count),
            i32s(rows, |r| r.section_count),
            i32s(rows, |r| r.sentence_count),
            i32s(rows, |r| r.indicator_count),
            s(rows, |r| &r.text),
            s(rows, |r| &r.text_original),
        ],
    )
}

/// A column of row ids (`RowId`), written straight into the column; `None` is a null.
fn ids<'a, R: 'a>(
    docs: &'a [DocRows],
    rows: impl Fn(&'a DocRows) -> &'a [R],
    id: impl Fn(&R) -> Option<RowId>,
) -> ArrayRef {
    let n: usize = docs.iter().map(|d| rows(d).len()).sum();
    let mut b = StringBuilder::with_capacity(n, n * 24);
    for d in docs {
        for r in rows(d) {
            match id(r) {
                Some(i) => {
                    i.write(&mut b, &d.document.doc_id);
                    b.append_value("");
                }
                None => b.append_null(),
            }
        }
    }
    Arc::new(b.finish())
}

/// The `doc_id` column of a child table: each row's document's id.
fn doc_ids<'a, R: 'a>(docs: &'a [DocRows], rows: impl Fn(&'a DocRows) -> &'a [R]) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(docs.iter().flat_map(|d| {
        std::iter::repeat_n(d.document.doc_id.as_str(), rows(d).len())
    })))
}

/// The sections of `docs` (their documents' ids still in place).
pub fn sections(docs: &[DocRows]) -> RecordBatch {
    let of: fn(&DocRows) -> &[SectionRow] = |d| &d.sections;
    let rows: Vec<&SectionRow> = docs.iter().flat_map(of).collect();
    batch(
        "sections",
        vec![
            doc_ids(docs, of),
            ids(docs, of, |r| Some(RowId::Section(r.seq))),
            ids(docs, of, |r| r.parent.map(RowId::Section)),
            i32s(&rows, |r| r.seq),
            i32s(&rows, |r| r.level),
            s(&rows, |r| &r.marker),
            oi32(&rows, |r| r.ordinal),
            s(&rows, |r| &r.title),
            s(&rows, |r| &r.path),
            os(&rows, |r| r.part.as_deref()),
            i32s(&rows, |r| r.char_start),
            i32s(&rows, |r| r.char_end),
            i32s(&rows, |r| r.sentence_count),
        ],
    )
}

/// The sentences of `docs`, their text sliced from each document's.
pub fn sentences(docs: &[DocRows]) -> RecordBatch {
    let of: fn(&DocRows) -> &[SentenceRow] = |d| &d.sentences;
    let rows: Vec<&SentenceRow> = docs.iter().flat_map(of).collect();
    let text = StringArray::from_iter_values(docs.iter().flat_map(|d| {
        d.sentences
            .iter()
            .map(|r| &d.document.text[r.bytes.clone()])
    }));
    batch(
        "sentences",
        vec![
            doc_ids(docs, of),
            ids(docs, of, |r| Some(RowId::Sentence(r.seq))),
            ids(docs, of, |r| r.section.map(RowId::Section)),
            i32s(&rows, |r| r.seq),
            Arc::new(text),
            i32s(&rows, |r| r.char_start),
            i32s(&rows, |r| r.char_end),
        ],
    )
}

/// The indicators of `docs`.
pub fn indicators(docs: &[DocRows]) -> RecordBatch {
    let of: fn(&DocRows) -> &[IndicatorRow] = |d| &d.indicators;
    let rows: Vec<&IndicatorRow> = docs.iter().flat_map(of).collect();
    batch(
        "indicators",
        vec![
            doc_ids(docs, of),
            ids(docs, of, |r| Some(RowId::Indicator(r.seq))),
            ids(docs, of, |r| Some(RowId::Sentence(r.sentence))),
            ids(docs, of, |r| r.section.map(RowId::Section)),
            i32s(&rows, |r| r.seq),
            os(&rows, |r| r.indicator),
            os(&rows, |r| r.indicator_name),
            os(&rows, |r| r.subject.as_deref()),
            s(&rows, |r| &r.mention),
            of64(&rows, |r| r.value),
            os(&rows, |r| r.unit.as_deref()),
            of64(&rows, |r| r.value_base),
            os(&rows, |r| r.base_unit),
            of64(&rows, |r| r.growth_pct),
            os(&rows, |r| r.growth_basis),
            s(&rows, |r| r.kind.as_str()),
            os(&rows, |r| r.qualifier.map(Qualifier::as_str)),
            os(&rows, |r| r.commitment.map(Commitment::as_str)),
            of64(&rows, |r| r.value_high),
            of64(&rows, |r| r.growth_high),
            os(&rows, |r| r.approximate),
            oi32(&rows, |r| r.period_year),
            i32s(&rows, |r| r.char_start),
            i32s(&rows, |r| r.char_end),
        ],
    )
}

pub fn rejects(rows: &[RejectRow]) -> RecordBatch {
    batch(
        "rejects",
        vec![
            s(rows, |r| &r.source_path),
            Arc::new(rows.iter().map(|r| r.source_bytes).collect::<Int64Array>()),
            s(rows, |r| &r.reason),
            s(rows, |r| &r.message),
            os(rows, |r| r.duplicate_of.as_deref()),
        ],
    )
}
