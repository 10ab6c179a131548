//! The embedded gazetteer: GB/T 2260 divisions (`data/admin_divisions.csv`), their ISO
//! 3166-2 province codes (`data/province_iso.csv`) and former names (`data/aliases.csv`),
//! with one Aho-Corasick automaton over every full name, short name and alias.

use std::collections::HashMap;

pub use crate::model::AdminLevel as Level;

#[derive(Debug, Clone)]
pub struct Division {
    /// 6-digit GB/T 2260 code.
    pub code: u32,
    pub name: String,
    pub level: Level,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Full,
    /// The name without its suffix (`大洼` for 大洼区, `辽宁` for 辽宁省).
    Short,
    /// A former name, valid until the year given.
    Alias(i32),
}

#[derive(Debug, Clone, Copy)]
pub struct NameRef {
    pub div: usize,
    pub form: Form,
}

pub struct Gazetteer {
    pub divisions: Vec<Division>,
    by_code: HashMap<u32, usize>,
    iso: HashMap<u32, String>,
    patterns: Vec<Vec<NameRef>>,
    matcher: Names,
}

/// Leftmost-longest matching of the division names, indexed by their first two characters.
/// Every body is scanned, and Chinese text defeats a byte automaton's prefilter (every
/// character starts with one of a few lead bytes): Aho-Corasick ran at ~50 MB/s here, a
/// bitset test per character and a hash probe per possible start run several times faster.
struct Names {
    keys: Vec<String>,
    /// BMP characters that begin some name (one bit each)
    first: Vec<u64>,
    /// first two characters → names beginning with them, longest first
    by_pair: rustc_hash::FxHashMap<u64, Vec<u32>>,
    /// the same pairs hashed to one of 2^20 bits: most places where a name may start (its
    /// first character begins some name) have a second character none continues with, and
    /// a bit in a 128 KB table says so before the map is probed
    pairs: crate::zh::chars::PairSet,
    /// one-character names
    single: rustc_hash::FxHashMap<char, u32>,
    /// the UTF-8 bytes of the pairs, when every name begins with two characters of three
    /// bytes each (Chinese names do): most characters are ruled out as a start by a bit
    /// in a 16 KB table, read straight from the text's bytes, without decoding them
    pair_bytes: Option<Vec<u64>>,
}

/// Bits in `Names::pair_bytes`.
const PAIR_BYTES_BITS: u32 = 17;

/// The bit of six bytes (two characters of three) in `Names::pair_bytes`.
fn pair_bytes_bit(six: u64) -> usize {
    (six.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PAIR_BYTES_BITS)) as usize
}

/// The six bytes at `i` of `b` (which has at least six there) as a number.
fn six_at(b: &[u8], i: usize) -> u64 {
    match b.get(i..i + 8) {
        Some(w) => u64::from_le_bytes(w.try_into().expect("eight bytes")) & 0xFFFF_FFFF_FFFF,
        None => b[i..i + 6]
            .iter()
            .rev()
            .fold(0, |acc, &x| (acc << 8) | u64::from(x)),
    }
}

impl Names {
    fn new(keys: &[String]) -> Names {
        let mut n = Names {
            keys: keys.to_vec(),
            first: vec![0; 1024],
            by_pair: Default::default(),
            pairs: crate::zh::chars::PairSet::new(),
            single: Default::default(),
            pair_bytes: None,
        };
        let mut pair_bytes = vec![0u64; 1 << (PAIR_BYTES_BITS - 6)];
        let mut all_six = true;
        for (i, k) in keys.iter().enumerate() {
            let mut cs = k.chars();
            let Some(a) = cs.next() else { continue };
            if let Some(slot) = n.first.get_mut(a as usize / 64) {
                *slot |= 1 << (a as usize % 64);
            }
            match cs.next() {
                Some(b) => {
                    n.pairs.insert(a, b);
                    n.by_pair.entry(pair(a, b)).or_default().push(i as u32);
                    if a.len_utf8() == 3 && b.len_utf8() == 3 {
                        let bit = pair_bytes_bit(six_at(k.as_bytes(), 0));
                        pair_bytes[bit / 64] |= 1 << (bit % 64);
                    } else {
                        all_six = false;
                    }
                }
                None => {
                    n.single.insert(a, i as u32);
                }
            }
        }
        for v in n.by_pair.values_mut() {
            v.sort_by_key(|&i| std::cmp::Reverse(keys[i as usize].len()));
        }
        if all_six && n.single.is_empty() {
            n.pair_bytes = Some(pair_bytes);
        }
        n
    }

