//! A strict JSON reader for tickets and other untrusted JSON: one object, and no member
//! name twice in any object at any depth.
//!
//! Parsers disagree on a repeated name: the C++ verifier's parser keeps the first member,
//! serde_json (and most others) the last. A ticket joined from two genuine tickets would
//! then name one user to one verifier and another user to the next, so a repeated name is
//! an error here. Names are compared after unescaping, so `"TLS.identif\u0069er"` repeats
//! `"TLS.identifier"`.
//!
//! The other places where readers could differ are closed too: a lone UTF-16 surrogate
//! escape (`"\ud800"`) is refused (serde_json does), and a member name holding a control
//! character (`"TLS.identifier\u0000"`) is refused, since a reader that stops at a NUL
//! would take it for another name. Control characters in values are the caller's to
//! judge (a ticket refuses them in the fields that are signed or compared).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Why bytes are not one strict JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonError {
    /// Not JSON at all: serde_json's description, which names a line and column, never
    /// the content.
    Syntax(String),
    /// Valid JSON, but not an object.
    NotAnObject,
    /// An object has this member name twice (the name as unescaped, shortened).
    DuplicateMember(String),
    /// A member name holds a control character (the name, shortened).
    ControlInName(String),
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::Syntax(why) => write!(f, "the text is not JSON ({why})"),
            JsonError::NotAnObject => write!(f, "the JSON is not an object"),
            JsonError::DuplicateMember(name) => write!(
                f,
                "the JSON has the member {name:?} twice (JSON readers disagree on which one counts)"
            ),
            JsonError::ControlInName(name) => write!(
                f,
                "the JSON has a member name holding a control character, {name:?}"
            ),
        }
    }
}

impl std::error::Error for JsonError {}

/// A JSON value as the strict reader reads it: strings borrow from the input unless they
/// hold an escape, and objects keep their members in order in a vector.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json reads it (a float out of range is refused by the reader).
    Number(Number),
    /// A string, unescaped.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object.
    Object(Object<'a>),
}

impl<'a> Json<'a> {
    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The same value as a [`serde_json::Value`].
    pub fn into_value(self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(b),
            Json::Number(n) => Value::Number(n),
            Json::String(s) => Value::String(s.into_owned()),
            Json::Array(items) => Value::Array(items.into_iter().map(Json::into_value).collect()),
            Json::Object(obj) => Value::Object(obj.into_map()),
        }
    }
}

/// A JSON object read by the strict reader: its members in the order written, no name
/// twice (after unescaping), no name with a control character.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object<'a> {
    members: Vec<(Cow<'a, str>, Json<'a>)>,
}

impl<'a> Object<'a> {
    /// The value of the member `name`, if there is one.
    pub fn get(&self, name: &str) -> Option<&Json<'a>> {
        self.members.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Whether the object has a member `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The members, in the order written.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Json<'a>)> {
        self.members.iter().map(|(n, v)| (n.as_ref(), v))
    }

    /// How many members it has.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether it has no member.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The same object as a [`serde_json::Map`].
    pub fn into_map(self) -> Map<String, Value> {
        self.members
            .into_iter()
            .map(|(n, v)| (n.into_owned(), v.into_value()))
            .collect()
    }
}

/// Parse bytes as one JSON object, refusing a repeated member name (at any depth) and a
/// member name with a control character. Nesting is bounded (128 levels, serde_json's
/// limit), so no input exhausts the stack.
///
/// ```
/// use usersig::json::{self, JsonError};
/// let obj = json::object(br#"{"a":1,"b":{"c":[true,null]}}"#).unwrap();
/// assert_eq!(obj["b"]["c"][0], true);
/// assert_eq!(
///     json::object(br#"{"a":1,"\u0061":2}"#),
///     Err(JsonError::DuplicateMember("a".into()))
/// );
/// assert_eq!(json::object(b"[1]"), Err(JsonError::NotAnObject));
/// ```
pub fn object(bytes: &[u8]) -> Result<Map<String, Value>, JsonError> {
    members(bytes).map(Object::into_map)
}

/// [`object`], read into an [`Object`] that borrows its strings from `bytes` where it
/// can: the same checks and errors, without a map or a string per member.
///
/// ```
/// use usersig::json::{self, JsonError};
/// let obj = json::members(br#"{"id":"xiaojun","n":7}"#).unwrap();
/// assert_eq!(obj.get("id").and_then(|v| v.as_str()), Some("xiaojun"));
/// assert_eq!(json::members(br#"{"a":1,"a":1}"#), Err(JsonError::DuplicateMember("a".into())));
/// ```
pub fn members(bytes: &[u8]) -> Result<Object<'_>, JsonError> {
    match std::str::from_utf8(bytes).ok().and_then(flat_object) {
        Some(obj) => Ok(obj),
        None => read_with_serde(bytes),
    }
}

