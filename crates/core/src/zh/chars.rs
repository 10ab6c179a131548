//! Characters: what counts as a Chinese character; Latin letters at a line's end.

/// A CJK unified ideograph (the basic block, extension A, the compatibility ideographs and
/// the supplementary planes' extensions).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// `s` split before the Latin letters that end it: (`…报告`, `vzT`).
pub fn latin_tail(s: &str) -> (&str, &str) {
    s.split_at(s.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len())
}

/// Two characters hashed to one of `2^bits` bits: a bitset of the pairs some word (a
/// dictionary's, a gazetteer's) begins with answers "no word starts here" before a map is
/// probed.
pub fn pair_bit(a: char, b: char, bits: u32) -> usize {
    let h = (a as u32).wrapping_mul(0x9E37_79B1) ^ (b as u32);
    (h.wrapping_mul(0x85EB_CA6B) >> (32 - bits)) as usize
}
