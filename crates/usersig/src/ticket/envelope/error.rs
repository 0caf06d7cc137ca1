//! What the envelope allows, and why a ticket's envelope could not be opened.

use std::fmt;

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
