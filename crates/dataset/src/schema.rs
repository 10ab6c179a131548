//! The output contract: the Arrow schema of every table, with the meaning of every column.
//! `schemas/<table>.json` is generated from here (`govtext schema --write schemas`) and a
//! test fails when the checked-in files differ from what this module says.

use arrow_schema::{DataType, Field, Schema, SchemaRef};
use govtext_core::model::{DocumentRow, IndicatorRow, RejectRow, RowId, SectionRow, SentenceRow};
use serde_json::json;
use std::sync::Arc;

/// 2: `documents.text_original` is null unless a run keeps it (`--keep-original`).
pub const SCHEMA_VERSION: u32 = 2;

/// The five tables, in the order they are written and listed.
pub const TABLES: [&str; 5] = [
    "documents",
    "sections",
    "sentences",
    "indicators",
    "rejects",
];

/// Tables derived from the others after a run (`govtext panel`), not written by `run`.
pub const DERIVED: [&str; 1] = ["panel"];

/// Every table of the contract: the five a run writes, then the derived ones.
pub fn all_tables() -> impl Iterator<Item = &'static str> {
    TABLES.iter().chain(DERIVED.iter()).copied()
}

/// Tables written under `year=…/province_code=…`; `rejects` has no document year or region,
/// the panel is one small file.
pub fn is_partitioned(table: &str) -> bool {
    !matches!(table, "rejects" | "panel")
}

/// One column of the contract, as the schema files, the Markdown table and the DDL state it.
pub struct Column {
    pub name: &'static str,
    pub ty: DataType,
    pub nullable: bool,
    pub meaning: &'static str,
    /// Parquet dictionary encoding: on for low-cardinality strings, off for long free text
    /// where a dictionary only costs time.
    pub dictionary: bool,
}

/// Off also for the columns of nearly one value per row (paths, hashes, and the ids of the
/// rows other tables point to): a dictionary of them only grows past its page limit and falls
/// back to plain values, which (as dictionary columns) were left uncompressed. And off for a
/// row's position in its document (`seq`, `char_start`, `char_end`): within a row group
/// nearly every value is new, and zstd shrinks the plain values more than a dictionary page
/// with its indices (the bench corpus: 13.8 → 9.9 MB over the three tables, and the hashing
/// of every value saved).
fn dictionary(name: &str) -> bool {
    !matches!(
        name,
        "text"
            | "text_original"
            | "mention"
            | "subject"
            | "source_path"
            | "source_sha256"
            | "sentence_id"
            | "section_id"
            | "parent_id"
            | "seq"
            | "char_start"
            | "char_end"
    )
}

/// How a column's value is read from a row `R` of a table (with `C`, the document a child
/// row belongs to). The variant fixes the column's Arrow type and whether it may be null, so
/// the schema and the batches are one declaration and cannot disagree.
pub enum Get<C: 'static, R: 'static> {
    Str(for<'a> fn(&'a C, &'a R) -> &'a str),
    OptStr(for<'a> fn(&'a C, &'a R) -> Option<&'a str>),
    I32(fn(&C, &R) -> i32),
    OptI32(fn(&C, &R) -> Option<i32>),
    I64(fn(&C, &R) -> i64),
    OptI64(fn(&C, &R) -> Option<i64>),
    OptF64(fn(&C, &R) -> Option<f64>),
    Bool(fn(&C, &R) -> bool),
    /// Days since 1970-01-01.
    OptDate(fn(&C, &R) -> Option<i32>),
    /// A row's id (`RowId`), written after its document's id.
    Id(for<'a> fn(&'a C, &'a R) -> (&'a str, RowId)),
    OptId(for<'a> fn(&'a C, &'a R) -> (&'a str, Option<RowId>)),
}

impl<C, R> Get<C, R> {
    pub fn data_type(&self) -> DataType {
        match self {
            Get::Str(_) | Get::OptStr(_) | Get::Id(_) | Get::OptId(_) => Utf8,
            Get::I32(_) | Get::OptI32(_) => Int32,
            Get::I64(_) | Get::OptI64(_) => Int64,
            Get::OptF64(_) => Float64,
            Get::Bool(_) => Boolean,
            Get::OptDate(_) => Date32,
        }
    }

