//! `renew --config FILE`: every ticket of a TOML manifest, each kept, renewed or created
//! as single-file renew does, with a deploy hook after each renewal, under a lock.
//!
//! The manifest is read and checked whole before anything is written (exit 2, nothing
//! done). Then each entry is handled on its own: one entry's failure is reported and the
//! others still run. Exit status: 0 every entry kept, renewed or created and every hook
//! succeeded; 1 at least one entry failed or its hook failed; 2 the manifest is wrong;
//! 3 the manifest cannot be read or the lock was not had in time.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::os::unix::process::CommandExt;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use serde::Deserialize;

use usersig::clock::{Clock, SystemClock, describe_span};
use usersig::issue::{self, TicketRequest};
use usersig::renew::Decision;

use super::args::RenewArgs;
use super::checks::parse_duration;
use super::error::Stop;
use super::fsio::{self, FileId, FsErrorKind, LastLink, Target, WriteRules};
use super::keyload::{Signer, ticket_rules};
use super::outcome::{FleetEntry, Handled, Outcome};
use super::renew::{Plan, renew_step};
use super::source::Source;
use super::{duration, hints, output, redact, render};

mod state;

pub use state::{EntryState, State};

/// The state `renew --config` keeps for the manifest at `manifest` (for metrics: any
/// owner's is read).
pub fn run_state(manifest: &Path) -> Result<State, Stop> {
    state::read(manifest, false)
}

/// The largest manifest read: 1 MiB.
const MAX_MANIFEST_BYTES: usize = 1024 * 1024;

/// How long a deploy hook may run unless `hook_timeout` says otherwise.
pub const DEFAULT_HOOK_TIMEOUT: u64 = 60;

/// A number or a string in the manifest (`mode = 0o640` or `"0640"`, `owner = 0` or
/// `"root"`, `within = 86400` or `"1d"`).
#[derive(Debug, Deserialize, Clone)]
#[serde(untagged)]
enum NumOrText {
    Num(i64),
    Text(String),
}

/// The fields an entry may take from `[defaults]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    sdkappid: Option<i64>,
    key: Option<String>,
    within: Option<NumOrText>,
    expire: Option<NumOrText>,
    deploy_hook: Option<String>,
    hook_timeout: Option<NumOrText>,
    mode: Option<NumOrText>,
    owner: Option<NumOrText>,
    group: Option<NumOrText>,
}

/// One `[[ticket]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTicket {
    file: String,
    sdkappid: Option<i64>,
    identifier: String,
    key: Option<String>,
    within: Option<NumOrText>,
    expire: Option<NumOrText>,
    deploy_hook: Option<String>,
    hook_timeout: Option<NumOrText>,
    mode: Option<NumOrText>,
    owner: Option<NumOrText>,
    group: Option<NumOrText>,
}

/// The manifest as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    defaults: RawDefaults,
    #[serde(default)]
    ticket: Vec<RawTicket>,
}

/// One checked entry of the manifest.
pub struct Entry {
    /// The sig file (relative paths are taken from the manifest's directory).
    pub file: PathBuf,
    /// The sig file as the manifest says it, for messages about the manifest.
    pub written: String,
    /// Where the key is read from: a regular file (never waited on) or a variable.
    pub key: Source,
    /// What a fresh ticket is made from.
    pub req: TicketRequest,
    /// Renew when less than this many seconds remain.
    pub within: u64,
    /// The deploy hook, `sh -c` text; `None` for none.
    pub hook: Option<String>,
    /// Seconds the hook may run before it is killed.
    pub hook_timeout: u64,
    /// The written file's mode.
    pub mode: Option<u32>,
    /// The written file's owner.
    pub owner: Option<u32>,
    /// The written file's group.
    pub group: Option<u32>,
}

/// A checked manifest.
pub struct Manifest {
    /// The entries, in manifest order.
    pub entries: Vec<Entry>,
    /// The files the run reads (the manifest, the keys), never written over by a ticket.
    pub inputs: Vec<(FileId, &'static str)>,
    /// Every environment variable a key is read from: kept out of the hooks'
    /// environment, so that no secret reaches a hook.
    pub key_variables: Vec<OsString>,
}

fn manifest_error(path: &Path, what: impl std::fmt::Display) -> Stop {
    Stop::Usage(format!("manifest '{}': {what}", redact::shown_path(path)))
}

/// The line and column (from 1) of byte `at` in `text`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..at.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
}

