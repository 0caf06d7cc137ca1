//! Lost output is never success, and inputs are taken exactly or refused: every command
//! with stdout or stderr full, closed, or a closed pipe; `| head -1` on the batch
//! commands; --jobs bounds; gen-batch identifiers as given; renew over junk; USERBUFs
//! that begin with `-`.

use crate::common;

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::*;
use serde_json::Value;

const FULL: &str = "tls_licence_tools: error: cannot write to standard output: No space left on device (os error 28)\n";
const CLOSED: &str =
    "tls_licence_tools: error: cannot write to standard output: Bad file descriptor (os error 9)\n";

/// Where a stream of the child goes.
#[derive(Clone, Copy, Debug)]
enum To {
    /// A pipe the test reads.
    Captured,
    /// /dev/full: every write fails with ENOSPC.
    Full,
    /// A pipe whose reading end is closed before the child starts: EPIPE.
    ClosedPipe,
    /// Not open at all (`>&-` in a shell).
    Closed,
}

fn stdio(to: To) -> Stdio {
    match to {
        To::Captured => Stdio::piped(),
        To::Full => File::options()
            .write(true)
            .open("/dev/full")
            .unwrap()
            .into(),
        To::ClosedPipe => {
            let (reader, writer) = std::io::pipe().unwrap();
            drop(reader);
            writer.into()
        }
        To::Closed => unreachable!("closed streams are closed by the shell"),
    }
}

/// Run the binary in `dir` with `stdin` (or nothing), stdout and stderr sent as asked.
fn run_to(dir: &Scratch, args: &[&str], stdin: Option<&Path>, out: To, err: To) -> Run {
    let mut cmd = match (out, err) {
        (To::Closed, _) | (_, To::Closed) => {
            let close = match (out, err) {
                (To::Closed, To::Closed) => ">&- 2>&-",
                (To::Closed, _) => ">&-",
                _ => "2>&-",
            };
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("exec \"$0\" \"$@\" {close}"))
                .arg(BIN);
            c
        }
        _ => Command::new(BIN),
    };
    cmd.args(args).current_dir(&dir.0).env("TZ", "UTC");
    cmd.stdin(match stdin {
        Some(p) => File::open(p).unwrap().into(),
        None => Stdio::null(),
    });
    if !matches!(out, To::Closed) {
        cmd.stdout(stdio(out));
    }
    if !matches!(err, To::Closed) {
        cmd.stderr(stdio(err));
    }
    let o = cmd.output().unwrap();
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        raw_stdout: o.stdout,
    }
}

/// A scratch directory with a v2 ticket in `sig2` and a v1 ticket in `sig1`.
fn with_tickets(tag: &str) -> (Scratch, String) {
    let dir = Scratch::new(tag);
    run(
        &dir.0,
        ["gen2", "file:secret.txt", "sig2", "1400001052", "bob"],
    )
    .expect(0);
    run(&dir.0, ["gen", "ec_key.pem", "sig1", "1400001052", "bob"]).expect(0);
    let text = String::from_utf8(dir.read("sig2")).unwrap();
    (dir, text)
}

/// Commands that succeed and write to stdout (and nothing to stderr).
fn stdout_commands(ticket: &str) -> Vec<Vec<&str>> {
    vec![
        vec!["gen", "ec_key.pem", "-", "1400001052", "bob"],
        vec!["gen", "ec_key.pem", "out1", "1400001052", "bob"],
        vec![
            "gen2",
            "file:secret.txt",
            "out2",
            "1400001052",
            "bob",
            "--json",
        ],
        vec![
            "genuser",
            "ec_key.pem",
            "out3",
            "1400001052",
            "bob",
            "100",
            "ub",
        ],
        vec!["verify", "public.pem", "sig1", "1400001052", "bob"],
        vec![
            "verify2",
            "file:secret.txt",
            "sig2",
            "1400001052",
            "bob",
            "--json",
        ],
        vec![
            "renew",
            "file:secret.txt",
            "sig2",
            "1400001052",
            "bob",
            "--within",
            "1d",
        ],
        vec!["dump", ticket],
        vec!["inspect", "sig2"],
        vec!["keycheck", "ec_key.pem", "public.pem"],
        vec!["keygen", "new.pem", "new.pub", "--force"],
        vec!["completions", "bash"],
        vec!["--help"],
        vec!["--version"],
        vec!["gen", "--help"],
        vec!["help", "verify"],
    ]
}

