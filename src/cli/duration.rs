//! Durations as people write them: `86400`, `90d`, `12h`, `1d12h`, `3mo`, `50y`.
//!
//! Units are lower case and case-sensitive, so that `M` can never be taken for minutes
//! when months were meant: `s`, `m` (minutes), `h`, `d`, `w`, `mo` (a month is exactly
//! 30 days), `y` (a year is exactly 365 days, so `50y` is 1 576 800 000 seconds, Tencent's
//! documented maximum ticket lifetime). `M` is refused as ambiguous; any other unit with
//! an upper-case letter is refused with its lower-case spelling.

use std::fmt;
use std::ops::RangeInclusive;

use usersig::issue::{self, ArgError};

/// Units from largest to smallest: seconds per unit, symbol, and long spellings.
const UNITS: [(u64, &str, &[&str]); 7] = [
    (365 * 86400, "y", &["year", "years"]),
    (30 * 86400, "mo", &["month", "months"]),
    (7 * 86400, "w", &["week", "weeks"]),
    (86400, "d", &["day", "days"]),
    (3600, "h", &["hour", "hours"]),
    (60, "m", &["min", "mins", "minute", "minutes"]),
    (1, "s", &["sec", "secs", "second", "seconds"]),
];

/// A string that is not a duration [`parse`] accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError {
    /// The input, truncated to 40 characters.
    input: String,
    /// What is wrong with it.
    why: Why,
}

/// Why a duration was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Why {
    /// Not the shape of a duration, an unknown unit, or too large.
    Malformed,
    /// `M`: minutes or months?
    Ambiguous,
    /// A known unit written with upper-case letters: its lower-case spelling.
    Case(String),
}

impl DurationError {
    fn new(text: &str, why: Why) -> Self {
        let mut input: String = text.chars().take(40).collect();
        if input.len() < text.len() {
            input.push('…');
        }
        DurationError { input, why }
    }

    /// What is wrong with a unit's spelling (ambiguous, or upper case), if that is the
    /// reason the duration was refused.
    pub fn unit_problem(&self) -> Option<String> {
        match &self.why {
            Why::Malformed => None,
            Why::Ambiguous => Some("M is ambiguous: use m for minutes or mo for months".into()),
            Why::Case(lower) => Some(format!("units are lower case: use {lower}")),
        }
    }
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.unit_problem() {
            Some(problem) => write!(f, "{:?} is not a duration: {problem}", self.input),
            None => write!(
                f,
                "{:?} is not a duration: use seconds (86400) or a number with a unit: \
                 90d, 12h, 30m, 45s, 2w, 3mo, 1y, or combined like 1d12h",
                self.input
            ),
        }
    }
}

impl std::error::Error for DurationError {}

/// Parse a duration in seconds: a plain decimal count of seconds (`"86400"`), or one or
/// more number+unit parts with no spaces between them (`"90d"`, `"12h"`, `"30m"`, `"45s"`,
/// `"2w"`, `"3mo"`, `"1y"`, `"1d12h"`, `"1h30m"`).
///
/// Units, lower case only: s, m (minutes), h, d (86400 s), w, mo (30 days), y (365 days
/// exactly, so `50y` == 1 576 800 000). Long forms are accepted too, lower case:
/// sec/secs/second/seconds, min/mins/minute/minutes, hour/hours, day/days, week/weeks,
/// month/months, year/years. `M` is refused as ambiguous (minutes or months?); a unit
/// with an upper-case letter (`1D`, `3Days`) is refused with its lower-case spelling.
/// Each unit may appear at most once and in decreasing order; overflow, empty input,
/// signs, spaces, decimals, a unit without a number, or an unknown unit are errors.
pub fn parse(text: &str) -> Result<u64, DurationError> {
    parse_inner(text.as_bytes()).map_err(|why| DurationError::new(text, why))
}

/// The index into [`UNITS`] of a unit spelled exactly so.
fn unit_index(unit: &[u8]) -> Option<usize> {
    UNITS.iter().position(|(_, symbol, long)| {
        let mut names = std::iter::once(symbol).chain(long.iter());
        names.any(|name| name.as_bytes() == unit)
    })
}

