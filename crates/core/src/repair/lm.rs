//! A unigram language model of Chinese for choosing between repair candidates: the most
//! probable segmentation of a string into dictionary words, jieba's way. The word list
//! (`data/words.txt`: word and frequency) is jieba's dictionary (MIT), trimmed to words of at
//! most four characters. It is only loaded when a document has a damaged span, so clean
//! corpora never pay for it.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

const WORDS: &str = include_str!("../../../../data/words.txt");

pub struct Lm {
    /// log-probability of each word, keyed by its characters packed into a `u64` (`key`):
    /// the search looks words up millions of times, and a packed key hashes and compares
    /// in one step where a string key needs a hash over bytes and a `memcmp`
    logp: HashMap<u64, f64>,
    log_total: f64,
    /// Character-level t2s over the BMP: scoring needs speed more than phrase accuracy.
    t2s: &'static [char],
    /// Characters that occur in some dictionary word
    known: crate::zh::chars::BmpSet,
    /// First two characters of the words of two or more, hashed to one of 2^20 bits: the
    /// search asks about millions of strings that are no word, most of them with a start
    /// no word has; a bit in a 128 KB table answers that before the 8 MB map is touched.
    starts: crate::zh::chars::PairSet,
    /// Every two characters side by side in a word of two to four, as the characters after
    /// each and before each: a character tried between two others that no word holds beside
    /// either of them can only score as a single, and its word lookups are spared
    /// (`extend_each`). Looked up by the fixed neighbour, so the hundreds of characters tried
    /// beside it read one short list (a hashed bit per pair cost a cache miss each).
    after: Adjacent,
    before: Adjacent,
    /// `single` of every BMP character, worked out once: every position of every scored
    /// string asks it
    singles: Vec<f64>,
}

pub fn get() -> &'static Lm {
    static LM: OnceLock<Lm> = OnceLock::new();
    LM.get_or_init(|| {
        let mut freq: Vec<(u64, u32)> = Vec::with_capacity(350_000);
        let mut known = crate::zh::chars::BmpSet::new(&[]);
        let mut starts = crate::zh::chars::PairSet::new();
        let mut pairs: Vec<(u16, u16)> = Vec::with_capacity(400_000);
        let mut total = 0f64;
        for line in WORDS.lines() {
            if let Some((w, f)) = line.split_once(' ') {
                let f: u32 = f.trim().parse().unwrap_or(1);
                total += f as f64;
                let chars: Vec<char> = w.chars().collect();
                for &c in &chars {
                    known.insert(c);
                }
                // a word beyond four characters or outside the BMP can never be looked up
                if let Some(k) = key(&chars) {
                    freq.push((k, f));
                    if chars.len() >= 2 {
                        starts.insert(chars[0], chars[1]);
                    }
                    // (all in the BMP: `key` said so)
                    pairs.extend(chars.windows(2).map(|p| (p[0] as u16, p[1] as u16)));
                }
            }
        }
        let log_total = total.ln();
        let logp = freq
            .into_iter()
            .map(|(k, f)| (k, (f as f64).ln() - log_total))
            .collect();
        let t2s = crate::zh::t2s::table();
        let mut lm = Lm {
            logp,
            log_total,
            t2s,
            known,
            starts,
            after: Adjacent::new(&pairs),
            before: Adjacent::new(&pairs.iter().map(|&(a, b)| (b, a)).collect::<Vec<_>>()),
            singles: Vec::new(),
        };
        lm.singles = (0..=0xFFFFu32)
            .map(|u| char::from_u32(u).map_or(f64::NEG_INFINITY, |c| lm.single_uncached(c)))
            .collect();
        lm
    })
}

/// A character `Lm::extend_each` tries.
#[derive(Debug, Clone, Copy)]
pub struct Trial {
    pub c: char,
    /// `c` simplified, and its score as a word of one
    s: char,
    single: f64,
}

/// For each BMP character, the characters paired with it, sorted: the second of each pair
/// whose first it is.
struct Adjacent {
    /// `of[c]..of[c + 1]` is where `c`'s list lies in `chars`
    of: Vec<u32>,
    chars: Vec<u16>,
}

impl Adjacent {
    fn new(pairs: &[(u16, u16)]) -> Adjacent {
        // in order by a counting sort on the second character, then a stable one on the
        // first: a comparison sort of the 400,000 pairs, twice, took as long as loading the
        // rest of the model
        let by = |key: fn(&(u16, u16)) -> u16, from: &[(u16, u16)]| {
            let mut at = starts(from.iter().map(key));
            let mut out = vec![(0, 0); from.len()];
            for p in from {
                let slot = &mut at[usize::from(key(p))];
                out[*slot as usize] = *p;
                *slot += 1;
            }
            out
        };
        let mut pairs = by(|p| p.0, &by(|p| p.1, pairs));
        pairs.dedup();
        Adjacent {
            of: starts(pairs.iter().map(|p| p.0)),
            chars: pairs.iter().map(|p| p.1).collect(),
        }
    }

