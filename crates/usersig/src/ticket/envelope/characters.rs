//! Naming the first character no ticket holds.

use super::error::EnvelopeError;

/// Quotes a ticket gets wrapped in when copied from code, JSON or a word processor.
const QUOTES: [char; 7] = [
    '"', '\'', '`', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}',
];

/// Name the first thing in `text` that no ticket holds, before the length and padding
/// are looked at (a ticket in quotes is not "missing its padding"): a byte-order mark,
/// quotes, URL-encoding, a NUL, standard base64 characters, any other character, or
/// `_` padding followed by more text. Offsets are bytes into `text`.
pub(super) fn name_first_wrong_character(text: &str) -> Result<(), EnvelopeError> {
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
