//! Writing JSON: whole numbers, and strings escaped for a ticket or for display.

/// Append a whole number in decimal, as serde_json writes it (and as `Display` does).
///
/// ```
/// let mut out = Vec::new();
/// usersig::json::push_int(&mut out, -1400001052);
/// assert_eq!(out, b"-1400001052");
/// ```
#[inline]
pub fn push_int(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    push_uint(out, n.unsigned_abs());
}

/// Append a non-negative whole number in decimal (two digits a step), as `Display`
/// writes it.
#[inline]
pub fn push_uint(out: &mut Vec<u8>, mut n: u64) {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let count = n.checked_ilog10().map_or(1, |l| l as usize + 1);
    // The digits at the front of a fixed-size buffer, appended whole and the excess cut
    // off: a copy of a known size needs no call to memcpy.
    let mut digits = [0u8; 20];
    let mut at = count;
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        digits[..2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        digits[0] = b'0' + n as u8;
    }
    let len = out.len();
    out.extend_from_slice(&digits);
    out.truncate(len + count);
}

/// Which characters [`push_string`] writes as escapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// What JSON requires and no more: `"`, `\` and the C0 control characters (`\b`, `\f`,
    /// `\n`, `\r`, `\t`, else `\u00XX`), as serde_json and the C++ original write them.
    /// For the JSON inside a ticket, which must stay byte for byte the original's.
    Json,
    /// Also every other control character (DEL, C1), the line and paragraph separators
    /// and the bidirectional formatting characters, as `\uXXXX` (only `\n`, `\r`, `\t`
    /// keep their short forms), so that no terminal acts on text shown to a person.
    Display,
}

/// Append `s` as a quoted JSON string literal, escaped as `escape` says (the rest of
/// UTF-8 as it is). The one JSON string escaper of the crate.
///
/// ```
/// use usersig::json::{Escape, push_string};
/// let mut out = Vec::new();
/// push_string(&mut out, "a\"b\\c\n\u{1b}\u{9b}\u{202e}é", Escape::Display);
/// assert_eq!(out, r#""a\"b\\c\n\u001b\u009b\u202eé""#.as_bytes());
/// ```
pub fn push_string(out: &mut Vec<u8>, s: &str, escape: Escape) {
    out.push(b'"');
    let bytes = s.as_bytes();
    // Printable ASCII but the quote and backslash is written as it is in either mode
    // (a ticket, most identifiers): one pass over the bytes instead of one per character.
    if bytes
        .iter()
        .fold(true, |plain, &b| plain & PLAIN[usize::from(b)])
    {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let short: &[u8] = match (c, escape) {
            ('"', _) => b"\\\"",
            ('\\', _) => b"\\\\",
            ('\n', _) => b"\\n",
            ('\r', _) => b"\\r",
            ('\t', _) => b"\\t",
            ('\u{8}', Escape::Json) => b"\\b",
            ('\u{c}', Escape::Json) => b"\\f",
            (c, Escape::Json) if c < ' ' => b"",
            (c, Escape::Display) if c.is_control() || is_display_hazard(c) => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if short.is_empty() {
            out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes());
        } else {
            out.extend_from_slice(short);
        }
        start = i + c.len_utf8();
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// The bytes [`push_string`] writes as they are in either mode: printable ASCII but the
/// quote and the backslash.
const PLAIN: [bool; 256] = {
    let mut plain = [false; 256];
    let mut b = b' ';
    while b <= b'~' {
        plain[b as usize] = b != b'"' && b != b'\\';
        b += 1;
    }
    plain
};

/// `s` as a quoted JSON string literal: [`push_string`] into a new string.
///
/// ```
/// use usersig::json::{self, Escape};
/// assert_eq!(json::string(r#"a"b\c"#, Escape::Json), r#""a\"b\\c""#);
/// ```
pub fn string(s: &str, escape: Escape) -> String {
    let mut out = Vec::with_capacity(s.len() + 2);
    push_string(&mut out, s, escape);
    // Escaping keeps UTF-8 valid: only whole characters are replaced, by ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// The characters beyond the control characters that [`Escape::Display`] escapes (and
/// that the command line escapes wherever it shows user text): they end a line in
/// JavaScript or reorder the text a terminal shows.
///
/// ```
/// use usersig::json::is_display_hazard;
/// assert!(is_display_hazard('\u{202e}') && is_display_hazard('\u{2028}'));
/// assert!(!is_display_hazard('a') && !is_display_hazard('\n'));
/// ```
pub fn is_display_hazard(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}