    /// The characters paired with `c` (none for a character beyond the BMP).
    fn of(&self, c: char) -> &[u16] {
        let c = c as usize;
        if c < 0x1_0000 {
            &self.chars[self.of[c] as usize..self.of[c + 1] as usize]
        } else {
            &[]
        }
    }
}

/// Where each BMP character's run begins in a list of `keys` in order (and, last, where the
/// list ends): how many keys are smaller than it.
fn starts(keys: impl Iterator<Item = u16>) -> Vec<u32> {
    let mut at = vec![0u32; 0x1_0001];
    for k in keys {
        at[usize::from(k) + 1] += 1;
    }
    for c in 0..0x1_0000 {
        at[c + 1] += at[c];
    }
    at
}

/// Is `c` among the sorted `list`?
fn listed(list: &[u16], c: char) -> bool {
    u16::try_from(c as u32).is_ok_and(|c| list.binary_search(&c).is_ok())
}

/// One to four BMP characters packed 16 bits each (U+0000 never occurs in a word, so the
/// length is implicit); `None` for anything else.
fn key(chars: &[char]) -> Option<u64> {
    if chars.is_empty() || chars.len() > 4 {
        return None;
    }
    let mut k = 0u64;
    for &c in chars {
        let u = u16::try_from(c as u32).ok().filter(|u| *u != 0)?;
        k = (k << 16) | u64::from(u);
    }
    Some(k)
}

/// A route through a scored string: its log-probability and the words it is cut into
/// (as char ranges).
pub struct Route {
    pub logp: f64,
    pub words: Vec<(usize, usize)>,
}

/// The forward pass of a segmentation, kept so that strings sharing a prefix are scored
/// without redoing it. Buffers are reused across calls.
#[derive(Default)]
pub struct Dp {
    /// the (simplified) characters scored so far
    text: Vec<char>,
    /// best log-probability of a route to each char boundary, and where its last word began
    best: Vec<f64>,
    from: Vec<usize>,
}

impl Dp {
    /// Characters in the string scored so far.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Punctuation is as likely as a common word; ASCII and stray marks in Chinese text are
/// damage; a character the dictionary does not know is rarer than any it does.
const PUNCT_LOGP: f64 = -7.0;
const ASCII_LOGP: f64 = -25.0;
const UNKNOWN_PENALTY: f64 = 4.0;

impl Lm {
    /// Does the dictionary know `c` (after t2s) at all? A character it does not know can only
    /// ever score as an unknown single: the search does not spend time on it.
    pub fn knows(&self, c: char) -> bool {
        self.known
            .contains(self.t2s.get(c as usize).copied().unwrap_or(c))
    }

    pub fn simplify(&self, s: &str) -> String {
        s.chars().map(|c| self.simplified(c)).collect()
    }

    /// `simplify` of one character.
    pub fn simplified(&self, c: char) -> char {
        self.t2s.get(c as usize).copied().unwrap_or(c)
    }

    /// Can a word of two or more characters start with `a`, `b`? (No false "no".)
    fn may_start(&self, a: char, b: char) -> bool {
        self.starts.may_hold(a, b)
    }

    /// The log-probability of the word `w` (two to four characters), if it is one.
    fn word(&self, w: &[char]) -> Option<f64> {
        if w.len() < 2 || !self.may_start(w[0], w[1]) {
            return None;
        }
        key(w).and_then(|k| self.logp.get(&k)).copied()
    }

    fn single(&self, c: char) -> f64 {
        match self.singles.get(c as usize) {
            Some(lp) => *lp,
            None => self.single_uncached(c),
        }
    }

    fn single_uncached(&self, c: char) -> f64 {
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
        match key(&[c]).and_then(|k| self.logp.get(&k)) {
            Some(lp) => *lp,
            None => -self.log_total - UNKNOWN_PENALTY,
        }
    }

    /// The most probable segmentation of a (simplified) string.
    pub fn route(&self, s: &str) -> Route {
        let mut dp = Dp::default();
        self.extend(&mut dp, 0, s);
        let mut words = Vec::new();
        let mut k = dp.best.len() - 1;
        while k > 0 {
            words.push((dp.from[k], k));
            k = dp.from[k];
        }
        words.reverse();
        Route {
            logp: dp.best[dp.best.len() - 1],
            words,
        }
    }

