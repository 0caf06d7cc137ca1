//! A ticket taken apart: which form it is, what it claims, and exactly which bytes were
//! signed. Parsing checks structure only; [`crate::verify`] checks authenticity.
//!
//! Layers, bottom up: [`deflate`] and [`json`] (no ticket knowledge), [`envelope`]
//! (base64 and zlib), [`fields`] (the shared types and field readers), [`userbuf`]
//! (PrivateMapKey), then [`v1`] and [`v2`] over [`fields`], and this module's parsers,
//! which pick the form and call them.
//!
//! A ticket read alone takes the general path ([`parse`]); a batch's many tickets take
//! a [`BatchReader`], which owns its buffers and the fast twins of that path.

pub mod deflate;
pub mod envelope;
pub mod fields;
pub mod json;
pub mod userbuf;
pub mod v1;
pub mod v2;

use std::borrow::Cow;

use crate::clock::Clock;
use envelope::{Decoder, EnvelopeError};
pub use fields::{Claims, Malformed, Ticket, TicketInfo, Version};
use json::{Json, JsonError, Object};
use v2::ContentWriter;

/// Parse ticket text of any form. Plain JSON is tried first, as the C++ verifier does;
/// otherwise the text is an envelope. The clock's local offset reads the wall-clock
/// time of the plain-JSON form.
///
/// ```
/// use usersig::{clock::FixedClock, ticket::{self, Version}};
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
    parse_plain_json(&json, clock)
}

/// Read the plain-JSON form (v1's oldest), whose time is read with the clock's local
/// offset.
fn parse_plain_json(json: &[u8], clock: &dyn Clock) -> Result<Ticket, Malformed> {
    let obj = json_object(json)?;
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

/// Parse ticket text given as bytes (a stored ticket's contents): as [`parse`], after
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
    parse_enveloped(&json_object(json)?)
}

/// Read the JSON object of an enveloped ticket: v2 if `TLS.ver` says so, else v1.
fn parse_enveloped(obj: &Object<'_>) -> Result<Ticket, Malformed> {
    match obj.get("TLS.ver") {
        None => v1::parse_object(obj),
        Some(Json::String(v)) if v == "2.0" => v2::parse_object(obj),
        Some(Json::String(v)) => Err(Malformed::UnknownVersion(v.to_string())),
        Some(_) => Err(Malformed::WrongType {
            field: "TLS.ver",
            expected: "a string",
        }),
    }
}

/// Parse bytes as one JSON object with the strict reader ([`json`]): a repeated
/// member name is refused. Nesting is bounded (128 levels) and messages name a line and
/// column, never the content.
fn json_object(json: &[u8]) -> Result<Object<'_>, Malformed> {
    match json::members(json) {
        Ok(obj) => Ok(obj),
        Err(JsonError::NotAnObject) => Err(Malformed::NotAnObject),
        Err(JsonError::Syntax(why)) => Err(Malformed::NotJson(why)),
        Err(e) => Err(Malformed::Json(e)),
    }
}

/// The largest JSON buffer kept for the next ticket (a rare huge ticket's is let go).
const KEPT_BUFFER: usize = 1 << 16;

/// Reads many tickets one after another (a batch's: one reader a thread), to what
/// [`parse`] reads each to, with the buffers and caches it owns (the inflated
/// JSON's buffer, an inflater reset for each ticket, the text of the numbers the last
/// v2 ticket signed) and the fast twins of the general path: the one-pass base64
/// decoders, the plain-shape reader of a v2 ticket's JSON and the flat JSON reader. A
/// property test holds each twin to the general path, and one holds the reader to
/// [`parse`].
///
/// ```
/// use usersig::{clock::FixedClock, ticket::{self, BatchReader}};
/// let text = "eAGrVgrxCdYrSy1SslIy0jNQ0gHzi1OyEwsKMlOUrAxNDIDA0MDUCCKTmZKaV5KZlgnWUJGZmJ9VmgfVVJKZmwrUYG5pamZuamRqDtGQWlGQWQQSNzU1NQIaBbUgMx1oYWhOQZZfqquLWZS*eXGZhU9VoVe2RbFjuptpWLmft6V7Yrq*V0ieeWBWZr6tUi0AgEUyVQ__";
/// let clock = FixedClock::at(0);
/// let mut reader = BatchReader::new();
/// let t = reader.parse(text, &clock).unwrap();
/// assert_eq!(t.info, ticket::parse(text, &clock).unwrap().info);
/// assert_eq!(t.info.identifier, "xiaojun");
/// ```
#[derive(Debug)]
pub struct BatchReader {
    decoder: Decoder,
    json: Vec<u8>,
    content: ContentWriter,
}

impl Default for BatchReader {
    fn default() -> Self {
        BatchReader::new()
    }
}

impl BatchReader {
    /// A reader with empty buffers.
    pub fn new() -> BatchReader {
        BatchReader {
            decoder: Decoder::new(),
            json: Vec::new(),
            content: ContentWriter::default(),
        }
    }

    /// Parse ticket text of any form, as [`parse`] does.
    pub fn parse(&mut self, text: &str, clock: &dyn Clock) -> Result<Ticket, Malformed> {
        let trimmed = text.trim_ascii();
        if trimmed.starts_with('{') {
            // The plain-JSON form (v1's oldest, and rare): the general path.
            return parse(text, clock);
        }
        let parsed = self
            .decoder
            .decode_into(trimmed, &mut self.json)
            .map_err(Malformed::from)
            .and_then(|()| parse_json_fast(&self.json, &mut self.content));
        if self.json.capacity() > KEPT_BUFFER {
            self.json = Vec::new();
        }
        parsed
    }
}

/// [`parse_json`] with the fast twins: a v2 ticket as written here read without
/// building an object, any other flat object read by the flat reader; the rest by the
/// general path.
fn parse_json_fast(json: &[u8], content: &mut ContentWriter) -> Result<Ticket, Malformed> {
    let text = std::str::from_utf8(json).ok();
    if let Some(parsed) = text.and_then(|text| v2::parse_plain(text, content)) {
        return parsed;
    }
    match text.and_then(json::flat_members) {
        Some(obj) => parse_enveloped(&obj),
        None => parse_json(json),
    }
}

#[cfg(test)]
mod tests;
