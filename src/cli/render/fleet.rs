//! What `renew --config` shows of each entry as it is handled: a line (or an object) on
//! stdout, and its failures on stderr.

use std::os::unix::ffi::OsStrExt;

use usersig::clock::rfc3339;
use usersig::renew::{Decision, Reason};

use super::super::error::CommandResult;
use super::super::outcome::{FleetEntry, Handled, RenewStep};
use super::super::output::out;
use super::super::redact;
use super::super::report::{self, FleetEntryReport};
use super::super::streams::{self, NAME};

/// The action word for a decision (single-file renew says the same words).
pub fn action(decision: &Decision) -> &'static str {
    match decision {
        Decision::Keep { .. } => "kept",
        Decision::Renew(Reason::Missing) => "created",
        Decision::Renew(_) => "renewed",
    }
}

/// The word a dry run says for a decision: what it would do.
fn would(decision: &Decision) -> &'static str {
    match decision {
        Decision::Keep { .. } => "keep",
        Decision::Renew(Reason::Missing) => "create",
        Decision::Renew(_) => "renew",
    }
}

/// Show one entry: each failure (the entry's own, or its hook's) as an error line on
/// stderr, then its JSON object, or its text lines unless `quiet`.
pub fn fleet_entry(e: &FleetEntry, json: bool, quiet: bool) -> CommandResult {
    let (file, file_base64) = report::name(e.file.as_os_str().as_bytes());
    let mut object = FleetEntryReport {
        file,
        file_base64,
        identifier: redact::scrub(&e.identifier).into_owned(),
        sdkappid: e.sdkappid,
        dry_run: e.dry_run,
        action: "error",
        reason: String::new(),
        expires_at: None,
        hook: None,
        hook_error: None,
    };
    let mut lines = String::new();
    let mut errors = Vec::new();
    let path = redact::shown_path(&e.file);
    match &e.handled {
        Handled::Failed(message) => {
            let message_shown = redact::shown(message.as_bytes());
            errors.push(format!("'{path}': {message_shown}"));
            object.reason = redact::scrub(message).into_owned();
        }
        Handled::Done { step, hook } => {
            lines = step_line(e, step, &path);
            object.action = action(&step.decision);
            object.reason = step.why.clone();
            object.expires_at = match (&step.made, &step.decision) {
                (Some(made), _) => Some(made.info.expires_at()),
                (None, Decision::Keep { info, .. }) => Some(info.expires_at()),
                (None, Decision::Renew(_)) => None,
            };
            // A hook that runs with no new ticket is one that failed on the last run.
            let again = match step.made {
                None => " (run again: it failed on the last run)",
                Some(_) => "",
            };
            match hook {
                None if e.dry_run && e.has_hook && step.decision.renews() => {
                    object.hook = Some("would run");
                }
                None if e.dry_run && e.hook_pending => object.hook = Some("pending"),
                None => {}
                Some(Ok(())) => {
                    lines += &format!("deploy hook for '{path}'{again} succeeded\n");
                    object.hook = Some("ok");
                }
                Some(Err(err)) => {
                    let err_shown = redact::shown(err.as_bytes());
                    errors.push(format!(
                        "deploy hook for '{path}'{again} failed: {err_shown}; the next run \
                         runs it again"
                    ));
                    object.hook = Some("failed");
                    object.hook_error = Some(redact::scrub(err).into_owned());
                }
            }
        }
    }
    for error in &errors {
        streams::stderr_line(&format!("{NAME}: error: {error}"));
    }
    if json {
        out(format!("{}\n", report::to_line(&object)).as_bytes())
    } else if !quiet {
        out(lines.as_bytes())
    } else {
        Ok(())
    }
}

/// The text line of an entry kept, renewed or created (or that would be, on a dry run).
fn step_line(e: &FleetEntry, step: &RenewStep, path: &str) -> String {
    let act = action(&step.decision);
    let why = redact::escape(&step.why);
    match (&step.made, e.dry_run) {
        (_, true) => {
            let verb = would(&step.decision);
            let hook_note = match (e.has_hook, step.decision.renews(), e.hook_pending) {
                (true, true, _) => "; the deploy hook would run",
                (true, false, true) => {
                    "; the deploy hook would run again: it failed on the last run"
                }
                _ => "",
            };
            let who = redact::shown(e.identifier.as_bytes());
            format!(
                "would {verb} '{path}' ({who}, {}): {why}{hook_note}\n",
                step.version
            )
        }
        (Some(made), false) => format!(
            "{act} '{path}': {why}; the new {} ticket is valid until {}\n",
            made.info.version,
            rfc3339(made.info.expires_at())
        ),
        (None, false) => format!("{act} '{path}': {why}\n"),
    }
}
