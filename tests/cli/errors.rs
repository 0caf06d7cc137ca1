//! Bad input through the binary: each case asserts the exit status, the one-line message,
//! and that no file was changed.

use crate::common;

use std::io::Write;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::time::Instant;

use common::*;

const OLD: &[u8] = b"OLD TICKET";

/// A scratch directory with a sig file holding OLD.
fn with_old_sig(tag: &str) -> Scratch {
    let dir = Scratch::new(tag);
    dir.write("sig", OLD);
    dir
}

fn assert_untouched(dir: &Scratch, before: &[String]) {
    assert_eq!(dir.read("sig"), OLD, "the sig file was changed");
    assert_eq!(dir.listing(), before, "a file was left or removed");
}

/// Run, expect `code`, the message to contain every word in `words`, and the sig file
/// to be as it was.
fn refused(dir: &Scratch, args: &[&str], code: i32, words: &[&str]) {
    let before = dir.listing();
    let r = run(&dir.0, args);
    r.expect(code);
    assert_eq!(r.stdout, "", "{args:?}");
    assert!(
        r.stderr.starts_with("tls_licence_tools: "),
        "{args:?}: {}",
        r.stderr
    );
    for w in words {
        assert!(r.stderr.contains(w), "{args:?}: {:?} lacks {w:?}", r.stderr);
    }
    assert_untouched(dir, &before);
}

#[test]
fn bad_sdkappid_is_refused_before_anything_is_written() {
    let dir = with_old_sig("sdkappid");
    for bad in [
        "abc",
        "0",
        "4294967296",
        "-5",
        "",
        "1400001052x",
        " 1400001052",
        "+1400001052",
    ] {
        for cmd in [
            vec!["gen", "ec_key.pem", "sig", bad, "xiaojun"],
            vec!["gen2", "file:secret.txt", "sig", bad, "xiaojun"],
            vec!["verify", "public.pem", "sig", bad, "xiaojun"],
            vec!["verify2", "file:secret.txt", "sig", bad, "xiaojun"],
        ] {
            refused(
                &dir,
                &cmd,
                2,
                &["sdkappid", "decimal number from 1 to 4294967295"],
            );
        }
    }
}

#[test]
fn bad_expire_is_refused() {
    let dir = with_old_sig("expire");
    for bad in [
        "0",
        "1576800001",
        "5x",
        "-1",
        "",
        "1e6",
        "99999999999999",
        "51y",
        "1.5h",
    ] {
        refused(
            &dir,
            &[
                "genexpire",
                "ec_key.pem",
                "sig",
                "1400001052",
                "xiaojun",
                bad,
            ],
            2,
            &["expire", "50 years"],
        );
        refused(
            &dir,
            &[
                "genuser",
                "ec_key.pem",
                "sig",
                "1400001052",
                "xiaojun",
                bad,
                "abc",
            ],
            2,
            &["expire"],
        );
    }
}

#[test]
fn bad_identifier_is_refused_with_the_rule_named() {
    let dir = with_old_sig("identifier");
    let long = "a".repeat(33);
    for (bad, words) in [
        ("", &["identifier is empty"][..]),
        (long.as_str(), &["33 bytes", "at most 32"][..]),
        ("a\tb", &["printable ASCII", "offset 1"][..]),
        ("小军", &["printable ASCII"][..]),
    ] {
        refused(
            &dir,
            &["gen", "ec_key.pem", "sig", "1400001052", bad],
            2,
            words,
        );
        refused(
            &dir,
            &["gen2", "file:secret.txt", "sig", "1400001052", bad],
            2,
            words,
        );
    }
}

