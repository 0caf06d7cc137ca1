//! Machine-readable results: the JSON objects that `--json` prints, one per result, with
//! their fields in a fixed, readable order. The batch commands print the same objects.
//!
//! Each kind of result is a struct here, serialized with serde in field order; optional
//! fields are left out when absent. Every string is written with display escaping
//! ([`Escape::Display`]: no control or reordering character reaches a terminal), and
//! every text that echoes what a user gave is scrubbed of secret-shaped runs
//! ([`redact::scrub`]) when the struct is made.

use std::borrow::Cow;
use std::cell::RefCell;
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
    fn with_identifier(info: &TicketInfo, now: i64, identifier: Option<String>) -> TicketFields {
        TicketFields {
            version: info.version.name(),
            identifier,
            ticket_identifier: None,
            sdkappid: info.sdkappid,
            init_time: info.init_time,
            expire: info.expire,
            expires_at: info.expires_at(),
            expires_at_rfc3339: rfc3339_kept(info.expires_at()),
            remaining_seconds: info.expires_at().saturating_sub(now),
            userbuf_base64: info.userbuf.as_ref().map(|ub| STANDARD.encode(ub)),
        }
    }
}

thread_local! {
    /// The moment last written in RFC 3339 on this thread, and how.
    static LAST_RFC3339: RefCell<Option<(i64, String)>> = const { RefCell::new(None) };
}

