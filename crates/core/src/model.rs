//! Row structs: one per output table. The pipeline fills these; `sink` turns them into
//! Arrow RecordBatches. Field order and meaning follow `schema.rs` (the contract).

/// What a figure is: what happened, what is expected to have happened (预计), or what is
/// aimed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    #[default]
    Actual,
    Estimate,
    Target,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Actual => "actual",
            Kind::Estimate => "estimate",
            Kind::Target => "target",
        }
    }
}

/// How a figure is bounded, as written: 以上 (at least), 左右 (about), 以内 (at most, also for
/// 以下 and 控制在), 区间 (a range).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    AtLeast,
    About,
    AtMost,
    Range,
}

impl Qualifier {
    pub fn as_str(self) -> &'static str {
        match self {
            Qualifier::AtLeast => "以上",
            Qualifier::About => "左右",
            Qualifier::AtMost => "以内",
            Qualifier::Range => "区间",
        }
    }
}

/// How firmly a target is set: 必保 (must hold, the floor), 确保 (ensure), 力争 (strive for,
/// the stretch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commitment {
    MustHold,
    Ensure,
    StriveFor,
}

impl Commitment {
    pub const ALL: [Commitment; 3] = [
        Commitment::MustHold,
        Commitment::Ensure,
        Commitment::StriveFor,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Commitment::MustHold => "必保",
            Commitment::Ensure => "确保",
            Commitment::StriveFor => "力争",
        }
    }
}

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DocType {
    /// The government's work report to the congress (政府工作报告).
    GovernmentWorkReport,
    /// An official's speech (讲话).
    Speech,
    News,
    #[default]
    Other,
}

impl DocType {
    pub const ALL: [DocType; 4] = [
        DocType::GovernmentWorkReport,
        DocType::Speech,
        DocType::News,
        DocType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocType::GovernmentWorkReport => "government_work_report",
            DocType::Speech => "speech",
            DocType::News => "news",
            DocType::Other => "other",
        }
    }
}

/// The part of a work report a section belongs to, from the level-1 heading above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// What was done (工作回顾, 过去五年…).
    Review,
    /// What is planned (工作安排, 主要目标, 重点任务…).
    Plan,
    /// The problems the report admits (存在的问题和不足).
    Problems,
    Other,
}

impl Part {
    pub const ALL: [Part; 4] = [Part::Review, Part::Plan, Part::Problems, Part::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Part::Review => "review",
            Part::Plan => "plan",
            Part::Problems => "problems",
            Part::Other => "other",
        }
    }
}

/// Why a document is judged incomplete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truncation {
    /// A paywall note cut the body (`……（未完，全文共2923字…`, `省略662字`).
    Paywall,
    /// The body ends on an opening bracket, a quote or a comma.
    DanglingEnd,
    /// The body ends on a heading with nothing under it.
    CutAfterHeading,
    /// A work report that reviews but never reaches its plan.
    MissingSections,
}

impl Truncation {
    pub const ALL: [Truncation; 4] = [
        Truncation::Paywall,
        Truncation::DanglingEnd,
        Truncation::CutAfterHeading,
        Truncation::MissingSections,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Truncation::Paywall => "paywall",
            Truncation::DanglingEnd => "dangling_end",
            Truncation::CutAfterHeading => "cut_after_heading",
            Truncation::MissingSections => "missing_sections",
        }
    }
}

/// The level of an administrative division (GB/T 2260).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdminLevel {
    Province,
    City,
    County,
}

impl AdminLevel {
    pub const ALL: [AdminLevel; 3] = [AdminLevel::Province, AdminLevel::City, AdminLevel::County];

    pub fn as_str(self) -> &'static str {
        match self {
            AdminLevel::Province => "province",
            AdminLevel::City => "city",
            AdminLevel::County => "county",
        }
    }
}

/// The script a document was written in, judged by its share of traditional-only characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Script {
    /// Simplified (a stray 乾 or 後 still counts as simplified).
    #[default]
    Hans,
    Hant,
    /// Simplified with a noticeable share of traditional characters.
    Mixed,
}

