//! GBK byte-shift mojibake. A span of GBK bytes was read one byte out of step: the byte that
//! fell out shows as `?`, full-width punctuation of the misread pairs was folded to ASCII
//! (`！` → `!`), pairs that formed nothing became `?` (sometimes swallowing the `(` of a
//! pinyin annotation, which leaves `?xì)` behind), and the reading falls back into step at
//! the first byte below 0x80, which shows as a lone ASCII letter (`?!凹t海灘` for `。“紅海灘`).
//!
//! Repair works on the bytes: re-encode the span as GBK, undo the folding, let each `?` stand
//! for one lost byte, read the bytes in step again, and keep the reading that a language
//! model of Chinese (`lm`) scores clearly better than the damaged text. Every character of a
//! candidate must rest on at least one byte that is still there: nothing is invented from
//! context alone. Spans with no such reading are left as found and counted as unrepaired.

use super::lm::{self, Trial};
use crate::zh::chars::is_cjk;

#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    pub text: String,
    pub repaired: usize,
    pub unrepaired: usize,
    /// (as found, as repaired — equal when left as found)
    pub spans: Vec<(String, String)>,
}

impl Scan {
    /// A line with no damage: as it came, nothing counted.
    fn unchanged(line: &str) -> Scan {
        Scan {
            text: line.to_string(),
            repaired: 0,
            unrepaired: 0,
            spans: Vec::new(),
        }
    }
}

/// A token sequence: each byte, with the literal text that passes through after it.
type Combo = Vec<(Tok, Option<String>)>;

/// Literal marking an annotation that was dropped as garbage.
const DROPPED: &str = "\u{0}";

/// What the document itself says: its intact annotations (syllable → characters read so) and
/// how often each character occurs in it. A character the document uses often is likelier
/// to be the one a damaged span lost (a cache language model).
#[derive(Debug, Default)]
pub struct Readings<'a> {
    /// the document, read for the syllables and the characters a search asks about (a few
    /// per damaged span, where reading every annotation and counting every character of
    /// every damaged document was most of the work)
    text: &'a str,
    syllables: std::cell::RefCell<rustc_hash::FxHashMap<String, Option<std::rc::Rc<[char]>>>>,
    counts: std::cell::RefCell<rustc_hash::FxHashMap<char, u32>>,
}

impl Readings<'_> {
    /// The characters the document annotates with the syllable `syl` (`區(qū)`: 區 for qū),
    /// each once, in the order they first occur; None when it annotates none with it (or
    /// `syl` is no syllable). An annotation is a Chinese character, `(`, the syllable, `)`.
    fn reading(&self, syl: &str) -> Option<std::rc::Rc<[char]>> {
        if let Some(r) = self.syllables.borrow().get(syl) {
            return r.clone();
        }
        let mut chars = Vec::new();
        if super::pinyin::is_syllable(syl) {
            let annotation = format!("({syl})");
            for at in memchr::memmem::find_iter(self.text.as_bytes(), annotation.as_bytes()) {
                let p = self.text[..at].chars().next_back().filter(|p| is_cjk(*p));
                if let Some(p) = p.filter(|p| !chars.contains(p)) {
                    chars.push(p);
                }
            }
        }
        let r = (!chars.is_empty()).then(|| std::rc::Rc::from(chars));
        self.syllables
            .borrow_mut()
            .insert(syl.to_string(), r.clone());
        r
    }

    /// How often the Chinese character `c` occurs in the document (0 for anything else).
    fn count(&self, c: char) -> u32 {
        if !is_cjk(c) {
            return 0;
        }
        *self
            .counts
            .borrow_mut()
            .entry(c)
            .or_insert_with(|| self.text.matches(c).count() as u32)
    }
}

/// Weight of the document's own character counts against the dictionary's.
const CACHE_WEIGHT: f64 = 0.5;

/// One unit of the span's byte reading.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    Byte(u8),
    /// A byte that was lost; its value is searched for.
    Lost,
}

fn gbk(c: char) -> Option<Vec<u8>> {
    let mut buf = [0u8; 4];
    let (b, _, bad) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
    (!bad).then(|| b.into_owned())
}

/// What a byte pair reads as in GBK, when that is a Chinese character or the punctuation
/// the damage folds; private-use and unmapped pairs are what the damage dropped, not a
/// reading. A table over all 65,536 pairs, built once: the search asks it constantly.
fn decode_pair(a: u8, b: u8) -> Option<char> {
    static PAIRS: std::sync::OnceLock<Vec<Option<char>>> = std::sync::OnceLock::new();
    PAIRS.get_or_init(|| {
        (0..=u16::MAX)
            .map(|p| {
                let pair = p.to_be_bytes();
                let (s, bad) = encoding_rs::GBK.decode_without_bom_handling(&pair);
                let mut it = s.chars();
                let c = it.next()?;
                if bad || it.next().is_some() {
                    return None;
                }
                let punct = matches!(
                    c,
                    '。' | '“' | '”' | '，' | '、' | '；' | '：' | '！' | '？' | '（' | '）'
                );
                (is_cjk(c) || punct).then_some(c)
            })
            .collect()
    })[usize::from(u16::from_be_bytes([a, b]))]
}

fn pinyin_letter(c: char) -> bool {
    c.is_ascii_lowercase() || "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüɡ".contains(c)
}

/// `?xì)`: a `?` followed by what is left of a pinyin annotation that lost its `(`.
/// Returns the length in chars of the letters and the `)`.
fn garbage_after(chars: &[char], q: usize) -> Option<usize> {
    let letters = chars[q + 1..]
        .iter()
        .take(7)
        .take_while(|c| pinyin_letter(**c))
        .count();
    (letters > 0 && chars.get(q + 1 + letters) == Some(&')')).then_some(letters + 1)
}

/// Is there a `?` or an ASCII letter whose character before is one `anchors` asks for (a
/// Chinese character, a quote, a `?`)? Eight bytes at a time: a byte is asked about only
/// where it is a `?` or a letter and the byte before it is past ASCII or a `?` (digits,
/// spaces, pinyin's letters after `(` or each other are stepped over in the word).
fn may_anchor(line: &str) -> bool {
    use crate::zh::chars::swar::{equal, HIGH, LOW, ONES};
    // the high bit of each ASCII letter: below 0x80, and `| 0x20` in a..=z
    let letter = |w: u64| {
        let t = (w | 0x2020_2020_2020_2020) & LOW;
        let at_least_a = (t + ONES * 0x1F) & HIGH;
        let at_most_z = (ONES * 0xFA - t) & HIGH;
        at_least_a & at_most_z & !w
    };
    let b = line.as_bytes();
    let word = |i: usize| crate::zh::chars::swar::word(b, i);
    let mut i = 1;
    while i + 8 <= b.len() {
        let (w, before) = (word(i), word(i - 1));
        let mut ask = (equal(w, b'?') | letter(w)) & (before & HIGH | equal(before, b'?'));
        while ask != 0 {
            if anchor_byte(line, i + (ask.trailing_zeros() / 8) as usize) {
                return true;
            }
            ask &= ask - 1;
        }
        i += 8;
    }
    (i..b.len()).any(|i| anchor_byte(line, i))
}

