//! The output layer: every command's [`Outcome`] shown on stdout, as the original's lines
//! or (`--json`) as one JSON object (the [`report`] structs, serialized with serde), and
//! metrics as Prometheus text. No command writes its result itself.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use usersig::userbuf::Room;

use super::error::CommandResult;
use super::outcome::{Outcome, Verified};
use super::output::{out, out_json};
use super::redact;
use super::report;

/// Show `outcome` on stdout: JSON when `json`, else text. A failed write stops the
/// command (see [`out`]).
pub fn show(outcome: &Outcome, json: bool) -> CommandResult {
    match outcome {
        Outcome::Verified(v) => verified(v, json),
        Outcome::Streamed(_) => Ok(()),
    }
}

/// The bytes as text, when they are UTF-8 without control characters.
pub fn printable(bytes: &[u8]) -> Option<&str> {
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
