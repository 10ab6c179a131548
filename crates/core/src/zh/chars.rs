//! Characters: what counts as a Chinese character; Latin letters at a line's end; a UTF-8
//! character read from its bytes, its width from its first byte.

/// The width in bytes of the UTF-8 character whose first byte is `lead`.
#[inline]
pub const fn utf8_width(lead: u8) -> usize {
    match lead {
        0..0x80 => 1,
        0x80..0xE0 => 2,
        0xE0..0xF0 => 3,
        _ => 4,
    }
}

/// How many characters of `b` differ from `a`'s, position by position; None when the two
/// have different numbers of characters.
pub fn differing_chars(a: &str, b: &str) -> Option<usize> {
    let (mut x, mut y) = (a.chars(), b.chars());
    let mut n = 0;
    loop {
        match (x.next(), y.next()) {
            (Some(p), Some(q)) => n += usize::from(p != q),
            (None, None) => return Some(n),
            _ => return None,
        }
    }
}

/// The character whose UTF-8 starts at byte `i` of `b` (a valid string's bytes). (Inlined:
/// the t2s matcher reads every character of a traditional document with it.)
#[inline(always)]
pub const fn decode_at(b: &[u8], i: usize) -> char {
    const fn tail(b: &[u8], k: usize) -> u32 {
        (b[k] as u32) & 0x3F
    }
    let x = b[i] as u32;
    let u = if x < 0x80 {
        x
    } else if x < 0xE0 {
        ((x & 0x1F) << 6) | tail(b, i + 1)
    } else if x < 0xF0 {
        ((x & 0x0F) << 12) | (tail(b, i + 1) << 6) | tail(b, i + 2)
    } else {
        ((x & 0x07) << 18) | (tail(b, i + 1) << 12) | (tail(b, i + 2) << 6) | tail(b, i + 3)
    };
    match char::from_u32(u) {
        Some(c) => c,
        None => panic!("not a character"),
    }
}

/// The first character of a word, at compile time: for word lists asked at every position,
/// whose words are compared only where their first character is.
pub const fn first_char(word: &str) -> char {
    decode_at(word.as_bytes(), 0)
}

/// The last character of a word, at compile time.
pub const fn last_char(word: &str) -> char {
    let b = word.as_bytes();
    let mut i = b.len() - 1;
    while b[i] & 0xC0 == 0x80 {
        i -= 1;
    }
    decode_at(b, i)
}

/// `first_char` (or, with `last`, `last_char`) of every word of a list.
pub const fn ends_of<const N: usize>(words: &[&str], last: bool) -> [char; N] {
    let mut out = ['\0'; N];
    let mut k = 0;
    while k < N {
        out[k] = if last {
            last_char(words[k])
        } else {
            first_char(words[k])
        };
        k += 1;
    }
    out
}

/// `text.split('\n')`, with memchr's vectorised search for the line ends (`str::split`
/// walks a word at a time): every stage reads whole documents line by line.
pub fn lines(text: &str) -> impl Iterator<Item = &str> + '_ {
    let mut ends = memchr::memchr_iter(b'\n', text.as_bytes());
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let s = start?;
        match ends.next() {
            Some(e) => {
                start = Some(e + 1);
                Some(&text[s..e])
            }
            None => {
                start = None;
                Some(&text[s..])
            }
        }
    })
}

/// A set of characters of the basic multilingual plane, one bit each (8 KB), built at compile
/// time from a list or filled at run time: asked of every character of a text, one load and
/// a shift answer where a `matches!` of a dozen characters is a chain of comparisons or a
/// hash set a hash. A character beyond the plane is never in it.
pub struct BmpSet([u64; 1024]);

impl BmpSet {
    pub const fn new(chars: &[char]) -> BmpSet {
        let mut bits = [0u64; 1024];
        let mut k = 0;
        while k < chars.len() {
            let u = chars[k] as usize;
            assert!(u < 0x10000, "a character of the basic multilingual plane");
            bits[u / 64] |= 1 << (u % 64);
            k += 1;
        }
        BmpSet(bits)
    }

    /// Adds `c`; a character beyond the plane is left out (and so never found).
    pub fn insert(&mut self, c: char) {
        let u = c as usize;
        if let Some(w) = self.0.get_mut(u / 64) {
            *w |= 1 << (u % 64);
        }
    }

    pub fn contains(&self, c: char) -> bool {
        let u = c as usize;
        u < 0x10000 && self.0[u / 64] >> (u % 64) & 1 != 0
    }
}

/// A CJK unified ideograph (the basic block, extension A, the compatibility ideographs and
/// the supplementary planes' extensions).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Eight bytes at a time: a `u64` read from eight bytes (little-endian), a byte's high bit
/// standing for the byte in the answers.
pub mod swar {
    /// The high bit of every byte.
    pub const HIGH: u64 = 0x8080_8080_8080_8080;
    /// The other seven bits of every byte.
    pub const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    /// One in every byte: `ONES * c` is `c` eight times.
    pub const ONES: u64 = 0x0101_0101_0101_0101;

