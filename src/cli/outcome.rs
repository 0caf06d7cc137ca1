//! What a command did, as a value. The commands return an [`Outcome`] and write nothing
//! on stdout; the output layer ([`render`](super::render)) shows it as the original's
//! lines or as one JSON object, and [`Outcome::verdict`] gives the stop it comes to, whose
//! exit status is the [`exit`](super::exit) table's.

use usersig::userbuf::PrivateMapKey;
use usersig::verify::Checked;

use super::error::{CommandResult, Stop};
use super::report;

/// What a command did.
pub enum Outcome {
    /// A verify form judged a ticket.
    Verified(Verified),
    /// A command that wrote its output as it went, line by line (gen-batch,
    /// verify-batch, renew --config), and came to this.
    Streamed(CommandResult),
}

impl Outcome {
    /// What the command comes to once its output is shown: done, or the stop (a verdict
    /// other than valid) that gives its message and exit status.
    pub fn verdict(self) -> CommandResult {
        match self {
            Outcome::Verified(v) => match &v.checked.verdict {
                Err(f) => Err(Stop::Invalid("verify failed", f.clone())),
                Ok(_) => match report::expiring_soon(&v.checked, v.min_remaining) {
                    Some(why) => Err(Stop::Expiring(why)),
                    None => Ok(()),
                },
            },
            Outcome::Streamed(result) => result,
        }
    }
}

/// A verify form's judgement of one ticket.
pub struct Verified {
    /// verify2user: the original puts the userbuf at the end of the expire line.
    pub userbuf_on_expire_line: bool,
    /// The ticket, its verdict (the index of the key that matched) and when it was judged.
    pub checked: Checked,
    /// `--min-remaining`, seconds.
    pub min_remaining: Option<u64>,
    /// The names of the keys tried, in order (raw bytes: a path need not be UTF-8).
    pub key_names: Vec<Vec<u8>>,
    /// The PrivateMapKey that granted the room asked for (`--room-id`, `--room-str`).
    pub map_key: Option<PrivateMapKey>,
}
