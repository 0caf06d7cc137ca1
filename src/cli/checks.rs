//! Argument rules shared by the commands: durations, `--at`, names that look like a
//! secret, one input from stdin at most, and the userbuf's three forms.

use std::ffi::OsStr;
use std::path::Path;

use usersig::clock::{Clock, FixedClock, SystemClock, parse_instant};

use super::error::{CommandResult, Stop, io_err};
use super::source::Source;
use super::{args, duration, fsio, redact};

/// The bytes of an OS string (Unix).
fn os_bytes(s: &OsStr) -> &[u8] {
    std::os::unix::ffi::OsStrExt::as_bytes(s)
}

/// The most bytes a userbuf from `--userbuf-file` or `--userbuf-base64` may hold.
const MAX_USERBUF_BYTES: usize = 64 * 1024;

/// The userbuf a `*user` form was given: the positional USERBUF (argv text), the bytes of
/// `--userbuf-file` (any bytes, NUL too; `-` is stdin) or of `--userbuf-base64`. Exactly
/// one of the three (exit 2 otherwise); `stdin_taken` says a key or ticket already comes
/// from stdin, so `--userbuf-file -` cannot.
pub fn userbuf_bytes(
    positional: Option<&OsStr>,
    from: &args::UserbufFrom,
    stdin_taken: bool,
) -> Result<Vec<u8>, Stop> {
    let forms = "USERBUF, --userbuf-file PATH or --userbuf-base64 TEXT";
    match (positional, &from.userbuf_file, &from.userbuf_base64) {
        (Some(text), None, None) => Ok(os_bytes(text).to_vec()),
        (None, Some(path), None) => {
            if path == "-" && stdin_taken {
                return Err(Stop::Usage(
                    "only one key, ticket or userbuf can come from standard input (-)".into(),
                ));
            }
            fsio::read_capped(Path::new(path), MAX_USERBUF_BYTES, "userbuf file").map_err(io_err)
        }
        (None, None, Some(text)) => {
            use base64::Engine as _;
            let engine = base64::engine::general_purpose::STANDARD_NO_PAD_INDIFFERENT;
            let bytes = engine.decode(text.as_bytes()).map_err(|_| {
                Stop::Usage(
                    "--userbuf-base64 is not base64: use the standard alphabet \
                     A-Z a-z 0-9 + / (= padding optional)"
                        .into(),
                )
            })?;
            if bytes.len() > MAX_USERBUF_BYTES {
                return Err(Stop::Usage(format!(
                    "--userbuf-base64 holds {} bytes, more than the limit of {MAX_USERBUF_BYTES}",
                    bytes.len()
                )));
            }
            Ok(bytes)
        }
        (None, None, None) => Err(Stop::Usage(
            "the following required arguments were not provided: <USERBUF> \
             (or --userbuf-file PATH or --userbuf-base64 TEXT)"
                .into(),
        )),
        _ => Err(Stop::Usage(format!(
            "give the userbuf once: {forms}, not more than one"
        ))),
    }
}

/// Parse a duration option, which must lie in `range` (seconds).
pub fn parse_duration(
    option: &str,
    text: &str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, Stop> {
    duration::parse_in(text, range).map_err(|e| Stop::Usage(format!("{option}: {e}")))
}

/// The clock a verify form judges by: `--at` when given, else now; in the host's zone.
pub fn judging_clock(at: Option<&str>, system: &SystemClock) -> Result<FixedClock, Stop> {
    let now = match at {
        Some(text) => parse_instant(text).map_err(|e| Stop::Usage(format!("--at: {e}")))?,
        None => system.now(),
    };
    Ok(FixedClock {
        now,
        offset: system.local_offset(),
    })
}

/// Refuse to create a file whose name has the shape of a v2 secret: most likely the
/// secret was typed in the wrong place, and the file would keep it in a directory
/// listing. `role` names the argument ("SIG_FILE"). A file that exists is used.
pub fn check_not_secret_name(output: &OsStr, role: &str) -> CommandResult {
    if output != "-"
        && redact::has_secret_shape(os_bytes(output))
        && std::fs::symlink_metadata(output).is_err()
    {
        return Err(Stop::Usage(format!(
            "{role} looks like a v2 secret (not shown); check the argument order"
        )));
    }
    Ok(())
}

/// At most one input may come from standard input: the keys', and the ticket's when
/// `ticket_from_stdin`.
pub fn check_one_stdin<'a>(
    sources: impl IntoIterator<Item = &'a Source>,
    ticket_from_stdin: bool,
) -> CommandResult {
    let n = sources.into_iter().filter(|s| s.is_stdin()).count() + usize::from(ticket_from_stdin);
    if n > 1 {
        return Err(Stop::Usage(
            "only one key or ticket can come from standard input (-)".into(),
        ));
    }
    Ok(())
}
