//! One document through every stage, in the order they run: decode → repair → clean →
//! convert → meta → segment → extract → rows. The resources the stages share (gazetteer,
//! converter, cleaning rules, language model) are built once in a `Pipeline` and read by
//! every thread; processing a document returns its rows and, when asked, a `Trace` of what
//! the stages changed.

use crate::clean::Cleaner;
use crate::convert::Converter;
use crate::extract::{self, DocContext};
use crate::meta::{self, gazetteer::Gazetteer, MetaInput};
use crate::model::*;
use crate::segment::{self, SegmentOptions};
use crate::{decode, html, repair};

/// Everything the stages share, built once per run and shared across threads.
pub struct Pipeline {
    pub gazetteer: Gazetteer,
    pub converter: Converter,
    pub cleaner: Cleaner,
}

/// One input as the source read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub source_path: String,
    /// Its size as read (the bytes themselves are taken out as they are decoded).
    pub source_bytes: usize,
    pub doc_id: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
    /// Already-decoded text (a JSON Lines record's field); `bytes` is then not decoded.
    pub text: Option<String>,
    /// HTML, turned into text before repair.
    pub html: bool,
    pub hints: Hints,
    /// Keep the cleaned text in its source script (`text_original`); otherwise it is let go
    /// once converted.
    pub keep_original: bool,
}

/// What the stages changed in a document, beyond its rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    pub wraps_joined: usize,
    /// Mojibake spans: (as found, as repaired; equal when left as found).
    pub mojibake_spans: Vec<(String, String)>,
    /// Lines and notes clean removed: (rule, text).
    pub removed: Vec<(crate::clean::Boilerplate, String)>,
}

/// The stages, in the order `process` reports them done.
pub const STAGES: [&str; 8] = [
    "decode", "repair", "clean", "convert", "meta", "segment", "extract", "rows",
];

fn error_reject(input: &Input, stage: &str, reason: Reason, msg: String) -> RejectRow {
    RejectRow::in_stage(&input.source_path, input.source_bytes, stage, reason, msg)
}

impl Pipeline {
    pub fn load() -> Pipeline {
        let gazetteer = Gazetteer::load();
        let converter = Converter::new(gazetteer.names());
        // the cleaner widens its rules with the converter's dictionaries: no second load
        let cleaner = Cleaner::new(converter.opencc());
        Pipeline {
            gazetteer,
            converter,
            cleaner,
        }
    }

