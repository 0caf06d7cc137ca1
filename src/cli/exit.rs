//! The exit statuses: each one's number, name and meaning, defined here only. `run`
//! returns them, and the help text (and through it the manual page) lists them from
//! [`TABLE`]; a command's help may say what a status means for that command
//! ([`Exit::says`]), never give a number of its own.

/// One exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exit {
    /// The number the process exits with.
    pub code: u8,
    /// A short name, for the code that returns it.
    pub name: &'static str,
    /// What it means, as the top-level help lists it.
    pub meaning: &'static str,
}

/// A status as one command's help lists it: its number and what it means there.
pub type Listed = (u8, &'static str);

impl Exit {
    /// This status with its general meaning, for a command's help.
    pub const fn listed(self) -> Listed {
        (self.code, self.meaning)
    }

    /// This status with what it means for one command ("the ticket was written").
    pub const fn says(self, meaning: &'static str) -> Listed {
        (self.code, meaning)
    }
}

pub const OK: Exit = Exit {
    code: 0,
    name: "ok",
    meaning: "success",
};

pub const INVALID: Exit = Exit {
    code: 1,
    name: "invalid",
    meaning: "the ticket is not valid",
};

pub const USAGE: Exit = Exit {
    code: 2,
    name: "usage",
    meaning: "bad arguments",
};

pub const IO: Exit = Exit {
    code: 3,
    name: "io",
    meaning: "a file or key could not be read, used or written, or output could not be written",
};

pub const EXPIRING: Exit = Exit {
    code: 4,
    name: "expiring",
    meaning: "the ticket is valid but expires sooner than --min-remaining",
};

/// 128 + SIGPIPE: what a shell shows for a tool killed by SIGPIPE.
pub const CLOSED_PIPE: Exit = Exit {
    code: 141,
    name: "closed-pipe",
    meaning: "stdout was a closed pipe (| head) and the output was cut short",
};

/// Every exit status, in the order the top-level help lists them.
pub const TABLE: [Exit; 6] = [OK, INVALID, USAGE, IO, EXPIRING, CLOSED_PIPE];

/// The rule every status keeps, said after the list.
pub const RULE: &str = "Output that was not all written is never 0.";

#[cfg(test)]
mod tests;
