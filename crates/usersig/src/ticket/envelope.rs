//! The envelope around a ticket's JSON: `tr(base64_std(zlib(json)))` (docs/FORMAT.md section 2).
//!
//! `tr` swaps the three base64 characters that are awkward in URLs: `+` → `*`,
//! `/` → `-`, `=` → `_`. This is *not* RFC 4648 base64url (where `-` stands for
//! `+`), so a base64url decoder would turn a ticket into garbage without an error.
//!
//! Decoding is bounded: the text, and what it inflates to, are capped at
//! [`MAX_TICKET_BYTES`], so a small ticket that inflates to hundreds of megabytes is
//! refused after inflating one mebibyte.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use base64::Engine;
use base64::alphabet::Alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use flate2::{Decompress, FlushDecompress, Status};

use crate::deflate::Effort;

/// The largest ticket text, and the largest inflated JSON, this crate accepts: 1 MiB.
///
/// Real tickets are a few hundred bytes; even one with a large userbuf is far below this.
pub const MAX_TICKET_BYTES: usize = 1 << 20;

/// Base64 in the ticket alphabet, without padding: the caller writes and checks the
/// `_` padding itself, since the padding character of the base64 crate is fixed at `=`.
const TICKET_BASE64: GeneralPurpose = GeneralPurpose::new(
    &match Alphabet::new("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-") {
        Ok(a) => a,
        Err(_) => panic!("the ticket alphabet is valid"),
    },
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

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
    let mut text = Vec::new();
    push_text(&mut text, &crate::deflate::zlib(json));
    // Ticket text is ASCII (the ticket alphabet and '_').
    String::from_utf8(text).unwrap_or_default()
}

/// [`encode`] in place, compressing with the given [`Effort`]: the JSON bytes at
/// `out[from..]` are replaced by their ticket text, so that a ticket can be built
/// straight into the buffer it is written to. Panics if `from` is beyond the end of
/// `out`.
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

/// Standard base64 (RFC 4648 section 4), `=` padding: a `TLS.sig`.
pub(crate) static STANDARD_BASE64_OUT: Base64Out = Base64Out::new(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    b'=',
);

/// The ticket alphabet (`+/=` written as `*-_`).
static TICKET_BASE64_OUT: Base64Out = Base64Out::new(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-",
    b'_',
);

/// A base64 encoder for the short inputs every ticket has two of (its MAC or signature,
/// and its zlib stream), written in the wanted alphabet and padding directly: each 3
/// input bytes are two look-ups of 12 bits in a table of character pairs. It makes the
/// bytes the `base64` crate makes (which stays the decoder, and the tests' oracle) in
/// about a third of the instructions on ticket-sized inputs.
pub(crate) struct Base64Out {
    /// The two characters of each 12-bit value, first character in the low byte.
    pairs: [u16; 4096],
    /// The padding character.
    pad: u8,
}

impl Base64Out {
    const fn new(alphabet: &[u8; 64], pad: u8) -> Base64Out {
        let mut pairs = [0u16; 4096];
        let mut v = 0;
        while v < 4096 {
            pairs[v] = alphabet[v >> 6] as u16 | (alphabet[v & 63] as u16) << 8;
            v += 1;
        }
        Base64Out { pairs, pad }
    }

