//! A ticket taken apart: which form it is, what it claims, and exactly which bytes were
//! signed. Parsing checks structure only; [`crate::verify`] checks authenticity.

use std::borrow::Cow;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use crate::clock::Clock;
use crate::envelope::{self, EnvelopeError};
use crate::json::JsonError;
use crate::{v1, v2};

/// The three ticket forms (SPEC 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// ECDSA P-256 over SHA-256, enveloped.
    V1,
    /// HMAC-SHA256, enveloped, marked by `"TLS.ver":"2.0"`.
    V2,
    /// The oldest v1 form: the JSON object itself, with a wall-clock `TLS.time`.
    V1PlainJson,
}

impl Version {
    /// The short name used in messages and JSON output: `v1`, `v2`, `v1-plain-json`.
    pub fn name(self) -> &'static str {
        match self {
            Version::V1 => "v1",
            Version::V2 => "v2",
            Version::V1PlainJson => "v1-plain-json",
        }
    }

    /// Whether the ticket is checked with an ECDSA public key (else with a v2 secret).
    pub fn is_v1(self) -> bool {
        !matches!(self, Version::V2)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a ticket claims. Nothing here is authenticated until [`crate::verify`] says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketInfo {
    /// Which form the ticket is.
    pub version: Version,
    /// The user the ticket was made for.
    pub identifier: String,
    /// The app the ticket was made for.
    pub sdkappid: u64,
    /// When it was issued, Unix seconds.
    pub init_time: i64,
    /// How long it is valid after `init_time`, seconds.
    pub expire: i64,
    /// The user bytes of a userbuf ticket (decoded from `TLS.userbuf`).
    pub userbuf: Option<Vec<u8>>,
}

impl TicketInfo {
    /// The last second at which the ticket is still valid: `init_time + expire`
    /// (a ticket is valid while `now <= expires_at`, SPEC 6).
    pub fn expires_at(&self) -> i64 {
        self.init_time.saturating_add(self.expire)
    }
}

/// A parsed ticket: its claims, the bytes its signature covers, and the signature.
#[derive(Debug, Clone)]
pub struct Ticket {
    /// What it claims.
    pub info: TicketInfo,
    /// The exact content that was signed or MACed (SPEC 3 and 4).
    pub signed_content: Vec<u8>,
    /// The decoded `TLS.sig`: a DER ECDSA signature (v1) or a 32-byte MAC (v2).
    pub signature: Vec<u8>,
}

/// Why a ticket cannot be read: server code 70003.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// The ticket holds bytes that are not UTF-8 text.
    NotText,
    /// The base64/zlib envelope is broken.
    Envelope(EnvelopeError),
    /// The inflated bytes are not JSON.
    NotJson(String),
    /// The JSON is not an object.
    NotAnObject,
    /// A required field is absent.
    MissingField(&'static str),
    /// A field has the wrong JSON type.
    WrongType {
        /// The field.
        field: &'static str,
        /// What this form of ticket writes there.
        expected: &'static str,
    },
    /// A field has the right type but an impossible value.
    BadValue {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
    /// `TLS.ver` names a version this tool does not know.
    UnknownVersion(String),
    /// The JSON has a member name twice (verifiers disagree on which counts), or a
    /// member name with a control character.
    Json(JsonError),
    /// A field that is signed or compared holds a control character: in v1 a line feed
    /// splices signed lines, and a NUL reads differently to C-string verifiers.
    ControlCharacter {
        /// The field.
        field: &'static str,
        /// The character.
        ch: char,
        /// Its byte offset in the field's value.
        at: usize,
    },
}

impl Malformed {
    /// The fix to suggest, when this kind of damage has a more precise one than
    /// "pass the ticket exactly as it was generated".
    pub fn fix(&self) -> Option<&'static str> {
        match self {
            Malformed::Envelope(e) => e.fix(),
            Malformed::Json(JsonError::DuplicateMember(_) | JsonError::ControlInName(_)) => Some(
                "do not accept it: no generator writes such a ticket, so it was altered, perhaps joined from two tickets to pass as another user's",
            ),
            Malformed::ControlCharacter { .. } => Some(
                "do not accept it: it may be forged to pass as another user's; issue a new ticket for a printable identifier",
            ),
            _ => None,
        }
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformed::NotText => write!(f, "the ticket holds bytes that are not text"),
            Malformed::Envelope(e) => e.fmt(f),
            Malformed::NotJson(why) => write!(f, "the ticket does not hold JSON ({why})"),
            Malformed::NotAnObject => write!(f, "the ticket's JSON is not an object"),
            Malformed::MissingField(name) => write!(f, "the ticket has no {name} field"),
            Malformed::WrongType { field, expected } => {
                write!(f, "the ticket's {field} is not {expected}")
            }
            Malformed::BadValue { field, why } => write!(f, "the ticket's {field} {why}"),
            Malformed::Json(JsonError::DuplicateMember(name)) => write!(
                f,
                "the ticket's JSON has the member {name:?} twice (JSON readers disagree on which one counts)"
            ),
            Malformed::Json(JsonError::ControlInName(name)) => write!(
                f,
                "the ticket's JSON has a member name holding a control character, {name:?}"
            ),
            Malformed::Json(e) => write!(f, "the ticket's JSON is refused: {e}"),
            Malformed::ControlCharacter { field, ch, at } => write!(
                f,
                "the ticket's {field} holds a control character (U+{:04X} at byte {at}), which could make the ticket read as another user's",
                u32::from(*ch)
            ),
            Malformed::UnknownVersion(v) => {
                let shown: String = v.chars().take(20).collect();
                write!(
                    f,
                    "the ticket's TLS.ver {shown:?} is not a known version (\"2.0\")"
                )
            }
        }
    }
}

