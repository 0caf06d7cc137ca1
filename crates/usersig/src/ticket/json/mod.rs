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
//!
//! [`members`] (and everything over it) reads with serde_json. A batch reader takes the
//! flat reader ([`flat_members`]) first, the fast twin for the flat objects tickets are,
//! which reads what it accepts to what serde_json reads (a proptest).
//!
//! Files: [`value`] (what is read, and why not), [`strict`] (the serde visitor),
//! [`flat`] (the flat reader), [`write`] (the writers: numbers and escaped strings).

mod flat;
mod strict;
mod value;
mod write;

use std::cell::RefCell;

use serde::de::DeserializeSeed;
use serde_json::{Map, Value};

pub(crate) use flat::flat_object as flat_members;
pub use flat::plain_len;
use strict::Strict;
pub use value::{Json, JsonError, Object};
pub use write::{Escape, is_display_hazard, push_int, push_string, push_uint, string};

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
    read_with_serde(bytes)
}

/// [`members`] of text already known to be UTF-8.
pub fn members_of_text(text: &str) -> Result<Object<'_>, JsonError> {
    read_with_serde(text.as_bytes())
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

#[cfg(test)]
mod tests;