/// `path` with `.` components and repeated slashes gone, from `base` when relative.
fn resolve(base: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    joined
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

fn text_of(value: &NumOrText) -> String {
    match value {
        NumOrText::Num(n) => n.to_string(),
        NumOrText::Text(t) => t.clone(),
    }
}

/// A file mode: an integer (`0o640`) or octal digits (`"0640"`). A ticket file is
/// never executable, nor writable by group or others.
fn parse_mode(value: &NumOrText) -> Result<u32, String> {
    // `mode = 640` meant octal, but TOML reads decimal 640 (0o1200, sticky): a number
    // that is no ticket file's mode, written in octal digits.
    if let NumOrText::Num(n) = value {
        let digits = n.to_string();
        let usable = u32::try_from(*n).is_ok_and(|m| m <= 0o7777 && m & 0o7133 == 0);
        if !usable && *n >= 8 && digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return Err(format!(
                "mode = {n} is the decimal number {n} (octal {n:o}) in TOML: write the mode \
                 quoted, mode = \"0{digits}\" (or mode = 0o{digits})"
            ));
        }
    }
    let mode = match value {
        NumOrText::Num(n) => u32::try_from(*n).ok(),
        NumOrText::Text(t) => {
            let digits = t.strip_prefix("0o").unwrap_or(t);
            match !digits.is_empty() && digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                true => u32::from_str_radix(digits, 8).ok(),
                false => None,
            }
        }
    };
    match mode {
        Some(m) if m <= 0o7777 && m & 0o7133 == 0 => Ok(m),
        Some(m) if m <= 0o7777 => Err(format!(
            "mode {m:04o}: a ticket file must not be executable, setuid, setgid or sticky, \
             nor writable by group or others (use 0600, 0640 or 0644)"
        )),
        _ => Err(format!(
            "mode '{}' is not an octal file mode like \"0640\"",
            redact::escape(&text_of(value))
        )),
    }
}

/// An owner or group: a number, or a name looked up on this machine.
fn parse_id(value: &NumOrText, group: bool) -> Result<u32, String> {
    let what = if group { "group" } else { "owner" };
    let text = text_of(value);
    let digits = text.strip_prefix('-').unwrap_or(&text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // (-1, all bits set, means "leave it as it is" to chown: never an id.)
        return match text.parse::<u32>() {
            Ok(n) if n != u32::MAX => Ok(n),
            _ => Err(format!(
                "{what} {} is out of range: give from 0 to {}",
                redact::escape(&text),
                u32::MAX - 1
            )),
        };
    }
    let found = match group {
        true => nix::unistd::Group::from_name(&text).map(|g| g.map(|g| g.gid.as_raw())),
        false => nix::unistd::User::from_name(&text).map(|u| u.map(|u| u.uid.as_raw())),
    };
    match found {
        Ok(Some(id)) => Ok(id),
        Ok(None) | Err(_) => Err(format!(
            "{what} '{}' is not a {} on this machine",
            redact::escape(&text),
            if group { "group" } else { "user" }
        )),
    }
}

/// Read the manifest at `path` as the one regular-file reader does: never waiting on a
/// FIFO, never through another user's link. Exit 3 when it cannot be read.
fn read_manifest(path: &Path) -> Result<fsio::RegularHead, Stop> {
    let head = fsio::read_regular(path, MAX_MANIFEST_BYTES, "manifest", LastLink::Trusted)
        .map_err(|e| match e.kind() {
            FsErrorKind::NotRegularFile | FsErrorKind::IsDirectory => Stop::Io(format!(
                "manifest '{}' {}",
                redact::shown_path(path),
                e.reason()
            )),
            // (A missing directory on the way is said as the reader says it.)
            FsErrorKind::NotFound if !e.reason().starts_with("directory") => Stop::Io(format!(
                "manifest '{}' does not exist: give the path of the TOML manifest that \
                     lists the tickets (renew --help says its form)",
                redact::shown_path(path)
            )),
            _ => Stop::Io(e.to_string()),
        })?;
    if head.bytes.len() > MAX_MANIFEST_BYTES {
        return Err(manifest_error(
            path,
            "larger than 1 MiB; is this the manifest?",
        ));
    }
    Ok(head)
}

