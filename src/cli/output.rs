//! What commands write: stdout lines and objects that stop the command when they
//! cannot be written, and warnings on stderr (see [`streams`](super::streams) for the
//! rule that no failed write is lost).

use super::error::{CommandResult, stdout_error};
use super::{redact, streams};

pub use super::streams::NAME;

/// Write to stdout; a failure stops the command (see [`stdout_error`]).
pub fn out(bytes: &[u8]) -> CommandResult {
    streams::write_stdout(bytes).map_err(|e| stdout_error(&e))
}

/// Write a JSON object and a newline to stdout.
pub fn out_json(object: &str) -> CommandResult {
    out(format!("{object}\n").as_bytes())
}

/// A warning line on stderr (scrubbed of secrets, one line).
pub fn warn(message: &str) {
    let message = redact::shown(message.as_bytes());
    streams::stderr_line(&format!("{NAME}: warning: {message}"));
}
