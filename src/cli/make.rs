//! The gen forms and renew: make a ticket, write it, say so.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use usersig::clock::{Clock, FixedClock, SystemClock, describe_span};
use usersig::envelope::MAX_TICKET_BYTES;
use usersig::issue::{self, TicketRequest};
use usersig::renew::{self, Decision};
use usersig::ticket::TicketInfo;
use usersig::verify::Expect;

use super::args::{Gen2Args, GenOptions, RenewArgs, V1Target};
use super::fsio::{self, FsErrorKind, LastLink, Target, WriteRules, Written};
use super::report::{self, GenReport, KeptReport, RenewedReport, TicketFields};
use super::source::Source;
use super::{
    CommandResult, Signer, Stop, check_not_secret_name, io_err, load_private_key, load_secret, out,
    out_json, parse_duration, ticket_rules, usage, warn,
};
use super::{duration, hints, redact};

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
fn gen_object(made: &Made, sig_file: &OsStr) -> GenReport {
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
        super::output::stderr_line("generate sig ok");
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

/// The sig file's bytes, `None` when there is none. A regular file larger than any
/// ticket gives its first `MAX_TICKET_BYTES + 1` bytes, which are not a valid ticket
/// (too long), so it is renewed; anything that is not a regular file (a FIFO, a device, a
/// directory, a link), whenever it was put there, is an error and is never waited on.
fn read_existing(target: &Target<'_>, sig_file: &Path) -> Result<Option<Vec<u8>>, Stop> {
    match target.read(MAX_TICKET_BYTES, LastLink::Refuse) {
        Ok(head) => Ok(Some(head.bytes)),
        Err(e) if e.kind() == FsErrorKind::NotFound => Ok(None),
        // In the words renew has always used ("sig file 'x' is a FIFO (named pipe),
        // not a regular file; ...").
        Err(e) if e.kind() == FsErrorKind::NotRegularFile => Err(Stop::Io(format!(
            "sig file '{}' {}; renew only replaces regular files",
            redact::shown_path(sig_file),
            e.reason()
        ))),
        Err(e) => Err(io_err(e)),
    }
}

/// What one renew step decided, and the ticket it wrote when it renewed.
pub(super) struct RenewStep {
    /// Keep or renew, and why.
    pub decision: Decision,
    /// The reason in words, scrubbed of secrets.
    pub why: String,
    /// The new ticket, when one was made and written (never on a dry run).
    pub made: Option<Made>,
}

/// One sig file's renewal, shared by `renew` and `renew --config`: open the sig file's
/// directory once (by the write's link rules), refuse a target the write would refuse,
/// read what is there, decide with [`renew::decide`], and when it renews (and this is not
/// a dry run) sign a fresh ticket and write it atomically through the same directory,
/// keeping to `rules` (the key file, mode, owner and group).
pub(super) fn renew_step(
    sig_path: &Path,
    req: &TicketRequest,
    signer: &Signer,
    within: u64,
    clock: &SystemClock,
    dry_run: bool,
    rules: &WriteRules,
) -> Result<RenewStep, Stop> {
    // Never read through a path the write would refuse (a planted link, another user's
    // file in a shared directory), in the write's words; what is read is then checked
    // again on the opened file, so a FIFO or link swapped in meanwhile is refused too.
    let target = Target::to_write(sig_path, "sig file").map_err(io_err)?;
    target.check_write().map_err(io_err)?;
    let existing = read_existing(&target, sig_path)?;
    let expect = Expect {
        sdkappid: req.sdkappid(),
        identifier: req.identifier(),
        userbuf: None,
    };
    let verify_key = signer.verify_key();
    let decision = renew::decide(existing.as_deref(), &verify_key, &expect, within, clock);
    // The reason may quote the identifier: scrubbed like every echo.
    let why = redact::scrub(&decision.explain(within)).into_owned();
    let made = match decision.renews() && !dry_run {
        true => {
            let made = make(req, signer, clock)?;
            let written = target.write(made.text.as_bytes(), rules).map_err(io_err)?;
            say_written(sig_path, &written);
            Some(made)
        }
        false => None,
    };
    Ok(RenewStep {
        decision,
        why,
        made,
    })
}

pub(super) fn renew(a: &RenewArgs, clock: &SystemClock) -> CommandResult {
    if let Some(config) = &a.config {
        return super::fleet::renew_all(a, config, clock);
    }
    if a.dry_run {
        return Err(Stop::Usage(
            "--dry-run goes with --config FILE (a single renew always writes when it must)".into(),
        ));
    }
    // clap requires these without --config.
    let (Some(key), Some(sig_file), Some(sdkappid), Some(identifier), Some(within)) =
        (&a.key, &a.sig_file, &a.sdkappid, &a.identifier, &a.within)
    else {
        return Err(Stop::Usage(
            "renew needs KEY SIG_FILE SDKAPPID IDENTIFIER --within DURATION, or --config FILE"
                .into(),
        ));
    };
    let req = request(
        sdkappid,
        identifier,
        &a.options,
        a.expire.expire.as_deref(),
        None,
    )?;
    let within = parse_duration("--within", within, 0..=duration::LONGEST)?;
    if within >= u64::from(req.expire()) {
        return Err(Stop::Usage(format!(
            "--within {} is not shorter than the ticket's validity {}: every run would renew",
            describe_span(i64::try_from(within).unwrap_or(i64::MAX)),
            describe_span(req.expire().into())
        )));
    }
    if sig_file == "-" {
        return Err(Stop::Usage("renew needs a sig file, not -".into()));
    }
    check_not_secret_name(sig_file, "SIG_FILE")?;
    if fsio::is_stdout(Path::new(sig_file)) {
        return Err(Stop::Usage(format!(
            "renew needs a sig file, not standard output ('{}')",
            Path::new(sig_file).display()
        )));
    }
    let source = Source::pem_key(key);
    let signer = Signer::load(&source, "renew")?;
    let sig_path = Path::new(sig_file);
    let rules = WriteRules {
        regular_only: true,
        ..ticket_rules(&source)
    };
    let RenewStep {
        decision,
        why,
        made,
    } = renew_step(sig_path, &req, &signer, within, clock, false, &rules)?;
    let shown = redact::shown_path(sig_path);
    match &decision {
        Decision::Keep { info, .. } => {
            if a.options.json {
                let (sig_file, sig_file_base64) = report::name(sig_file.as_bytes());
                return out_json(&report::to_line(&KeptReport {
                    ok: true,
                    action: "kept",
                    reason: why,
                    ticket: TicketFields::new(info, clock.now()),
                    sig_file,
                    sig_file_base64,
                }));
            }
            if a.quiet {
                return Ok(());
            }
            out(format!("kept '{shown}': {}\n", redact::escape(&why)).as_bytes())
        }
        Decision::Renew(_) => {
            let made = made.expect("renew_step makes a ticket when it renews");
            if a.options.json {
                return out_json(&report::to_line(&RenewedReport {
                    made: gen_object(&made, sig_file),
                    action: "renewed",
                    reason: why,
                }));
            }
            if a.quiet {
                return Ok(());
            }
            out(format!(
                "renewed '{shown}': {}; the new {} ticket is valid until {}\n",
                redact::escape(&why),
                made.info.version,
                usersig::clock::rfc3339(made.info.expires_at())
            )
            .as_bytes())
        }
    }
}

#[cfg(test)]
#[allow(dead_code)]
#[path = "../../tests/common/no_randomness.rs"]
mod no_randomness;

#[cfg(test)]
mod tests {
    use super::*;
    use usersig::Secret;
    use usersig::keys::PrivateKey;

    /// What a stop says and the exit status it gives.
    fn stop(made: Result<Made, Stop>) -> (String, &'static str) {
        match made {
            Ok(_) => panic!("a ticket was made"),
            Err(Stop::Usage(m)) => (m, "usage (exit 2)"),
            Err(Stop::Io(m)) => (m, "I/O (exit 3)"),
            Err(_) => panic!("another stop"),
        }
    }

    /// A key loaded, then no randomness to sign with: an I/O stop, not a panic.
    #[test]
    fn no_randomness_to_sign_is_an_io_stop() {
        let pem = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ec_key.pem"));
        let signer = Signer::V1(PrivateKey::from_pem(pem).unwrap());
        let req = TicketRequest::new(1400001052, "xiaojun").unwrap();
        let got =
            no_randomness::without_randomness(|| stop(make(&req, &signer, &FixedClock::at(0))));
        let want = "the operating system's random number generator failed; nothing was signed";
        assert_eq!(got, (want.to_owned(), "I/O (exit 3)"));
        assert!(make(&req, &signer, &FixedClock::at(0)).is_ok());
    }

    /// A ticket larger than a verifier reads is a usage error, for either key.
    #[test]
    fn a_ticket_too_large_is_a_usage_stop() {
        let pem = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ec_key.pem"));
        let secret = b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
        let req = TicketRequest::new(1400001052, "xiaojun")
            .unwrap()
            .with_userbuf(&[0; 800_000]);
        for signer in [
            Signer::V1(PrivateKey::from_pem(pem).unwrap()),
            Signer::V2(Secret::new(secret).unwrap()),
        ] {
            let (message, status) = stop(make(&req, &signer, &FixedClock::at(0)));
            assert_eq!(status, "usage (exit 2)");
            assert!(
                message.starts_with("the ticket would be 106")
                    && message.ends_with(
                        " bytes, more than the 1048576 a verifier reads: make the userbuf (or the identifier) smaller"
                    ),
                "{message}"
            );
        }
    }
}