#[test]
fn usage_errors_are_one_line_with_the_usage() {
    let dir = with_old_sig("usage");
    refused(
        &dir,
        &["gen", "ec_key.pem", "sig", "1400001052"],
        2,
        &["<IDENTIFIER>", "usage: tls_licence_tools gen "],
    );
    refused(
        &dir,
        &["gen", "ec_key.pem", "sig", "1400001052", "x", "extra"],
        2,
        &["unexpected argument 'extra'"],
    );
    refused(&dir, &["frobnicate"], 2, &["unrecognized subcommand"]);
    refused(
        &dir,
        &["gen2", "", "sig", "1400001052", "xiaojun"],
        2,
        &["secret is empty"],
    );
    refused(
        &dir,
        &["verify2", "-", "-", "1400001052", "xiaojun"],
        2,
        &["only one key or ticket can come from standard input"],
    );
    refused(
        &dir,
        &[
            "verify",
            "public.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "--key",
            "-",
            "--key",
            "-",
        ],
        2,
        &["only one key or ticket can come from standard input"],
    );
}

/// With no arguments, the usage goes to stdout as the original prints it (so `| less`
/// works), and the status is still a usage error.
#[test]
fn no_arguments_prints_version_and_usage_and_fails() {
    let dir = Scratch::new("bare");
    let r = run(&dir.0, Vec::<&str>::new());
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr, "");
    for want in [
        concat!("tls_licence_tools ", env!("CARGO_PKG_VERSION")),
        "current version: 201803230000",
        "tls_licence_tools gen ec_key.pem sig 1400001052 xiaojun",
        "tls_licence_tools verify public.pem sig 1400001052 xiaojun",
        "genexpire",
        "gen2user",
        "verify2user",
        "dump",
        "3 a file or key could not be read",
    ] {
        assert!(
            r.stdout.contains(want),
            "usage lacks {want:?}:\n{}",
            r.stdout
        );
    }
}

#[test]
fn help_explains_every_command() {
    let dir = Scratch::new("help");
    for cmd in [
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
        "dump",
    ] {
        let r = run(&dir.0, [cmd, "--help"]);
        assert_eq!(r.code, 0, "{cmd}");
        assert!(r.stdout.contains("Example: tls_licence_tools "), "{cmd}");
        assert!(r.stdout.contains("Exit status"), "{cmd}");
    }
    let r = run(&dir.0, ["gen2", "--help"]);
    assert!(r.stdout.contains("process list"), "{}", r.stdout);
}

#[test]
fn key_file_problems_exit_3_and_change_nothing() {
    let dir = with_old_sig("keyfile");
    std::fs::create_dir(dir.path("adir")).unwrap();
    dir.write("empty_secret", b" \n");
    refused(
        &dir,
        &["gen", "missing.pem", "sig", "1400001052", "xiaojun"],
        3,
        &["missing.pem", "no such file"],
    );
    refused(
        &dir,
        &["gen", "adir", "sig", "1400001052", "xiaojun"],
        3,
        &["is a directory"],
    );
    refused(
        &dir,
        &["gen", "public.pem", "sig", "1400001052", "xiaojun"],
        3,
        &["public key"],
    );
    refused(
        &dir,
        &["gen", "secret.txt", "sig", "1400001052", "xiaojun"],
        3,
        &["v2 secret"],
    );
    refused(
        &dir,
        &["gen2", "file:empty_secret", "sig", "1400001052", "xiaojun"],
        3,
        &["secret is empty"],
    );
    refused(
        &dir,
        &[
            "gen2",
            "env:TLT_SURELY_UNSET_VARIABLE",
            "sig",
            "1400001052",
            "xiaojun",
        ],
        3,
        &["TLT_SURELY_UNSET_VARIABLE is not set"],
    );
    refused(
        &dir,
        &["verify", "missing.pem", "sig", "1400001052", "xiaojun"],
        3,
        &["no such file"],
    );
    refused(
        &dir,
        &["gen", "ec_key.pem", "ec_key.pem", "1400001052", "xiaojun"],
        3,
        &["sig file 'ec_key.pem' is the key file it signs with: nothing was written"],
    );
    assert_eq!(
        dir.read("ec_key.pem"),
        std::fs::read(fixture("ec_key.pem")).unwrap()
    );
}

