//! How text that came from the user is shown: never a secret, never a raw control
//! character.
//!
//! Every message, warning and echo of a path, variable name, key name or identifier goes
//! through this module, so that a v2 secret typed in the wrong place (as a path, an
//! `env:` name, the SIG_FILE, the identifier, the sdkappid) is never printed back, and a
//! file name cannot add a line to the output or send an escape sequence to the terminal.
//!
//! [`scrub`] replaces, with [`MARKER`]:
//!
//! 1. every maximal run of ASCII letters and digits that has the shape of a v2 secret:
//!    at least [`MIN_SECRET_RUN`] (48) characters long, with a stretch of 48 in which at
//!    most [`MAX_NON_HEX`] (2) are not hex digits. A console secret is 64 hex characters;
//!    the rule also catches one typed a few characters short or long, with a typo, in
//!    upper case, or glued to other letters (`mysecret5bd2...`). A legitimate identifier
//!    is at most 32 bytes, so a 32-hex identifier (a UUID without dashes) is left alone.
//!    A ticket never holds such a run: it is base64, in which about two characters in
//!    three are not hex digits, so 46 hex digits in 48 characters do not happen.
//! 2. every run of letters and digits of at least [`MIN_REGISTERED`] (16) characters that
//!    is part of a registered value (so a message that cuts an argument short, such as
//!    `sdkappid "5bd2850fff3e…"`, does not show a prefix of a secret), and every
//!    occurrence of a whole registered value. The command line registers each run of
//!    its arguments that has the shape above ([`register_arguments`]) and each v2
//!    secret it reads ([`register_secret`]). Values shorter than 16 bytes are not
//!    registered: they are not console secrets, and hiding every short word equal to
//!    one would garble messages.
//!
//! [`escape`] and [`shown`] then make the text one safe line: control characters
//! (C0, DEL, C1), the Unicode line and paragraph separators and the bidirectional
//! formatting characters are written as `\n`, `\r`, `\t` or `\u{1b}`, and bytes that are
//! not UTF-8 as `\xff`. [`escape_lossless`] does the same without scrubbing, with a
//! backslash written `\\`, so that different bytes never give the same text (the labels
//! of `metrics`).
//!
//! Data is not scrubbed: tickets, `dump`'s JSON and key fingerprints are printed as they
//! are (a fingerprint's 64 hex digits would have the shape of a secret, so it is never
//! scrubbed); `dump`'s JSON is only escaped.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use usersig::json;
use zeroize::Zeroizing;

/// What a hidden value is replaced with.
pub const MARKER: &str = "[redacted]";
/// The shortest run of letters and digits that can have the shape of a secret.
pub const MIN_SECRET_RUN: usize = 48;
/// How many characters that are not hex digits a secret-shaped stretch may hold.
pub const MAX_NON_HEX: usize = 2;
/// The shortest value registered, and the shortest run matched against registered values.
pub const MIN_REGISTERED: usize = 16;

/// The values read as secrets or given as secret-shaped arguments, wiped on removal.
static REGISTRY: RwLock<Vec<Zeroizing<Vec<u8>>>> = RwLock::new(Vec::new());
/// Whether [`REGISTRY`] holds anything (so that most calls never take the lock).
static REGISTERED: AtomicBool = AtomicBool::new(false);
/// The length of the shortest registered value (`usize::MAX` while there is none).
static SHORTEST: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Remember a value read as a secret, so that it is never shown, whole or in part (a run
/// of 16 or more of its letters and digits). Surrounding white space is ignored; values
/// shorter than 16 bytes are not remembered.
pub fn register_secret(value: &[u8]) {
    let value = value.trim_ascii();
    if value.len() < MIN_REGISTERED {
        return;
    }
    let mut registry = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    if !registry.iter().any(|v| v.as_slice() == value) {
        registry.push(Zeroizing::new(value.to_vec()));
    }
    SHORTEST.fetch_min(value.len(), Ordering::AcqRel);
    REGISTERED.store(true, Ordering::Release);
}

/// Register every secret-shaped run of letters and digits in these command-line
/// arguments (see [`register_secret`]), so that a message quoting an argument cut short
/// does not show part of a secret.
pub fn register_arguments<'a>(args: impl IntoIterator<Item = &'a OsStr>) {
    for arg in args {
        for (start, end) in runs(arg.as_bytes()) {
            let run = &arg.as_bytes()[start..end];
            if secret_shaped(run) {
                register_secret(run);
            }
        }
    }
}

/// Whether the text holds a run with the shape of a secret (rule 1 of [`scrub`]) or a
/// registered value.
pub fn has_secret_shape(text: &[u8]) -> bool {
    matches!(scrub_bytes(text), Cow::Owned(_))
}

/// The text with every secret-shaped run and registered value replaced by [`MARKER`].
pub fn scrub(text: &str) -> Cow<'_, str> {
    match scrub_bytes(text.as_bytes()) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        // Only ASCII runs are replaced, by ASCII, so the text stays UTF-8.
        Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
    }
}

