//! The batch commands' lines, written without serde: a fast twin of [`super::push_line`]
//! that only the batch objects here use, each owning the text it reuses from line to
//! line (a run's tickets mostly share their times). The tests hold every line to what
//! serde writes for the same report.

#[cfg(test)]
use serde::Serialize;

use usersig::json::{self, Escape};
use usersig::verify::Checked;

use super::super::redact;
use super::{TicketFields, VerifyReport, expiring_soon};

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

/// The values written by [`TicketFields::push_times`].
type Times = (u32, i64, i64, i64, String, i64);

/// The numbers verify-batch's times are made of: sdkappid, init_time, expire and
/// remaining_seconds (expires_at and its RFC 3339 follow from them).
type LineTimes = (u32, i64, i64, i64);

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

/// verify-batch's JSON lines: what [`super::push_line`] writes for each
/// [`VerifyReport`], byte for byte, without serde's detour through a string per field.
/// One a worker: it keeps the text of the last times it wrote, which the next line
/// mostly shares.
#[derive(Default)]
pub struct VerifyBatchLines {
    /// The last [`TicketFields`] times written, and their text.
    times: (Option<Times>, Vec<u8>),
    /// The last times of a plain line, and their text.
    line_times: (Option<LineTimes>, Vec<u8>),
}

impl VerifyBatchLines {
    /// Append `report` and a newline.
    pub fn push_report(&mut self, report: &VerifyReport, out: &mut Vec<u8>) {
        out.extend_from_slice(if report.ok {
            b"{\"ok\":true"
        } else {
            b"{\"ok\":false"
        });
        if let Some(line) = report.line {
            out.push(b',');
            push_name(out, "line");
            json::push_uint(out, line);
        }
        if let Some(asked) = &report.asked {
            push_str_member(out, "identifier", asked);
        }
        out.extend_from_slice(if report.valid {
            b",\"valid\":true"
        } else {
            b",\"valid\":false"
        });
        push_int_member(out, "code", i64::from(report.code));
        if let Some(reason) = &report.reason {
            push_str_member(out, "reason", reason);
        }
        if let Some(ticket) = &report.ticket {
            self.push_members(ticket, out);
        }
        if let Some(key) = &report.key {
            push_str_member(out, "key", key);
        }
        if let Some(key) = &report.key_base64 {
            push_str_member(out, "key_base64", key);
        }
        out.extend_from_slice(b"}\n");
    }

    /// Append `ticket`'s fields as members of an object being written (each after a
    /// comma), exactly as serde writes them flattened into a report.
    fn push_members(&mut self, ticket: &TicketFields, out: &mut Vec<u8>) {
        push_str_member(out, "version", ticket.version);
        if let Some(id) = &ticket.identifier {
            push_str_member(out, "identifier", id);
        }
        if let Some(id) = &ticket.ticket_identifier {
            push_str_member(out, "ticket_identifier", id);
        }
        let (values, text) = &mut self.times;
        if !values.as_ref().is_some_and(|v| ticket.same_times(v)) {
            text.clear();
            ticket.push_times(text);
            *values = Some(ticket.times());
        }
        out.extend_from_slice(text);
        if let Some(ub) = &ticket.userbuf_base64 {
            push_str_member(out, "userbuf_base64", ub);
        }
    }

    /// Append the line for input line `line`, which asked about `asked`: byte for byte
    /// what [`VerifyReport::for_line`] then [`Self::push_report`] write, without building
    /// the report when the ticket is valid, is for the identifier asked for, has no
    /// userbuf and is not expiring, and one key was given (the common case). Returns
    /// whether the ticket is valid and whether the line is ok.
    pub fn push_for_line(
        &mut self,
        checked: &Checked,
        min_remaining: Option<u64>,
        key_names: &[Vec<u8>],
        line: u64,
        asked: &str,
        out: &mut Vec<u8>,
    ) -> (bool, bool) {
        let plain = match (&checked.verdict, &checked.info) {
            (Ok(_), Some(info)) => {
                key_names.len() <= 1
                    && info.identifier == asked
                    && info.userbuf.is_none()
                    && expiring_soon(checked, min_remaining).is_none()
            }
            _ => false,
        };
        let (true, Some(info)) = (plain, &checked.info) else {
            let report = VerifyReport::for_line(checked, min_remaining, key_names, line, asked);
            self.push_report(&report, out);
            return (report.valid, report.ok);
        };
        out.extend_from_slice(b"{\"ok\":true,\"line\":");
        json::push_uint(out, line);
        push_str_member(out, "identifier", &redact::scrub(asked));
        out.extend_from_slice(b",\"valid\":true,\"code\":0");
        push_str_member(out, "version", info.version.name());
        // The members from sdkappid on, kept while the numbers they are made of stay.
        let key = (
            info.sdkappid,
            info.init_time,
            info.expire,
            info.expires_at().saturating_sub(checked.now),
        );
        let (kept, text) = &mut self.line_times;
        if *kept != Some(key) {
            text.clear();
            TicketFields::with_identifier(info, checked.now, None).push_times(text);
            *kept = Some(key);
        }
        out.extend_from_slice(text);
        out.extend_from_slice(b"}\n");
        (true, true)
    }
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
/// `{"identifier":…,"usersig":"…","expires_at":N}`: the bytes [`super::push_line`] writes for
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