/// `may_anchor`'s question at byte `i` (> 0) of `line`.
fn anchor_byte(line: &str, i: usize) -> bool {
    let b = line.as_bytes();
    let x = b[i];
    if x != b'?' && !x.is_ascii_alphabetic() {
        return false;
    }
    // an ASCII character before: only a `?` is asked for
    if b[i - 1] < 0x80 {
        return b[i - 1] == b'?';
    }
    let prev = line[..i].chars().next_back().expect("a character before");
    let question = x == b'?' && matches!(prev, '“' | '”');
    is_cjk(prev) || question
}

/// Anchors of damage: a `?` right after Chinese text, quotes or another `?`; a lone ASCII
/// letter between Chinese characters (pinyin only ever stands inside parentheses).
fn anchors(chars: &[char]) -> Vec<usize> {
    let mut out = Vec::new();
    for i in 1..chars.len() {
        let prev = chars[i - 1];
        let c = chars[i];
        if c == '?' && (is_cjk(prev) || matches!(prev, '“' | '”' | '?')) {
            let next = chars.get(i + 1);
            if next.is_none_or(|n| n.is_whitespace() || matches!(n, '”' | '’' | '"')) && prev != '?'
            {
                continue; // a real question mark, at a clause end
            }
            out.push(i);
        } else if c.is_ascii_alphabetic() && (is_cjk(prev) || prev == '?') {
            let lone = !chars.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric());
            let next_ok = chars
                .get(i + 1)
                .is_none_or(|n| is_cjk(*n) || matches!(n, '(' | '、' | '，' | ',' | '。'));
            if lone && next_ok {
                out.push(i);
            }
        }
    }
    out
}

/// The ways one character of the span may have been produced: each a token list, plus
/// literal text that follows it unchanged (the rest of a pinyin annotation).
fn alternatives(chars: &[char], i: usize) -> (usize, Vec<(Vec<Tok>, String)>) {
    let c = chars[i];
    match c {
        '?' => {
            if let Some(g) = garbage_after(chars, i) {
                let rest: String = chars[i + 1..i + 1 + g].iter().collect();
                // the lost byte took the annotation's `(` with it (kept, for the pinyin stage
                // to remove), or what is left of the annotation is garbage (dropped; marked
                // with an empty literal when it still reads as a syllable)
                if super::pinyin::is_syllable(rest.trim_end_matches(')')) {
                    return (
                        1 + g,
                        vec![
                            (vec![Tok::Lost], DROPPED.to_string()),
                            (vec![Tok::Lost], format!("({rest}")),
                        ],
                    );
                }
                return (1 + g, vec![(vec![Tok::Lost], String::new())]);
            }
            (
                1,
                vec![
                    (vec![Tok::Lost], String::new()),
                    (vec![Tok::Byte(0xA3), Tok::Byte(0xBF)], String::new()),
                ],
            )
        }
        '!' => (
            1,
            vec![
                (vec![Tok::Byte(0xA3), Tok::Byte(0xA1)], String::new()),
                (vec![Tok::Byte(b'!')], String::new()),
            ],
        ),
        ';' => (
            1,
            vec![
                (vec![Tok::Byte(0xA3), Tok::Byte(0xBB)], String::new()),
                (vec![Tok::Byte(b';')], String::new()),
            ],
        ),
        ':' => (
            1,
            vec![
                (vec![Tok::Byte(0xA3), Tok::Byte(0xBA)], String::new()),
                (vec![Tok::Byte(b':')], String::new()),
            ],
        ),
        c if c.is_ascii() => (1, vec![(vec![Tok::Byte(c as u8)], String::new())]),
        c => match gbk(c) {
            Some(b) => (
                1,
                vec![(b.into_iter().map(Tok::Byte).collect(), String::new())],
            ),
            None => (1, vec![]),
        },
    }
}

/// A reading of a span: its characters (each marked when a lost byte was searched for to
/// make it) and, after some of them, literal text that passed through unchanged.
#[derive(Debug, Clone, Default)]
struct Reading {
    chars: Vec<(char, bool)>,
    /// (token index, value) of every byte that was searched for
    found: Vec<(usize, u8)>,
    /// (after how many chars, text)
    literals: Vec<(usize, String)>,
}

impl Reading {
    fn plain(&self) -> String {
        self.chars.iter().map(|c| c.0).collect()
    }
    fn text(&self) -> String {
        let mut out = String::new();
        for (i, (c, _)) in self.chars.iter().enumerate() {
            out.push(*c);
            for (at, lit) in &self.literals {
                if *at == i + 1 {
                    out.push_str(lit);
                }
            }
        }
        out
    }
    fn push(&mut self, c: char, searched: bool, lits: &[Option<&str>]) {
        self.chars.push((c, searched));
        for l in lits.iter().flatten().filter(|l| **l != DROPPED) {
            self.literals.push((self.chars.len(), l.to_string()));
        }
    }
    /// This reading with one more character (and the byte searched for to make it): a
    /// copy sized for it, where a clone and a push grew every copy again.
    fn then(
        &self,
        c: char,
        searched: bool,
        lits: &[Option<&str>],
        found: Option<(usize, u8)>,
    ) -> Reading {
        let mut chars = Vec::with_capacity(self.chars.len() + 1);
        chars.extend_from_slice(&self.chars);
        let mut o = Reading {
            chars,
            found: self.found.iter().copied().chain(found).collect(),
            literals: self.literals.clone(),
        };
        o.push(c, searched, lits);
        o
    }
}