    pub fn nullable(&self) -> bool {
        matches!(
            self,
            Get::OptStr(_)
                | Get::OptI32(_)
                | Get::OptI64(_)
                | Get::OptF64(_)
                | Get::OptDate(_)
                | Get::OptId(_)
        )
    }
}

/// A column of a written table: its name, its meaning and how it is read from a row.
pub struct Col<C: 'static, R: 'static> {
    pub name: &'static str,
    pub meaning: &'static str,
    pub get: Get<C, R>,
}

/// A column read from the row's field of the same name, by the field's kind:
/// `str`/`opt_str` (String or &str), `vocab`/`opt_vocab` (an enum with `as_str`), and the
/// numbers as they are. `name = getter` for a column computed from the row and its document.
macro_rules! col {
    ($name:ident = $get:expr, $m:literal) => {
        Col {
            name: stringify!($name),
            meaning: $m,
            get: $get,
        }
    };
    ($f:ident: str, $m:literal) => {
        col!($f = Get::Str(|_, r| &*r.$f), $m)
    };
    ($f:ident: opt_str, $m:literal) => {
        col!($f = Get::OptStr(|_, r| r.$f.as_deref()), $m)
    };
    ($f:ident: vocab, $m:literal) => {
        col!($f = Get::Str(|_, r| r.$f.as_str()), $m)
    };
    ($f:ident: opt_vocab, $m:literal) => {
        col!($f = Get::OptStr(|_, r| r.$f.map(|v| v.as_str())), $m)
    };
    ($f:ident: i32, $m:literal) => {
        col!($f = Get::I32(|_, r| r.$f), $m)
    };
    ($f:ident: opt_i32, $m:literal) => {
        col!($f = Get::OptI32(|_, r| r.$f), $m)
    };
    ($f:ident: i64, $m:literal) => {
        col!($f = Get::I64(|_, r| r.$f), $m)
    };
    ($f:ident: opt_i64, $m:literal) => {
        col!($f = Get::OptI64(|_, r| r.$f), $m)
    };
    ($f:ident: opt_f64, $m:literal) => {
        col!($f = Get::OptF64(|_, r| r.$f), $m)
    };
    ($f:ident: bool, $m:literal) => {
        col!($f = Get::Bool(|_, r| r.$f), $m)
    };
    ($f:ident: opt_date, $m:literal) => {
        col!($f = Get::OptDate(|_, r| r.$f), $m)
    };
}

use DataType::{Boolean, Date32, Float64, Int32, Int64, Utf8};