/// Read and check the manifest at `path`: its text ([`parse`]), then what its paths
/// name on this machine ([`check_files`]). Nothing is written or run.
pub fn load(path: &Path) -> Result<Manifest, Stop> {
    let head = read_manifest(path)?;
    let text = String::from_utf8(head.bytes)
        .map_err(|_| manifest_error(path, "not UTF-8 text (TOML is UTF-8)"))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let base = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    // Absolute, so that hooks and messages get the same path wherever the run started;
    // no link is resolved here: every path is opened by the write's link rules.
    let base = match base.is_absolute() {
        true => base.to_path_buf(),
        false => std::env::current_dir()
            .map(|cwd| resolve(&cwd, base))
            .unwrap_or_else(|_| base.to_path_buf()),
    };
    let mut manifest = parse(&text, path, &base)?;
    check_files(&mut manifest, path, head.id)?;
    Ok(manifest)
}

/// Where a path leads, as the write and the key reader would open it.
struct Found {
    /// The directory's identity and the last name (`None`: the directory cannot be
    /// opened by the link rules; the entry fails when it runs).
    at: Option<(FileId, OsString)>,
    /// The file there, when it is a regular file.
    file: Option<fsio::RegularHead>,
}

impl Found {
    fn of(path: &Path, what: &'static str, limit: usize) -> Found {
        let Ok(target) = Target::open(path, what) else {
            return Found {
                at: None,
                file: None,
            };
        };
        let at = target.place().ok().map(|(id, name)| (id, name.to_owned()));
        let file = target.read(limit, LastLink::Trusted).ok();
        Found { at, file }
    }

    /// Whether `self` and `other` are one file: the same directory and name, or the same
    /// device and inode (a hard link, a link to it).
    fn same(&self, other: &Found) -> bool {
        let at = matches!((&self.at, &other.at), (Some(a), Some(b)) if a == b);
        let file = matches!((&self.file, &other.file), (Some(a), Some(b)) if a.id == b.id);
        at || file
    }
}

/// Check what the manifest's paths name, before any entry runs (exit 2): no two entries
/// write one file, however it is named, and no ticket is written over the manifest, a
/// key any entry reads, or a file that holds key material. Also gathers the manifest and
/// its key files as inputs every entry's write refuses to replace.
fn check_files(manifest: &mut Manifest, path: &Path, own: FileId) -> Result<(), Stop> {
    let keys: Vec<Option<Found>> = manifest
        .entries
        .iter()
        .map(|e| e.key.file().map(|k| Found::of(k, "key file", 0)))
        .collect();
    let mut files: Vec<Found> = Vec::with_capacity(manifest.entries.len());
    for (i, entry) in manifest.entries.iter().enumerate() {
        let err = |what: String| {
            manifest_error(
                path,
                format!(
                    "ticket {} ('{}'): {what}",
                    i + 1,
                    redact::escape(&entry.written)
                ),
            )
        };
        let place = Found::of(&entry.file, "sig file", super::source::MAX_KEY_BYTES);
        if files.iter().any(|other| other.same(&place)) {
            return Err(err(
                "a second entry for the same file; each file has one entry".into(),
            ));
        }
        if place.file.as_ref().is_some_and(|f| f.id == own) {
            return Err(err("file is the manifest itself".into()));
        }
        for (j, key) in keys.iter().enumerate() {
            if key.as_ref().is_some_and(|k| k.same(&place)) {
                return Err(err(match j == i {
                    true => "file is its own key; a ticket would replace the key".into(),
                    false => format!(
                        "file is the key of ticket {}; a ticket would replace the key",
                        j + 1
                    ),
                }));
            }
        }
        if let Some(what) = place
            .file
            .as_ref()
            .and_then(|f| fsio::key_material(&f.bytes))
        {
            return Err(err(format!(
                "file holds {what}, not a ticket; a ticket never replaces key material"
            )));
        }
        files.push(place);
    }
    manifest.inputs.push((own, "the manifest"));
    for key in keys.iter().flatten() {
        if let Some(file) = &key.file {
            manifest
                .inputs
                .push((file.id, "a key file of the manifest"));
        }
    }
    Ok(())
}

