//! Dates as Chinese documents write them: `2024年12月27日`, `二〇二六年一月二十七日`,
//! `2026-02-01`; and days since the epoch for Arrow's Date32.

use regex::Regex;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ymd {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// Days from 1970-01-01 (proleptic Gregorian; Howard Hinnant's days_from_civil).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe as i32 - 719468
}

/// Days from 1970-01-01 → `YYYY-MM-DD` (the inverse of `days_from_civil`).
pub fn civil_from_days(z: i32) -> String {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = (z - era * 146097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe as i32 + era * 400 + (m <= 2) as i32;
    format!("{y:04}-{m:02}-{d:02}")
}

/// The years a date or a figure's period may name: the People's Republic's, to the
/// plans still ahead.
pub const YEARS: std::ops::RangeInclusive<i32> = 1949..=2100;

fn valid(y: i32, m: u32, d: u32) -> Option<Ymd> {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    (YEARS.contains(&y) && (1..=12).contains(&m) && d >= 1 && d <= days[m as usize - 1]).then_some(
        Ymd {
            year: y,
            month: m,
            day: d,
        },
    )
}

/// 〇一二…九 digit by digit (years) or 十/二十七 (months, days).
fn cn_num(s: &str) -> Option<i32> {
    const D: &str = "〇一二三四五六七八九";
    let digit = |c: char| {
        if c == '零' || c == 'O' || c == '○' {
            Some(0)
        } else {
            D.chars().position(|x| x == c).map(|p| p as i32)
        }
    };
    if s.contains('十') {
        let (a, b) = s.split_once('十')?;
        let tens = if a.is_empty() {
            1
        } else {
            digit(a.chars().next()?)?
        };
        let ones = if b.is_empty() {
            0
        } else {
            digit(b.chars().next()?)?
        };
        return Some(tens * 10 + ones);
    }
    s.chars().try_fold(0, |acc, c| Some(acc * 10 + digit(c)?))
}

fn date_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        crate::zh::regex(r"(\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日|(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
            .expect("date regex")
    })
}

/// Whether `s` has a separator of `2026-02-01` with four digits before it and one after
/// (`char::is_numeric` takes in every digit `\d` does).
fn numeric_date_sign(s: &str) -> bool {
    memchr::memchr3_iter(b'-', b'/', b'.', s.as_bytes()).any(|i| {
        s[..i]
            .chars()
            .rev()
            .take(4)
            .filter(|c| c.is_numeric())
            .count()
            == 4
            && s[i + 1..].chars().next().is_some_and(char::is_numeric)
    })
}

/// Every full date in `s`, with its byte range.
pub fn find_dates(s: &str) -> Vec<(std::ops::Range<usize>, Ymd)> {
    // asked of many lines that hold no date (and 年 and decimals are everywhere): what
    // either form cannot do without — 年, 月 and 日; four digits, a separator, a digit —
    // and a match test (no captures) answer those cheaply
    let maybe = (s.contains('月') && s.contains('日') && s.contains('年')) || numeric_date_sign(s);
    if !maybe {
        return Vec::new();
    }
    dates_of(s)
}

/// `find_dates` without the test of what a date cannot do without.
fn dates_of(s: &str) -> Vec<(std::ops::Range<usize>, Ymd)> {
    if !date_re().is_match(s) {
        return Vec::new();
    }
    date_re()
        .captures_iter(s)
        .filter_map(|c| {
            let m = c.get(0)?;
            let (y, mo, d) = if let Some(y) = c.get(1) {
                let n = |s: &str| s.parse::<i32>().ok().or_else(|| cn_num(s));
                (n(y.as_str())?, n(&c[2])?, n(&c[3])?)
            } else {
                (c[4].parse().ok()?, c[5].parse().ok()?, c[6].parse().ok()?)
            };
            Some((m.range(), valid(y, mo as u32, d as u32)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_numeral_systems() {
        let v = find_dates("二〇二六年一月二十七日在青禾县，2024年12月27日，时间：2026-02-01");
        let ymd: Vec<Ymd> = v.iter().map(|(_, d)| *d).collect();
        assert_eq!(
            ymd,
            vec![
                Ymd {
                    year: 2026,
                    month: 1,
                    day: 27
                },
                Ymd {
                    year: 2024,
                    month: 12,
                    day: 27
                },
                Ymd {
                    year: 2026,
                    month: 2,
                    day: 1
                }
            ]
        );
        assert!(find_dates("2024年2月30日").is_empty());
    }

    proptest::proptest! {
        /// The test before the regex turns away only texts the regex finds no date in.
        #[test]
        fn the_pretest_loses_no_date(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "2024", "12", "7", "２０２４", "１２", "二〇二六", "十二", "二十七", "年", "月",
                    "日", "-", "/", ".", " ", "在", "5.5%", "2026-02-01", "2025/1/8",
                ]),
                0..12,
            ),
        ) {
            let s = pieces.concat();
            proptest::prop_assert_eq!(find_dates(&s), dates_of(&s));
        }
    }

    #[test]
    fn spaced_and_dotted_dates() {
        let ymd = |s: &str| {
            find_dates(s)
                .iter()
                .map(|(_, d)| (d.year, d.month, d.day))
                .collect::<Vec<_>>()
        };
        assert_eq!(ymd("2024 年 3 月 5 日开幕"), vec![(2024, 3, 5)]);
        assert_eq!(ymd("增长5.5%，2024.3.5"), vec![(2024, 3, 5)]);
        // more digits before the separator than the year has: the last four are the year
        assert_eq!(ymd("12026-02-01"), vec![(2026, 2, 1)]);
        assert!(ymd("增长5.5%，2024年末").is_empty());
    }

    #[test]
    fn epoch_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 12, 27), 20084);
        assert_eq!(days_from_civil(2000, 3, 1), 11017);
        assert_eq!(civil_from_days(20084), "2024-12-27");
        assert_eq!(civil_from_days(0), "1970-01-01");
    }
}