/// [`rfc3339`], kept for the next ticket: a batch's tickets mostly expire at one moment.
fn rfc3339_kept(unix: i64) -> String {
    LAST_RFC3339.with(|cell| {
        let Ok(mut last) = cell.try_borrow_mut() else {
            return rfc3339(unix);
        };
        match &*last {
            Some((at, text)) if *at == unix => text.clone(),
            _ => {
                let text = rfc3339(unix);
                *last = Some((unix, text.clone()));
                text
            }
        }
    })
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
    /// `ticket_identifier` only when it differs (a 70013).
    pub fn for_line(checked: &Checked, min_remaining: Option<u64>, line: u64, asked: &str) -> Self {
        let ticket = checked.info.as_ref().map(|info| {
            let mut fields = TicketFields::with_identifier(info, checked.now, None);
            if info.identifier != asked {
                fields.ticket_identifier = Some(redact::scrub(&info.identifier).into_owned());
            }
            fields
        });
        let mut report = Self::with_ticket(checked, min_remaining, &[], ticket);
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

/// Append `"name":` to a JSON object being written (`name` needs no escaping).
#[inline]
fn push_name(out: &mut Vec<u8>, name: &str) {
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

/// Append `,"name":"text"` (display escaping) to an object being written.
#[inline]
fn push_str_member(out: &mut Vec<u8>, name: &str, text: &str) {
    out.push(b',');
    push_name(out, name);
    json::push_string(out, text, Escape::Display);
}

/// Append `,"name":n` to an object being written.
#[inline]
fn push_int_member(out: &mut Vec<u8>, name: &str, n: i64) {
    out.push(b',');
    push_name(out, name);
    json::push_int(out, n);
}

impl TicketFields {
    /// Append these fields as members of an object being written (each after a comma),
    /// exactly as serde writes them flattened into a report.
    fn push_members(&self, out: &mut Vec<u8>) {
        push_str_member(out, "version", self.version);
        if let Some(id) = &self.identifier {
            push_str_member(out, "identifier", id);
        }
        if let Some(id) = &self.ticket_identifier {
            push_str_member(out, "ticket_identifier", id);
        }
        // The times of a batch's tickets are mostly the same: their members are written
        // once and copied while they stay the same.
        LAST_TIMES.with(|cell| {
            let Ok(mut last) = cell.try_borrow_mut() else {
                return self.push_times(out);
            };
            let (values, text) = &mut *last;
            if !values.as_ref().is_some_and(|v| self.same_times(v)) {
                text.clear();
                self.push_times(text);
                *values = Some(self.times());
            }
            out.extend_from_slice(text);
        });
        if let Some(ub) = &self.userbuf_base64 {
            push_str_member(out, "userbuf_base64", ub);
        }
    }
}

/// The values written by [`TicketFields::push_times`].
type Times = (u32, i64, i64, i64, String, i64);

thread_local! {
    /// The times last written on this thread, and what they were written as.
    static LAST_TIMES: RefCell<(Option<Times>, Vec<u8>)> = const { RefCell::new((None, Vec::new())) };
}

impl TicketFields {
    /// Append the members from `sdkappid` to `remaining_seconds`.
    fn push_times(&self, out: &mut Vec<u8>) {
        push_int_member(out, "sdkappid", i64::from(self.sdkappid));
        push_int_member(out, "init_time", self.init_time);
        push_int_member(out, "expire", self.expire);
        push_int_member(out, "expires_at", self.expires_at);
        push_str_member(out, "expires_at_rfc3339", &self.expires_at_rfc3339);
        push_int_member(out, "remaining_seconds", self.remaining_seconds);
    }

    fn times(&self) -> Times {
        (
            self.sdkappid,
            self.init_time,
            self.expire,
            self.expires_at,
            self.expires_at_rfc3339.clone(),
            self.remaining_seconds,
        )
    }

    fn same_times(&self, t: &Times) -> bool {
        (self.sdkappid, self.init_time, self.expire, self.expires_at) == (t.0, t.1, t.2, t.3)
            && self.remaining_seconds == t.5
            && self.expires_at_rfc3339 == t.4
    }
}

impl VerifyReport {
    /// Append this report and a newline to a batch's output: byte for byte what
    /// [`push_line`] writes (a test holds the two together), without serde's detour
    /// through a string per field (verify-batch writes one of these per input line).
    pub fn push_line(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(if self.ok {
            b"{\"ok\":true"
        } else {
            b"{\"ok\":false"
        });
        if let Some(line) = self.line {
            out.push(b',');
            push_name(out, "line");
            json::push_uint(out, line);
        }
        if let Some(asked) = &self.asked {
            push_str_member(out, "identifier", asked);
        }
        out.extend_from_slice(if self.valid {
            b",\"valid\":true"
        } else {
            b",\"valid\":false"
        });
        push_int_member(out, "code", i64::from(self.code));
        if let Some(reason) = &self.reason {
            push_str_member(out, "reason", reason);
        }
        if let Some(ticket) = &self.ticket {
            ticket.push_members(out);
        }
        if let Some(key) = &self.key {
            push_str_member(out, "key", key);
        }
        if let Some(key) = &self.key_base64 {
            push_str_member(out, "key_base64", key);
        }
        out.extend_from_slice(b"}\n");
    }
}

impl VerifyReport {
    /// Append verify-batch's line for input line `line`, which asked about `asked`:
    /// byte for byte what [`VerifyReport::for_line`] then [`VerifyReport::push_line`]
    /// write (a test holds them together), without building the report when the ticket
    /// is valid, is for the identifier asked for, has no userbuf and is not expiring
    /// (the common case). Returns whether the ticket is valid and whether the line is ok.
    pub fn push_for_line(
        checked: &Checked,
        min_remaining: Option<u64>,
        line: u64,
        asked: &str,
        out: &mut Vec<u8>,
    ) -> (bool, bool) {
        let plain = match (&checked.verdict, &checked.info) {
            (Ok(_), Some(info)) => {
                info.identifier == asked
                    && info.userbuf.is_none()
                    && expiring_soon(checked, min_remaining).is_none()
            }
            _ => false,
        };
        let (true, Some(info)) = (plain, &checked.info) else {
            let report = Self::for_line(checked, min_remaining, line, asked);
            report.push_line(out);
            return (report.valid, report.ok);
        };
        out.extend_from_slice(b"{\"ok\":true,\"line\":");
        json::push_uint(out, line);
        push_str_member(out, "identifier", &redact::scrub(asked));
        out.extend_from_slice(b",\"valid\":true,\"code\":0");
        push_str_member(out, "version", info.version.name());
        // The members from sdkappid on, as TicketFields::push_members writes them: kept
        // while the numbers they are made of stay the same.
        let key = (
            info.sdkappid,
            info.init_time,
            info.expire,
            info.expires_at().saturating_sub(checked.now),
        );
        LAST_LINE_TIMES.with(|cell| {
            let Ok(mut last) = cell.try_borrow_mut() else {
                return TicketFields::with_identifier(info, checked.now, None).push_times(out);
            };
            let (kept, text) = &mut *last;
            if *kept != Some(key) {
                text.clear();
                TicketFields::with_identifier(info, checked.now, None).push_times(text);
                *kept = Some(key);
            }
            out.extend_from_slice(text);
        });
        out.extend_from_slice(b"}\n");
        (true, true)
    }
}

/// The numbers verify-batch's times are made of: sdkappid, init_time, expire and
/// remaining_seconds (expires_at and its RFC 3339 follow from them).
type LineTimes = (u32, i64, i64, i64);

thread_local! {
    /// The times [`VerifyReport::push_for_line`] last wrote on this thread, and their text.
    static LAST_LINE_TIMES: RefCell<(Option<LineTimes>, Vec<u8>)> = const { RefCell::new((None, Vec::new())) };
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
    /// Always `renewed`.
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
    /// The deploy hook: null (none, or not run), `ok` or `failed`.
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

/// A gen-batch line that made a ticket: what [`GenBatchLines`] writes, as serde would.
#[cfg(test)]
#[derive(Debug, Serialize)]
pub struct GenBatchLine<'a> {
    /// The identifier (scrubbed).
    pub identifier: &'a str,
    /// The ticket.
    pub usersig: &'a str,
    /// When it expires, Unix seconds.
    pub expires_at: i64,
}

/// The lines of a gen-batch run that made tickets,
/// `{"identifier":…,"usersig":"…","expires_at":N}`: the bytes [`push_line`] writes for
/// such an object, written without serde and with the ticket made straight into the
/// output (a run's tickets all expire at the same second).
pub struct GenBatchLines {
    /// What follows every ticket: `","expires_at":N}` and the line feed.
    tail: Vec<u8>,
}

impl GenBatchLines {
    /// Lines for tickets that expire at `expires_at`, Unix seconds.
    pub fn new(expires_at: i64) -> GenBatchLines {
        GenBatchLines {
            tail: format!("\",\"expires_at\":{expires_at}}}\n").into_bytes(),
        }
    }

    /// Append the line for `identifier` (given scrubbed), whose ticket `push_usersig`
    /// appends (ticket text: nothing in it is escaped). When it fails, `out` is left as
    /// it was and its error returned.
    pub fn push<E>(
        &self,
        out: &mut Vec<u8>,
        identifier: &str,
        push_usersig: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<(), E> {
        let from = out.len();
        out.extend_from_slice(br#"{"identifier":"#);
        json::push_string(out, identifier, Escape::Display);
        out.extend_from_slice(br#","usersig":""#);
        if let Err(e) = push_usersig(out) {
            out.truncate(from);
            return Err(e);
        }
        out.extend_from_slice(&self.tail);
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_kept_rfc3339_is_the_moment_asked_for() {
        // Repeated, changed, changed back, and out of range (the fallback text).
        for unix in [
            0,
            0,
            1_811_316_305,
            1_811_316_305,
            1,
            0,
            i64::MAX,
            i64::MAX,
            -1,
            0,
        ] {
            assert_eq!(rfc3339_kept(unix), rfc3339(unix), "{unix}");
        }
    }

    proptest! {
        /// A gen-batch line is byte for byte what serde writes for the same values, and a
        /// failed ticket leaves nothing behind.
        #[test]
        fn a_gen_batch_line_is_what_serde_writes(
            identifier in prop_oneof![any::<String>(), "[ -~\u{7f}-\u{a0}\u{2028}\u{202e}]{0,12}"],
            usersig in "[A-Za-z0-9*_-]{0,300}",
            expires_at in any::<i64>(),
        ) {
            let mut out = b"x\n".to_vec();
            GenBatchLines::new(expires_at)
                .push(&mut out, &identifier, |out| {
                    out.extend_from_slice(usersig.as_bytes());
                    Ok::<(), ()>(())
                })
                .unwrap();
            let mut want = b"x\n".to_vec();
            push_line(&mut want, &GenBatchLine { identifier: &identifier, usersig: &usersig, expires_at });
            prop_assert_eq!(String::from_utf8(out).unwrap(), String::from_utf8(want).unwrap());
            let mut out = b"x\n".to_vec();
            let failed = GenBatchLines::new(expires_at).push(&mut out, &identifier, |out| {
                out.extend_from_slice(b"half");
                Err("no")
            });
            prop_assert_eq!(failed, Err("no"));
            prop_assert_eq!(out, b"x\n");
        }
    }

    proptest! {
        /// Any string is written exactly as the library's display escaper writes it, and
        /// reads back as itself.
        #[test]
        fn every_string_is_escaped_by_the_one_escaper(s in any::<String>()) {
            let line = to_line(&s);
            prop_assert_eq!(&line, &json::string(&s, Escape::Display));
            prop_assert_eq!(serde_json::from_str::<String>(&line).unwrap(), s);
        }
    }

    fn ticket_fields() -> impl Strategy<Value = TicketFields> {
        (
            prop_oneof![Just("v1"), Just("v2"), Just("v1-plain-json")],
            proptest::option::of(any::<String>()),
            proptest::option::of(any::<String>()),
            any::<u32>(),
            (any::<i64>(), any::<i64>(), any::<i64>(), any::<i64>()),
            any::<String>(),
            proptest::option::of("[A-Za-z0-9+/=]{0,12}"),
        )
            .prop_map(
                |(version, identifier, ticket_identifier, sdkappid, n, rfc, ub)| TicketFields {
                    version,
                    identifier,
                    ticket_identifier,
                    sdkappid,
                    init_time: n.0,
                    expire: n.1,
                    expires_at: n.2,
                    expires_at_rfc3339: rfc,
                    remaining_seconds: n.3,
                    userbuf_base64: ub,
                },
            )
    }

    proptest! {
        /// verify-batch's own writer writes every report exactly as serde does.
        #[test]
        fn the_verify_line_writer_writes_what_serde_writes(
            (ok, valid) in (any::<bool>(), any::<bool>()),
            line in proptest::option::of(any::<u64>()),
            asked in proptest::option::of(any::<String>()),
            code in any::<u32>(),
            reason in proptest::option::of(any::<String>()),
            ticket in proptest::option::of(ticket_fields()),
            key in proptest::option::of(any::<String>()),
            key_base64 in proptest::option::of("[A-Za-z0-9+/=]{0,12}"),
        ) {
            let report = VerifyReport { ok, line, asked, valid, code, reason, ticket, key, key_base64 };
            let mut fast = Vec::new();
            report.push_line(&mut fast);
            let mut serde = Vec::new();
            push_line(&mut serde, &report);
            prop_assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(serde).unwrap());
        }
    }

    proptest! {
        /// Reports written one after another on one thread (the times written once and
        /// copied while they stay the same) are each what serde writes.
        #[test]
        fn the_verify_line_writer_keeps_no_stale_times(
            tickets in prop::collection::vec(proptest::option::weighted(0.7, ticket_fields()), 1..8),
            repeat in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
        ) {
            let mut all: Vec<Option<TicketFields>> = tickets;
            // Repeats and near-repeats of earlier tickets: one value changed at a time.
            for (i, at) in repeat.iter().enumerate() {
                let Some(Some(t)) = all.get(at.index(all.len())) else { continue };
                let mut t = t.clone();
                match i % 7 {
                    0 => {}
                    1 => t.sdkappid ^= 1,
                    2 => t.init_time ^= 1,
                    3 => t.expire ^= 1,
                    4 => t.expires_at ^= 1,
                    5 => t.expires_at_rfc3339.push('x'),
                    _ => t.remaining_seconds ^= 1,
                }
                all.push(Some(t));
            }
            for ticket in all {
                let report = VerifyReport {
                    ok: true, line: Some(1), asked: None, valid: true, code: 0, reason: None,
                    ticket, key: None, key_base64: None,
                };
                let mut fast = Vec::new();
                report.push_line(&mut fast);
                let mut serde = Vec::new();
                push_line(&mut serde, &report);
                prop_assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(serde).unwrap());
            }
        }
    }

    proptest! {
        /// verify-batch's line writer writes what for_line then push_line write, line
        /// after line on one thread: valid or not, for the identifier asked or another,
        /// with or without a userbuf, expiring or not, with identifiers to escape or hide.
        #[test]
        fn the_batch_line_writer_writes_what_the_report_writes(
            lines in prop::collection::vec(
                (
                    prop_oneof![
                        Just("user0000001".to_owned()),
                        "[ -~\u{7f}-\u{a0}\u{202e}é]{0,12}",
                        Just("sk-0123456789abcdefABCDEF0123456789".to_owned()),
                    ],
                    any::<bool>(),
                    prop_oneof![Just(0u32), Just(1400001052), any::<u32>()],
                    (prop_oneof![Just(1_795_764_305i64), any::<i64>()], prop_oneof![Just(15_552_000i64), 0..86_400i64 * 400]),
                    proptest::option::weighted(0.2, proptest::collection::vec(any::<u8>(), 0..6)),
                    (0u8..4, prop_oneof![Just(1_800_000_000i64), any::<i64>()]),
                    proptest::option::of(prop_oneof![Just(0u64), Just(86_400 * 300), any::<u64>()]),
                    any::<u64>(),
                ),
                1..12,
            ),
        ) {
            for (id, same, sdkappid, (init_time, expire), userbuf, (verdict, now), min, line) in lines {
                let info = TicketInfo {
                    version: usersig::ticket::Version::V2,
                    identifier: id.clone(),
                    sdkappid,
                    init_time,
                    expire,
                    userbuf,
                };
                let asked = if same { id.clone() } else { format!("{id}x") };
                let verdict = match verdict {
                    0 | 1 => Ok(0),
                    2 => Err(usersig::verify::Failure::IdentifierMismatch { ticket: id.clone(), asked: asked.clone() }),
                    _ => Err(usersig::verify::Failure::SdkAppIdMismatch { ticket: sdkappid, asked: 1 }),
                };
                let checked = Checked { info: Some(info), verdict, now };
                let report = VerifyReport::for_line(&checked, min, line, &asked);
                let mut want = Vec::new();
                report.push_line(&mut want);
                let mut got = b"x".to_vec();
                let (valid, ok) = VerifyReport::push_for_line(&checked, min, line, &asked, &mut got);
                prop_assert_eq!(String::from_utf8(got[1..].to_vec()).unwrap(), String::from_utf8(want).unwrap());
                prop_assert_eq!((valid, ok), (report.valid, report.ok));
            }
        }
    }

    #[test]
    fn the_verify_line_writer_handles_the_extremes() {
        for n in [0, 1, -1, 9, 10, -10, i64::MAX, i64::MIN] {
            let report = VerifyReport {
                ok: true,
                line: Some(n.unsigned_abs()),
                asked: None,
                valid: false,
                code: 70001,
                reason: None,
                ticket: Some(TicketFields {
                    version: "v2",
                    identifier: None,
                    ticket_identifier: None,
                    sdkappid: u32::MAX,
                    init_time: n,
                    expire: n,
                    expires_at: n,
                    expires_at_rfc3339: String::new(),
                    remaining_seconds: n,
                    userbuf_base64: None,
                }),
                key: None,
                key_base64: None,
            };
            let mut fast = Vec::new();
            report.push_line(&mut fast);
            let mut serde = Vec::new();
            push_line(&mut serde, &report);
            assert_eq!(fast, serde, "{n}");
        }
    }

    #[test]
    fn strings_are_escaped_for_display() {
        let line = to_line(&ErrorReport {
            ok: false,
            error: "a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{1b}\u{7f}\u{9b}\u{202e}\u{2028}é/".into(),
            exit_status: 2,
        });
        assert_eq!(
            line,
            r#"{"ok":false,"error":"a\"b\\c\n\r\t\u0008\u000c\u0001\u001b\u007f\u009b\u202e\u2028é/","exit_status":2}"#
        );
        // Exactly what the library's escaper writes, for every character up to U+00FF.
        for c in (0u32..=0xff).filter_map(char::from_u32) {
            let s = format!("x{c}y");
            assert_eq!(to_line(&s), json::string(&s, Escape::Display), "{c:?}");
        }
    }

    #[test]
    fn names_keep_bytes_that_are_not_utf8_in_base64() {
        assert_eq!(name(b"sig"), ("sig".into(), None));
        assert_eq!(name(b"s\xffg"), ("s\u{fffd}g".into(), Some("c/9n".into())));
    }

    const SECRET: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

    #[test]
    fn error_objects_are_scrubbed() {
        let json = error_object(
            &format!("error: environment variable {SECRET} is not set"),
            3,
        );
        assert_eq!(
            json,
            r#"{"ok":false,"error":"error: environment variable [redacted] is not set","exit_status":3}"#
        );
    }

    #[test]
    fn name_fields() {
        let shown = |raw: &[u8]| {
            let (sig_file, sig_file_base64) = name(raw);
            to_line(&KeptLike {
                sig_file,
                sig_file_base64,
            })
        };
        #[derive(Serialize)]
        struct KeptLike {
            sig_file: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            sig_file_base64: Option<String>,
        }
        assert_eq!(shown(b"dir/sig"), r#"{"sig_file":"dir/sig"}"#);
        assert_eq!(shown("naïve\n".as_bytes()), r#"{"sig_file":"naïve\n"}"#);
        assert_eq!(
            shown(format!("./{SECRET}").as_bytes()),
            r#"{"sig_file":"./[redacted]"}"#
        );
        // Not UTF-8: the text with U+FFFD, and the bytes in base64 (scrubbed first).
        let raw = [b"\xff/".as_slice(), SECRET.as_bytes()].concat();
        assert_eq!(
            shown(&raw),
            "{\"sig_file\":\"\u{fffd}/[redacted]\",\"sig_file_base64\":\"/y9bcmVkYWN0ZWRd\"}"
        );
    }

    #[test]
    fn dump_json_escapes_what_a_terminal_acts_on_and_keeps_the_value() {
        let raw = "{\"a\\\"\u{202e}\":\r[\"\u{9b}\\u001b\u{2028}\",\t1]\n}";
        let report = DumpReport::new("v2", raw).unwrap();
        assert_eq!(
            report.json.get(),
            r#"{"a\"\u202e": ["\u009b\u001b\u2028", 1] }"#
        );
        let got: serde_json::Value = serde_json::from_str(report.json.get()).unwrap();
        assert_eq!(got, serde_json::from_str::<serde_json::Value>(raw).unwrap());
    }

    /// Text for JSON strings with what display escaping changes, and what JSON escapes.
    fn hostile_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop::sample::select(vec![
                'a', '"', '\\', '/', '\n', '\r', '\u{1b}', '\u{7f}', '\u{9b}', '\u{85}',
                '\u{2028}', '\u{2029}', '\u{202e}', '\u{2066}', '\u{61c}', 'é', '名',
            ]),
            0..8,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    proptest! {
        #[test]
        fn dump_json_is_the_same_value_without_raw_hazards(
            members in proptest::collection::vec((hostile_text(), hostile_text()), 0..5),
            spaces in proptest::collection::vec(
                prop::sample::select(vec!["", " ", "\t", "\n", "\r", "\r\n "]),
                32,
            ),
        ) {
            // serde_json escapes C0 and keeps DEL, C1 and the others raw, as JSON allows.
            let mut raw = String::from("{");
            for (i, (name, value)) in members.iter().enumerate() {
                if i > 0 {
                    raw.push(',');
                }
                raw.push_str(spaces[(2 * i) % 32]);
                raw.push_str(&serde_json::to_string(name).unwrap());
                raw.push(':');
                raw.push_str(spaces[(2 * i + 1) % 32]);
                raw.push_str(&serde_json::to_string(value).unwrap());
            }
            raw.push_str(spaces[31]);
            raw.push('}');
            let report = DumpReport::new("v1", &raw).unwrap();
            let shown = report.json.get();
            prop_assert!(!shown.chars().any(redact::needs_escape), "{:?}", shown);
            let got: serde_json::Value = serde_json::from_str(shown).unwrap();
            prop_assert_eq!(got, serde_json::from_str::<serde_json::Value>(&raw).unwrap());
            if !raw.chars().any(redact::needs_escape) {
                prop_assert_eq!(shown, raw.as_str());
            }
        }
    }

    #[test]
    fn raw_json_is_kept_byte_for_byte() {
        let json = r#"{"TLS.ver":"2.0","TLS.identifier":"a\u001bb"}"#;
        let line = to_line(&DumpReport {
            ok: true,
            version: "v2",
            json: RawValue::from_string(json.into()).unwrap(),
        });
        assert_eq!(
            line,
            format!(r#"{{"ok":true,"version":"v2","json":{json}}}"#)
        );
    }
}
