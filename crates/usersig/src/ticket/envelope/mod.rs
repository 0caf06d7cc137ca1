//! The envelope around a ticket's JSON: `tr(base64_std(zlib(json)))` (docs/FORMAT.md section 2).
//!
//! `tr` swaps the three base64 characters that are awkward in URLs: `+` → `*`,
//! `/` → `-`, `=` → `_`. This is *not* RFC 4648 base64url (where `-` stands for
//! `+`), so a base64url decoder would turn a ticket into garbage without an error.
//!
//! Decoding is bounded: the text, and what it inflates to, are capped at
//! [`MAX_TICKET_BYTES`], so a small ticket that inflates to hundreds of megabytes is
//! refused after inflating one mebibyte.
//!
//! One ticket takes the general path ([`encode`], [`decode`]); a batch's tickets take
//! [`encode_in_place`] and [`Decoder`], which own the fast twins (a pair-table base64
//! encoder, a one-pass base64 decoder, a reused inflater), each tied to the general
//! path by a property test.
//!
//! Files: [`error`] (the limits and the errors), [`b64`] (base64), [`characters`]
//! (naming a character no ticket holds), [`inflate`] (the bounded inflate).

mod b64;
mod characters;
mod error;
mod inflate;

use std::borrow::Cow;
use std::fmt;

use base64::Engine;
use flate2::Decompress;

use crate::deflate::Effort;
pub(crate) use b64::STANDARD_BASE64_OUT;
pub(crate) use b64::decode_standard_plain;
use b64::{TICKET_BASE64, TICKET_BASE64_OUT, decode_base64_plain};
use characters::name_first_wrong_character;
pub use error::{EnvelopeError, MAX_TICKET_BYTES};
use inflate::inflate_with;

/// Wrap JSON bytes into ticket text: zlib (our [`crate::deflate`] encoder, at
/// [`Effort::Smallest`]), base64, then the `tr` swap.
///
/// ```
/// use usersig::envelope;
/// let text = envelope::encode(br#"{"a":"b"}"#);
/// assert_eq!(envelope::decode(&text).unwrap(), br#"{"a":"b"}"#);
/// assert!(!text.contains(['+', '/', '=']));
/// ```
pub fn encode(json: &[u8]) -> String {
    let compressed = crate::deflate::zlib(json);
    let mut text = TICKET_BASE64.encode(&compressed);
    // The padding the standard alphabet writes as '=', in the ticket's '_'.
    text.extend(std::iter::repeat_n('_', (3 - compressed.len() % 3) % 3));
    text
}

/// [`encode`] in place, compressing with the given [`Effort`]: the JSON bytes at
/// `out[from..]` are replaced by their ticket text, so that a ticket can be built
/// straight into the buffer it is written to (a batch's way: its base64 is written by a
/// pair-table encoder, which makes the bytes [`encode`] makes). Panics if `from` is
/// beyond the end of `out`.
///
/// ```
/// use usersig::{deflate::Effort, envelope};
/// let mut out = b"ticket: ".to_vec();
/// out.extend_from_slice(br#"{"a":"b"}"#);
/// envelope::encode_in_place(&mut out, 8, Effort::Smallest);
/// assert_eq!(out, format!("ticket: {}", envelope::encode(br#"{"a":"b"}"#)).as_bytes());
/// ```
pub fn encode_in_place(out: &mut Vec<u8>, from: usize, effort: Effort) {
    let compressed = crate::deflate::zlib_with(&out[from..], effort);
    out.truncate(from);
    push_text(out, &compressed);
}

/// Append the ticket text of a zlib stream: base64 in the ticket alphabet, and the
/// padding the standard alphabet writes as '=', in the ticket's '_'.
pub(crate) fn push_text(out: &mut Vec<u8>, compressed: &[u8]) {
    TICKET_BASE64_OUT.push(out, compressed);
}

/// Open ticket text: drop white space (space, tab, CR, LF) anywhere, undo the `tr`
/// swap, base64-decode (standard alphabet, canonical padding), and inflate the zlib
/// stream (any level), refusing more than [`MAX_TICKET_BYTES`] of output.
///
/// Before the length and padding are checked, the first character no ticket holds is
/// named, with its byte offset in `text`: a leading byte-order mark, quotes around the
/// ticket, URL-encoding (`%XX`), a NUL, a standard base64 `+ / =`, any other character
/// (as `U+XXXX`), or `_` padding followed by more text. [`EnvelopeError::fix`] says
/// what to do about each.
///
/// ```
/// use usersig::envelope::{self, EnvelopeError};
/// let text = envelope::encode(b"{}");
/// assert_eq!(envelope::decode(&format!("\"{text}\"")), Err(EnvelopeError::Quoted('"')));
/// assert_eq!(
///     envelope::decode(&format!("{text}\0")),
///     Err(EnvelopeError::Nul(text.len()))
/// );
/// ```
pub fn decode(text: &str) -> Result<Vec<u8>, EnvelopeError> {
    let mut out = Vec::new();
    decode_into(text, &mut out)?;
    Ok(out)
}

