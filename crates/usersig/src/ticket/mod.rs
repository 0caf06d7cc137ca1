//! A ticket taken apart: which form it is, what it claims, and exactly which bytes were
//! signed. Parsing checks structure only; [`crate::verify`] checks authenticity.
//!
//! Layers, bottom up: [`deflate`] and [`json`] (no ticket knowledge), [`envelope`]
//! (base64 and zlib), [`fields`] (the shared types and field readers), [`userbuf`]
//! (PrivateMapKey), then [`v1`] and [`v2`] over [`fields`], and this module's parsers,
//! which pick the form and call them.

use std::borrow::Cow;
use std::cell::RefCell;

use crate::clock::Clock;

pub mod deflate;
pub mod envelope;
pub mod fields;
pub mod json;
pub mod userbuf;
pub mod v1;
pub mod v2;

use envelope::EnvelopeError;
pub use fields::{Claims, Malformed, Ticket, TicketInfo, Version};
use json::{Json, JsonError, Object};

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
    let trimmed = text.trim_ascii();
    if !trimmed.starts_with('{') {
        // An enveloped ticket: inflated into this thread's buffer, which the parsed
        // ticket does not borrow (a batch parses millions).
        return JSON_BUFFER.with(|cell| match cell.try_borrow_mut() {
            Ok(mut json) => {
                let parsed = envelope::decode_into(trimmed, &mut json)
                    .map_err(Malformed::from)
                    .and_then(|()| parse_json(&json));
                if json.capacity() > KEPT_BUFFER {
                    *json = Vec::new();
                }
                parsed
            }
            Err(_) => parse_json(&envelope::decode(trimmed)?),
        });
    }
    let (_, json) = unwrap(text)?;
    let obj = json_object(&json)?;
    if obj.contains_key("TLS.ver") {
        return Err(Malformed::BadValue {
            field: "TLS.ver",
            why: "appears in an uncompressed ticket, a form only v1 ever had",
        });
    }
    v1::parse_plain_json(&obj, clock.local_offset())
}

thread_local! {
    /// The inflated JSON of the ticket being parsed on this thread.
    static JSON_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The largest buffer kept for the next ticket (a rare huge ticket's is let go).
const KEPT_BUFFER: usize = 1 << 16;

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
    // A v2 ticket as written here is read without building an object (the same checks).
    if let Some(parsed) = std::str::from_utf8(json).ok().and_then(v2::parse_plain) {
        return parsed;
    }
    let obj = json_object(json)?;
    match obj.get("TLS.ver") {
        None => v1::parse_object(&obj),
        Some(Json::String(v)) if v == "2.0" => v2::parse_object(&obj),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;
    use crate::clock::FixedClock;
    use crate::issue::TicketRequest;

    #[test]
    fn tickets_parse_alike_through_the_reused_buffer() {
        let secret =
            Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")
                .unwrap();
        let clock = FixedClock::at(1_795_675_257);
        let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7919 % 251) as u8).collect();
        let small = TicketRequest::new(1400001052, "xiaojun").unwrap();
        let large = TicketRequest::new(1400001052, "other")
            .unwrap()
            .with_userbuf(&big);
        // Small, huge (its buffer is let go), small again, and a damaged one between.
        for (request, want_userbuf) in [(&small, None), (&large, Some(&big)), (&small, None)] {
            let text = request.sign_v2(&secret, &clock).unwrap();
            let ticket = parse(&text, &clock).unwrap();
            assert_eq!(ticket.info.userbuf.as_ref(), want_userbuf);
            let direct = parse_json(&envelope::decode(&text).unwrap()).unwrap();
            assert_eq!(ticket.info, direct.info);
            assert_eq!(ticket.signed_content, direct.signed_content);
            assert_eq!(ticket.signature, direct.signature);
            assert!(JSON_BUFFER.with(|b| b.borrow().capacity()) <= KEPT_BUFFER);
            assert!(parse(&text[..text.len() - 8], &clock).is_err());
        }
    }

    #[test]
    fn decode_into_replaces_what_the_buffer_held() {
        let text = envelope::encode(br#"{"a":1}"#);
        let mut out = b"left over".to_vec();
        envelope::decode_into(&text, &mut out).unwrap();
        assert_eq!(out, br#"{"a":1}"#);
        // Through the full path too (white space in the text).
        let spaced = format!(" {text}\n");
        let mut out = b"left over".to_vec();
        envelope::decode_into(&spaced, &mut out).unwrap();
        assert_eq!(out, br#"{"a":1}"#);
    }
}