    /// Cuts `dp` back to its first `keep` characters, appends `more` (simplified here) and
    /// returns the log-probability of the best route through the whole. Candidates that
    /// share a prefix share its work: only the positions after `keep` are computed again,
    /// and in the same order as a fresh run, so the result is the same to the last bit.
    pub fn extend(&self, dp: &mut Dp, keep: usize, more: &str) -> f64 {
        let keep = self.append(dp, keep, more);
        self.forward(dp, keep)
    }

    /// `c` as `extend_each` tries it, with what it reads of the tables about it (its
    /// simplified form and that form's score alone): worked out once by a caller that tries
    /// the same characters again and again, where each read was a cache miss.
    pub fn trial(&self, c: char) -> Trial {
        let s = self.simplified(c);
        Trial {
            c,
            s,
            single: self.single(s),
        }
    }

    /// `extend(dp, keep, t.c + after)` for every trial `t` of `firsts` (`Lm::trial`), to the
    /// last bit, into `scores` (in order): the many characters tried for one lost byte after
    /// the same prefix.
    ///
    /// When the dictionary has no word holding `c` beside the character before it or the one
    /// after it, no word runs through `c`: the best route is the prefix's, then `c` alone,
    /// then the best route through `after` from there. That route is worked out here without
    /// touching `dp`, with the additions `forward` makes in the order it makes them, and the
    /// word lookups inside `after` made once for every such `c`. (`dp` is left holding the
    /// prefix and some trial after it.)
    pub fn extend_each(
        &self,
        dp: &mut Dp,
        keep: usize,
        firsts: impl Iterator<Item = Trial>,
        after: &str,
        scores: &mut Vec<f64>,
    ) {
        let keep = self.append(dp, keep, "");
        let base = dp.best[keep];
        let rest: Vec<char> = after.chars().map(|c| self.simplified(c)).collect();
        // what may stand after the prefix's last character, and before the first of `after`
        let may_follow = keep
            .checked_sub(1)
            .map_or(&[][..], |j| self.after.of(dp.text[j]));
        let may_precede = rest.first().map_or(&[][..], |&a| self.before.of(a));
        let m = rest.len();
        // the log-probability of `rest[i..k]` as one step of a route: a single, or a word
        // (None: no word)
        let step: Vec<Option<f64>> = (0..m * (m + 1))
            .map(|ik| {
                let (i, k) = (ik / (m + 1), ik % (m + 1));
                match k.checked_sub(i) {
                    Some(1) => Some(self.single(rest[i])),
                    Some(2..=4) => self.word(&rest[i..k]),
                    _ => None,
                }
            })
            .collect();
        let mut best = vec![f64::NEG_INFINITY; m + 1];
        let mut more = String::with_capacity(4 * (m + 1));
        for Trial { c, s, single } in firsts {
            let lone = !listed(may_follow, s) && !listed(may_precede, s);
            if !lone {
                more.clear();
                more.push(c);
                more.push_str(after);
                let keep = self.append(dp, keep, &more);
                scores.push(self.forward(dp, keep));
                continue;
            }
            // `forward` from the position after `s`: every step that starts at or before `s`
            // and ends after it would be a word holding it
            best.fill(f64::NEG_INFINITY);
            best[0] = base + single;
            for k in 1..=m {
                for i in k.saturating_sub(4)..k {
                    if best[i] == f64::NEG_INFINITY {
                        continue;
                    }
                    let Some(w) = step[i * (m + 1) + k] else {
                        continue;
                    };
                    let v = best[i] + w;
                    if v > best[k] {
                        best[k] = v;
                    }
                }
            }
            scores.push(best[m]);
        }
    }

    /// Cuts `dp` back to `keep` characters and appends `more`, simplified; returns the
    /// characters kept.
    fn append(&self, dp: &mut Dp, keep: usize, more: &str) -> usize {
        if dp.best.is_empty() {
            dp.best.push(0.0);
            dp.from.push(0);
        }
        let keep = keep.min(dp.text.len());
        dp.text.truncate(keep);
        dp.best.truncate(keep + 1);
        dp.from.truncate(keep + 1);
        for c in more.chars() {
            dp.text.push(self.t2s.get(c as usize).copied().unwrap_or(c));
            dp.best.push(f64::NEG_INFINITY);
            dp.from.push(0);
        }
        keep
    }

