//! Bytes → text. BOM first, then strict UTF-8, then a UTF-16 sniff (files saved by Windows
//! tools without a BOM), then `chardetng` over `encoding_rs` for GBK/GB18030/Big5 and the
//! rest. Every malformed sequence is counted, never silently dropped.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{DecoderResult, Encoding, BIG5, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};

#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    /// encoding_rs name: UTF-8, GBK, Big5, UTF-16LE …
    pub encoding: &'static str,
    pub errors: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DecodeError {
    /// More than `MAX_ERROR_SHARE` of the characters could not be decoded.
    Undecodable {
        encoding: &'static str,
        errors: usize,
        chars: usize,
    },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Undecodable { encoding, errors, chars } => write!(
                f,
                "{errors} malformed sequences in {chars} characters as {encoding} (best guess); not text in any supported encoding"
            ),
        }
    }
}

/// Above this share of malformed sequences the input is not text we can trust.
const MAX_ERROR_SHARE: f64 = 0.05;

/// Decodes the whole input, counting malformed sequences (each becomes U+FFFD).
///
/// Decodes through a small fixed buffer rather than into the `String`'s spare capacity:
/// encoding_rs touches every page of the spare capacity it is handed on each call, and a
/// call ends at every malformed sequence, so a 33 MB file with a million malformed bytes took
/// 20 minutes that way (pages × errors); through 32 KB it takes a fraction of a second.
fn decode_counting(enc: &'static Encoding, bytes: &[u8]) -> (String, usize) {
    decode_chunks(enc, bytes, false).expect("decoding to the end never stops early")
}

/// The whole input decoded, if it reads as `enc` without any damage (`badness` 0): the
/// decoding stops at the first sign of damage, which a legacy file in another encoding
/// shows early (Big5 read as GBK: its punctuation is GBK's private-use area).
fn decode_clean(enc: &'static Encoding, bytes: &[u8]) -> Option<String> {
    decode_chunks(enc, bytes, true).map(|(text, _)| text)
}

/// `decode_counting`; with `stop_on_damage`, `None` at the first malformed sequence or
/// character `badness` counts.
fn decode_chunks(
    enc: &'static Encoding,
    bytes: &[u8],
    stop_on_damage: bool,
) -> Option<(String, usize)> {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len() * 3);
    let mut out = String::with_capacity(cap.min(bytes.len() * 3 / 2 + 16));
    // a str: encoding_rs keeps it UTF-8, so what it writes there needs no validating
    let mut buf = String::from_utf8(vec![0u8; DECODE_CHUNK]).expect("zeros are UTF-8");
    // looking for damage, a small first chunk: another encoding's shows within it
    let mut limit = if stop_on_damage {
        PROBE_CHUNK
    } else {
        DECODE_CHUNK
    };
    let mut errors = 0;
    let mut src = bytes;
    loop {
        let (res, read, written) =
            decoder.decode_to_str_without_replacement(src, &mut buf[..limit], true);
        limit = DECODE_CHUNK;
        src = &src[read..];
        let chunk = &buf[..written];
        if stop_on_damage && (matches!(res, DecoderResult::Malformed(..)) || chunk.chars().any(bad))
        {
            return None;
        }
        out.push_str(chunk);
        match res {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(_, _) => {
                errors += 1;
                out.push('\u{FFFD}');
            }
        }
    }
    Some((out, errors))
}

/// Output buffer of `decode_counting`: large enough that a call decodes many lines, small
/// enough to stay in cache.
const DECODE_CHUNK: usize = 32 * 1024;

/// The first output chunk of a decoding that stops at damage: a page of text shows a wrong
/// encoding's private-use characters or malformed sequences.
const PROBE_CHUNK: usize = 4 * 1024;

