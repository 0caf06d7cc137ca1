//! The command line's user experience (issue 9): a userbuf of any bytes, durations whose
//! units cannot surprise, the man page and completions, help that fits each command,
//! `--json` before the command, and a secret typed at a terminal without echo.

use crate::common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::precondition::{MAN, SCRIPT, require};
use common::*;

/// The JSON inside the ticket in `dir/name`, decoded without the tool.
fn ticket_json(dir: &Scratch, name: &str) -> serde_json::Value {
    let text = String::from_utf8(dir.read(name)).unwrap();
    serde_json::from_str(&decode_independently(text.trim())).unwrap()
}

/// A userbuf no argv can carry: NUL bytes, a byte that is not UTF-8, a newline.
const BINARY: &[u8] = b"\0a\0b\xff\n\x01\0";

#[test]
fn binary_userbuf_from_a_file_or_base64_is_carried_exactly() {
    let dir = Scratch::new("ub-binary");
    dir.write("ub", BINARY);
    let b64 = STANDARD.encode(BINARY);
    let unpadded = b64.trim_end_matches('=').to_string();
    let forms: [&[&str]; 3] = [
        &["--userbuf-file", "ub"],
        &["--userbuf-base64", &b64],
        &["--userbuf-base64", &unpadded],
    ];
    for form in forms {
        let mut v1 = vec![
            "genuser",
            "ec_key.pem",
            "sig1",
            "1400001052",
            "xiaojun",
            "86400",
        ];
        v1.extend_from_slice(form);
        run(&dir.0, &v1).expect(0);
        assert_eq!(ticket_json(&dir, "sig1")["TLS.userbuf"], b64, "{form:?}");

        let mut v2 = vec![
            "gen2user",
            "file:secret.txt",
            "sig2",
            "1400001052",
            "xiaojun",
        ];
        v2.extend_from_slice(form);
        run(&dir.0, &v2).expect(0);
        assert_eq!(ticket_json(&dir, "sig2")["TLS.userbuf"], b64, "{form:?}");

        // verify2user checks the same bytes, in each form.
        let mut check = vec![
            "verify2user",
            "file:secret.txt",
            "sig2",
            "1400001052",
            "xiaojun",
        ];
        check.extend_from_slice(form);
        let r = run(&dir.0, &check);
        r.expect(0);
        assert!(
            r.stdout.contains(&format!("userbuf_base64 {b64}")),
            "{}",
            r.stdout
        );
    }
    // The bytes from stdin.
    let r = run_with_stdin(
        &dir.0,
        [
            "genuser",
            "ec_key.pem",
            "sig3",
            "1400001052",
            "xiaojun",
            "86400",
            "--userbuf-file",
            "-",
        ],
        Some(BINARY),
    );
    r.expect(0);
    assert_eq!(ticket_json(&dir, "sig3")["TLS.userbuf"], b64);
    // An empty file is an empty userbuf.
    dir.write("empty", b"");
    run(
        &dir.0,
        [
            "gen2user",
            "file:secret.txt",
            "sig4",
            "1400001052",
            "xiaojun",
            "--userbuf-file",
            "empty",
        ],
    )
    .expect(0);
    assert_eq!(ticket_json(&dir, "sig4")["TLS.userbuf"], "");
    // Other bytes do not verify: one byte changed.
    let mut other = BINARY.to_vec();
    other[0] = 1;
    let r = run(
        &dir.0,
        [
            "verify2user",
            "file:secret.txt",
            "sig2",
            "1400001052",
            "xiaojun",
            "--userbuf-base64",
            &STANDARD.encode(&other),
        ],
    );
    r.expect(1);
    assert!(
        r.stderr.contains("userbuf is not the one given"),
        "{}",
        r.stderr
    );
}

