//! The output contract: the Arrow schema of every table, with the meaning of every column.
//! `schemas/<table>.json` is generated from here (`govtext schema --write schemas`) and a
//! test fails when the checked-in files differ from what this module says.

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use serde_json::json;
use std::sync::Arc;

pub const SCHEMA_VERSION: u32 = 1;

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

pub struct Column {
    pub name: &'static str,
    pub ty: DataType,
    pub nullable: bool,
    pub meaning: &'static str,
    /// Parquet dictionary encoding: on for low-cardinality strings, off for long free text
    /// where a dictionary only costs time.
    pub dictionary: bool,
}

fn col(name: &'static str, ty: DataType, nullable: bool, meaning: &'static str) -> Column {
    let dictionary = !matches!(name, "text" | "text_original" | "mention" | "subject");
    Column {
        name,
        ty,
        nullable,
        meaning,
        dictionary,
    }
}

use DataType::{Boolean, Date32, Float64, Int32, Int64, Utf8};

pub fn columns(table: &str) -> Vec<Column> {
    match table {
        "documents" => vec![
            col("doc_id", Utf8, false, "Stable id: first 16 hex digits of the SHA-256 of the input's raw bytes"),
            col("source_path", Utf8, false, "Input path as given (a .jsonl record adds #L<line>)"),
            col("source_bytes", Int64, false, "Size of the raw input in bytes"),
            col("source_sha256", Utf8, false, "SHA-256 of the raw input bytes, hex"),
            col("encoding", Utf8, false, "Encoding the bytes were decoded from (UTF-8, GBK, Big5, UTF-16LE…)"),
            col("decode_errors", Int32, false, "Malformed byte sequences replaced by U+FFFD while decoding"),
            col("script", Utf8, false, "Script of the input: hans, hant or mixed"),
            col("title", Utf8, true, "Document title (simplified)"),
            col("doc_type", Utf8, false, "government_work_report, speech, news or other"),
            col("province", Utf8, true, "Province-level division, canonical name"),
            col("city", Utf8, true, "Prefecture-level division, canonical name"),
            col("county", Utf8, true, "County-level division, canonical name"),
            col("admin_code", Utf8, true, "6-digit GB/T 2260 code of the most specific division"),
            col("admin_level", Utf8, true, "Level of admin_code: province, city or county"),
            col("report_year", Int32, true, "Year the report plans for (a December 2024 session presents the 2025 report)"),
            col("review_year", Int32, true, "Year the report reviews"),
            col("meeting_date", Date32, true, "Date of the meeting the document was delivered at"),
            col("meeting", Utf8, true, "The meeting, as named in the document"),
            col("speaker", Utf8, true, "Who delivered it"),
            col("speaker_title", Utf8, true, "The speaker's office (区长, 市长, 区委书记…)"),
            col("is_truncated", Boolean, false, "The body is incomplete (paywall, cut-off, dangling end)"),
            col("truncation", Utf8, true, "Why it is judged truncated: paywall, dangling_end, cut_after_heading, missing_sections"),
            col("declared_chars", Int32, true, "Total length the site declares for the full text"),
            col("pinyin_removed", Int32, false, "Inline pinyin annotations removed"),
            col("mojibake_repaired", Int32, false, "GBK byte-shift mojibake spans repaired"),
            col("mojibake_unrepaired", Int32, false, "Mojibake spans detected but left as found"),
            col("boilerplate_chars", Int32, false, "Characters of site chrome, tables of contents and paywall notes removed"),
            col("converted_chars", Int32, false, "Characters changed by traditional→simplified conversion"),
            col("char_count", Int32, false, "Characters in text"),
            col("section_count", Int32, false, "Rows in sections"),
            col("sentence_count", Int32, false, "Rows in sentences"),
            col("indicator_count", Int32, false, "Rows in indicators"),
            col("text", Utf8, false, "The normalized body, simplified; sentence and section offsets index it in characters"),
            col("text_original", Utf8, false, "The cleaned body in its source script, before conversion"),
        ],
        "sections" => vec![
            col("doc_id", Utf8, false, "Document"),
            col("section_id", Utf8, false, "Stable id: doc_id:s<seq>"),
            col("parent_id", Utf8, true, "Enclosing section, null at the top"),
            col("seq", Int32, false, "Position in the document, from 0"),
            col("level", Int32, false, "1 = 一、; 2 = (一), ——, 一是; 3 = run-in lead sentence, 1."),
            col("marker", Utf8, false, "The marker as written: 一、 (一) —— 一是 1. … (empty for a run-in lead)"),
            col("ordinal", Int32, true, "The marker's number (3 for 三)"),
            col("title", Utf8, false, "Heading text without its marker"),
            col("path", Utf8, false, "Ordinal path from the top, e.g. 2.3.1"),
            col("part", Utf8, true, "review, plan, problems or other (from the level-1 heading that contains it)"),
            col("char_start", Int32, false, "Start in documents.text, characters"),
            col("char_end", Int32, false, "End (exclusive) in documents.text, characters"),
            col("sentence_count", Int32, false, "Sentences whose innermost section this is"),
        ],
        "sentences" => vec![
            col("doc_id", Utf8, false, "Document"),
            col("sentence_id", Utf8, false, "Stable id: doc_id:t<seq>"),
            col("section_id", Utf8, true, "Innermost section containing it; null before the first heading"),
            col("seq", Int32, false, "Position in the document, from 0"),
            col("text", Utf8, false, "The sentence, equal to documents.text[char_start:char_end]"),
            col("char_start", Int32, false, "Start in documents.text, characters"),
            col("char_end", Int32, false, "End (exclusive) in documents.text, characters"),
        ],
        "indicators" => vec![
            col("doc_id", Utf8, false, "Document"),
            col("indicator_id", Utf8, false, "Stable id: doc_id:i<seq>"),
            col("sentence_id", Utf8, false, "Sentence it was read from"),
            col("section_id", Utf8, true, "Innermost section of that sentence"),
            col("seq", Int32, false, "Position in the document, from 0"),
            col("indicator", Utf8, true, "Canonical code (gdp, retail_sales…); null for other quantities"),
            col("indicator_name", Utf8, true, "Canonical Chinese name of the indicator"),
            col("subject", Utf8, true, "The subject phrase as written"),
            col("mention", Utf8, false, "The matched text"),
            col("value", Float64, true, "The level as written (188 for 188亿元)"),
            col("unit", Utf8, true, "Unit as written: 亿元, 万人次, %, 个百分点"),
            col("value_base", Float64, true, "value in base_unit (18800000000 for 188亿元)"),
            col("base_unit", Utf8, true, "元, 美元, 亩, 平方米, 公里, 吨, 人, 人次, 个, %, 百分点…"),
            col("growth_pct", Float64, true, "Growth rate in percent; negative for 下降/减少"),
            col("growth_basis", Utf8, true, "同比, 比上年, 年均, 可比价, 同口径"),
            col("kind", Utf8, false, "actual, estimate or target"),
            col("qualifier", Utf8, true, "以上, 左右, 以内, 区间"),
            col("commitment", Utf8, true, "必保, 确保, 力争"),
            col("value_high", Float64, true, "Upper end of a range of levels"),
            col("growth_high", Float64, true, "Upper end of a range of growth rates"),
            col("approximate", Utf8, true, "余, 多, 近, 约, 超"),
            col("period_year", Int32, true, "Year the figure refers to"),
            col("char_start", Int32, false, "Start of mention in the sentence, characters"),
            col("char_end", Int32, false, "End (exclusive) of mention in the sentence, characters"),
        ],
        "rejects" => vec![
            col("source_path", Utf8, false, "Input path (a .jsonl record adds #L<line>)"),
            col("source_bytes", Int64, true, "Size in bytes, when it could be read"),
            col("reason", Utf8, false, "empty, binary, too_large, undecodable, bad_record, duplicate, io_error"),
            col("message", Utf8, false, "What exactly was wrong"),
            col("duplicate_of", Utf8, true, "For reason = duplicate: the doc_id of the input kept"),
        ],
        "panel" => vec![
            col("admin_code", Utf8, false, "GB/T 2260 code of the region"),
            col("province", Utf8, true, "Province-level division"),
            col("city", Utf8, true, "Prefecture-level division"),
            col("county", Utf8, true, "County-level division"),
            col("admin_level", Utf8, true, "province, city or county"),
            col("year", Int32, false, "The year the target is for and the outcome is of"),
            col("indicator", Utf8, false, "Canonical indicator id (gdp, fixed_asset_investment…)"),
            col("measure", Utf8, false, "growth_pct (a growth rate, %) or value (a level, in unit)"),
            col("unit", Utf8, true, "% for growth_pct; the level's unit as written (亿元…)"),
            col("target_value", Float64, true, "The target for the year: the floor when a floor and a stretch are both set"),
            col("target_qualifier", Utf8, true, "以上, 左右, 不低于… of the target"),
            col("target_commitment", Utf8, true, "必保, 确保 or 力争 of the target"),
            col("target_value_high", Float64, true, "Upper end of a target range (6–6.5%)"),
            col("target_floor", Float64, true, "The floor (必保/确保), when a stretch is set too"),
            col("target_stretch", Float64, true, "The stretch (力争), when a floor is set too"),
            col("target_doc_id", Utf8, true, "The report that set the target (the one planning for this year)"),
            col("target_sentence_id", Utf8, true, "The sentence of the target"),
            col("outcome_value", Float64, true, "The outcome reported for the year"),
            col("outcome_kind", Utf8, true, "actual or estimate (an actual is preferred)"),
            col("outcome_doc_id", Utf8, true, "The report of the outcome (the next year's, preferably)"),
            col("outcome_sentence_id", Utf8, true, "The sentence of the outcome"),
            col("gap", Float64, true, "outcome_value − target_value"),
        ],
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
    use govtext_core::model::{Commitment, Kind, Qualifier, Truncation};

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
    }
}
