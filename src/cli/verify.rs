//! The verify forms, inspect and dump: read a ticket and say what it is.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use time::OffsetDateTime;
use time::macros::format_description;

use usersig::clock::{Clock, FixedClock, SystemClock, describe_span, rfc3339};
use usersig::envelope::MAX_TICKET_BYTES;
use usersig::issue;
use usersig::ticket::{self, Malformed, Version};
use usersig::userbuf::{PrivateMapKey, Room};
use usersig::verify::{self, Expect, Failure, VerifyKey};

use super::args::{DumpArgs, InspectArgs, Verify2Args, Verify2UserArgs, VerifyArgs, VerifyOptions};
use super::checks::{check_one_stdin, judging_clock, parse_duration, userbuf_bytes};
use super::error::{CommandResult, Stop, io_err, usage};
use super::keyload::{load_public_key, load_secret};
use super::outcome::{Outcome, Verified};
use super::output::{out, out_json};
use super::render::printable;
use super::report::{
    self, DumpReport, InspectReport, NotATicketReport, PrivateMapKeyReport, TicketFields,
};
use super::source::Source;
use super::{fsio, hints, redact};

fn read_ticket(sig_file: &OsStr) -> Result<Vec<u8>, Stop> {
    fsio::read_capped(Path::new(sig_file), MAX_TICKET_BYTES, "sig file").map_err(io_err)
}

/// A verify form's keys, with names to report which one matched (raw bytes: a path
/// need not be UTF-8; shown with `redact::shown`, or in JSON as `report::name`).
struct Keys {
    keys: Vec<VerifyKey>,
    names: Vec<Vec<u8>>,
}

/// The sources of a verify form's keys: the positional one, then each --key.
fn key_sources(
    first: &OsStr,
    more: &[std::ffi::OsString],
    parse: fn(&OsStr) -> Source,
) -> Vec<Source> {
    std::iter::once(first)
        .chain(more.iter().map(|k| k.as_os_str()))
        .map(parse)
        .collect()
}

/// Name each source for reports: where it came from; literals by position.
fn names(sources: &[Source]) -> Vec<Vec<u8>> {
    sources
        .iter()
        .enumerate()
        .map(|(i, s)| match s {
            Source::File(path) | Source::Regular(path) => path.as_os_str().as_bytes().to_vec(),
            Source::Env(name) => [b"env:".as_slice(), name.as_bytes()].concat(),
            Source::Stdin => b"-".to_vec(),
            Source::Literal(_) => {
                format!("key #{} (given on the command line)", i + 1).into_bytes()
            }
        })
        .collect()
}

fn load_public_keys(sources: &[Source]) -> Result<Keys, Stop> {
    let keys = sources
        .iter()
        .map(|s| load_public_key(s, "verify").map(VerifyKey::Public))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Keys {
        keys,
        names: names(sources),
    })
}

fn load_secrets(sources: &[Source]) -> Result<Keys, Stop> {
    let keys = sources
        .iter()
        .map(|s| load_secret(s).map(VerifyKey::Secret))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Keys {
        keys,
        names: names(sources),
    })
}

/// The common part of the verify forms: read the ticket and judge it (the
/// PrivateMapKey check too, when a room is asked for).
fn verify_ticket(
    keys: Keys,
    sig_file: &OsStr,
    expect: &Expect<'_>,
    options: &VerifyOptions,
    clock: &FixedClock,
    userbuf_on_expire_line: bool,
) -> Result<Outcome, Stop> {
    let min_remaining = options
        .min_remaining
        .as_deref()
        .map(|t| parse_duration("--min-remaining", t, 0..=super::duration::LONGEST))
        .transpose()?;
    let wanted = super::privmap::wanted(options)?;
    let bytes = read_ticket(sig_file)?;
    let mut checked = verify::check(&bytes, &keys.keys, expect, clock);
    let map_key = super::privmap::judge(&mut checked, wanted.as_ref());
    Ok(Outcome::Verified(Verified {
        userbuf_on_expire_line,
        checked,
        min_remaining,
        key_names: keys.names,
        map_key,
    }))
}

pub(super) fn verify_v1(a: &VerifyArgs, system: &SystemClock) -> Result<Outcome, Stop> {
    let expect = Expect {
        sdkappid: issue::parse_sdkappid(&a.sdkappid).map_err(usage)?,
        identifier: &a.identifier,
        userbuf: None,
    };
    let clock = judging_clock(a.options.at.as_deref(), system)?;
    let sources = key_sources(&a.pub_key_file, &a.options.keys, Source::pem_key);
    check_one_stdin(&sources, a.sig_file == "-")?;
    let keys = load_public_keys(&sources)?;
    verify_ticket(keys, &a.sig_file, &expect, &a.options, &clock, false)
}