#[test]
fn userbuf_forms_are_exactly_one() {
    let dir = Scratch::new("ub-forms");
    dir.write("ub", b"abc");
    dir.write("big", &vec![b'x'; 65537]);
    dir.write("limit", &vec![b'x'; 65536]);
    let once = "tls_licence_tools: error: give the userbuf once: USERBUF, --userbuf-file PATH \
                or --userbuf-base64 TEXT, not more than one\n";
    let none = "tls_licence_tools: error: the following required arguments were not provided: \
                <USERBUF> (or --userbuf-file PATH or --userbuf-base64 TEXT)\n";
    let not_b64 = "tls_licence_tools: error: --userbuf-base64 is not base64: use the standard \
                   alphabet A-Z a-z 0-9 + / (= padding optional)\n";
    let big_b64 = STANDARD.encode(vec![0u8; 65537]);
    let cases: [(&[&str], i32, &str); 10] = [
        (&["abc", "--userbuf-file", "ub"], 2, once),
        (&["abc", "--userbuf-base64", "YWJj"], 2, once),
        (
            &["--userbuf-file", "ub", "--userbuf-base64", "YWJj"],
            2,
            once,
        ),
        (&[], 2, none),
        (&["--userbuf-base64", "YW!j"], 2, not_b64),
        (&["--userbuf-base64", "YWJj-_"], 2, not_b64),
        (
            &["--userbuf-base64", &big_b64],
            2,
            "tls_licence_tools: error: --userbuf-base64 holds 65537 bytes, more than the limit of 65536\n",
        ),
        (
            &["--userbuf-file", "big"],
            3,
            "tls_licence_tools: error: cannot read userbuf file 'big': larger than the limit of 65536 bytes\n",
        ),
        (
            &["--userbuf-file", "missing"],
            3,
            "tls_licence_tools: error: cannot read userbuf file 'missing': no such file or directory\n",
        ),
        (&["--userbuf-file", "limit"], 0, ""),
    ];
    for (tail, code, message) in cases {
        for head in [
            &[
                "genuser",
                "ec_key.pem",
                "sig",
                "1400001052",
                "xiaojun",
                "86400",
            ][..],
            &[
                "gen2user",
                "file:secret.txt",
                "sig",
                "1400001052",
                "xiaojun",
            ][..],
        ] {
            let args: Vec<&str> = head.iter().chain(tail).copied().collect();
            let r = run(&dir.0, &args);
            r.expect(code);
            assert_eq!(r.stderr, message, "{args:?}");
        }
    }
    // The secret and the userbuf cannot both come from stdin.
    let r = run_with_stdin(
        &dir.0,
        [
            "gen2user",
            "-",
            "sig",
            "1400001052",
            "xiaojun",
            "--userbuf-file",
            "-",
        ],
        Some(SECRET.as_bytes()),
    );
    r.expect(2);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: only one key, ticket or userbuf can come from standard input (-)\n"
    );
}

/// The `expire` a gen2 ticket gets for `--expire text`.
fn expire_of(dir: &Scratch, text: &str) -> Run {
    run(
        &dir.0,
        [
            "gen2",
            "file:secret.txt",
            "sig",
            "1400001052",
            "xiaojun",
            "--expire",
            text,
            "--json",
        ],
    )
}

#[test]
fn every_duration_unit() {
    let dir = Scratch::new("units");
    let day = 86400u64;
    let cases = [
        ("45", 45),
        ("45s", 45),
        ("45sec", 45),
        ("2seconds", 2),
        ("6m", 360),
        ("6min", 360),
        ("6minutes", 360),
        ("12h", 12 * 3600),
        ("2hours", 7200),
        ("3d", 3 * day),
        ("3days", 3 * day),
        ("2w", 14 * day),
        ("2weeks", 14 * day),
        ("6mo", 180 * day),
        ("1month", 30 * day),
        ("6months", 180 * day),
        ("1y", 365 * day),
        ("2years", 730 * day),
        ("1y1mo1w1d1h1m1s", (365 + 30 + 7 + 1) * day + 3661),
    ];
    for (text, seconds) in cases {
        let r = expire_of(&dir, text);
        r.expect(0);
        let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
        assert_eq!(v["expire"], seconds, "{text}");
        assert_eq!(ticket_json(&dir, "sig")["TLS.expire"], seconds, "{text}");
    }
}

