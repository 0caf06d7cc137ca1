//! Machine-readable results: the JSON objects that `--json` prints, one per result, with
//! their fields in a fixed, readable order. The batch commands print the same objects.
//!
//! Each kind of result is a struct here, serialized with serde in field order; optional
//! fields are left out when absent. Every string is written with display escaping
//! ([`Escape::Display`]: no control or reordering character reaches a terminal), and
//! every text that echoes what a user gave is scrubbed of secret-shaped runs
//! ([`redact::scrub`]) when the struct is made.

use std::borrow::Cow;
use std::io;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter};
use serde_json::value::RawValue;

use usersig::clock::{describe_span, rfc3339};
use usersig::json::{self, Escape};
use usersig::ticket::TicketInfo;
use usersig::userbuf::{PrivateMapKey, Room};
use usersig::verify::Checked;

use super::redact;

/// serde_json's compact output with every string escaped as shown to a person: the
/// library's one escaper ([`json::push_string`] with [`Escape::Display`]) does the work.
struct DisplayFormatter;

impl DisplayFormatter {
    fn escaped<W: ?Sized + io::Write>(writer: &mut W, text: &str) -> io::Result<()> {
        writer.write_all(string_content(text).as_bytes())
    }
}

/// `text` as the inside of a JSON string escaped for display (without the quotes).
fn string_content(text: &str) -> String {
    let mut quoted = json::string(text, Escape::Display);
    quoted.pop();
    quoted.remove(0);
    quoted
}

impl Formatter for DisplayFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        Self::escaped(writer, fragment)
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        let c = match escape {
            CharEscape::Quote => '"',
            CharEscape::ReverseSolidus => '\\',
            CharEscape::Solidus => '/',
            CharEscape::Backspace => '\u{8}',
            CharEscape::FormFeed => '\u{c}',
            CharEscape::LineFeed => '\n',
            CharEscape::CarriageReturn => '\r',
            CharEscape::Tab => '\t',
            CharEscape::AsciiControl(b) => char::from(b),
        };
        Self::escaped(writer, c.encode_utf8(&mut [0; 4]))
    }
}

/// One result as a line of JSON text (without the newline).
pub fn to_line<T: Serialize>(value: &T) -> String {
    let mut out = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, DisplayFormatter);
    // The structs here hold strings, numbers, booleans and checked raw JSON: writing them
    // into memory cannot fail.
    if value.serialize(&mut ser).is_err() {
        return r#"{"ok":false,"error":"the result could not be written as JSON","exit_status":3}"#
            .to_owned();
    }
    // Only whole characters are escaped, by ASCII: still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// Append one result and a newline to a batch's output.
pub fn push_line<T: Serialize>(out: &mut Vec<u8>, value: &T) {
    out.extend_from_slice(to_line(value).as_bytes());
    out.push(b'\n');
}

/// A name the user gave (a path, a key's name) as it is shown: scrubbed of anything shaped
/// like a secret ([`redact::scrub_bytes`]); when the bytes left are not UTF-8 (a Unix file
/// name can be any bytes), the text with each invalid sequence replaced by U+FFFD, and
/// the bytes exactly in standard base64 for the `<field>_base64` field.
pub fn name(raw: &[u8]) -> (String, Option<String>) {
    let bytes = redact::scrub_bytes(raw);
    match std::str::from_utf8(&bytes) {
        Ok(text) => (text.to_owned(), None),
        Err(_) => (
            String::from_utf8_lossy(&bytes).into_owned(),
            Some(STANDARD.encode(&bytes)),
        ),
    }
}