/// [`scrub`] for bytes that need not be UTF-8 (a file name): other bytes are kept.
pub fn scrub_bytes(text: &[u8]) -> Cow<'_, [u8]> {
    // Nothing shorter than 16 bytes can hold a run or a value that is hidden (the common
    // case of an identifier in a batch: no lock is taken).
    if text.len() < MIN_REGISTERED {
        return Cow::Borrowed(text);
    }
    let registered = REGISTERED.load(Ordering::Acquire);
    let mut out: Cow<'_, [u8]> = Cow::Borrowed(text);
    if registered && text.len() >= SHORTEST.load(Ordering::Acquire) {
        let registry = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
        for value in registry.iter() {
            if let Some(replaced) = replace_all(&out, value) {
                out = Cow::Owned(replaced);
            }
        }
    }
    let hidden: Vec<(usize, usize)> = runs(&out)
        .filter(|&(start, end)| {
            let run = &out[start..end];
            secret_shaped(run) || (registered && end - start >= MIN_REGISTERED && in_registry(run))
        })
        .collect();
    if hidden.is_empty() {
        return out;
    }
    let mut result = Vec::with_capacity(out.len());
    let mut at = 0;
    for (start, end) in hidden {
        result.extend_from_slice(&out[at..start]);
        result.extend_from_slice(MARKER.as_bytes());
        at = end;
    }
    result.extend_from_slice(&out[at..]);
    Cow::Owned(result)
}

/// The text as one safe line: control characters, line and paragraph separators and
/// bidirectional formatting characters escaped (`\n`, `\t`, `\r`, `\u{1b}`). Nothing is
/// scrubbed: see [`shown`] for user text.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    push_escaped(&mut out, text);
    Cow::Owned(out)
}

/// User text (a name, a path, a message quoting arguments) as shown in a line of output:
/// scrubbed, then escaped, with each byte that is not UTF-8 as `\xNN`.
pub fn shown(text: &[u8]) -> String {
    let text = scrub_bytes(text);
    let mut out = String::with_capacity(text.len());
    for chunk in text.utf8_chunks() {
        push_escaped(&mut out, chunk.valid());
        push_bytes(&mut out, chunk.invalid());
    }
    out
}

/// Bytes as one line from which they can be told apart (a Prometheus label value): as
/// [`shown`], but nothing is scrubbed and a backslash is written `\\`. Every backslash
/// then starts one of `\\`, `\xNN` (a byte that is not UTF-8), `\n`, `\r`, `\t` or
/// `\u{N}` (a character [`escape`] escapes), and every other character stands for itself,
/// so the bytes can be read back exactly: different bytes never give the same text.
pub fn escape_lossless(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for (i, piece) in chunk.valid().split('\\').enumerate() {
            if i > 0 {
                out.push_str("\\\\");
            }
            push_escaped(&mut out, piece);
        }
        push_bytes(&mut out, chunk.invalid());
    }
    out
}

/// A path as [`shown`].
pub fn shown_path(path: &Path) -> String {
    shown(path.as_os_str().as_bytes())
}

/// Whether a character is written escaped: it could end the line, move the cursor,
/// start a terminal escape sequence, or reorder what is shown.
pub fn needs_escape(c: char) -> bool {
    c.is_control() || json::is_display_hazard(c)
}

/// Bytes that are not UTF-8, each as `\xNN`.
fn push_bytes(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        out.push_str(&format!("\\x{b:02x}"));
    }
}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
}

/// The maximal runs of ASCII letters and digits, as (start, end) offsets.
fn runs(text: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + text[at..].iter().position(u8::is_ascii_alphanumeric)?;
        let len = text[start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .unwrap_or(text.len() - start);
        at = start + len;
        Some((start, at))
    })
}

/// Rule 1: a run of letters and digits with a stretch of 48 holding at most 2 characters
/// that are not hex digits.
fn secret_shaped(run: &[u8]) -> bool {
    if run.len() < MIN_SECRET_RUN {
        return false;
    }
    let non_hex = |b: &u8| usize::from(!b.is_ascii_hexdigit());
    let mut count: usize = run[..MIN_SECRET_RUN].iter().map(non_hex).sum();
    if count <= MAX_NON_HEX {
        return true;
    }
    for i in MIN_SECRET_RUN..run.len() {
        count = count + non_hex(&run[i]) - non_hex(&run[i - MIN_SECRET_RUN]);
        if count <= MAX_NON_HEX {
            return true;
        }
    }
    false
}

/// Whether a run is part of a registered value.
fn in_registry(run: &[u8]) -> bool {
    let registry = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    registry.iter().any(|v| find(v, run).is_some())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `text` with every occurrence of `value` replaced by the marker, or `None` if it has none.
fn replace_all(text: &[u8], value: &[u8]) -> Option<Vec<u8>> {
    let mut first = find(text, value)?;
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    loop {
        out.extend_from_slice(&rest[..first]);
        out.extend_from_slice(MARKER.as_bytes());
        rest = &rest[first + value.len()..];
        match find(rest, value) {
            Some(i) => first = i,
            None => break,
        }
    }
    out.extend_from_slice(rest);
    Some(out)
}

#[cfg(test)]
mod tests;
