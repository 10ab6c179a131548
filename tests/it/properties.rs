//! Property tests of the segment stage: whatever the text, sentence spans are ordered,
//! non-overlapping, on character boundaries and cover every non-space character; every
//! sentence's section contains it.

use govtext::segment::{segment, SegmentOptions};
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "一、2024年工作回顾",
    "二、2025年工作安排",
    "（一）抓项目促发展",
    "（二）惠民生",
    "——稳增长。",
    "一是加强统筹。",
    "二是优化服务。",
    "招商引资成势见效。",
    "全年增长5.5%。",
    "“一网通办”",
    "（含1.0）",
    "他说：“好。”",
    "\n",
    "\n",
    "，",
    "。",
    "；",
    "？",
    "！",
    "abc",
    " ",
    "1.",
    "（1）",
    "第一，",
    "…",
    "《规划》",
    "（",
    "）",
    "“",
    "”",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn spans_cover_the_text(t in text(), gap in any::<bool>()) {
        let seg = segment(&t, &SegmentOptions { has_gap: gap });
        let chars: Vec<char> = t.chars().collect();
        let mut covered = vec![false; chars.len()];
        let mut last_end = 0;
        for s in &seg.sentences {
            prop_assert!(s.start < s.end && s.end <= chars.len());
            prop_assert!(s.start >= last_end, "overlap or disorder");
            last_end = s.end;
            prop_assert!(!chars[s.start..s.end].contains(&'\n'));
            for c in covered.iter_mut().take(s.end).skip(s.start) {
                *c = true;
            }
            if let Some(x) = s.section {
                let sec = &seg.sections[x];
                prop_assert!(sec.start <= s.start && s.start < sec.end);
            }
        }
        for (i, c) in chars.iter().enumerate() {
            prop_assert!(covered[i] || c.is_whitespace(), "char {i} {c:?} in no sentence");
        }
        for (i, s) in seg.sections.iter().enumerate() {
            prop_assert!(s.start <= s.end && s.end <= chars.len());
            if let Some(p) = s.parent {
                prop_assert!(p < i && seg.sections[p].level < s.level);
                prop_assert!(seg.sections[p].start <= s.start && s.end <= seg.sections[p].end);
            }
        }
        let total: usize = seg.sections.iter().map(|s| s.sentence_count).sum();
        prop_assert_eq!(total, seg.sentences.iter().filter(|s| s.section.is_some()).count());
    }
}

/// Arbitrary bytes through every stage: a document or a reject, never a panic.
mod no_panics {
    use govtext::model::Reason;
    use govtext::pipeline::{process, Outcome, Resources, StageTimes};
    use govtext::source::{Format, Hints, RawDoc};
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn res() -> &'static Resources {
        static R: OnceLock<Resources> = OnceLock::new();
        R.get_or_init(Resources::load)
    }

    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        let text = prop::collection::vec(prop::sample::select(super::PIECES), 0..40)
            .prop_map(|v| v.concat().into_bytes());
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..400),
            text.clone(),
            text.prop_map(|t| encoding_rs::GBK
                .encode(&String::from_utf8(t).unwrap())
                .0
                .into_owned())
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]
        #[test]
        fn every_stage_survives(b in bytes(), html in any::<bool>()) {
            let raw = RawDoc { source_path: "p".into(), bytes: b, format: if html { Format::Html } else { Format::Text }, text: None, hints: Hints::default() };
            let p = process(raw, res(), &mut StageTimes::default());
            if let Outcome::Reject(r) = &p.outcome {
                prop_assert!(r.reason != Reason::InternalError, "{}", r.message);
            }
        }
    }
}
