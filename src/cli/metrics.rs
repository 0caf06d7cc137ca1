//! `metrics`: the tickets' issue and expiry times (and, with keys, whether they are
//! valid) in the Prometheus text exposition format, for node_exporter's textfile
//! collector or any scraper.

use std::collections::{HashMap, HashSet};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use usersig::clock::{Clock, SystemClock};
use usersig::envelope::MAX_TICKET_BYTES;
use usersig::keys::EcKey;
use usersig::ticket::{self, Ticket};
use usersig::verify::{self, VerifyKey};

use super::args::MetricsArgs;
use super::error::{Stop, io_err};
use super::fleet;
use super::fsio::{self, FileId, LastLink, WriteRules};
use super::keyload::{KeyOrSecret, load_key_or_secret};
use super::outcome::{Exported, FileSeries, Metrics, Outcome, RunSeries};
use super::render::prometheus;
use super::source::Source;

/// One file to export: where, which keys check it, and who it must be for.
struct Target {
    file: PathBuf,
    keys: Vec<VerifyKey>,
    /// The sdkappid and identifier the manifest expects; `None`: signature only.
    expect: Option<(u32, String)>,
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

/// What `targets` hold, read at `now`: one set of series per file.
///
/// No two samples of a family have one label set: targets naming the same file (the same
/// bytes) give one set of series, in the place of the first, with the file read once and
/// `usersig_valid` 1 only when the ticket is valid for every one of them (and given only
/// when each has keys); different bytes give different `file` labels. One file named in
/// two forms (`sig`, `./sig`) has two labels, so two sets of series.
fn collect(targets: &[Target], checked: bool, clock: &dyn Clock) -> Exported {
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
    let files = files
        .into_iter()
        .map(|(path, named)| {
            let ticket = read_regular(path).and_then(|b| ticket::parse_bytes(&b, clock).ok());
            let valid = match &ticket {
                Some(ticket) if checked && named.iter().all(|t| !t.keys.is_empty()) => Some(
                    named
                        .iter()
                        .all(|t| valid(ticket, &t.keys, t.expect.as_ref())),
                ),
                _ => None,
            };
            FileSeries {
                file: path.as_os_str().as_bytes().to_vec(),
                ticket: ticket.map(|t| t.info),
                valid,
            }
        })
        .collect();
    Exported {
        files,
        checked,
        now,
        runs: None,
    }
}

/// `metrics (--config FILE | SIG_FILE...) [--key KEY]... [--textfile PATH]`.
pub(super) fn metrics(a: &MetricsArgs, clock: &SystemClock) -> Result<Outcome, Stop> {
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
    let mut keys_failed = false;
    let mut runs = None;
    if let Some(config) = &a.config {
        let path = Path::new(config);
        let manifest = fleet::load(path)?;
        inputs.extend_from_slice(&manifest.inputs);
        let state = fleet::run_state(path)?;
        runs = Some(
            manifest
                .entries
                .iter()
                .map(|entry| {
                    let last = state.get(&entry.file);
                    RunSeries {
                        file: entry.file.as_os_str().as_bytes().to_vec(),
                        hook_pending: last.is_some_and(|s| s.hook_pending),
                        last_run: last.map(|s| (s.last_run, s.success)),
                    }
                })
                .collect(),
        );
        for entry in manifest.entries {
            let mut keys = extra.clone();
            match load_key(&entry.key) {
                Ok(k) => keys.insert(0, k),
                // Reported after the output is written; the file's other series stand.
                Err(stop) => {
                    let _ = stop.report(false);
                    keys_failed = true;
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
    let exported = Exported {
        runs,
        ..collect(&targets, checked, clock)
    };
    let exported = match &a.textfile {
        Some(path) => {
            let rules = WriteRules {
                mode: Some(0o644),
                inputs,
                ..WriteRules::new("metrics")
            };
            let text = prometheus(&exported);
            fsio::write(Path::new(path), text.as_bytes(), "metrics file", &rules)
                .map_err(io_err)?;
            None
        }
        None => Some(exported),
    };
    Ok(Outcome::Metrics(Metrics {
        exported,
        keys_failed,
    }))
}

#[cfg(test)]
mod tests;