/// [`members`] of text already known to be UTF-8.
pub fn members_of_text(text: &str) -> Result<Object<'_>, JsonError> {
    match flat_object(text) {
        Some(obj) => Ok(obj),
        None => read_with_serde(text.as_bytes()),
    }
}

/// [`members`] by serde_json, for every input.
fn read_with_serde(bytes: &[u8]) -> Result<Object<'_>, JsonError> {
    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = Strict { found: &found }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    if let Some(e) = found.into_inner() {
        return Err(e);
    }
    match parsed {
        Ok(Json::Object(obj)) => Ok(obj),
        Ok(_) => Err(JsonError::NotAnObject),
        Err(e) => Err(JsonError::Syntax(e.to_string())),
    }
}

/// The common case of [`members`] read directly: one flat object (no nested object or
/// array) whose names are printable ASCII without escapes, whose strings hold no escape
/// or control character, and whose numbers are non-negative integers that fit a `u64`,
/// with no name twice and at most [`LINEAR_MEMBERS`] members. `None` for anything else,
/// valid or not: serde_json then reads it, and names what is wrong. What this accepts,
/// serde_json reads to the same object (a proptest holds the two together).
fn flat_object(text: &str) -> Option<Object<'_>> {
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
fn string_stop(bytes: &[u8]) -> Option<usize> {
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

/// A member name as shown in a message: at most 40 characters.
fn shown(name: &str) -> String {
    let mut s: String = name.chars().take(40).collect();
    if s.len() < name.len() {
        s.push('…');
    }
    s
}

/// Builds a [`Json`], recording the first strictness error in `found` (serde's own
/// error type cannot carry it back).
#[derive(Clone, Copy)]
struct Strict<'a> {
    found: &'a RefCell<Option<JsonError>>,
}

