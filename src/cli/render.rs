//! The output layer: every command's [`Outcome`] shown on stdout, as the original's lines
//! or (`--json`) as one JSON object (the [`report`] structs, serialized with serde), and
//! metrics as Prometheus text ([`prometheus()`]); `renew --config` entries one by one as
//! they are handled ([`fleet_entry`]). Only gen-batch and verify-batch write their own
//! lines.

use std::os::unix::ffi::OsStrExt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use usersig::clock::rfc3339;
use usersig::renew::Decision;
use usersig::userbuf::Room;

use super::error::CommandResult;
use super::outcome::{Generated, KeyChecked, KeyPair, Landed, Made, Outcome, Renewed, Verified};
use super::output::{out, out_json};
use super::report::{self, GenReport, KeptReport, KeycheckReport, KeygenReport, RenewedReport};
use super::{redact, streams};

mod fleet;
pub mod prometheus;
mod ticket;

pub use fleet::fleet_entry;
pub use prometheus::prometheus;

/// Show `outcome` on stdout: JSON when `json`, else text. A failed write stops the
/// command (see [`out`]).
pub fn show(outcome: &Outcome, json: bool) -> CommandResult {
    match outcome {
        Outcome::Verified(v) => verified(v, json),
        Outcome::Generated(g) => generated(g, json),
        Outcome::Renewed(r) => renewed(r, json),
        Outcome::Inspected(i) => ticket::inspected(i, json),
        Outcome::Dumped(d) => ticket::dumped(d, json),
        Outcome::NotATicket(f) => {
            ticket::not_a_ticket(f, json);
            Ok(())
        }
        Outcome::KeyPair(k) => key_pair(k, json),
        Outcome::KeyChecked(k) => key_checked(k, json),
        Outcome::Metrics(m) => match &m.exported {
            Some(exported) => out(prometheus(exported).as_bytes()),
            None => Ok(()),
        },
        // Each entry was shown as it was handled.
        Outcome::Fleet { .. } => Ok(()),
        Outcome::Text(bytes) => out(bytes),
        Outcome::Streamed(_) => Ok(()),
    }
}

/// The bytes as text, when they are UTF-8 without control characters.
fn printable(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes)
        .ok()
        .filter(|s| !s.chars().any(char::is_control))
}

/// A userbuf as the verify lines show it: as text when it is printable (scrubbed of
/// anything shaped like a secret), else base64.
fn userbuf_shown(ub: &[u8], label_text: &str, label_b64: &str) -> String {
    match printable(ub) {
        Some(s) => format!("{label_text}{}", redact::shown(s.as_bytes())),
        None => format!("{label_b64}{}", STANDARD.encode(ub)),
    }
}

/// A verify form: its JSON object whatever the verdict; the original's lines only for a
/// valid ticket.
fn verified(v: &Verified, json: bool) -> CommandResult {
    let checked = &v.checked;
    if json {
        return out_json(&report::verify_object(
            checked,
            v.min_remaining,
            &v.key_names,
        ));
    }
    let (Ok(matched), Some(info)) = (&checked.verdict, &checked.info) else {
        return Ok(());
    };
    let mut text = format!(
        "verify sig ok\nexpire {} init time {}",
        info.expire, info.init_time
    );
    match &info.userbuf {
        Some(ub) if v.userbuf_on_expire_line => {
            text.push(' ');
            text.push_str(&userbuf_shown(ub, "userbuf ", "userbuf_base64 "));
        }
        Some(ub) => {
            text.push('\n');
            text.push_str(&userbuf_shown(ub, "userbuf:", "userbuf_base64:"));
        }
        None => {}
    }
    text.push('\n');
    if let Some(key) = &v.map_key {
        let room = match &key.room {
            Room::Numeric(id) => format!("room id {id}"),
            Room::Named(name) => format!("room str {name}"),
        };
        text.push_str(&format!(
            "privatemapkey ok {room} privilege map {} expires at {}\n",
            key.privileges, key.expires_at
        ));
    }
    if v.key_names.len() > 1
        && let Some(name) = v.key_names.get(*matched)
    {
        text.push_str(&format!("key {}\n", redact::shown(name)));
    }
    out(text.as_bytes())
}