/// The fields every ticket report carries: what the ticket says, and when it expires
/// relative to the time it was judged at.
#[derive(Debug, Clone, Serialize)]
pub struct TicketFields {
    /// `v1`, `v2` or `v1-plain-json`.
    pub version: &'static str,
    /// The ticket's identifier (scrubbed); left out of verify-batch results, which give
    /// the identifier asked for instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// verify-batch only: the ticket's identifier when it is not the one asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_identifier: Option<String>,
    /// The ticket's SDKAppID.
    pub sdkappid: u32,
    /// When it was issued, Unix seconds.
    pub init_time: i64,
    /// Its validity, seconds.
    pub expire: i64,
    /// `init_time + expire`.
    pub expires_at: i64,
    /// `expires_at` in RFC 3339, UTC.
    pub expires_at_rfc3339: String,
    /// Seconds from the time judged at to `expires_at` (negative once expired).
    pub remaining_seconds: i64,
    /// The userbuf in standard base64, when the ticket has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userbuf_base64: Option<String>,
}

impl TicketFields {
    /// The fields for `info`, judged at `now`.
    pub fn new(info: &TicketInfo, now: i64) -> TicketFields {
        // An identifier has at most 32 bytes; a longer one shaped like a secret (made
        // with --allow-any-identifier) is not shown.
        Self::with_identifier(
            info,
            now,
            Some(redact::scrub(&info.identifier).into_owned()),
        )
    }

    /// The fields for `info`, judged at `now`, with `identifier` as the identifier field.
    pub(super) fn with_identifier(
        info: &TicketInfo,
        now: i64,
        identifier: Option<String>,
    ) -> TicketFields {
        TicketFields {
            version: info.version.name(),
            identifier,
            ticket_identifier: None,
            sdkappid: info.sdkappid,
            init_time: info.init_time,
            expire: info.expire,
            expires_at: info.expires_at(),
            expires_at_rfc3339: rfc3339(info.expires_at()),
            remaining_seconds: info.expires_at().saturating_sub(now),
            userbuf_base64: info.userbuf.as_ref().map(|ub| STANDARD.encode(ub)),
        }
    }
}

/// Why a valid ticket still fails `--min-remaining`, if it does.
pub fn expiring_soon(checked: &Checked, min_remaining: Option<u64>) -> Option<String> {
    let min = i64::try_from(min_remaining?).unwrap_or(i64::MAX);
    let remaining = checked.remaining()?;
    if checked.verdict.is_err() || remaining >= min {
        return None;
    }
    let info = checked.info.as_ref()?;
    Some(format!(
        "the ticket is valid but expires at {} ({} from now), sooner than the {} required by --min-remaining",
        rfc3339(info.expires_at()),
        describe_span(remaining.max(0)),
        describe_span(min),
    ))
}

/// What `verify --json` prints for one ticket.
#[derive(Debug, Serialize)]
pub struct VerifyReport {
    /// Every check passed (including `--min-remaining`).
    pub ok: bool,
    /// verify-batch only: the input line, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// verify-batch only: the identifier asked for (scrubbed). The ticket's own is then
    /// left out of the ticket fields, or given as `ticket_identifier` when it differs.
    #[serde(rename = "identifier", skip_serializing_if = "Option::is_none")]
    pub asked: Option<String>,
    /// The ticket itself is valid.
    pub valid: bool,
    /// 0, or the server code of the failure.
    pub code: u32,
    /// Why not ok (scrubbed: it may quote the identifier asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the ticket says, when it could be read.
    #[serde(flatten)]
    pub ticket: Option<TicketFields>,
    /// The key that verified it, when several were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The key's name in base64 when it is not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_base64: Option<String>,
}

impl VerifyReport {
    /// The report on `checked`; `key_names` name the keys tried, in order.
    pub fn new(checked: &Checked, min_remaining: Option<u64>, key_names: &[Vec<u8>]) -> Self {
        let ticket = checked
            .info
            .as_ref()
            .map(|info| TicketFields::new(info, checked.now));
        Self::with_ticket(checked, min_remaining, key_names, ticket)
    }