#[rustfmt::skip]
pub const DOCUMENTS: &[Col<(), DocumentRow>] = &[
    col!(doc_id: str, "Stable id: first 16 hex digits of the SHA-256 of the input's raw bytes"),
    col!(source_path: str, "Input path as given (a .jsonl record adds #L<line>)"),
    col!(source_bytes: i64, "Size of the raw input in bytes"),
    col!(source_sha256: str, "SHA-256 of the raw input bytes, hex"),
    col!(encoding: str, "Encoding the bytes were decoded from (UTF-8, GBK, Big5, UTF-16LE…)"),
    col!(decode_errors: i32, "Malformed byte sequences replaced by U+FFFD while decoding"),
    col!(script: vocab, "Script of the input: hans, hant or mixed"),
    col!(title: opt_str, "Document title (simplified)"),
    col!(doc_type: vocab, "government_work_report, speech, news or other"),
    col!(province: opt_str, "Province-level division, canonical name"),
    col!(city: opt_str, "Prefecture-level division, canonical name"),
    col!(county: opt_str, "County-level division, canonical name"),
    col!(admin_code: opt_str, "6-digit GB/T 2260 code of the most specific division"),
    col!(admin_level: opt_vocab, "Level of admin_code: province, city or county"),
    col!(report_year: opt_i32, "Year the report plans for (a December 2024 session presents the 2025 report)"),
    col!(review_year: opt_i32, "Year the report reviews"),
    col!(meeting_date: opt_date, "Date of the meeting the document was delivered at"),
    col!(meeting: opt_str, "The meeting, as named in the document"),
    col!(speaker: opt_str, "Who delivered it"),
    col!(speaker_title: opt_str, "The speaker's office (区长, 市长, 区委书记…)"),
    col!(is_truncated: bool, "The body is incomplete (paywall, cut-off, dangling end)"),
    col!(truncation: opt_vocab, "Why it is judged truncated: paywall, dangling_end, cut_after_heading, missing_sections"),
    col!(declared_chars: opt_i32, "Total length the site declares for the full text"),
    col!(pinyin_removed: i32, "Inline pinyin annotations removed"),
    col!(mojibake_repaired: i32, "GBK byte-shift mojibake spans repaired"),
    col!(mojibake_unrepaired: i32, "Mojibake spans detected but left as found"),
    col!(boilerplate_chars: i32, "Characters of site chrome, tables of contents and paywall notes removed"),
    col!(converted_chars: i32, "Characters changed by traditional→simplified conversion"),
    col!(char_count: i32, "Characters in text"),
    col!(section_count: i32, "Rows in sections"),
    col!(sentence_count: i32, "Rows in sentences"),
    col!(indicator_count: i32, "Rows in indicators"),
    col!(text: str, "The normalized body, simplified; sentence and section offsets index it in characters"),
    col!(text_original: opt_str, "The cleaned body in its source script, before conversion; null unless the run was given --keep-original"),
];

#[rustfmt::skip]
pub const SECTIONS: &[Col<DocumentRow, SectionRow>] = &[
    col!(doc_id = Get::Str(|d, _| &d.doc_id), "Document"),
    col!(section_id = Get::Id(|d, r| (&d.doc_id, RowId::Section(r.seq))), "Stable id: doc_id:s<seq>"),
    col!(parent_id = Get::OptId(|d, r| (&d.doc_id, r.parent.map(RowId::Section))), "Enclosing section, null at the top"),
    col!(seq: i32, "Position in the document, from 0"),
    col!(level: i32, "1 = 一、; 2 = (一), ——, 一是; 3 = run-in lead sentence, 1."),
    col!(marker: str, "The marker as written: 一、 (一) —— 一是 1. … (empty for a run-in lead)"),
    col!(ordinal: opt_i32, "The marker's number (3 for 三)"),
    col!(title: str, "Heading text without its marker"),
    col!(path: str, "Ordinal path from the top, e.g. 2.3.1"),
    col!(part: opt_vocab, "review, plan, problems or other (from the level-1 heading that contains it)"),
    col!(char_start: i32, "Start in documents.text, characters"),
    col!(char_end: i32, "End (exclusive) in documents.text, characters"),
    col!(sentence_count: i32, "Sentences whose innermost section this is"),
];

#[rustfmt::skip]
pub const SENTENCES: &[Col<DocumentRow, SentenceRow>] = &[
    col!(doc_id = Get::Str(|d, _| &d.doc_id), "Document"),
    col!(sentence_id = Get::Id(|d, r| (&d.doc_id, RowId::Sentence(r.seq))), "Stable id: doc_id:t<seq>"),
    col!(section_id = Get::OptId(|d, r| (&d.doc_id, r.section.map(RowId::Section))), "Innermost section containing it; null before the first heading"),
    col!(seq: i32, "Position in the document, from 0"),
    col!(text = Get::Str(|d, r| &d.text[r.bytes.clone()]), "The sentence, equal to documents.text[char_start:char_end]"),
    col!(char_start: i32, "Start in documents.text, characters"),
    col!(char_end: i32, "End (exclusive) in documents.text, characters"),
];