/// Check the manifest `text` (shown as `path`; relative paths from `base`).
pub fn parse(text: &str, path: &Path, base: &Path) -> Result<Manifest, Stop> {
    let raw: RawManifest = toml::from_str(text).map_err(|e| {
        let message = e.message().trim().replace('\n', " ");
        match e.span() {
            Some(span) => {
                let (line, column) = line_column(text, span.start);
                let hint = unquoted_mode(text, span.start).unwrap_or_default();
                manifest_error(
                    path,
                    format!("line {line}, column {column}: {message}{hint}"),
                )
            }
            None => manifest_error(path, message),
        }
    })?;
    if raw.ticket.is_empty() {
        return Err(manifest_error(path, no_entries(&raw.defaults)));
    }
    let mut entries: Vec<Entry> = Vec::with_capacity(raw.ticket.len());
    let mut key_variables = Vec::new();
    for (i, t) in raw.ticket.iter().enumerate() {
        let n = i + 1;
        let err = |what: String| {
            manifest_error(
                path,
                format!("ticket {n} ('{}'): {what}", redact::escape(&t.file)),
            )
        };
        if t.file.is_empty() {
            return Err(manifest_error(path, format!("ticket {n}: file is empty")));
        }
        let entry = check_entry(t, &raw.defaults, base, &entries, &mut key_variables);
        entries.push(entry.map_err(err)?);
    }
    Ok(Manifest {
        entries,
        inputs: Vec::new(),
        key_variables,
    })
}

/// The hint for `mode = 0640` (TOML refuses the leading zero) at the line holding
/// byte `at`: write it quoted.
fn unquoted_mode(text: &str, at: usize) -> Option<String> {
    let start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (name, value) = line.split_once('=')?;
    let value = value.split('#').next()?.trim();
    let octal = value.len() > 1
        && value.starts_with('0')
        && value.bytes().all(|b| (b'0'..=b'7').contains(&b));
    (name.trim() == "mode" && octal)
        .then(|| format!(" (a mode is written quoted: mode = \"{value}\")"))
}

/// What an empty manifest is told: what each `[[ticket]]` needs, counting what
/// `[defaults]` gives.
fn no_entries(d: &RawDefaults) -> String {
    let mut needs = vec!["file", "identifier"];
    let mut given = Vec::new();
    for (name, there) in [
        ("sdkappid", d.sdkappid.is_some()),
        ("key", d.key.is_some()),
        ("within", d.within.is_some()),
    ] {
        match there {
            true => given.push(name),
            false => needs.push(name),
        }
    }
    let list = |names: &[&str]| match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    let mut text = format!(
        "no [[ticket]] entries; add one per sig file, each with {}",
        list(&needs)
    );
    if !given.is_empty() {
        text += &format!(" ([defaults] gives {})", list(&given));
    }
    text
}