    /// Runs every stage on one document: its rows, or why it cannot be one. `stage_done` is
    /// told as each stage ends (the caller's clock charges it); `trace`, when given, gets
    /// what repair and clean changed (what `govtext inspect` shows), so no stage has to run
    /// twice to show it.
    ///
    /// Takes the input by value: its bytes are let go (or become the text, when they are
    /// UTF-8) as soon as they are decoded, so a huge document is not held once more to the end.
    pub fn process(
        &self,
        mut input: Input,
        mut trace: Option<&mut Trace>,
        stage_done: &mut dyn FnMut(&'static str),
    ) -> Result<DocRows, RejectRow> {
        let raw = &mut input;
        let res = self;
        let source_bytes = raw.source_bytes;
        let (id, sha) = (raw.doc_id.clone(), raw.sha256.clone());
        let (text, encoding, decode_errors) = decode_input(raw)?;
        stage_done("decode");
        let mut repaired = repair::repair(&text, encoding != "Big5");
        drop(text);
        if let Some(tr) = trace.as_deref_mut() {
            tr.wraps_joined = repaired.wraps_joined;
            tr.mojibake_spans = std::mem::take(&mut repaired.mojibake_spans);
        }
        stage_done("repair");
        let mut cleaned = res.cleaner.clean(&repaired.text);
        if let Some(tr) = trace {
            tr.removed = cleaned.removed.clone();
        }
        // a large document is held once per stage it passes: let each copy go when done
        drop(repaired.text);
        stage_done("clean");
        if cleaned.text.trim().is_empty() {
            return Err(error_reject(
                raw,
                "clean",
                Reason::Empty,
                "nothing but site chrome or whitespace after cleaning".into(),
            ));
        }
        // the cleaned text is the original the row keeps, when asked for; else it moves on
        let original = raw.keep_original.then(|| cleaned.text.clone());
        let converted = res.converter.convert(std::mem::take(&mut cleaned.text));
        let hint_title = raw
            .hints
            .title
            .as_deref()
            .map(|t| res.converter.convert(t.to_string()).text);
        let title_field = cleaned
            .title_field
            .as_deref()
            .map(|t| res.converter.convert(t.to_string()).text);
        stage_done("convert");
        let m = meta::extract(
            &MetaInput {
                text: &converted.text,
                hints: &raw.hints,
                hint_title: hint_title.as_deref(),
                removed: &cleaned.removed,
                title_field: title_field.as_deref(),
            },
            &res.gazetteer,
        );
        stage_done("meta");
        let seg = segment::segment(
            &converted.text,
            &SegmentOptions {
                has_gap: cleaned.truncation == Some(Truncation::Paywall),
            },
        );
        stage_done("segment");

        let ctx = DocContext {
            report_year: m.report_year,
            review_year: m.review_year,
        };
        let indicators = extract::document(&converted.text, &seg, &ctx);
        stage_done("extract");

        // truncation judged on the whole: a work report that never reaches its plan part
        let mut truncation = cleaned.truncation;
        if truncation.is_none()
            && m.doc_type == DocType::GovernmentWorkReport
            && segment::reviews_without_plan(&seg)
        {
            truncation = Some(Truncation::MissingSections);
        }

        let sections = section_rows(&seg);
        let sentences = sentence_rows(&seg);
        let char_count = seg.chars;
        // the metadata's strings move into the row: nothing reads them after it
        let partition = PartitionKey {
            year: m.year,
            province_code: m.province_iso,
        };
        let document = DocumentRow {
            doc_id: id,
            source_path: std::mem::take(&mut raw.source_path),
            source_bytes: source_bytes as i64,
            source_sha256: sha,
            encoding,
            decode_errors: count(decode_errors),
            script: converted.script,
            title: m.title,
            doc_type: m.doc_type,
            province: m.province,
            city: m.city,
            county: m.county,
            admin_code: m.admin_code,
            admin_level: m.admin_level,
            report_year: m.report_year,
            review_year: m.review_year,
            meeting_date: m
                .meeting_date
                .map(|d| crate::zh::dates::days_from_civil(d.year, d.month, d.day)),
            meeting: m.meeting,
            speaker: m.speaker,
            speaker_title: m.speaker_title,
            is_truncated: truncation.is_some(),
            truncation,
            declared_chars: cleaned.declared_chars,
            pinyin_removed: count(repaired.pinyin_removed),
            mojibake_repaired: count(repaired.mojibake_repaired),
            mojibake_unrepaired: count(repaired.mojibake_unrepaired),
            boilerplate_chars: count(cleaned.boilerplate_chars),
            converted_chars: count(converted.converted_chars),
            char_count: count(char_count),
            section_count: count(sections.len()),
            sentence_count: count(sentences.len()),
            indicator_count: count(indicators.len()),
            text: converted.text,
            text_original: original,
        };
        stage_done("rows");
        Ok(DocRows {
            partition,
            document,
            sections,
            sentences,
            indicators,
        })
    }
}

/// The decode stage: the input's text (HTML already turned to text), the encoding it was
/// read in and how many malformed sequences were replaced.
fn decode_input(raw: &mut Input) -> Result<(String, &'static str, usize), RejectRow> {
    let (decoded, encoding, errors) = match raw.text.take() {
        Some(text) => {
            // a JSON record's line: its text field is all that is needed of it
            drop(std::mem::take(&mut raw.bytes));
            (text, "UTF-8", 0)
        }
        None => match decode::decode_owned(std::mem::take(&mut raw.bytes)) {
            Ok(d) => (d.text, d.encoding, d.errors),
            Err(e) => {
                return Err(error_reject(
                    raw,
                    "decode",
                    Reason::Undecodable,
                    e.to_string(),
                ))
            }
        },
    };
    let text = if raw.html {
        html::to_text(&decoded)
    } else {
        decoded
    };
    Ok((text, encoding, errors))
}

fn section_rows(seg: &segment::Segmented) -> Vec<SectionRow> {
    seg.sections
        .iter()
        .enumerate()
        .map(|(i, s)| SectionRow {
            seq: count(i),
            parent: s.parent.map(count),
            level: s.level,
            marker: s.marker.clone(),
            ordinal: s.ordinal,
            title: s.title.clone(),
            path: s.path.clone(),
            part: s.part,
            char_start: count(s.start),
            char_end: count(s.end),
            sentence_count: count(s.sentence_count),
        })
        .collect()
}

/// Sentences are kept as byte spans of the text, as segment found them.
fn sentence_rows(seg: &segment::Segmented) -> Vec<SentenceRow> {
    seg.sentences
        .iter()
        .enumerate()
        .map(|(i, s)| SentenceRow {
            seq: count(i),
            section: s.section.map(count),
            bytes: s.bytes.clone(),
            char_start: count(s.start),
            char_end: count(s.end),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One document through every stage: its rows, each stage reported done in order, and
    /// the trace of what repair and clean changed.
    #[test]
    fn a_document_through_every_stage() {
        let p = Pipeline::load();
        let text = "首页\n青禾县2025年政府工作报告\n——2025年1月10日在青禾县第十八届人民代表大会第五次会议上\n县长 林平\n各位代表:\n一、2024年工作回顾\n预计全年地区生产总值完成210亿元，增长5.3%。\n";
        let input = Input {
            source_path: "a.txt".into(),
            source_bytes: text.len(),
            doc_id: "0123456789abcdef".into(),
            sha256: "0".repeat(64),
            bytes: text.as_bytes().to_vec(),
            text: None,
            html: false,
            hints: Hints::default(),
            keep_original: false,
        };
        let mut trace = Trace::default();
        let mut done = Vec::new();
        let rows = p
            .process(input, Some(&mut trace), &mut |s| done.push(s))
            .unwrap();
        assert_eq!(done, STAGES);
        assert_eq!(
            trace.removed,
            vec![(crate::clean::Boilerplate::Navigation, "首页".to_string())]
        );
        assert_eq!(
            rows.document.title.as_deref(),
            Some("青禾县2025年政府工作报告")
        );
        assert_eq!(
            rows.partition.dir(),
            "year=2025/province_code=__HIVE_DEFAULT_PARTITION__"
        );
        let gdp = &rows.indicators[0];
        assert_eq!(
            (
                gdp.indicator,
                gdp.value,
                gdp.growth_pct,
                gdp.kind,
                gdp.period_year
            ),
            (
                Some("gdp"),
                Some(210.0),
                Some(5.3),
                Kind::Estimate,
                Some(2024)
            )
        );
    }
}
