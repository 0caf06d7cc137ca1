//! The bottom of the ticket model: the three forms, what a ticket claims, the parsed
//! ticket, why one cannot be read, the plain values a new ticket is built from, and the
//! readers of single JSON fields that the v1 and v2 parsers share.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::envelope::EnvelopeError;
use super::json::{Json, JsonError, Object};

/// The plain values a new ticket is built from (the issuer checks them first; see
/// [`crate::issue::TicketRequest`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claims<'a> {
    /// The app.
    pub sdkappid: u32,
    /// The user.
    pub identifier: &'a str,
    /// The validity in seconds.
    pub expire: u32,
    /// The user bytes carried in `TLS.userbuf`, if any.
    pub userbuf: Option<&'a [u8]>,
}

/// The three ticket forms (docs/FORMAT.md section 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
    /// The app the ticket was made for (a ticket claiming more than `u32::MAX` cannot
    /// be read: 70003).
    pub sdkappid: u32,
    /// When it was issued, Unix seconds.
    pub init_time: i64,
    /// How long it is valid after `init_time`, seconds.
    pub expire: i64,
    /// The user bytes of a userbuf ticket (decoded from `TLS.userbuf`).
    pub userbuf: Option<Vec<u8>>,
}

impl TicketInfo {
    /// The last second at which the ticket is still valid: `init_time + expire`
    /// (a ticket is valid while `now <= expires_at`, docs/FORMAT.md section 7).
    pub fn expires_at(&self) -> i64 {
        self.init_time.saturating_add(self.expire)
    }
}

/// A parsed ticket: its claims, the bytes its signature covers, and the signature.
#[derive(Debug, Clone)]
pub struct Ticket {
    /// What it claims.
    pub info: TicketInfo,
    /// The exact content that was signed or MACed (docs/FORMAT.md sections 3 and 4).
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
            Malformed::BadValue { why, .. } if *why == EXPIRE_TOO_LARGE => Some(
                "issue a new ticket, valid for at most 50 years: Tencent's servers refuse this one",
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

/// Why a v2 `TLS.expire` of 2^32 or more is refused: Tencent's servers (and the
/// reference verifier) read it as an unsigned 32-bit number.
pub(super) const EXPIRE_TOO_LARGE: &str =
    "is larger than 4294967295, the most Tencent's servers read (a 32-bit number of seconds)";

/// The first control character (C0, DEL, C1) in `text` and its byte offset: what no signed
/// value may hold (a line feed could splice the signed lines), read or made.
///
/// ```
/// use usersig::ticket::fields::first_control_character;
/// assert_eq!(first_control_character("ab\ncd"), Some((2, '\n')));
/// assert_eq!(first_control_character("admin"), None);
/// ```
pub fn first_control_character(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|(_, c)| c.is_control())
}

/// Refuse a control character (C0, DEL, C1) in a field's value.
pub(super) fn no_control(value: &str, field: &'static str) -> Result<(), Malformed> {
    match first_control_character(value) {
        Some((at, ch)) => Err(Malformed::ControlCharacter { field, ch, at }),
        None => Ok(()),
    }
}

/// The value of a field that must be a JSON string, if present.
pub(super) fn opt_str<'a>(
    obj: &'a Object<'_>,
    field: &'static str,
) -> Result<Option<&'a str>, Malformed> {
    match obj.get(field) {
        None => Ok(None),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(_) => Err(Malformed::WrongType {
            field,
            expected: "a string",
        }),
    }
}

/// The value of a field that must be a JSON string.
pub(super) fn req_str<'a>(obj: &'a Object<'_>, field: &'static str) -> Result<&'a str, Malformed> {
    opt_str(obj, field)?.ok_or(Malformed::MissingField(field))
}

/// [`base64_field`] with a batch reader's fast twin: the text decoded in one pass
/// where it can be, which decodes what the base64 crate decodes (a proptest).
pub(super) fn base64_field_fast(text: &str, field: &'static str) -> Result<Vec<u8>, Malformed> {
    match super::envelope::decode_standard_plain(text.as_bytes()) {
        Some(bytes) => Ok(bytes),
        None => base64_field(text, field),
    }
}

/// Decode a base64_std field (`TLS.sig`, `TLS.userbuf`).
pub(super) fn base64_field(text: &str, field: &'static str) -> Result<Vec<u8>, Malformed> {
    STANDARD.decode(text).map_err(|_| Malformed::BadValue {
        field,
        why: "is not base64",
    })
}

/// A non-negative decimal number written as a string (v1 fields).
pub(super) fn decimal_field(text: &str, field: &'static str) -> Result<u64, Malformed> {
    let bad = Malformed::BadValue {
        field,
        why: "is not a decimal number",
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad);
    }
    text.parse::<u64>().map_err(|_| bad)
}

/// Convert a parsed sdkappid to the `u32` every sdkappid is (1 to 4294967295).
pub(super) fn to_sdkappid(n: u64, field: &'static str) -> Result<u32, Malformed> {
    u32::try_from(n).map_err(|_| Malformed::BadValue {
        field,
        why: "is larger than 4294967295, which no sdkappid is",
    })
}

/// Convert a parsed number to the `i64` the ticket model holds.
pub(super) fn to_i64(n: u64, field: &'static str) -> Result<i64, Malformed> {
    i64::try_from(n).map_err(|_| Malformed::BadValue {
        field,
        why: "is too large",
    })
}
