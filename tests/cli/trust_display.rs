//! What the tool shows of user text: a v2 secret typed in the wrong place is never printed
//! back (any command, plain or --json, any error path); names are shown one line each,
//! with control characters escaped; --json keeps a file name that is not UTF-8
//! recoverable.

use crate::common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use common::*;

/// The ways a secret gets typed where a name or a path belongs.
fn misplaced() -> Vec<String> {
    vec![
        SECRET.to_owned(),
        format!("env:{SECRET}"),
        format!("file:./{SECRET}"),
        format!("file: {SECRET}"),
        SECRET[..63].to_owned(), // one short
        format!("{SECRET}f"),    // one long
        format!("{SECRET} "),    // a trailing space
        SECRET.to_uppercase(),
    ]
}

/// Whether the value is a bare form (read as the secret itself where a v2 KEY is asked).
fn is_bare(form: &str) -> bool {
    !(form.starts_with("env:") || form.starts_with("file:"))
}

/// Assert that no 24-character stretch of the secret (any case) is in either stream.
fn assert_no_part_of_secret(r: &Run, what: &str) {
    let lower = SECRET;
    let upper = SECRET.to_uppercase();
    for s in [lower, upper.as_str()] {
        for i in 0..=s.len() - 24 {
            let part = &s[i..i + 24];
            assert!(
                !r.stdout.contains(part) && !r.stderr.contains(part),
                "{what}: part of the secret shown: {r:#?}"
            );
        }
    }
}

/// A scratch directory with a v1 ticket (sig1), a v2 ticket (sig2) and a v2 ticket with
/// userbuf "ub" (sig2u), all for 1400001052 / xiaojun.
fn with_tickets(tag: &str) -> Scratch {
    let dir = Scratch::new(tag);
    for args in [
        vec!["gen", "ec_key.pem", "sig1", "1400001052", "xiaojun"],
        vec!["gen2", "file:secret.txt", "sig2", "1400001052", "xiaojun"],
        vec![
            "gen2user",
            "file:secret.txt",
            "sig2u",
            "1400001052",
            "xiaojun",
            "ub",
        ],
    ] {
        run(&dir.0, &args).expect(0);
    }
    dir
}

/// Whether the command takes --json.
fn takes_json(args: &[String]) -> bool {
    !matches!(args[0].as_str(), "gen-batch" | "verify-batch")
}

/// Run one row, plain and (where the command has it) with --json: the status, one line
/// on stderr, no part of the secret anywhere, and in JSON mode one JSON object per line.
fn check(dir: &Scratch, args: &[String], stdin: Option<&[u8]>, code: i32) {
    let mut forms = vec![args.to_vec()];
    if takes_json(args) {
        let mut json = args.to_vec();
        json.push("--json".into());
        forms.push(json);
    }
    for args in forms {
        let r = run_with_stdin(&dir.0, &args, stdin);
        let what = format!("{args:?}");
        assert_eq!(r.code, code, "{what}: {r:#?}");
        if takes_json(&args) {
            // A bare KEY draws the warnings that it is in sight and, when it is not 64 hex
            // characters, about its form (neither shows it): one line besides them.
            let lines: Vec<&str> = r
                .stderr
                .lines()
                .filter(|l| !l.starts_with(NOT_CONSOLE_FORM))
                .filter(|l| format!("{l}\n") != LITERAL_SECRET_WARNING)
                .collect();
            assert!(lines.len() <= 1, "{what}: more than one line: {r:#?}");
            r.assert_no_secrets();
        } else {
            // A batch says what is wrong with each bad line on its own stderr line.
            r.assert_no_secrets();
            for line in r.stderr.lines() {
                assert!(line.starts_with("tls_licence_tools: "), "{what}: {r:#?}");
            }
        }
        assert_no_part_of_secret(&r, &what);
        if args.iter().any(|a| a == "--json") {
            for line in r.stdout.lines() {
                let v: Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {line:?}"));
                assert!(v.is_object(), "{what}: {line}");
            }
        }
    }
}

/// The start of the warning a v2 secret given literally draws when it is not in the
/// console's form.
const NOT_CONSOLE_FORM: &str =
    "tls_licence_tools: warning: the v2 secret given on the command line is not 64 hexadecimal";

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_owned()).collect()
}

