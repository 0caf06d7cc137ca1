//! What a command did, as a value. The commands return an [`Outcome`] and write nothing
//! on stdout; the output layer ([`render`](super::render)) shows it as the original's
//! lines or as one JSON object, and [`Outcome::verdict`] gives the stop it comes to, whose
//! exit status is the [`exit`](super::exit) table's.

use std::ffi::OsString;
use std::path::PathBuf;

use time::UtcOffset;
use usersig::renew::Decision;
use usersig::ticket::{TicketInfo, Version};
use usersig::userbuf::PrivateMapKey;
use usersig::verify::{Checked, Failure};

use super::error::{CommandResult, Stop};
use super::report;

/// What a command did.
pub enum Outcome {
    /// A verify form judged a ticket.
    Verified(Verified),
    /// A gen form or a privmap form made a ticket and wrote it.
    Generated(Generated),
    /// A single renew kept the sig file's ticket or wrote a fresh one.
    Renewed(Renewed),
    /// inspect read a ticket.
    Inspected(Inspected),
    /// dump read a ticket's JSON.
    Dumped(Dumped),
    /// inspect or dump was given something that is not a ticket.
    NotATicket(Failure),
    /// keygen wrote a key pair.
    KeyPair(KeyPair),
    /// keycheck compared two keys.
    KeyChecked(KeyChecked),
    /// metrics read the sig files.
    Metrics(Metrics),
    /// renew --config handled every entry (each shown as it was handled, see
    /// [`FleetEntry`]): how many failed, of how many.
    Fleet { failed: usize, entries: usize },
    /// Text made whole, printed as it is (man, completions).
    Text(Vec<u8>),
    /// A command that wrote its output as it went, line by line (gen-batch and
    /// verify-batch, whose lines the batch module writes), and came to this.
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
            Outcome::NotATicket(f) => Err(Stop::Invalid("not a ticket", f)),
            Outcome::KeyChecked(k) if !k.matches => Err(Stop::Mismatch(
                "keycheck failed: the public key does not belong to the private key; \
                 tickets made with this private key fail against this public key with 70009"
                    .into(),
            )),
            Outcome::Metrics(m) if m.keys_failed => Err(Stop::Io(
                "some keys of the manifest could not be read (see above); their files have no \
                 usersig_valid series"
                    .into(),
            )),
            Outcome::Fleet { failed, entries } if failed > 0 => Err(Stop::Mismatch(format!(
                "error: renew --config: {failed} of {entries} entries failed (see above); the \
                 others were handled"
            ))),
            Outcome::Streamed(result) => result,
            Outcome::Generated(_)
            | Outcome::Renewed(_)
            | Outcome::Inspected(_)
            | Outcome::Dumped(_)
            | Outcome::KeyPair(_)
            | Outcome::KeyChecked(_)
            | Outcome::Metrics(_)
            | Outcome::Fleet { .. }
            | Outcome::Text(_) => Ok(()),
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

/// A ticket just made: its text and what it says.
pub struct Made {
    pub text: String,
    pub info: TicketInfo,
}

/// Where a gen form's ticket went.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Landed {
    /// Into the sig file.
    File,
    /// The sig file is standard output: the output carries the ticket.
    Stdout,
    /// The write landed on standard output (the path became stdout after the check):
    /// the ticket is there already, without its newline.
    StdoutWritten,
}

/// A ticket a gen form (or privmap form) made and wrote.
pub struct Generated {
    pub made: Made,
    pub sig_file: OsString,
    pub landed: Landed,
    /// The v2 forms print the ticket before `generate sig ok`.
    pub print_ticket: bool,
}

/// What one renew step decided, and the ticket it wrote when it renewed.
pub struct RenewStep {
    /// Keep or renew, and why.
    pub decision: Decision,
    /// The reason in words, scrubbed of secrets.
    pub why: String,
    /// The new ticket, when one was made and written (never on a dry run).
    pub made: Option<Made>,
    /// The version the key makes (v1 from a private key, v2 from a secret).
    pub version: Version,
}

