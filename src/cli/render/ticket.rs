//! What inspect and dump show of a ticket read without its key.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use usersig::clock::{describe_span, rfc3339};
use usersig::ticket::Version;
use usersig::userbuf::Room;
use usersig::verify::Failure;

use super::super::error::{CommandResult, Stop};
use super::super::outcome::{Dumped, Inspected};
use super::super::output::{out, out_json};
use super::super::report::{
    self, DumpReport, InspectReport, NotATicketReport, PrivateMapKeyReport, TicketFields,
};
use super::super::{hints, redact};
use super::printable;

/// A Unix time in the host's zone: `2026-11-26 14:40:57 +08:00`.
fn local_time(unix: i64, offset: UtcOffset) -> String {
    let format = format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory]:[offset_minute]"
    );
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .map(|t| t.to_offset(offset))
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| format!("{unix} (Unix seconds)"))
}

/// "expires in 3 days" / "expired 2 hours ago".
fn status_words(expires_at: i64, now: i64) -> String {
    if now <= expires_at {
        format!("valid for {} more", describe_span(expires_at - now))
    } else {
        format!("expired {} ago", describe_span(now - expires_at))
    }
}

/// inspect: what the ticket says, in an object or aligned lines ending with the reminder
/// that nothing was verified.
pub(super) fn inspected(i: &Inspected, json: bool) -> CommandResult {
    let (info, now) = (&i.info, i.now);
    if json {
        return out_json(&report::to_line(&InspectReport {
            ok: true,
            ticket: TicketFields::new(info, now),
            expired: now > info.expires_at(),
            issued_at_rfc3339: rfc3339(info.init_time),
            issued_at_local: local_time(info.init_time, i.offset),
            expires_at_local: local_time(info.expires_at(), i.offset),
            userbuf_text: info
                .userbuf
                .as_deref()
                .and_then(printable)
                .map(|text| redact::scrub(text).into_owned()),
            private_map_key: i.map_key.as_ref().map(PrivateMapKeyReport::new),
            verified: false,
        }));
    }
    let scheme = match info.version {
        Version::V2 => "HMAC-SHA256",
        _ => "ECDSA P-256",
    };
    let mut text = format!(
        "version      {} ({scheme})\n\
         identifier   {:?}\n\
         sdkappid     {}\n\
         issued at    {} (local {})\n\
         expires at   {} (local {})\n\
         validity     {} s ({})\n\
         status       {}\n",
        info.version,
        redact::scrub(&info.identifier),
        info.sdkappid,
        rfc3339(info.init_time),
        local_time(info.init_time, i.offset),
        rfc3339(info.expires_at()),
        local_time(info.expires_at(), i.offset),
        info.expire,
        describe_span(info.expire),
        status_words(info.expires_at(), now),
    );
    if let Some(ub) = &info.userbuf {
        text.push_str(&match printable(ub) {
            Some(s) => format!("userbuf      {:?}\n", redact::scrub(s)),
            None => format!("userbuf      {} (base64)\n", STANDARD.encode(ub)),
        });
    }
    if let Some(pmk) = &i.map_key {
        let room = match &pmk.room {
            Room::Numeric(id) => format!("{id}"),
            Room::Named(name) => format!("{name:?}"),
        };
        let names = pmk.privilege_names().join(", ");
        let until = i64::from(pmk.expires_at);
        text.push_str(&format!(
            "PrivateMapKey (TRTC room permission) in the userbuf:\n  \
             account      {:?}\n  \
             sdkappid     {}\n  \
             room         {room}\n  \
             privileges   {} ({names})\n  \
             expires at   {} ({})\n",
            pmk.account,
            pmk.sdkappid,
            pmk.privileges,
            rfc3339(until),
            status_words(until, now),
        ));
    }
    text.push_str("not verified: inspect reads a ticket without its key; verify checks it\n");
    out(text.as_bytes())
}

/// dump: the ticket's JSON as it is, with control, line-separator and bidirectional
/// characters escaped as everywhere user text is shown (`\r`, `\u{202e}`); or embedded in
/// an object, with what a terminal would act on written as JSON escapes (the same value).
pub(super) fn dumped(d: &Dumped, json: bool) -> CommandResult {
    if json {
        let report = DumpReport::new(d.version, &d.json)
            .map_err(|e| Stop::Io(format!("cannot show the ticket's JSON: {e}")))?;
        return out_json(&report::to_line(&report));
    }
    out(format!("{}\n", redact::escape(&d.json)).as_bytes())
}

/// Text that is not a ticket: nothing on stdout, or (JSON) an object saying why. The
/// stop's line on stderr says why as well, so a stdout that cannot be written is not
/// news.
pub(super) fn not_a_ticket(failure: &Failure, json: bool) {
    if json {
        let obj = NotATicketReport {
            ok: false,
            code: failure.code().unwrap_or(0),
            reason: redact::scrub(&hints::failure(failure)).into_owned(),
        };
        let _ = out_json(&report::to_line(&obj));
    }
}