/// Every command that succeeds when its output is read reports a stdout it cannot
/// write: /dev/full and a closed stdout give status 3 and the one error line; a closed
/// pipe gives status 141 and nothing on stderr.
#[test]
fn every_command_reports_a_stdout_it_cannot_write() {
    let (dir, ticket) = with_tickets("stdout");
    for args in stdout_commands(&ticket) {
        // The command works when its output is read.
        let ok = run_to(&dir, &args, None, To::Captured, To::Captured);
        assert_eq!(ok.code, 0, "{args:?}: {ok:?}");
        assert_ne!(ok.stdout, "", "{args:?}");
        // Only `gen ... -` says something on stderr (after the ticket).
        let said = if args.get(2) == Some(&"-") {
            "generate sig ok\n"
        } else {
            ""
        };
        assert_eq!(ok.stderr, said, "{args:?}");
        for (to, code, stderr) in [
            (To::Full, 3, FULL),
            (To::Closed, 3, CLOSED),
            (To::ClosedPipe, 141, ""),
        ] {
            let r = run_to(&dir, &args, None, to, To::Captured);
            assert_eq!(
                (r.code, r.stderr.as_str()),
                (code, stderr),
                "{args:?} > {to:?}"
            );
        }
    }
}

/// The ticket on stdout of `gen ... -` is the command's whole point: with stdout closed
/// it is an error even though nothing else went wrong, and in JSON mode too.
#[test]
fn gen_to_a_closed_stdout_is_an_error() {
    let dir = Scratch::new("gen-closed");
    for args in [
        vec!["gen", "ec_key.pem", "-", "1400001052", "bob"],
        vec![
            "gen2",
            "file:secret.txt",
            "-",
            "1400001052",
            "bob",
            "--json",
        ],
        vec![
            "gen2user",
            "file:secret.txt",
            "-",
            "1400001052",
            "bob",
            "-x",
        ],
    ] {
        run_to(&dir, &args, None, To::Closed, To::Captured).expect(3);
        let r = run_to(&dir, &args, None, To::Closed, To::Captured);
        assert_eq!(r.stderr, CLOSED, "{args:?}");
        let r = run_to(&dir, &args, None, To::Full, To::Captured);
        assert_eq!((r.code, r.stderr.as_str()), (3, FULL), "{args:?}");
    }
}