#[rustfmt::skip]
pub const INDICATORS: &[Col<DocumentRow, IndicatorRow>] = &[
    col!(doc_id = Get::Str(|d, _| &d.doc_id), "Document"),
    col!(indicator_id = Get::Id(|d, r| (&d.doc_id, RowId::Indicator(r.seq))), "Stable id: doc_id:i<seq>"),
    col!(sentence_id = Get::Id(|d, r| (&d.doc_id, RowId::Sentence(r.sentence))), "Sentence it was read from"),
    col!(section_id = Get::OptId(|d, r| (&d.doc_id, r.section.map(RowId::Section))), "Innermost section of that sentence"),
    col!(seq: i32, "Position in the document, from 0"),
    col!(indicator: opt_str, "Canonical code (gdp, retail_sales…); null for other quantities"),
    col!(indicator_name: opt_str, "Canonical Chinese name of the indicator"),
    col!(subject = Get::OptStr(|d, r| r.subject.as_ref().map(|s| s.text(&d.text))), "The subject phrase as written"),
    col!(mention = Get::Str(|d, r| &d.text[r.mention.clone()]), "The matched text"),
    col!(value: opt_f64, "The level as written (188 for 188亿元)"),
    col!(unit: opt_str, "Unit as written: 亿元, 万人次, %, 个百分点"),
    col!(value_base: opt_f64, "value in base_unit (18800000000 for 188亿元)"),
    col!(base_unit: opt_str, "元, 美元, 亩, 平方米, 公里, 吨, 人, 人次, 个, %, 百分点…"),
    col!(growth_pct: opt_f64, "Growth rate in percent; negative for 下降/减少"),
    col!(growth_basis: opt_str, "同比, 比上年, 年均, 可比价, 同口径"),
    col!(kind: vocab, "actual, estimate or target"),
    col!(qualifier: opt_vocab, "以上, 左右, 以内, 区间"),
    col!(commitment: opt_vocab, "必保, 确保, 力争"),
    col!(value_high: opt_f64, "Upper end of a range of levels"),
    col!(growth_high: opt_f64, "Upper end of a range of growth rates"),
    col!(approximate: opt_str, "余, 多, 近, 约, 超"),
    col!(period_year: opt_i32, "Year the figure refers to"),
    col!(char_start: i32, "Start of mention in the sentence, characters"),
    col!(char_end: i32, "End (exclusive) of mention in the sentence, characters"),
];

#[rustfmt::skip]
pub const REJECTS: &[Col<(), RejectRow>] = &[
    col!(source_path: str, "Input path (a .jsonl record adds #L<line>)"),
    col!(source_bytes: opt_i64, "Size in bytes, when it could be read"),
    col!(reason: vocab, "empty, binary, too_large, undecodable, bad_record, duplicate, io_error, internal_error"),
    col!(message: str, "What exactly was wrong"),
    col!(duplicate_of: opt_str, "For reason = duplicate: the doc_id of the input kept"),
];