impl std::error::Error for Malformed {}

impl From<EnvelopeError> for Malformed {
    fn from(e: EnvelopeError) -> Self {
        Malformed::Envelope(e)
    }
}

/// Parse ticket text of any form. Plain JSON is tried first, as the C++ verifier does;
/// otherwise the text is an envelope. The clock's local offset reads the wall-clock
/// time of the plain-JSON form.
///
/// ```
/// use tls_licence_tools::{clock::FixedClock, ticket::{self, Version}};
/// let t = ticket::parse("eAGrVgrxCdYrSy1SslIy0jNQ0gHzi1OyEwsKMlOUrAxNDIDA0MDUCCKTmZKaV5KZlgnWUJGZmJ9VmgfVVJKZmwrUYG5pamZuamRqDtGQWlGQWQQSNzU1NQIaBbUgMx1oYWhOQZZfqquLWZS*eXGZhU9VoVe2RbFjuptpWLmft6V7Yrq*V0ieeWBWZr6tUi0AgEUyVQ__",
///                       &FixedClock::at(0)).unwrap();
/// assert_eq!(t.info.version, Version::V2);
/// assert_eq!(t.info.identifier, "xiaojun");
/// assert_eq!(t.info.expires_at(), 1795675257 + 15552000);
/// ```
pub fn parse(text: &str, clock: &dyn Clock) -> Result<Ticket, Malformed> {
    let (plain, json) = unwrap(text)?;
    if !plain {
        return parse_json(&json);
    }
    let obj = json_object(&json)?;
    if obj.contains_key("TLS.ver") {
        return Err(Malformed::BadValue {
            field: "TLS.ver",
            why: "appears in an uncompressed ticket, a form only v1 ever had",
        });
    }
    v1::parse_plain_json(&obj, clock.local_offset())
}

/// The JSON bytes a ticket text holds, and whether it is the plain-JSON form: a text that
/// starts with `{` is taken as it stands (as the C++ verifier tries first), anything else
/// is an envelope.
fn unwrap(text: &str) -> Result<(bool, Cow<'_, [u8]>), Malformed> {
    let trimmed = text.trim_ascii();
    if !trimmed.starts_with('{') {
        return Ok((false, Cow::Owned(envelope::decode(trimmed)?)));
    }
    if trimmed.len() > envelope::MAX_TICKET_BYTES {
        return Err(EnvelopeError::TextTooLarge.into());
    }
    Ok((true, Cow::Borrowed(trimmed.as_bytes())))
}