/// Why a unit that is not one of [`UNITS`] is refused.
fn bad_unit(unit: &[u8]) -> Why {
    if unit == b"M" {
        return Why::Ambiguous;
    }
    let lower = unit.to_ascii_lowercase();
    match unit_index(&lower) {
        Some(_) if lower != unit => Why::Case(String::from_utf8_lossy(&lower).into_owned()),
        _ => Why::Malformed,
    }
}

fn parse_inner(mut rest: &[u8]) -> Result<u64, Why> {
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let number = |s: &[u8]| {
        s.iter().try_fold(0u64, |n, b| {
            let digit = char::from(*b).to_digit(10)?;
            n.checked_mul(10)?.checked_add(u64::from(digit))
        })
    };
    let bad = Why::Malformed;
    if rest.is_empty() {
        return Err(bad);
    }
    if digits(rest) == rest.len() {
        return number(rest).ok_or(bad);
    }
    let mut total = 0u64;
    let mut allowed = 0; // index into UNITS of the largest unit still allowed
    while !rest.is_empty() {
        let (num, tail) = rest.split_at_checked(digits(rest)).ok_or(Why::Malformed)?;
        let letters = tail.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        let (unit, tail) = tail.split_at_checked(letters).ok_or(Why::Malformed)?;
        let index = unit_index(unit).ok_or_else(|| bad_unit(unit))?;
        let (size, _, _) = UNITS.get(index).ok_or(Why::Malformed)?;
        if num.is_empty() || index < allowed {
            return Err(Why::Malformed);
        }
        total = number(num)
            .and_then(|n| n.checked_mul(*size))
            .and_then(|n| total.checked_add(n))
            .ok_or(Why::Malformed)?;
        allowed = index + 1;
        rest = tail;
    }
    Ok(total)
}

/// The longest duration an option or a manifest field takes: 50 years, the longest a
/// ticket can be valid.
pub const LONGEST: u64 = issue::MAX_EXPIRE as u64;

/// The longest a run waits for a lock or lets a hook run: a day.
pub const DAY: u64 = 86_400;

/// Parse a duration that must lie in `range` (seconds); the error says the range.
pub fn parse_in(text: &str, range: RangeInclusive<u64>) -> Result<u64, String> {
    let seconds = parse(text).map_err(|e| e.to_string())?;
    match range.contains(&seconds) {
        true => Ok(seconds),
        false => {
            let mut shown: String = text.chars().take(40).collect();
            if shown.len() < text.len() {
                shown.push('…');
            }
            Err(format!(
                "{shown:?} is out of range: give from {} to {}",
                format(*range.start()),
                format(*range.end())
            ))
        }
    }
}

/// Format seconds compactly with the largest units first: `90061` → `"1d1h1m1s"`,
/// `0` → `"0s"`, `1576800000` → `"50y"`. [`parse`] reads the result back.
pub fn format(seconds: u64) -> String {
    if seconds == 0 {
        return "0s".to_string();
    }
    let mut left = seconds;
    let mut out = String::new();
    for (size, symbol, _) in UNITS {
        if left >= size {
            out.push_str(&(left / size).to_string());
            out.push_str(symbol);
            left %= size;
        }
    }
    out
}

/// Parse a ticket's validity: seconds or a duration such as `90d`, from 1 second to
/// [`issue::MAX_EXPIRE`] (50 years).
///
/// The error is the library's [`ArgError::Expire`] message, or, for a unit spelled
/// wrong (`6M`, `1D`), `expire "6M" is not a duration: M is ambiguous: ...`.
pub fn parse_expire(text: &str) -> Result<u32, String> {
    let bad = || ArgError::bad_expire(text).to_string();
    let seconds = parse(text).map_err(|e| match e.unit_problem() {
        Some(_) => format!("expire {e}"),
        None => bad(),
    })?;
    issue::check_expire(u32::try_from(seconds).map_err(|_| bad())?).map_err(|_| bad())
}

#[cfg(test)]
mod tests;
