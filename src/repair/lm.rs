//! A unigram language model of Chinese for choosing between repair candidates: the most
//! probable segmentation of a string into dictionary words, jieba's way. The word list
//! (`data/words.txt`: word and frequency) is jieba's dictionary (MIT), trimmed to words of at
//! most four characters. It is only loaded when a document has a damaged span, so clean
//! corpora never pay for it.

use opencc_fmmseg::OpenCC;
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

const WORDS: &str = include_str!("../../data/words.txt");

pub struct Lm {
    freq: HashMap<&'static str, u32>,
    log_total: f64,
    /// Character-level t2s over the BMP: scoring needs speed more than phrase accuracy.
    t2s: Vec<char>,
}

pub fn get() -> &'static Lm {
    static LM: OnceLock<Lm> = OnceLock::new();
    LM.get_or_init(|| {
        let mut freq = HashMap::with_capacity_and_hasher(350_000, Default::default());
        let mut total = 0f64;
        for line in WORDS.lines() {
            if let Some((w, f)) = line.split_once(' ') {
                let f: u32 = f.trim().parse().unwrap_or(1);
                total += f as f64;
                freq.insert(w, f);
            }
        }
        let mut cc = OpenCC::new();
        cc.set_parallel(false);
        let t2s = crate::convert::char_table(&cc);
        Lm {
            freq,
            log_total: total.ln(),
            t2s,
        }
    })
}

/// A route through a scored string: its log-probability and the words it is cut into
/// (as char ranges).
pub struct Route {
    pub logp: f64,
    pub words: Vec<(usize, usize)>,
}

/// Punctuation is as likely as a common word; ASCII and stray marks in Chinese text are
/// damage; a character the dictionary does not know is rarer than any it does.
const PUNCT_LOGP: f64 = -7.0;
const ASCII_LOGP: f64 = -25.0;
const UNKNOWN_PENALTY: f64 = 4.0;

impl Lm {
    pub fn simplify(&self, s: &str) -> String {
        s.chars()
            .map(|c| self.t2s.get(c as usize).copied().unwrap_or(c))
            .collect()
    }

    fn single(&self, c: char) -> f64 {
        if matches!(
            c,
            '。' | '，' | '、' | '“' | '”' | '；' | '：' | '（' | '）'
        ) {
            return PUNCT_LOGP;
        }
        if matches!(c, '！' | '？') {
            return PUNCT_LOGP - 2.0; // rarer in reports than a full stop
        }
        if c.is_ascii() {
            return ASCII_LOGP;
        }
        let mut buf = [0u8; 4];
        match self.freq.get(c.encode_utf8(&mut buf) as &str) {
            Some(f) => (*f as f64).ln() - self.log_total,
            None => -self.log_total - UNKNOWN_PENALTY,
        }
    }

    /// The most probable segmentation of a (simplified) string.
    pub fn route(&self, s: &str) -> Route {
        // byte offset of every char boundary, so words are looked up as slices of `s`
        let bounds: Vec<usize> = s
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(s.len()))
            .collect();
        let n = bounds.len() - 1;
        let mut best = vec![f64::NEG_INFINITY; n + 1];
        let mut from = vec![0usize; n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] == f64::NEG_INFINITY {
                continue;
            }
            let c = s[bounds[i]..].chars().next().expect("char");
            let v = best[i] + self.single(c);
            if v > best[i + 1] {
                best[i + 1] = v;
                from[i + 1] = i;
            }
            for j in i + 1..n.min(i + 4) {
                if let Some(f) = self.freq.get(&s[bounds[i]..bounds[j + 1]]) {
                    let v = best[i] + (*f as f64).ln() - self.log_total;
                    if v > best[j + 1] {
                        best[j + 1] = v;
                        from[j + 1] = i;
                    }
                }
            }
        }
        let mut words = Vec::new();
        let mut k = n;
        while k > 0 {
            words.push((from[k], k));
            k = from[k];
        }
        words.reverse();
        Route {
            logp: best[n],
            words,
        }
    }

    pub fn has_word(&self, w: &str) -> bool {
        self.freq.contains_key(w)
    }

    pub fn score(&self, s: &str) -> f64 {
        self.route(s).logp
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn common_words_beat_rare_characters() {
        let lm = super::get();
        assert!(lm.score("纳入区级统管") > lm.score("纳入灶级统管"));
        assert!(lm.score("企业出海实现") > lm.score("企业出校宫现"));
        let r = lm.route("开展渔业安全");
        assert_eq!(r.words, vec![(0, 2), (2, 4), (4, 6)]);
    }
}
