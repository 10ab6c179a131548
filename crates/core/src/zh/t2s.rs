//! Traditional → simplified: one OpenCC for the process (its dictionaries are large and
//! slow to load) and the character-level table read from it, both built on first use.

use opencc_fmmseg::{DictMaxLen, DictionaryMaxlength, OpenCC};
use std::sync::OnceLock;

/// The process's converter. Documents are already spread over worker threads: nested rayon
/// inside OpenCC would only add overhead, so it is off.
///
/// It holds the dictionaries of the three conversions govtext makes — t2s, and s2t and s2tw
/// (clean widens its rules with them) — and lets the others go: Hong Kong, Japanese and
/// seal-script tables and the reverse ones, with their lookup indexes, would stay resident
/// for the whole run for nothing.
pub fn opencc() -> &'static OpenCC {
    static CC: OnceLock<OpenCC> = OnceLock::new();
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
        let mut cc = OpenCC::from_dictionary(d);
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
}
