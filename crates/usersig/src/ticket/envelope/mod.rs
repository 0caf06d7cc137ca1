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

mod b64;
mod characters;
mod inflate;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;

use base64::Engine;
use flate2::Decompress;

use crate::deflate::Effort;
pub(crate) use b64::STANDARD_BASE64_OUT;
pub(crate) use b64::decode_standard_plain;
use b64::{TICKET_BASE64, TICKET_BASE64_OUT, decode_base64_plain};
use characters::name_first_wrong_character;
use inflate::inflate_with;

/// The largest ticket text, and the largest inflated JSON, this crate accepts: 1 MiB.
///
/// Real tickets are a few hundred bytes; even one with a large userbuf is far below this.
pub const MAX_TICKET_BYTES: usize = 1 << 20;

/// Why a ticket's envelope could not be opened. Every one of these is server code 70003.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// Nothing but white space.
    Empty,
    /// The text is longer than [`MAX_TICKET_BYTES`].
    TextTooLarge,
    /// A character outside the ticket alphabet (`A-Z a-z 0-9 * - _`), or bad padding.
    NotBase64(String),
    /// The bytes are not a complete zlib stream.
    NotZlib(String),
    /// The stream inflates to more than [`MAX_TICKET_BYTES`].
    InflatesTooLarge,
    /// Bytes follow the end of the zlib stream.
    TrailingData,
    /// The ticket is wrapped in quotes (this one, at its start or end).
    Quoted(char),
    /// The text starts with a byte-order mark (U+FEFF).
    ByteOrderMark,
    /// The ticket is URL-encoded: this `%XX` sequence at this byte offset.
    UrlEncoded {
        /// The first `%XX` sequence.
        seq: String,
        /// Its byte offset in the text.
        at: usize,
    },
    /// A NUL byte at this byte offset.
    Nul(usize),
    /// A standard base64 character (`+`, `/` or `=`) where tickets write `*`, `-`, `_`.
    StandardBase64 {
        /// The character.
        ch: char,
        /// Its byte offset in the text.
        at: usize,
    },
    /// A character that is in no ticket.
    Foreign {
        /// The character.
        ch: char,
        /// Its byte offset in the text.
        at: usize,
    },
}

impl EnvelopeError {
    /// The fix, for the errors whose cause is known well enough to name one.
    pub fn fix(&self) -> Option<&'static str> {
        Some(match self {
            EnvelopeError::Quoted(_) => "pass the ticket without the quotes around it",
            EnvelopeError::ByteOrderMark => {
                "save the file as UTF-8 without a byte-order mark, or pass the ticket without it"
            }
            EnvelopeError::UrlEncoded { .. } => {
                "URL-decode the ticket first (%2A is '*', %2D is '-', %5F is '_')"
            }
            EnvelopeError::Nul(_) => {
                "remove the NUL bytes: a ticket is plain text (was it saved as UTF-16, or with a C string's terminator?)"
            }
            EnvelopeError::StandardBase64 { .. } => {
                "tickets write '*', '-' and '_' for '+', '/' and '=': pass the ticket as it was generated, not re-encoded as standard base64"
            }
            EnvelopeError::Foreign { .. } => {
                "a ticket holds only A-Z a-z 0-9 * - _ (and white space around it): pass the ticket exactly as it was generated"
            }
            _ => return None,
        })
    }
}

/// A character as named in a message: `U+00E9 'é'`, without the glyph for a control
/// character or white space.
fn describe_char(ch: char) -> String {
    if ch.is_control() || ch.is_whitespace() || ch == '\u{feff}' {
        format!("U+{:04X}", u32::from(ch))
    } else {
        format!("U+{:04X} '{ch}'", u32::from(ch))
    }
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvelopeError::Empty => write!(f, "the ticket is empty"),
            EnvelopeError::TextTooLarge => {
                write!(f, "the ticket is longer than {MAX_TICKET_BYTES} bytes")
            }
            EnvelopeError::NotBase64(why) => write!(f, "the ticket is not base64 text ({why})"),
            EnvelopeError::NotZlib(why) => {
                write!(f, "the ticket's bytes are not a zlib stream ({why})")
            }
            EnvelopeError::InflatesTooLarge => write!(
                f,
                "the ticket inflates to more than {MAX_TICKET_BYTES} bytes (a decompression bomb?)"
            ),
            EnvelopeError::TrailingData => {
                write!(f, "the ticket has extra bytes after its zlib stream")
            }
            EnvelopeError::Quoted(q) => {
                let close = match q {
                    '\u{201c}' => '\u{201d}',
                    '\u{2018}' => '\u{2019}',
                    q => *q,
                };
                write!(f, "the ticket is in quotes ({q}...{close})")
            }
            EnvelopeError::ByteOrderMark => {
                write!(f, "the ticket starts with a byte-order mark (U+FEFF)")
            }
            EnvelopeError::UrlEncoded { seq, at } => {
                write!(f, "the ticket is URL-encoded ({seq:?} at byte {at})")
            }
            EnvelopeError::Nul(at) => {
                write!(f, "the ticket holds a NUL byte (U+0000) at byte {at}")
            }
            EnvelopeError::StandardBase64 { ch, at } => write!(
                f,
                "the ticket holds '{ch}' at byte {at}, a standard base64 character"
            ),
            EnvelopeError::Foreign { ch, at } => write!(
                f,
                "the ticket holds {} at byte {at}, which is not a ticket character",
                describe_char(*ch)
            ),
        }
    }
}

impl std::error::Error for EnvelopeError {}

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