/// The object `gen --json` prints for a ticket written to `sig_file`.
fn gen_object(made: &Made, sig_file: &[u8]) -> GenReport {
    let (sig_file, sig_file_base64) = report::name(sig_file);
    GenReport {
        ok: true,
        usersig: made.text.clone(),
        ticket: report::TicketFields::new(&made.info, made.info.init_time),
        sig_file,
        sig_file_base64,
    }
}

/// A gen form. A sig file that is standard output gets the ticket and a newline on
/// stdout, and the status line goes to stderr, so that it pipes.
fn generated(g: &Generated, json: bool) -> CommandResult {
    let ticket = &g.made.text;
    if json {
        if g.landed == Landed::StdoutWritten {
            out(b"\n")?;
        }
        return out_json(&report::to_line(&gen_object(
            &g.made,
            g.sig_file.as_bytes(),
        )));
    }
    match g.landed {
        Landed::StdoutWritten | Landed::Stdout => {
            // stdout carries the ticket alone, so that it pipes.
            match g.landed {
                Landed::StdoutWritten => out(b"\n")?,
                _ => out(format!("{ticket}\n").as_bytes())?,
            }
            streams::stderr_line("generate sig ok");
            Ok(())
        }
        Landed::File if g.print_ticket => out(format!("{ticket}\ngenerate sig ok\n").as_bytes()),
        Landed::File => out(b"generate sig ok\n"),
    }
}

/// A single renew: kept or renewed, in a line or an object; nothing with `--quiet`.
fn renewed(r: &Renewed, json: bool) -> CommandResult {
    let step = &r.step;
    let shown = redact::shown_path(std::path::Path::new(&r.sig_file));
    match (&step.decision, &step.made) {
        (Decision::Keep { info, .. }, _) => {
            if json {
                let (sig_file, sig_file_base64) = report::name(r.sig_file.as_bytes());
                return out_json(&report::to_line(&KeptReport {
                    ok: true,
                    action: "kept",
                    reason: step.why.clone(),
                    ticket: report::TicketFields::new(info, r.now),
                    sig_file,
                    sig_file_base64,
                }));
            }
            if r.quiet {
                return Ok(());
            }
            out(format!("kept '{shown}': {}\n", redact::escape(&step.why)).as_bytes())
        }
        (Decision::Renew(_), Some(made)) => {
            if json {
                return out_json(&report::to_line(&RenewedReport {
                    made: gen_object(made, r.sig_file.as_bytes()),
                    action: fleet::action(&step.decision),
                    reason: step.why.clone(),
                }));
            }
            if r.quiet {
                return Ok(());
            }
            out(format!(
                "{} '{shown}': {}; the new {} ticket is valid until {}\n",
                fleet::action(&step.decision),
                redact::escape(&step.why),
                made.info.version,
                rfc3339(made.info.expires_at())
            )
            .as_bytes())
        }
        // A single renew is never a dry run: it made a ticket when it renewed.
        (Decision::Renew(_), None) => Ok(()),
    }
}

/// keygen's files and fingerprint.
fn key_pair(k: &KeyPair, json: bool) -> CommandResult {
    if json {
        let (private_key, private_key_base64) = report::name(k.private.as_os_str().as_bytes());
        let (public_key, public_key_base64) = report::name(k.public.as_os_str().as_bytes());
        return out_json(&report::to_line(&KeygenReport {
            ok: true,
            private_key,
            private_key_base64,
            public_key,
            public_key_base64,
            fingerprint: k.fingerprint.clone(),
        }));
    }
    out(format!(
        "wrote private key '{}' (PKCS#8, mode 0600) and public key '{}'\nfingerprint {}\n",
        redact::shown_path(&k.private),
        redact::shown_path(&k.public),
        k.fingerprint,
    )
    .as_bytes())
}

/// keycheck's two fingerprints, and the match line when they belong together.
fn key_checked(k: &KeyChecked, json: bool) -> CommandResult {
    if json {
        return out_json(&report::to_line(&KeycheckReport {
            ok: k.matches,
            private_key_fingerprint: k.private_fingerprint.clone(),
            public_key_fingerprint: k.public_fingerprint.clone(),
        }));
    }
    out(format!(
        "private key {}: {}\npublic key  {}: {}\n",
        k.private_source, k.private_fingerprint, k.public_source, k.public_fingerprint
    )
    .as_bytes())?;
    if k.matches {
        out(b"match: the public key belongs to the private key\n")?;
    }
    Ok(())
}