/// Every command with a KEY in its first place, with the status a bad KEY gives when it
/// is read as a PEM path (3) or, for the v2 forms, what a bare value does: it is the
/// secret itself (gen2 makes a ticket with it: 0; verify2 finds it does not verify: 1).
#[test]
fn a_secret_as_the_key_argument_is_never_shown() {
    let dir = with_tickets("key-slot");
    for value in misplaced() {
        let k = value.as_str();
        let bare = is_bare(k);
        let v2_make = if bare { 0 } else { 3 };
        // The bare secret itself is the right one.
        let v2_check = match (bare, value == SECRET) {
            (true, true) => 0,
            (true, false) => 1,
            (false, _) => 3,
        };
        let rows: Vec<(Vec<&str>, i32)> = vec![
            (vec!["gen", k, "out", "1400001052", "xiaojun"], 3),
            (
                vec!["gen_without_expire", k, "out", "1400001052", "xiaojun"],
                3,
            ),
            (
                vec!["genexpire", k, "out", "1400001052", "xiaojun", "86400"],
                3,
            ),
            (
                vec!["genuser", k, "out", "1400001052", "xiaojun", "86400", "ub"],
                3,
            ),
            (vec!["gen2", k, "out", "1400001052", "xiaojun"], v2_make),
            (
                vec!["gen2user", k, "out", "1400001052", "xiaojun", "ub"],
                v2_make,
            ),
            (vec!["verify", k, "sig1", "1400001052", "xiaojun"], 3),
            (vec!["verifyuser", k, "sig1", "1400001052", "xiaojun"], 3),
            (
                vec!["verify2", k, "sig2", "1400001052", "xiaojun"],
                v2_check,
            ),
            (
                vec!["verify2user", k, "sig2u", "1400001052", "xiaojun", "ub"],
                v2_check,
            ),
            // A second key: a bare v2 one is tried after the right one, which matches.
            (
                vec![
                    "verify",
                    "public.pem",
                    "sig1",
                    "1400001052",
                    "xiaojun",
                    "--key",
                    k,
                ],
                3,
            ),
            (
                vec![
                    "verify2",
                    "file:secret.txt",
                    "sig2",
                    "1400001052",
                    "xiaojun",
                    "--key",
                    k,
                ],
                if bare { 0 } else { 3 },
            ),
            (
                vec!["renew", k, "out", "1400001052", "xiaojun", "--within", "1d"],
                3,
            ),
            (vec!["keycheck", k, "public.pem"], 3),
            (vec!["keycheck", "ec_key.pem", k], 3),
            (vec!["gen-batch", k, "1400001052"], 3),
            (vec!["verify-batch", k, "1400001052"], 3),
        ];
        for (args, code) in rows {
            check(&dir, &strings(&args), Some(b"xiaojun\n"), code);
        }
    }
    // The secret read from a file or variable where a PEM key belongs: no message about
    // the key shows it, whatever went wrong.
    for args in [
        vec!["gen", "secret.txt", "out", "1400001052", "xiaojun"],
        vec!["verify", "file:secret.txt", "sig1", "1400001052", "xiaojun"],
        vec!["keycheck", "secret.txt", "public.pem"],
        vec!["keycheck", "ec_key.pem", "secret.txt"],
        vec![
            "renew",
            "public.pem",
            "out",
            "1400001052",
            "xiaojun",
            "--within",
            "1d",
        ],
    ] {
        check(&dir, &strings(&args), None, 3);
    }
}

/// The secret where SIG_FILE belongs: a command that writes refuses to create a file
/// named after it (exit 2); one that reads cannot find it (exit 3). No file appears.
#[test]
fn a_secret_as_the_sig_file_is_never_shown_nor_created() {
    let dir = with_tickets("sig-slot");
    let before = dir.listing();
    for value in misplaced() {
        let s = value.as_str();
        let rows: Vec<(Vec<&str>, i32)> = vec![
            (vec!["gen", "ec_key.pem", s, "1400001052", "xiaojun"], 2),
            (
                vec!["genexpire", "ec_key.pem", s, "1400001052", "xiaojun", "60"],
                2,
            ),
            (
                vec![
                    "genuser",
                    "ec_key.pem",
                    s,
                    "1400001052",
                    "xiaojun",
                    "60",
                    "ub",
                ],
                2,
            ),
            (
                vec!["gen2", "file:secret.txt", s, "1400001052", "xiaojun"],
                2,
            ),
            (
                vec![
                    "gen2user",
                    "file:secret.txt",
                    s,
                    "1400001052",
                    "xiaojun",
                    "ub",
                ],
                2,
            ),
            // The original's order is KEY SIG_FILE: a secret first and a name second is
            // the likely slip for gen2 (the name is then taken as the secret).
            (vec!["gen2", "sig", s, "1400001052", "xiaojun"], 2),
            (
                vec![
                    "renew",
                    "ec_key.pem",
                    s,
                    "1400001052",
                    "xiaojun",
                    "--within",
                    "1d",
                ],
                2,
            ),
            (vec!["verify", "public.pem", s, "1400001052", "xiaojun"], 3),
            (
                vec!["verifyuser", "public.pem", s, "1400001052", "xiaojun"],
                3,
            ),
            (
                vec!["verify2", "file:secret.txt", s, "1400001052", "xiaojun"],
                3,
            ),
            (
                vec![
                    "verify2user",
                    "file:secret.txt",
                    s,
                    "1400001052",
                    "xiaojun",
                    "ub",
                ],
                3,
            ),
            (vec!["inspect", s], 3),
            (vec!["keygen", s, "public_new.pem"], 2),
            (vec!["keygen", "private_new.pem", s], 2),
        ];
        for (args, code) in rows {
            check(&dir, &strings(&args), None, code);
        }
    }
    assert_eq!(dir.listing(), before, "a file was created");
}

