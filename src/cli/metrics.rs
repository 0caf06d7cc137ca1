//! `metrics`: the tickets' issue and expiry times (and, with keys, whether they are
//! valid) in the Prometheus text exposition format, for node_exporter's textfile
//! collector or any scraper.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use usersig::clock::{Clock, SystemClock};
use usersig::envelope::MAX_TICKET_BYTES;
use usersig::keys::EcKey;
use usersig::ticket::{self, Ticket};
use usersig::verify::{self, VerifyKey};

use super::args::MetricsArgs;
use super::error::{CommandResult, Stop, io_err};
use super::fsio::{self, FileId, LastLink, WriteRules};
use super::keyload::{KeyOrSecret, load_key_or_secret};
use super::output::out;
use super::source::Source;
use super::{fleet, redact};

/// One file to export: where, which keys check it, and who it must be for.
struct Target {
    file: PathBuf,
    keys: Vec<VerifyKey>,
    /// The sdkappid and identifier the manifest expects; `None`: signature only.
    expect: Option<(u32, String)>,
}

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

fn load_key(source: &Source) -> Result<VerifyKey, Stop> {
    Ok(match load_key_or_secret(source, "metrics")? {
        KeyOrSecret::Pem(EcKey::Private(k)) => VerifyKey::Public(k.public_key()),
        KeyOrSecret::Pem(EcKey::Public(k)) => VerifyKey::Public(k),
        KeyOrSecret::Secret(s) => VerifyKey::Secret(s),
    })
}

/// The bytes of a regular file of at most a ticket's size; `None` for anything else (a
/// FIFO or device is never read, so that the exporter cannot hang or read forever), as
/// the one regular-file reader reads it.
fn read_regular(path: &Path) -> Option<Vec<u8>> {
    let head = fsio::read_regular(path, MAX_TICKET_BYTES, "sig file", LastLink::Trusted).ok()?;
    (head.bytes.len() <= MAX_TICKET_BYTES).then_some(head.bytes)
}

/// Whether `ticket` verifies with one of `keys` and is for whom `expect` says; expiry is
/// not judged here (usersig_expiry_timestamp_seconds says it).
fn valid(ticket: &Ticket, keys: &[VerifyKey], expect: Option<&(u32, String)>) -> bool {
    if verify::authenticate(ticket, keys).is_err() {
        return false;
    }
    match expect {
        None => true,
        Some((sdkappid, identifier)) => {
            ticket.info.sdkappid == *sdkappid && ticket.info.identifier == *identifier
        }
    }
}

/// A label value for text from a file name or a ticket: [`redact::escape_lossless`] (a
/// backslash as `\\`, a byte that is not UTF-8 as `\xff`, a control, line-separator or
/// bidirectional character as `\n`, `\r`, `\t` or `\u{202e}`; every other character as
/// it is), so that two different names never give one label value (node_exporter would
/// keep one series of the two and drop the other), then the exposition format's own
/// escaping ([`escape_label`]). A name given as `x\xff` and one with the byte 0xff after
/// `x` are `x\\xff` and `x\xff` in the label, `x\\\\xff` and `x\\xff` in the text.
fn label(bytes: &[u8]) -> String {
    escape_label(&redact::escape_lossless(bytes))
}

