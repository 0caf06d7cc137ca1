//! Why a command stopped ([`Stop`]), its one line on stderr and its exit status.

use std::io;

use usersig::verify::Failure;

use super::exit::{self, Exit};
use super::streams::{self, NAME};
use super::{hints, redact, report};

/// Why a command stopped.
pub enum Stop {
    /// The ticket is not valid (the words name what was being done: "verify failed").
    Invalid(&'static str, Failure),
    /// The ticket is valid but expires sooner than --min-remaining.
    Expiring(String),
    /// A check other than a ticket's failed (keycheck): the message.
    Mismatch(String),
    /// An argument breaks a rule.
    Usage(String),
    /// A file or key could not be read, used or written.
    Io(String),
    /// Standard output is a closed pipe (`| head`): the output was cut short.
    Closed,
}

/// What a command comes to: done, or why it stopped.
pub type CommandResult = Result<(), Stop>;

impl Stop {
    /// The exit status this stop gives.
    pub fn exit(&self) -> Exit {
        match self {
            Stop::Invalid(..) | Stop::Mismatch(_) => exit::INVALID,
            Stop::Expiring(_) => exit::EXPIRING,
            Stop::Usage(_) => exit::USAGE,
            Stop::Io(_) => exit::IO,
            Stop::Closed => exit::CLOSED_PIPE,
        }
    }

    /// The message, without the tool's name or a prefix; none for a closed pipe.
    pub fn message(&self) -> Option<String> {
        Some(match self {
            Stop::Invalid(doing, f) => format!("{doing}: {}", hints::failure(f)),
            Stop::Expiring(m) | Stop::Mismatch(m) | Stop::Usage(m) | Stop::Io(m) => m.clone(),
            Stop::Closed => return None,
        })
    }

    /// Say why on stderr (and, in JSON mode, as a JSON object on stdout for the stops
    /// whose command has not printed its own object) and give the exit status.
    pub fn report(&self, json: bool) -> u8 {
        let code = self.exit().code;
        // Whoever closed the pipe stopped reading on purpose: nothing to say.
        let Some(message) = self.message() else {
            return code;
        };
        let line = match self {
            Stop::Expiring(_) => format!("too close to expiry: {message}"),
            Stop::Usage(_) | Stop::Io(_) => format!("error: {message}"),
            Stop::Invalid(..) | Stop::Mismatch(_) | Stop::Closed => message.clone(),
        };
        if json && matches!(self, Stop::Usage(_) | Stop::Io(_)) {
            // The object says "ok":false already: its "error" is the message, without
            // the stderr line's "error: ". error_object scrubs it too.
            let _ = streams::write_stdout(
                format!("{}\n", report::error_object(&message, code)).as_bytes(),
            );
        }
        // Every message line goes through here: scrubbed of secrets, one line. A failure
        // to write it is remembered, but this stop's status stands.
        let line = redact::shown(line.as_bytes());
        streams::stderr_line(&format!("{NAME}: {line}"));
        code
    }
}

/// A usage stop (exit 2) saying `e`.
pub fn usage<E: std::fmt::Display>(e: E) -> Stop {
    Stop::Usage(e.to_string())
}

/// An I/O stop (exit 3) saying `e`.
pub fn io_err<E: std::fmt::Display>(e: E) -> Stop {
    Stop::Io(e.to_string())
}

/// The stop for a failed write to stdout: a closed pipe (`| head`) ends the command
/// quietly (status 141); any other failure is an I/O error (status 3).
pub fn stdout_error(e: &io::Error) -> Stop {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Stop::Closed
    } else {
        Stop::Io(format!("cannot write to standard output: {e}"))
    }
}