#[test]
fn the_refusal_to_create_a_secret_named_file_says_why() {
    let dir = Scratch::new("sig-refusal");
    let r = run(&dir.0, ["gen2", "sig", SECRET, "1400001052", "xiaojun"]);
    r.expect(2);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: SIG_FILE looks like a v2 secret (not shown); check the argument order\n"
    );
    assert_eq!(r.stdout, "");
    let r = run(&dir.0, ["keygen", "k.pem", &format!("./{SECRET}.pem")]);
    r.expect(2);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: PUBLIC_PEM looks like a v2 secret (not shown); check the argument order\n"
    );
    assert!(!dir.path("k.pem").exists());
    // env: followed by the secret itself.
    let r = run(
        &dir.0,
        [
            "gen2",
            &format!("env:{SECRET}"),
            "sig",
            "1400001052",
            "xiaojun",
        ],
    );
    r.expect(3);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: the name after env: looks like a v2 secret, not a variable \
         name (not shown here); env:NAME takes the name of a variable that holds the secret\n"
    );
    // A file that exists under such a name is used (and its name not shown).
    let name = format!("{SECRET}.sig");
    run(
        &dir.0,
        ["gen", "ec_key.pem", &name, "1400001052", "xiaojun"],
    )
    .expect(2);
    dir.write(&name, b"");
    let r = run(
        &dir.0,
        [
            "gen",
            "ec_key.pem",
            &name,
            "1400001052",
            "xiaojun",
            "--json",
        ],
    );
    r.expect(0);
    let v: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["sig_file"], "[redacted].sig");
}