#[test]
fn ambiguous_or_upper_case_units_are_refused() {
    let dir = Scratch::new("bad-units");
    let ambiguous = "M is ambiguous: use m for minutes or mo for months";
    let cases = [
        ("6M", ambiguous.to_string()),
        ("1d6M", ambiguous.to_string()),
        ("1S", "units are lower case: use s".into()),
        ("1H", "units are lower case: use h".into()),
        ("1D", "units are lower case: use d".into()),
        ("1W", "units are lower case: use w".into()),
        ("1Y", "units are lower case: use y".into()),
        ("1Mo", "units are lower case: use mo".into()),
        ("3Days", "units are lower case: use days".into()),
    ];
    for (text, problem) in &cases {
        let r = expire_of(&dir, text);
        r.expect(2);
        assert_eq!(
            r.stderr,
            format!("tls_licence_tools: error: expire \"{text}\" is not a duration: {problem}\n")
        );
        // The same rule for every duration option.
        let r = run(
            &dir.0,
            [
                "verify2",
                "file:secret.txt",
                "sig",
                "1400001052",
                "xiaojun",
                "--min-remaining",
                text,
            ],
        );
        r.expect(2);
        assert_eq!(
            r.stderr,
            format!(
                "tls_licence_tools: error: --min-remaining: \"{text}\" is not a duration: {problem}\n"
            )
        );
    }
    // Still not durations, with the general message.
    for text in ["6x", "1mon", "1w1mo", "1.5mo", "mo"] {
        let r = expire_of(&dir, text);
        r.expect(2);
        assert!(
            r.stderr
                .contains("is not a duration from 1 second to 50 years"),
            "{text}: {}",
            r.stderr
        );
    }
}

const COMMANDS: [&str; 22] = [
    "gen",
    "gen_without_expire",
    "genexpire",
    "genuser",
    "gen2",
    "gen2user",
    "verify",
    "verifyuser",
    "verify2",
    "verify2user",
    "renew",
    "gen-batch",
    "verify-batch",
    "inspect",
    "keygen",
    "keycheck",
    "completions",
    "man",
    "dump",
    "gen2privmap",
    "genprivmap",
    "metrics",
];

#[test]
fn man_prints_a_roff_page_naming_every_command() {
    let dir = Scratch::new("man");
    let r = run(&dir.0, ["man"]);
    r.expect(0);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let page = &r.stdout;
    let th = page
        .lines()
        .position(|l| l.starts_with(".TH tls_licence_tools 1 "));
    let name = page.lines().position(|l| l == ".SH NAME");
    assert!(th.is_some() && th < name, "{page}");
    for section in [
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "\"EXIT STATUS\"",
        "VERSION",
    ] {
        assert!(page.contains(&format!("\n.SH {section}\n")), "{section}");
    }
    for cmd in COMMANDS {
        assert!(
            page.contains(&format!("\n.SH \"COMMAND: {cmd}\"\n")),
            "{cmd} missing"
        );
    }
    // Every command's options and exit statuses are there.
    assert!(page.contains("\\-\\-userbuf\\-file"));
    assert!(page.contains("\\-\\-min\\-remaining"));
}