/// Reads tokens in step, two bytes to a character, trying values for lost bytes; a lost
/// byte must pair with a byte that is there. Keeps the `beam` best values per lost byte.
fn read_in_step(toks: &[(Tok, Option<&str>)], ctx: &Ctx, beam: usize) -> Vec<Reading> {
    let right = ctx.right;
    let mut states: Vec<(usize, Reading)> = vec![(0, Reading::default())];
    let mut done = Vec::new();
    while let Some((i, r)) = states.pop() {
        if i >= toks.len() {
            done.push(r);
            continue;
        }
        let lit = |k: usize| toks.get(k).and_then(|t| t.1);
        match (toks[i].0, toks.get(i + 1).map(|t| t.0)) {
            (Tok::Byte(b), _) if b < 0x80 => {
                states.push((i + 1, r.then(b as char, false, &[lit(i)], None)));
            }
            (Tok::Byte(a), Some(Tok::Byte(b))) => {
                if let Some(c) = decode_pair(a, b) {
                    states.push((i + 2, r.then(c, false, &[lit(i), lit(i + 1)], None)));
                }
            }
            (Tok::Byte(a), Some(Tok::Lost)) => {
                // a lost trail byte ends its character: what follows it is that character's
                // annotation, so it must be kept and must agree with the document's readings
                let annotation = lit(i + 1);
                if annotation == Some(DROPPED) {
                    continue;
                }
                let syllable = annotation.map(|l| l.trim_start_matches('(').trim_end_matches(')'));
                let known = syllable.and_then(|s| ctx.readings.reading(s));
                let lost = Lost::Trail {
                    lead: a,
                    known: known.as_deref(),
                };
                for &(t, c) in choices(lost, &r, ctx, &lookahead(toks, i + 2, right), beam).iter() {
                    let o = r.then(c, true, &[lit(i), lit(i + 1)], Some((i + 1, t)));
                    states.push((i + 2, o));
                }
            }
            (Tok::Lost, Some(Tok::Byte(b))) => {
                // a lost lead byte sits inside its character: a syllable after it is garbage
                if lit(i).is_some_and(|l| l != DROPPED) {
                    continue;
                }
                let lost = Lost::Lead { trail: b };
                for &(l, c) in choices(lost, &r, ctx, &lookahead(toks, i + 2, right), beam).iter() {
                    let o = r.then(c, true, &[lit(i), lit(i + 1)], Some((i, l)));
                    states.push((i + 2, o));
                }
            }
            _ => {} // a lone lead byte, or two lost bytes side by side: no reading
        }
        if done.len() > 64 {
            break;
        }
    }
    done
}

/// The characters the known bytes from `i` on read as (stopping at a lost byte), then the
/// text after the span: what a searched-for character must fit before.
fn lookahead(toks: &[(Tok, Option<&str>)], i: usize, right: &str) -> String {
    let mut out = String::new();
    let mut k = i;
    while k < toks.len() && out.chars().count() < 2 {
        match (toks[k].0, toks.get(k + 1).map(|t| t.0)) {
            (Tok::Byte(b), _) if b < 0x80 => {
                out.push(b as char);
                k += 1;
            }
            (Tok::Byte(a), Some(Tok::Byte(b))) => match decode_pair(a, b) {
                Some(c) => {
                    out.push(c);
                    k += 2;
                }
                None => return out,
            },
            _ => return out,
        }
    }
    if k >= toks.len() {
        out.push_str(&head(right, 2));
    }
    out
}

/// What a span is read against.
struct Ctx<'a> {
    model: &'a lm::Lm,
    /// Scratch for scoring options that share a prefix.
    dp: std::cell::RefCell<lm::Dp>,
    left: &'a str,
    right: &'a str,
    readings: &'a Readings<'a>,
}

/// A lost byte and what constrains it: the byte it pairs with, and for a lost trail byte
/// the characters the document reads its annotation's syllable as.
#[derive(Clone, Copy)]
enum Lost<'a> {
    Trail { lead: u8, known: Option<&'a [char]> },
    Lead { trail: u8 },
}

/// Everything `best_of` reads for one lost byte: the characters before it (left context and
/// the reading so far), the two after, the byte and its constraint, the beam.
#[derive(PartialEq, Eq, Hash)]
struct ChoiceKey {
    prefix: String,
    after: String,
    lead: Option<u8>,
    trail: Option<u8>,
    known: Option<Vec<char>>,
    beam: usize,
}

/// What a worker thread remembers of searches it made, by what each read.
type Memo<K, V> = std::cell::RefCell<rustc_hash::FxHashMap<K, V>>;

/// Remembers `value` under `key`; past `kept` answers the memory starts over (a bound on a
/// worker's memory, whatever the corpus).
fn remember<K: Eq + std::hash::Hash, V>(
    memo: &'static std::thread::LocalKey<Memo<K, V>>,
    key: K,
    value: V,
    kept: usize,
) {
    memo.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= kept {
            m.clear();
        }
        m.insert(key, value);
    });
}

/// The byte values kept for a lost byte, each with the character it makes.
type Choices = std::rc::Rc<Vec<(u8, char)>>;

/// Choices remembered per worker thread at most; past that the memory starts over.
const CHOICES_KEPT: usize = 4_000;

thread_local! {
    /// The byte values `best_of` kept, by what it read. The readings of a span's many token
    /// combinations share their prefixes, and spans recur across documents: about half of
    /// the searches for a lost byte on the bench corpus repeat one made before.
    static CHOICES: Memo<ChoiceKey, Choices> = Default::default();
}

/// The values of a lost byte that continue the reading `r` best (`best_of` over every value
/// that pairs into a character the model knows), or the same answer remembered.
fn choices(lost: Lost, r: &Reading, ctx: &Ctx, right: &str, beam: usize) -> Choices {
    let mut prefix = tail(ctx.left, 2);
    prefix.extend(r.chars.iter().map(|c| c.0));
    let after = head(right, 2);
    let (lead, trail, known) = match lost {
        Lost::Trail { lead, known } => (Some(lead), None, known.map(<[char]>::to_vec)),
        Lost::Lead { trail } => (None, Some(trail), None),
    };
    let key = ChoiceKey {
        prefix,
        after,
        lead,
        trail,
        known,
        beam,
    };
    if let Some(v) = CHOICES.with(|m| m.borrow().get(&key).cloned()) {
        return v;
    }
    let known_only: Vec<(u8, Trial)>;
    let opts: &[(u8, Trial)] = match lost {
        Lost::Trail { lead, known: None } => &pairings().trails[usize::from(lead)],
        Lost::Trail {
            lead,
            known: Some(k),
        } => {
            known_only = pairings().trails[usize::from(lead)]
                .iter()
                .filter(|(_, t)| k.contains(&t.c))
                .copied()
                .collect();
            &known_only
        }
        Lost::Lead { trail } => &pairings().leads[usize::from(trail)],
    };
    let v = std::rc::Rc::new(best_of(opts, &key.prefix, &key.after, ctx, beam));
    remember(&CHOICES, key, v.clone(), CHOICES_KEPT);
    v
}

/// For every byte, the characters it makes with each byte it can pair with that the
/// model can score (not a Chinese character it does not know), in byte order, as trials:
/// `trails[a]` with a lead `a` (trail bytes 0x40–0xFE but 0x7F), `leads[b]` with a trail `b`
/// (lead bytes 0x81–0xFE). Every lost byte beside the same byte tries the same characters.
struct Pairings {
    trails: Vec<Vec<(u8, Trial)>>,
    leads: Vec<Vec<(u8, Trial)>>,
}

