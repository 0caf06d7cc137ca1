//! The gen forms: make a ticket and write it.

use std::ffi::OsStr;
use std::path::Path;

use usersig::clock::{Clock, FixedClock, SystemClock};
use usersig::issue::{self, TicketRequest};
use usersig::ticket::TicketInfo;

use super::args::{Gen2Args, Gen2UserArgs, GenOptions, GenUserArgs, V1Target};
use super::checks::{check_not_secret_name, userbuf_bytes};
use super::error::{Stop, io_err, usage};
use super::fsio::{self, WriteRules, Written};
use super::keyload::{Signer, load_private_key, load_secret, ticket_rules};
use super::outcome::{Generated, Landed, Made, Outcome};
use super::output::warn;
use super::source::Source;
use super::{duration, hints};

/// The request a gen form asks for, with every argument checked.
pub(super) fn request(
    sdkappid: &str,
    identifier: &str,
    options: &GenOptions,
    expire: Option<&str>,
    userbuf: Option<&[u8]>,
) -> Result<TicketRequest, Stop> {
    let sdkappid = issue::parse_sdkappid(sdkappid).map_err(usage)?;
    let mut req = if options.allow_any_identifier {
        TicketRequest::any_identifier(sdkappid, identifier)
    } else {
        TicketRequest::new(sdkappid, identifier)
    }
    .map_err(|e| Stop::Usage(hints::arg_error(&e)))?;
    if let Some(expire) = expire {
        req = req
            .with_expire(duration::parse_expire(expire).map_err(usage)?)
            .map_err(usage)?;
    }
    if let Some(ub) = userbuf {
        req = req.with_userbuf(ub);
    }
    Ok(req)
}

/// Sign `req` now, with one reading of the clock for both the ticket and the report. A
/// ticket too large for a verifier is a usage error (exit 2); no randomness to sign with
/// is an I/O error (exit 3).
pub(super) fn make(req: &TicketRequest, signer: &Signer, clock: &dyn Clock) -> Result<Made, Stop> {
    let now = FixedClock::at(clock.now());
    let text = signer.sign(req, &now).map_err(|e| match e {
        issue::Error::Signing(e) => Stop::Io(e.to_string()),
        issue::Error::Argument(e) => Stop::Usage(hints::arg_error(&e)),
        e => Stop::Usage(e.to_string()),
    })?;
    Ok(Made {
        text,
        info: TicketInfo {
            version: signer.version(),
            identifier: req.identifier().to_owned(),
            sdkappid: req.sdkappid(),
            init_time: now.now,
            expire: req.expire().into(),
            userbuf: req.userbuf().map(<[u8]>::to_vec),
        },
    })
}

/// Write a new ticket to the sig file, and say where it landed. A sig file that is
/// standard output (`-`, `/dev/stdout`, or the very file stdout is redirected to) is
/// left to the output layer, which prints the ticket there.
pub(super) fn write_ticket(
    sig_file: &OsStr,
    made: Made,
    rules: &WriteRules,
    print_ticket: bool,
) -> Result<Outcome, Stop> {
    let path = Path::new(sig_file);
    let landed = if fsio::is_stdout(path) {
        Landed::Stdout
    } else {
        let written = fsio::write(path, made.text.as_bytes(), "sig file", rules).map_err(io_err)?;
        say_written(path, &written);
        // The path may have become stdout after the check.
        match written {
            Written::Stdout => Landed::StdoutWritten,
            _ => Landed::File,
        }
    };
    Ok(Outcome::Generated(Generated {
        made,
        sig_file: sig_file.to_owned(),
        landed,
        print_ticket,
    }))
}

/// Warn when a file had to be rewritten in place rather than replaced.
pub(super) fn say_written(path: &Path, written: &Written) {
    if let Written::InPlace(how) = written {
        warn(&format!(
            "wrote '{}' in place: {}, so it was not replaced atomically",
            path.display(),
            how.reason()
        ));
    }
}

pub(super) fn gen_v1(
    a: &V1Target,
    options: &GenOptions,
    expire: Option<&str>,
    userbuf: Option<&[u8]>,
    clock: &SystemClock,
) -> Result<Outcome, Stop> {
    let req = request(&a.sdkappid, &a.identifier, options, expire, userbuf)?;
    check_not_secret_name(&a.sig_file, "SIG_FILE")?;
    let source = Source::pem_key(&a.pri_key_file);
    let signer = Signer::V1(load_private_key(&source, "sign")?);
    let made = make(&req, &signer, clock)?;
    write_ticket(&a.sig_file, made, &ticket_rules(&source), false)
}

/// `genuser`: a v1 ticket with a userbuf.
pub(super) fn genuser(a: &GenUserArgs, clock: &SystemClock) -> Result<Outcome, Stop> {
    let b = &a.base;
    let stdin_taken = b.target.pri_key_file == "-";
    let userbuf = userbuf_bytes(a.userbuf.as_deref(), &a.userbuf_from, stdin_taken)?;
    let expire = Some(b.expire_seconds.as_str());
    gen_v1(&b.target, &b.options, expire, Some(&userbuf), clock)
}

/// `gen2user`: a v2 ticket with a userbuf.
pub(super) fn gen2user(a: &Gen2UserArgs, clock: &SystemClock) -> Result<Outcome, Stop> {
    let userbuf = userbuf_bytes(a.userbuf.as_deref(), &a.userbuf_from, a.base.key == "-")?;
    gen_v2(&a.base, Some(&userbuf), clock)
}

pub(super) fn gen_v2(
    a: &Gen2Args,
    userbuf: Option<&[u8]>,
    clock: &SystemClock,
) -> Result<Outcome, Stop> {
    let expire = a.expire.expire.as_deref();
    let req = request(&a.sdkappid, &a.identifier, &a.options, expire, userbuf)?;
    check_not_secret_name(&a.sig_file, "SIG_FILE")?;
    let source = Source::secret(&a.key);
    let signer = Signer::V2(load_secret(&source)?);
    let made = make(&req, &signer, clock)?;
    write_ticket(&a.sig_file, made, &ticket_rules(&source), true)
}

#[cfg(test)]
#[allow(dead_code)]
#[path = "../../tests/common/no_randomness.rs"]
mod no_randomness;

#[cfg(test)]
mod tests;
