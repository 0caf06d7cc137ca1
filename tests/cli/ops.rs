//! The CI and ops features through the binary: --json, durations, --min-remaining,
//! renew, key sources, keygen, inspect, keycheck, several keys, completions.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use common::precondition::{OPENSSL, require};
use common::*;
use serde_json::Value;

/// stdout is exactly one JSON object and a newline.
fn one_object(r: &Run) -> serde_json::Map<String, Value> {
    let text = r
        .stdout
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("no newline: {r:?}"));
    assert!(!text.contains('\n'), "more than one line: {r:?}");
    match serde_json::from_str(text) {
        Ok(Value::Object(m)) => m,
        other => panic!("not one JSON object: {other:?} from {r:?}"),
    }
}

fn keys_of(obj: &serde_json::Map<String, Value>) -> Vec<&str> {
    obj.keys().map(String::as_str).collect()
}

/// The object's fields are exactly `keys`, in this order in the text.
fn assert_fields_in_order(r: &Run, keys: &[&str]) {
    let o = one_object(r);
    let mut sorted: Vec<&str> = keys.to_vec();
    sorted.sort_unstable();
    assert_eq!(keys_of(&o), sorted, "{}", r.stdout);
    let at: Vec<usize> = keys
        .iter()
        .map(|k| r.stdout.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "order: {}", r.stdout);
}

#[test]
fn gen_json_has_the_fields_and_types() {
    let dir = Scratch::new("genjson");
    for (args, version) in [
        (
            vec![
                "gen",
                "ec_key.pem",
                "sig",
                "1400001052",
                "xiaojun",
                "--json",
            ],
            "v1",
        ),
        (
            vec![
                "gen2",
                "file:secret.txt",
                "sig",
                "1400001052",
                "xiaojun",
                "--json",
            ],
            "v2",
        ),
    ] {
        let before = now();
        let r = run(&dir.0, &args);
        r.expect(0);
        assert_eq!(r.stderr, "");
        let o = one_object(&r);
        let mut keys = keys_of(&o);
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "expire",
                "expires_at",
                "expires_at_rfc3339",
                "identifier",
                "init_time",
                "ok",
                "remaining_seconds",
                "sdkappid",
                "sig_file",
                "usersig",
                "version"
            ]
        );
        assert_eq!(o["ok"], true);
        assert_eq!(o["version"], version);
        assert_eq!(o["identifier"], "xiaojun");
        assert_eq!(o["sdkappid"], 1_400_001_052);
        assert_eq!(o["expire"], 15_552_000);
        assert_eq!(o["sig_file"], "sig");
        let init = o["init_time"].as_i64().unwrap();
        assert!((before..=now()).contains(&init));
        assert_eq!(o["expires_at"].as_i64().unwrap(), init + 15_552_000);
        assert_eq!(o["remaining_seconds"], 15_552_000);
        assert_eq!(
            o["usersig"].as_str().unwrap().as_bytes(),
            dir.read("sig"),
            "the JSON carries the ticket written"
        );
    }
}

