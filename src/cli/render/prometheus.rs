//! The Prometheus text exposition format of metrics' series.

use std::fmt::Write as _;

use super::super::outcome::Exported;
use super::super::redact;

/// A label value with backslash, double quote and newline escaped (the exposition
/// format's rule; [`label`] applies it on top of its own).
pub fn escape_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A label value for text from a file name or a ticket: [`redact::escape_lossless`] (a
/// backslash as `\\`, a byte that is not UTF-8 as `\xff`, a control, line-separator or
/// bidirectional character as `\n`, `\r`, `\t` or `\u{202e}`; every other character as
/// it is), so that two different names never give one label value (node_exporter would
/// keep one series of the two and drop the other), then the exposition format's own
/// escaping ([`escape_label`]). A name given as `x\xff` and one with the byte 0xff after
/// `x` are `x\\xff` and `x\xff` in the label, `x\\\\xff` and `x\\xff` in the text.
pub fn label(bytes: &[u8]) -> String {
    escape_label(&redact::escape_lossless(bytes))
}

/// The exposition text of `exported`. A family's HELP and TYPE lines are written once,
/// before its samples; each file's samples are in the order the files were given.
pub fn prometheus(exported: &Exported) -> String {
    let mut expiry = String::new();
    let mut issued = String::new();
    let mut validity = String::new();
    let mut read_error = String::new();
    for series in &exported.files {
        let file = label(&series.file);
        let Some(info) = &series.ticket else {
            let _ = writeln!(read_error, "usersig_read_error{{file=\"{file}\"}} 1");
            continue;
        };
        let _ = writeln!(read_error, "usersig_read_error{{file=\"{file}\"}} 0");
        let labels = format!(
            "file=\"{file}\",identifier=\"{}\",sdkappid=\"{}\",version=\"{}\"",
            label(info.identifier.as_bytes()),
            info.sdkappid,
            info.version
        );
        let _ = writeln!(
            expiry,
            "usersig_expiry_timestamp_seconds{{{labels}}} {}",
            info.expires_at()
        );
        let _ = writeln!(
            issued,
            "usersig_issued_timestamp_seconds{{{labels}}} {}",
            info.init_time
        );
        if let (true, Some(valid)) = (exported.checked, series.valid) {
            let _ = writeln!(validity, "usersig_valid{{{labels}}} {}", u8::from(valid));
        }
    }
    let mut text = String::new();
    let mut family = |name: &str, help: &str, samples: &str| {
        let _ = writeln!(text, "# HELP {name} {help}");
        let _ = writeln!(text, "# TYPE {name} gauge");
        text.push_str(samples);
    };
    family(
        "usersig_expiry_timestamp_seconds",
        "When the UserSig ticket in the file expires (issue time plus validity), Unix seconds.",
        &expiry,
    );
    family(
        "usersig_issued_timestamp_seconds",
        "When the UserSig ticket in the file was issued, Unix seconds.",
        &issued,
    );
    if exported.checked {
        family(
            "usersig_valid",
            "1 when the ticket's signature or MAC verifies with a given key (and, from a manifest, it is for the expected sdkappid and identifier), else 0; expiry is not judged.",
            &validity,
        );
    }
    family(
        "usersig_read_error",
        "1 when the file is missing, unreadable or holds no ticket, else 0.",
        &read_error,
    );
    if let Some(runs) = &exported.runs {
        let (mut pending, mut last_run, mut success) =
            (String::new(), String::new(), String::new());
        for run in runs {
            let file = label(&run.file);
            let _ = writeln!(
                pending,
                "usersig_hook_pending{{file=\"{file}\"}} {}",
                u8::from(run.hook_pending)
            );
            if let Some((at, ok)) = run.last_run {
                let _ = writeln!(
                    last_run,
                    "usersig_renew_last_run_timestamp_seconds{{file=\"{file}\"}} {at}"
                );
                let _ = writeln!(
                    success,
                    "usersig_renew_last_run_success{{file=\"{file}\"}} {}",
                    u8::from(ok)
                );
            }
        }
        family(
            "usersig_hook_pending",
            "1 when the entry's deploy hook failed and has not succeeded since (renew --config runs it again each run), else 0.",
            &pending,
        );
        family(
            "usersig_renew_last_run_timestamp_seconds",
            "When renew --config last handled the entry, Unix seconds.",
            &last_run,
        );
        family(
            "usersig_renew_last_run_success",
            "1 when renew --config's last run kept, renewed or created the entry's ticket and its deploy hook (if it ran) succeeded, else 0.",
            &success,
        );
    }
    family(
        "usersig_exporter_last_run_timestamp_seconds",
        "When these metrics were made, Unix seconds.",
        &format!(
            "usersig_exporter_last_run_timestamp_seconds {}\n",
            exported.now
        ),
    );
    text
}

#[cfg(test)]
mod tests;