    /// Append the padded base64 of `bytes`.
    pub(crate) fn push(&self, out: &mut Vec<u8>, bytes: &[u8]) {
        out.reserve(bytes.len().div_ceil(3) * 4);
        let pairs = &self.pairs;
        // Six bytes make eight characters, read as one number (with the two bytes after
        // them) and written as one; twelve bytes at a time.
        let eight = |x: u64| {
            u64::from(pairs[(x >> 52) as usize])
                | u64::from(pairs[(x >> 40 & 0xfff) as usize]) << 16
                | u64::from(pairs[(x >> 28 & 0xfff) as usize]) << 32
                | u64::from(pairs[(x >> 16 & 0xfff) as usize]) << 48
        };
        let mut rest = bytes;
        while let Some(next) = rest.first_chunk::<14>() {
            let (first, second) = (next.first_chunk::<8>(), next.last_chunk::<8>());
            if let (Some(&first), Some(&second)) = (first, second) {
                let chars = u128::from(eight(u64::from_be_bytes(first)))
                    | u128::from(eight(u64::from_be_bytes(second))) << 64;
                out.extend_from_slice(&chars.to_le_bytes());
            }
            rest = &rest[12..];
        }
        // The last two to thirteen bytes: three at a time, then the last one or two and
        // the padding.
        let (whole, rest) = rest.as_chunks::<3>();
        for &[a, b, c] in whole {
            let v = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c);
            let chars =
                u32::from(pairs[(v >> 12) as usize]) | u32::from(pairs[(v & 0xfff) as usize]) << 16;
            out.extend_from_slice(&chars.to_le_bytes());
        }
        if let Some(&first) = rest.first() {
            let second = rest.get(1).copied().unwrap_or(0);
            let v = u32::from(first) << 16 | u32::from(second) << 8;
            let [a, b] = pairs[(v >> 12) as usize].to_le_bytes();
            let [c, _] = pairs[(v & 0xfff) as usize].to_le_bytes();
            let c = if rest.len() == 2 { c } else { self.pad };
            out.extend_from_slice(&[a, b, c, self.pad]);
        }
    }
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
/// keep one buffer.
pub fn decode_into(text: &str, out: &mut Vec<u8>) -> Result<(), EnvelopeError> {
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
    match decode_base64_plain(text.as_bytes(), room) {
        Some(n) => inflate(&room[..n], out),
        None => inflate(&decode_base64(text)?, out),
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
    check_characters(text)?;
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

/// The value of each ticket base64 character (`A-Z a-z 0-9 * -`), and [`NOT_BASE64`]
/// for every other byte.
const BASE64_VALUES: [u8; 256] =
    base64_values(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-");

/// The value of each standard base64 character (`A-Z a-z 0-9 + /`), and [`NOT_BASE64`]
/// for every other byte.
const STANDARD_VALUES: [u8; 256] =
    base64_values(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

/// The value of each character of `alphabet`, and [`NOT_BASE64`] for every other byte.
const fn base64_values(alphabet: &[u8; 64]) -> [u8; 256] {
    let mut t = [NOT_BASE64; 256];
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
}

/// A byte outside the ticket's base64 alphabet, in [`BASE64_VALUES`].
const NOT_BASE64: u8 = 0xff;

/// [`BASE64_VALUES`] placed for each of the four characters of a group, so that a group
/// is the OR of four lookups: the 24 bits it stands for, in the order they are written
/// (little-endian bytes), with bits above them set when a character is not base64.
const GROUP_BITS: [[u32; 256]; 4] = group_bits(&BASE64_VALUES);

/// [`GROUP_BITS`] for the standard alphabet.
const STANDARD_GROUP_BITS: [[u32; 256]; 4] = group_bits(&STANDARD_VALUES);

/// The four lookup tables of a group (see [`GROUP_BITS`]) for an alphabet's values.
const fn group_bits(values: &[u8; 256]) -> [[u32; 256]; 4] {
    let mut t = [[0u32; 256]; 4];
    let mut c = 0;
    while c < 256 {
        let v = values[c];
        if v == NOT_BASE64 {
            t[0][c] = u32::MAX;
            t[1][c] = u32::MAX;
            t[2][c] = u32::MAX;
            t[3][c] = u32::MAX;
        } else {
            let v = v as u32;
            // Bytes b0 b1 b2 from the 6-bit values a b c d: b0 = a<<2 | b>>4,
            // b1 = (b & 15)<<4 | c>>2, b2 = (c & 3)<<6 | d.
            t[0][c] = v << 2;
            t[1][c] = v >> 4 | (v & 15) << 12;
            t[2][c] = (v >> 2) << 8 | (v & 3) << 22;
            t[3][c] = v << 16;
        }
        c += 1;
    }
    t
}

/// The common case of [`decode`]'s base64 step in one pass: ticket characters only (no
/// white space), `_` padding exactly as long as base64 needs, and no stray bits in the
/// last character. `None` for anything else, and the full path then decodes or names
/// what is wrong; what this accepts, the full path decodes to the same bytes. The bytes
/// go to the front of `out` (at least `text.len() / 4 * 3` long); returns how many.
fn decode_base64_plain(text: &[u8], out: &mut [u8]) -> Option<usize> {
    decode_groups(text, out, b'_', &BASE64_VALUES, &GROUP_BITS)
}

/// Strict standard base64 (`+/`, `=` padding exactly as long as base64 needs, no stray
/// bits in the last character: what the base64 crate's `STANDARD` engine accepts) in
/// one pass, for text that is not empty; `None` for anything else, the caller then asks
/// the base64 crate (which decodes the same bytes, or names what is wrong).
pub(crate) fn decode_standard_plain(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0u8; text.len() / 4 * 3];
    let n = decode_groups(text, &mut out, b'=', &STANDARD_VALUES, &STANDARD_GROUP_BITS)?;
    out.truncate(n);
    Some(out)
}

/// [`decode_base64_plain`] for any alphabet (its values and group tables) and padding
/// character.
#[inline(always)]
fn decode_groups(
    text: &[u8],
    out: &mut [u8],
    pad: u8,
    values: &[u8; 256],
    group_bits: &[[u32; 256]; 4],
) -> Option<usize> {
    let body = text
        .strip_suffix(&[pad, pad])
        .or_else(|| text.strip_suffix(&[pad]))
        .unwrap_or(text);
    if body.is_empty() || !text.len().is_multiple_of(4) || body.last() == Some(&pad) {
        return None;
    }
    let mut groups = body.chunks_exact(4);
    let whole = body.len() / 4 * 3;
    let (head, tail) = out.get_mut(..text.len() / 4 * 3)?.split_at_mut(whole);
    let mut bad = 0;
    for (group, bytes) in (&mut groups).zip(head.chunks_exact_mut(3)) {
        let n = group_bits[0][usize::from(group[0])]
            | group_bits[1][usize::from(group[1])]
            | group_bits[2][usize::from(group[2])]
            | group_bits[3][usize::from(group[3])];
        bad |= n;
        bytes.copy_from_slice(&n.to_le_bytes()[..3]);
    }
    if bad >> 24 != 0 {
        return None;
    }
    let value = |b: &u8| Some(values[usize::from(*b)]).filter(|&v| v != NOT_BASE64);
    match *groups.remainder() {
        // The bits of the last character past the last byte must be zero.
        [a, b] => {
            let (a, b) = (value(&a)?, value(&b)?);
            if b & 0x0f != 0 {
                return None;
            }
            tail[0] = a << 2 | b >> 4;
            Some(whole + 1)
        }
        [a, b, c] => {
            let (a, b, c) = (value(&a)?, value(&b)?, value(&c)?);
            if c & 0x03 != 0 {
                return None;
            }
            tail[0] = a << 2 | b >> 4;
            tail[1] = b << 4 | c >> 2;
            Some(whole + 2)
        }
        [] => Some(whole),
        _ => None,
    }
}

/// Quotes a ticket gets wrapped in when copied from code, JSON or a word processor.
const QUOTES: [char; 7] = [
    '"', '\'', '`', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}',
];

/// Name the first thing in `text` that no ticket holds, before the length and padding
/// are looked at (a ticket in quotes is not "missing its padding"): a byte-order mark,
/// quotes, URL-encoding, a NUL, standard base64 characters, any other character, or
/// `_` padding followed by more text. Offsets are bytes into `text`.
fn check_characters(text: &str) -> Result<(), EnvelopeError> {
    // The common case in one pass over the bytes: ticket characters and white space, then
    // only '_' padding. Everything this accepts, the loop below accepts too.
    let bytes = text.as_bytes();
    let body = bytes.iter().rposition(|&b| b != b'_').map_or(0, |i| i + 1);
    if bytes[..body].iter().all(|&b| {
        b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b' ' | b'\t' | b'\r' | b'\n')
    }) {
        return Ok(());
    }
    name_first_wrong_character(text)
}

/// [`check_characters`] character by character.
fn name_first_wrong_character(text: &str) -> Result<(), EnvelopeError> {
    if text.starts_with('\u{feff}') {
        return Err(EnvelopeError::ByteOrderMark);
    }
    let trimmed = text.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
    let ends = [trimmed.chars().next(), trimmed.chars().next_back()];
    if let Some(q) = ends.into_iter().flatten().find(|c| QUOTES.contains(c)) {
        return Err(EnvelopeError::Quoted(q));
    }
    let mut padding_at = None;
    for (at, ch) in text.char_indices() {
        match ch {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '*' | '-' => {
                if let Some(p) = padding_at {
                    return Err(EnvelopeError::NotBase64(format!(
                        "its '_' padding at byte {p} is followed by more text"
                    )));
                }
            }
            '_' => {
                padding_at.get_or_insert(at);
            }
            ' ' | '\t' | '\r' | '\n' => {}
            '\0' => return Err(EnvelopeError::Nul(at)),
            '%' if text
                .get(at + 1..at + 3)
                .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())) =>
            {
                return Err(EnvelopeError::UrlEncoded {
                    seq: text[at..at + 3].to_owned(),
                    at,
                });
            }
            '+' | '/' | '=' => return Err(EnvelopeError::StandardBase64 { ch, at }),
            _ => return Err(EnvelopeError::Foreign { ch, at }),
        }
    }
    Ok(())
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