/// UTF-16 without a BOM: the high byte of every code unit of Chinese text is 0x00 (ASCII),
/// 0x20–0x9F (punctuation and the CJK blocks) or 0xFF (full-width forms), and at least a few
/// are 0x00 (newlines, digits). GBK and Big5 bytes are spread far wider than that.
pub fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 8 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    // Chinese text in UTF-16 has 0x00 bytes (the high byte of ASCII: newlines, digits): the
    // score below asks for one, and without one the file is not read twice for it
    memchr::memchr(0, bytes)?;
    let units = bytes.len() / 2;
    // U+0000 is never text
    if bytes.chunks_exact(2).any(|p| p == [0, 0]) {
        return None;
    }
    let plausible = |hi: u8| hi == 0 || (0x20..=0x9F).contains(&hi) || hi == 0xFF;
    let score = |hi_index: usize| {
        let mut good = 0usize;
        let mut zero = 0usize;
        for pair in bytes.chunks_exact(2) {
            good += plausible(pair[hi_index]) as usize;
            zero += (pair[hi_index] == 0) as usize;
        }
        good * 100 >= units * 98 && zero > 0
    };
    if score(1) {
        Some(UTF_16LE)
    } else if score(0) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// How much of a decoding is damage: malformed sequences, private-use characters (what
/// Big5 bytes become when read as GBK) and control characters.
fn badness(text: &str, errors: usize) -> usize {
    errors + text.chars().filter(|c| bad(*c)).count()
}

/// A private-use or control character: what `badness` adds to the errors.
fn bad(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF) || (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// Decodes a document's bytes: a BOM, UTF-16, UTF-8, else the least damaged reading in the
/// Chinese legacy encodings (or undecodable, past `MAX_ERROR_SHARE` of damage).
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some(d) = before_utf8(bytes) {
        return d;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(utf8(s.to_string())),
        Err(_) => not_utf8(bytes),
    }
}

/// `decode` for bytes the caller is done with: UTF-8 input (the common case) becomes the
/// text without a copy, and anything else is let go when its decoding is made.
pub fn decode_owned(bytes: Vec<u8>) -> Result<Decoded, DecodeError> {
    if let Some(d) = before_utf8(&bytes) {
        return d;
    }
    if simdutf8::basic::from_utf8(&bytes).is_err() {
        return not_utf8(&bytes);
    }
    // SAFETY: simdutf8 has just validated these very bytes as UTF-8 (std's own check reads
    // Chinese text about ten times slower, and every input goes through it).
    let text = unsafe { String::from_utf8_unchecked(bytes) };
    Ok(utf8(text))
}

fn utf8(text: String) -> Decoded {
    Decoded {
        text,
        encoding: "UTF-8",
        errors: 0,
    }
}

/// What is decided before trying UTF-8: a BOM, or UTF-16 with NULs (ASCII-heavy UTF-16 is
/// valid UTF-8 too).
fn before_utf8(bytes: &[u8]) -> Option<Result<Decoded, DecodeError>> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return Some(finish(enc, &bytes[bom_len..]));
    }
    let enc = sniff_utf16(bytes).filter(|_| memchr::memchr(0, bytes).is_some())?;
    Some(finish(enc, bytes))
}