    /// verify-batch's result for input line `line`, which asked about `asked`: the
    /// identifier asked for leads (scrubbed), and the ticket's own is given as
    /// `ticket_identifier` only when it differs (a 70013); `key_names` name the keys
    /// tried, in order.
    pub fn for_line(
        checked: &Checked,
        min_remaining: Option<u64>,
        key_names: &[Vec<u8>],
        line: u64,
        asked: &str,
    ) -> Self {
        let ticket = checked.info.as_ref().map(|info| {
            let mut fields = TicketFields::with_identifier(info, checked.now, None);
            if info.identifier != asked {
                fields.ticket_identifier = Some(redact::scrub(&info.identifier).into_owned());
            }
            fields
        });
        let mut report = Self::with_ticket(checked, min_remaining, key_names, ticket);
        report.line = Some(line);
        report.asked = Some(redact::scrub(asked).into_owned());
        report
    }

    fn with_ticket(
        checked: &Checked,
        min_remaining: Option<u64>,
        key_names: &[Vec<u8>],
        ticket: Option<TicketFields>,
    ) -> Self {
        let soon = expiring_soon(checked, min_remaining);
        let valid = checked.verdict.is_ok();
        let code = match &checked.verdict {
            Ok(_) => 0,
            Err(f) => f.code().unwrap_or(0),
        };
        let reason = match (&checked.verdict, &soon) {
            (Err(f), _) => Some(redact::scrub(&super::hints::failure(f)).into_owned()),
            (Ok(_), Some(why)) => Some(redact::scrub(why).into_owned()),
            (Ok(_), None) => None,
        };
        let (key, key_base64) = match (&checked.verdict, key_names.len() > 1) {
            (Ok(i), true) => key_names.get(*i).map(|n| name(n)).unzip(),
            _ => (None, None),
        };
        VerifyReport {
            ok: valid && soon.is_none(),
            line: None,
            asked: None,
            valid,
            code,
            reason,
            ticket,
            key,
            key_base64: key_base64.flatten(),
        }
    }
}

/// The object `verify --json` prints for one ticket (see [`VerifyReport`]).
pub fn verify_object(
    checked: &Checked,
    min_remaining: Option<u64>,
    key_names: &[Vec<u8>],
) -> String {
    to_line(&VerifyReport::new(checked, min_remaining, key_names))
}

/// What `gen --json` prints (and `renew --json` when it renewed, with two more fields).
#[derive(Debug, Serialize)]
pub struct GenReport {
    /// Always true.
    pub ok: bool,
    /// The ticket made.
    pub usersig: String,
    /// What it says (remaining_seconds: its whole validity).
    #[serde(flatten)]
    pub ticket: TicketFields,
    /// Where it was written.
    pub sig_file: String,
    /// The sig file's name in base64 when it is not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sig_file_base64: Option<String>,
}

/// What `renew --json` prints when it wrote a fresh ticket.
#[derive(Debug, Serialize)]
pub struct RenewedReport {
    /// The new ticket, as gen reports it.
    #[serde(flatten)]
    pub made: GenReport,
    /// `renewed`, or `created` when there was no ticket (as `renew --config` says).
    pub action: &'static str,
    /// Why it was renewed.
    pub reason: String,
}

/// What `renew --json` prints when it kept the ticket.
#[derive(Debug, Serialize)]
pub struct KeptReport {
    /// Always true.
    pub ok: bool,
    /// Always `kept`.
    pub action: &'static str,
    /// Why it was kept.
    pub reason: String,
    /// What the kept ticket says.
    #[serde(flatten)]
    pub ticket: TicketFields,
    /// The sig file.
    pub sig_file: String,
    /// The sig file's name in base64 when it is not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sig_file_base64: Option<String>,
}