#[test]
fn verify_json_ok_and_not_ok() {
    let dir = Scratch::new("verifyjson");
    run(
        &dir.0,
        [
            "genuser",
            "ec_key.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "1d",
            "abc",
        ],
    )
    .expect(0);
    let r = run(
        &dir.0,
        [
            "verify",
            "public.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "--json",
        ],
    );
    r.expect(0);
    assert_fields_in_order(
        &r,
        &[
            "ok",
            "valid",
            "code",
            "version",
            "identifier",
            "sdkappid",
            "init_time",
            "expire",
            "expires_at",
            "expires_at_rfc3339",
            "remaining_seconds",
            "userbuf_base64",
        ],
    );
    let o = one_object(&r);
    assert_eq!(o["ok"], true);
    assert_eq!(o["code"], 0);
    assert_eq!(o["userbuf_base64"], "YWJj");
    assert_eq!(o["expire"], 86400);
    assert!(o["expires_at_rfc3339"].as_str().unwrap().ends_with('Z'));

    let r = run(
        &dir.0,
        [
            "verify",
            "public.pem",
            "sig",
            "1400001052",
            "lisi",
            "--json",
        ],
    );
    r.expect(1);
    let o = one_object(&r);
    assert_eq!(o["ok"], false);
    assert_eq!(o["valid"], false);
    assert_eq!(o["code"], 70013);
    assert!(o["reason"].as_str().unwrap().contains("\"xiaojun\""));
    assert_eq!(o["identifier"], "xiaojun", "what the ticket says");
    assert!(
        r.stderr.contains("(server code 70013)"),
        "the message on stderr"
    );

    // Expired: remaining_seconds is negative.
    let later = (now() + 2 * 86400).to_string();
    let r = run(
        &dir.0,
        [
            "verify",
            "public.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "--json",
            "--at",
            &later,
        ],
    );
    r.expect(1);
    let o = one_object(&r);
    assert_eq!(o["code"], 70001);
    assert!(o["remaining_seconds"].as_i64().unwrap() < -86000);

    // Unreadable: just ok, valid, code, reason.
    dir.write("bad", b"!!!");
    let r = run(
        &dir.0,
        [
            "verify",
            "public.pem",
            "bad",
            "1400001052",
            "xiaojun",
            "--json",
        ],
    );
    r.expect(1);
    assert_fields_in_order(&r, &["ok", "valid", "code", "reason"]);
    assert_eq!(one_object(&r)["code"], 70003);

    // A file problem in JSON mode: an error object, exit 3.
    let r = run(
        &dir.0,
        [
            "verify",
            "public.pem",
            "missing",
            "1400001052",
            "xiaojun",
            "--json",
        ],
    );
    r.expect(3);
    let o = one_object(&r);
    assert_eq!(o["ok"], false);
    assert_eq!(o["exit_status"], 3);
    assert!(o["error"].as_str().unwrap().contains("missing"));

    // Bad arguments, even those the parser itself refuses: an error object, exit 2.
    for args in [
        vec!["verify", "public.pem", "sig", "abc", "xiaojun", "--json"],
        vec!["verify", "public.pem", "sig", "--json"],
        vec![
            "verify",
            "public.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "--json",
            "--bogus",
        ],
    ] {
        let r = run(&dir.0, &args);
        r.expect(2);
        let o = one_object(&r);
        assert_eq!(
            (o["ok"].clone(), o["exit_status"].clone()),
            (false.into(), 2.into()),
            "{args:?}"
        );
    }
}

#[test]
fn dump_and_inspect_json() {
    let dir = Scratch::new("dumpjson");
    run(
        &dir.0,
        ["gen2", "file:secret.txt", "sig", "1400001052", "xiaojun"],
    )
    .expect(0);
    let ticket = String::from_utf8(dir.read("sig")).unwrap();
    let r = run(&dir.0, ["dump", &ticket, "--json"]);
    r.expect(0);
    let o = one_object(&r);
    assert_eq!(o["ok"], true);
    assert_eq!(o["version"], "v2");
    assert_eq!(o["json"]["TLS.identifier"], "xiaojun");
    assert_eq!(o["json"]["TLS.ver"], "2.0");

    let r = run(&dir.0, ["dump", "!!!", "--json"]);
    r.expect(1);
    assert_eq!(one_object(&r)["code"], 70003);

    let r = run(&dir.0, ["inspect", "sig", "--json"]);
    r.expect(0);
    let o = one_object(&r);
    assert_eq!(o["verified"], false);
    assert_eq!(o["expired"], false);
    assert_eq!(o["identifier"], "xiaojun");
    assert!(o["issued_at_local"].as_str().is_some());
}