/// A command whose success is said on stderr (gen to -, a warning, a batch summary)
/// does not succeed when stderr cannot be written: 3 for a full or closed stderr, 141
/// for a closed pipe; stdout still carries its output.
#[test]
fn a_stderr_that_cannot_be_written_is_not_success() {
    let dir = Scratch::new("stderr");
    std::fs::copy(dir.path("ec_key.pem"), dir.path("exposed.pem")).unwrap();
    std::fs::set_permissions(
        dir.path("exposed.pem"),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    let ids = dir.write("ids", b"alice\n\nbob\n");
    let cases: [(Vec<&str>, Option<&Path>, &str); 3] = [
        (
            vec!["gen2", "file:secret.txt", "-", "1400001052", "bob"],
            None,
            "generate sig ok\n",
        ),
        (
            vec!["gen", "exposed.pem", "sig", "1400001052", "bob"],
            None,
            "tls_licence_tools: warning: private key file 'exposed.pem' is readable",
        ),
        (
            vec!["gen-batch", "file:secret.txt", "1400001052"],
            Some(&ids),
            "tls_licence_tools: gen-batch: 1 blank line skipped\n",
        ),
    ];
    for (args, stdin, said) in cases {
        let ok = run_to(&dir, &args, stdin, To::Captured, To::Captured);
        assert_eq!(ok.code, 0, "{args:?}: {ok:?}");
        assert!(ok.stderr.starts_with(said), "{args:?}: {ok:?}");
        for (to, code) in [(To::Full, 3), (To::Closed, 3), (To::ClosedPipe, 141)] {
            let r = run_to(&dir, &args, stdin, To::Captured, to);
            assert_eq!(r.code, code, "{args:?} 2> {to:?}: {r:?}");
            assert_eq!(
                r.stdout.lines().count(),
                ok.stdout.lines().count(),
                "{args:?}"
            );
        }
    }
}

/// `| head -1`, for real, over many lines: the batch command exits 141 (never 0), says
/// nothing, and the line head printed is whole.
#[test]
fn batch_into_head_is_cut_short_not_success() {
    let (dir, ticket) = with_tickets("head");
    let n = 20_000;
    dir.write("ids", "someone\n".repeat(n).as_bytes());
    dir.write(
        "sigs",
        format!("{{\"identifier\":\"bob\",\"usersig\":\"{ticket}\"}}\n")
            .repeat(n)
            .as_bytes(),
    );
    for (args, input, field) in [
        ("gen-batch file:secret.txt 1400001052", "ids", "usersig"),
        (
            "gen-batch ec_key.pem 1400001052 --format csv --jobs 2",
            "ids",
            "",
        ),
        ("verify-batch file:secret.txt 1400001052", "sigs", "valid"),
        ("verify-batch public.pem 1400001052 --jobs 1", "sigs", ""),
    ] {
        let script =
            format!("{{ \"$0\" {args} < {input} 2> err; echo $? > status; }} | head -1 > first");
        let sh = Command::new("sh")
            .arg("-c")
            .arg(&script)
            .arg(BIN)
            .current_dir(&dir.0)
            .status()
            .unwrap();
        assert!(sh.success());
        let status = String::from_utf8(dir.read("status")).unwrap();
        assert_eq!(status.trim(), "141", "{args}");
        assert_eq!(String::from_utf8(dir.read("err")).unwrap(), "", "{args}");
        let first = String::from_utf8(dir.read("first")).unwrap();
        assert!(
            first.ends_with('\n') && first.lines().count() == 1,
            "{args}: {first}"
        );
        if field.is_empty() {
            if args.starts_with("gen-batch") {
                // CSV: identifier,usersig,expires_at, the ticket whole.
                let fields: Vec<&str> = first.trim_end().split(',').collect();
                assert_eq!(fields[0], "someone");
                assert!(decode_independently(fields[1]).contains("\"TLS.identifier\":\"someone\""));
                assert!(fields[2].parse::<i64>().unwrap() > now());
            } else {
                // The v2 ticket against a v1 key: a whole (failing) verdict line.
                let v: Value = serde_json::from_str(&first).unwrap();
                assert_eq!(v["valid"], false, "{first}");
            }
        } else {
            let v: Value = serde_json::from_str(&first).unwrap();
            assert!(v.get(field).is_some(), "{first}");
            if field == "usersig" {
                let sig = v["usersig"].as_str().unwrap();
                assert!(decode_independently(sig).contains("\"TLS.identifier\":\"someone\""));
            } else {
                assert_eq!(v["valid"], true, "{first}");
            }
        }
    }
}

/// The batch commands into /dev/full or a closed stdout: status 3 and the one line; into
/// a pipe closed before the start: 141, quietly.
#[test]
fn batch_into_an_unwritable_stdout() {
    let dir = Scratch::new("batch-full");
    let ids = dir.write("ids", "someone\n".repeat(5000).as_bytes());
    for args in [
        vec!["gen-batch", "file:secret.txt", "1400001052"],
        vec!["verify-batch", "file:secret.txt", "1400001052"],
    ] {
        for (to, code, stderr) in [
            (To::Full, 3, FULL),
            (To::Closed, 3, CLOSED),
            (To::ClosedPipe, 141, ""),
        ] {
            let r = run_to(&dir, &args, Some(&ids), to, To::Captured);
            assert_eq!(
                (r.code, r.stderr.as_str()),
                (code, stderr),
                "{args:?} > {to:?}"
            );
        }
    }
}

/// --jobs takes 1 to 1024: 0 and anything larger (up to values that once overflowed an
/// allocation or aborted) is a usage error that names the range.
#[test]
fn jobs_is_bounded() {
    let dir = Scratch::new("jobs");
    for command in ["gen-batch", "verify-batch"] {
        for n in ["0", "1025", "100000", "18446744073709551615", "-1", "four"] {
            let r = run_with_stdin(
                &dir.0,
                [command, "file:secret.txt", "1400001052", "--jobs", n],
                Some(b"bob\n"),
            );
            r.expect(2);
            assert_eq!(
                r.stderr,
                format!(
                    "tls_licence_tools: error: invalid value '{n}' for '--jobs <N>': expected a whole number from 1 to 1024\n"
                ),
                "{command} --jobs {n}"
            );
            assert_eq!(r.stdout, "");
        }
    }
    // The bounds themselves are accepted.
    for n in ["1", "1024"] {
        let r = run_with_stdin(
            &dir.0,
            ["gen-batch", "file:secret.txt", "1400001052", "--jobs", n],
            Some(b"bob\ncarol\n"),
        );
        r.expect(0);
        assert_eq!(r.stdout.lines().count(), 2);
    }
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The identifier a ticket was made for, decoded without the library.
fn ticket_identifier(ticket: &str) -> String {
    let v: Value = serde_json::from_str(&decode_independently(ticket)).unwrap();
    v["TLS.identifier"].as_str().unwrap().to_owned()
}

const CONTROL_TAB: &str = "line 3: the identifier holds a control character (U+0009 at offset 2), which would make a ticket that can be re-read as another user's; no option allows it: use printable ASCII, as Tencent's SDK requires";

const WHITE_SPACE: &str = "line {n}: the identifier begins or ends with white space; identifiers are signed exactly as given: remove it";

/// gen-batch signs each identifier exactly as the line gives it, or refuses it: white
/// space at either end and bytes that are not UTF-8 are refused, `\r\n` is a line
/// ending (a lone `\r` is not), blank lines are skipped and counted.
#[test]
fn gen_batch_takes_identifiers_exactly() {
    let dir = Scratch::new("exact");
    let input: &[u8] = b"bob \n bob\nbo\tb\n\xffbob\n\n  \r\nalice\r\n\t\ncarol\r\ndave\r";
    let r = run_with_stdin(
        &dir.0,
        ["gen-batch", "file:secret.txt", "1400001052"],
        Some(input),
    );
    r.expect(1);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: gen-batch: 5 of 7 lines failed; 3 blank lines skipped\n"
    );
    let lines = json_lines(&r.stdout);
    let err = |n: u32, id: &str, why: String| serde_json::json!({"line": n, "identifier": id, "error": why});
    let ws = |n: u32| WHITE_SPACE.replace("{n}", &n.to_string());
    assert_eq!(lines.len(), 7, "{}", r.stdout);
    assert_eq!(lines[0], err(1, "bob ", ws(1)));
    assert_eq!(lines[1], err(2, " bob", ws(2)));
    assert_eq!(lines[2], err(3, "bo\tb", CONTROL_TAB.into()));
    assert_eq!(
        lines[3],
        err(
            4,
            "\u{fffd}bob",
            "line 4: the identifier is not UTF-8 text (a bad byte at offset 0); give identifiers in UTF-8".into()
        )
    );
    for (line, id) in [(&lines[4], "alice"), (&lines[5], "carol")] {
        assert_eq!(line["identifier"], id);
        assert_eq!(ticket_identifier(line["usersig"].as_str().unwrap()), id);
    }
    // The last line has no `\n`: its `\r` is part of it.
    assert_eq!(lines[6], err(10, "dave\r", ws(10)));

    // --allow-any-identifier refuses the same lines: a control character is never signed.
    let r = run_with_stdin(
        &dir.0,
        [
            "gen-batch",
            "file:secret.txt",
            "1400001052",
            "--allow-any-identifier",
        ],
        Some(input),
    );
    r.expect(1);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: gen-batch: 5 of 7 lines failed; 3 blank lines skipped\n"
    );
    let lines = json_lines(&r.stdout);
    assert_eq!(lines[0], err(1, "bob ", ws(1)));
    assert_eq!(lines[1], err(2, " bob", ws(2)));
    assert_eq!(lines[2], err(3, "bo\tb", CONTROL_TAB.into()));
    assert!(lines[3]["error"].as_str().unwrap().contains("not UTF-8"));

    // CSV with CRLF line endings and blank lines: every row made, the blanks counted.
    let r = run_with_stdin(
        &dir.0,
        ["gen-batch", "ec_key.pem", "1400001052", "--format", "csv"],
        Some(b"alice\r\n\r\nbob\r\n \t \r\n"),
    );
    r.expect(0);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: gen-batch: 2 blank lines skipped\n"
    );
    let rows: Vec<Vec<&str>> = r.stdout.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2);
    for (row, id) in rows.iter().zip(["alice", "bob"]) {
        assert_eq!(row[0], id);
        assert_eq!(ticket_identifier(row[1]), id);
    }
    // CSV: a refused identifier's row and its line on stderr, then the summary.
    let r = run_with_stdin(
        &dir.0,
        [
            "gen-batch",
            "file:secret.txt",
            "1400001052",
            "--format",
            "csv",
        ],
        Some(b"alice \n\nbob\n"),
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        format!(
            "tls_licence_tools: {}\ntls_licence_tools: gen-batch: 1 of 2 lines failed; 1 blank line skipped\n",
            ws(1)
        )
    );
    assert!(r.stdout.starts_with("alice ,,\nbob,eA"), "{}", r.stdout);
}

