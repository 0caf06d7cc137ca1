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
mod tests {
    use super::*;
    use proptest::prelude::*;
    use usersig::Secret;
    use usersig::clock::FixedClock;
    use usersig::issue::TicketRequest;

    #[test]
    fn label_values_are_escaped() {
        let cases = [
            ("plain", "plain"),
            ("a\\b", "a\\\\b"),
            ("say \"hi\"", "say \\\"hi\\\""),
            ("two\nlines", "two\\nlines"),
            ("\\\"\n", "\\\\\\\"\\n"),
        ];
        for (raw, want) in cases {
            assert_eq!(escape_label(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn labels_escape_bytes_backslashes_and_controls_then_the_format() {
        let cases: [(&[u8], &str); 8] = [
            (b"/srv/im/bot.sig", "/srv/im/bot.sig"),
            (b"x\xff", r"x\\xff"),
            (b"x\xfe", r"x\\xfe"),
            // The four characters x \ x f f: the backslash is doubled, then doubled again.
            (b"x\\xff", r"x\\\\xff"),
            (b"say \"hi\"", r#"say \"hi\""#),
            (b"two\nlines\r", r"two\\nlines\\r"),
            (
                "e\u{1b}[2J\u{9b}\u{202e}\u{2028}".as_bytes(),
                r"e\\u{1b}[2J\\u{9b}\\u{202e}\\u{2028}",
            ),
            ("名前 é".as_bytes(), "名前 é"),
        ];
        for (raw, want) in cases {
            assert_eq!(label(raw), want, "{raw:?}");
        }
    }

    /// A scratch directory for render's files, removed on drop.
    struct Dir(PathBuf);

    impl Dir {
        fn new(tag: &str) -> Dir {
            let dir = std::env::temp_dir().join(format!(
                "tls_licence_tools-unit-{}-{tag}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Dir(dir)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const SECRET: &[u8] = b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

    fn target(file: &Path, keys: bool, identifier: &str) -> Target {
        Target {
            file: file.to_path_buf(),
            keys: match keys {
                true => vec![VerifyKey::Secret(Secret::new(SECRET).unwrap())],
                false => Vec::new(),
            },
            expect: Some((1400001052, identifier.to_owned())),
        }
    }

    /// The samples of the text: (metric and labels, value), asserting that no metric and
    /// label set comes twice.
    fn samples(text: &str) -> Vec<(&str, &str)> {
        let samples: Vec<(&str, &str)> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.rsplit_once(' ').unwrap())
            .collect();
        let mut seen = HashSet::new();
        for (series, _) in &samples {
            assert!(seen.insert(*series), "{series} twice:\n{text}");
        }
        samples
    }

    #[test]
    fn one_file_named_twice_gives_one_set_of_series() {
        let dir = Dir::new("twice");
        let clock = FixedClock::at(1_700_000_000);
        let secret = Secret::new(SECRET).unwrap();
        let sig = dir.0.join("a.sig");
        let ticket = TicketRequest::new(1400001052, "admin")
            .unwrap()
            .sign_v2(&secret, &clock)
            .unwrap();
        std::fs::write(&sig, ticket).unwrap();
        let labels = format!(
            "file=\"{}\",identifier=\"admin\",sdkappid=\"1400001052\",version=\"v2\"",
            label(sig.as_os_str().as_bytes())
        );
        let valid = |v: &str| (format!("usersig_valid{{{labels}}}"), v.to_owned());
        // (the targets, the usersig_valid sample wanted)
        let cases = [
            (
                vec![target(&sig, true, "admin"), target(&sig, true, "admin")],
                Some(valid("1")),
            ),
            // Valid for one entry, not the other: 0, whichever comes first.
            (
                vec![target(&sig, true, "admin"), target(&sig, true, "bob")],
                Some(valid("0")),
            ),
            (
                vec![target(&sig, true, "bob"), target(&sig, true, "admin")],
                Some(valid("0")),
            ),
            // An entry without keys: no verdict for the file.
            (
                vec![target(&sig, true, "admin"), target(&sig, false, "admin")],
                None,
            ),
        ];
        for (targets, want) in cases {
            let text = render(&targets, true, &clock);
            let samples = samples(&text);
            let expiry: Vec<_> = samples
                .iter()
                .filter(|(s, _)| s.starts_with("usersig_expiry_timestamp_seconds{"))
                .collect();
            assert_eq!(expiry.len(), 1, "{text}");
            let read: Vec<_> = samples
                .iter()
                .filter(|(s, _)| s.starts_with("usersig_read_error{"))
                .collect();
            assert_eq!(read.len(), 1, "{text}");
            let got: Vec<(String, String)> = samples
                .iter()
                .filter(|(s, _)| s.starts_with("usersig_valid{"))
                .map(|(s, v)| ((*s).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(got, want.into_iter().collect::<Vec<_>>(), "{text}");
        }
    }

    #[test]
    fn names_differing_only_in_bytes_that_are_not_utf8_give_two_series() {
        let dir = Dir::new("bytes");
        let clock = FixedClock::at(1_700_000_000);
        let secret = Secret::new(SECRET).unwrap();
        let ticket = TicketRequest::any_identifier(1400001052, "adm\u{202e}in")
            .unwrap()
            .sign_v2(&secret, &clock)
            .unwrap();
        let names: [&[u8]; 4] = [b"x\xff", b"x\xfe", b"x\\xff", b"x\xef\xbf\xbd"];
        let paths: Vec<PathBuf> = names
            .iter()
            .map(|n| dir.0.join(std::ffi::OsStr::from_bytes(n)))
            .collect();
        for p in &paths {
            std::fs::write(p, &ticket).unwrap();
        }
        let targets: Vec<Target> = paths.iter().map(|p| target(p, true, "x")).collect();
        let text = render(&targets, false, &clock);
        let samples = samples(&text);
        let base = label(dir.0.as_os_str().as_bytes());
        for name in [r"x\\xff", r"x\\xfe", r"x\\\\xff", "x\u{fffd}"] {
            assert!(
                samples.contains(&(
                    format!("usersig_expiry_timestamp_seconds{{file=\"{base}/{name}\",identifier=\"adm\\\\u{{202e}}in\",sdkappid=\"1400001052\",version=\"v2\"}}").as_str(),
                    "1715552000"
                )),
                "{name}:\n{text}"
            );
        }
        assert!(!text.contains('\u{202e}'), "{text}");
    }

    /// The label value as a scraper reads it back: the exposition format's escapes undone.
    fn unescape_label(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            out.push(match c {
                '\\' => match chars.next() {
                    Some('n') => '\n',
                    Some(c) => c,
                    None => panic!("a lone backslash in {text:?}"),
                },
                c => c,
            });
        }
        out
    }

    /// Bytes near one another: the characters of the escapes, and bytes that are not
    /// UTF-8 or start a character, so that random names come close to colliding.
    fn name() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop::sample::select(b"x\\f0u{}n\"\n\r\xff\xfe\xc2\x9b\xe2\x80\xaeab".to_vec()),
            0..12,
        )
    }

    proptest! {
        #[test]
        fn different_names_never_share_a_label(a in name(), b in name()) {
            let (la, lb) = (label(&a), label(&b));
            prop_assert_eq!(a == b, la == lb, "{:?} {:?} -> {} {}", a, b, la, lb);
            // As a scraper reads them back, they differ too, and hold no control character.
            let (ua, ub) = (unescape_label(&la), unescape_label(&lb));
            prop_assert_eq!(a == b, ua == ub);
            prop_assert!(!ua.chars().any(redact::needs_escape), "{:?}", ua);
        }

        #[test]
        fn any_bytes_give_one_line_without_a_lone_quote(a in proptest::collection::vec(any::<u8>(), 0..40)) {
            let l = label(&a);
            prop_assert!(!l.chars().any(redact::needs_escape), "{:?}", l);
            prop_assert_eq!(redact::escape_lossless(&a), unescape_label(&l));
        }
    }
}
