//! Keys read, checked and written by the one ECDSA stack: what it cannot read gets the
//! openssl command that rewrites the key, and that command works; what it writes is what
//! openssl writes.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use common::precondition::{OPENSSL, require};
use common::*;

/// The command between the backticks of `message`, with `KEY` replaced by `key`.
fn suggested_command(message: &str, key: &str) -> Vec<String> {
    let quoted = message.split('`').nth(1).expect("a command in backticks");
    quoted
        .split_whitespace()
        .map(|w| {
            if w == "KEY" {
                key.to_string()
            } else {
                w.to_string()
            }
        })
        .collect()
}

#[test]
fn keys_openssl_left_incomplete_are_refused_with_the_fix_that_works() {
    require(&[OPENSSL]);
    // (fixture, command with KEY in place of the key file, words the message holds)
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "p256_sec1_no_public.pem",
            &["gen", "KEY", "sig", "1400001052", "xiaojun"],
            &["this EC PRIVATE KEY has no public key in it"],
        ),
        (
            "p256_pkcs8_no_public.pem",
            &["gen", "KEY", "sig", "1400001052", "xiaojun"],
            &["this PRIVATE KEY has no public key in it"],
        ),
        (
            "p256_sec1_no_public.der",
            &["gen", "KEY", "sig", "1400001052", "xiaojun"],
            &[
                "this DER EC PRIVATE KEY has no public key in it",
                "-inform DER",
            ],
        ),
        (
            "p256_sec1_compressed.pem",
            &["keycheck", "KEY", "public.pem"],
            &["as a compressed point", "-conv_form uncompressed"],
        ),
        (
            "p256_public_compressed.pem",
            &["verify", "KEY", "good_sig", "1400001052", "xiaojun"],
            &["this PUBLIC KEY holds its public key as a compressed point"],
        ),
    ];
    for (file, args, words) in cases {
        let dir = Scratch::new("incomplete");
        run(
            &dir.0,
            ["gen", "ec_key.pem", "good_sig", "1400001052", "xiaojun"],
        )
        .expect(0);
        std::fs::copy(fixture("keys").join(file), dir.path("key")).unwrap();
        std::fs::set_permissions(dir.path("key"), std::fs::Permissions::from_mode(0o600)).unwrap();
        let with = |key: &str| -> Vec<String> {
            args.iter()
                .map(|a| {
                    if *a == "KEY" {
                        key.into()
                    } else {
                        a.to_string()
                    }
                })
                .collect()
        };
        let before = dir.listing();
        let r = run(&dir.0, with("key"));
        r.expect(3);
        assert_eq!(r.stdout, "", "{file}");
        assert!(
            r.stderr.starts_with("tls_licence_tools: error: ") && r.stderr.contains("'key'"),
            "{file}: {}",
            r.stderr
        );
        for word in *words {
            assert!(
                r.stderr.contains(word),
                "{file}: {:?} lacks {word:?}",
                r.stderr
            );
        }
        assert_eq!(dir.listing(), before, "{file}: a file was written");
        // The command the message names rewrites the key into one that works.
        let fix = suggested_command(&r.stderr, "key");
        assert_eq!(fix.first().map(String::as_str), Some("openssl"), "{fix:?}");
        assert_eq!(fix.last().map(String::as_str), Some("fixed.pem"), "{fix:?}");
        let o = Command::new("openssl")
            .args(&fix[1..])
            .current_dir(&dir.0)
            .output()
            .unwrap();
        assert!(o.status.success(), "{fix:?}: {o:?}");
        std::fs::set_permissions(
            dir.path("fixed.pem"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        let r = run(&dir.0, with("fixed.pem"));
        r.expect(0);
        assert_eq!(r.stderr, "", "{file}");
    }
}

#[test]
fn keygen_writes_keys_byte_for_byte_as_openssl_writes_them() {
    require(&[OPENSSL]);
    let dir = Scratch::new("keygen-bytes");
    for round in 0..3 {
        let (private, public) = (format!("k{round}.pem"), format!("p{round}.pem"));
        run(&dir.0, ["keygen", &private, &public]).expect(0);
        for (args, file) in [
            (vec!["pkey", "-in", &private], &private),
            (vec!["pkey", "-in", &private, "-pubout"], &public),
            (vec!["pkey", "-pubin", "-in", &public], &public),
        ] {
            let o = Command::new("openssl")
                .args(&args)
                .current_dir(&dir.0)
                .output()
                .unwrap();
            assert!(o.status.success(), "{args:?}: {o:?}");
            assert_eq!(
                String::from_utf8(o.stdout).unwrap(),
                String::from_utf8(dir.read(file)).unwrap(),
                "{args:?}"
            );
        }
    }
}

const NO_RANDOMNESS: &str =
    "the operating system's random number generator failed; nothing was signed";

/// The commands that sign v1 tickets, run with no randomness: one line, exit 3, no
/// sig file; v2 commands work on.
#[test]
fn no_randomness_stops_every_signing_command() {
    let dir = Scratch::new("norandom");
    // (arguments, what the line says before the generator's failure)
    let cases: [(&[&str], &str); 6] = [
        (
            &["gen", "ec_key.pem", "sig", "1400001052", "xiaojun"],
            "cannot sign with key 'ec_key.pem': ",
        ),
        (
            &[
                "genuser",
                "ec_key.pem",
                "sig",
                "1400001052",
                "xiaojun",
                "600",
                "buf",
            ],
            "cannot sign with key 'ec_key.pem': ",
        ),
        (
            &[
                "genprivmap",
                "ec_key.pem",
                "sig",
                "1400001052",
                "xiaojun",
                "--room-id",
                "7",
            ],
            "cannot sign with key 'ec_key.pem': ",
        ),
        (
            &[
                "renew",
                "ec_key.pem",
                "sig",
                "1400001052",
                "xiaojun",
                "--within",
                "1d",
            ],
            "renew cannot use key 'ec_key.pem': ",
        ),
        (
            &["gen-batch", "ec_key.pem", "1400001052"],
            "gen-batch cannot use key 'ec_key.pem': ",
        ),
        (&["keygen", "new.pem", "new_public.pem"], ""),
    ];
    for (args, doing) in cases {
        let stdin = (args[0] == "gen-batch").then_some(&b"xiaojun\n"[..]);
        let r = run_without_randomness(&dir.0, args, stdin);
        let failure = match args[0] {
            "keygen" => "the operating system's random number generator failed; no key was made",
            _ => NO_RANDOMNESS,
        };
        let want = format!("tls_licence_tools: error: {doing}{failure}\n");
        r.expect(3);
        assert_eq!(r.stderr, want, "{args:?}");
        assert_eq!(r.stdout, "", "{args:?}");
        assert_eq!(
            dir.listing(),
            [
                "ec_key.pem",
                "other_public.pem",
                "other_secret.txt",
                "private_pkcs8.pem",
                "public.pem",
                "secret.txt"
            ],
            "{args:?}"
        );
    }
    let r = run_without_randomness(
        &dir.0,
        ["gen2", "file:secret.txt", "sig", "1400001052", "xiaojun"],
        None,
    );
    r.expect(0);
    let r = run_without_randomness(
        &dir.0,
        ["verify2", "file:secret.txt", "sig", "1400001052", "xiaojun"],
        None,
    );
    r.expect(0);
}
