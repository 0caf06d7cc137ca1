//! A JSON value as the strict reader reads it, and why bytes are not one strict object.

use std::borrow::Cow;
use std::fmt;

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
    pub(super) members: Vec<(Cow<'a, str>, Json<'a>)>,
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
