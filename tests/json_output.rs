//! The machine-readable outputs: the exact `--json` objects (field order included), the
//! batch results that say which line and which user, verify-batch's CSV, and `renew
//! --quiet`.

mod common;

use common::*;

fn renew(dir: &Scratch, extra: &[&str]) -> Run {
    let mut args = vec![
        "renew",
        "ec_key.pem",
        "sig",
        "1400001052",
        "xiaojun",
        "--within",
        "30d",
    ];
    args.extend_from_slice(extra);
    run(&dir.0, args)
}

/// `renew --quiet` says nothing when it renews or keeps (cron mails every line), and
/// still gives the one error line and status when it fails.
#[test]
fn renew_quiet_is_silent_unless_there_is_an_error() {
    let dir = Scratch::new("quiet");
    // No ticket yet: renewed, silently.
    let r = renew(&dir, &["--quiet"]);
    r.expect(0);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
    let written = dir.read("sig");
    assert!(written.starts_with(b"eA"), "{written:?}");
    // Valid and far from expiry: kept, silently (and untouched).
    let r = renew(&dir, &["-q"]);
    r.expect(0);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
    assert_eq!(dir.read("sig"), written);
    // Without --quiet the same run says so, in words true at the boundary.
    let r = renew(&dir, &[]);
    r.expect(0);
    assert!(
        r.stdout
            .starts_with("kept 'sig': the ticket is valid until "),
        "{r:?}"
    );
    assert!(
        r.stdout
            .ends_with(" left, not less than the 30 days window)\n"),
        "{r:?}"
    );
    // Not valid for this user: renewed, silently.
    let r = run(
        &dir.0,
        [
            "renew",
            "ec_key.pem",
            "sig",
            "1400001052",
            "lisi",
            "--within",
            "30d",
            "--quiet",
        ],
    );
    r.expect(0);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
    assert_ne!(dir.read("sig"), written);
    // An error still speaks: one line on stderr, exit 3, nothing on stdout.
    let r = run(
        &dir.0,
        [
            "renew",
            "missing.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "--within",
            "30d",
            "-q",
        ],
    );
    r.expect(3);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.starts_with("tls_licence_tools: error: ") && r.stderr.contains("missing.pem"),
        "{r:?}"
    );
    // --quiet and --json contradict each other: a usage error.
    let r = renew(&dir, &["--quiet", "--json"]);
    r.expect(2);
    assert!(
        r.stderr.contains("--quiet") && r.stderr.contains("--json"),
        "{r:?}"
    );
}
