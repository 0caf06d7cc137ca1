//! The strict reader: serde_json's parser, with a visitor that refuses a repeated member
//! name or a control character in one.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;

use super::value::{Json, JsonError, Object};

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
pub(super) struct Strict<'a> {
    pub(super) found: &'a RefCell<Option<JsonError>>,
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
pub(super) const LINEAR_MEMBERS: usize = 16;

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