#[test]
fn every_duration_form() {
    let dir = Scratch::new("durations");
    for (text, seconds) in [
        ("90d", 7_776_000),
        ("12h", 43_200),
        ("30m", 1_800),
        ("45s", 45),
        ("2w", 1_209_600),
        ("1y", 31_536_000),
        ("1d12h", 129_600),
        ("50y", 1_576_800_000),
        ("86400", 86_400),
    ] {
        for args in [
            vec![
                "gen",
                "ec_key.pem",
                "sig",
                "1400001052",
                "xiaojun",
                "--expire",
                text,
                "--json",
            ],
            vec![
                "gen2",
                "file:secret.txt",
                "sig",
                "1400001052",
                "xiaojun",
                "--expire",
                text,
                "--json",
            ],
            vec![
                "genexpire",
                "ec_key.pem",
                "sig",
                "1400001052",
                "xiaojun",
                text,
                "--json",
            ],
        ] {
            let r = run(&dir.0, &args);
            r.expect(0);
            assert_eq!(one_object(&r)["expire"], seconds, "{args:?}");
        }
    }
    let r = run(
        &dir.0,
        [
            "genexpire",
            "ec_key.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "1d",
            "--expire",
            "2d",
        ],
    );
    // genexpire takes its validity as EXPIRE_SECONDS only: --expire is not its option.
    r.expect(2);
    assert!(
        r.stderr.contains("unexpected argument '--expire'")
            && r.stderr.contains("<EXPIRE_SECONDS>"),
        "{}",
        r.stderr
    );
    let r = run(
        &dir.0,
        [
            "gen",
            "ec_key.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "--expire",
            "51y",
        ],
    );
    r.expect(2);
    assert!(r.stderr.contains("50 years"), "{}", r.stderr);
}

#[test]
fn min_remaining_has_its_own_exit_status() {
    let dir = Scratch::new("minrem");
    run(
        &dir.0,
        [
            "gen2",
            "file:secret.txt",
            "sig",
            "1400001052",
            "xiaojun",
            "--expire",
            "10d",
        ],
    )
    .expect(0);
    let verify = |min: &str, extra: &[&str]| {
        let mut args = vec![
            "verify2",
            "file:secret.txt",
            "sig",
            "1400001052",
            "xiaojun",
            "--min-remaining",
            min,
        ];
        args.extend_from_slice(extra);
        run(&dir.0, &args)
    };
    let r = verify("7d", &[]);
    r.expect(0);
    let r = verify("30d", &[]);
    r.expect(4);
    assert!(
        r.stdout.starts_with("verify sig ok\n"),
        "still valid: {r:?}"
    );
    assert!(
        r.stderr.contains("too close to expiry") && r.stderr.contains("expires at 20"),
        "{}",
        r.stderr
    );
    let r = verify("30d", &["--json"]);
    r.expect(4);
    let o = one_object(&r);
    assert_eq!(
        (o["ok"].clone(), o["valid"].clone()),
        (false.into(), true.into())
    );
    assert_eq!(o["code"], 0);
    assert!(o["reason"].as_str().unwrap().contains("--min-remaining"));
    // Invalid trumps expiring: an expired ticket is 1, not 4.
    let later = (now() + 11 * 86400).to_string();
    verify("30d", &["--at", &later]).expect(1);
    let r = verify("soon", &[]);
    r.expect(2);
    assert!(r.stderr.contains("--min-remaining"), "{}", r.stderr);
}

