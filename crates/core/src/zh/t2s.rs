//! Traditional → simplified: one OpenCC for the process (its dictionaries are large and
//! slow to load) and the character-level table read from it, both built on first use; and
//! `Matcher`, OpenCC's t2s conversion itself run over UTF-8 with its dictionaries.

use crate::zh::chars::{decode_at, differing_chars, utf8_width, BmpSet};
use opencc_fmmseg::{DictMaxLen, DictionaryMaxlength, OpenCC};
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// The process's converter. Documents are already spread over worker threads: nested rayon
/// inside OpenCC would only add overhead, so it is off.
///
/// It holds the dictionaries of the three conversions govtext makes — t2s, and s2t and s2tw
/// (clean widens its rules with them) — and lets the others go: Hong Kong, Japanese and
/// seal-script tables and the reverse ones, with their lookup indexes, would stay resident
/// for the whole run for nothing.
pub fn opencc() -> &'static OpenCC {
    &loaded().0
}

/// The matcher for the process's t2s dictionaries (phrases, then characters, as
/// `OpenCC::t2s` asks them), or None when they are of a shape it does not reproduce.
pub fn matcher() -> Option<&'static Matcher> {
    loaded().1.as_ref()
}

/// OpenCC and the matcher made from its dictionaries before OpenCC takes them (it does not
/// lend them out).
fn loaded() -> &'static (OpenCC, Option<Matcher>) {
    static CC: OnceLock<(OpenCC, Option<Matcher>)> = OnceLock::new();
    CC.get_or_init(|| {
        let mut d = DictionaryMaxlength::new().expect("OpenCC's bundled dictionaries");
        // the ones let go are named, not the ones kept: `DictionaryMaxlength::default()`, to
        // move the kept ones into, builds lookup indexes for its empty dictionaries (13 MB
        // more peak RSS on the bench corpus); an empty `DictMaxLen` holds nothing
        for unused in [
            &mut d.tw_phrases,
            &mut d.tw_phrases_rev,
            &mut d.hk_phrases,
            &mut d.hk_phrases_rev,
            &mut d.tw_variants_rev,
            &mut d.tw_variants_rev_phrases,
            &mut d.hk_variants_phrases,
            &mut d.hk_variants,
            &mut d.hk_variants_rev,
            &mut d.hk_variants_rev_phrases,
            &mut d.jps_characters,
            &mut d.jps_characters_rev,
            &mut d.jps_phrases,
            &mut d.seal_characters,
            &mut d.seal_characters_rev,
            &mut d.seal_variants,
            &mut d.seal_variants_rev,
            &mut d.st_punctuations,
            &mut d.ts_punctuations,
        ] {
            *unused = DictMaxLen::default();
        }
        let matcher = Matcher::new(&[&d.ts_phrases, &d.ts_characters]);
        let mut cc = OpenCC::from_dictionary(d);
        cc.set_parallel(false);
        (cc, matcher)
    })
}

/// What t2s makes of each BMP character standing alone (itself when nothing), built once
/// from `opencc()`: the converter's detection and the repair stage's language model read it.
pub fn table() -> &'static [char] {
    static TABLE: OnceLock<Vec<char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let cc = opencc();
        let mut table: Vec<char> = (0..0x10000u32)
            .map(|u| char::from_u32(u).unwrap_or('\u{FFFD}'))
            .collect();
        let cjk: String = (0x3400u32..=0x9FFF)
            .filter_map(char::from_u32)
            .flat_map(|c| [c, '\n'])
            .collect();
        for (a, b) in cjk.split('\n').zip(cc.t2s(&cjk, false).split('\n')) {
            let mut bs = b.chars();
            if let (Some(a), Some(b), None) = (a.chars().next(), bs.next(), bs.next()) {
                table[a as usize] = b;
            }
        }
        table
    })
}

/// OpenCC's t2s (`OpenCC::t2s(text, false)`): at each character the longest phrase of its
/// dictionaries that the text goes on with, else the character's own mapping, else the
/// character. OpenCC first turns the text into a `Vec<char>`, cuts it at its delimiters and
/// asks a hash map of `[char]` keys for every length a phrase starting with the character
/// may have; here the bytes are read where they lie, a character that neither changes alone
/// nor starts a phrase costs one bit test, and changes are written into one copy of the text.
///
/// The same result needs two facts of the dictionaries, checked where the matcher is made
/// (`new` declines otherwise and OpenCC converts): no key holds one of OpenCC's delimiters,
/// so no phrase could cross the places OpenCC cuts at and no delimiter is ever converted;
/// and a one-character key becomes one character.
pub struct Matcher {
    /// The characters of the plane that change alone or start a phrase: all others are
    /// copied as they are.
    marked: BmpSet,
    /// What each character of the plane becomes alone (itself when nothing).
    alone: Box<[char]>,
    /// Characters beyond the plane that change alone, sorted.
    astral: Vec<(char, char)>,
    /// Phrases (key, value), grouped by first character and longest first within a group.
    phrases: Vec<(Box<str>, Box<str>)>,
    /// First character → its group in `phrases`.
    starts: FxHashMap<char, (u32, u32)>,
    /// The characters of the plane that start a phrase (asked before `starts`).
    starters: BmpSet,
}