    fn may_start(&self, c: char) -> bool {
        self.first
            .get(c as usize / 64)
            .is_none_or(|w| w & (1 << (c as usize % 64)) != 0)
    }

    /// The longest name at byte `i` of `text`: (its index, its byte length).
    fn at(&self, text: &str, i: usize, a: char) -> Option<(u32, usize)> {
        let rest = &text[i..];
        if let Some(b) = rest[a.len_utf8()..].chars().next() {
            let cands = self
                .pairs
                .may_hold(a, b)
                .then(|| self.by_pair.get(&pair(a, b)))
                .flatten();
            if let Some(cands) = cands {
                for &k in cands {
                    let key = &self.keys[k as usize];
                    if rest.starts_with(key.as_str()) {
                        return Some((k, key.len()));
                    }
                }
            }
        }
        // (a name of one character is rare: the map is asked only when it holds any)
        if self.single.is_empty() {
            return None;
        }
        self.single.get(&a).map(|&k| (k, a.len_utf8()))
    }

    /// Non-overlapping matches, leftmost first, the longest at each start (Aho-Corasick's
    /// `LeftmostLongest`): (byte start, byte end, name index).
    fn find_iter<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (usize, usize, u32)> + 'a {
        let mut i = 0;
        std::iter::from_fn(move || {
            let found = match &self.pair_bytes {
                Some(bits) => self.next_by_bytes(text, i, bits),
                None => self.next_by_chars(text, i),
            };
            i = found.map_or(text.len(), |(_, end, _)| end);
            found
        })
    }

    /// The first match at or after byte `from`, every character asked.
    fn next_by_chars(&self, text: &str, from: usize) -> Option<(usize, usize, u32)> {
        // one walk over the characters (slicing the text at each to decode it is slower)
        for (off, a) in text[from..].char_indices() {
            let here = from + off;
            if self.may_start(a) {
                if let Some((k, len)) = self.at(text, here, a) {
                    return Some((here, here + len, k));
                }
            }
        }
        None
    }

    /// `next_by_chars` when every name begins with two characters of three bytes: only a
    /// character whose six bytes with the next one's are a name's pair (`bits`) is asked.
    fn next_by_bytes(&self, text: &str, from: usize, bits: &[u64]) -> Option<(usize, usize, u32)> {
        let b = text.as_bytes();
        let mut j = from;
        while j + 6 <= b.len() {
            let lead = b[j];
            if (0xE0..0xF0).contains(&lead) {
                let bit = pair_bytes_bit(six_at(b, j));
                if bits[bit / 64] & (1 << (bit % 64)) != 0 {
                    let a = text[j..].chars().next().expect("a character starts here");
                    if let Some((k, len)) = self.at(text, j, a) {
                        return Some((j, j + len, k));
                    }
                }
                j += 3;
            } else {
                // past one character: ASCII, or a lead byte of two or four
                j += crate::zh::chars::utf8_width(lead);
            }
        }
        None
    }
}

fn pair(a: char, b: char) -> u64 {
    (u64::from(a as u32) << 32) | u64::from(b as u32)
}

const DIVISIONS_CSV: &str = include_str!("../../../../data/admin_divisions.csv");
const ISO_CSV: &str = include_str!("../../../../data/province_iso.csv");
const ALIASES_CSV: &str = include_str!("../../../../data/aliases.csv");

/// Suffixes stripped to get a short name, longest first. Ethnic autonomous suffixes
/// (`满族自治县`) are cut at the ethnic name too, so 岫岩满族自治县 → 岫岩.
const SUFFIXES: &[&str] = &[
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "特区",
    "新区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
];

/// The 55 ethnic names that precede 族 in autonomous divisions, longest first.
const ETHNIC: &[&str] = &[
    "柯尔克孜",
    "乌孜别克",
    "哈萨克",
    "塔吉克",
    "达斡尔",
    "俄罗斯",
    "鄂温克",
    "塔塔尔",
    "鄂伦春",
    "蒙古",
    "布依",
    "朝鲜",
    "土家",
    "哈尼",
    "傈僳",
    "拉祜",
    "东乡",
    "纳西",
    "景颇",
    "仫佬",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "德昂",
    "保安",
    "裕固",
    "独龙",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "维吾尔",
    "满",
    "回",
    "藏",
    "苗",
    "彝",
    "壮",
    "侗",
    "瑶",
    "白",
    "傣",
    "黎",
    "佤",
    "畲",
    "水",
    "土",
    "羌",
    "怒",
    "京",
    "高山",
];