/// Parse ticket text given as bytes (a sig file's contents): as [`parse`], after
/// checking that the bytes are text.
pub fn parse_bytes(bytes: &[u8], clock: &dyn Clock) -> Result<Ticket, Malformed> {
    parse(as_text(bytes)?, clock)
}

/// The JSON object a ticket holds, as text, and the form it is in (by `TLS.ver` and
/// the envelope alone): the plain-JSON form as it stands, or an envelope's inflated
/// content. Only checks that it is a JSON object (for `dump`).
pub fn json_text(bytes: &[u8]) -> Result<(Version, String), Malformed> {
    let (plain, json) = unwrap(as_text(bytes)?)?;
    let obj = json_object(&json)?;
    let version = match (plain, obj.contains_key("TLS.ver")) {
        (true, _) => Version::V1PlainJson,
        (false, true) => Version::V2,
        (false, false) => Version::V1,
    };
    // json_object succeeded, so the bytes are UTF-8.
    let json = String::from_utf8(json.into_owned()).map_err(|_| Malformed::NotText)?;
    Ok((version, json))
}

fn as_text(bytes: &[u8]) -> Result<&str, Malformed> {
    std::str::from_utf8(bytes).map_err(|_| Malformed::NotText)
}

/// Parse the inflated JSON of an enveloped ticket (v1 or v2).
pub fn parse_json(json: &[u8]) -> Result<Ticket, Malformed> {
    let obj = json_object(json)?;
    match obj.get("TLS.ver") {
        None => v1::parse_object(&obj),
        Some(Value::String(v)) if v == "2.0" => v2::parse_object(&obj),
        Some(Value::String(v)) => Err(Malformed::UnknownVersion(v.clone())),
        Some(_) => Err(Malformed::WrongType {
            field: "TLS.ver",
            expected: "a string",
        }),
    }
}

/// Parse bytes as one JSON object with the strict reader ([`crate::json`]): a repeated
/// member name is refused. Nesting is bounded (128 levels) and messages name a line and
/// column, never the content.
fn json_object(json: &[u8]) -> Result<Map<String, Value>, Malformed> {
    match crate::json::object(json) {
        Ok(obj) => Ok(obj),
        Err(JsonError::NotAnObject) => Err(Malformed::NotAnObject),
        Err(JsonError::Syntax(why)) => Err(Malformed::NotJson(why)),
        Err(e) => Err(Malformed::Json(e)),
    }
}

/// Refuse a control character (C0, DEL, C1) in a field's value.
pub(crate) fn no_control(value: &str, field: &'static str) -> Result<(), Malformed> {
    match value.char_indices().find(|(_, c)| c.is_control()) {
        Some((at, ch)) => Err(Malformed::ControlCharacter { field, ch, at }),
        None => Ok(()),
    }
}

/// The value of a field that must be a JSON string, if present.
pub(crate) fn opt_str<'a>(
    obj: &'a Map<String, Value>,
    field: &'static str,
) -> Result<Option<&'a str>, Malformed> {
    match obj.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Malformed::WrongType {
            field,
            expected: "a string",
        }),
    }
}

/// The value of a field that must be a JSON string.
pub(crate) fn req_str<'a>(
    obj: &'a Map<String, Value>,
    field: &'static str,
) -> Result<&'a str, Malformed> {
    opt_str(obj, field)?.ok_or(Malformed::MissingField(field))
}

/// Decode a base64_std field (`TLS.sig`, `TLS.userbuf`).
pub(crate) fn base64_field(text: &str, field: &'static str) -> Result<Vec<u8>, Malformed> {
    STANDARD.decode(text).map_err(|_| Malformed::BadValue {
        field,
        why: "is not base64",
    })
}

/// A non-negative decimal number written as a string (v1 fields).
pub(crate) fn decimal_field(text: &str, field: &'static str) -> Result<u64, Malformed> {
    let bad = Malformed::BadValue {
        field,
        why: "is not a decimal number",
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad);
    }
    text.parse::<u64>().map_err(|_| bad)
}

/// Convert a parsed number to the `i64` the ticket model holds.
pub(crate) fn to_i64(n: u64, field: &'static str) -> Result<i64, Malformed> {
    i64::try_from(n).map_err(|_| Malformed::BadValue {
        field,
        why: "is too large",
    })
}
