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