    /// The best routes to the positions after `keep`.
    fn forward(&self, dp: &mut Dp, keep: usize) -> f64 {
        let n = dp.text.len();
        // position k is reached from k-4..k-1: a word of 4..2 characters, or one character
        for k in keep + 1..=n {
            for i in k.saturating_sub(4)..k {
                if dp.best[i] == f64::NEG_INFINITY {
                    continue;
                }
                let w = if k == i + 1 {
                    self.single(dp.text[i])
                } else {
                    match self.word(&dp.text[i..k]) {
                        Some(lp) => lp,
                        None => continue,
                    }
                };
                let v = dp.best[i] + w;
                if v > dp.best[k] {
                    dp.best[k] = v;
                    dp.from[k] = i;
                }
            }
        }
        dp.best[n]
    }

    /// Is `w` (two to four characters) a dictionary word?
    pub fn has_word(&self, w: &[char]) -> bool {
        self.word(w).is_some()
    }

    pub fn score(&self, s: &str) -> f64 {
        self.extend(&mut Dp::default(), 0, s)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// Strings of words and of what is no word (a Latin letter, a character rarely in one).
    fn text(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(vec!['经', '济', '发', '展', '增', '长', '。', 'a', '灶']),
            0..max,
        )
        .prop_map(|c| c.into_iter().collect())
    }

    proptest::proptest! {
        /// Scratch buffers used before, cut back to a shared prefix or to nothing, score a
        /// string to the last bit as a fresh run does.
        #[test]
        fn reused_scratch_scores_as_a_fresh_run(
            before in text(10),
            prefix in text(8),
            more in text(8),
        ) {
            let lm = super::get();
            let mut dp = super::Dp::default();
            lm.extend(&mut dp, 0, &before);
            let whole = format!("{prefix}{more}");
            proptest::prop_assert_eq!(
                lm.extend(&mut dp, 0, &whole).to_bits(),
                lm.score(&whole).to_bits()
            );
            lm.extend(&mut dp, 0, &prefix);
            let keep = dp.len();
            proptest::prop_assert_eq!(
                lm.extend(&mut dp, keep, &more).to_bits(),
                lm.score(&whole).to_bits()
            );
        }
    }

    proptest::proptest! {
        /// Every trial scores to the last bit as `extend` does, whether or not its first
        /// character stands alone (`经` before `济` does not; `灶` before `a` does; `經` is
        /// simplified first), whatever came before in the scratch buffers.
        #[test]
        fn each_trial_scores_as_extend(
            prefix in text(6),
            firsts in proptest::collection::vec(
                proptest::sample::select(vec!['经', '經', '济', '展', '长', '。', 'a', '灶']),
                0..6,
            ),
            // a word of four (`发展前景`) after the character tried, or not
            after in (text(3), proptest::bool::ANY, text(2)).prop_map(|(a, word, b)| {
                format!("{a}{}{b}", if word { "发展前景" } else { "" })
            }),
        ) {
            let lm = super::get();
            let mut dp = super::Dp::default();
            lm.extend(&mut dp, 0, &prefix);
            let keep = dp.len();
            let mut each = Vec::new();
            lm.extend_each(&mut dp, keep, firsts.iter().map(|&c| lm.trial(c)), &after, &mut each);
            let alone: Vec<u64> = firsts
                .iter()
                .map(|c| lm.extend(&mut dp, keep, &format!("{c}{after}")).to_bits())
                .collect();
            proptest::prop_assert_eq!(each.iter().map(|s| s.to_bits()).collect::<Vec<_>>(), alone);
        }
    }

    /// Each character's list holds the characters paired with it, in order, once each.
    #[test]
    fn adjacent_lists_are_sorted_and_distinct() {
        let (a, b, c) = (0x4E00u16, 0x4E8Cu16, 0x9FA5u16);
        let pairs = [
            (b, c),
            (a, c),
            (b, a),
            (a, b),
            (b, c),
            (c, a),
            (a, c),
            (b, 7),
        ];
        let adj = super::Adjacent::new(&pairs);
        let of = |x: u16| adj.of(char::from_u32(u32::from(x)).unwrap()).to_vec();
        assert_eq!(of(a), vec![b, c]);
        assert_eq!(of(b), vec![7, a, c]);
        assert_eq!(of(c), vec![a]);
        assert!(of(7).is_empty() && adj.of('😀').is_empty());
    }

    #[test]
    fn common_words_beat_rare_characters() {
        let lm = super::get();
        assert!(lm.score("纳入区级统管") > lm.score("纳入灶级统管"));
        assert!(lm.score("企业出海实现") > lm.score("企业出校宫现"));
        let r = lm.route("开展渔业安全");
        assert_eq!(r.words, vec![(0, 2), (2, 4), (4, 6)]);
        // a word of four is one step of a route, after a word of two too
        assert_eq!(lm.route("人才济济").words, vec![(0, 4)]);
        assert_eq!(lm.route("经济发展前景").words, vec![(0, 2), (2, 6)]);
    }
}