/// The secret where the identifier, the sdkappid or an option's value belongs.
#[test]
fn a_secret_as_the_identifier_sdkappid_or_option_is_never_shown() {
    let dir = with_tickets("id-slot");
    for value in misplaced() {
        let s = value.as_str();
        let rows: Vec<(Vec<&str>, i32)> = vec![
            // Identifier: too long to make a ticket for; a mismatch when verifying.
            (vec!["gen", "ec_key.pem", "out", "1400001052", s], 2),
            (
                vec!["genexpire", "ec_key.pem", "out", "1400001052", s, "60"],
                2,
            ),
            (
                vec!["genuser", "ec_key.pem", "out", "1400001052", s, "60", "ub"],
                2,
            ),
            (vec!["gen2", "file:secret.txt", "out", "1400001052", s], 2),
            (
                vec!["gen2user", "file:secret.txt", "out", "1400001052", s, "ub"],
                2,
            ),
            (
                vec![
                    "renew",
                    "ec_key.pem",
                    "out",
                    "1400001052",
                    s,
                    "--within",
                    "1d",
                ],
                2,
            ),
            (vec!["verify", "public.pem", "sig1", "1400001052", s], 1),
            (vec!["verifyuser", "public.pem", "sig1", "1400001052", s], 1),
            (
                vec!["verify2", "file:secret.txt", "sig2", "1400001052", s],
                1,
            ),
            (
                vec![
                    "verify2user",
                    "file:secret.txt",
                    "sig2u",
                    "1400001052",
                    s,
                    "ub",
                ],
                1,
            ),
            // --allow-any-identifier makes the ticket; the identifier is not echoed.
            (
                vec![
                    "gen",
                    "ec_key.pem",
                    "out",
                    "1400001052",
                    s,
                    "--allow-any-identifier",
                ],
                0,
            ),
            (
                vec![
                    "gen2",
                    "file:secret.txt",
                    "-",
                    "1400001052",
                    s,
                    "--allow-any-identifier",
                ],
                0,
            ),
            // The sdkappid (its message quotes the argument cut to 40 characters).
            (vec!["gen", "ec_key.pem", "out", s, "xiaojun"], 2),
            (vec!["gen2", "file:secret.txt", "out", s, "xiaojun"], 2),
            (vec!["verify", "public.pem", "sig1", s, "xiaojun"], 2),
            (
                vec![
                    "verify2user",
                    "file:secret.txt",
                    "sig2u",
                    s,
                    "xiaojun",
                    "ub",
                ],
                2,
            ),
            (
                vec!["renew", "ec_key.pem", "out", s, "xiaojun", "--within", "1d"],
                2,
            ),
            (vec!["gen-batch", "ec_key.pem", s], 2),
            (vec!["verify-batch", "public.pem", s], 2),
            // Options.
            (
                vec![
                    "gen",
                    "ec_key.pem",
                    "out",
                    "1400001052",
                    "xiaojun",
                    "--expire",
                    s,
                ],
                2,
            ),
            (
                vec!["genexpire", "ec_key.pem", "out", "1400001052", "xiaojun", s],
                2,
            ),
            (
                vec![
                    "verify",
                    "public.pem",
                    "sig1",
                    "1400001052",
                    "xiaojun",
                    "--at",
                    s,
                ],
                2,
            ),
            (
                vec![
                    "verify2",
                    "file:secret.txt",
                    "sig2",
                    "1400001052",
                    "xiaojun",
                    "--min-remaining",
                    s,
                ],
                2,
            ),
            (
                vec![
                    "renew",
                    "ec_key.pem",
                    "out",
                    "1400001052",
                    "xiaojun",
                    "--within",
                    s,
                ],
                2,
            ),
            (
                vec!["gen-batch", "ec_key.pem", "1400001052", "--jobs", s],
                2,
            ),
            (
                vec!["verify-batch", "public.pem", "1400001052", "--at", s],
                2,
            ),
            // An argument too many, or an unknown one (clap's messages quote them).
            (
                vec!["gen", "ec_key.pem", "out", "1400001052", "xiaojun", s],
                2,
            ),
            (vec!["keycheck", "ec_key.pem", "public.pem", s], 2),
            (vec!["dump", "x", s], 2),
            // dump reads its argument as ticket text: a secret there is not a ticket.
            (vec!["dump", s], 1),
        ];
        for (args, code) in rows {
            check(&dir, &strings(&args), Some(b""), code);
        }
        check(&dir, &strings(&["dump", "-"]), Some(s.as_bytes()), 1);
    }
}

/// The secret as a line of a batch's input: an identifier that cannot have a ticket
/// (its error line does not echo it), or one made anyway with --allow-any-identifier.
#[test]
fn a_secret_in_batch_input_is_never_shown() {
    let dir = with_tickets("batch-input");
    let ticket = String::from_utf8(dir.read("sig2")).unwrap();
    for value in misplaced() {
        let line = format!("xiaojun\n{value}\n");
        for (args, code) in [
            (vec!["gen-batch", "ec_key.pem", "1400001052"], 1),
            (
                vec![
                    "gen-batch",
                    "file:secret.txt",
                    "1400001052",
                    "--format",
                    "csv",
                ],
                1,
            ),
            (
                vec![
                    "gen-batch",
                    "ec_key.pem",
                    "1400001052",
                    "--allow-any-identifier",
                ],
                // Even so, white space at either end is refused (signed exactly or not at all).
                if value.trim() == value { 0 } else { 1 },
            ),
        ] {
            check(&dir, &strings(&args), Some(line.as_bytes()), code);
        }
        let csv = format!("{value},{ticket}\n");
        let json = format!("{{\"identifier\":\"{value}\",\"usersig\":\"{ticket}\"}}\n");
        let not_csv = format!("{value}\n");
        for input in [csv, json, not_csv] {
            check(
                &dir,
                &strings(&["verify-batch", "file:secret.txt", "1400001052"]),
                Some(input.as_bytes()),
                1,
            );
        }
    }
    // Legitimate identifiers, a 32-hex one among them, are printed as they are; the
    // secret on the line between them is not.
    let uuid = "0123456789abcdef0123456789abcdef";
    let input = format!("{uuid}\n{SECRET}\nxiaojun\n");
    let r = run_with_stdin(
        &dir.0,
        ["gen-batch", "ec_key.pem", "1400001052"],
        Some(input.as_bytes()),
    );
    assert_eq!(r.code, 1, "{r:#?}");
    r.assert_no_secrets();
    let ids: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["identifier"].clone())
        .collect();
    assert_eq!(ids, [uuid, "[redacted]", "xiaojun"]);
}

// ---- names shown one line each, control characters escaped ----

/// Names that would break a line or reach the terminal raw, and how they are shown.
const NASTY: [(&str, &str); 3] = [
    ("a\nverify sig ok", r"a\nverify sig ok"),
    ("e\x1b[2Jx", r"e\u{1b}[2Jx"),
    ("r\rtab\t", r"r\rtab\t"),
];