#[test]
fn sig_file_problems_on_verify() {
    let dir = Scratch::new("sigfile");
    std::fs::create_dir(dir.path("adir")).unwrap();
    let verify = |sig: &str| {
        run(
            &dir.0,
            ["verify", "public.pem", sig, "1400001052", "xiaojun"],
        )
    };
    let r = verify("missing");
    r.expect(3);
    assert!(
        r.stderr.contains("cannot read sig file 'missing'"),
        "{}",
        r.stderr
    );
    let r = verify("adir");
    r.expect(3);
    assert!(r.stderr.contains("is a directory"), "{}", r.stderr);

    // 2 MiB: refused by size, not read into memory whole.
    dir.write("huge", &vec![b'A'; 2 << 20]);
    let r = verify("huge");
    r.expect(3);
    assert!(r.stderr.contains("larger than"), "{}", r.stderr);

    dir.write("empty", b"");
    let r = verify("empty");
    r.expect(1);
    assert!(r.stderr.contains("(server code 70003)"), "{}", r.stderr);

    dir.write("binary", &[0xff, 0xfe, 0x00, 0x41]);
    let r = verify("binary");
    r.expect(1);
    assert!(r.stderr.contains("not text"), "{}", r.stderr);
    assert!(r.stderr.contains("(server code 70003)"), "{}", r.stderr);
}

/// A ticket of well under 1 MiB that inflates to 200 MB is refused quickly.
#[test]
fn decompression_bomb_is_refused_quickly() {
    let dir = Scratch::new("bomb");
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..200 {
        e.write_all(&zeros).unwrap();
    }
    let text = ticket_text(&e.finish().unwrap());
    assert!(text.len() < 400_000, "{}", text.len());
    dir.write("sig", text.as_bytes());
    let start = Instant::now();
    let r = run(
        &dir.0,
        ["verify", "public.pem", "sig", "1400001052", "xiaojun"],
    );
    let took = start.elapsed();
    r.expect(1);
    assert!(r.stderr.contains("inflates to more than"), "{}", r.stderr);
    assert!(r.stderr.contains("(server code 70003)"), "{}", r.stderr);
    assert!(took.as_secs() < 5, "took {took:?}");

    // Under a 32 MiB address-space limit: inflating 200 MB would fail to allocate.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 32768 && exec '{BIN}' verify public.pem sig 1400001052 xiaojun"
        ))
        .current_dir(&dir.0)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("inflates to more than"));
}