/// One `[[ticket]]` checked, with what it takes from `[defaults]`, against the entries
/// before it; an `env:` key's variable is added to `key_variables`. The error says what
/// is wrong in it.
fn check_entry(
    t: &RawTicket,
    d: &RawDefaults,
    base: &Path,
    earlier: &[Entry],
    key_variables: &mut Vec<OsString>,
) -> Result<Entry, String> {
    let last = t.file.rsplit('/').next().unwrap_or_default();
    if last.is_empty() || last == "." || last == ".." {
        return Err("file names a directory, not a file (it ends in '/', '.' or '..')".into());
    }
    // No link is resolved here: the same file under two names is found by what they
    // open (check_files).
    let file = resolve(base, Path::new(&t.file));
    if earlier.iter().any(|e| e.file == file) {
        return Err("a second entry for the same file; each file has one entry".into());
    }
    let req = entry_request(t, d)?;
    let within = t.within.as_ref().or(d.within.as_ref()).ok_or_else(|| {
        "no within (here or in [defaults]): say when to renew, like within = \"30d\"".to_owned()
    })?;
    let within = duration::parse_in(&text_of(within), 0..=duration::LONGEST)
        .map_err(|e| format!("within: {e}"))?;
    if within >= u64::from(req.expire()) {
        return Err(format!(
            "within {} is not shorter than the ticket's validity {}: every run would renew",
            describe_span(i64::try_from(within).unwrap_or(i64::MAX)),
            describe_span(req.expire().into())
        ));
    }
    let key = entry_key(t.key.as_ref().or(d.key.as_ref()), base, key_variables)?;
    let hook = match t.deploy_hook.as_ref().or(d.deploy_hook.as_ref()) {
        Some(h) if h.trim().is_empty() => None,
        Some(h) => Some(h.clone()),
        None => None,
    };
    let hook_timeout = match t.hook_timeout.as_ref().or(d.hook_timeout.as_ref()) {
        Some(v) => duration::parse_in(&text_of(v), 1..=duration::DAY)
            .map_err(|e| format!("hook_timeout: {e}"))?,
        None => DEFAULT_HOOK_TIMEOUT,
    };
    let mode = t.mode.as_ref().or(d.mode.as_ref()).map(parse_mode);
    let owner = t.owner.as_ref().or(d.owner.as_ref());
    let group = t.group.as_ref().or(d.group.as_ref());
    Ok(Entry {
        file,
        written: t.file.clone(),
        key,
        req,
        within,
        hook,
        hook_timeout,
        mode: mode.transpose()?,
        owner: owner.map(|v| parse_id(v, false)).transpose()?,
        group: group.map(|v| parse_id(v, true)).transpose()?,
    })
}

/// The ticket an entry asks for: sdkappid, identifier and expire.
fn entry_request(t: &RawTicket, d: &RawDefaults) -> Result<TicketRequest, String> {
    let sdkappid = t.sdkappid.or(d.sdkappid).ok_or_else(|| {
        "no sdkappid (here or in [defaults]): the app's SDKAppID, like sdkappid = 1400001052"
            .to_owned()
    })?;
    let sdkappid =
        issue::parse_sdkappid(&sdkappid.to_string()).map_err(|e| format!("sdkappid: {e}"))?;
    let req = TicketRequest::new(sdkappid, &t.identifier)
        .map_err(|e| format!("identifier: {}", hints::arg_error(&e)))?;
    match t.expire.as_ref().or(d.expire.as_ref()) {
        Some(e) => {
            let secs = duration::parse_expire(&text_of(e)).map_err(|e| format!("expire: {e}"))?;
            req.with_expire(secs).map_err(|e| format!("expire: {e}"))
        }
        None => Ok(req),
    }
}

/// Where an entry's key is read from: a file (PATH or file:PATH, from the manifest's
/// directory) or env:NAME (whose NAME is added to `key_variables`); never stdin.
fn entry_key(
    key: Option<&String>,
    base: &Path,
    key_variables: &mut Vec<OsString>,
) -> Result<Source, String> {
    let key = key.ok_or_else(|| {
        "no key (here or in [defaults]): a PEM key path or file:PATH / env:NAME".to_owned()
    })?;
    if let Some(name) = key.strip_prefix("env:") {
        if name.is_empty() {
            return Err("key env: names no variable".into());
        }
        key_variables.push(OsString::from(name));
        Ok(Source::pem_key(OsStr::new(key)))
    } else if key == "-" || key.is_empty() {
        Err("key must be a file (PATH or file:PATH) or env:NAME; stdin cannot be used here".into())
    } else {
        let p = key.strip_prefix("file:").unwrap_or(key);
        Ok(Source::File(resolve(base, Path::new(p))).regular_only())
    }
}

/// The words of a stop, for an entry's failure line (the run goes on).
fn stop_text(stop: &Stop) -> String {
    stop.message()
        .unwrap_or_else(|| "standard output was closed".into())
}

/// Where the run's lock file is: `.NAME.lock` beside the manifest NAME. Always there,
/// whoever runs it (a timer or a person), so that every run on one manifest meets the
/// same lock.
fn lock_path(manifest: &Path) -> PathBuf {
    state::beside(manifest, ".lock")
}