impl Strict<'_> {
    fn fail<E: de::Error>(&self, e: JsonError) -> E {
        let text = e.to_string();
        self.found.borrow_mut().get_or_insert(e);
        E::custom(text)
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Json<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

/// A member name: borrowed from the input when it holds no escape.
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// Up to this many members, a repeated name is looked for by comparing with each
/// earlier one; past it, in a hash set (so a huge object costs no quadratic time).
const LINEAR_MEMBERS: usize = 16;

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json<'de>, E> {
        // JSON text has no NaN or infinity; serde_json refuses out-of-range numbers.
        Ok(Number::from_f64(v).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v)))
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut members: Vec<(Cow<'de, str>, Json<'de>)> = Vec::with_capacity(8);
        let mut seen: Option<HashSet<String>> = None;
        while let Some(name) = map.next_key_seed(Name)? {
            if name.chars().any(char::is_control) {
                return Err(self.fail(JsonError::ControlInName(shown(&name))));
            }
            let repeated = match &mut seen {
                Some(seen) => !seen.insert(name.clone().into_owned()),
                None if members.len() < LINEAR_MEMBERS => members.iter().any(|(n, _)| *n == name),
                None => {
                    let mut set: HashSet<String> = members
                        .iter()
                        .map(|(n, _)| n.clone().into_owned())
                        .collect();
                    let repeated = !set.insert(name.clone().into_owned());
                    seen = Some(set);
                    repeated
                }
            };
            if repeated {
                return Err(self.fail(JsonError::DuplicateMember(shown(&name))));
            }
            let value = map.next_value_seed(self)?;
            members.push((name, value));
        }
        Ok(Json::Object(Object { members }))
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn json_escape_is_what_serde_json_writes() {
        // Every character up to U+00A0, and the ones Display adds: Escape::Json writes
        // exactly serde_json's literal (and the C++ original's for printable text).
        let mut all: String = (0u32..=0xa0).filter_map(char::from_u32).collect();
        all.push_str("\u{2028}\u{202e}é小军");
        for c in all.chars() {
            let s = format!("a{c}b");
            assert_eq!(
                string(&s, Escape::Json),
                serde_json::to_string(&s).unwrap(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn display_escape_leaves_no_control_or_reordering_character() {
        let cases: &[(&str, &str)] = &[
            ("plain", r#""plain""#),
            ("a\"b\\c", r#""a\"b\\c""#),
            ("\n\r\t", r#""\n\r\t""#),
            ("\u{8}\u{c}\u{0}", r#""\u0008\u000c\u0000""#),
            ("\u{7f}\u{85}\u{9b}", r#""\u007f\u0085\u009b""#),
            (
                "\u{2028}\u{2029}\u{202a}\u{202e}",
                r#""\u2028\u2029\u202a\u202e""#,
            ),
            (
                "\u{61c}\u{200e}\u{200f}\u{2066}\u{2069}",
                r#""\u061c\u200e\u200f\u2066\u2069""#,
            ),
            ("é小军", r#""é小军""#),
        ];
        for (raw, want) in cases {
            assert_eq!(string(raw, Escape::Display), *want, "{raw:?}");
            let back: String = serde_json::from_str(want).unwrap();
            assert_eq!(back, *raw);
        }
    }

    #[test]
    fn repeated_names_are_refused_at_every_depth_and_after_unescaping() {
        let dup = |name: &str| JsonError::DuplicateMember(name.into());
        let cases: &[(&str, JsonError)] = &[
            (r#"{"a":1,"a":1}"#, dup("a")),
            (r#"{"a":1,"b":2,"a":"x"}"#, dup("a")),
            (r#"{"x":{"a":1,"a":2}}"#, dup("a")),
            (r#"{"x":[{"y":[{"a":1,"a":2}]}]}"#, dup("a")),
            (
                r#"{"TLS.identif\u0069er":"a","TLS.identifier":"b"}"#,
                dup("TLS.identifier"),
            ),
            (
                r#"{"TLS.identifier":"a","TLS.identif\u0069er":"b"}"#,
                dup("TLS.identifier"),
            ),
            (r#"{"\u0054LS.ver":"2.0","TLS.ver":"2.0"}"#, dup("TLS.ver")),
            (r#"{"a\/b":1,"a/b":2}"#, dup("a/b")),
            (r#"{"\ud83d\ude00":1,"😀":2}"#, dup("😀")),
        ];
        for (text, want) in cases {
            assert_eq!(object(text.as_bytes()).as_ref(), Err(want), "{text}");
        }
        // Same-named members in different objects are not repeats.
        let ok = object(br#"{"a":{"a":1},"b":[{"a":2},{"a":3}]}"#).unwrap();
        assert_eq!(ok["b"][1]["a"], 3);
    }

    #[test]
    fn other_differentials_are_refused() {
        for text in [
            r#"{"a":"\ud800"}"#,
            r#"{"a":"\udc00x"}"#,
            r#"{"\ud800":1}"#,
            r#"{"a":1}x"#,
            r#"{"a":1}{"a":2}"#,
            "{\"a\":\"\n\"}",
            r#"{"a":01}"#,
            "",
        ] {
            assert!(
                matches!(object(text.as_bytes()), Err(JsonError::Syntax(_))),
                "{text}"
            );
        }
        assert_eq!(
            object(br#"{"TLS.identifier\u0000":"admin"}"#),
            Err(JsonError::ControlInName("TLS.identifier\0".into()))
        );
        assert_eq!(object(b"\"a\""), Err(JsonError::NotAnObject));
        // A NUL inside a value is read as it stands; the ticket decides about it.
        assert_eq!(object(br#"{"a":"x\u0000y"}"#).unwrap()["a"], "x\0y");
    }

    #[test]
    fn repeats_are_found_in_objects_of_every_size() {
        // Past LINEAR_MEMBERS the reader looks names up in a set: the same answers.
        for size in [
            1,
            2,
            LINEAR_MEMBERS - 1,
            LINEAR_MEMBERS,
            LINEAR_MEMBERS + 1,
            500,
        ] {
            let names: Vec<String> = (0..size).map(|i| format!("m{i}")).collect();
            let body: Vec<String> = names.iter().map(|n| format!("\"{n}\":1")).collect();
            let unique = format!("{{{}}}", body.join(","));
            let obj = members(unique.as_bytes()).unwrap();
            assert_eq!(obj.len(), size);
            assert_eq!(obj.get(&names[size - 1]), Some(&Json::Number(1.into())));
            for repeat in [0, size / 2, size - 1] {
                // The repeat written with an escape, so that it is compared unescaped.
                let escaped = names[repeat].replacen('m', "\\u006d", 1);
                let text = format!("{{{},\"{escaped}\":2}}", body.join(","));
                let want = Err(JsonError::DuplicateMember(names[repeat].clone()));
                assert_eq!(members(text.as_bytes()), want, "{size} {repeat}");
                assert_eq!(object(text.as_bytes()), want.map(|_| Map::new()));
            }
        }
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let text = br#"{"plain":"xiaojun","esc\u0061ped":"a\nb","n":[1,-2,0.5]}"#;
        let obj = members(text).unwrap();
        let names: Vec<&str> = obj.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["plain", "escaped", "n"]);
        assert!(matches!(
            obj.get("plain"),
            Some(Json::String(Cow::Borrowed("xiaojun")))
        ));
        assert!(matches!(obj.get("escaped"), Some(Json::String(Cow::Owned(s))) if s == "a\nb"));
        assert_eq!(
            obj.clone().into_map(),
            serde_json::from_slice::<Map<String, Value>>(text).unwrap()
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(object(deep.as_bytes()), Err(JsonError::Syntax(_))));
    }

    #[test]
    fn messages_are_one_line_and_short() {
        let long = format!(r#"{{"{n}":1,"{n}":2}}"#, n = "n\\n".repeat(100));
        let msg = object(long.as_bytes()).unwrap_err().to_string();
        assert!(!msg.contains('\n') && msg.len() < 200, "{msg}");
    }

    /// JSON text shaped like an object, with pieces valid and not around what the flat
    /// reader decides on.
    fn object_like() -> impl Strategy<Value = String> {
        // Mostly the first (valid) choices, so that whole objects are common.
        let pick = |v: Vec<&'static str>| {
            let valid = v[..2].to_vec();
            prop_oneof![4 => prop::sample::select(valid), 1 => prop::sample::select(v)]
        };
        let name = pick(vec![
            "\"a\"",
            "\"b\"",
            "\"TLS.ver\"",
            "\"\"",
            "\"\\u0061\"",
            "\"\u{7f}\"",
            "\"\u{85}\"",
            "\"é\"",
            "\"x\ny\"",
            "a",
            "\"a",
            "1",
        ]);
        let colon = pick(vec![":", " : ", "\t:\n", "", "::"]);
        let value = pick(vec![
            "\"x\"",
            "\"\"",
            "\"a\\\"b\"",
            "\"x\ny\"",
            "\"x\u{1}\"",
            "\"\u{7f}\u{85}é\"",
            "\"\\ud800\"",
            "\"\\u0061\"",
            "0",
            "00",
            "01",
            "7",
            "-1",
            "-0",
            "1.5",
            "1e3",
            "0.0",
            "2E1",
            "0e",
            "18446744073709551615",
            "18446744073709551616",
            "true",
            "false",
            "null",
            "nul",
            "tru",
            "x",
            "[]",
            "{}",
            "[1]",
            "{\"a\":1}",
            "\"x",
            "",
        ]);
        let comma = pick(vec![",", " , ", ",,", "", "\r\n,"]);
        let open = pick(vec!["{", " {", "\n{ ", "\u{feff}{", "[", ""]);
        let close = pick(vec!["}", "} ", "}\n", "}x", "]", "", "},", "}}", "} {}"]);
        (
            open,
            prop::collection::vec((name, colon, value, comma), 0..5),
            close,
        )
            .prop_map(|(open, members, close)| {
                let mut text = open.to_owned();
                for (i, (name, colon, value, comma)) in members.iter().enumerate() {
                    if i > 0 {
                        text.push_str(comma);
                    }
                    text.push_str(name);
                    text.push_str(colon);
                    text.push_str(value);
                }
                text.push_str(close);
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Whatever the flat reader accepts, serde_json reads to the same object.
        #[test]
        fn the_flat_reader_agrees_with_serde_json(text in object_like()) {
            if let Some(flat) = flat_object(&text) {
                prop_assert_eq!(read_with_serde(text.as_bytes()), Ok(flat));
            }
        }
    }

    proptest! {
        /// The eight-bytes-at-a-time search finds what a byte-by-byte search finds.
        #[test]
        fn string_stop_finds_the_first_stop(
            bytes in prop::collection::vec(
                prop_oneof![Just(b'"'), Just(b'\\'), Just(0x1f), Just(0x20), Just(0x21),
                    Just(0x7f), Just(0x80), Just(0xff), any::<u8>(), b'a'..=b'z'],
                0..40,
            )
        ) {
            let want = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            prop_assert_eq!(string_stop(&bytes), want);
        }
    }

    #[test]
    fn the_flat_reader_takes_the_common_case_and_leaves_the_rest() {
        for text in [
            "{}",
            " {\n\"a\" : 1 ,\t\"b\":\"x\" }\r\n",
            r#"{"a":true,"b":false,"c":null,"d":0,"e":18446744073709551615}"#,
            "{\"a\":\"é\u{7f}\u{85}\"}",
        ] {
            let flat = flat_object(text);
            assert!(flat.is_some(), "{text:?}");
            assert_eq!(read_with_serde(text.as_bytes()).ok(), flat, "{text:?}");
        }
        for text in [
            "{\"a\":01}",
            "{\"a\":-1}",
            "{\"a\":1.5}",
            "{\"a\":1e3}",
            "{\"a\":18446744073709551616}",
            "{\"a\":1}x",
            "{\"a\":[1]}",
            "{\"a\":{}}",
            "{\"a\":\"\\n\"}",
            "{\"\\u0061\":1}",
            "{\"a\":\"x\ny\"}",
            "{\"\u{7f}\":1}",
            "{\"é\":1}",
            "{\"a\":1,\"a\":1}",
            "{\"a\":1,}",
            "\u{feff}{}",
            "{\"a\":\"\\ud800\"}",
        ] {
            assert_eq!(flat_object(text), None, "{text:?}");
        }
        let many: Vec<String> = (0..=LINEAR_MEMBERS)
            .map(|i| format!("\"m{i}\":1"))
            .collect();
        let many = format!("{{{}}}", many.join(","));
        assert_eq!(flat_object(&many), None);
        assert_eq!(members(many.as_bytes()).unwrap().len(), LINEAR_MEMBERS + 1);
    }

    proptest! {
        /// Flat objects of the kinds tickets and batch lines are, written by serde_json,
        /// are read by the flat reader, to what serde_json reads.
        #[test]
        fn the_flat_reader_reads_flat_objects(
            obj in prop::collection::btree_map(
                "[ -~]{0,8}",
                prop_oneof![
                    any::<String>().prop_map(Value::String),
                    any::<u64>().prop_map(Value::from),
                    any::<bool>().prop_map(Value::Bool),
                    Just(Value::Null),
                ],
                0..LINEAR_MEMBERS,
            ),
            pretty in any::<bool>(),
        ) {
            let text = if pretty {
                serde_json::to_vec_pretty(&obj).unwrap()
            } else {
                serde_json::to_vec(&obj).unwrap()
            };
            let plain = obj.iter().all(|(n, v)| {
                !n.contains(['"', '\\'])
                    && v.as_str().is_none_or(|s| !s.contains(|c: char| c < ' ' || c == '"' || c == '\\'))
            });
            let flat = flat_object(std::str::from_utf8(&text).unwrap());
            prop_assert_eq!(flat.is_some(), plain);
            if let Some(flat) = flat {
                prop_assert_eq!(flat.clone().into_map(), obj.into_iter().collect::<Map<_, _>>());
                prop_assert_eq!(read_with_serde(&text), Ok(flat));
            }
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("[a-z.]{0,6}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Without repeats, the strict reader reads exactly what serde_json reads.
        #[test]
        fn agrees_with_serde_json_when_names_are_unique(
            obj in prop::collection::btree_map("[a-zA-Z.]{0,8}", json_value(), 0..8)
        ) {
            let text = serde_json::to_vec(&obj).unwrap();
            let want: Map<String, Value> = obj.into_iter().collect();
            prop_assert_eq!(object(&text), Ok(want.clone()));
            prop_assert_eq!(members(&text).map(Object::into_map), Ok(want));
        }
    }
}
