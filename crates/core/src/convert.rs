//! Traditional → simplified with OpenCC's phrase dictionaries (`opencc-fmmseg`), built once
//! and shared by every worker. Place names are protected: where t2s would change a current
//! simplified name from the gazetteer (乾安县 → 干安县), the name is put back.

use crate::model::Script;
use crate::zh::chars::{differing_chars, utf8_width, BmpSet};
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
    /// OpenCC's t2s without OpenCC's overhead (None: OpenCC converts).
    matcher: Option<&'static crate::zh::t2s::Matcher>,
    /// Characters that t2s changes when they stand alone.
    traditional: BmpSet,
    /// (what t2s makes of a protected name, the name)
    protect: Option<(AhoCorasick, Vec<String>)>,
    /// A substring search for each of those when they are few (乾县, 乾安县 → 干县, 干安县),
    /// asked first of every converted text: the automaton's own prefilter looks for a
    /// pattern's first byte, a UTF-8 lead byte that a sixteenth of Chinese characters share.
    protect_first: Vec<memchr::memmem::Finder<'static>>,
    /// A substring search for each of `SUPPLEMENT`'s traditional characters.
    supplement: Vec<memchr::memmem::Finder<'static>>,
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
        let mut traditional = BmpSet::new(&[]);
        for (u, &t) in table.iter().enumerate() {
            // 著, 乾, 余 change under t2s but are everyday simplified characters too: only
            // characters outside GB2312 (the simplified repertoire) count as traditional
            let c = char::from_u32(u as u32).unwrap_or(t);
            if t != c && !in_gb2312(c) {
                traditional.insert(c);
            }
        }
        for (t, _) in SUPPLEMENT {
            traditional.insert(*t);
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
            matcher: crate::zh::t2s::matcher(),
            traditional,
            protect,
            protect_first,
            supplement: SUPPLEMENT
                .iter()
                .map(|(t, _)| memchr::memmem::Finder::new(t.to_string().as_bytes()).into_owned())
                .collect(),
        }
    }

    /// The OpenCC instance, for other stages that need its dictionaries (built once).
    pub fn opencc(&self) -> &OpenCC {
        self.cc
    }

    pub fn is_traditional(&self, c: char) -> bool {
        self.traditional.contains(c)
    }

    /// Takes the text by value: a simplified document (most are) becomes its own output
    /// without a copy.
    pub fn convert(&self, text: String) -> Converted {
        if !self.any_traditional(&text) {
            return Converted {
                text,
                script: Script::Hans,
                converted_chars: 0,
            };
        }
        let (mut out, cjk, trad, changed) = self.t2s_counting(&text);
        // a simplified text with a stray 乾 or 後 is still simplified
        let share = trad as f64 / cjk.max(1) as f64;
        let script = if share >= 0.05 {
            Script::Hant
        } else if share >= 0.005 {
            Script::Mixed
        } else {
            Script::Hans
        };
        let mut touched = self.supplement_into(&mut out);
        if let Some((ac, names)) = &self.protect {
            // a few patterns (the usual case): one substring search each decides
            let may_match = self.protect_first.is_empty()
                || self
                    .protect_first
                    .iter()
                    .any(|f| f.find(out.as_bytes()).is_some());
            if may_match && ac.is_match(&out) {
                out = ac.replace_all(&out, names);
                touched = true;
            }
        }
        // the conversion's own count unless the supplement or a protected name changed the
        // text after it (rare): then the two texts are compared
        let converted_chars = match changed {
            Some(n) if !touched => n,
            _ => changed_chars(&out, &text).unwrap_or(trad),
        };
        Converted {
            text: out,
            script,
            converted_chars,
        }
    }

    /// `SUPPLEMENT`'s characters in `out` replaced where they are found (a document holding
    /// one is otherwise copied as it is: no walk over all its characters). No replacement is
    /// itself replaced, so one character after another is the same as all at once.
    /// Whether it replaced any.
    fn supplement_into(&self, out: &mut String) -> bool {
        let mut any = false;
        for ((t, s), f) in SUPPLEMENT.iter().zip(&self.supplement) {
            let found: Vec<usize> = f.find_iter(out.as_bytes()).collect();
            any |= !found.is_empty();
            // from the end: a replacement of another length moves only what follows it
            for at in found.into_iter().rev() {
                out.replace_range(at..at + t.len_utf8(), s.encode_utf8(&mut [0; 4]));
            }
        }
        any
    }

    /// (t2s of `text`, its CJK characters, its traditional ones, the characters t2s
    /// changed when known): counted as the matcher reads the text, in its one pass.
    fn t2s_counting(&self, text: &str) -> (String, usize, usize, Option<usize>) {
        match self.matcher {
            Some(m) => {
                let (mut cjk, mut trad) = (0, 0);
                let (out, changed) = m.convert_counting(text, |c| {
                    if crate::zh::chars::is_cjk(c) {
                        cjk += 1;
                        trad += usize::from(self.is_traditional(c));
                    }
                });
                (out, cjk, trad, changed)
            }
            None => {
                let (cjk, trad) = self.count_cjk(text);
                (self.cc.t2s(text, false), cjk, trad, None)
            }
        }
    }

    /// Whether `text` has a traditional CJK character (what makes it converted at all).
    fn any_traditional(&self, text: &str) -> bool {
        text.chars()
            .any(|c| self.is_traditional(c) && crate::zh::chars::is_cjk(c))
    }

    /// (CJK characters, traditional ones) in `text`: a plain walk over its characters, which
    /// std decodes faster than a walk over bytes that decodes by hand.
    fn count_cjk(&self, text: &str) -> (usize, usize) {
        text.chars()
            .filter(|c| crate::zh::chars::is_cjk(*c))
            .fold((0, 0), |(cjk, trad), c| {
                (cjk + 1, trad + usize::from(self.is_traditional(c)))
            })
    }
}