/// One `renew --config` entry, as it was handled.
pub struct FleetEntry {
    /// The sig file (absolute).
    pub file: PathBuf,
    /// The identifier and SDKAppID the entry makes tickets for.
    pub identifier: String,
    pub sdkappid: u32,
    /// Whether the entry has a deploy hook.
    pub has_hook: bool,
    /// Its deploy hook failed on the last run and has not succeeded since: it runs
    /// again (or, on a dry run, would).
    pub hook_pending: bool,
    /// A dry run: the step says what would be done.
    pub dry_run: bool,
    pub handled: Handled,
}

/// What happened to one `renew --config` entry.
pub enum Handled {
    /// Kept, renewed or created (or would be, on a dry run).
    Done {
        step: Box<RenewStep>,
        /// The hook's result, when it ran.
        hook: Option<Result<(), String>>,
    },
    /// Could not be handled: the message.
    Failed(String),
}

impl FleetEntry {
    /// How many failures of the run this entry is: its own, or its hook's.
    pub fn failures(&self) -> usize {
        match &self.handled {
            Handled::Failed(_)
            | Handled::Done {
                hook: Some(Err(_)), ..
            } => 1,
            Handled::Done { .. } => 0,
        }
    }
}

/// A single renew's step on its sig file.
pub struct Renewed {
    pub sig_file: OsString,
    pub step: RenewStep,
    /// When it was decided, Unix seconds (a kept ticket's remaining time is counted
    /// from here).
    pub now: i64,
    /// `--quiet`: no line unless there is an error.
    pub quiet: bool,
}

/// What inspect read.
pub struct Inspected {
    pub info: TicketInfo,
    /// When it was read, Unix seconds.
    pub now: i64,
    /// The host's UTC offset, for the local times.
    pub offset: UtcOffset,
    /// The PrivateMapKey its userbuf holds, if any.
    pub map_key: Option<PrivateMapKey>,
}

/// The JSON inside a ticket, as dump shows it.
pub struct Dumped {
    /// The ticket's form (`v1`, `v2`, `v1-plain-json`).
    pub version: &'static str,
    /// Its JSON text, as it is in the ticket.
    pub json: String,
}

/// The key pair keygen wrote.
pub struct KeyPair {
    pub private: PathBuf,
    pub public: PathBuf,
    /// The public key's SHA-256 fingerprint.
    pub fingerprint: String,
}

/// Two keys keycheck compared.
pub struct KeyChecked {
    /// Where each key came from, in words.
    pub private_source: String,
    pub public_source: String,
    /// The fingerprint of the private key's public half, and of the public key.
    pub private_fingerprint: String,
    pub public_fingerprint: String,
    /// Whether the public key belongs to the private key.
    pub matches: bool,
}

/// What metrics found in the sig files.
pub struct Metrics {
    /// The samples to print; `None` when they were written to `--textfile`.
    pub exported: Option<Exported>,
    /// Some keys of the manifest could not be read (each said on stderr already).
    pub keys_failed: bool,
}

/// The series metrics exports, one set per file.
pub struct Exported {
    /// The files, each named once, in the order first given.
    pub files: Vec<FileSeries>,
    /// Whether keys checked the tickets (`usersig_valid` is exported).
    pub checked: bool,
    /// When the metrics were made, Unix seconds.
    pub now: i64,
    /// From a manifest: what `renew --config` remembers of each entry, in manifest order.
    pub runs: Option<Vec<RunSeries>>,
}

/// What the last `renew --config` run left of one manifest entry.
pub struct RunSeries {
    /// The entry's sig file (raw bytes).
    pub file: Vec<u8>,
    /// Its deploy hook failed and has not succeeded since.
    pub hook_pending: bool,
    /// When the last run handled it (Unix seconds) and whether that succeeded; `None`
    /// before its first run.
    pub last_run: Option<(i64, bool)>,
}

/// One file's series.
pub struct FileSeries {
    /// The file's name, as given (raw bytes).
    pub file: Vec<u8>,
    /// The ticket it holds; `None` when it is missing, unreadable or holds no ticket.
    pub ticket: Option<TicketInfo>,
    /// Whether the ticket is valid for every entry naming the file; `None` when some
    /// entry has no key (no `usersig_valid` sample).
    pub valid: Option<bool>,
}

#[cfg(test)]
mod tests;