/// Take the run's lock, waiting up to `wait`: an exclusive flock on a lock file only
/// this user can open ([`Target::open_private`]: created 0600, never through a link,
/// refused when another user's or open to others), so nobody else can hold it. It is
/// apart from the manifest, so replacing the manifest (an editor's save) does not let a
/// second run in; it stays after the run (removing it would let two runs lock two
/// files). The holder writes its process id in it, for the message of a run that waits.
fn lock_run(path: &Path, wait: Duration) -> Result<Flock<File>, Stop> {
    let lock = lock_path(path);
    let file = Target::to_write(&lock, "lock file")
        .and_then(|t| t.open_private())
        .map_err(|e| {
            Stop::Io(format!(
                "{e}; cannot lock the run on '{}'",
                redact::shown_path(path)
            ))
        })?;
    // (`wait` is at most a day: no overflow; a far deadline would only mean waiting.)
    let deadline = Instant::now().checked_add(wait);
    let mut file = file;
    loop {
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(mut locked) => {
                let _ = locked.set_len(0);
                let _ = locked.rewind();
                let _ = writeln!(locked, "{}", std::process::id());
                return Ok(locked);
            }
            Err((mut back, Errno::EWOULDBLOCK)) => {
                if deadline.is_none_or(|d| Instant::now() >= d) {
                    let holder =
                        holder_pid(&mut back).map_or(String::new(), |pid| format!(" (pid {pid})"));
                    return Err(Stop::Io(format!(
                        "another renew --config{holder} is still running on '{}' after {} \
                         of waiting; try again later, or raise --lock-timeout",
                        redact::shown_path(path),
                        describe_span(i64::try_from(wait.as_secs()).unwrap_or(i64::MAX))
                    )));
                }
                file = back;
                std::thread::sleep(Duration::from_millis(50));
            }
            Err((_, e)) => {
                return Err(Stop::Io(format!(
                    "cannot lock '{}' for the run on '{}': {e}",
                    redact::shown_path(&lock),
                    redact::shown_path(path)
                )));
            }
        }
    }
}

/// The process id the lock's holder wrote in the lock file, if it reads as one.
fn holder_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(16).read_to_string(&mut text).ok()?;
    text.trim_end().parse().ok().filter(|&pid| pid > 0)
}

/// How a hook ended, in words.
fn describe_status(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        _ => "ended abnormally".into(),
    }
}