/// Blank lines in verify-batch input are skipped and counted, not failures.
#[test]
fn verify_batch_skips_blank_lines() {
    let (dir, ticket) = with_tickets("vblank");
    let line = format!("{{\"identifier\":\"bob\",\"usersig\":\"{ticket}\"}}");
    let input = format!("\n{line}\r\n \t\n  \r\nbob,{ticket}\n");
    let r = run_with_stdin(
        &dir.0,
        ["verify-batch", "file:secret.txt", "1400001052"],
        Some(input.as_bytes()),
    );
    r.expect(0);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: verify-batch: 3 blank lines skipped\n"
    );
    let lines = json_lines(&r.stdout);
    assert_eq!(lines.len(), 2);
    for v in lines {
        assert_eq!(
            (v["valid"].clone(), v["identifier"].clone()),
            (Value::Bool(true), "bob".into())
        );
    }
}

/// renew over a sig file that holds no ticket at all (larger than any ticket, or
/// random bytes) renews it: exit 0, and the file is now a valid ticket.
#[test]
fn renew_replaces_junk() {
    let dir = Scratch::new("renew-junk");
    let mut random = vec![0u8; 4096];
    File::open("/dev/urandom")
        .unwrap()
        .read_exact(&mut random)
        .unwrap();
    let mut big_random = vec![0u8; 2 << 20];
    File::open("/dev/urandom")
        .unwrap()
        .read_exact(&mut big_random)
        .unwrap();
    let cases: [(&str, Vec<u8>); 4] = [
        ("2 MiB of text", vec![b'A'; 2 << 20]),
        ("2 MiB of random bytes", big_random),
        ("random bytes", random),
        ("just over the cap", vec![b'A'; (1 << 20) + 1]),
    ];
    for (what, junk) in cases {
        for (key, verify) in [("file:secret.txt", "verify2"), ("ec_key.pem", "verify")] {
            dir.write("sig", &junk);
            let r = run(
                &dir.0,
                ["renew", key, "sig", "1400001052", "bob", "--within", "1d"],
            );
            r.expect(0);
            assert!(
                r.stdout
                    .starts_with("renewed 'sig': the old ticket was not valid: "),
                "{what}: {}",
                r.stdout
            );
            let check_key = if verify == "verify" {
                "public.pem"
            } else {
                key
            };
            run(&dir.0, [verify, check_key, "sig", "1400001052", "bob"]).expect(0);
            assert!(dir.read("sig").len() < 1000, "{what}");
        }
    }
    // Still errors: a directory, and a device (refused as one, not read: /dev/zero never
    // ends).
    std::fs::create_dir(dir.path("adir")).unwrap();
    for (path, words) in [
        ("adir", "is a directory"),
        (
            "/dev/zero",
            "sig file '/dev/zero' is a device, not a regular file; renew only replaces \
             regular files",
        ),
    ] {
        let r = run(
            &dir.0,
            [
                "renew",
                "file:secret.txt",
                path,
                "1400001052",
                "bob",
                "--within",
                "1d",
            ],
        );
        r.expect(3);
        assert!(r.stderr.contains(words), "{path}: {}", r.stderr);
    }
}