#[test]
fn renew_keeps_renews_and_creates() {
    let dir = Scratch::new("renew");
    let renew = |key: &str, file: &str, within: &str| {
        run(
            &dir.0,
            [
                "renew",
                key,
                file,
                "1400001052",
                "xiaojun",
                "--within",
                within,
                "--json",
            ],
        )
    };
    // Missing: created, 0600.
    let r = renew("ec_key.pem", "sig", "30d");
    r.expect(0);
    let o = one_object(&r);
    // The word renew --config says for the same situation.
    assert_eq!(o["action"], "created");
    assert_eq!(o["version"], "v1");
    assert!(o["reason"].as_str().unwrap().contains("no ticket"));
    let mode = std::fs::metadata(dir.path("sig"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    run(
        &dir.0,
        ["verify", "public.pem", "sig", "1400001052", "xiaojun"],
    )
    .expect(0);

    // Valid, far from expiry: untouched byte for byte, and its mtime too.
    std::fs::set_permissions(dir.path("sig"), std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = dir.read("sig");
    let mtime = std::fs::metadata(dir.path("sig"))
        .unwrap()
        .modified()
        .unwrap();
    let r = renew("ec_key.pem", "sig", "30d");
    r.expect(0);
    assert_eq!(one_object(&r)["action"], "kept");
    assert_eq!(dir.read("sig"), before);
    assert_eq!(
        std::fs::metadata(dir.path("sig"))
            .unwrap()
            .modified()
            .unwrap(),
        mtime
    );

    // Expiring within the window: renewed, mode kept.
    run(
        &dir.0,
        [
            "genexpire",
            "ec_key.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "1h",
        ],
    )
    .expect(0);
    std::fs::set_permissions(dir.path("sig"), std::fs::Permissions::from_mode(0o640)).unwrap();
    let r = renew("ec_key.pem", "sig", "2h");
    r.expect(0);
    let o = one_object(&r);
    assert_eq!(o["action"], "renewed");
    assert!(
        o["reason"]
            .as_str()
            .unwrap()
            .contains("within the 2 hours window")
    );
    assert_eq!(o["expire"], 15_552_000);
    let mode = std::fs::metadata(dir.path("sig"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);

    // Not valid for this user (or this key): renewed. A v2 secret makes v2 tickets.
    let r = renew("file:secret.txt", "sig", "2h");
    r.expect(0);
    let o = one_object(&r);
    assert_eq!(
        (o["action"].clone(), o["version"].clone()),
        ("renewed".into(), "v2".into())
    );
    run(
        &dir.0,
        ["verify2", "file:secret.txt", "sig", "1400001052", "xiaojun"],
    )
    .expect(0);
    let r = renew("file:secret.txt", "sig", "2h");
    assert_eq!(one_object(&r)["action"], "kept");

    // Text mode says what it did and why.
    let r = run(
        &dir.0,
        [
            "renew",
            "file:secret.txt",
            "sig",
            "1400001052",
            "xiaojun",
            "--within",
            "2h",
        ],
    );
    r.expect(0);
    assert!(
        r.stdout
            .starts_with("kept 'sig': the ticket is valid until "),
        "{}",
        r.stdout
    );

    // Rules: --within required and shorter than the validity; no literal secrets.
    let r = renew("ec_key.pem", "sig", "200d");
    r.expect(2);
    assert!(r.stderr.contains("every run would renew"), "{}", r.stderr);
    let r = run(
        &dir.0,
        [
            "renew",
            SECRET,
            "sig",
            "1400001052",
            "xiaojun",
            "--within",
            "1d",
        ],
    );
    r.expect(3);
    assert!(r.stderr.contains("looks like a v2 secret"), "{}", r.stderr);
    let r = run(
        &dir.0,
        ["renew", "ec_key.pem", "sig", "1400001052", "xiaojun"],
    );
    r.expect(2);
    assert!(r.stderr.contains("--within"), "{}", r.stderr);
}

/// A renew killed while it writes leaves the old ticket whole or the new one whole, and
/// the next run leaves no temporary file. The kill lands at each step of the write, as
/// the process makes the system call (a seccomp filter kills it there): the ticket into
/// the temporary file, the file on disk, the rename over the old ticket, and the line
/// that says so.
#[test]
fn renew_killed_mid_write_leaves_a_whole_ticket() {
    use nix::libc;
    use std::os::unix::process::ExitStatusExt;

    /// What the kill left: the temporary file, empty or holding the new ticket; or the
    /// new ticket in place.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Left {
        EmptyTemp,
        FullTemp,
        Renamed,
    }
    let dir = Scratch::new("renewkill");
    run(
        &dir.0,
        [
            "genexpire",
            "ec_key.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "1h",
        ],
    )
    .expect(0);
    let old = dir.read("sig");
    let files = dir.listing();
    let renew = [
        "renew",
        "ec_key.pem",
        "sig",
        "1400001052",
        "xiaojun",
        "--within",
        "2h",
    ];
    let points = [
        (libc::SYS_write, 3..=u32::MAX, Left::EmptyTemp),
        (libc::SYS_fdatasync, 3..=u32::MAX, Left::FullTemp),
        (libc::SYS_renameat, 3..=u32::MAX, Left::FullTemp),
        (libc::SYS_write, 1..=1, Left::Renamed),
    ];
    for (syscall, fds, left) in points {
        let mut cmd = Command::new(BIN);
        cmd.args(renew)
            .current_dir(&dir.0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        no_randomness::kill_at(&mut cmd, syscall, fds);
        let mut child = cmd.spawn().unwrap();
        let temp = format!(".sig.tmp-{}-0", child.id());
        let status = child.wait().unwrap();
        let at = format!("killed at system call {syscall}, expecting {left:?}");
        assert_eq!(status.signal(), Some(libc::SIGSYS), "{at}: {status:?}");
        let sig = dir.read("sig");
        if left == Left::Renamed {
            assert_ne!(sig, old, "{at}");
            assert_eq!(dir.listing(), files, "{at}");
        } else {
            // The kill landed mid-write: the old ticket in place, the new one unfinished
            // beside it.
            assert_eq!(sig, old, "{at}");
            let mut with_temp = files.clone();
            with_temp.push(temp.clone());
            with_temp.sort();
            assert_eq!(dir.listing(), with_temp, "{at}");
            let unfinished = dir.read(&temp);
            assert_eq!(unfinished.is_empty(), left == Left::EmptyTemp, "{at}");
        }
        run(
            &dir.0,
            ["verify", "public.pem", "sig", "1400001052", "xiaojun"],
        )
        .expect(0);
        // The next run renews the old ticket or keeps the new one, and removes what the
        // killed run left.
        let r = run(&dir.0, renew);
        r.expect(0);
        let verb = match left {
            Left::Renamed => "kept 'sig': ",
            _ => "renewed 'sig': ",
        };
        assert!(r.stdout.starts_with(verb), "{at}: {}", r.stdout);
        assert_eq!(dir.listing(), files, "{at}");
        // Put the old ticket back for the next round.
        std::fs::write(dir.path("sig"), &old).unwrap();
    }
}

/// Two renews racing on one file leave one whole valid ticket.
#[test]
fn racing_renews_leave_one_valid_ticket() {
    let dir = Scratch::new("renewrace");
    for _ in 0..5 {
        run(
            &dir.0,
            [
                "genexpire",
                "ec_key.pem",
                "sig",
                "1400001052",
                "xiaojun",
                "1h",
            ],
        )
        .expect(0);
        // Both are started before either is waited for: they run at the same time.
        let children: Vec<_> = (0..2)
            .map(|_| {
                Command::new(BIN)
                    .args([
                        "renew",
                        "ec_key.pem",
                        "sig",
                        "1400001052",
                        "xiaojun",
                        "--within",
                        "2h",
                    ])
                    .current_dir(&dir.0)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("run the binary")
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{out:?}");
        }
        let r = run(
            &dir.0,
            [
                "verify",
                "public.pem",
                "sig",
                "1400001052",
                "xiaojun",
                "--json",
            ],
        );
        r.expect(0);
        assert_eq!(one_object(&r)["expire"], 15_552_000);
    }
    let leftovers: Vec<_> = dir
        .listing()
        .into_iter()
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn keys_from_env_file_and_stdin_and_no_secret_in_output() {
    let dir = Scratch::new("sources");
    let out = Command::new(BIN)
        .args([
            "gen2",
            "env:TLT_SECRET",
            "sig",
            "1400001052",
            "xiaojun",
            "--json",
        ])
        .env("TLT_SECRET", SECRET)
        .current_dir(&dir.0)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SECRET));
    for args in [
        vec!["verify2", "file:secret.txt", "sig", "1400001052", "xiaojun"],
        vec!["verify2", SECRET, "sig", "1400001052", "xiaojun", "--json"],
        vec![
            "verify2",
            "file:other_secret.txt",
            "sig",
            "1400001052",
            "xiaojun",
        ],
        vec![
            "verify2",
            OTHER_SECRET,
            "sig",
            "1400001052",
            "lisi",
            "--json",
        ],
        vec!["gen2", SECRET, "sig3", "0", "xiaojun", "--json"],
        vec![
            "gen2",
            SECRET,
            "/nonexistent/sig",
            "1400001052",
            "xiaojun",
            "--json",
        ],
    ] {
        // Run::expect asserts that neither stream holds a secret, whatever the outcome.
        let r = run(&dir.0, &args);
        r.assert_no_secrets();
    }
    let r = run_with_stdin(
        &dir.0,
        ["verify2", "-", "sig", "1400001052", "xiaojun"],
        Some(SECRET.as_bytes()),
    );
    r.expect(0);
    let help = run(&dir.0, ["verify2", "--help"]);
    assert!(help.stdout.contains("env:NAME"));
    assert!(help.stdout.contains("process list"));
}

#[test]
fn exposed_private_key_files_draw_a_warning() {
    let dir = Scratch::new("exposed");
    std::fs::set_permissions(
        dir.path("ec_key.pem"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let r = run(
        &dir.0,
        ["gen", "ec_key.pem", "sig", "1400001052", "xiaojun"],
    );
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.contains(
            "warning: private key file 'ec_key.pem' is readable by group or others (mode 0644)"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("chmod 600"), "{}", r.stderr);
    std::fs::set_permissions(
        dir.path("secret.txt"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    let r = run(
        &dir.0,
        ["gen2", "file:secret.txt", "sig", "1400001052", "xiaojun"],
    );
    assert!(
        r.stderr.contains("warning: secret file 'secret.txt'"),
        "{}",
        r.stderr
    );
    // A public key is not secret: no warning.
    let r = run(
        &dir.0,
        ["verify", "public.pem", "sig", "1400001052", "xiaojun"],
    );
    assert_eq!(r.code, 1); // sig now holds a v2 ticket
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
}

#[test]
fn keygen_makes_keys_openssl_reads() {
    require(&[OPENSSL]);
    let dir = Scratch::new("keygen");
    let r = run(&dir.0, ["keygen", "new.pem", "new_pub.pem"]);
    r.expect(0);
    assert!(r.stdout.contains("fingerprint SHA256:"), "{}", r.stdout);
    let mode = |f: &str| std::fs::metadata(dir.path(f)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("new.pem"), 0o600);
    assert_eq!(mode("new_pub.pem"), 0o644);
    assert!(
        String::from_utf8(dir.read("new.pem"))
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----\n")
    );
    assert!(
        String::from_utf8(dir.read("new_pub.pem"))
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----\n")
    );
    for args in [
        vec!["pkey", "-in", "new.pem", "-check", "-noout"],
        vec!["pkey", "-pubin", "-in", "new_pub.pem", "-noout"],
    ] {
        let o = Command::new("openssl")
            .args(&args)
            .current_dir(&dir.0)
            .output()
            .unwrap();
        assert!(o.status.success(), "{args:?}: {o:?}");
    }
    // openssl's idea of the public half matches ours.
    let o = Command::new("openssl")
        .args(["pkey", "-in", "new.pem", "-pubout"])
        .current_dir(&dir.0)
        .output()
        .unwrap();
    assert_eq!(o.stdout, dir.read("new_pub.pem"));
    // The pair signs and verifies tickets, and openssl checks the signature.
    run(&dir.0, ["gen", "new.pem", "sig", "1400001052", "xiaojun"]).expect(0);
    run(
        &dir.0,
        ["verify", "new_pub.pem", "sig", "1400001052", "xiaojun"],
    )
    .expect(0);
    run(&dir.0, ["keycheck", "new.pem", "new_pub.pem"]).expect(0);

    // No overwrite without --force; --force makes the private key 0600 again.
    let before = dir.read("new.pem");
    let r = run(&dir.0, ["keygen", "new.pem", "other_pub.pem"]);
    r.expect(3);
    assert!(r.stderr.contains("exists; pass --force"), "{}", r.stderr);
    assert_eq!(dir.read("new.pem"), before);
    std::fs::set_permissions(dir.path("new.pem"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = run(
        &dir.0,
        ["keygen", "new.pem", "new_pub.pem", "--force", "--json"],
    );
    r.expect(0);
    let o = one_object(&r);
    assert!(o["fingerprint"].as_str().unwrap().starts_with("SHA256:"));
    assert_ne!(dir.read("new.pem"), before);
    assert_eq!(mode("new.pem"), 0o600);
    run(&dir.0, ["keygen", "same.pem", "same.pem"]).expect(2);
}

#[test]
fn keycheck_both_ways_with_openssl_fingerprints() {
    require(&[OPENSSL]);
    let dir = Scratch::new("keycheck");
    let r = run(&dir.0, ["keycheck", "ec_key.pem", "public.pem"]);
    r.expect(0);
    let der = Command::new("openssl")
        .args(["pkey", "-pubin", "-in", "public.pem", "-outform", "DER"])
        .current_dir(&dir.0)
        .output()
        .unwrap()
        .stdout;
    dir.write("public.der", &der);
    let digest = Command::new("openssl")
        .args(["dgst", "-sha256", "-r", "public.der"])
        .current_dir(&dir.0)
        .output()
        .unwrap()
        .stdout;
    let hex = String::from_utf8(digest).unwrap();
    let hex = hex.split_whitespace().next().unwrap();
    assert_eq!(
        r.stdout,
        format!(
            "private key 'ec_key.pem': SHA256:{hex}\npublic key  'public.pem': SHA256:{hex}\nmatch: the public key belongs to the private key\n"
        )
    );
    let r = run(&dir.0, ["keycheck", "ec_key.pem", "other_public.pem"]);
    r.expect(1);
    assert!(
        r.stderr.contains("does not belong to the private key"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("70009"), "{}", r.stderr);
    let r = run(
        &dir.0,
        [
            "keycheck",
            "private_pkcs8.pem",
            "other_public.pem",
            "--json",
        ],
    );
    r.expect(1);
    let o = one_object(&r);
    assert_eq!(o["ok"], false);
    assert_eq!(o["private_key_fingerprint"], format!("SHA256:{hex}"));
    let r = run(&dir.0, ["keycheck", "public.pem", "public.pem"]);
    r.expect(3);
    assert!(r.stderr.contains("public key"), "{}", r.stderr);
}

#[test]
fn inspect_every_vector_kind() {
    let text = std::fs::read_to_string(fixture("vectors.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let dir = Scratch::new("inspect");
    for case in v["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        dir.write("sig", case["sig"].as_str().unwrap().as_bytes());
        let r = run(&dir.0, ["inspect", "sig"]);
        if case["kind"] == "garbage"
            || [
                "fail-truncated",
                "fail-missing-sig-field",
                "fail-v2-time-as-string",
            ]
            .contains(&name)
        {
            r.expect(1);
            assert!(
                r.stderr.contains("(server code 70003)"),
                "{name}: {}",
                r.stderr
            );
            continue;
        }
        r.expect(0);
        assert!(
            r.stdout.contains("identifier   \"xiaojun\"\n"),
            "{name}: {}",
            r.stdout
        );
        assert!(r.stdout.contains("sdkappid     1400001052\n"), "{name}");
        assert!(r.stdout.contains("not verified"), "{name}");
        let kind = case["kind"].as_str().unwrap();
        assert!(
            r.stdout.starts_with(&format!(
                "version      {}",
                kind.trim_end_matches("-userbuf")
            )),
            "{name}: {}",
            r.stdout
        );
        if name.contains("privatemapkey") {
            assert!(
                r.stdout.contains("PrivateMapKey (TRTC room permission)"),
                "{name}"
            );
        }
    }
    // The PrivateMapKeys, decoded.
    let pmk = |name: &str| {
        let case = v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap();
        dir.write("pmk", case["sig"].as_str().unwrap().as_bytes());
        let r = run(&dir.0, ["inspect", "pmk", "--json"]);
        r.expect(0);
        one_object(&r)["private_map_key"].clone()
    };
    let p = pmk("v2-python-privatemapkey-room10000-priv255");
    assert_eq!(p["room_id"], 10000);
    assert_eq!(p["privileges"], 255);
    assert_eq!(p["privilege_names"].as_array().unwrap().len(), 8);
    assert_eq!(p["expires_at"], 1_795_761_657);
    let p = pmk("v2-python-privatemapkey-strroom-priv42");
    assert_eq!(p["room_name"], "room-42");
    assert_eq!(
        p["privilege_names"],
        serde_json::json!(["enter room", "receive audio", "receive video"])
    );
    let r = run(&dir.0, ["inspect", "pmk"]);
    assert!(
        r.stdout.contains("room         \"room-42\"\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("privileges   42 (enter room, receive audio, receive video)\n"),
        "{}",
        r.stdout
    );
    // From stdin.
    let r = run_with_stdin(&dir.0, ["inspect", "-"], Some(&dir.read("pmk")));
    r.expect(0);
}

#[test]
fn several_keys_report_which_matched() {
    let dir = Scratch::new("severalkeys");
    run(
        &dir.0,
        ["gen", "ec_key.pem", "sig", "1400001052", "xiaojun"],
    )
    .expect(0);
    let r = run(
        &dir.0,
        [
            "verify",
            "other_public.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "--key",
            "public.pem",
        ],
    );
    r.expect(0);
    assert!(r.stdout.ends_with("key public.pem\n"), "{}", r.stdout);
    let r = run(
        &dir.0,
        [
            "verify",
            "other_public.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "--key",
            "public.pem",
            "--json",
        ],
    );
    assert_eq!(one_object(&r)["key"], "public.pem");
    let r = run(
        &dir.0,
        [
            "verify",
            "other_public.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "--key",
            "other_public.pem",
        ],
    );
    r.expect(1);
    assert!(
        r.stderr
            .contains("any of the 2 public keys (server code 70009)"),
        "{}",
        r.stderr
    );

    run(
        &dir.0,
        ["gen2", "file:secret.txt", "sig2", "1400001052", "xiaojun"],
    )
    .expect(0);
    let r = run(
        &dir.0,
        [
            "verify2",
            "file:other_secret.txt",
            "sig2",
            "1400001052",
            "xiaojun",
            "--key",
            "file:secret.txt",
            "--json",
        ],
    );
    r.expect(0);
    assert_eq!(one_object(&r)["key"], "secret.txt");
}

#[test]
fn completions_for_three_shells() {
    let dir = Scratch::new("completions");
    for shell in ["bash", "zsh", "fish"] {
        let r = run(&dir.0, ["completions", shell]);
        r.expect(0);
        for word in ["gen2user", "verify2", "renew", "keygen", "min-remaining"] {
            assert!(r.stdout.contains(word), "{shell} lacks {word}");
        }
    }
    // bash accepts its script.
    let r = run(&dir.0, ["completions", "bash"]);
    dir.write("c.bash", r.stdout.as_bytes());
    let o = Command::new("bash")
        .args(["-n", "c.bash"])
        .current_dir(&dir.0)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    run(&dir.0, ["completions", "tcsh"]).expect(2);
}

#[test]
fn exit_statuses_are_listed_in_help() {
    let dir = Scratch::new("statuses");
    let r = run(&dir.0, ["--help"]);
    r.expect(0);
    for want in [
        "0 success",
        "1 the ticket is not valid",
        "2 bad arguments",
        "3 a file or key could not be read",
        "4 the ticket is valid but expires",
    ] {
        assert!(
            r.stdout.contains(want),
            "--help lacks {want:?}: {}",
            r.stdout
        );
    }
}