/// Builds what the search loads on first use: the language model and, from it and the byte
/// pairs' readings, every byte's pairings.
pub(super) fn warm() {
    pairings();
}

fn pairings() -> &'static Pairings {
    static P: std::sync::OnceLock<Pairings> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let model = lm::get();
        let usable = |c: char| !is_cjk(c) || model.knows(c);
        let row = |pairs: &mut dyn Iterator<Item = (u8, Option<char>)>| -> Vec<(u8, Trial)> {
            pairs
                .filter_map(|(x, c)| c.filter(|c| usable(*c)).map(|c| (x, model.trial(c))))
                .collect()
        };
        Pairings {
            trails: (0..=255u8)
                .map(|a| {
                    row(&mut (0x40u8..=0xFE)
                        .filter(|t| *t != 0x7F)
                        .map(|t| (t, decode_pair(a, t))))
                })
                .collect(),
            leads: (0..=255u8)
                .map(|b| row(&mut (0x81u8..=0xFE).map(|l| (l, decode_pair(l, b)))))
                .collect(),
        }
    })
}

/// The `beam` characters that continue `prefix` best before `after`, judged by the model.
fn best_of(
    opts: &[(u8, Trial)],
    prefix: &str,
    after: &str,
    ctx: &Ctx,
    beam: usize,
) -> Vec<(u8, char)> {
    let model = ctx.model;
    // every option shares the prefix (left context and the reading so far): its part of the
    // segmentation is computed once
    let mut dp = ctx.dp.borrow_mut();
    model.extend(&mut dp, 0, prefix);
    let keep = dp.len();
    let mut scores = Vec::with_capacity(opts.len());
    model.extend_each(&mut dp, keep, opts.iter().map(|o| o.1), after, &mut scores);
    kept(opts, |o| o.1.c, &scores, beam)
        .into_iter()
        .map(|(b, t)| (b, t.c))
        .collect()
}

/// The `beam` options of the highest scores, best first, then the punctuation among the rest
/// (judged badly without the characters that follow it: always kept), in the same order:
/// falling score, ties in the options' order.
fn kept<T: Copy>(opts: &[T], char_of: impl Fn(&T) -> char, scores: &[f64], beam: usize) -> Vec<T> {
    let ranked = |i: &usize, j: &usize| scores[*j].total_cmp(&scores[*i]).then(i.cmp(j));
    // picked in one pass: a handful are kept of the up to 190 values tried for a lost byte,
    // so the rest need no order
    let mut best: Vec<usize> = Vec::with_capacity(beam + 1);
    for i in 0..opts.len() {
        // most options rank below the last of a full beam: one comparison each
        if best.len() == beam && !best.last().is_some_and(|b| ranked(&i, b).is_lt()) {
            continue;
        }
        let at = best.partition_point(|b| ranked(b, &i).is_lt());
        if at < beam {
            best.insert(at, i);
            best.truncate(beam);
        }
    }
    let punct = |c: char| matches!(c, '。' | '“' | '”' | '，' | '、');
    let mut rest: Vec<usize> = (0..opts.len())
        .filter(|i| punct(char_of(&opts[*i])) && !best.contains(i))
        .collect();
    rest.sort_by(ranked);
    best.iter().chain(&rest).map(|&i| opts[i]).collect()
}

fn tail(s: &str, n: usize) -> String {
    let c: Vec<char> = s.chars().collect();
    c[c.len().saturating_sub(n)..].iter().collect()
}