/// What `renew --config --json` prints for each manifest entry, in manifest order.
#[derive(Debug, Serialize)]
pub struct FleetEntryReport {
    /// The sig file (absolute).
    pub file: String,
    /// The file's name in base64 when it is not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_base64: Option<String>,
    /// The entry's identifier.
    pub identifier: String,
    /// The entry's SDKAppID.
    pub sdkappid: u32,
    /// Whether this was a dry run (then `action` is what would be done).
    pub dry_run: bool,
    /// `kept`, `created`, `renewed` or `error`.
    pub action: &'static str,
    /// Why, or the error.
    pub reason: String,
    /// When the kept or new ticket expires; null on error or a dry-run renewal.
    pub expires_at: Option<i64>,
    /// The deploy hook: null (none, or not run), `ok` or `failed`; on a dry run `would run`
    /// (a ticket would be written) or `pending` (it failed on the last run and would run
    /// again), else null.
    pub hook: Option<&'static str>,
    /// Why the hook failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hook_error: Option<String>,
}

/// A PrivateMapKey found in a userbuf (inspect's `private_map_key`).
#[derive(Debug, Serialize)]
pub struct PrivateMapKeyReport {
    /// The account it was issued to.
    pub account: String,
    /// Its SDKAppID.
    pub sdkappid: u32,
    /// A numeric room (layout 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_id: Option<u32>,
    /// A named room (layout 1); exactly one of room_id and room_name is present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_name: Option<String>,
    /// Its expiry, Unix seconds.
    pub expires_at: u32,
    /// Its expiry in RFC 3339.
    pub expires_at_rfc3339: String,
    /// The privilege bit map.
    pub privileges: u32,
    /// The names of the bits set.
    pub privilege_names: Vec<String>,
    /// The account type.
    pub account_type: u32,
}

impl PrivateMapKeyReport {
    /// The report on `pmk`.
    pub fn new(pmk: &PrivateMapKey) -> PrivateMapKeyReport {
        let (room_id, room_name) = match &pmk.room {
            Room::Numeric(id) => (Some(*id), None),
            Room::Named(name) => (None, Some(name.clone())),
        };
        PrivateMapKeyReport {
            account: pmk.account.clone(),
            sdkappid: pmk.sdkappid,
            room_id,
            room_name,
            expires_at: pmk.expires_at,
            expires_at_rfc3339: rfc3339(i64::from(pmk.expires_at)),
            privileges: pmk.privileges,
            privilege_names: pmk.privilege_names(),
            account_type: pmk.account_type,
        }
    }
}

/// What `inspect --json` prints.
#[derive(Debug, Serialize)]
pub struct InspectReport {
    /// Always true (the ticket could be read).
    pub ok: bool,
    /// What it says, judged now.
    #[serde(flatten)]
    pub ticket: TicketFields,
    /// Whether it has expired.
    pub expired: bool,
    /// `init_time` in RFC 3339, UTC.
    pub issued_at_rfc3339: String,
    /// `init_time` in the host's zone.
    pub issued_at_local: String,
    /// `expires_at` in the host's zone.
    pub expires_at_local: String,
    /// The userbuf as text (scrubbed), when it is printable UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userbuf_text: Option<String>,
    /// The PrivateMapKey the userbuf holds, when it holds one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_map_key: Option<PrivateMapKeyReport>,
    /// Always false: inspect has no key.
    pub verified: bool,
}

/// What `dump --json` prints.
#[derive(Debug, Serialize)]
pub struct DumpReport {
    /// Always true.
    pub ok: bool,
    /// The ticket's form.
    pub version: &'static str,
    /// The ticket's JSON object as it is inside the ticket, but for what
    /// [`display_json`] escapes.
    json: Box<RawValue>,
}

impl DumpReport {
    /// The report for a ticket's JSON text (checked to be JSON), in the form `version`.
    pub fn new(version: &'static str, json: &str) -> serde_json::Result<DumpReport> {
        Ok(DumpReport {
            ok: true,
            version,
            json: RawValue::from_string(display_json(json).into_owned())?,
        })
    }
}