/// The exposition text for `targets`, made at `now`. A family's HELP and TYPE lines are
/// written once, before its samples.
///
/// No two samples of a family have one label set: targets naming the same file (the same
/// bytes) give one set of series, in the place of the first, with the file read once and
/// `usersig_valid` 1 only when the ticket is valid for every one of them (and written
/// only when each has keys); different bytes give different `file` labels ([`label`]).
/// One file named in two forms (`sig`, `./sig`) has two labels, so two sets of series.
fn render(targets: &[Target], checked: bool, clock: &dyn Clock) -> String {
    let now = clock.now();
    let mut files: Vec<(&Path, Vec<&Target>)> = Vec::new();
    let mut index: HashMap<&[u8], usize> = HashMap::new();
    for t in targets {
        let bytes = t.file.as_os_str().as_bytes();
        match index.get(bytes) {
            Some(&i) => files[i].1.push(t),
            None => {
                index.insert(bytes, files.len());
                files.push((&t.file, vec![t]));
            }
        }
    }
    let mut expiry = String::new();
    let mut issued = String::new();
    let mut validity = String::new();
    let mut read_error = String::new();
    for (path, named) in files {
        let file = label(path.as_os_str().as_bytes());
        let ticket = read_regular(path).and_then(|b| ticket::parse_bytes(&b, clock).ok());
        let Some(ticket) = ticket else {
            let _ = writeln!(read_error, "usersig_read_error{{file=\"{file}\"}} 1");
            continue;
        };
        let _ = writeln!(read_error, "usersig_read_error{{file=\"{file}\"}} 0");
        let info = &ticket.info;
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
        if checked && named.iter().all(|t| !t.keys.is_empty()) {
            let all = named
                .iter()
                .all(|t| valid(&ticket, &t.keys, t.expect.as_ref()));
            let _ = writeln!(validity, "usersig_valid{{{labels}}} {}", u8::from(all));
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
    if checked {
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
    family(
        "usersig_exporter_last_run_timestamp_seconds",
        "When these metrics were made, Unix seconds.",
        &format!("usersig_exporter_last_run_timestamp_seconds {now}\n"),
    );
    text
}

/// `metrics (--config FILE | SIG_FILE...) [--key KEY]... [--textfile PATH]`.
pub(super) fn metrics(a: &MetricsArgs, clock: &SystemClock) -> CommandResult {
    let mut extra = Vec::with_capacity(a.keys.len());
    // Every file it reads: the textfile never replaces one.
    let mut inputs = Vec::new();
    for k in &a.keys {
        if k == "-" {
            return Err(Stop::Usage("metrics reads no key from stdin (-)".into()));
        }
        let source = Source::pem_key(k);
        if let Some(id) = source.file().and_then(FileId::of) {
            inputs.push((id, "a key file it reads"));
        }
        extra.push(load_key(&source)?);
    }
    let mut targets = Vec::new();
    let mut key_failed = None;
    if let Some(config) = &a.config {
        let path = Path::new(config);
        let manifest = fleet::load(path)?;
        inputs.extend_from_slice(&manifest.inputs);
        for entry in manifest.entries {
            let mut keys = extra.clone();
            match load_key(&entry.key) {
                Ok(k) => keys.insert(0, k),
                // Reported after the output is written; the file's other series stand.
                Err(stop) => {
                    let _ = stop.report(false);
                    key_failed = Some(());
                }
            }
            targets.push(Target {
                file: entry.file,
                keys,
                expect: Some((entry.req.sdkappid(), entry.req.identifier().to_owned())),
            });
        }
    } else {
        let mut seen = HashSet::new();
        for f in &a.sig_files {
            if f == "-" {
                return Err(Stop::Usage(
                    "metrics reads sig files by name, not from stdin (-)".into(),
                ));
            }
            if seen.insert(f.clone()) {
                targets.push(Target {
                    file: PathBuf::from(f),
                    keys: extra.clone(),
                    expect: None,
                });
            }
        }
    }
    for t in &targets {
        if let Some(id) = FileId::of(&t.file) {
            inputs.push((id, "a sig file it exports"));
        }
    }
    let checked = a.config.is_some() || !extra.is_empty();
    let text = render(&targets, checked, clock);
    match &a.textfile {
        Some(path) => {
            let rules = WriteRules {
                mode: Some(0o644),
                inputs,
                ..WriteRules::new("metrics")
            };
            fsio::write(Path::new(path), text.as_bytes(), "metrics file", &rules)
                .map_err(io_err)?;
        }
        None => out(text.as_bytes())?,
    }
    match key_failed {
        Some(()) => Err(Stop::Io(
            "some keys of the manifest could not be read (see above); their files have no \
             usersig_valid series"
                .into(),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
