//! What `renew --config` remembers between runs, per manifest entry: when it last ran,
//! whether that run succeeded, and whether the entry's deploy hook failed and must run
//! again. `metrics --config` exports it.
//!
//! The state file is `.NAME.state` beside the manifest NAME, next to the run's lock
//! `.NAME.lock`, and for the same reason: a timer's run, a person's run and the metrics
//! run must all find the same file, whatever environment each has (`$STATE_DIRECTORY`
//! is set for a systemd unit only, so a manual run would miss a hook the timer's run
//! left pending). It is JSON keyed by each entry's sig file (absolute), written after
//! each run through the one atomic writer (mode 0600) with only the manifest's current
//! entries, so an entry removed from the manifest is forgotten. It is read through the
//! one regular-file reader, never through a link, and refused when another user's (who
//! could make this user's run a hook at will, or hide a failed one).

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::super::error::{Stop, io_err};
use super::super::fsio::{self, FsErrorKind, LastLink, WriteRules};
use super::super::redact;

/// The largest state file read: 1 MiB (a line per entry).
const MAX_STATE_BYTES: usize = 1024 * 1024;

/// What is remembered of one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryState {
    /// When the last run handled the entry, Unix seconds.
    pub last_run: i64,
    /// Whether it was kept, renewed or created, and its hook (if it ran) succeeded.
    pub success: bool,
    /// Its deploy hook failed and has not succeeded since: the next run runs it again.
    pub hook_pending: bool,
}

/// Every entry's state, keyed by its sig file.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    #[serde(default)]
    pub entries: BTreeMap<String, EntryState>,
}

impl State {
    /// The state of the entry writing `file`, if one is remembered.
    pub fn get(&self, file: &Path) -> Option<EntryState> {
        self.entries.get(&key(file)).copied()
    }

    /// Remember `state` for the entry writing `file`.
    pub fn set(&mut self, file: &Path, state: EntryState) {
        self.entries.insert(key(file), state);
    }
}

/// The key of an entry: its sig file as the manifest gives it, made absolute (a name
/// that is not UTF-8 has its bytes escaped, so that two names never share a key).
fn key(file: &Path) -> String {
    redact::escape_lossless(file.as_os_str().as_bytes())
}

/// Where the state of the manifest at `manifest` is: `.NAME.state` beside it.
pub fn path(manifest: &Path) -> PathBuf {
    beside(manifest, ".state")
}

/// `.NAME` + `suffix` beside the manifest NAME (the lock and the state file).
pub fn beside(manifest: &Path, suffix: &str) -> PathBuf {
    let name = manifest.file_name().unwrap_or(OsStr::new("manifest"));
    let mut file = OsString::from(".");
    file.push(name);
    file.push(suffix);
    match manifest.parent() {
        Some(dir) => dir.join(file),
        None => PathBuf::from(file),
    }
}

/// The state of the manifest at `manifest`; empty when there is none yet. Exit 3 when
/// it is a link, not a regular file, another user's (`own_only`, for a run that acts on
/// it), or not a state file.
pub fn read(manifest: &Path, own_only: bool) -> Result<State, Stop> {
    let at = path(manifest);
    let head = match fsio::read_regular(&at, MAX_STATE_BYTES, "state file", LastLink::Refuse) {
        Ok(head) => head,
        Err(e) if e.kind() == FsErrorKind::NotFound => return Ok(State::default()),
        Err(e) => return Err(io_err(e)),
    };
    let shown = redact::shown_path(&at);
    if own_only && head.owner != nix::unistd::Uid::effective().as_raw() {
        return Err(Stop::Io(format!(
            "state file '{shown}' is owned by another user (uid {}), who could make this \
             run a deploy hook or hide a failed one; remove it",
            head.owner
        )));
    }
    if own_only && head.mode & 0o022 != 0 {
        return Err(Stop::Io(format!(
            "state file '{shown}' has mode {:04o}: others could make this run a deploy hook \
             or hide a failed one; chmod 600 it",
            head.mode
        )));
    }
    if head.bytes.len() > MAX_STATE_BYTES {
        return Err(Stop::Io(format!(
            "state file '{shown}' is larger than 1 MiB; remove it (it is made anew)"
        )));
    }
    // An empty file is no state yet (made with touch, as the lock may be, where this
    // run may not create files).
    if head.bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(State::default());
    }
    serde_json::from_slice(&head.bytes).map_err(|e| {
        Stop::Io(format!(
            "state file '{shown}' is not a state file of renew --config ({}); remove it \
             (it is made anew, forgetting any failed deploy hook)",
            redact::escape(&e.to_string())
        ))
    })
}

/// Write `state` as the state of the manifest at `manifest`: atomically, mode 0600,
/// never through a link, never over the manifest or a key (`inputs`).
pub fn write(
    manifest: &Path,
    state: &State,
    inputs: &[(fsio::FileId, &'static str)],
) -> Result<(), Stop> {
    let mut text = serde_json::to_string_pretty(state)
        .map_err(|e| Stop::Io(format!("cannot write the run's state: {e}")))?;
    text.push('\n');
    let rules = WriteRules {
        mode: Some(0o600),
        regular_only: true,
        inputs: inputs.to_vec(),
        ..WriteRules::new("the run's state")
    };
    fsio::write(&path(manifest), text.as_bytes(), "state file", &rules)
        .map(drop)
        .map_err(io_err)
}