    /// The eight bytes of `b` at `i` (which has eight there).
    pub fn word(b: &[u8], i: usize) -> u64 {
        u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"))
    }

    /// The high bit of each byte of `w` that equals `c` (exact: no carry crosses a byte).
    pub fn equal(w: u64, c: u8) -> u64 {
        let y = w ^ (ONES * c as u64);
        !(((y & LOW) + LOW) | y) & HIGH
    }
}

/// `s` split before the Latin letters that end it: (`…报告`, `vzT`).
pub fn latin_tail(s: &str) -> (&str, &str) {
    s.split_at(s.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len())
}

/// Pairs of characters (the first two of the words of a dictionary, a gazetteer), each
/// hashed to one of 2^20 bits (128 KB): "no word starts with these two" answered before a
/// map of the words is probed. No false "no"; a "maybe" may be wrong.
pub struct PairSet {
    bits: Vec<u64>,
}

impl PairSet {
    const BITS: u32 = 20;

    pub fn new() -> PairSet {
        PairSet {
            bits: vec![0; 1 << (Self::BITS - 6)],
        }
    }

    fn bit(a: char, b: char) -> usize {
        let h = (a as u32).wrapping_mul(0x9E37_79B1) ^ (b as u32);
        (h.wrapping_mul(0x85EB_CA6B) >> (32 - Self::BITS)) as usize
    }

    pub fn insert(&mut self, a: char, b: char) {
        let bit = Self::bit(a, b);
        self.bits[bit / 64] |= 1 << (bit % 64);
    }

    /// Might `a`, `b` have been put in?
    pub fn may_hold(&self, a: char, b: char) -> bool {
        let bit = Self::bit(a, b);
        self.bits[bit / 64] & (1 << (bit % 64)) != 0
    }
}

impl Default for PairSet {
    fn default() -> PairSet {
        PairSet::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A character read from its bytes is the character, and its width its UTF-8 length;
    /// differing characters are counted position by position.
    #[test]
    fn utf8_characters_and_differences() {
        let text = "a é發𠀀，";
        for (i, c) in text.char_indices() {
            assert_eq!(decode_at(text.as_bytes(), i), c);
            assert_eq!(utf8_width(text.as_bytes()[i]), c.len_utf8());
        }
        assert_eq!(differing_chars("發展經濟", "发展经济"), Some(3));
        assert_eq!(differing_chars("", ""), Some(0));
        assert_eq!(differing_chars("發展", "发展经"), None);
        assert_eq!(differing_chars("發展经", "发展"), None);
    }

    #[test]
    fn a_bmp_set_holds_its_characters_and_no_others() {
        static SET: BmpSet = BmpSet::new(&['一', '千', '\u{3F}', '\u{FFFF}']);
        for c in ['一', '千', '?', '\u{FFFF}'] {
            assert!(SET.contains(c), "{c}");
        }
        // neighbours in the same word of bits, and a character beyond the plane whose low
        // sixteen bits are 一's
        for c in ['丁', '丂', '>', '@', '\u{FFFE}', '\u{14E00}', 'a'] {
            assert!(!SET.contains(c), "{c}");
        }
        // filled at run time: the same answers; a character beyond the plane is left out
        let mut set = BmpSet::new(&[]);
        for c in ['一', '千', '?', '\u{FFFF}', '\u{14E00}'] {
            set.insert(c);
        }
        assert!(['一', '千', '?', '\u{FFFF}']
            .iter()
            .all(|c| set.contains(*c)));
        assert!(!['丁', '丂', '>', '@', '\u{FFFE}', '\u{14E00}', 'a']
            .iter()
            .any(|c| set.contains(*c)));
    }

    proptest::proptest! {
        /// `lines` cuts where `split('\n')` cuts, empty lines and an empty last one included.
        #[test]
        fn lines_as_split(
            chars in proptest::collection::vec(
                proptest::sample::select(vec!['\n', '\n', 'a', '中', '\r', '𠀀']),
                0..30,
            ),
        ) {
            let text: String = chars.iter().collect();
            let ours: Vec<&str> = lines(&text).collect();
            let theirs: Vec<&str> = text.split('\n').collect();
            proptest::prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn first_and_last_characters_of_every_utf8_length() {
        const WORDS: [&str; 4] = ["%以上", "é增长", "平方公里", "𠀀字𠀁"];
        assert_eq!(ends_of::<4>(&WORDS, false), ['%', 'é', '平', '𠀀']);
        assert_eq!(ends_of::<4>(&WORDS, true), ['上', '长', '里', '𠀁']);
        for w in ["℅", "a", "ü", "个百分点"] {
            assert_eq!(first_char(w), w.chars().next().unwrap());
            assert_eq!(last_char(w), w.chars().next_back().unwrap());
        }
    }

    #[test]
    fn a_pair_set_holds_what_was_put_in() {
        let mut set = PairSet::new();
        set.insert('城', '乡');
        assert!(set.may_hold('城', '乡'));
        // another pair's bit (deterministic: a fixed hash) is not set by it
        assert!(!set.may_hold('乡', '城'));
        assert!(!PairSet::new().may_hold('城', '乡'));
    }
}
