//! Reading many tickets one after another: [`BatchReader`].

use super::envelope::Decoder;
use super::v2::{self, ContentWriter};
use super::{Malformed, Ticket, json, parse_enveloped};
use crate::clock::Clock;

/// The largest JSON buffer kept for the next ticket (a rare huge ticket's is let go).
const KEPT_BUFFER: usize = 1 << 16;

/// Reads many tickets one after another (a batch's: one reader a thread), to what
/// [`super::parse`] reads each to, with the buffers and caches it owns (the inflated
/// JSON's buffer, an inflater reset for each ticket, the text of the numbers the last
/// v2 ticket signed) and the fast twins of the general path: the one-pass base64
/// decoders, the plain-shape reader of a v2 ticket's JSON and the flat JSON reader. A
/// property test holds each twin to the general path, and one holds the reader to
/// [`super::parse`].
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

    /// Parse ticket text of any form, as [`super::parse`] does.
    pub fn parse(&mut self, text: &str, clock: &dyn Clock) -> Result<Ticket, Malformed> {
        let trimmed = text.trim_ascii();
        if trimmed.starts_with('{') {
            // The plain-JSON form (v1's oldest, and rare): the general path.
            return super::parse(text, clock);
        }
        let parsed = self
            .decoder
            .decode_into(trimmed, &mut self.json)
            .map_err(Malformed::from)
            .and_then(|()| parse_json(&self.json, &mut self.content));
        if self.json.capacity() > KEPT_BUFFER {
            self.json = Vec::new();
        }
        parsed
    }
}

/// [`super::parse_json`] with the fast twins: a v2 ticket as written here read without
/// building an object, any other flat object read by the flat reader; the rest by the
/// general path.
fn parse_json(json: &[u8], content: &mut ContentWriter) -> Result<Ticket, Malformed> {
    let text = std::str::from_utf8(json).ok();
    if let Some(parsed) = text.and_then(|text| v2::parse_plain(text, content)) {
        return parsed;
    }
    match text.and_then(json::flat_members) {
        Some(obj) => parse_enveloped(&obj),
        None => super::parse_json(json),
    }
}

#[cfg(test)]
mod tests;