impl Matcher {
    /// Built from OpenCC's dictionaries in their order of precedence: where two hold the same
    /// key, the earlier one's value is OpenCC's.
    pub fn new(dicts: &[&DictMaxLen]) -> Option<Matcher> {
        let mut alone: Vec<char> = (0..0x10000u32)
            .map(|u| char::from_u32(u).unwrap_or('\u{FFFD}'))
            .collect();
        let mut marked = BmpSet::new(&[]);
        let mut astral: FxHashMap<char, char> = FxHashMap::default();
        let mut phrases: FxHashMap<&[char], &str> = FxHashMap::default();
        let mut seen_alone = BmpSet::new(&[]);
        for dict in dicts {
            for (key, value) in dict.iter() {
                if key.iter().any(|c| opencc_fmmseg::is_delimiter(*c)) {
                    return None;
                }
                match key {
                    [] => return None,
                    [c] => {
                        let mut v = value.chars();
                        let (Some(to), None) = (v.next(), v.next()) else {
                            return None;
                        };
                        let u = *c as usize;
                        if u < 0x10000 {
                            if !seen_alone.contains(*c) {
                                seen_alone.insert(*c);
                                alone[u] = to;
                                if to != *c {
                                    marked.insert(*c);
                                }
                            }
                        } else if to != *c {
                            astral.entry(*c).or_insert(to);
                        }
                    }
                    _ => {
                        phrases.entry(key).or_insert(value);
                    }
                }
            }
        }
        let mut phrases: Vec<(&[char], &str)> = phrases.into_iter().collect();
        // by first character, then longest first: the first that matches is the longest
        phrases.sort_by(|a, b| {
            a.0[0]
                .cmp(&b.0[0])
                .then(b.0.len().cmp(&a.0.len()))
                .then(a.0.cmp(b.0))
        });
        let mut starts: FxHashMap<char, (u32, u32)> = FxHashMap::default();
        let mut starters = BmpSet::new(&[]);
        for (i, (key, _)) in phrases.iter().enumerate() {
            let group = starts.entry(key[0]).or_insert((i as u32, i as u32));
            group.1 = i as u32 + 1;
            marked.insert(key[0]);
            starters.insert(key[0]);
        }
        let mut astral: Vec<(char, char)> = astral.into_iter().collect();
        astral.sort_unstable();
        Some(Matcher {
            marked,
            alone: alone.into_boxed_slice(),
            astral,
            phrases: phrases
                .into_iter()
                .map(|(k, v)| (k.iter().collect::<String>().into(), v.into()))
                .collect(),
            starts,
            starters,
        })
    }

    /// The text converted.
    pub fn convert(&self, text: &str) -> String {
        self.convert_counting(text, |_| {}).0
    }

    /// The text converted, and how many of its characters changed, position by position
    /// (None when a phrase became a different number of characters); `each` is called with
    /// every character of the text in order (to count characters without another pass).
    pub fn convert_counting(
        &self,
        text: &str,
        mut each: impl FnMut(char),
    ) -> (String, Option<usize>) {
        let b = text.as_bytes();
        let mut out = Out::new(b);
        let mut changed = Some(0);
        let mut at = 0;
        'text: while at < b.len() {
            let (c, width) = (decode_at(b, at), utf8_width(b[at]));
            if width < 4 && !self.marked.contains(c) {
                each(c);
                at += width;
                continue;
            }
            if width == 4 || self.starters.contains(c) {
                if let Some(&(from, to)) = self.starts.get(&c) {
                    let rest = &b[at + width..];
                    for (key, value) in &self.phrases[from as usize..to as usize] {
                        // the key without its first character, which is `c`
                        let tail = &key.as_bytes()[width..];
                        if rest.len() >= tail.len() && tail.iter().zip(rest).all(|(x, y)| x == y) {
                            key.chars().for_each(&mut each);
                            changed = changed.zip(differing_chars(key, value)).map(|(n, k)| n + k);
                            out.put(at, key.len(), value);
                            at += key.len();
                            continue 'text;
                        }
                    }
                }
            }
            each(c);
            let to = if width < 4 {
                self.alone[c as usize]
            } else {
                self.astral
                    .binary_search_by_key(&c, |&(t, _)| t)
                    .map_or(c, |i| self.astral[i].1)
            };
            if to != c {
                changed = changed.map(|n| n + 1);
                out.put(at, width, to.encode_utf8(&mut [0; 4]));
            }
            at += width;
        }
        (out.finish(), changed)
    }
}