fn assert_no_raw_controls(r: &Run) {
    for stream in [&r.stdout, &r.stderr] {
        assert!(
            !stream.contains(['\x1b', '\r', '\t']),
            "a raw control character: {r:#?}"
        );
    }
}

#[test]
fn renew_shows_a_nasty_sig_file_name_on_one_line() {
    let dir = Scratch::new("nasty-renew");
    for (name, escaped) in NASTY {
        let r = run(
            &dir.0,
            [
                "renew",
                "ec_key.pem",
                name,
                "1400001052",
                "xiaojun",
                "--within",
                "1d",
            ],
        );
        r.expect(0);
        assert_no_raw_controls(&r);
        assert_eq!(r.stdout.lines().count(), 1, "{r:#?}");
        assert!(
            // (There was no file: created, as renew --config says.)
            r.stdout.starts_with(&format!("created '{escaped}': ")),
            "{r:#?}"
        );
        let r = run(
            &dir.0,
            [
                "renew",
                "ec_key.pem",
                name,
                "1400001052",
                "xiaojun",
                "--within",
                "1d",
            ],
        );
        r.expect(0);
        assert_no_raw_controls(&r);
        assert_eq!(r.stdout.lines().count(), 1, "{r:#?}");
        assert!(
            r.stdout.starts_with(&format!("kept '{escaped}': ")),
            "{r:#?}"
        );
    }
}

#[test]
fn keygen_and_keycheck_show_nasty_names_on_one_line_each() {
    let dir = Scratch::new("nasty-keys");
    for (i, (name, escaped)) in NASTY.iter().enumerate() {
        let private = format!("{name}{i}.key");
        let public = format!("{name}{i}.pub");
        let r = run(&dir.0, ["keygen", &private, &public]);
        r.expect(0);
        assert_no_raw_controls(&r);
        let lines: Vec<&str> = r.stdout.lines().collect();
        assert_eq!(lines.len(), 2, "{r:#?}");
        assert_eq!(
            lines[0],
            format!(
                "wrote private key '{escaped}{i}.key' (PKCS#8, mode 0600) and public key '{escaped}{i}.pub'"
            )
        );
        let r = run(&dir.0, ["keycheck", &private, &public]);
        r.expect(0);
        assert_no_raw_controls(&r);
        let lines: Vec<&str> = r.stdout.lines().collect();
        assert_eq!(lines.len(), 3, "{r:#?}");
        assert!(lines[0].starts_with(&format!("private key '{escaped}{i}.key': SHA256:")));
        assert!(lines[1].starts_with(&format!("public key  '{escaped}{i}.pub': SHA256:")));
        // The same names in an existing-file refusal.
        let r = run(&dir.0, ["keygen", &private, &public]);
        r.expect(3);
        assert_eq!(
            r.stderr,
            format!(
                "tls_licence_tools: error: '{escaped}{i}.key' exists; pass --force to replace it\n"
            )
        );
    }
}

#[test]
fn verify_names_a_nasty_key_on_one_line() {
    let dir = with_tickets("nasty-verify");
    let public = std::fs::read(dir.path("public.pem")).unwrap();
    for (name, escaped) in NASTY {
        dir.write(name, &public);
        let r = run(
            &dir.0,
            [
                "verify",
                "other_public.pem",
                "sig1",
                "1400001052",
                "xiaojun",
                "--key",
                name,
            ],
        );
        r.expect(0);
        assert_no_raw_controls(&r);
        let lines: Vec<&str> = r.stdout.lines().collect();
        assert_eq!(lines.len(), 3, "{r:#?}");
        assert_eq!(lines[0], "verify sig ok");
        assert_eq!(lines[2], format!("key {escaped}"));
    }
}