/// The derived panel (`govtext panel`): built by polars from the written tables, so declared
/// here by type; `panel` builds its batch column by column from this list.
fn panel_columns() -> Vec<Column> {
    let col = |name, ty, nullable, meaning| Column {
        name,
        ty,
        nullable,
        meaning,
        dictionary: dictionary(name),
    };
    vec![
        col("admin_code", Utf8, false, "GB/T 2260 code of the region"),
        col("province", Utf8, true, "Province-level division"),
        col("city", Utf8, true, "Prefecture-level division"),
        col("county", Utf8, true, "County-level division"),
        col("admin_level", Utf8, true, "province, city or county"),
        col(
            "year",
            Int32,
            false,
            "The year the target is for and the outcome is of",
        ),
        col(
            "indicator",
            Utf8,
            false,
            "Canonical indicator id (gdp, fixed_asset_investment…)",
        ),
        col(
            "measure",
            Utf8,
            false,
            "growth_pct (a growth rate, %) or value (a level, in unit)",
        ),
        col(
            "unit",
            Utf8,
            true,
            "% for growth_pct; the level's unit as written (亿元…)",
        ),
        col(
            "target_value",
            Float64,
            true,
            "The target for the year: the floor when a floor and a stretch are both set",
        ),
        col(
            "target_qualifier",
            Utf8,
            true,
            "以上, 左右, 不低于… of the target",
        ),
        col(
            "target_commitment",
            Utf8,
            true,
            "必保, 确保 or 力争 of the target",
        ),
        col(
            "target_value_high",
            Float64,
            true,
            "Upper end of a target range (6–6.5%)",
        ),
        col(
            "target_floor",
            Float64,
            true,
            "The floor (必保/确保), when a stretch is set too",
        ),
        col(
            "target_stretch",
            Float64,
            true,
            "The stretch (力争), when a floor is set too",
        ),
        col(
            "target_doc_id",
            Utf8,
            true,
            "The report that set the target (the one planning for this year)",
        ),
        col(
            "target_sentence_id",
            Utf8,
            true,
            "The sentence of the target",
        ),
        col(
            "outcome_value",
            Float64,
            true,
            "The outcome reported for the year",
        ),
        col(
            "outcome_kind",
            Utf8,
            true,
            "actual or estimate (an actual is preferred)",
        ),
        col(
            "outcome_doc_id",
            Utf8,
            true,
            "The report of the outcome (the next year's, preferably)",
        ),
        col(
            "outcome_sentence_id",
            Utf8,
            true,
            "The sentence of the outcome",
        ),
        col("gap", Float64, true, "outcome_value − target_value"),
    ]
}

fn describe<C, R>(cols: &[Col<C, R>]) -> Vec<Column> {
    cols.iter()
        .map(|c| Column {
            name: c.name,
            ty: c.get.data_type(),
            nullable: c.get.nullable(),
            meaning: c.meaning,
            dictionary: dictionary(c.name),
        })
        .collect()
}

pub fn columns(table: &str) -> Vec<Column> {
    match table {
        "documents" => describe(DOCUMENTS),
        "sections" => describe(SECTIONS),
        "sentences" => describe(SENTENCES),
        "indicators" => describe(INDICATORS),
        "rejects" => describe(REJECTS),
        "panel" => panel_columns(),
        other => panic!("unknown table {other}"),
    }
}

pub fn arrow_schema(table: &str) -> SchemaRef {
    let fields: Vec<Field> = columns(table)
        .into_iter()
        .map(|c| Field::new(c.name, c.ty, c.nullable))
        .collect();
    Arc::new(Schema::new(fields))
}

fn type_name(ty: &DataType) -> String {
    match ty {
        DataType::Utf8 => "Utf8".into(),
        other => format!("{other:?}"),
    }
}

/// The JSON document of one table, as checked into `schemas/<table>.json`.
pub fn schema_json(table: &str) -> String {
    let cols: Vec<_> = columns(table)
        .iter()
        .map(|c| {
            json!({"name": c.name, "type": type_name(&c.ty), "nullable": c.nullable, "meaning": c.meaning})
        })
        .collect();
    let partitioned_by: Vec<&str> = if is_partitioned(table) {
        vec!["year", "province_code"]
    } else {
        vec![]
    };
    let doc = json!({
        "table": table,
        "schema_version": SCHEMA_VERSION,
        "partitioned_by": partitioned_by,
        "columns": cols,
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("schema json");
    s.push('\n');
    s
}

/// Markdown table of every column, for the README.
pub fn schema_markdown() -> String {
    let mut out = String::new();
    for t in all_tables() {
        out.push_str(&format!(
            "### {t}\n\n| column | type | null | meaning |\n|---|---|---|---|\n"
        ));
        for c in columns(t) {
            let null = if c.nullable { "yes" } else { "no" };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                c.name,
                type_name(&c.ty),
                null,
                c.meaning
            ));
        }
        out.push('\n');
    }
    out
}