/// The converted text as it is built: first a copy of the whole text, changed in place while
/// every replacement has the length of what it replaces (nearly always: t2s maps characters
/// of the plane's CJK blocks to each other); from the first that does not, built piece by
/// piece behind the reading position.
struct Out<'a> {
    text: &'a [u8],
    bytes: Vec<u8>,
    /// None while `bytes` is the text changed in place; else how much of the text `bytes`
    /// holds the conversion of.
    copied: Option<usize>,
}

impl<'a> Out<'a> {
    fn new(text: &'a [u8]) -> Out<'a> {
        Out {
            text,
            bytes: text.to_vec(),
            copied: None,
        }
    }

    /// `text[at..at + len]`, whole characters, becomes `with`.
    fn put(&mut self, at: usize, len: usize, with: &str) {
        match self.copied {
            None if with.len() == len => {
                // byte by byte: a few bytes each time, where `copy_from_slice` calls memcpy
                for (to, from) in self.bytes[at..at + len].iter_mut().zip(with.as_bytes()) {
                    *to = *from;
                }
                return;
            }
            None => self.bytes.truncate(at),
            Some(copied) => self.bytes.extend_from_slice(&self.text[copied..at]),
        }
        self.bytes.extend_from_slice(with.as_bytes());
        self.copied = Some(at + len);
    }

    fn finish(mut self) -> String {
        if let Some(copied) = self.copied {
            self.bytes.extend_from_slice(&self.text[copied..]);
        }
        debug_assert!(std::str::from_utf8(&self.bytes).is_ok());
        // SAFETY: the bytes are the text's (UTF-8) with runs of whole characters replaced by
        // the bytes of `&str`s, each put at a character boundary: pieces of UTF-8 end to end
        unsafe { String::from_utf8_unchecked(self.bytes) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dictionaries let go are none of the three conversions': each converts every CJK
    /// character, and phrases of both scripts, exactly as OpenCC with all its dictionaries.
    #[test]
    fn the_kept_dictionaries_convert_as_all_of_them() {
        let full = OpenCC::new();
        let kept = opencc();
        let cjk: String = (0x3400u32..=0x9FFF)
            .filter_map(char::from_u32)
            .flat_map(|c| [c, '\n'])
            .collect();
        let phrases =
            "乾隆年间，天气干燥，后续干部发展经济。\n乾隆年間，天氣乾燥，後續幹部發展經濟。";
        for text in [cjk.as_str(), phrases] {
            assert_eq!(kept.t2s(text, false), full.t2s(text, false));
            assert_eq!(kept.s2t(text, false), full.s2t(text, false));
            assert_eq!(kept.s2tw(text, false), full.s2tw(text, false));
        }
        assert_eq!(kept.t2s("發展經濟", false), "发展经济");
    }

    /// OpenCC's t2s of `text`, the reference the matcher is held to.
    fn reference(text: &str) -> String {
        opencc().t2s(text, false)
    }

    #[test]
    fn the_bundled_dictionaries_have_a_matcher() {
        let m = matcher()
            .expect("t2s's dictionaries hold no delimiter and map characters to characters");
        // the shapes the properties below draw from: phrases, and characters beyond the plane
        assert!(m.phrases.len() > 400, "{} phrases", m.phrases.len());
        assert!(
            m.astral.len() > 100,
            "{} characters beyond the plane",
            m.astral.len()
        );
    }

    /// Every character of the plane, and every one beyond it that t2s maps, alone between
    /// newlines and all run together (where phrases form across neighbours).
    #[test]
    fn every_character_as_opencc() {
        let m = matcher().unwrap();
        let plane = (0..0x10000u32).filter_map(char::from_u32);
        let beyond = m.astral.iter().map(|&(t, _)| t);
        let all: Vec<char> = plane.chain(beyond).collect();
        let apart: String = all.iter().flat_map(|&c| [c, '\n']).collect();
        let together: String = all.iter().collect();
        for text in [apart, together] {
            assert_eq!(m.convert(&text), reference(&text));
        }
    }

    /// Pieces a text of the matcher's own dictionaries is made of: whole phrases, their
    /// beginnings (a longer phrase begun and not finished), characters that change alone,
    /// delimiters, and characters t2s leaves alone of every width.
    fn pieces() -> Vec<String> {
        let m = matcher().unwrap();
        let mut pieces: Vec<String> = Vec::new();
        for (key, _) in &m.phrases {
            let chars: Vec<char> = key.chars().collect();
            pieces.push(key.to_string());
            pieces.push(chars[..chars.len() - 1].iter().collect());
            pieces.push(chars[1..].iter().collect());
        }
        for (u, &to) in m.alone.iter().enumerate().step_by(7) {
            match char::from_u32(u as u32) {
                Some(from) if from != to => {
                    pieces.push(from.to_string());
                    pieces.push(to.to_string());
                }
                _ => {}
            }
        }
        pieces.extend(m.astral.iter().map(|&(t, _)| t.to_string()));
        for other in ["，", "。", " ", "\n", "、", "a", "7", "é", "𠀀", "发", "中"] {
            pieces.push(other.to_string());
        }
        pieces
    }

    proptest::proptest! {
        /// Texts made of the dictionaries' own pieces convert as OpenCC converts them.
        #[test]
        fn as_opencc(picks in proptest::collection::vec(proptest::num::usize::ANY, 0..60)) {
            static PIECES: OnceLock<Vec<String>> = OnceLock::new();
            let pieces = PIECES.get_or_init(pieces);
            let text: String = picks.iter().map(|&i| pieces[i % pieces.len()].as_str()).collect();
            proptest::prop_assert_eq!(matcher().unwrap().convert(&text), reference(&text));
        }
    }

    /// Phrases before characters, the first dictionary before the next for the same key, the
    /// longest phrase first; a replacement of another length (the text is then built piece
    /// by piece) and a character beyond the plane.
    #[test]
    fn precedence_and_lengths() {
        let phrases = DictMaxLen::build_from_pairs(vec![
            ("甲乙".to_string(), "ab".to_string()),
            ("甲乙丙".to_string(), "甲乙丙".to_string()),
            ("丁戊".to_string(), "first".to_string()),
        ]);
        let chars = DictMaxLen::build_from_pairs(vec![
            ("甲".to_string(), "乙".to_string()),
            ("丙".to_string(), "丁".to_string()),
            ("𠀀".to_string(), "x".to_string()),
            ("丁戊".to_string(), "second".to_string()),
        ]);
        let m = Matcher::new(&[&phrases, &chars]).unwrap();
        assert_eq!(m.convert("丙甲乙丙𠀀甲"), "丁甲乙丙x乙");
        assert_eq!(m.convert("丙甲乙甲𠀀丁戊丙"), "丁ab乙xfirst丁");
        assert_eq!(m.convert("甲甲"), "乙乙");
        assert_eq!(m.convert(""), "");
        assert_eq!(m.convert("无关"), "无关");
        // the same character in two dictionaries: the first one's
        let first = DictMaxLen::build_from_pairs(vec![("丙".to_string(), "戊".to_string())]);
        let m = Matcher::new(&[&first, &chars]).unwrap();
        assert_eq!(m.convert("丙甲"), "戊乙");
    }

    /// What the matcher cannot reproduce it declines: a delimiter within a key (OpenCC cuts
    /// the text there) or a character that becomes two.
    #[test]
    fn declines_other_shapes() {
        let pairs = |p: &[(&str, &str)]| {
            DictMaxLen::build_from_pairs(p.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        };
        let fine = pairs(&[("甲", "乙")]);
        assert!(Matcher::new(&[&fine]).is_some());
        assert!(Matcher::new(&[&pairs(&[("甲，乙", "乙")])]).is_none());
        assert!(Matcher::new(&[&fine, &pairs(&[("，", ",")])]).is_none());
        assert!(Matcher::new(&[&pairs(&[("甲", "乙丙")])]).is_none());
    }

    /// The pages and seeds of `../shared` (decoded as the pipeline decodes them) convert as
    /// OpenCC converts them. Skipped, with a message, when the folder is absent.
    #[test]
    fn shared_pages_as_opencc() {
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
        let mut seen = 0;
        for dir in ["real", "seeds"] {
            let Ok(entries) = std::fs::read_dir(shared.join(dir)) else {
                eprintln!("SKIPPED: {} is absent", shared.join(dir).display());
                continue;
            };
            for entry in entries {
                let bytes = std::fs::read(entry.unwrap().path()).unwrap();
                let Ok(d) = crate::decode::decode(&bytes) else {
                    continue;
                };
                assert_eq!(matcher().unwrap().convert(&d.text), reference(&d.text));
                seen += 1;
            }
        }
        eprintln!("{seen} shared pages compared");
    }
}