fn head(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn strip_annotations(s: &str) -> String {
    let mut out = String::new();
    super::pinyin::strip(s, &mut out);
    out
}

/// Where the damage of the anchor group starting at `a` ends: past the last anchor and
/// whatever lost-annotation garbage follows it, plus the trail byte that shows as ASCII
/// right after such garbage (`?yún)^`, `?jīng)]`).
fn span_end(chars: &[char], group: &[usize]) -> usize {
    let mut e = *group.last().expect("non-empty group") + 1;
    if chars[e - 1] == '?' {
        if let Some(g) = garbage_after(chars, e - 1) {
            e += g;
            if chars
                .get(e)
                .is_some_and(|c| c.is_ascii_graphic() && *c != '(' && *c != '?')
            {
                e += 1;
            }
        }
    }
    e
}

/// One reading of a span, scored without the document's own counts (those are added per
/// document, so the candidates themselves can be shared between documents).
#[derive(Debug, Clone)]
struct Cand {
    /// log-probability of the reading in its context, by the dictionary model
    logp: f64,
    /// the reading with the annotations that pass through it
    text: String,
    /// each Chinese character of the reading sits inside a dictionary word, and at least
    /// one such word joins the reading to the text around it — the bytes chose the
    /// characters, the context confirms them
    supported: bool,
    plain: String,
    /// the characters made from searched-for bytes
    searched: Vec<char>,
}

/// Every reading of every token combination, scored in context.
fn evaluate(combos: &[(Combo, Option<usize>)], ctx: &Ctx, ltail: &str) -> Vec<Cand> {
    let (model, right) = (ctx.model, ctx.right);
    // every reading is scored from scratch in the search's scratch buffers (free between
    // searches): a fresh run's result, without three vectors grown per reading
    let scratch = &ctx.dp;
    let lcount = ltail.chars().count();
    let mut cands = Vec::new();
    // each reading in context, simplified, as chars and as text, and the dictionary words in
    // it: buffers every reading reuses
    let (mut cc, mut text, mut words) = (Vec::new(), String::new(), Vec::new());
    for (combo, gap) in combos {
        let toks: Vec<(Tok, Option<&str>)> =
            combo.iter().map(|(t, l)| (*t, l.as_deref())).collect();
        for r in read_in_step(&toks, ctx, 4) {
            // the two bytes of a gap vanished because, read out of step, they formed no
            // character: a reading whose gap bytes do form one is not how it happened
            if let Some(p) = gap {
                let x = r.found.iter().find(|f| f.0 == *p).map(|f| f.1);
                let y = r.found.iter().find(|f| f.0 == p + 1).map(|f| f.1);
                match (x, y) {
                    (Some(x), Some(y)) if x >= 0x80 && decode_pair(x, y).is_none() => {}
                    _ => continue,
                }
            }
            let plain = r.plain();
            cc.clear();
            cc.extend(
                ltail
                    .chars()
                    .chain(plain.chars())
                    .chain(right.chars())
                    .map(|c| model.simplified(c)),
            );
            text.clear();
            text.extend(cc.iter());
            // an opening quote the reading leaves unclosed is less likely than one it closes
            let opens = r.chars.iter().filter(|c| c.0 == '“').count();
            let closes = r.chars.iter().filter(|c| c.0 == '”').count() + right.matches('”').count();
            let score = model.extend(&mut scratch.borrow_mut(), 0, &text);
            let logp = score - if opens > closes { 3.0 } else { 0.0 };
            let n = r.chars.len();
            // dictionary words of 2–4 characters anywhere in the context, as char ranges
            words.clear();
            for a in 0..cc.len() {
                for b in a + 2..(a + 5).min(cc.len() + 1) {
                    if model.has_word(&cc[a..b]) {
                        words.push((a, b));
                    }
                }
            }
            let in_word = |at: usize| words.iter().any(|(a, b)| *a <= at && at < *b);
            let all_in_words = r
                .chars
                .iter()
                .enumerate()
                .filter(|(_, c)| is_cjk(c.0))
                .all(|(k, _)| in_word(lcount + k));
            // punctuation at either end is a join of its own (`。“兩會”期間`)
            let edge_punct = [r.chars.first(), r.chars.last()]
                .iter()
                .flatten()
                .any(|c| matches!(c.0, '。' | '，' | '、' | '；'));
            let joined = edge_punct
                || words.iter().any(|(a, b)| {
                    (*a < lcount && *b > lcount) || (*a < lcount + n && *b > lcount + n)
                });
            cands.push(Cand {
                logp,
                text: r.text(),
                supported: all_in_words && joined,
                plain,
                searched: r.chars.iter().filter(|c| c.1).map(|c| c.0).collect(),
            });
        }
    }
    cands
}

/// How much more probable (natural log) the best reading must be than the next one.
const MARGIN: f64 = 0.4;
/// The same, for readings that restore a pair that left no trace.
const GAP_MARGIN: f64 = 1.0;
/// Anchors closer than this belong to one span.
const JOIN: usize = 6;

/// The readings of one damaged span, before the document's own counts are weighed in.
#[derive(Debug)]
struct Verdict {
    /// log-probability of the span as found: a repair must beat it
    base: f64,
    /// how far the best reading must lead the next
    margin: f64,
    /// the supported readings only: no other is ever chosen, and remembered verdicts that
    /// kept every reading (tens each) grew to tens of MB per worker on a large corpus
    cands: Vec<Cand>,
}

/// Spans remembered per worker thread at most; past that the memory starts over.
const VERDICTS_KEPT: usize = 5_000;

thread_local! {
    /// Verdicts by span and context. A corpus repeats its damage (the same report reprinted
    /// on several sites, the same boilerplate every year), and the search is the dearest
    /// thing repair does; the document-specific part (its character counts) is applied after.
    static VERDICTS: Memo<String, std::rc::Rc<Verdict>> = Default::default();
}

/// Searches the readings of the span `start..end` (anchors `g`), or recalls them when the
/// same span was searched in the same context before.
#[allow(clippy::too_many_arguments)]
fn verdict(
    chars: &[char],
    g: &[usize],
    start: usize,
    end: usize,
    lost_first: bool,
    left: &str,
    right: &str,
    readings: &Readings,
) -> std::rc::Rc<Verdict> {
    // everything the search reads: the span, its context, and the document's readings of
    // any syllable left inside it
    let mut key = String::with_capacity(64);
    key.extend(&chars[start..end]);
    key.push('\u{1}');
    key.push_str(left);
    key.push('\u{1}');
    key.push_str(right);
    key.push(if lost_first { '1' } else { '0' });
    for i in start..end {
        if chars[i] == '?' {
            if let Some(n) = garbage_after(chars, i) {
                let syl: String = chars[i + 1..i + n].iter().collect();
                key.push('\u{1}');
                key.extend(readings.reading(&syl).iter().flat_map(|r| r.iter()));
            }
        }
    }
    if let Some(v) = VERDICTS.with(|m| m.borrow().get(&key).cloned()) {
        return v;
    }

    let model = lm::get();
    let damaged: String = chars[start..end].iter().collect();
    let base = model.score(&model.simplify(&format!("{}{}{}", tail(left, 3), damaged, right)));
    // every combination of readings of the span's characters
    let mut combos: Vec<Combo> = vec![if lost_first {
        vec![(Tok::Lost, None)]
    } else {
        Vec::new()
    }];
    let mut i = start;
    while i < end {
        let (used, alts) = alternatives(chars, i);
        if alts.is_empty() {
            combos.clear();
            break;
        }
        let mut next = Vec::new();
        for c in &combos {
            for (toks, lit) in &alts {
                let mut v = c.clone();
                for (k, t) in toks.iter().enumerate() {
                    let l = (k + 1 == toks.len() && !lit.is_empty()).then(|| lit.clone());
                    v.push((*t, l));
                }
                next.push(v);
            }
        }
        combos = next;
        i += used;
        if combos.len() > 256 {
            break;
        }
    }
    let ltail = tail(left, 3);
    let ctx = Ctx {
        model,
        dp: Default::default(),
        left,
        right,
        readings,
    };
    let plain: Vec<_> = combos.iter().map(|c| (c.clone(), None)).collect();
    let mut cands = evaluate(&plain, &ctx, &ltail);
    let mut margin = MARGIN;
    // a gap shows as a reading that falls back into step at a lone ASCII letter
    let resyncs = g.iter().any(|&a| chars[a].is_ascii_alphabetic());
    if resyncs && !cands.iter().any(|c| c.supported) {
        // a pair that read as nothing was dropped without a trace: try two lost bytes
        // between any two bytes that are there (`粒;[化思]季S`)
        let mut gapped = Vec::new();
        for combo in combos.iter().take(2) {
            for p in 1..combo.len() {
                if matches!((combo[p - 1].0, combo[p].0), (Tok::Byte(a), Tok::Byte(b)) if a >= 0x80 && b >= 0x80)
                {
                    let mut v = combo.clone();
                    v.insert(p, (Tok::Lost, None));
                    v.insert(p, (Tok::Lost, None));
                    gapped.push((v, Some(p)));
                }
            }
        }
        cands = evaluate(&gapped, &ctx, &ltail);
        // two bytes searched for with no trace of them: ask for a clearer win
        margin = GAP_MARGIN;
    }
    cands.retain(|c| c.supported);
    cands.shrink_to_fit();

    let v = std::rc::Rc::new(Verdict {
        base,
        margin,
        cands,
    });
    remember(&VERDICTS, key, v.clone(), VERDICTS_KEPT);
    v
}

/// What `text` says of itself, read as a search asks (`Readings::reading`, `count`).
pub fn readings_of(text: &str) -> Readings<'_> {
    Readings {
        text,
        ..Readings::default()
    }
}