/// man(1) reads the page and shows every command's section.
#[test]
fn man_1_reads_the_page() {
    require(&[MAN]);
    let dir = Scratch::new("man-reads");
    let r = run(&dir.0, ["man"]);
    r.expect(0);
    let mut child = Command::new("man")
        .args(["-l", "-"])
        .env("MANWIDTH", "80")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(r.stdout.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    for cmd in COMMANDS {
        assert!(text.contains(&format!("COMMAND: {cmd}\n")), "{cmd}: {text}");
    }
}

#[test]
fn completions_for_five_shells() {
    let dir = Scratch::new("completions5");
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef tls_licence_tools"),
        ("fish", "complete -c tls_licence_tools"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[tls_licence_tools]"),
    ] {
        let r = run(&dir.0, ["completions", shell]);
        r.expect(0);
        assert!(r.stdout.contains(marker), "{shell}");
        assert!(r.stdout.contains("userbuf-base64"), "{shell}");
        assert!(r.stdout.contains("verify2user"), "{shell}");
    }
}

/// Every command of two words takes either separator (issue 18); help, completions and
/// the usage name only the documented spelling.
#[test]
fn two_word_commands_take_either_separator() {
    let dir = Scratch::new("aliases");
    for (documented, other) in [
        ("gen_without_expire", "gen-without-expire"),
        ("gen-batch", "gen_batch"),
        ("verify-batch", "verify_batch"),
    ] {
        let help = run(&dir.0, [other, "--help"]);
        help.expect(0);
        assert!(
            help.stdout
                .contains(&format!("Usage: tls_licence_tools {documented} ")),
            "{other}: {}",
            help.stdout
        );
        let listed = run(&dir.0, ["--help"]);
        assert!(!listed.stdout.contains(other), "{other} listed in --help");
        let bash = run(&dir.0, ["completions", "bash"]);
        assert!(!bash.stdout.contains(other), "{other} in the completions");
    }
    // Each runs as its documented twin does: tickets made by gen_batch pass verify_batch.
    let made = run_with_stdin(
        &dir.0,
        ["gen_batch", "file:secret.txt", "1400001052"],
        Some(b"alice\nbob\n"),
    );
    made.expect(0);
    assert_eq!(made.stdout.lines().count(), 2, "{made:?}");
    let checked = run_with_stdin(
        &dir.0,
        ["verify_batch", "file:secret.txt", "1400001052"],
        Some(made.stdout.as_bytes()),
    );
    checked.expect(0);
    assert_eq!(
        checked.stdout.matches("\"ok\":true").count(),
        2,
        "{checked:?}"
    );
    let r = run(
        &dir.0,
        [
            "gen-without-expire",
            "ec_key.pem",
            "sig",
            "1400001052",
            "alice",
        ],
    );
    r.expect(0);
    assert_eq!(r.stdout, "generate sig ok\n");
    let r = run(
        &dir.0,
        ["verify", "public.pem", "sig", "1400001052", "alice"],
    );
    r.expect(0);
    assert!(r.stdout.starts_with("verify sig ok\n"), "{r:?}");
}

/// The exit-status lines of `cmd --help`.
fn status_lines(dir: &Scratch, cmd: &str) -> Vec<String> {
    let r = run(&dir.0, [cmd, "--help"]);
    r.expect(0);
    let (_, tail) = r
        .stdout
        .split_once("\nExit status:\n")
        .unwrap_or_else(|| panic!("{cmd}: {}", r.stdout));
    tail.lines()
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn each_command_lists_only_its_exit_statuses() {
    let dir = Scratch::new("help-statuses");
    let io = "3 a file or key could not be read, used or written, or output could not be written";
    let pipe = "141 stdout was a closed pipe (| head) and the output was cut short";
    for cmd in [
        "gen",
        "gen_without_expire",
        "genexpire",
        "genuser",
        "gen2",
        "gen2user",
    ] {
        assert_eq!(
            status_lines(&dir, cmd),
            [
                "0 the ticket was made and written",
                "2 bad arguments",
                io,
                pipe
            ],
            "{cmd}"
        );
    }
    for cmd in ["verify", "verifyuser", "verify2", "verify2user"] {
        assert_eq!(
            status_lines(&dir, cmd),
            [
                "0 the ticket is valid",
                "1 the ticket is not valid",
                "2 bad arguments",
                io,
                "4 the ticket is valid but expires sooner than --min-remaining",
                pipe
            ],
            "{cmd}"
        );
    }
    assert_eq!(
        status_lines(&dir, "renew"),
        [
            "0 renewed or kept",
            "1 (--config) some entry or its deploy hook failed; the others were handled",
            "2 bad arguments or manifest",
            io,
            pipe
        ]
    );
    assert_eq!(
        status_lines(&dir, "man"),
        [
            "0 printed",
            "2 bad arguments",
            "3 stdout cannot be written",
            pipe
        ]
    );
    // Every command has the same layout: an example, then its statuses.
    for cmd in COMMANDS {
        let r = run(&dir.0, [cmd, "--help"]);
        r.expect(0);
        let example = r
            .stdout
            .find(&format!("\nExample: tls_licence_tools {cmd} "));
        let statuses = r.stdout.find("\n\nExit status:\n  0 ");
        assert!(
            example.is_some() && example < statuses,
            "{cmd}: {}",
            r.stdout
        );
        assert!(
            r.stdout
                .ends_with("\nOutput that was not all written is never 0.\n"),
            "{cmd}"
        );
    }
}

#[test]
fn help_texts_fit_their_command() {
    let dir = Scratch::new("help-fit");
    let help = |cmd: &str| {
        let r = run(&dir.0, [cmd, "--help"]);
        r.expect(0);
        r.stdout.clone()
    };
    // The positional EXPIRE_SECONDS is the one way to give the validity.
    for cmd in ["genexpire", "genuser"] {
        let text = help(cmd);
        assert!(!text.contains("--expire"), "{cmd}: {text}");
        assert!(text.contains("<EXPIRE_SECONDS>"), "{cmd}");
    }
    assert!(help("gen").contains("--expire <DURATION>"));
    assert!(!help("renew").contains("original's lines"));
    assert!(
        help("gen-batch").contains("file:PATH or env:NAME; not - (stdin carries the identifiers)")
    );
    assert!(
        help("verify-batch").contains("file:PATH or env:NAME; not - (stdin carries the tickets)")
    );
    for cmd in ["genuser", "gen2user", "verify2user"] {
        let text = help(cmd);
        assert!(text.contains("--userbuf-file <PATH>"), "{cmd}");
        assert!(text.contains("--userbuf-base64 <TEXT>"), "{cmd}");
    }
    for cmd in ["gen", "verify2", "renew", "gen-batch", "verify-batch"] {
        assert!(
            help(cmd).contains("mo (months of 30 days), y (years of 365 days)"),
            "{cmd}"
        );
    }
}

#[test]
fn help_help_works() {
    let dir = Scratch::new("help-help");
    for args in [&["help", "--help"][..], &["help", "-h"], &["help", "help"]] {
        let r = run(&dir.0, args);
        r.expect(0);
        assert!(
            r.stdout
                .contains("Usage: tls_licence_tools help [COMMAND]..."),
            "{args:?}: {}",
            r.stdout
        );
    }
}

#[test]
fn json_before_the_command() {
    let dir = Scratch::new("json-first");
    let r = run(
        &dir.0,
        [
            "--json",
            "gen2",
            "file:secret.txt",
            "sig",
            "1400001052",
            "xiaojun",
        ],
    );
    r.expect(0);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["version"], "v2");
    let r = run(
        &dir.0,
        [
            "--json",
            "verify2",
            "file:secret.txt",
            "sig",
            "1400001052",
            "xiaojun",
        ],
    );
    r.expect(0);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["valid"], true);
    // A usage error before the command is parsed is JSON too.
    let r = run(&dir.0, ["--json", "verify2", "file:secret.txt"]);
    r.expect(2);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["exit_status"], 2);
    // A command without JSON output says so.
    let r = run(&dir.0, ["--json", "completions", "bash"]);
    r.expect(2);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: --json: completions has no JSON output; drop --json\n"
    );
    assert!(r.stdout.is_empty());
}