#[test]
fn messages_and_warnings_show_nasty_names_on_one_line() {
    let dir = Scratch::new("nasty-messages");
    for (name, escaped) in NASTY {
        // A key file that is not a key: the error names it.
        dir.write(name, b"not a key\n");
        let r = run(&dir.0, ["gen", name, "out", "1400001052", "xiaojun"]);
        r.expect(3);
        assert_no_raw_controls(&r);
        assert!(
            r.stderr.starts_with(&format!(
                "tls_licence_tools: error: cannot sign with key '{escaped}': "
            )),
            "{r:#?}"
        );
        // A private key readable by others: the warning names it.
        std::fs::copy(dir.path("ec_key.pem"), dir.path(name)).unwrap();
        std::fs::set_permissions(dir.path(name), std::fs::Permissions::from_mode(0o644)).unwrap();
        let r = run(&dir.0, ["gen", name, "out", "1400001052", "xiaojun"]);
        r.expect(0);
        assert_no_raw_controls(&r);
        assert_eq!(
            r.stderr,
            format!(
                "tls_licence_tools: warning: private key file '{escaped}' is readable by group or \
                 others (mode 0644); restrict it: chmod 600 '{escaped}'\n"
            )
        );
        // A variable name in env:NAME.
        let r = run(
            &dir.0,
            [
                "gen",
                &format!("env:{name}"),
                "out",
                "1400001052",
                "xiaojun",
            ],
        );
        r.expect(3);
        assert_no_raw_controls(&r);
        assert!(
            r.stderr
                .contains(&format!("environment variable {escaped} is not set")),
            "{r:#?}"
        );
        // clap's messages quote an unexpected argument (clap drops escape sequences
        // itself, and its line breaks are joined with spaces): still one line.
        let r = run(
            &dir.0,
            ["gen", "ec_key.pem", "out", "1400001052", "xiaojun", name],
        );
        r.expect(2);
        assert_no_raw_controls(&r);
        // The same in JSON mode: the error object is one line of valid JSON.
        let r = run(
            &dir.0,
            [
                "gen",
                &format!("env:{name}"),
                "out",
                "1400001052",
                "xiaojun",
                "--json",
            ],
        );
        r.expect(3);
        assert_no_raw_controls(&r);
        let v: Value = serde_json::from_str(r.stdout.trim_end_matches('\n')).unwrap();
        assert_eq!(
            v["error"],
            format!("environment variable {escaped} is not set")
        );
    }
}

// ---- dump shows a crafted ticket's JSON without raw control characters ----

/// What neither stream may hold raw, a line feed aside: C0 controls (a carriage return
/// can overwrite the line shown), DEL, C1 (U+009B is a CSI), the line and paragraph
/// separators and the bidirectional formatting characters (U+202E can show another
/// identifier).
fn assert_nothing_a_terminal_acts_on(r: &Run, what: &str) {
    for stream in [r.raw_stdout.as_slice(), r.stderr.as_bytes()] {
        let text = std::str::from_utf8(stream).unwrap_or_else(|e| panic!("{what}: {e}"));
        let raw = text.chars().find(|&c| {
            (c.is_control() && c != '\n')
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{061c}' | '\u{200e}' | '\u{200f}'
                )
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        });
        assert_eq!(raw, None, "{what}: {r:#?}");
    }
}

/// A ticket's JSON anyone can make (no key is needed to be shown by dump): a carriage
/// return and a tab between tokens, U+202E in the identifier, U+009B, U+2028, U+2029,
/// U+2066 and DEL raw in strings, and ESC as the JSON escape it has to be.
const HOSTILE: &str = "{\"TLS.identifier\":\"admin\u{202e}nimda\",\r\"TLS.sdkappid\":1400001052,\t\"TLS.expire\":86400,\"TLS.time\":1795675257,\"TLS.sig\":\"a\u{9b}31m\u{2028}b\u{2029}c\u{2066}d\u{7f}\",\"note\":\"\\u001b[2J\\r\"}";
/// HOSTILE as plain dump shows it.
const HOSTILE_SHOWN: &str = r#"{"TLS.identifier":"admin\u{202e}nimda",\r"TLS.sdkappid":1400001052,\t"TLS.expire":86400,"TLS.time":1795675257,"TLS.sig":"a\u{9b}31m\u{2028}b\u{2029}c\u{2066}d\u{7f}","note":"\u001b[2J\r"}"#;
/// HOSTILE as dump --json embeds it: the same value.
const HOSTILE_JSON: &str = r#"{"TLS.identifier":"admin\u202enimda", "TLS.sdkappid":1400001052, "TLS.expire":86400,"TLS.time":1795675257,"TLS.sig":"a\u009b31m\u2028b\u2029c\u2066d\u007f","note":"\u001b[2J\r"}"#;

