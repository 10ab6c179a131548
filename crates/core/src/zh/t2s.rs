//! Traditional → simplified: one OpenCC for the process (its dictionaries are large and
//! slow to load) and the character-level table read from it, both built on first use.

use opencc_fmmseg::OpenCC;
use std::sync::OnceLock;

/// The process's converter. Documents are already spread over worker threads: nested rayon
/// inside OpenCC would only add overhead, so it is off.
pub fn opencc() -> &'static OpenCC {
    static CC: OnceLock<OpenCC> = OnceLock::new();
    CC.get_or_init(|| {
        let mut cc = OpenCC::new();
        cc.set_parallel(false);
        cc
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