/// [`decode`] into `out` (cleared first), so that a caller decoding many tickets can
/// keep one buffer (a [`Decoder`] keeps its inflater too).
pub fn decode_into(text: &str, out: &mut Vec<u8>) -> Result<(), EnvelopeError> {
    if text.len() > MAX_TICKET_BYTES {
        return Err(EnvelopeError::TextTooLarge);
    }
    let compressed = decode_base64(text)?;
    inflate_with(&mut Decompress::new(true), &compressed, out)
}

/// Opens many tickets one after another (a batch reader's), with the fast twins of
/// [`decode_into`]'s general path: one inflater kept and reset for each ticket (setting
/// one up costs more than inflating a ticket), and the base64 of a ticket as written
/// (ticket characters only, the padding base64 needs) decoded in one pass onto the
/// stack. Any other text takes the general path, which names what is wrong; whatever
/// the one pass takes, the general path decodes to the same bytes (a proptest).
pub(crate) struct Decoder {
    inflater: Decompress,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decoder").finish_non_exhaustive()
    }
}

impl Decoder {
    pub(crate) fn new() -> Decoder {
        Decoder {
            inflater: Decompress::new(true),
        }
    }

    /// [`decode_into`], with the fast twins.
    pub(crate) fn decode_into(
        &mut self,
        text: &str,
        out: &mut Vec<u8>,
    ) -> Result<(), EnvelopeError> {
        if text.len() > MAX_TICKET_BYTES {
            return Err(EnvelopeError::TextTooLarge);
        }
        // A ticket's compressed bytes on the stack; a text of more than 1 KiB in a vector.
        let mut stack = [0u8; 768];
        let mut heap = Vec::new();
        let room = if text.len() <= 1024 {
            &mut stack[..]
        } else {
            heap.resize(text.len() / 4 * 3, 0);
            &mut heap[..]
        };
        self.inflater.reset(true);
        match decode_base64_plain(text.as_bytes(), room) {
            Some(n) => inflate_with(&mut self.inflater, &room[..n], out),
            None => inflate_with(&mut self.inflater, &decode_base64(text)?, out),
        }
    }
}

/// The base64 step of [`decode`] for any text: white space dropped, the characters
/// checked (and the first wrong one named), then the length, padding and stray bits.
fn decode_base64(text: &str) -> Result<Vec<u8>, EnvelopeError> {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let compact: Cow<'_, [u8]> = if text.as_bytes().iter().any(is_space) {
        Cow::Owned(text.bytes().filter(|b| !is_space(b)).collect())
    } else {
        Cow::Borrowed(text.as_bytes())
    };
    if compact.is_empty() {
        return Err(EnvelopeError::Empty);
    }
    name_first_wrong_character(text)?;
    let body = compact
        .strip_suffix(b"__")
        .or_else(|| compact.strip_suffix(b"_"));
    let body = body.unwrap_or(&compact);
    let padding = compact.len() - body.len();
    if body.len() % 4 == 1 || (padding > 0 && !(body.len() + padding).is_multiple_of(4)) {
        return Err(EnvelopeError::NotBase64(
            "its length or '_' padding is not that of base64 text".into(),
        ));
    }
    if padding == 0 && !body.len().is_multiple_of(4) {
        return Err(EnvelopeError::NotBase64(
            "its '_' padding is missing".into(),
        ));
    }
    TICKET_BASE64
        .decode(body)
        .map_err(|e| EnvelopeError::NotBase64(describe_base64_error(&e)))
}

/// Describe a base64 error in the ticket's own terms.
fn describe_base64_error(e: &base64::DecodeError) -> String {
    match e {
        base64::DecodeError::InvalidByte(at, b @ (b'+' | b'/' | b'=')) => format!(
            "'{}' at position {at}: tickets write '*', '-' and '_' for '+', '/' and '='",
            *b as char
        ),
        base64::DecodeError::InvalidByte(at, b) if b.is_ascii_graphic() => {
            format!("unexpected character '{}' at position {at}", *b as char)
        }
        base64::DecodeError::InvalidByte(at, b) => {
            format!("unexpected byte 0x{b:02x} at position {at}")
        }
        base64::DecodeError::InvalidLength(_) => "its length is not that of base64 text".into(),
        base64::DecodeError::InvalidLastSymbol { offset: at, .. } => {
            format!("the character at position {at} carries stray bits")
        }
        base64::DecodeError::InvalidPadding => "its '_' padding is wrong".into(),
    }
}

#[cfg(test)]
mod tests;