/// Run `shell_command` under script(1) on a pseudo-terminal; when `prompt` appears in
/// its output, type `line`. Gives the whole transcript. A tool that never prompts is
/// typed at after 30 s (then a ^D), so the test fails instead of hanging.
fn on_a_terminal(dir: &Scratch, shell_command: &str, line: &str) -> (String, i32) {
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", shell_command, "/dev/null"])
        .current_dir(&dir.0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("script(1) runs");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut stdout = child.stdout.take().unwrap();
    let reader = {
        let seen = Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                seen.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        })
    };
    let start = Instant::now();
    let prompted = loop {
        let text = String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
        if text.contains("(not echoed): ") {
            break true;
        }
        if start.elapsed() > Duration::from_secs(30) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
    if !prompted {
        stdin.write_all(b"\x04").unwrap();
    }
    stdin.flush().unwrap();
    let status = child.wait().unwrap();
    drop(stdin);
    reader.join().unwrap();
    let text = String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
    (text, status.code().unwrap_or(-1))
}

#[test]
fn a_secret_typed_at_a_terminal_is_not_echoed() {
    require(&[SCRIPT]);
    let dir = Scratch::new("tty-secret");
    // The terminal's echo setting after the tool, as stty shows it.
    let echo_after = |transcript: &str| transcript.split_whitespace().any(|word| word == "echo");
    let cmd = format!("{BIN} gen2 - sig 1400001052 xiaojun; echo status=$?; stty -a");
    let (text, _) = on_a_terminal(&dir, &cmd, SECRET);
    assert!(text.starts_with("v2 secret (not echoed): "), "{text}");
    assert!(!text.contains(SECRET), "the secret was echoed: {text}");
    assert!(text.contains("generate sig ok"), "{text}");
    assert!(text.contains("status=0"), "{text}");
    assert!(echo_after(&text), "echo not restored: {text}");
    // The ticket was made with the typed secret.
    run(
        &dir.0,
        ["verify2", "file:secret.txt", "sig", "1400001052", "xiaojun"],
    )
    .expect(0);

    // A failed read (an empty line is no secret) puts echo back too.
    let cmd = format!("{BIN} verify2 - sig 1400001052 xiaojun; echo status=$?; stty -a");
    let (text, _) = on_a_terminal(&dir, &cmd, "");
    assert!(text.starts_with("v2 secret (not echoed): "), "{text}");
    assert!(text.contains("status=3"), "{text}");
    assert!(echo_after(&text), "echo not restored: {text}");
}