/// Inflate one complete zlib stream into `out` (cleared first), with the output capped
/// at [`MAX_TICKET_BYTES`].
fn inflate(input: &[u8], out: &mut Vec<u8>) -> Result<(), EnvelopeError> {
    INFLATE.with(|cell| {
        let mut z = cell.borrow_mut();
        z.reset(true);
        inflate_with(&mut z, input, out)
    })
}

thread_local! {
    /// One inflater per thread, reset for each ticket: setting one up costs more than
    /// inflating a ticket.
    static INFLATE: RefCell<Decompress> = RefCell::new(Decompress::new(true));
}

/// Inflate `input` with `z` (fresh or reset) into `out`, which is cleared first and whose
/// capacity is reused.
fn inflate_with(z: &mut Decompress, input: &[u8], out: &mut Vec<u8>) -> Result<(), EnvelopeError> {
    out.clear();
    let first = (input.len() * 4).clamp(256, MAX_TICKET_BYTES);
    if out.capacity() < first {
        out.reserve_exact(first);
    }
    loop {
        if out.len() == out.capacity() {
            if out.len() > MAX_TICKET_BYTES {
                return Err(EnvelopeError::InflatesTooLarge);
            }
            // Room for one byte past the cap, so "exactly at the cap" is told apart
            // from "over it".
            let want = (out.capacity() * 2).min(MAX_TICKET_BYTES + 1) - out.len();
            out.reserve_exact(want.max(1));
        }
        let consumed = usize::try_from(z.total_in()).unwrap_or(usize::MAX);
        let rest = input.get(consumed..).unwrap_or_default();
        let (in_before, out_before) = (z.total_in(), z.total_out());
        let status = z
            .decompress_vec(rest, out, FlushDecompress::None)
            .map_err(|e| EnvelopeError::NotZlib(zlib_reason(&e)))?;
        if out.len() > MAX_TICKET_BYTES {
            return Err(EnvelopeError::InflatesTooLarge);
        }
        match status {
            Status::StreamEnd => break,
            Status::Ok | Status::BufError => {
                let stalled = z.total_in() == in_before && z.total_out() == out_before;
                if stalled && out.len() < out.capacity() {
                    // No progress with room to spare: the input ran out mid-stream.
                    return Err(EnvelopeError::NotZlib("the stream is cut short".into()));
                }
            }
        }
    }
    if usize::try_from(z.total_in()).ok() != Some(input.len()) {
        return Err(EnvelopeError::TrailingData);
    }
    Ok(())
}