/// The userbuf a ticket carries, decoded without the library.
fn ticket_userbuf(ticket: &str) -> Vec<u8> {
    let v: Value = serde_json::from_str(&decode_independently(ticket)).unwrap();
    STANDARD.decode(v["TLS.userbuf"].as_str().unwrap()).unwrap()
}

/// A USERBUF that begins with `-` is a plain value, as the original takes argv: `-x`,
/// `--flag-like`, `--flag-like=1`, `-`, and `--json` after `--`. An option after the
/// USERBUF is still an option.
#[test]
fn hyphen_userbufs_are_taken_as_they_are() {
    let dir = Scratch::new("hyphen");
    for (tail, userbuf, json) in [
        (vec!["-x"], "-x", false),
        (vec!["--flag-like"], "--flag-like", false),
        (vec!["--flag-like=1"], "--flag-like=1", false),
        (vec!["-"], "-", false),
        (vec!["--", "--json"], "--json", false),
        (vec!["--", "-h"], "-h", false),
        (vec!["-x", "--json"], "-x", true),
        (vec!["--json", "-x"], "-x", true),
    ] {
        for (form, key, expire) in [
            ("genuser", "ec_key.pem", Some("100")),
            ("gen2user", "file:secret.txt", None),
        ] {
            let mut args = vec![form, key, "sig", "1400001052", "bob"];
            args.extend(expire);
            args.extend(&tail);
            let r = run(&dir.0, &args);
            r.expect(0);
            let ticket = String::from_utf8(dir.read("sig")).unwrap();
            assert_eq!(ticket_userbuf(&ticket), userbuf.as_bytes(), "{args:?}");
            assert_eq!(r.stdout.starts_with('{'), json, "{args:?}: {}", r.stdout);
            if form == "gen2user" {
                let mut v = vec!["verify2user", key, "sig", "1400001052", "bob"];
                v.extend(&tail);
                run(&dir.0, &v).expect(0);
                // Another userbuf is refused.
                run(
                    &dir.0,
                    ["verify2user", key, "sig", "1400001052", "bob", "-y"],
                )
                .expect(1);
            }
        }
    }
    // An option of the command's own is read as that option, even where USERBUF goes:
    // then USERBUF is missing (give it after `--`, as above).
    for args in [
        vec![
            "genuser",
            "ec_key.pem",
            "sig",
            "1400001052",
            "bob",
            "100",
            "--json",
        ],
        vec![
            "gen2user",
            "file:secret.txt",
            "sig",
            "1400001052",
            "bob",
            "--json",
        ],
    ] {
        let r = run(&dir.0, &args);
        assert_eq!(r.code, 2, "{r:?}");
        assert!(
            r.stderr.starts_with(
                "tls_licence_tools: error: the following required arguments were not provided: <USERBUF>"
            ),
            "{}",
            r.stderr
        );
    }
}
