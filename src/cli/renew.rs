//! `renew`: keep a sig file's ticket, or make and write a new one when it is invalid or
//! expires within `--within`. [`renew_step`] is the one renewal of one sig file, which
//! `renew --config` (the fleet module) runs for every entry of its manifest.

use std::path::Path;

use usersig::clock::{Clock, SystemClock, describe_span};
use usersig::envelope::MAX_TICKET_BYTES;
use usersig::issue::TicketRequest;
use usersig::renew;
use usersig::verify::Expect;

use super::args::RenewArgs;
use super::checks::{check_not_secret_name, parse_duration};
use super::error::{Stop, io_err};
use super::fsio::{self, FsErrorKind, LastLink, Target, WriteRules};
use super::keyload::{Signer, ticket_rules};
use super::make::{make, request, say_written};
use super::outcome::{Outcome, RenewStep, Renewed};
use super::source::Source;
use super::{duration, redact};

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

/// When a renewal writes: the window, `--force`, `--dry-run`.
#[derive(Clone, Copy)]
pub(super) struct Plan {
    /// Renew when fewer seconds than this remain.
    pub within: u64,
    /// Renew now, whatever the window says (`--force`).
    pub force: bool,
    /// Say what would be done; write nothing.
    pub dry_run: bool,
}

/// One sig file's renewal, shared by `renew` and `renew --config`: open the sig file's
/// directory once (by the write's link rules), refuse a target the write would refuse,
/// read what is there, decide with [`renew::decide`] (a valid ticket is renewed anyway
/// under `--force`), and when it renews (and this is not a dry run) sign a fresh ticket
/// and write it atomically through the same directory, keeping to `rules` (the key file,
/// mode, owner and group).
pub(super) fn renew_step(
    sig_path: &Path,
    req: &TicketRequest,
    signer: &Signer,
    plan: Plan,
    clock: &SystemClock,
    rules: &WriteRules,
) -> Result<RenewStep, Stop> {
    let Plan {
        within,
        force,
        dry_run,
    } = plan;
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
    let (decision, why) = match decision {
        renew::Decision::Keep { info, remaining } if force => (
            renew::Decision::Renew(renew::Reason::Expiring { info, remaining }),
            format!("--force: {why}"),
        ),
        decision => (decision, why),
    };
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
        version: signer.version(),
    })
}

/// `renew KEY SIG_FILE SDKAPPID IDENTIFIER --within DURATION` (`--config` is the fleet
/// module's).
pub(super) fn renew(a: &RenewArgs, clock: &SystemClock) -> Result<Outcome, Stop> {
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
    let plan = Plan {
        within,
        force: a.force,
        dry_run: false,
    };
    let step = renew_step(sig_path, &req, &signer, plan, clock, &rules)?;
    Ok(Outcome::Renewed(Renewed {
        sig_file: sig_file.clone(),
        step,
        now: clock.now(),
        quiet: a.quiet,
    }))
}