impl Script {
    pub const ALL: [Script; 3] = [Script::Hans, Script::Hant, Script::Mixed];

    pub fn as_str(self) -> &'static str {
        match self {
            Script::Hans => "hans",
            Script::Hant => "hant",
            Script::Mixed => "mixed",
        }
    }
}

/// Why an input became a reject instead of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Reason {
    /// No bytes, or only whitespace.
    #[default]
    Empty,
    /// Not text (NUL bytes, an image, an archive…).
    Binary,
    /// Larger than `--max-bytes`.
    TooLarge,
    /// No encoding decodes it into text.
    Undecodable,
    /// A `.jsonl` line that is not a record with a text.
    BadRecord,
    /// The same bytes as an input already kept (`duplicate_of` names it).
    Duplicate,
    /// The file could not be read.
    IoError,
    /// A stage failed on it (a bug: the message says where); the run goes on.
    InternalError,
}

impl Reason {
    pub const ALL: [Reason; 8] = [
        Reason::Empty,
        Reason::Binary,
        Reason::TooLarge,
        Reason::Undecodable,
        Reason::BadRecord,
        Reason::Duplicate,
        Reason::IoError,
        Reason::InternalError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Empty => "empty",
            Reason::Binary => "binary",
            Reason::TooLarge => "too_large",
            Reason::Undecodable => "undecodable",
            Reason::BadRecord => "bad_record",
            Reason::Duplicate => "duplicate",
            Reason::IoError => "io_error",
            Reason::InternalError => "internal_error",
        }
    }
}

/// A count or an offset as the tables store it (Int32), saturating rather than wrapping on
/// a document too large for it.
pub fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Metadata a `.jsonl` record carries besides its text; used by `meta` as hints.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hints {
    pub id: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub date: Option<String>,
}

/// The id of one of a document's rows, made from the document's id and the row's number:
/// `doc:s00003` (section), `doc:t000042` (sentence), `doc:i000007` (indicator). Rows keep the
/// number only; the id is written straight into its column when the batch is built, so a
/// million sentences are not three million strings allocated and held while rows wait.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RowId {
    Section(i32),
    Sentence(i32),
    Indicator(i32),
}

impl RowId {
    pub fn write(self, out: &mut impl std::fmt::Write, doc_id: &str) {
        let (tag, n, width) = match self {
            RowId::Section(n) => (b's', n, 5),
            RowId::Sentence(n) => (b't', n, 6),
            RowId::Indicator(n) => (b'i', n, 6),
        };
        // digits by hand where they fit the width: `write!` with padding cost 1.6 % of a
        // run's CPU (two to three million ids per 200 MB of input)
        let r = if (0..10i32.pow(width as u32)).contains(&n) {
            let mut buf = [b'0'; 8];
            buf[0] = b':';
            buf[1] = tag;
            let mut v = n;
            for d in buf[2..2 + width].iter_mut().rev() {
                *d = b'0' + (v % 10) as u8;
                v /= 10;
            }
            let suffix = std::str::from_utf8(&buf[..2 + width]).expect("ASCII");
            out.write_str(doc_id).and_then(|_| out.write_str(suffix))
        } else {
            write!(out, "{doc_id}:{}{n:0width$}", tag as char)
        };
        r.expect("writing an id to a string");
    }
}

/// Where a document's rows go: the hive partition (`year=…/province_code=…`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartitionKey {
    pub year: Option<i32>,
    pub province_code: Option<String>,
}

