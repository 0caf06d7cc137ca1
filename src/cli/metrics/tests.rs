use super::super::render::prometheus::label;
use super::*;
use usersig::Secret;
use usersig::clock::FixedClock;
use usersig::issue::TicketRequest;

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
        let text = prometheus(&collect(&targets, true, &clock));
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
    let text = prometheus(&collect(&targets, false, &clock));
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