/// DuckDB views over a written dataset.
pub fn duckdb_ddl(dir: &str) -> String {
    let mut out = String::new();
    for t in all_tables() {
        // the panel exists only once `govtext panel` has run: a view over no files fails
        if DERIVED.contains(&t) && !std::path::Path::new(dir).join(t).exists() {
            continue;
        }
        out.push_str(&format!(
            "CREATE OR REPLACE VIEW {t} AS SELECT * FROM read_parquet('{dir}/{t}/**/*.parquet', hive_partitioning = true, union_by_name = true);\n"
        ));
    }
    out
}

/// The PostgreSQL type of a column.
fn postgres_type(ty: &DataType) -> &'static str {
    match ty {
        DataType::Utf8 => "TEXT",
        DataType::Int32 => "INTEGER",
        DataType::Int64 => "BIGINT",
        DataType::Float64 => "DOUBLE PRECISION",
        DataType::Boolean => "BOOLEAN",
        DataType::Date32 => "DATE",
        other => panic!("no PostgreSQL type for {other:?}"),
    }
}

/// `CREATE TABLE` statements for a warehouse load: every column with its PostgreSQL type and
/// nullability, plus the partition columns (`year`, `province_code`) the files carry in
/// their paths.
pub fn postgres_ddl() -> String {
    let mut out = String::new();
    for t in all_tables() {
        let mut cols: Vec<String> = columns(t)
            .iter()
            .map(|c| {
                let null = if c.nullable { "" } else { " NOT NULL" };
                format!("    {} {}{null}", c.name, postgres_type(&c.ty))
            })
            .collect();
        if is_partitioned(t) {
            cols.push("    year INTEGER".into());
            cols.push("    province_code TEXT".into());
        }
        out.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS {t} (\n{}\n);\n",
            cols.join(",\n")
        ));
    }
    out
}

#[cfg(test)]
mod vocabulary_tests {
    use super::*;
    use govtext_core::model::{
        AdminLevel, Commitment, DocType, Kind, Part, Qualifier, Reason, Script, Truncation,
    };

    fn meaning(table: &str, column: &str) -> &'static str {
        columns(table)
            .into_iter()
            .find(|c| c.name == column)
            .unwrap_or_else(|| panic!("{table}.{column}"))
            .meaning
    }

    /// The contract's words for the fixed vocabularies are the enums' own: a value the code
    /// cannot produce is not promised, and every value it produces is named.
    #[test]
    fn schema_texts_name_each_value_of_the_vocabularies() {
        let listed = |table: &str, column: &str, values: &[&str]| {
            let m = meaning(table, column);
            for v in values {
                assert!(m.contains(v), "{table}.{column} does not name {v}: {m}");
            }
            let named = m
                .split([',', ' ', ':'])
                .filter(|w| {
                    w.chars().all(|c| c.is_ascii_lowercase() || c == '_') && w.contains('_')
                })
                .count();
            assert!(
                named <= values.len(),
                "{table}.{column} names more than the code makes: {m}"
            );
        };
        let truncations: Vec<&str> = Truncation::ALL.iter().map(|t| t.as_str()).collect();
        listed("documents", "truncation", &truncations);
        listed(
            "indicators",
            "kind",
            &[Kind::Actual, Kind::Estimate, Kind::Target].map(Kind::as_str),
        );
        listed(
            "indicators",
            "qualifier",
            &[
                Qualifier::AtLeast,
                Qualifier::About,
                Qualifier::AtMost,
                Qualifier::Range,
            ]
            .map(Qualifier::as_str),
        );
        listed(
            "indicators",
            "commitment",
            &Commitment::ALL.map(Commitment::as_str),
        );
        listed("rejects", "reason", &Reason::ALL.map(Reason::as_str));
        listed("sections", "part", &Part::ALL.map(Part::as_str));
        listed("documents", "script", &Script::ALL.map(Script::as_str));
        listed("documents", "doc_type", &DocType::ALL.map(DocType::as_str));
        listed(
            "documents",
            "admin_level",
            &AdminLevel::ALL.map(AdminLevel::as_str),
        );
        listed(
            "panel",
            "admin_level",
            &AdminLevel::ALL.map(AdminLevel::as_str),
        );
    }
}