/// Deeply nested JSON inside a ticket is refused (serde_json bounds recursion).
#[test]
fn deep_nesting_is_refused() {
    let dir = Scratch::new("nest");
    let mut json = String::from(r#"{"TLS.identifier":"#);
    json.push_str(&"[".repeat(100_000));
    dir.write("sig", ticket_text(&zlib(json.as_bytes(), 6)).as_bytes());
    let r = run(
        &dir.0,
        ["verify", "public.pem", "sig", "1400001052", "xiaojun"],
    );
    r.expect(1);
    assert!(r.stderr.contains("(server code 70003)"), "{}", r.stderr);
}

/// Malformed fields, each reported as 70003 with the field named.
#[test]
fn malformed_fields_name_the_field() {
    let dir = Scratch::new("fields");
    for (json, words) in [
        (
            r#"{"TLS.ver":"2.0","TLS.identifier":"x","TLS.sdkappid":"1400001052","TLS.time":1,"TLS.expire":1,"TLS.sig":"AAAA"}"#,
            &["TLS.sdkappid", "number"][..],
        ),
        (
            r#"{"TLS.ver":"2.0","TLS.identifier":"x","TLS.sdkappid":1400001052,"TLS.time":1.5,"TLS.expire":1,"TLS.sig":"AAAA"}"#,
            &["TLS.time", "whole"][..],
        ),
        (
            r#"{"TLS.ver":"2.0","TLS.identifier":"x","TLS.sdkappid":1400001052,"TLS.time":-1,"TLS.expire":1,"TLS.sig":"AAAA"}"#,
            &["TLS.time"][..],
        ),
        (
            r#"{"TLS.ver":"3.0"}"#,
            &["TLS.ver", "not a known version"][..],
        ),
        (
            r#"{"TLS.account_type":"0","TLS.identifier":"x","TLS.sdk_appid":"14x","TLS.time":"1","TLS.expire_after":"1","TLS.sig":"AAAA"}"#,
            &["TLS.sdk_appid", "decimal"][..],
        ),
        (
            r#"{"TLS.account_type":"0","TLS.identifier":"x","TLS.sdk_appid":"1","TLS.time":"1","TLS.expire_after":"1","TLS.sig":"not base64!"}"#,
            &["TLS.sig", "base64"][..],
        ),
        (
            r#"{"TLS.account_type":"0","TLS.identifier":"x","TLS.sdk_appid":"1","TLS.time":"1","TLS.expire_after":"1","TLS.userbuf":"YWJj","TLS.sig":"AAAA"}"#,
            &["TLS.appid_at_3rd"][..],
        ),
        (r#"["TLS.sig"]"#, &["not an object"][..]),
    ] {
        dir.write("sig", ticket_text(&zlib(json.as_bytes(), 1)).as_bytes());
        for cmd in ["verify", "verify2"] {
            let key = if cmd == "verify" {
                "public.pem"
            } else {
                "file:secret.txt"
            };
            let r = run(&dir.0, [cmd, key, "sig", "1400001052", "x"]);
            r.expect(1);
            assert!(
                r.stderr.contains("(server code 70003)"),
                "{json}: {}",
                r.stderr
            );
            for w in words {
                assert!(r.stderr.contains(w), "{json}: {} lacks {w}", r.stderr);
            }
        }
    }
}

/// Writes that fail leave nothing behind and exit 3.
#[test]
fn write_failures_exit_3() {
    let dir = Scratch::new("writefail");
    let r = run(
        &dir.0,
        ["gen", "ec_key.pem", "nodir/sig", "1400001052", "xiaojun"],
    );
    r.expect(3);
    assert!(r.stderr.contains("'nodir/' does not exist"), "{}", r.stderr);
    assert_eq!(dir.listing().len(), 6);

    let r = run(
        &dir.0,
        ["gen", "ec_key.pem", "/dev/full", "1400001052", "xiaojun"],
    );
    r.expect(3);
    assert!(r.stderr.contains("no space left"), "{}", r.stderr);
    assert_eq!(r.stdout, "", "no success line after a failed write");
}

/// A sig file that is a symlink is refused (exit 3), the link and its target untouched;
/// the file itself is replaced and keeps its mode; a new one is 0600.
#[test]
fn atomic_replace_refuses_links_and_keeps_modes() {
    let dir = Scratch::new("links");
    std::fs::create_dir(dir.path("real")).unwrap();
    dir.write("real/sig", OLD);
    std::fs::set_permissions(dir.path("real/sig"), std::fs::Permissions::from_mode(0o644)).unwrap();
    symlink("real/sig", dir.path("link")).unwrap();
    let r = run(
        &dir.0,
        ["gen", "ec_key.pem", "link", "1400001052", "xiaojun"],
    );
    r.expect(3);
    assert!(
        r.stderr
            .contains("cannot write sig file 'link': it is a symbolic link"),
        "{}",
        r.stderr
    );
    assert!(
        std::fs::symlink_metadata(dir.path("link"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(dir.path("real/sig")).unwrap(), OLD);
    run(
        &dir.0,
        ["gen", "ec_key.pem", "real/sig", "1400001052", "xiaojun"],
    )
    .expect(0);
    let meta = std::fs::metadata(dir.path("real/sig")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o644);
    run(
        &dir.0,
        ["verify", "public.pem", "real/sig", "1400001052", "xiaojun"],
    )
    .expect(0);
    assert_eq!(
        std::fs::read_dir(dir.path("real")).unwrap().count(),
        1,
        "no temporary file left"
    );

    run(
        &dir.0,
        ["gen", "ec_key.pem", "new", "1400001052", "xiaojun"],
    )
    .expect(0);
    let meta = std::fs::metadata(dir.path("new")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
}

/// A secret read from a file, variable or stdin ignores surrounding white space: a
/// trailing newline does not change the MAC.
#[test]
fn secret_white_space_is_ignored_outside_the_command_line() {
    let dir = Scratch::new("secretnl");
    dir.write("secret_nl", format!("  {SECRET}\r\n\n").as_bytes());
    run(
        &dir.0,
        ["gen2", "file:secret_nl", "sig", "1400001052", "xiaojun"],
    )
    .expect(0);
    run(&dir.0, ["verify2", SECRET, "sig", "1400001052", "xiaojun"]).expect(0);
    let r = run_with_stdin(
        &dir.0,
        ["verify2", "-", "sig", "1400001052", "xiaojun"],
        Some(format!("{SECRET}\n").as_bytes()),
    );
    r.expect(0);
    // With the other secret it is 70009 with the v2 hint.
    let r = run(
        &dir.0,
        [
            "verify2",
            "file:other_secret.txt",
            "sig",
            "1400001052",
            "xiaojun",
        ],
    );
    r.expect(1);
    assert!(r.stderr.contains("(server code 70009)"), "{}", r.stderr);
    assert!(
        r.stderr.contains("another secret, perhaps another app's"),
        "{}",
        r.stderr
    );
}

/// Verdict messages: the identifier the ticket was made for, and the other codes.
#[test]
fn verdict_messages_say_what_and_how_to_fix() {
    let dir = Scratch::new("verdicts");
    run(
        &dir.0,
        ["gen", "ec_key.pem", "sig", "1400001052", "xiaojun"],
    )
    .expect(0);
    let r = run(
        &dir.0,
        ["verify", "public.pem", "sig", "1400001052", "lisi"],
    );
    r.expect(1);
    assert!(
        r.stderr
            .contains(r#"made for identifier "xiaojun", not "lisi" (server code 70013)"#),
        "{}",
        r.stderr
    );
    let r = run(
        &dir.0,
        ["verify", "public.pem", "sig", "1400001053", "xiaojun"],
    );
    r.expect(1);
    assert!(
        r.stderr
            .contains("sdkappid 1400001052, not 1400001053 (server code 70014)")
    );
    let r = run(
        &dir.0,
        ["verify", "other_public.pem", "sig", "1400001052", "xiaojun"],
    );
    r.expect(1);
    assert!(r.stderr.contains("(server code 70009)"), "{}", r.stderr);
    assert!(
        r.stderr.contains("public key belongs to the private key"),
        "{}",
        r.stderr
    );
    // A private key where a public key is expected works.
    run(
        &dir.0,
        ["verify", "ec_key.pem", "sig", "1400001052", "xiaojun"],
    )
    .expect(0);
    run(
        &dir.0,
        [
            "verify",
            "private_pkcs8.pem",
            "sig",
            "1400001052",
            "xiaojun",
        ],
    )
    .expect(0);
    // A v1 ticket given to verify2 says which key it needs.
    let r = run(
        &dir.0,
        ["verify2", "file:secret.txt", "sig", "1400001052", "xiaojun"],
    );
    r.expect(1);
    assert!(
        r.stderr.contains("tls_licence_tools verify public.pem"),
        "{}",
        r.stderr
    );
}

/// Every wrong kind of key file: exit 3, a message naming what was found, nothing written.
#[test]
fn wrong_keys_are_named() {
    let dir = with_old_sig("wrongkeys");
    let keys = fixture("keys");
    for (file, words) in [
        ("rsa_private.pem", &["RSA private key", "P-256"][..]),
        ("rsa_traditional.pem", &["RSA"][..]),
        ("rsa_public.pem", &["RSA public key"][..]),
        ("ed25519_private.pem", &["Ed25519"][..]),
        ("x25519_private.pem", &["X25519"][..]),
        ("secp256k1_sec1.pem", &["secp256k1", "mix-up"][..]),
        ("secp256k1_pkcs8.pem", &["secp256k1"][..]),
        ("p384_sec1.pem", &["P-384"][..]),
        ("p384_public.pem", &["P-384"][..]),
        ("p521_pkcs8.pem", &["P-521"][..]),
        ("brainpool_sec1.pem", &["brainpoolP256r1"][..]),
        ("encrypted_pkcs8.pem", &["passphrase", "openssl pkey"][..]),
        ("encrypted_sec1.pem", &["passphrase"][..]),
        ("explicit_params_p256.pem", &["explicit"][..]),
        ("certificate.pem", &["certificate", "openssl x509"][..]),
        ("ec_params_only.pem", &["only EC PARAMETERS"][..]),
        ("openssh_private", &["OpenSSH"][..]),
        ("not_a_key.txt", &["not a PEM key file"][..]),
        ("secret_like.txt", &["v2 secret", "gen2"][..]),
        ("empty.pem", &["empty"][..]),
        ("corrupt_base64.pem", &["malformed"][..]),
    ] {
        let path = keys.join(file);
        let path = path.to_str().unwrap();
        refused(
            &dir,
            &["gen", path, "sig", "1400001052", "xiaojun"],
            3,
            words,
        );
        // The ticket is not read when the key is unusable: verify says the same.
        if !file.contains("public") {
            refused(
                &dir,
                &["verify", path, "sig", "1400001052", "xiaojun"],
                3,
                words,
            );
        }
    }
    // Valid variants are accepted (binary DER keys too).
    for file in [
        "p256_sec1_no_params.pem",
        "p256_crlf.pem",
        "p256_with_text_before.pem",
        "der_private.der",
        "der_pkcs8.der",
    ] {
        let path = keys.join(file);
        run(
            &dir.0,
            [
                "gen",
                path.to_str().unwrap(),
                "new",
                "1400001052",
                "xiaojun",
            ],
        )
        .expect(0);
        run(
            &dir.0,
            ["verify", "public.pem", "new", "1400001052", "xiaojun"],
        )
        .expect(0);
    }
}

/// Keys from stdin and the environment; a sig file with white space around the ticket.
#[test]
fn key_sources_and_sig_white_space() {
    let dir = Scratch::new("sources");
    let pem = std::fs::read(fixture("ec_key.pem")).unwrap();
    let r = run_with_stdin(
        &dir.0,
        ["gen", "-", "sig", "1400001052", "xiaojun"],
        Some(&pem),
    );
    r.expect(0);
    let ticket = dir.read("sig");
    let mut spaced = b"\n  ".to_vec();
    spaced.extend_from_slice(&ticket);
    spaced.extend_from_slice(b"\r\n");
    dir.write("sig_spaced", &spaced);
    let public = std::fs::read(fixture("public.pem")).unwrap();
    let r = run_with_stdin(
        &dir.0,
        ["verify", "-", "sig_spaced", "1400001052", "xiaojun"],
        Some(&public),
    );
    r.expect(0);
    let out = std::process::Command::new(BIN)
        .args([
            "verify",
            "env:TLT_PUBLIC_PEM",
            "sig",
            "1400001052",
            "xiaojun",
        ])
        .env("TLT_PUBLIC_PEM", String::from_utf8(public).unwrap())
        .current_dir(&dir.0)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("verify sig ok\n"));
}
