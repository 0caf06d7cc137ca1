//! The gen forms: make a ticket, write it, say so.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use usersig::clock::{Clock, FixedClock, SystemClock};
use usersig::issue::{self, TicketRequest};
use usersig::ticket::TicketInfo;

use super::args::{Gen2Args, Gen2UserArgs, GenOptions, GenUserArgs, V1Target};
use super::checks::{check_not_secret_name, userbuf_bytes};
use super::error::{CommandResult, Stop, io_err, usage};
use super::fsio::{self, WriteRules, Written};
use super::keyload::{Signer, load_private_key, load_secret, ticket_rules};
use super::output::{out, out_json, warn};
use super::report::{self, GenReport, TicketFields};
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

/// A ticket just made: its text and what it says.
pub(super) struct Made {
    pub(super) text: String,
    pub(super) info: TicketInfo,
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

/// The object `gen --json` prints.
pub(super) fn gen_object(made: &Made, sig_file: &OsStr) -> GenReport {
    let (sig_file, sig_file_base64) = report::name(sig_file.as_bytes());
    GenReport {
        ok: true,
        usersig: made.text.clone(),
        ticket: TicketFields::new(&made.info, made.info.init_time),
        sig_file,
        sig_file_base64,
    }
}

/// Write a new ticket to the sig file and say so: the original's lines, or JSON.
///
/// A sig file that is standard output (`-`, `/dev/stdout`, or the very file stdout is
/// redirected to) gets the ticket and a newline on stdout, and the status line goes to
/// stderr, so that it pipes.
pub(super) fn write_ticket(
    sig_file: &OsStr,
    made: &Made,
    rules: &WriteRules,
    print_ticket: bool,
    json: bool,
) -> CommandResult {
    let path = Path::new(sig_file);
    let ticket = &made.text;
    // Written in full below when the sig file is stdout; else the ticket may still have
    // gone to stdout, if the path became stdout after the check.
    let mut ticket_out = false;
    let to_stdout = fsio::is_stdout(path) || {
        let written = fsio::write(path, ticket.as_bytes(), "sig file", rules).map_err(io_err)?;
        say_written(path, &written);
        ticket_out = written == Written::Stdout;
        ticket_out
    };
    if json {
        if ticket_out {
            out(b"\n")?;
        }
        return out_json(&report::to_line(&gen_object(made, sig_file)));
    }
    if to_stdout {
        // stdout carries the ticket alone, so that it pipes.
        match ticket_out {
            true => out(b"\n")?,
            false => out(format!("{ticket}\n").as_bytes())?,
        }
        super::streams::stderr_line("generate sig ok");
        Ok(())
    } else if print_ticket {
        out(format!("{ticket}\ngenerate sig ok\n").as_bytes())
    } else {
        out(b"generate sig ok\n")
    }
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
) -> CommandResult {
    let req = request(&a.sdkappid, &a.identifier, options, expire, userbuf)?;
    check_not_secret_name(&a.sig_file, "SIG_FILE")?;
    let source = Source::pem_key(&a.pri_key_file);
    let signer = Signer::V1(load_private_key(&source, "sign")?);
    let made = make(&req, &signer, clock)?;
    write_ticket(
        &a.sig_file,
        &made,
        &ticket_rules(&source),
        false,
        options.json,
    )
}

/// `genuser`: a v1 ticket with a userbuf.
pub(super) fn genuser(a: &GenUserArgs, clock: &SystemClock) -> CommandResult {
    let b = &a.base;
    let stdin_taken = b.target.pri_key_file == "-";
    let userbuf = userbuf_bytes(a.userbuf.as_deref(), &a.userbuf_from, stdin_taken)?;
    let expire = Some(b.expire_seconds.as_str());
    gen_v1(&b.target, &b.options, expire, Some(&userbuf), clock)
}

/// `gen2user`: a v2 ticket with a userbuf.
pub(super) fn gen2user(a: &Gen2UserArgs, clock: &SystemClock) -> CommandResult {
    let userbuf = userbuf_bytes(a.userbuf.as_deref(), &a.userbuf_from, a.base.key == "-")?;
    gen_v2(&a.base, Some(&userbuf), clock)
}

pub(super) fn gen_v2(a: &Gen2Args, userbuf: Option<&[u8]>, clock: &SystemClock) -> CommandResult {
    let expire = a.expire.expire.as_deref();
    let req = request(&a.sdkappid, &a.identifier, &a.options, expire, userbuf)?;
    check_not_secret_name(&a.sig_file, "SIG_FILE")?;
    let source = Source::secret(&a.key);
    let signer = Signer::V2(load_secret(&source)?);
    let made = make(&req, &signer, clock)?;
    write_ticket(
        &a.sig_file,
        &made,
        &ticket_rules(&source),
        true,
        a.options.json,
    )
}

#[cfg(test)]
#[allow(dead_code)]
#[path = "../../tests/common/no_randomness.rs"]
mod no_randomness;

#[cfg(test)]
mod tests;