impl PartitionKey {
    /// The relative directory `year=2025/province_code=CN-LN`, nulls written the hive way.
    pub fn dir(&self) -> String {
        const NULL: &str = "__HIVE_DEFAULT_PARTITION__";
        let y = self
            .year
            .map(|y| y.to_string())
            .unwrap_or_else(|| NULL.into());
        let p = self.province_code.clone().unwrap_or_else(|| NULL.into());
        format!("year={y}/province_code={p}")
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentRow {
    pub doc_id: String,
    pub source_path: String,
    pub source_bytes: i64,
    pub source_sha256: String,
    pub encoding: &'static str,
    pub decode_errors: i32,
    pub script: Script,
    pub title: Option<String>,
    pub doc_type: DocType,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub admin_code: Option<String>,
    pub admin_level: Option<AdminLevel>,
    pub report_year: Option<i32>,
    pub review_year: Option<i32>,
    /// Days since 1970-01-01.
    pub meeting_date: Option<i32>,
    pub meeting: Option<String>,
    pub speaker: Option<String>,
    pub speaker_title: Option<String>,
    pub is_truncated: bool,
    pub truncation: Option<Truncation>,
    pub declared_chars: Option<i32>,
    pub pinyin_removed: i32,
    pub mojibake_repaired: i32,
    pub mojibake_unrepaired: i32,
    pub boilerplate_chars: i32,
    pub converted_chars: i32,
    pub char_count: i32,
    pub section_count: i32,
    pub sentence_count: i32,
    pub indicator_count: i32,
    pub text: String,
    /// Only when the run keeps it (`Input::keep_original`).
    pub text_original: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SectionRow {
    /// Its number in the document (`section_id`, see `RowId`).
    pub seq: i32,
    /// The number of its parent section.
    pub parent: Option<i32>,
    pub level: i32,
    pub marker: String,
    pub ordinal: Option<i32>,
    pub title: String,
    pub path: String,
    pub part: Option<Part>,
    pub char_start: i32,
    pub char_end: i32,
    pub sentence_count: i32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SentenceRow {
    /// Its number in the document (`sentence_id`, see `RowId`).
    pub seq: i32,
    /// The number of the section it belongs to.
    pub section: Option<i32>,
    /// The sentence's text as a byte span of the document's `text` (the `text` column is
    /// sliced from it when the batch is built: no copy per sentence while rows wait in
    /// the writer's buffers).
    pub bytes: std::ops::Range<usize>,
    pub char_start: i32,
    pub char_end: i32,
}

/// A figure's subject as the document writes it: nearly always a stretch of the document's
/// text (kept as its byte span, as `mention` is: a million rows are no million strings
/// waiting to be written), else words put together (a listed subject's head with its
/// item, a subject with a note taken out of it).
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// A byte span of the document's `text`.
    At(std::ops::Range<usize>),
    Made(String),
}

impl Subject {
    /// `s`, a subject read from `sentence` (which starts at byte `at` of the document's
    /// text): its span where it is a slice of the sentence, else its own copy.
    pub fn of(s: &str, sentence: &str, at: usize) -> Subject {
        // where `s` lies in the sentence's bytes this is its offset there; anywhere else it
        // is out of the sentence's range (wrapped around when `s` lies before it)
        let from = (s.as_ptr() as usize).wrapping_sub(sentence.as_ptr() as usize);
        if from <= sentence.len() && s.len() <= sentence.len() - from {
            Subject::At(at + from..at + from + s.len())
        } else {
            Subject::Made(s.to_string())
        }
    }

    /// The subject's text, in the document whose text is `text`.
    pub fn text<'a>(&'a self, text: &'a str) -> &'a str {
        match self {
            Subject::At(span) => &text[span.clone()],
            Subject::Made(s) => s,
        }
    }
}

/// Columns with a fixed vocabulary (codes, units, kinds) are `&'static str`: a million rows
/// of them are no million allocations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndicatorRow {
    /// Its number in the document (`indicator_id`, see `RowId`).
    pub seq: i32,
    /// The number of the sentence it was read from, and of that sentence's section.
    pub sentence: i32,
    pub section: Option<i32>,
    pub indicator: Option<&'static str>,
    pub indicator_name: Option<&'static str>,
    pub subject: Option<Subject>,
    /// The figure as written: a byte span of the document's `text` (the `mention` column is
    /// sliced from it when the batch is built, as a sentence's text is).
    pub mention: std::ops::Range<usize>,
    pub value: Option<f64>,
    /// (borrowed from the units table unless a scale word makes it: `万吨`)
    pub unit: Option<std::borrow::Cow<'static, str>>,
    pub value_base: Option<f64>,
    pub base_unit: Option<&'static str>,
    pub growth_pct: Option<f64>,
    pub growth_basis: Option<&'static str>,
    pub kind: Kind,
    pub qualifier: Option<Qualifier>,
    pub commitment: Option<Commitment>,
    pub value_high: Option<f64>,
    pub growth_high: Option<f64>,
    pub approximate: Option<&'static str>,
    pub period_year: Option<i32>,
    pub char_start: i32,
    pub char_end: i32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RejectRow {
    pub source_path: String,
    pub source_bytes: Option<i64>,
    pub reason: Reason,
    pub message: String,
    pub duplicate_of: Option<String>,
}

impl RejectRow {
    /// An input a stage could not make a document of; the message names the input, the stage
    /// and the cause (`a.txt: decode: …`).
    pub fn in_stage(
        source_path: &str,
        source_bytes: usize,
        stage: &str,
        reason: Reason,
        msg: String,
    ) -> RejectRow {
        RejectRow {
            source_path: source_path.to_string(),
            source_bytes: Some(source_bytes as i64),
            reason,
            message: format!("{source_path}: {stage}: {msg}"),
            duplicate_of: None,
        }
    }

    /// An input with the same bytes as one kept earlier as the document `doc_id`: what a run
    /// makes of the copy, and what `govtext commit` makes of one found in another shard.
    pub fn duplicate(source_path: &str, source_bytes: Option<u64>, doc_id: &str) -> RejectRow {
        RejectRow {
            source_path: source_path.to_string(),
            source_bytes: source_bytes.map(|b| b as i64),
            reason: Reason::Duplicate,
            message: format!(
                "{source_path}: source: same bytes as an earlier input, kept as doc_id {doc_id}"
            ),
            duplicate_of: Some(doc_id.to_string()),
        }
    }
}

/// Everything one accepted document contributes to the dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct DocRows {
    pub partition: PartitionKey,
    pub document: DocumentRow,
    pub sections: Vec<SectionRow>,
    pub sentences: Vec<SentenceRow>,
    pub indicators: Vec<IndicatorRow>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A slice of the sentence is its span in the document; the same words from anywhere
    /// else (a copy, a composed subject) are a subject of their own.
    #[test]
    fn subjects_as_spans_or_made() {
        let doc = "前言。地区生产总值增长6%。";
        let at = doc.find('地').unwrap();
        let sentence = &doc[at..];
        let subject = &sentence[.."地区生产总值".len()];
        let s = Subject::of(subject, sentence, at);
        assert_eq!(s, Subject::At(at..at + "地区生产总值".len()));
        assert_eq!(s.text(doc), "地区生产总值");
        let copy = String::from(subject);
        assert_eq!(
            Subject::of(&copy, sentence, at),
            Subject::Made("地区生产总值".into())
        );
        // the empty slice at the sentence's end is still a slice of it
        let end = &sentence[sentence.len()..];
        assert_eq!(
            Subject::of(end, sentence, at),
            Subject::At(doc.len()..doc.len())
        );
        // a string that starts in the sentence and runs past its end is not of it
        let short = &sentence[.."地区".len()];
        assert_eq!(
            Subject::of(subject, short, at),
            Subject::Made("地区生产总值".into())
        );
        // a string before the sentence in memory is not of it
        assert_eq!(
            Subject::of(&doc[..at], &doc[at..at], at),
            Subject::Made(doc[..at].into())
        );
    }

    #[test]
    fn row_ids_are_the_document_id_and_the_padded_number() {
        let id = |r: RowId| {
            let mut s = String::new();
            r.write(&mut s, "d1");
            s
        };
        assert_eq!(id(RowId::Section(0)), "d1:s00000");
        assert_eq!(id(RowId::Section(99_999)), "d1:s99999");
        assert_eq!(id(RowId::Section(100_000)), "d1:s100000");
        assert_eq!(id(RowId::Sentence(42)), "d1:t000042");
        assert_eq!(id(RowId::Sentence(1_234_567)), "d1:t1234567");
        assert_eq!(id(RowId::Indicator(7)), "d1:i000007");
        assert_eq!(id(RowId::Indicator(-3)), "d1:i-00003");
    }
}