/// The punctuation as written, in its full-width form: what a reading of undamaged text
/// gives back.
fn widened(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '?' => '？',
            '!' => '！',
            ';' => '；',
            ':' => '：',
            c => c,
        })
        .collect()
}

/// Folded punctuation (`!`, `;`, `:` after a Chinese character) at most eight characters
/// before a lone letter: where a reading that fell out of step began (`!皟蓵逼陂g`).
fn folded_start(chars: &[char], letter: usize) -> Option<usize> {
    (letter.saturating_sub(8)..letter)
        .rev()
        .find(|&k| matches!(chars[k], '!' | ';' | ':') && k > 0 && is_cjk(chars[k - 1]))
}

/// Is the text between folded punctuation and a lone letter what a misread looks like? Read
/// out of step, GBK bytes pair into characters that form no words: a character the
/// dictionary does not know, or most of the run outside any word. Plain text there
/// (`目标:力争A级`) is words.
fn misread(run: &[char]) -> bool {
    let model = lm::get();
    let cjk: Vec<char> = run.iter().copied().filter(|c| is_cjk(*c)).collect();
    if cjk.len() < 2 || cjk.len() != run.len() {
        return false;
    }
    if cjk.iter().any(|c| !model.knows(*c)) {
        return true;
    }
    let simple: Vec<char> = model
        .simplify(&cjk.iter().collect::<String>())
        .chars()
        .collect();
    let n = simple.len();
    let covered = (0..n)
        .filter(|&k| {
            (k.saturating_sub(3)..=k)
                .any(|a| (a + 2..=(a + 4).min(n)).any(|b| b > k && model.has_word(&simple[a..b])))
        })
        .count();
    (n - covered) * 5 >= n * 3
}

/// Where the damage of an anchor group starts, or `None` when nothing says it is damage.
/// A `?` inside Chinese text is damage (a lost byte). A lone Latin letter alone is not:
/// `5A级`, `A股`, `2万P`, `南A中心` are how Chinese is written. It counts only where the
/// reading that led to it is visible: folded punctuation a few characters back and, between
/// the two, characters that form no words.
fn span_start(chars: &[char], g: &[usize], doc_damaged: &dyn Fn() -> bool) -> Option<usize> {
    let has_q = g.iter().any(|&a| chars[a] == '?');
    // a `?` between Chinese characters is a question mark as often as a lost byte: it
    // counts as damage where the damage shows around it, or where the document shows it
    if has_q && !g.iter().any(|&a| strong_q(chars, a)) && !doc_damaged() {
        return None;
    }
    if chars[g[0]] == '?' {
        return Some(g[0]);
    }
    if g[0] > 0 && chars[g[0] - 1] == '?' {
        return Some(g[0] - 1);
    }
    if has_q {
        // a letter first, a `?` later in the group: the `?` is the evidence
        return Some(folded_start(chars, g[0]).unwrap_or(g[0]));
    }
    let f = folded_start(chars, g[0])?;
    misread(&chars[f + 1..g[0]]).then_some(f)
}

/// A `?` that shows byte-shift damage around it: another `?` beside it, folded punctuation
/// or a Latin letter right after it (`?!凹t`, `?;季S`, `?h`), or what is left of a pinyin
/// annotation that lost its `(` (`?lián)`).
fn strong_q(chars: &[char], a: usize) -> bool {
    if chars[a] != '?' {
        return false;
    }
    let next = chars.get(a + 1).copied();
    (a > 0 && chars[a - 1] == '?')
        || next.is_some_and(|n| matches!(n, '?' | '!' | ';' | ':' | ',') || n.is_ascii_alphabetic())
        || garbage_after(chars, a).is_some()
}

/// Does a document show byte-shift damage anywhere: a `?` with damage around it, a
/// replacement character, a private-use character?
pub fn shows_damage(doc: &str) -> bool {
    // private use is U+E000–U+F8FF: UTF-8 led by EE, or by EF and a byte up to A3
    let b = doc.as_bytes();
    let private_use = memchr::memchr(0xEE, b).is_some()
        || memchr::memchr_iter(0xEF, b).any(|i| b.get(i + 1).is_some_and(|&x| x <= 0xA3));
    if doc.contains('\u{FFFD}') || private_use {
        return true;
    }
    crate::zh::chars::lines(doc).any(|line| {
        if !line.contains('?') {
            return false;
        }
        let chars: Vec<char> = line.chars().collect();
        (0..chars.len()).any(|a| strong_q(&chars, a))
    })
}

