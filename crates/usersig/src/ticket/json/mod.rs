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
//! Files: [`strict`] (the serde visitor), [`flat`] (the flat reader), [`write`] (the
//! writers: numbers and escaped strings).

mod flat;
mod strict;
#[cfg(test)]
mod tests;
mod write;

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::de::DeserializeSeed;
use serde_json::{Map, Number, Value};

pub(crate) use flat::flat_object as flat_members;
pub use flat::plain_len;
use strict::Strict;
pub use write::{Escape, is_display_hazard, push_int, push_string, push_uint, string};

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
