//! The flat reader: the fast twin of the strict reader for the flat objects tickets are,
//! taken by a batch reader only.

use std::borrow::Cow;

use super::strict::LINEAR_MEMBERS;
use super::value::{Json, Object};

/// The common case of [`members`] read directly: one flat object (no nested object or
/// array) whose names are printable ASCII without escapes, whose strings hold no escape
/// or control character, and whose numbers are non-negative integers that fit a `u64`,
/// with no name twice and at most [`LINEAR_MEMBERS`] members. `None` for anything else,
/// valid or not: serde_json then reads it, and names what is wrong. What this accepts,
/// serde_json reads to the same object (a proptest holds the two together).
pub(crate) fn flat_object(text: &str) -> Option<Object<'_>> {
    let bytes = text.as_bytes();
    let mut at = skip_ws(bytes, 0);
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    at = skip_ws(bytes, at + 1);
    let mut members: Vec<(Cow<'_, str>, Json<'_>)> = Vec::with_capacity(8);
    if bytes.get(at) == Some(&b'}') {
        at += 1;
    } else {
        loop {
            let (name, next) = flat_string(text, at)?;
            if !name.bytes().all(|b| (b' '..=b'~').contains(&b))
                || members.len() >= LINEAR_MEMBERS
                || members.iter().any(|(n, _)| n == name)
            {
                return None;
            }
            at = skip_ws(bytes, next);
            if bytes.get(at) != Some(&b':') {
                return None;
            }
            at = skip_ws(bytes, at + 1);
            let (value, next) = flat_value(text, at)?;
            members.push((Cow::Borrowed(name), value));
            at = skip_ws(bytes, next);
            match bytes.get(at)? {
                b',' => at = skip_ws(bytes, at + 1),
                b'}' => {
                    at += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_ws(bytes, at) == bytes.len()).then_some(Object { members })
}

/// The offset of the first byte at or after `at` that is not JSON white space.
fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(at) {
        at += 1;
    }
    at
}

/// A string at `at` without escapes or control characters, and the offset after it.
fn flat_string(text: &str, at: usize) -> Option<(&str, usize)> {
    let bytes = text.as_bytes();
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let start = at + 1;
    let len = string_stop(bytes.get(start..)?)?;
    let end = start + len;
    if bytes[end] != b'"' {
        return None;
    }
    // The quotes are ASCII, so both ends are character boundaries.
    Some((text.get(start..end)?, end + 1))
}

/// How many bytes at the start of `bytes` a JSON string holds as they stand: the run up
/// to the first quote, backslash or control character (below U+0020), or all of them.
/// Eight bytes a step.
///
/// ```
/// assert_eq!(usersig::json::plain_len(br#"user\"x"#), 4);
/// assert_eq!(usersig::json::plain_len(b"eA*-\"}"), 4);
/// assert_eq!(usersig::json::plain_len(b"abc"), 3);
/// ```
pub fn plain_len(bytes: &[u8]) -> usize {
    string_stop(bytes).unwrap_or(bytes.len())
}

/// The offset of the first quote, backslash or control character (below U+0020) in
/// `bytes`: what ends the plain run of a JSON string. Eight bytes at a time.
pub(super) fn string_stop(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let stops = |b: u8| b == b'"' || b == b'\\' || b < 0x20;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        // A byte's high bit is set where it is zero after the XOR (or below 0x20): a
        // borrow can only mark bytes after the first true one, so the lowest mark is it.
        let quote = v ^ (ONES * u64::from(b'"'));
        let backslash = v ^ (ONES * u64::from(b'\\'));
        let marks = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (v.wrapping_sub(ONES * 0x20) & !v))
            & HIGH;
        if marks != 0 {
            return Some(at + (marks.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes[at..].iter().position(|&b| stops(b)).map(|i| at + i)
}

/// A value at `at` as [`flat_object`] reads it, and the offset after it.
fn flat_value(text: &str, at: usize) -> Option<(Json<'_>, usize)> {
    let bytes = text.as_bytes();
    let word = |w: &[u8], v: Json<'static>| {
        bytes
            .get(at..at + w.len())
            .is_some_and(|b| b == w)
            .then_some((v, at + w.len()))
    };
    match *bytes.get(at)? {
        b'"' => flat_string(text, at).map(|(s, next)| (Json::String(Cow::Borrowed(s)), next)),
        b't' => word(b"true", Json::Bool(true)),
        b'f' => word(b"false", Json::Bool(false)),
        b'n' => word(b"null", Json::Null),
        b'0' => match bytes.get(at + 1) {
            Some(b'0'..=b'9' | b'.' | b'e' | b'E') => None,
            _ => Some((Json::Number(0u64.into()), at + 1)),
        },
        b'1'..=b'9' => {
            let mut n = 0u64;
            let mut end = at;
            while let Some(&d @ b'0'..=b'9') = bytes.get(end) {
                n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
                end += 1;
            }
            match bytes.get(end) {
                Some(b'.' | b'e' | b'E') => None,
                _ => Some((Json::Number(n.into()), end)),
            }
        }
        _ => None,
    }
}