/// How many characters `out` has changed from `text`, position by position, or None when
/// the two differ in length. Both are walked at once, eight bytes at a time where they are
/// the same; a character is decoded only where they differ. While the two are in step (every
/// change so far kept its UTF-8 length), equal bytes at the same offset are equal
/// characters, and a character boundary in one is one in the other.
fn changed_chars(out: &str, text: &str) -> Option<usize> {
    let (a, b) = (out.as_bytes(), text.as_bytes());
    let n = a.len().min(b.len());
    let mut changed = 0;
    let mut i = 0;
    loop {
        while i + 8 <= n && a[i..i + 8] == b[i..i + 8] {
            i += 8;
        }
        while i < n && a[i] == b[i] {
            i += 1;
        }
        if i == a.len() && i == b.len() {
            return Some(changed);
        }
        // back to the start of the character that differs
        while !out.is_char_boundary(i) {
            i -= 1;
        }
        // a character of the same width in both whose bytes differ is a changed character
        match (
            a.get(i).map(|&l| utf8_width(l)),
            b.get(i).map(|&l| utf8_width(l)),
        ) {
            (Some(x), Some(y)) if x == y => {
                changed += 1;
                i += x;
            }
            // out of step: the rest character by character
            _ => return differing_chars(&out[i..], &text[i..]).map(|n| changed + n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The byte walk counts what a character-by-character comparison counts, and says
        /// None exactly when the lengths in characters differ.
        #[test]
        fn changed_chars_as_char_by_char(
            a in proptest::collection::vec(
                proptest::sample::select(vec!['發', '发', '后', '後', 'a', 'é', '𠀀', '，', ' ']),
                0..40,
            ),
            b in proptest::collection::vec(
                proptest::sample::select(vec!['發', '发', '后', '後', 'a', 'é', '𠀀', '，', ' ']),
                0..40,
            ),
            same_length in proptest::bool::ANY,
        ) {
            let out: String = a.iter().collect();
            // half the cases: a text of the same length, changed at some positions
            let text: String = if same_length {
                a.iter().zip(b.iter().chain(std::iter::repeat(&'发'))).map(|(x, y)| if (*x as u32 + *y as u32).is_multiple_of(3) { *y } else { *x }).collect()
            } else {
                b.iter().collect()
            };
            let naive = (out.chars().count() == text.chars().count())
                .then(|| out.chars().zip(text.chars()).filter(|(x, y)| x != y).count());
            proptest::prop_assert_eq!(changed_chars(&out, &text), naive);
        }
    }

    proptest::proptest! {
        /// The supplement replaced where found is the supplement mapped over every character.
        #[test]
        fn supplement_as_mapped_over_characters(
            chars in proptest::collection::vec(
                proptest::sample::select(vec!['堿', '囘', '粧', '鑛', '緖', '碱', '回', 'a', '中', '，']),
                0..30,
            ),
        ) {
            let c = Converter::new(std::iter::empty());
            let mapped: String = chars
                .iter()
                .map(|c| SUPPLEMENT.iter().find(|(t, _)| t == c).map_or(*c, |(_, s)| *s))
                .collect();
            let mut out: String = chars.iter().collect();
            let any = chars.iter().any(|c| SUPPLEMENT.iter().any(|(t, _)| t == c));
            proptest::prop_assert_eq!(c.supplement_into(&mut out), any);
            proptest::prop_assert_eq!(out, mapped);
        }
    }

    proptest::proptest! {
        /// The matcher's conversion and counts are OpenCC's conversion and a count of the
        /// characters on their own; and a document's whole result is the same by either.
        #[test]
        fn counted_as_converted(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "發展", "乾隆", "乾燥", "著", "乾", "後", "后", "堿", "乾安縣", "干安县",
                    "經濟", "发展", "，", "。", " ", "a", "é", "𠀀", "\u{3400}", "\u{FA00}",
                ]),
                0..40,
            ),
        ) {
            let with = Converter::new(["乾安县"].into_iter());
            proptest::prop_assert!(with.matcher.is_some());
            let without = Converter { matcher: None, ..Converter::new(["乾安县"].into_iter()) };
            let text: String = pieces.concat();
            let (cjk, trad) = with.count_cjk(&text);
            let t2s = with.cc.t2s(&text, false);
            let changed = changed_chars(&t2s, &text);
            proptest::prop_assert_eq!(with.t2s_counting(&text), (t2s, cjk, trad, changed));
            proptest::prop_assert_eq!(with.convert(text.clone()), without.convert(text));
        }
    }

    #[test]
    fn cjk_and_traditional_counted() {
        let c = Converter::new(std::iter::empty());
        let text = "發展a，é𠀀著力后後\u{3400}\u{FA00}x\u{2F800}";
        let naive = text
            .chars()
            .filter(|c| crate::zh::chars::is_cjk(*c))
            .count();
        let trad = text
            .chars()
            .filter(|ch| crate::zh::chars::is_cjk(*ch) && c.is_traditional(*ch))
            .count();
        assert_eq!(c.count_cjk(text), (naive, trad));
        assert_eq!(c.count_cjk(text).0, 10);
    }

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