/// HOSTILE in each form: (form, the ticket text, its JSON, shown, embedded).
fn hostile_tickets() -> Vec<(&'static str, String, String, String, String)> {
    let v2 = HOSTILE.replacen('{', "{\"TLS.ver\":\"2.0\",", 1);
    let v1 = HOSTILE.replacen('{', "{\"TLS.account_type\":\"0\",", 1);
    let with = |text: &str, field: &str| text.replacen('{', &format!("{{{field},"), 1);
    vec![
        (
            "v2",
            ticket_text(&zlib(v2.as_bytes(), 9)),
            v2,
            with(HOSTILE_SHOWN, r#""TLS.ver":"2.0""#),
            with(HOSTILE_JSON, r#""TLS.ver":"2.0""#),
        ),
        (
            "v1",
            ticket_text(&zlib(v1.as_bytes(), 9)),
            v1,
            with(HOSTILE_SHOWN, r#""TLS.account_type":"0""#),
            with(HOSTILE_JSON, r#""TLS.account_type":"0""#),
        ),
        (
            "v1-plain-json",
            HOSTILE.to_owned(),
            HOSTILE.to_owned(),
            HOSTILE_SHOWN.to_owned(),
            HOSTILE_JSON.to_owned(),
        ),
    ]
}

#[test]
fn dump_escapes_what_a_crafted_ticket_would_send_to_the_terminal() {
    let dir = Scratch::new("dump-hostile");
    for (form, ticket, json, shown, embedded) in hostile_tickets() {
        for stdin in [false, true] {
            let (arg, input) = match stdin {
                false => (ticket.as_str(), None),
                true => ("-", Some(ticket.as_bytes())),
            };
            let what = format!("{form}, stdin {stdin}");
            let r = run_with_stdin(&dir.0, ["dump", arg], input);
            r.expect(0);
            assert_eq!(r.stdout, format!("{shown}\n"), "{what}");
            assert_eq!(r.stderr, "", "{what}");
            assert_nothing_a_terminal_acts_on(&r, &what);

            let r = run_with_stdin(&dir.0, ["dump", arg, "--json"], input);
            r.expect(0);
            assert_eq!(
                r.stdout,
                format!("{{\"ok\":true,\"version\":\"{form}\",\"json\":{embedded}}}\n"),
                "{what}"
            );
            assert_eq!(r.stderr, "", "{what}");
            assert_nothing_a_terminal_acts_on(&r, &what);
            // The same object as the ticket's: every string exact.
            let want: Value = serde_json::from_str(&json).unwrap();
            assert_eq!(json_of(&r)["json"], want, "{what}");
        }
    }
}

/// What JSON does not allow raw (ESC in a string or between tokens, a byte that is not
/// UTF-8) is not a ticket: status 1, one line that shows none of it.
#[test]
fn dump_refuses_raw_escapes_and_bytes_that_are_not_utf8() {
    let dir = Scratch::new("dump-refused");
    let raw_esc = "{\"TLS.ver\":\"2.0\",\"TLS.identifier\":\"a\u{1b}[2Jb\"}";
    let esc_between = "{\"TLS.ver\":\"2.0\",\u{1b}\"TLS.identifier\":\"ab\"}";
    let mut inputs: Vec<(&str, Vec<u8>)> = vec![
        (
            "raw ESC",
            ticket_text(&zlib(raw_esc.as_bytes(), 9)).into_bytes(),
        ),
        ("raw ESC, plain", raw_esc.as_bytes().to_vec()),
        (
            "ESC between tokens",
            ticket_text(&zlib(esc_between.as_bytes(), 9)).into_bytes(),
        ),
        (
            "byte 0xff as text",
            b"{\"TLS.identifier\":\"a\xffb\"}".to_vec(),
        ),
    ];
    let not_utf8 = b"{\"TLS.ver\":\"2.0\",\"TLS.identifier\":\"a\xff\x9bb\"}";
    inputs.push((
        "byte 0xff inside",
        ticket_text(&zlib(not_utf8, 9)).into_bytes(),
    ));
    for (what, input) in inputs {
        for json in [false, true] {
            let mut args = vec!["dump", "-"];
            if json {
                args.push("--json");
            }
            let r = run_with_stdin(&dir.0, &args, Some(&input));
            r.expect(1);
            assert!(
                r.stderr.starts_with("tls_licence_tools: not a ticket: "),
                "{what}: {r:#?}"
            );
            assert_nothing_a_terminal_acts_on(&r, what);
            match json {
                true => assert_eq!(json_of(&r)["ok"], false, "{what}"),
                false => assert_eq!(r.stdout, "", "{what}"),
            }
        }
    }
}

/// An ordinary ticket's dump is the original's: its JSON byte for byte.
#[test]
fn dump_of_an_ordinary_ticket_is_unchanged() {
    let dir = with_tickets("dump-plain");
    for sig in ["sig1", "sig2", "sig2u"] {
        let ticket = String::from_utf8(dir.read(sig)).unwrap();
        let json = decode_independently(&ticket);
        let r = run(&dir.0, ["dump", &ticket]);
        r.expect(0);
        assert_eq!(r.raw_stdout, format!("{json}\n").into_bytes(), "{sig}");
        let r = run(&dir.0, ["dump", &ticket, "--json"]);
        r.expect(0);
        let version = if sig == "sig1" { "v1" } else { "v2" };
        assert_eq!(
            r.stdout,
            format!("{{\"ok\":true,\"version\":\"{version}\",\"json\":{json}}}\n"),
            "{sig}"
        );
    }
}

// ---- --json keeps names that are not UTF-8 recoverable ----

const RAW_NAME: &[u8] = b"sig-\xff\xfe-\xe9t\xe9";

fn json_of(r: &Run) -> Value {
    serde_json::from_str(r.stdout.trim_end()).unwrap_or_else(|e| panic!("{e}: {r:#?}"))
}

/// The raw bytes of a name field: `<field>_base64` when present, else the text.
fn recovered(v: &Value, field: &str) -> Vec<u8> {
    match v.get(format!("{field}_base64")) {
        Some(b64) => STANDARD.decode(b64.as_str().unwrap()).unwrap(),
        None => v[field].as_str().unwrap().as_bytes().to_vec(),
    }
}

#[test]
fn gen_and_renew_json_keep_a_non_utf8_sig_file_recoverable() {
    let dir = Scratch::new("raw-gen");
    let name = OsStr::from_bytes(RAW_NAME);
    let args: Vec<&OsStr> = ["gen", "ec_key.pem"]
        .iter()
        .map(OsStr::new)
        .chain([name])
        .chain(
            ["1400001052", "xiaojun", "--expire", "60", "--json"]
                .iter()
                .map(OsStr::new),
        )
        .collect();
    let r = run(&dir.0, &args);
    r.expect(0);
    let v = json_of(&r);
    assert_eq!(recovered(&v, "sig_file"), RAW_NAME);
    assert_eq!(v["sig_file"], String::from_utf8_lossy(RAW_NAME).as_ref());
    assert!(dir.0.join(name).exists());
    // The ticket lasts a minute: the first renew replaces it, the second keeps it.
    for action in ["renewed", "kept"] {
        let mut args: Vec<&OsStr> = ["renew", "ec_key.pem"].iter().map(OsStr::new).collect();
        args.push(name);
        args.extend(["1400001052", "xiaojun", "--within", "1d", "--json"].map(OsStr::new));
        let r = run(&dir.0, &args);
        r.expect(0);
        let v = json_of(&r);
        assert_eq!(v["action"], action, "{v}");
        assert_eq!(recovered(&v, "sig_file"), RAW_NAME, "{action}: {v}");
        assert!(v.get("sig_file_base64").is_some());
    }
    // A UTF-8 name gets no second field.
    let r = run(
        &dir.0,
        [
            "gen",
            "ec_key.pem",
            "naïve",
            "1400001052",
            "xiaojun",
            "--json",
        ],
    );
    r.expect(0);
    let v = json_of(&r);
    assert_eq!(v["sig_file"], "naïve");
    assert!(v.get("sig_file_base64").is_none());
}

#[test]
fn keygen_and_verify_json_keep_non_utf8_names_recoverable() {
    let dir = with_tickets("raw-keys");
    let private = [RAW_NAME, b".key"].concat();
    let public = [RAW_NAME, b".pub"].concat();
    let mut args: Vec<&OsStr> = vec![OsStr::new("keygen")];
    args.extend([OsStr::from_bytes(&private), OsStr::from_bytes(&public)]);
    args.push(OsStr::new("--json"));
    let r = run(&dir.0, &args);
    r.expect(0);
    let v = json_of(&r);
    assert_eq!(recovered(&v, "private_key"), private);
    assert_eq!(recovered(&v, "public_key"), public);
    // Plain text shows the bytes escaped.
    std::fs::remove_file(dir.0.join(OsStr::from_bytes(&private))).unwrap();
    std::fs::remove_file(dir.0.join(OsStr::from_bytes(&public))).unwrap();
    args.pop();
    let r = run(&dir.0, &args);
    r.expect(0);
    assert!(
        r.stdout
            .starts_with(r"wrote private key 'sig-\xff\xfe-\xe9t\xe9.key'"),
        "{r:#?}"
    );

    // verify names the key that matched.
    std::fs::copy(
        dir.path("public.pem"),
        dir.0.join(OsStr::from_bytes(&public)),
    )
    .unwrap();
    let mut args: Vec<&OsStr> = [
        "verify",
        "other_public.pem",
        "sig1",
        "1400001052",
        "xiaojun",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    args.extend([
        OsStr::new("--key"),
        OsStr::from_bytes(&public),
        OsStr::new("--json"),
    ]);
    let r = run(&dir.0, &args);
    r.expect(0);
    let v = json_of(&r);
    assert_eq!(recovered(&v, "key"), public);
    assert!(v.get("key_base64").is_some());
}