/// JSON text with nothing a terminal acts on, and the same value: in a string, each
/// character [`Escape::Display`] escapes is written as its JSON escape (`\u202e`); between
/// tokens, a tab, line feed or carriage return is written as a space. Every other byte is
/// kept, so an ordinary ticket's JSON is unchanged.
fn display_json(json: &str) -> Cow<'_, str> {
    if !json.chars().any(redact::needs_escape) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    let (mut in_string, mut after_backslash) = (false, false);
    for c in json.chars() {
        let kept = match c {
            // The character after a backslash is part of its escape (ASCII).
            _ if after_backslash => {
                after_backslash = false;
                true
            }
            '\\' if in_string => {
                after_backslash = true;
                true
            }
            '"' => {
                in_string = !in_string;
                true
            }
            c => !redact::needs_escape(c),
        };
        if kept {
            out.push(c);
        } else if in_string {
            out.push_str(&string_content(c.encode_utf8(&mut [0; 4])));
        } else {
            out.push(' ');
        }
    }
    Cow::Owned(out)
}

/// What dump and inspect print for text that is not a ticket.
#[derive(Debug, Serialize)]
pub struct NotATicketReport {
    /// Always false.
    pub ok: bool,
    /// The server code.
    pub code: u32,
    /// Why (scrubbed).
    pub reason: String,
}

/// What `keygen --json` prints.
#[derive(Debug, Serialize)]
pub struct KeygenReport {
    /// Always true.
    pub ok: bool,
    /// The private key file.
    pub private_key: String,
    /// Its name in base64 when it is not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_key_base64: Option<String>,
    /// The public key file.
    pub public_key: String,
    /// Its name in base64 when it is not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key_base64: Option<String>,
    /// The public key's fingerprint.
    pub fingerprint: String,
}

/// What `keycheck --json` prints.
#[derive(Debug, Serialize)]
pub struct KeycheckReport {
    /// Whether the public key belongs to the private key.
    pub ok: bool,
    /// The private key's public half's fingerprint.
    pub private_key_fingerprint: String,
    /// The public key's fingerprint.
    pub public_key_fingerprint: String,
}

/// A failure that is not a verdict (bad arguments, a file or key problem).
#[derive(Debug, Serialize)]
pub struct ErrorReport {
    /// Always false.
    pub ok: bool,
    /// The message (scrubbed).
    pub error: String,
    /// The exit status it comes with.
    pub exit_status: u8,
}

impl ErrorReport {
    /// The report for `message` (scrubbed of secrets, [`redact::scrub`]).
    pub fn new(message: &str, exit_status: u8) -> ErrorReport {
        ErrorReport {
            ok: false,
            error: redact::scrub(message).into_owned(),
            exit_status,
        }
    }
}

/// The object for a failure that is not a verdict: `{"ok":false,"error":…,"exit_status":…}`
/// (see [`ErrorReport`]).
pub fn error_object(message: &str, exit_status: u8) -> String {
    to_line(&ErrorReport::new(message, exit_status))
}

/// A gen-batch line that could not have a ticket.
#[derive(Debug, Serialize)]
pub struct GenBatchError<'a> {
    /// The input line, from 1.
    pub line: u64,
    /// The line's text as the identifier (scrubbed; empty for a line too long).
    pub identifier: &'a str,
    /// `line N: why`.
    pub error: String,
}

/// A verify-batch result for a line that could not be read.
#[derive(Debug, Serialize)]
pub struct VerifyBatchError {
    /// Always false.
    pub ok: bool,
    /// The input line, from 1.
    pub line: u64,
    /// The identifier the line names, when it names one (scrubbed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// `line N: why` (scrubbed).
    pub error: String,
    /// Always 1.
    pub exit_status: u8,
}

mod lines;
#[cfg(test)]
mod tests;

#[cfg(test)]
pub use lines::GenBatchLine;
pub use lines::{GenBatchLines, VerifyBatchLines};