/// Run an entry's deploy hook through `sh -c` with the USERSIG_ variables, stdin from
/// /dev/null and its output on our stderr (stdout stays the report's); no variable a
/// key is read from is passed on. It is killed (its whole process group) after
/// `entry.hook_timeout` seconds.
fn run_hook(hook: &str, entry: &Entry, expires_at: i64, hidden: &[OsString]) -> Result<(), String> {
    let mut command = Command::new("/bin/sh");
    command
        .arg("-c")
        .arg(hook)
        .env("USERSIG_FILE", &entry.file)
        .env("USERSIG_IDENTIFIER", entry.req.identifier())
        .env("USERSIG_SDKAPPID", entry.req.sdkappid().to_string())
        .env("USERSIG_EXPIRES_AT", expires_at.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::from(io::stderr()))
        .process_group(0);
    for name in hidden {
        command.env_remove(name);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start /bin/sh: {e}"))?;
    // (The timeout is at most a day: no overflow; a far deadline would only mean waiting.)
    let deadline = Instant::now().checked_add(Duration::from_secs(entry.hook_timeout));
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(describe_status(status)),
            Ok(None) if deadline.is_none_or(|d| Instant::now() >= d) => {
                if let Ok(pid) = i32::try_from(child.id()) {
                    let _ = nix::sys::signal::killpg(
                        nix::unistd::Pid::from_raw(pid),
                        nix::sys::signal::Signal::SIGKILL,
                    );
                }
                let _ = child.wait();
                return Err(format!(
                    "timed out after {} and was killed",
                    describe_span(i64::try_from(entry.hook_timeout).unwrap_or(i64::MAX))
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("cannot wait for it: {e}")),
        }
    }
}

/// Handle one entry: its renew step, then its hook when a ticket was written, or when
/// the hook failed on the last run (`pending`) and the ticket is kept: a hook that failed
/// runs again on every run until it succeeds, even though the ticket is now fresh.
fn handle(
    entry: &Entry,
    manifest: &Manifest,
    plan: Plan,
    pending: bool,
    clock: &SystemClock,
) -> Handled {
    let step = (|| {
        let signer = Signer::load(&entry.key, "renew")?;
        // Owner, group and mode are set on the new file before it takes the name; it
        // never replaces the manifest, a key, or anything that holds key material.
        let mut rules = WriteRules {
            regular_only: true,
            mode: entry.mode,
            owner: entry.owner,
            group: entry.group,
            ..ticket_rules(&entry.key)
        };
        rules.inputs.extend_from_slice(&manifest.inputs);
        renew_step(&entry.file, &entry.req, &signer, plan, clock, &rules)
    })();
    let step = match step {
        Ok(step) => step,
        Err(stop) => return Handled::Failed(stop_text(&stop)),
    };
    let step = Box::new(step);
    let expires_at = match (&step.made, &step.decision) {
        (Some(made), _) => made.info.expires_at(),
        (None, Decision::Keep { info, .. }) if pending && !plan.dry_run => info.expires_at(),
        _ => return Handled::Done { step, hook: None },
    };
    let hook = entry
        .hook
        .as_deref()
        .map(|h| run_hook(h, entry, expires_at, &manifest.key_variables));
    Handled::Done { step, hook }
}

/// What the state remembers of an entry handled at `now` (`pending`: its hook was due
/// again): a failed hook stays due until it succeeds; an entry that failed before its
/// hook keeps what was due.
fn record(handled: &Handled, pending: bool, now: i64) -> EntryState {
    let (success, hook_pending) = match handled {
        Handled::Failed(_) => (false, pending),
        Handled::Done {
            hook: Some(Err(_)), ..
        } => (false, true),
        Handled::Done { .. } => (true, false),
    };
    EntryState {
        last_run: now,
        success,
        hook_pending,
    }
}

/// `renew --config FILE`.
pub(super) fn renew_all(
    a: &RenewArgs,
    config: &OsStr,
    clock: &SystemClock,
) -> Result<Outcome, Stop> {
    let path = Path::new(config);
    let wait = parse_duration("--lock-timeout", &a.lock_timeout, 0..=duration::DAY)?;
    // Read and checked before the lock, so that a manifest that cannot be read or is
    // wrong is said at once (and no lock file is made for it). A dry run writes nothing
    // and does not wait for a run in progress: that read is the one it uses; a run reads
    // the manifest again under the lock, and uses that.
    let unlocked = load(path)?;
    let (manifest, _lock) = match a.dry_run {
        true => (unlocked, None),
        false => {
            let lock = lock_run(path, Duration::from_secs(wait))?;
            (load(path)?, Some(lock))
        }
    };
    // Read under the lock: the state this run's write replaces.
    let last = state::read(path, true)?;
    let now = clock.now();
    let mut next = State::default();
    let mut failed = 0usize;
    for entry in &manifest.entries {
        let pending = entry.hook.is_some() && last.get(&entry.file).is_some_and(|s| s.hook_pending);
        let plan = Plan {
            within: entry.within,
            force: a.force,
            dry_run: a.dry_run,
        };
        let handled = handle(entry, &manifest, plan, pending, clock);
        next.set(&entry.file, record(&handled, pending, now));
        let shown = FleetEntry {
            file: entry.file.clone(),
            identifier: entry.req.identifier().to_owned(),
            sdkappid: entry.req.sdkappid(),
            has_hook: entry.hook.is_some(),
            hook_pending: pending,
            dry_run: a.dry_run,
            handled,
        };
        failed += shown.failures();
        render::fleet_entry(&shown, a.options.json.json, a.quiet)?;
    }
    // Only the manifest's entries now: one removed from it is forgotten. A directory
    // this run may not write (a read-only /etc) takes a state file made there before,
    // rewritten in place, as it takes a lock file; else the run stands, said.
    let remembered = match a.dry_run {
        true => Ok(()),
        false => state::write(path, &next, &manifest.inputs),
    };
    if let Err(stop) = remembered {
        output::warn(&format!(
            "{}; this run is not remembered: a failed deploy hook will not run again \
             and metrics shows no last run",
            stop_text(&stop)
        ));
    }
    Ok(Outcome::Fleet {
        failed,
        entries: manifest.entries.len(),
    })
}

#[cfg(test)]
mod tests;