/// A KEY from `-` at a terminal is prompted for and read without echo: gen's private key
/// pasted whole (its EC PARAMETERS block, then the key, through its END line, with no
/// end of input needed), and renew's KEY, which may be either kind, as a secret on one
/// line.
#[test]
fn a_pem_key_or_a_secret_pasted_at_a_terminal_is_not_echoed() {
    require(&[SCRIPT]);
    let dir = Scratch::new("tty-pem");
    let pem = std::fs::read_to_string(fixture("ec_key.pem")).unwrap();
    assert!(pem.starts_with("-----BEGIN EC PARAMETERS-----\n") && pem.contains(KEY_BODY));
    let cmd = format!("{BIN} gen - sig 1400001052 xiaojun; echo status=$?");
    let (text, _) = on_a_terminal(&dir, &cmd, pem.trim_end());
    assert!(
        text.starts_with("private key: a PEM key, pasted whole (not echoed): "),
        "{text}"
    );
    assert!(!text.contains(KEY_BODY), "the key was echoed: {text}");
    assert!(!text.contains("BEGIN"), "the key was echoed: {text}");
    assert!(text.contains("status=0"), "{text}");
    run(
        &dir.0,
        ["verify", "public.pem", "sig", "1400001052", "xiaojun"],
    )
    .expect(0);

    // renew takes either kind: a secret typed on one line makes a v2 ticket.
    let cmd = format!("{BIN} renew - v2.sig 1400001052 xiaojun --within 1d; echo status=$?");
    let (text, _) = on_a_terminal(&dir, &cmd, SECRET);
    assert!(
        text.starts_with("key: a PEM key, pasted whole, or a v2 secret (not echoed): "),
        "{text}"
    );
    assert!(!text.contains(SECRET), "the secret was echoed: {text}");
    assert!(text.contains("status=0"), "{text}");
    run(
        &dir.0,
        [
            "verify2",
            "file:secret.txt",
            "v2.sig",
            "1400001052",
            "xiaojun",
        ],
    )
    .expect(0);
}

#[test]
fn a_signal_at_the_secret_prompt_puts_echo_back() {
    require(&[SCRIPT]);
    let dir = Scratch::new("tty-signal");
    // On the terminal: start the tool, wait (at most 30 s) until it has turned echo off,
    // stop it with SIGTERM, then show its status and the terminal's echo setting.
    let words = "stty -a | tr ' ;' '\\n\\n'";
    let shell = format!(
        "{BIN} verify2 - sig 1400001052 xiaojun </dev/tty & pid=$!; n=0; \
         while {words} | grep -qx echo && [ $n -lt 3000 ]; do sleep 0.01; n=$((n+1)); done; \
         kill -TERM $pid; wait $pid; echo status=$?; {words} | grep -x -- '-\\{{0,1\\}}echo'"
    );
    // script(1) passes the end of its own stdin on to the terminal as an end of input,
    // which the prompt would read as an empty secret: its stdin is a pipe held open, with
    // nothing written to it, until the run is over.
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &shell, "/dev/null"])
        .current_dir(&dir.0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let held = child.stdin.take();
    let mut shown = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut shown)
        .unwrap();
    child.wait().unwrap();
    drop(held);
    let text = String::from_utf8_lossy(&shown);
    assert!(text.starts_with("v2 secret (not echoed): "), "{text}");
    assert!(text.contains("status=143"), "{text}");
    let last = text.lines().last().unwrap_or_default().trim();
    assert_eq!(last, "echo", "echo not restored: {text}");
}