/// Bytes that are not UTF-8: UTF-16 without NULs, then the legacy Chinese encodings.
fn not_utf8(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some(enc) = sniff_utf16(bytes) {
        return finish(enc, bytes);
    }
    // the common cases first: a Chinese legacy file that reads cleanly as GBK, or else as
    // Big5 (Big5 read as GBK always shows private-use characters: its punctuation row and
    // first character rows are GBK's user-defined area), needs no detector run
    for enc in [GBK, BIG5] {
        if let Some(text) = decode_clean(enc, bytes) {
            return Ok(Decoded {
                text,
                encoding: enc.name(),
                errors: 0,
            });
        }
    }
    // chardetng with the .cn hint leans to GBK; Big5 files read as GBK decode without errors
    // but into private-use characters. Try the guesses and keep the least damaged reading.
    let mut det = EncodingDetector::new(Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let guess = det.guess(Some(b"cn"), Utf8Detection::Allow);
    let mut candidates = vec![guess, det.guess(None, Utf8Detection::Allow), GBK, BIG5];
    candidates.dedup();
    // a non-Chinese guess is only tried when it is the guess made with the .cn hint
    candidates.retain(|e| *e == guess || CHINESE.contains(e));
    let mut best: Option<(usize, Decoded)> = None;
    for enc in candidates {
        let (text, errors) = decode_counting(enc, bytes);
        let bad = badness(&text, errors);
        if best.as_ref().is_none_or(|(b, _)| bad < *b) {
            best = Some((
                bad,
                Decoded {
                    text,
                    encoding: enc.name(),
                    errors,
                },
            ));
        }
    }
    let (bad, d) = best.expect("at least one candidate");
    let chars = d.text.chars().count().max(1);
    if bad as f64 / chars as f64 > MAX_ERROR_SHARE {
        return Err(DecodeError::Undecodable {
            encoding: d.encoding,
            errors: bad,
            chars,
        });
    }
    Ok(d)
}

/// The legacy encodings Chinese documents come in.
const CHINESE: [&Encoding; 3] = [GBK, GB18030, BIG5];

fn finish(enc: &'static Encoding, body: &[u8]) -> Result<Decoded, DecodeError> {
    if enc == UTF_8 {
        if let Ok(s) = std::str::from_utf8(body) {
            return Ok(Decoded {
                text: s.to_string(),
                encoding: "UTF-8",
                errors: 0,
            });
        }
    }
    let (text, errors) = decode_counting(enc, body);
    let chars = text.chars().count().max(1);
    if badness(&text, errors) as f64 / chars as f64 > MAX_ERROR_SHARE {
        return Err(DecodeError::Undecodable {
            encoding: enc.name(),
            errors,
            chars,
        });
    }
    Ok(Decoded {
        text,
        encoding: enc.name(),
        errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "二〇二五年青禾县政府工作报告\n地区生产总值增长5.5%，力争增长6%以上。\n";
    const SAMPLE_HANT: &str = "青禾縣人民政府工作報告\n地區生產總值增長5.5%，力爭增長6%以上。\n";

    #[test]
    fn utf8_plain_and_bom() {
        assert_eq!(decode(SAMPLE.as_bytes()).unwrap().encoding, "UTF-8");
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice(SAMPLE.as_bytes());
        let d = decode(&b).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding, d.errors),
            (SAMPLE, "UTF-8", 0)
        );
    }

    #[test]
    fn gbk_round_trip() {
        let (bytes, _, _) = GBK.encode(SAMPLE);
        let d = decode(&bytes).unwrap();
        assert_eq!((d.text.as_str(), d.encoding, d.errors), (SAMPLE, "GBK", 0));
    }

    #[test]
    fn big5_round_trip() {
        let (bytes, _, _) = BIG5.encode(SAMPLE_HANT);
        let d = decode(&bytes).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding, d.errors),
            (SAMPLE_HANT, "Big5", 0)
        );
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let le: Vec<u8> = SAMPLE
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let d = decode(&le).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (SAMPLE, "UTF-16LE"));
        let mut be = vec![0xFE, 0xFF];
        be.extend(SAMPLE.encode_utf16().flat_map(|u| u.to_be_bytes()));
        let d = decode(&be).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (SAMPLE, "UTF-16BE"));
    }

    #[test]
    fn malformed_bytes_are_counted() {
        let mut bytes = GBK.encode(SAMPLE).0.into_owned();
        bytes.insert(10, 0xFF);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "GBK");
        assert_eq!(d.errors, 1);
        assert_eq!(d.text.matches('\u{FFFD}').count(), 1);
    }

    #[test]
    fn long_input_decodes_across_chunks_with_every_error_counted() {
        // many times the decode buffer, with two-byte characters and malformed bytes
        // falling on and around its boundaries
        let line = "青禾县地区生产总值增长5.5%，农村居民人均可支配收入增长7%。\n";
        let text = line.repeat(8 * DECODE_CHUNK / line.len() + 7);
        let mut bytes = Vec::new();
        let mut expected = String::new();
        let mut errors = 0;
        // 0xFF starts no GBK character: after every 997th source char, one stray byte
        for (i, c) in text.chars().enumerate() {
            let mut b = [0u8; 4];
            bytes.extend_from_slice(&GBK.encode(c.encode_utf8(&mut b)).0);
            expected.push(c);
            if i % 997 == 996 {
                bytes.push(0xFF);
                expected.push('\u{FFFD}');
                errors += 1;
            }
        }
        assert!(bytes.len() > 4 * DECODE_CHUNK);
        let (out, n) = decode_counting(GBK, &bytes);
        assert_eq!(n, errors);
        assert_eq!(n, text.chars().count() / 997);
        assert!(out == expected, "decoded text differs from the source");
    }

    #[test]
    fn owned_utf8_becomes_the_text_without_a_copy() {
        let bytes = SAMPLE.as_bytes().to_vec();
        let at = bytes.as_ptr();
        let d = decode_owned(bytes).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (SAMPLE, "UTF-8"));
        assert_eq!(d.text.as_ptr(), at);
        // the rest as `decode` reads them: GBK, and UTF-16 (valid UTF-8 too) before UTF-8
        let gbk = GBK.encode(SAMPLE).0.into_owned();
        assert_eq!(decode_owned(gbk.clone()), decode(&gbk));
        assert_eq!(decode_owned(gbk).unwrap().encoding, "GBK");
        let le: Vec<u8> = "ab\n12\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert!(std::str::from_utf8(&le).is_ok());
        assert_eq!(decode_owned(le).unwrap().encoding, "UTF-16LE");
    }

    #[test]
    fn random_bytes_are_undecodable() {
        // 0xFF starts no character in GBK, GB18030 or Big5
        let bytes = vec![0xFFu8; 4000];
        assert!(matches!(
            decode(&bytes),
            Err(DecodeError::Undecodable { .. })
        ));
    }

    proptest::proptest! {
        /// The owned decoding (SIMD UTF-8 validation) reads any bytes as the borrowed one
        /// (std's): UTF-8 cut anywhere, with stray bytes, surrogates and overlong forms.
        #[test]
        fn owned_reads_as_borrowed(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "发展".as_bytes(), "é".as_bytes(), "𠀀".as_bytes(), b"a\n".as_slice(),
                    b"\xE4\xB8".as_slice(), b"\xED\xA0\x80".as_slice(), b"\xC0\xAF".as_slice(),
                    b"\xFF".as_slice(), b"\xF4\x90\x80\x80".as_slice(), "。".as_bytes(),
                ]),
                0..80,
            ),
        ) {
            let bytes: Vec<u8> = pieces.concat();
            proptest::prop_assert_eq!(decode_owned(bytes.clone()), decode(&bytes));
        }

        /// A decoding that stops at the first damage says clean exactly when the whole
        /// decoding has no badness, and then gives the same text: on GBK and Big5 bytes,
        /// malformed and control bytes, private-use reads, across the 32 KB chunks.
        #[test]
        fn clean_decoding_stops_only_on_damage(
            pieces in proptest::collection::vec(0usize..6, 0..40),
            long in proptest::bool::ANY,
        ) {
            let gbk = GBK.encode(SAMPLE).0.into_owned();
            let big5 = BIG5.encode(SAMPLE_HANT).0.into_owned();
            let mut bytes = Vec::new();
            if long {
                // past the first chunk before the pieces
                while bytes.len() < DECODE_CHUNK + 7 {
                    bytes.extend_from_slice(&gbk);
                }
            }
            for p in pieces {
                match p {
                    0 | 1 => bytes.extend_from_slice(&gbk),
                    2 => bytes.extend_from_slice(&big5),
                    3 => bytes.push(0x81),
                    4 => bytes.push(0x07),
                    _ => bytes.extend_from_slice(&[0xA1, 0x40]),
                }
            }
            for enc in [GBK, BIG5] {
                let (text, errors) = decode_counting(enc, &bytes);
                let expect = (badness(&text, errors) == 0).then_some(text);
                proptest::prop_assert_eq!(decode_clean(enc, &bytes), expect);
            }
        }
    }
}