fn zlib_reason(e: &flate2::DecompressError) -> String {
    if e.needs_dictionary().is_some() {
        return "it needs a preset dictionary".into();
    }
    match e.message() {
        Some(m) => m.to_string(),
        None => "corrupt stream".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The one-pass check agrees with the character-by-character one on any text made
        /// of ticket characters, padding, white space and the characters that are named.
        #[test]
        fn the_fast_character_check_agrees_with_the_full_one(
            text in "[A-Za-z0-9*\\-_ \t\r\n\"'%+/=\u{0}\u{feff}\u{e9}]{0,40}"
        ) {
            proptest::prop_assert_eq!(check_characters(&text), name_first_wrong_character(&text));
        }
    }
    use base64::engine::general_purpose::STANDARD;
    use flate2::Compression;

    /// The one-pass decoder into a vector.
    fn plain(text: &[u8]) -> Option<Vec<u8>> {
        let mut out = vec![0; text.len() / 4 * 3];
        let n = decode_base64_plain(text, &mut out)?;
        out.truncate(n);
        Some(out)
    }

    proptest::proptest! {
        /// Whatever the one-pass decoder takes, the full path decodes to the same bytes;
        /// and it takes every ticket the encoder writes.
        #[test]
        fn the_one_pass_base64_agrees_with_the_full_path(
            text in "[A-Za-z0-9*_ +/=-]{0,13}",
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
        ) {
            if let Some(bytes) = plain(text.as_bytes()) {
                proptest::prop_assert_eq!(decode_base64(&text), Ok(bytes));
            }
            let ticket = TICKET_BASE64.encode(&data) + &"_".repeat((3 - data.len() % 3) % 3);
            let bytes = plain(ticket.as_bytes());
            proptest::prop_assert_eq!(bytes.as_deref(), (!data.is_empty()).then_some(&data[..]));
        }
    }

    proptest::proptest! {
        /// The pair-table encoder appends exactly what the base64 crate writes, in either
        /// alphabet and padding, after whatever the buffer held.
        #[test]
        fn the_pair_table_encoder_writes_the_base64_crates_bytes(
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
            before in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..5),
        ) {
            let mut out = before.clone();
            STANDARD_BASE64_OUT.push(&mut out, &data);
            proptest::prop_assert_eq!(&out[..before.len()], &before[..]);
            let want = STANDARD.encode(&data);
            proptest::prop_assert_eq!(&out[before.len()..], want.as_bytes());
            let mut out = before.clone();
            push_text(&mut out, &data);
            proptest::prop_assert_eq!(&out[..before.len()], &before[..]);
            let want = ticket_text(&data);
            proptest::prop_assert_eq!(&out[before.len()..], want.as_bytes());
        }
    }

    /// Every pair of characters in both tables: each 12-bit value as the first and as the
    /// second half of a group, and every length's padding.
    #[test]
    fn the_pair_tables_hold_every_pair() {
        let data: Vec<u8> = (0..4096u32)
            .flat_map(|v| {
                let w = v << 12 | (4095 - v);
                [(w >> 16) as u8, (w >> 8) as u8, w as u8]
            })
            .collect();
        for len in (0..12).chain([data.len() - 1, data.len()]) {
            let mut out = Vec::new();
            STANDARD_BASE64_OUT.push(&mut out, &data[..len]);
            assert_eq!(out, STANDARD.encode(&data[..len]).as_bytes(), "{len}");
            let mut out = Vec::new();
            push_text(&mut out, &data[..len]);
            assert_eq!(out, ticket_text(&data[..len]).as_bytes(), "{len}");
        }
    }

    proptest::proptest! {
        /// Whatever the one-pass standard decoder takes, the base64 crate's STANDARD
        /// engine decodes to the same bytes; and it takes everything that engine writes.
        #[test]
        fn the_one_pass_standard_base64_agrees_with_the_base64_crate(
            text in "[A-Za-z0-9*_ +/=-]{0,13}",
            near in "[A-Da-d0-3+/=_*]{0,10}={0,3}",
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..70),
        ) {
            for text in [&text, &near] {
                if let Some(bytes) = decode_standard_plain(text.as_bytes()) {
                    proptest::prop_assert_eq!(STANDARD.decode(text), Ok(bytes), "{:?}", text);
                }
            }
            let bytes = decode_standard_plain(STANDARD.encode(&data).as_bytes());
            proptest::prop_assert_eq!(bytes.as_deref(), (!data.is_empty()).then_some(&data[..]));
        }
    }

    #[test]
    fn the_one_pass_standard_base64_leaves_the_rest_to_the_base64_crate() {
        for text in [
            "", "YQ", "YQ=", "YR==", "YWI=A", "YWJ=", "YQ===", "Y===", "====", "YW*j", "YW-j",
            "YW_j", "YWJj_", " YWJj", "YWJj\n", "YQ==YWJj", "=YWJ", "YWJjYQ",
        ] {
            assert_eq!(decode_standard_plain(text.as_bytes()), None, "{text:?}");
            if !text.is_empty() {
                assert!(STANDARD.decode(text).is_err(), "{text:?}");
            }
        }
        assert_eq!(decode_standard_plain(b"YWJj").as_deref(), Some(&b"abc"[..]));
        assert_eq!(decode_standard_plain(b"YWI=").as_deref(), Some(&b"ab"[..]));
        assert_eq!(decode_standard_plain(b"YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(
            decode_standard_plain(b"+/+/").as_deref(),
            Some(&[0xfb, 0xff, 0xbf][..])
        );
    }

    #[test]
    fn the_one_pass_base64_leaves_the_rest_to_the_full_path() {
        for text in [
            "", "eJw", "eJ__", "eJ___", "eA__A", "eJ+x", "eJ/x", "eJ==", " eJwA", "eJwA\n", "eB__",
            "eJx_", "\"eJwA\"", "eJ%2A",
        ] {
            assert_eq!(plain(text.as_bytes()), None, "{text:?}");
        }
        assert_eq!(plain(b"eJwA").as_deref(), Some(&[0x78, 0x9c, 0][..]));
        assert_eq!(plain(b"eA__").as_deref(), Some(&[0x78][..]));
        assert_eq!(plain(b"eJw_").as_deref(), Some(&[0x78, 0x9c][..]));
    }

    /// Every kind of damage is named, for our encoder's streams and zlib's stored ones.
    #[test]
    fn damaged_streams_are_named() {
        let json = br#"{"TLS.identifier":"xiaojun"}"#;
        for z in [crate::deflate::zlib(json), {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Compression::new(0));
            e.write_all(json).unwrap();
            e.finish().unwrap()
        }] {
            assert_eq!(decode(&ticket_text(&z)).unwrap(), json);
            let mut bad_sum = z.clone();
            *bad_sum.last_mut().unwrap() ^= 1;
            let mut extra = z.clone();
            extra.push(0);
            for (bytes, want) in [
                (bad_sum, "incorrect data check"),
                (z[..z.len() - 2].to_vec(), ""),
                (extra, "extra bytes"),
            ] {
                let err = decode(&ticket_text(&bytes)).unwrap_err().to_string();
                assert!(err.contains(want), "{err}");
            }
        }
    }
    use std::io::Write;

    /// Ticket text for raw bytes, made the plain way (independent of `encode`).
    fn ticket_text(bytes: &[u8]) -> String {
        STANDARD
            .encode(bytes)
            .replace('+', "*")
            .replace('/', "-")
            .replace('=', "_")
    }

    #[test]
    fn round_trip_and_alphabet() {
        let json = br#"{"TLS.identifier":"a/b+c=d"}"#;
        let text = encode(json);
        let raw = STANDARD.decode(text.replace('*', "+").replace('-', "/").replace('_', "="));
        assert_eq!(raw.unwrap()[..2], [0x78, 0x01], "zlib header of level 1");
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"*-_".contains(&b))
        );
        assert_eq!(decode(&text).unwrap(), json);
    }

    #[test]
    fn white_space_anywhere_is_ignored() {
        let text = encode(b"{}");
        let (a, b) = text.split_at(5);
        let spaced = format!(" {a}\r\n\t{b} \n");
        assert_eq!(decode(&spaced).unwrap(), b"{}");
    }

    #[test]
    fn base64url_and_standard_characters_are_refused() {
        assert_eq!(
            decode("eJ+x"),
            Err(EnvelopeError::StandardBase64 { ch: '+', at: 2 })
        );
        assert_eq!(
            decode("eJ/x"),
            Err(EnvelopeError::StandardBase64 { ch: '/', at: 2 })
        );
        assert_eq!(
            decode("eJ=="),
            Err(EnvelopeError::StandardBase64 { ch: '=', at: 2 })
        );
        assert_eq!(decode(" \n"), Err(EnvelopeError::Empty));
    }

    #[test]
    fn characters_are_named_before_length_and_padding() {
        let good = encode(br#"{"TLS.identifier":"xiaojun"}"#);
        let cases = [
            (format!("\"{good}\""), EnvelopeError::Quoted('"')),
            (format!("'{good}'"), EnvelopeError::Quoted('\'')),
            (format!("{good}\""), EnvelopeError::Quoted('"')),
            (
                format!("\u{201c}{good}\u{201d}"),
                EnvelopeError::Quoted('\u{201c}'),
            ),
            (format!("\u{feff}{good}"), EnvelopeError::ByteOrderMark),
            (
                format!("eJ%2Ax{good}"),
                EnvelopeError::UrlEncoded {
                    seq: "%2A".into(),
                    at: 2,
                },
            ),
            (format!("{good}\0"), EnvelopeError::Nul(good.len())),
            (format!("ab\0{good}"), EnvelopeError::Nul(2)),
            (
                format!("ab\u{e9}{good}"),
                EnvelopeError::Foreign {
                    ch: '\u{e9}',
                    at: 2,
                },
            ),
            (
                format!("ab%zz{good}"),
                EnvelopeError::Foreign { ch: '%', at: 2 },
            ),
            (
                format!("ab\u{85}{good}"),
                EnvelopeError::Foreign {
                    ch: '\u{85}',
                    at: 2,
                },
            ),
            (
                format!("a b+{good}"),
                EnvelopeError::StandardBase64 { ch: '+', at: 3 },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(decode(&text), Err(want.clone()), "{text:?}");
            assert!(want.fix().is_some(), "{want:?}");
        }
        let inner = format!("ab__{good}");
        assert_eq!(
            decode(&inner),
            Err(EnvelopeError::NotBase64(
                "its '_' padding at byte 2 is followed by more text".into()
            ))
        );
    }

    #[test]
    fn missing_padding_is_refused() {
        let text = encode(b"{}");
        let unpadded = text.trim_end_matches('_');
        assert_ne!(unpadded, text);
        assert!(matches!(decode(unpadded), Err(EnvelopeError::NotBase64(_))));
    }

    #[test]
    fn truncated_and_trailing_streams_are_refused() {
        let z = {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
            e.write_all(&[b'x'; 300]).unwrap();
            e.finish().unwrap()
        };
        let cut = ticket_text(&z[..z.len() - 3]);
        assert!(matches!(decode(&cut), Err(EnvelopeError::NotZlib(_))));
        let mut extra = z.clone();
        extra.push(0);
        let extra = ticket_text(&extra);
        assert_eq!(decode(&extra), Err(EnvelopeError::TrailingData));
    }

    #[test]
    fn bomb_is_refused_with_bounded_memory() {
        // 64 MiB of zeros compresses to ~64 KiB; inflating stops at the cap.
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Compression::best());
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..64 {
            e.write_all(&chunk).unwrap();
        }
        let z = e.finish().unwrap();
        let text = ticket_text(&z);
        assert!(text.len() < MAX_TICKET_BYTES);
        assert_eq!(decode(&text), Err(EnvelopeError::InflatesTooLarge));
    }

    #[test]
    fn exactly_at_the_cap_is_accepted() {
        let data = vec![b'a'; MAX_TICKET_BYTES];
        assert_eq!(decode(&encode(&data)).unwrap().len(), MAX_TICKET_BYTES);
        let data = vec![b'a'; MAX_TICKET_BYTES + 1];
        assert_eq!(decode(&encode(&data)), Err(EnvelopeError::InflatesTooLarge));
    }
}