fn short_name(name: &str) -> Option<String> {
    for suf in SUFFIXES {
        if let Some(stem) = name.strip_suffix(suf) {
            let mut stem = stem;
            // 湘西土家族苗族自治州 → 湘西: peel "<ethnic>族" off the end, repeatedly
            while let Some(before) = stem.strip_suffix('族') {
                match ETHNIC.iter().find(|e| before.ends_with(*e)) {
                    Some(e) => stem = &before[..before.len() - e.len()],
                    None => break,
                }
            }
            return (stem.chars().count() >= 2).then(|| stem.to_string());
        }
    }
    None
}

impl Gazetteer {
    pub fn load() -> Gazetteer {
        let mut divisions = Vec::new();
        let mut by_code = HashMap::new();
        for line in DIVISIONS_CSV.lines().skip(1) {
            let mut f = line.split(',');
            let (Some(code12), Some(name)) = (f.next(), f.next()) else {
                continue;
            };
            let Ok(code) = code12.get(..6).unwrap_or("").parse::<u32>() else {
                continue;
            };
            if code == 990000 {
                continue; // 苏鲁交界 is no division
            }
            let level = if code % 10000 == 0 {
                Level::Province
            } else if code % 100 == 0 {
                Level::City
            } else {
                Level::County
            };
            by_code.insert(code, divisions.len());
            divisions.push(Division {
                code,
                name: name.to_string(),
                level,
            });
        }
        let iso = ISO_CSV
            .lines()
            .skip(1)
            .filter_map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                Some((f.first()?.parse().ok()?, f.get(2)?.to_string()))
            })
            .collect();
        let mut names: HashMap<String, Vec<NameRef>> = HashMap::new();
        for (i, d) in divisions.iter().enumerate() {
            names.entry(d.name.clone()).or_default().push(NameRef {
                div: i,
                form: Form::Full,
            });
            if let Some(s) = short_name(&d.name) {
                names.entry(s).or_default().push(NameRef {
                    div: i,
                    form: Form::Short,
                });
            }
        }
        for line in ALIASES_CSV.lines().filter(|l| !l.starts_with('#')).skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            if let (Some(old), Some(code), Some(until)) = (f.first(), f.get(1), f.get(2)) {
                if let (Ok(code), Ok(until)) = (code.parse::<u32>(), until.parse::<i32>()) {
                    if let Some(&div) = by_code.get(&code) {
                        names.entry(old.to_string()).or_default().push(NameRef {
                            div,
                            form: Form::Alias(until),
                        });
                    }
                }
            }
        }
        let mut keys: Vec<String> = names.keys().cloned().collect();
        keys.sort();
        let patterns: Vec<Vec<NameRef>> = keys.iter().map(|k| names[k].clone()).collect();
        let matcher = Names::new(&keys);
        Gazetteer {
            divisions,
            by_code,
            iso,
            patterns,
            matcher,
        }
    }

    pub fn get(&self, code: u32) -> Option<&Division> {
        self.by_code.get(&code).map(|&i| &self.divisions[i])
    }

    pub fn index_of(&self, code: u32) -> Option<usize> {
        self.by_code.get(&code).copied()
    }

    pub fn parent(&self, d: &Division) -> Option<&Division> {
        match d.level {
            Level::Province => None,
            // a municipality's districts sit under its city-level row (110100)
            Level::County => self
                .get(d.code / 100 * 100)
                .or_else(|| self.get(d.code / 10000 * 10000)),
            Level::City => self.get(d.code / 10000 * 10000),
        }
    }

    pub fn province_iso(&self, code: u32) -> Option<&str> {
        self.iso.get(&(code / 10000 * 10000)).map(String::as_str)
    }

    /// Every name occurrence in `text`: (byte start, byte end, the divisions it may mean).
    pub fn find<'a>(
        &'a self,
        text: &'a str,
    ) -> impl Iterator<Item = (usize, usize, &'a [NameRef])> + 'a {
        self.matcher
            .find_iter(text)
            .map(move |(a, b, k)| (a, b, self.patterns[k as usize].as_slice()))
    }

    /// Names whose simplified form is not what t2s makes of them (乾安县 → 干安县): the
    /// converter puts them back.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.divisions.iter().map(|d| d.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The name index finds exactly what Aho-Corasick's leftmost-longest search finds, on
    /// text made of names, their prefixes and overlaps, and filler.
    #[test]
    fn name_index_matches_leftmost_longest() {
        let g = Gazetteer::load();
        let keys = &g.matcher.keys;
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(keys)
            .unwrap();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let filler = [
            "的", "，", "会议", "政府", "x", "。\n", "人民", "县", "市", "é", "𠀀",
        ];
        let mut total = 0;
        for _ in 0..300 {
            let mut text = String::new();
            for _ in 0..40 {
                let k = &keys[next(keys.len())];
                match next(4) {
                    0 => text.push_str(k),
                    1 => text.extend(k.chars().take(1 + next(3))),
                    2 => text.extend(k.chars().skip(1)),
                    _ => text.push_str(filler[next(filler.len())]),
                }
            }
            let ours: Vec<(usize, usize, u32)> = g.matcher.find_iter(&text).collect();
            let theirs: Vec<(usize, usize, u32)> = ac
                .find_iter(&text)
                .map(|m| (m.start(), m.end(), m.pattern().as_u32()))
                .collect();
            assert_eq!(ours, theirs, "{text}");
            total += ours.len();
        }
        assert!(total > 3000, "the texts hold names: {total}");
    }

    /// Names the byte scan cannot take (one character; a first character of another
    /// length) are found by the character walk, as Aho-Corasick finds them.
    #[test]
    fn names_of_other_shapes_are_walked() {
        for keys in [
            vec!["北京", "京", "北京市"],
            vec!["Ab", "é城区", "城区", "𠀀山"],
        ] {
            let keys: Vec<String> = keys.into_iter().map(String::from).collect();
            let names = Names::new(&keys);
            assert!(names.pair_bytes.is_none());
            let ac = aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(&keys)
                .unwrap();
            let text = "北京市京城Ab é城区的城区，𠀀山北京";
            let ours: Vec<(usize, usize, u32)> = names.find_iter(text).collect();
            let theirs: Vec<(usize, usize, u32)> = ac
                .find_iter(text)
                .map(|m| (m.start(), m.end(), m.pattern().as_u32()))
                .collect();
            assert_eq!(ours, theirs);
            assert!(ours.len() >= 3);
        }
        // the gazetteer's own names are all scanned as bytes
        assert!(Gazetteer::load().matcher.pair_bytes.is_some());
    }

    #[test]
    fn loads_divisions_and_parents() {
        let g = Gazetteer::load();
        assert_eq!(g.divisions.len(), 3428);
        let dawa = g.get(211104).unwrap();
        assert_eq!((dawa.name.as_str(), dawa.level), ("大洼区", Level::County));
        let city = g.parent(dawa).unwrap();
        assert_eq!(city.name, "盘锦市");
        assert_eq!(g.parent(city).unwrap().name, "辽宁省");
        assert_eq!(g.province_iso(211104), Some("CN-LN"));
        let haidian = g.get(110108).unwrap();
        assert_eq!(g.parent(haidian).unwrap().code, 110100);
    }

    #[test]
    fn short_names() {
        assert_eq!(short_name("大洼区").as_deref(), Some("大洼"));
        assert_eq!(short_name("辽宁省").as_deref(), Some("辽宁"));
        assert_eq!(short_name("广西壮族自治区").as_deref(), Some("广西"));
        assert_eq!(short_name("岫岩满族自治县").as_deref(), Some("岫岩"));
        assert_eq!(short_name("延边朝鲜族自治州").as_deref(), Some("延边"));
        assert_eq!(short_name("湘西土家族苗族自治州").as_deref(), Some("湘西"));
        assert_eq!(short_name("城区"), None);
    }

    #[test]
    fn finds_names_and_aliases() {
        let g = Gazetteer::load();
        let found: Vec<(String, Form)> = g
            .find("原大洼县现为大洼区")
            .flat_map(|(s, e, refs)| {
                refs.iter()
                    .map(move |r| ("原大洼县现为大洼区"[s..e].to_string(), r.form))
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("大洼县".to_string(), Form::Alias(2016)),
                ("大洼区".to_string(), Form::Full)
            ]
        );
    }
}
