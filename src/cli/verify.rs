//! The verify forms, inspect and dump: read a ticket and tell what it is.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use usersig::clock::{Clock, FixedClock, SystemClock};
use usersig::envelope::MAX_TICKET_BYTES;
use usersig::issue;
use usersig::ticket;
use usersig::userbuf::PrivateMapKey;
use usersig::verify::{self, Expect, Failure, VerifyKey};

use super::args::{DumpArgs, InspectArgs, Verify2Args, Verify2UserArgs, VerifyArgs, VerifyOptions};
use super::checks::{check_one_stdin, judging_clock, parse_duration, userbuf_bytes};
use super::error::{Stop, io_err, usage};
use super::fsio;
use super::keyload::{load_public_key, load_secret};
use super::outcome::{Dumped, Inspected, Outcome, Verified};
use super::source::Source;

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
pub(super) fn names(sources: &[Source]) -> Vec<Vec<u8>> {
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

pub(super) fn dump(a: &DumpArgs) -> Result<Outcome, Stop> {
    let bytes = if a.sigtext == "-" {
        read_ticket(OsStr::new("-"))?
    } else {
        a.sigtext.as_bytes().to_vec()
    };
    Ok(match ticket::json_text(&bytes) {
        Ok((version, json)) => Outcome::Dumped(Dumped {
            version: version.name(),
            json,
        }),
        Err(m) => Outcome::NotATicket(Failure::from(m)),
    })
}

pub(super) fn inspect(a: &InspectArgs, system: &SystemClock) -> Result<Outcome, Stop> {
    let bytes = read_ticket(&a.sig_file)?;
    Ok(match ticket::parse_bytes(&bytes, system) {
        Ok(parsed) => Outcome::Inspected(Inspected {
            map_key: parsed
                .info
                .userbuf
                .as_deref()
                .and_then(PrivateMapKey::decode),
            info: parsed.info,
            now: system.now(),
            offset: system.local_offset(),
        }),
        Err(m) => Outcome::NotATicket(Failure::from(m)),
    })
}