/// Repairs one line. `doc` is the whole document, read for `Readings` and for signs of
/// damage only when the line has some (`readings` and `doc_damaged` cache that across the
/// document's lines).
pub fn scan<'d>(
    line: &str,
    doc: &'d str,
    readings: &std::cell::OnceCell<Readings<'d>>,
    doc_damaged: &std::cell::OnceCell<bool>,
    search: bool,
) -> Scan {
    // every anchor is a `?` or an ASCII letter after a Chinese character, a quote or a `?`
    // (`anchors`): a line without one has no damage. (Inline pinyin is all letters, but
    // after `(` or its own letters.)
    if !may_anchor(line) {
        return Scan::unchanged(line);
    }
    let chars: Vec<char> = line.chars().collect();
    let anchors = anchors(&chars);
    if anchors.is_empty() {
        return Scan::unchanged(line);
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for &a in &anchors {
        match groups.last_mut() {
            Some(g) if a - *g.last().expect("group") <= JOIN => g.push(a),
            _ => groups.push(vec![a]),
        }
    }
    // where each group's damage starts, for the groups that show evidence of damage at all
    let suspects: Vec<(Vec<usize>, usize)> = groups
        .into_iter()
        .filter_map(|g| {
            span_start(&chars, &g, &|| {
                *doc_damaged.get_or_init(|| shows_damage(doc))
            })
            .map(|s| (g, s))
        })
        .collect();
    if suspects.is_empty() {
        return Scan::unchanged(line);
    }
    if !search {
        // no search allowed (budget spent, or not GBK-shaped damage): count what is there
        let spans: Vec<(String, String)> = suspects
            .iter()
            .map(|(g, _)| (chars[g[0]].to_string(), chars[g[0]].to_string()))
            .collect();
        return Scan {
            text: line.to_string(),
            repaired: 0,
            unrepaired: spans.len(),
            spans,
        };
    }
    let readings = readings.get_or_init(|| readings_of(doc));
    let mut out = String::with_capacity(line.len());
    let mut pos = 0;
    let (mut repaired, mut unrepaired) = (0, 0);
    let mut spans = Vec::new();
    for (g, start) in suspects {
        // folded punctuation at the start: the byte before it is the one that fell out
        let lost_first = chars[start] != '?';
        if start < pos {
            continue;
        }
        let end = span_end(&chars, &g).max(start + 1);
        // context without annotations; a leading `(qū)` belongs to the span's last character
        // three characters of left context are all the search reads (and so all that the
        // remembered verdicts are keyed by: a wider key only misses more often)
        let left = tail(
            &strip_annotations(&chars[pos..start].iter().collect::<String>()),
            3,
        );
        let right_raw: String = chars[end..(end + 16).min(chars.len())].iter().collect();
        let right = head(
            strip_annotations(&format!("字{right_raw}")).trim_start_matches('字'),
            3,
        );
        let found = verdict(&chars, &g, start, end, lost_first, &left, &right, readings);
        // the document's own counts: a character it uses often is likelier to be the lost one
        let mut cands: Vec<(f64, &Cand)> = found
            .cands
            .iter()
            .map(|c| {
                let cache: f64 = c
                    .searched
                    .iter()
                    .map(|ch| (1.0 + readings.count(*ch) as f64).ln())
                    .sum();
                (c.logp + CACHE_WEIGHT * cache, c)
            })
            .collect();
        cands.sort_by(|a, b| b.0.total_cmp(&a.0));
        // readings that differ only in a pinyin annotation are one reading
        cands.dedup_by(|a, b| a.1.plain == b.1.plain);
        out.extend(&chars[pos..start]);
        let clear_winner = match (cands.first(), cands.get(1)) {
            (Some(a), Some(b)) => a.0 - b.0 >= found.margin,
            (Some(_), None) => true,
            _ => false,
        };
        let damaged: String = chars[start..end].iter().collect();
        match cands.first() {
            // the best reading only widens the punctuation as written (`怎么办?我们` read as
            // `？`): the text was not damaged, and width normalisation does the same
            Some((_, c)) if c.text == widened(&damaged) => {
                out.push_str(&damaged);
            }
            Some((s, c)) if clear_winner && *s > found.base && !c.text.contains('?') => {
                out.push_str(&c.text);
                spans.push((damaged, c.text.clone()));
                repaired += 1;
            }
            _ => {
                out.push_str(&damaged);
                spans.push((damaged.clone(), damaged));
                unrepaired += 1;
            }
        }
        pos = end;
    }
    out.extend(&chars[pos..]);
    Scan {
        text: out,
        repaired,
        unrepaired,
        spans,
    }
}

#[cfg(test)]
mod tests {
    use super::{decode_pair, is_cjk, kept, lm, pairings, scan, Trial};
    use crate::repair::pinyin;

    proptest::proptest! {
        /// A syllable's reading, looked up when asked, is what reading every annotation of the
        /// document gives: each `(` after a Chinese character whose `)` comes within eight
        /// characters and holds a syllable.
        #[test]
        fn readings_asked_as_all_annotations_read(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "區", "縣", "中", "(qū)", "(xiàn)", "(an)", "(", ")", "qū", "a", "(qū(x))",
                    "（qū）", "(qū )", "，", "(qūqūqūqū)",
                ]),
                0..24,
            ),
        ) {
            let text: String = parts.concat();
            let mut all: std::collections::HashMap<String, Vec<char>> = Default::default();
            for at in memchr::memchr_iter(b'(', text.as_bytes()) {
                let Some(p) = text[..at].chars().next_back().filter(|p| is_cjk(*p)) else {
                    continue;
                };
                let rest = &text[at + 1..];
                let close = rest.char_indices().take(8).find(|&(_, c)| c == ')');
                if let Some((close, _)) = close {
                    let syl = &rest[..close];
                    if pinyin::is_syllable(syl) {
                        let e = all.entry(syl.to_string()).or_default();
                        if !e.contains(&p) {
                            e.push(p);
                        }
                    }
                }
            }
            let readings = super::readings_of(&text);
            for syl in ["qū", "xiàn", "an", "qū(x", "qū ", "x", "a", "qūqūqūqū"] {
                let asked = readings.reading(syl).map(|r| r.to_vec());
                proptest::prop_assert_eq!(&asked, &all.get(syl).cloned(), "{}", syl);
                // asked again: remembered
                proptest::prop_assert_eq!(readings.reading(syl).map(|r| r.to_vec()), asked);
            }
        }
    }

    /// The rows hold, for every byte, each pairing the search may try — a Chinese character
    /// the model knows, or folded punctuation — with its other byte, in byte order.
    #[test]
    fn pairings_are_every_usable_pair_in_byte_order() {
        let model = lm::get();
        let usable = |c: char| !is_cjk(c) || model.knows(c);
        let p = pairings();
        for x in 0..=255u8 {
            let trails: Vec<(u8, char)> = (0x40..=0xFE)
                .filter(|t| *t != 0x7F)
                .filter_map(|t| decode_pair(x, t).filter(|c| usable(*c)).map(|c| (t, c)))
                .collect();
            let leads: Vec<(u8, char)> = (0x81..=0xFE)
                .filter_map(|l| decode_pair(l, x).filter(|c| usable(*c)).map(|c| (l, c)))
                .collect();
            let row = |r: &[(u8, Trial)]| r.iter().map(|(b, t)| (*b, t.c)).collect::<Vec<_>>();
            assert_eq!(row(&p.trails[usize::from(x)]), trails, "lead {x:#x}");
            assert_eq!(row(&p.leads[usize::from(x)]), leads, "trail {x:#x}");
        }
        // 中 is D6 D0; 。 is A1 A3; a lead byte's row is no lead byte's column
        assert!(row_has(&p.trails[0xD6], 0xD0, '中') && row_has(&p.leads[0xD0], 0xD6, '中'));
        assert!(row_has(&p.trails[0xA1], 0xA3, '。'));
        assert!(p.trails[0x41].is_empty() && p.leads[0x30].is_empty());
    }

    fn row_has(row: &[(u8, Trial)], byte: u8, c: char) -> bool {
        row.iter().any(|(b, t)| *b == byte && t.c == c)
    }

    #[test]
    fn the_best_options_then_the_punctuation_of_the_rest() {
        let opts = [
            (1, '甲'),
            (2, '，'),
            (3, '乙'),
            (4, '丙'),
            (5, '。'),
            (6, '丁'),
            (7, '“'),
        ];
        let scores = [-3.0, -9.0, -1.0, -3.0, -2.0, -0.5, -8.0];
        // 丁 -0.5, 乙 -1, 。 -2, then 甲 and 丙 tie at -3 and keep their order; of the rest
        // only punctuation, best first
        assert_eq!(
            kept(&opts, |o| o.1, &scores, 4),
            vec![
                (6, '丁'),
                (3, '乙'),
                (5, '。'),
                (1, '甲'),
                (7, '“'),
                (2, '，')
            ]
        );
        assert_eq!(
            kept(&opts, |o| o.1, &scores, 0),
            vec![(5, '。'), (7, '“'), (2, '，')]
        );
    }

    proptest::proptest! {
        /// As a stable sort of all the options by falling score would keep them.
        #[test]
        fn kept_as_a_stable_sort_would(
            scores in proptest::collection::vec(-6i8..0, 0..40),
            beam in 0usize..6,
        ) {
            let chars = ['甲', '。', '乙', '“', '”', '丙', '，', '、'];
            let opts: Vec<(u8, char)> =
                (0..scores.len()).map(|i| (i as u8, chars[i % chars.len()])).collect();
            // halves, so that many options tie
            let scores: Vec<f64> = scores.iter().map(|s| f64::from(*s) / 2.0).collect();
            let mut sorted: Vec<(f64, (u8, char))> =
                scores.iter().copied().zip(opts.iter().copied()).collect();
            sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
            let punct = |c: char| matches!(c, '。' | '“' | '”' | '，' | '、');
            let mut want: Vec<(u8, char)> = sorted.iter().take(beam).map(|x| x.1).collect();
            want.extend(sorted.iter().skip(beam).map(|x| x.1).filter(|x| punct(x.1)));
            proptest::prop_assert_eq!(kept(&opts, |o| o.1, &scores, beam), want);
        }
    }

    proptest::proptest! {
        /// Without a `?`, damage is a replacement or private-use character: found on the bytes
        /// as the characters show it.
        #[test]
        fn private_use_and_replacement_found_on_bytes(
            chars in proptest::collection::vec(
                proptest::sample::select(vec![
                    '\u{E000}', '\u{EFFF}', '\u{F000}', '\u{F8FF}', '\u{F900}', '\u{D7FB}',
                    '\u{FFFD}', '，', '（', '中', 'a', '\u{FF5E}', '\u{D7FF}',
                ]),
                0..12,
            ),
        ) {
            let doc: String = chars.iter().collect();
            let by_chars = chars
                .iter()
                .any(|c| *c == '\u{FFFD}' || ('\u{E000}'..='\u{F8FF}').contains(c));
            proptest::prop_assert_eq!(super::shows_damage(&doc), by_chars);
        }

        /// Eight bytes at a time finds what asking every character finds: a `?` or a
        /// letter after a Chinese character, a `?`, or (for a `?`) a quote.
        #[test]
        fn may_anchor_as_every_character_asked(
            chars in proptest::collection::vec(
                proptest::prop_oneof![
                    6 => proptest::sample::select(vec!['中', '国', '“', '”', '，', '𠀀', 'é']),
                    // ASCII around the letters' and the `?`'s codes: > @ [ ` {
                    3 => proptest::sample::select(vec![
                        '?', 'a', 'z', 'A', 'Z', '1', ' ', '(', 'x', '>', '@', '[', '`', '{',
                    ]),
                ],
                0..60,
            ),
        ) {
            let line: String = chars.iter().collect();
            let every = chars.windows(2).any(|w| {
                let (prev, c) = (w[0], w[1]);
                (c == '?' || c.is_ascii_alphabetic())
                    && (super::is_cjk(prev)
                        || prev == '?'
                        || (c == '?' && matches!(prev, '“' | '”')))
            });
            proptest::prop_assert_eq!(super::may_anchor(&line), every);
        }
    }

    #[test]
    fn anchors_from_the_second_byte() {
        assert!(super::may_anchor("?a"));
        assert!(super::may_anchor("中x"));
        assert!(!super::may_anchor("?"));
        assert!(!super::may_anchor("中国1"));
    }

    /// Damage made the way the scrapers made it, on sentences of our own.
    #[test]
    fn repairs_byte_shifted_spans() {
        // 。“紅 read one byte late: ?!凹t
        let doc = std::cell::OnceCell::new();
        let s = scan(
            "打造旅游品牌?!凹t色旅游线路",
            "",
            &doc,
            &Default::default(),
            true,
        );
        assert_eq!(
            (s.text.as_str(), s.repaired, s.unrepaired),
            ("打造旅游品牌。“紅色旅游线路", 1, 0)
        );
        // 。縱 → ??v
        let s = scan("全面提速??v深推进改革", "", &doc, &Default::default(), true);
        assert_eq!((s.text.as_str(), s.repaired), ("全面提速。縱深推进改革", 1));
    }

    #[test]
    fn leaves_unsupported_spans_and_real_questions() {
        let doc = std::cell::OnceCell::new();
        let s = scan("勇?lián)?dāng)作为", "", &doc, &Default::default(), true);
        assert_eq!(
            (s.text.as_str(), s.repaired, s.unrepaired),
            ("勇?lián)?dāng)作为", 0, 1)
        );
        let s = scan("真的吗?", "", &doc, &Default::default(), true);
        assert_eq!(
            (s.text.as_str(), s.repaired, s.unrepaired),
            ("真的吗?", 0, 0)
        );
        assert_eq!(
            scan("没有问题的文本。", "", &doc, &Default::default(), true).unrepaired,
            0
        );
    }

    /// Latin letters and digits are how Chinese text writes grades, shares, models and
    /// units: none of it is damage, none of it is counted.
    #[test]
    fn letters_in_chinese_text_are_not_damage() {
        let doc = std::cell::OnceCell::new();
        for line in [
            "青禾古镇获评国家5A级旅游景区，另有A级景区12家",
            "全县新增A股上市公司2家，B型超声设备全面覆盖",
            "PM2.5平均浓度下降8%，RCEP、PPP、CPI、GDP、AI均有涉及",
            "新增算力规模2万P，建成“南A中心”和X光检测站",
            "T恤衫、U盘、K线图、Q币、维生素C",
            "目标:力争A级，说明:该B轮融资",
            "怎么办?我们要迎难而上",
            "建成5G基站320个，引进ABC公司",
        ] {
            let s = scan(line, line, &doc, &Default::default(), true);
            assert_eq!(
                (s.text.as_str(), s.repaired, s.unrepaired),
                (line, 0, 0),
                "{line}"
            );
        }
    }

    /// A reading that fell out of step after folded punctuation and fell back at a letter:
    /// repaired only because the characters between are no words.
    #[test]
    fn folded_punctuation_then_misread_characters() {
        let doc = std::cell::OnceCell::new();
        // 。“兩節”期間 read one byte late
        let s = scan(
            "工作十分忙碌!皟晒潯逼陂g，全县干部",
            "",
            &doc,
            &Default::default(),
            true,
        );
        assert_eq!(
            (s.text.as_str(), s.repaired, s.unrepaired),
            ("工作十分忙碌。“兩節”期間，全县干部", 1, 0)
        );
    }
}