/// `verify2user`: a v2 ticket with a userbuf.
pub(super) fn verify2user(a: &Verify2UserArgs, clock: &SystemClock) -> Result<Outcome, Stop> {
    let b = &a.base;
    let stdin_taken = b.key == "-" || b.sig_file == "-" || b.options.keys.iter().any(|k| k == "-");
    let userbuf = userbuf_bytes(a.userbuf.as_deref(), &a.userbuf_from, stdin_taken)?;
    verify_v2(b, Some(&userbuf), clock)
}

pub(super) fn verify_v2(
    a: &Verify2Args,
    userbuf: Option<&[u8]>,
    system: &SystemClock,
) -> Result<Outcome, Stop> {
    let expect = Expect {
        sdkappid: issue::parse_sdkappid(&a.sdkappid).map_err(usage)?,
        identifier: &a.identifier,
        userbuf,
    };
    let clock = judging_clock(a.options.at.as_deref(), system)?;
    let sources = key_sources(&a.key, &a.options.keys, Source::secret);
    check_one_stdin(&sources, a.sig_file == "-")?;
    let keys = load_secrets(&sources)?;
    let on_expire_line = userbuf.is_some();
    verify_ticket(
        keys,
        &a.sig_file,
        &expect,
        &a.options,
        &clock,
        on_expire_line,
    )
}

/// A malformed ticket: the JSON object (in JSON mode) and the stop.
fn not_a_ticket(m: Malformed, json: bool) -> Stop {
    let failure = Failure::from(m);
    if json {
        let obj = NotATicketReport {
            ok: false,
            code: failure.code().unwrap_or(0),
            reason: redact::scrub(&hints::failure(&failure)).into_owned(),
        };
        // The stop's line on stderr still says why; a closed stdout is not news.
        let _ = out_json(&report::to_line(&obj));
    }
    Stop::Invalid("not a ticket", failure)
}

pub(super) fn dump(a: &DumpArgs) -> CommandResult {
    let bytes = if a.sigtext == "-" {
        read_ticket(OsStr::new("-"))?
    } else {
        a.sigtext.as_bytes().to_vec()
    };
    let (version, json) = ticket::json_text(&bytes).map_err(|m| not_a_ticket(m, a.json))?;
    if a.json {
        // The ticket's object is JSON (json_text parsed it): embedded with what a terminal
        // would act on written as JSON escapes, the same value.
        let report = DumpReport::new(version.name(), &json)
            .map_err(|e| Stop::Io(format!("cannot show the ticket's JSON: {e}")))?;
        return out_json(&report::to_line(&report));
    }
    // The original prints the JSON as it is; control, line-separator and bidirectional
    // characters are escaped as everywhere user text is shown (`\r`, `\u{202e}`).
    out(format!("{}\n", redact::escape(&json)).as_bytes())
}

/// A Unix time in the host's zone: `2026-11-26 14:40:57 +08:00`.
fn local_time(unix: i64, clock: &dyn Clock) -> String {
    let format = format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory]:[offset_minute]"
    );
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .map(|t| t.to_offset(clock.local_offset()))
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

pub(super) fn inspect(a: &InspectArgs, system: &SystemClock) -> CommandResult {
    let bytes = read_ticket(&a.sig_file)?;
    let parsed = ticket::parse_bytes(&bytes, system).map_err(|m| not_a_ticket(m, a.json))?;
    let info = &parsed.info;
    let now = system.now();
    let pmk = info.userbuf.as_deref().and_then(PrivateMapKey::decode);
    if a.json {
        return out_json(&report::to_line(&InspectReport {
            ok: true,
            ticket: TicketFields::new(info, now),
            expired: now > info.expires_at(),
            issued_at_rfc3339: rfc3339(info.init_time),
            issued_at_local: local_time(info.init_time, system),
            expires_at_local: local_time(info.expires_at(), system),
            userbuf_text: info
                .userbuf
                .as_deref()
                .and_then(printable)
                .map(|text| redact::scrub(text).into_owned()),
            private_map_key: pmk.as_ref().map(PrivateMapKeyReport::new),
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
        local_time(info.init_time, system),
        rfc3339(info.expires_at()),
        local_time(info.expires_at(), system),
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
    if let Some(pmk) = &pmk {
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
