//! Traditional → simplified with OpenCC's phrase dictionaries (`opencc-fmmseg`), built once
//! and shared by every worker. Place names are protected: where t2s would change a current
//! simplified name from the gazetteer (乾安县 → 干安县), the name is put back.

use crate::model::Script;
use aho_corasick::{AhoCorasick, MatchKind};
use opencc_fmmseg::OpenCC;

/// Variant characters OpenCC's t2s leaves alone although they are traditional-only:
/// (traditional, simplified).
const SUPPLEMENT: &[(char, char)] = &[
    ('堿', '碱'),
    ('囘', '回'),
    ('粧', '妆'),
    ('鑛', '矿'),
    ('緖', '绪'),
];

pub struct Converter {
    cc: &'static OpenCC,
    /// Bit set over the BMP: characters that t2s changes when they stand alone.
    traditional: Vec<u64>,
    /// (what t2s makes of a protected name, the name)
    protect: Option<(AhoCorasick, Vec<String>)>,
    /// A substring search for each of those when they are few (乾县, 乾安县 → 干县, 干安县),
    /// asked first of every converted text: the automaton's own prefilter looks for a
    /// pattern's first byte, a UTF-8 lead byte that a sixteenth of Chinese characters share.
    protect_first: Vec<memchr::memmem::Finder<'static>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    pub text: String,
    pub script: Script,
    pub converted_chars: usize,
}

/// t2s of every BMP character taken alone (identity outside the CJK blocks, and where a
/// character maps to more than one).
/// GB2312's hanzi are GBK's two-byte codes with lead 0xB0–0xF7 and trail 0xA1–0xFE.
fn in_gb2312(c: char) -> bool {
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
    !unmappable
        && bytes.len() == 2
        && (0xB0..=0xF7).contains(&bytes[0])
        && (0xA1..=0xFE).contains(&bytes[1])
}

impl Converter {
    pub fn new<'a>(protected_names: impl Iterator<Item = &'a str>) -> Converter {
        let cc = crate::zh::t2s::opencc();
        let table = crate::zh::t2s::table();
        let mut traditional = vec![0u64; 0x10000 / 64];
        for (u, &t) in table.iter().enumerate() {
            // 著, 乾, 余 change under t2s but are everyday simplified characters too: only
            // characters outside GB2312 (the simplified repertoire) count as traditional
            let c = char::from_u32(u as u32).unwrap_or(t);
            if t != c && !in_gb2312(c) {
                traditional[u / 64] |= 1 << (u % 64);
            }
        }
        for (t, _) in SUPPLEMENT {
            let u = *t as usize;
            traditional[u / 64] |= 1 << (u % 64);
        }
        let mut from = Vec::new();
        let mut to = Vec::new();
        for name in protected_names {
            let t = cc.t2s(name, false);
            if t != name {
                from.push(t);
                to.push(name.to_string());
            }
        }
        // (for many patterns the automaton alone: no finders)
        let protect_first = if from.len() <= 8 {
            from.iter()
                .map(|f| memchr::memmem::Finder::new(f.as_bytes()).into_owned())
                .collect()
        } else {
            Vec::new()
        };
        let protect = (!from.is_empty()).then(|| {
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&from)
                .expect("protected names automaton");
            (ac, to)
        });
        Converter {
            cc,
            traditional,
            protect,
            protect_first,
        }
    }

    /// The OpenCC instance, for other stages that need its dictionaries (built once).
    pub fn opencc(&self) -> &OpenCC {
        self.cc
    }

    pub fn is_traditional(&self, c: char) -> bool {
        let u = c as usize;
        u < 0x10000 && self.traditional[u / 64] & (1 << (u % 64)) != 0
    }

    /// Takes the text by value: a simplified document (most are) becomes its own output
    /// without a copy.
    pub fn convert(&self, text: String) -> Converted {
        let mut cjk = 0usize;
        let mut trad = 0usize;
        for c in text.chars() {
            if crate::zh::chars::is_cjk(c) {
                cjk += 1;
                trad += self.is_traditional(c) as usize;
            }
        }
        if trad == 0 {
            return Converted {
                text,
                script: Script::Hans,
                converted_chars: 0,
            };
        }
        // a simplified text with a stray 乾 or 後 is still simplified
        let share = trad as f64 / cjk.max(1) as f64;
        let script = if share >= 0.05 {
            Script::Hant
        } else if share >= 0.005 {
            Script::Mixed
        } else {
            Script::Hans
        };
        let mut out = self.cc.t2s(&text, false);
        if out.chars().any(|c| SUPPLEMENT.iter().any(|(t, _)| *t == c)) {
            out = out
                .chars()
                .map(|c| {
                    SUPPLEMENT
                        .iter()
                        .find(|(t, _)| *t == c)
                        .map_or(c, |(_, s)| *s)
                })
                .collect();
        }
        if let Some((ac, names)) = &self.protect {
            // a few patterns (the usual case): one substring search each decides
            let may_match = self.protect_first.is_empty()
                || self
                    .protect_first
                    .iter()
                    .any(|f| f.find(out.as_bytes()).is_some());
            if may_match && ac.is_match(&out) {
                out = ac.replace_all(&out, names);
            }
        }
        let converted_chars = if out.chars().count() == text.chars().count() {
            out.chars()
                .zip(text.chars())
                .filter(|(a, b)| a != b)
                .count()
        } else {
            trad
        };
        Converted {
            text: out,
            script,
            converted_chars,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrase_level_and_protected_names() {
        let c = Converter::new(["乾安县"].into_iter());
        let r = c.convert("著力發展乾安縣經濟，後續幹部，堿地".into());
        assert_eq!(r.text, "着力发展乾安县经济，后续干部，碱地");
        assert_eq!(r.script, Script::Hant);
        assert_eq!(r.converted_chars, 9);
        let s = c.convert("青禾县经济发展成效显著".into());
        assert_eq!(
            (s.text.as_str(), s.script, s.converted_chars),
            ("青禾县经济发展成效显著", Script::Hans, 0)
        );
    }
}
