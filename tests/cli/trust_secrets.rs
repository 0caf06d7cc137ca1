//! Key material is never a v2 secret (issue 7, "Trust"): every command that takes a v2
//! secret refuses a key or certificate in any form; the commands that tell v1 from v2 by
//! the key take DER keys as v1; a literal secret that names a file is refused; a secret
//! not in the console's form (64 hex characters) is warned about.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{
    BIN, KEY_BODY, LITERAL_SECRET_WARNING, Run, SECRET, Scratch, decode_independently, fixture,
    now, run, run_with_stdin, ticket_text, zlib,
};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

const ENV: &str = "TLS_LICENCE_TOOLS_TEST_KEY";

/// Key files in every form, and how the refusal names each.
const KEY_FORMS: &[(&str, &str)] = &[
    ("public.pem", "a public key (PEM PUBLIC KEY block)"),
    ("ec_key.pem", "a private key (PEM EC PRIVATE KEY block)"),
    ("private_pkcs8.pem", "a private key (PEM PRIVATE KEY block)"),
    ("certificate.pem", "a certificate (PEM CERTIFICATE block)"),
    (
        "openssh_private",
        "an OpenSSH private key (PEM OPENSSH PRIVATE KEY block)",
    ),
    ("der_public.der", "a public key (DER SubjectPublicKeyInfo)"),
    ("der_pkcs8.der", "a private key (DER PKCS#8)"),
    ("der_private.der", "an EC private key (DER SEC1)"),
    ("der_certificate.der", "an X.509 certificate (DER)"),
    ("rsa_public.der", "a public key (DER SubjectPublicKeyInfo)"),
    ("rsa_pkcs1_public.der", "an RSA public key (DER PKCS#1)"),
    ("openssh_public.pub", "an OpenSSH public key (ssh-ed25519)"),
    (
        "openssh_ecdsa_public.pub",
        "an OpenSSH public key (ecdsa-sha2-nistp256)",
    ),
    ("ssh2_public.pub", "an SSH2 public key (RFC 4716)"),
    (
        "sshcom_rsa_private.key",
        "an SSH.com private key (---- BEGIN SSH2 block)",
    ),
    (
        "public_der_hex.txt",
        "a public key (hex of DER SubjectPublicKeyInfo)",
    ),
    (
        "public_utf16.pem",
        "a public key (PEM PUBLIC KEY block), saved as UTF-16",
    ),
    ("putty_ecdsa.ppk", "a PuTTY key file (ecdsa-sha2-nistp256)"),
    (
        "public_base64_body.txt",
        "a public key (base64 of DER SubjectPublicKeyInfo, without PEM lines)",
    ),
];

/// A scratch directory with every key form in it, kept private (mode 600) so that no
/// permission warning adds to stderr.
fn key_dir(tag: &str) -> Scratch {
    let dir = Scratch::new(tag);
    for (name, _) in KEY_FORMS {
        let top = fixture(name);
        let from = if top.exists() {
            top
        } else {
            fixture("keys").join(name)
        };
        std::fs::copy(&from, dir.path(name)).unwrap();
    }
    for entry in std::fs::read_dir(&dir.0).unwrap() {
        let path = entry.unwrap().path();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    dir
}

/// Run the binary in `dir` with `ENV` set to `value`.
fn run_env(dir: &Path, args: &[&str], value: &[u8]) -> Run {
    use std::os::unix::ffi::OsStrExt;
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("TZ", "UTC")
        .env(ENV, std::ffi::OsStr::from_bytes(value))
        .stdin(Stdio::null())
        .output()
        .expect("run the binary");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        raw_stdout: out.stdout,
    }
}

fn refusal(key: &str, kind: &str) -> String {
    format!("tls_licence_tools: error: {key} is {kind}: v2 needs the app's 64-character secret\n")
}

fn warning(origin: &str) -> String {
    format!(
        "tls_licence_tools: warning: the v2 secret {origin} is not 64 hexadecimal characters, \
         the form the console shows; check that it is the app's secret\n"
    )
}

/// The four commands that take a v2 secret, with KEY in place; gen forms write `new`,
/// verify forms read `sig`.
fn v2_commands(key: &str) -> [Vec<&str>; 4] {
    [
        vec!["gen2", key, "new", "1400001052", "xiaojun"],
        vec!["gen2user", key, "new", "1400001052", "xiaojun", "abc"],
        vec!["verify2", key, "sig", "1400001052", "xiaojun"],
        vec!["verify2user", key, "sig", "1400001052", "xiaojun", "abc"],
    ]
}

/// A v2 ticket in `sig`, made with the real secret.
fn with_v2_sig(dir: &Scratch) {
    run(
        &dir.0,
        ["gen2", "file:secret.txt", "sig", "1400001052", "xiaojun"],
    )
    .expect(0);
}

#[test]
fn v2_commands_refuse_key_material_from_every_source() {
    let dir = key_dir("v2-refuse");
    with_v2_sig(&dir);
    let sig = dir.read("sig");
    for (name, kind) in KEY_FORMS {
        let bytes = dir.read(name);
        let file_arg = format!("file:{name}");
        for args in v2_commands(&file_arg) {
            let r = run(&dir.0, &args);
            r.expect(3);
            assert_eq!(
                r.stderr,
                refusal(&format!("KEY '{name}'"), kind),
                "{args:?}"
            );
            assert_eq!(r.stdout, "", "{args:?}");
        }
        for args in v2_commands("-") {
            let r = run_with_stdin(&dir.0, &args, Some(&bytes));
            r.expect(3);
            assert_eq!(
                r.stderr,
                refusal("KEY from standard input", kind),
                "{args:?}"
            );
            assert_eq!(r.stdout, "", "{args:?}");
        }
        // Neither the environment nor an argument can carry a NUL byte; the text forms
        // go through both.
        if !bytes.contains(&0) {
            let literal = String::from_utf8(bytes.clone()).unwrap();
            for mut args in v2_commands(&literal) {
                // A PEM literal starts with '-': end the options first.
                args.insert(1, "--");
                let r = run(&dir.0, &args);
                r.expect(3);
                assert_eq!(
                    r.stderr,
                    refusal("KEY given on the command line", kind),
                    "{args:?}"
                );
                assert_eq!(r.stdout, "", "{args:?}");
            }
            let env_arg = format!("env:{ENV}");
            for args in v2_commands(&env_arg) {
                let r = run_env(&dir.0, &args, &bytes);
                r.expect(3);
                assert_eq!(
                    r.stderr,
                    refusal(&format!("KEY in environment variable {ENV}"), kind),
                    "{args:?}"
                );
                assert_eq!(r.stdout, "", "{args:?}");
            }
        }
        // No ticket was made, and the sig file was left alone.
        assert!(!dir.path("new").exists(), "{name}");
        assert_eq!(dir.read("sig"), sig, "{name}");
        assert!(!String::from_utf8_lossy(&dir.read("sig")).contains(KEY_BODY));
    }
}

/// What renew, gen-batch and verify-batch say of a key that is not a usable P-256 key:
/// its own diagnostic, never a v2 secret.
const UNUSABLE: &[(&str, &str)] = &[
    (
        "certificate.pem",
        "this is an X.509 certificate, not a key; extract its public key with `openssl x509 -in CERT -pubkey -noout > public.pem`",
    ),
    (
        "der_certificate.der",
        "this is an X.509 certificate, not a key; extract its public key with `openssl x509 -in CERT -pubkey -noout > public.pem`",
    ),
    (
        "openssh_private",
        "this is an OpenSSH ssh-ed25519 private key; UserSig v1 needs an ECDSA P-256 (prime256v1) key",
    ),
    (
        "openssh_public.pub",
        "this is an OpenSSH ssh-ed25519 public key; UserSig v1 needs an ECDSA P-256 (prime256v1) key",
    ),
    (
        "openssh_ecdsa_public.pub",
        "this is an OpenSSH-format public key (ecdsa-sha2-nistp256); convert it with `ssh-keygen -e -m PKCS8 -f KEY > public.pem`",
    ),
    (
        "ssh2_public.pub",
        "this is an OpenSSH-format public key; UserSig v1 needs an ECDSA P-256 key in PEM form (an ecdsa-sha2-nistp256 private key converts with `ssh-keygen -p -m PEM -f KEY`)",
    ),
    (
        "putty_ecdsa.ppk",
        "this is a PuTTY key file (ecdsa-sha2-nistp256); convert it to PEM with `puttygen KEY -O private-openssh -o key.pem`",
    ),
    (
        "public_base64_body.txt",
        "this is a key's base64 without its -----BEGIN and -----END lines; give the whole PEM file (or the binary DER)",
    ),
    (
        "public_der_hex.txt",
        "this is a key's DER written as hex digits; make it binary DER with `xxd -r -p KEY > key.der`",
    ),
    (
        "public_utf16.pem",
        "this key file is saved as UTF-16 text; convert it with `iconv -f UTF-16 -t UTF-8 KEY > key.pem`",
    ),
    (
        "sshcom_rsa_private.key",
        "this is an SSH.com-format private key; UserSig v1 needs an ECDSA P-256 (prime256v1) key in PEM or DER form",
    ),
    (
        "rsa_public.der",
        "this is an RSA public key; UserSig v1 needs an ECDSA P-256 (prime256v1) key",
    ),
    (
        "rsa_pkcs1_public.der",
        "this is an RSA public key; UserSig v1 needs an ECDSA P-256 (prime256v1) key",
    ),
];

#[test]
fn key_picking_commands_never_take_key_material_as_a_secret() {
    let dir = key_dir("pick-refuse");
    for (name, why) in UNUSABLE {
        for (command, args) in [
            (
                "renew",
                vec![
                    "renew",
                    name,
                    "new",
                    "1400001052",
                    "xiaojun",
                    "--within",
                    "1d",
                ],
            ),
            ("gen-batch", vec!["gen-batch", name, "1400001052"]),
            ("verify-batch", vec!["verify-batch", name, "1400001052"]),
        ] {
            let r = run_with_stdin(&dir.0, &args, Some(b"xiaojun\n"));
            r.expect(3);
            assert_eq!(
                r.stderr,
                format!("tls_licence_tools: error: {command} cannot use key '{name}': {why}\n"),
                "{args:?}"
            );
            assert_eq!(r.stdout, "", "{args:?}");
        }
        assert!(!dir.path("new").exists(), "{name}");
    }
}

/// Forge a v2 ticket for xiaojun, HMAC-keyed with `key`.
fn forge(key: &[u8]) -> String {
    let time = now();
    let content = format!(
        "TLS.identifier:xiaojun\nTLS.sdkappid:1400001052\nTLS.time:{time}\nTLS.expire:86400\n"
    );
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(content.as_bytes());
    let sig = STANDARD.encode(mac.finalize().into_bytes());
    let json = format!(
        r#"{{"TLS.ver":"2.0","TLS.sdkappid":1400001052,"TLS.identifier":"xiaojun","TLS.time":{time},"TLS.expire":86400,"TLS.sig":"{sig}"}}"#
    );
    ticket_text(&zlib(json.as_bytes(), 6))
}

/// The exploit: anyone holding the public key made v2 tickets (keyed with its bytes, as
/// they were read: trimmed) that `verify-batch PUBLIC-KEY` accepted.
#[test]
fn tickets_forged_with_a_public_key_are_not_accepted() {
    let dir = key_dir("forge");
    // The forger is right: a ticket forged with the real secret passes.
    let line = format!("xiaojun,{}\n", forge(SECRET.as_bytes()));
    let r = run_with_stdin(
        &dir.0,
        ["verify-batch", "secret.txt", "1400001052"],
        Some(line.as_bytes()),
    );
    r.expect(0);
    assert!(r.stdout.starts_with(r#"{"ok":true,"#), "{r:?}");

    // A P-256 public key is a v1 key: the forged v2 ticket fails to verify.
    let public = dir.read("der_public.der");
    let line = format!("xiaojun,{}\n", forge(public.trim_ascii()));
    let r = run_with_stdin(
        &dir.0,
        ["verify-batch", "der_public.der", "1400001052"],
        Some(line.as_bytes()),
    );
    r.expect(1);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: verify-batch: 1 of 1 lines failed\n"
    );
    assert_eq!(r.stdout.lines().count(), 1);
    assert!(r.stdout.starts_with(r#"{"ok":false,"#), "{r:?}");
    // The v2 forms refuse the key outright.
    dir.write("forged", forge(public.trim_ascii()).as_bytes());
    let r = run(
        &dir.0,
        [
            "verify2",
            "file:der_public.der",
            "forged",
            "1400001052",
            "xiaojun",
        ],
    );
    r.expect(3);
    assert_eq!(
        r.stderr,
        refusal(
            "KEY 'der_public.der'",
            "a public key (DER SubjectPublicKeyInfo)"
        )
    );

    // Any other public key: verify-batch refuses to run at all.
    for (name, why) in [
        (
            "rsa_public.der",
            "this is an RSA public key; UserSig v1 needs an ECDSA P-256 (prime256v1) key",
        ),
        (
            "openssh_public.pub",
            "this is an OpenSSH ssh-ed25519 public key; UserSig v1 needs an ECDSA P-256 (prime256v1) key",
        ),
    ] {
        let line = format!("xiaojun,{}\n", forge(dir.read(name).trim_ascii()));
        let r = run_with_stdin(
            &dir.0,
            ["verify-batch", name, "1400001052"],
            Some(line.as_bytes()),
        );
        r.expect(3);
        assert_eq!(
            r.stderr,
            format!("tls_licence_tools: error: verify-batch cannot use key '{name}': {why}\n")
        );
        assert_eq!(r.stdout, "");
    }
}

/// Whether the ticket is a v1 ticket that `verify public.pem` accepts for `identifier`.
fn is_v1_by_the_fixture_key(dir: &Scratch, ticket: &str, identifier: &str) -> bool {
    let json = decode_independently(ticket);
    dir.write("check", ticket.as_bytes());
    let r = run(
        &dir.0,
        ["verify", "public.pem", "check", "1400001052", identifier],
    );
    !json.contains(r#""TLS.ver""#) && r.code == 0 && r.stdout.starts_with("verify sig ok\n")
}

#[test]
fn der_keys_are_v1_keys_everywhere() {
    let dir = key_dir("der-v1");
    for private in ["der_pkcs8.der", "der_private.der"] {
        // gen signs with a DER private key.
        let r = run(&dir.0, ["gen", private, "sig", "1400001052", "xiaojun"]);
        r.expect(0);
        assert_eq!(r.stderr, "");
        let ticket = String::from_utf8(dir.read("sig")).unwrap();
        assert!(is_v1_by_the_fixture_key(&dir, &ticket, "xiaojun"));
        // verify and keycheck read the DER public key.
        let r = run(
            &dir.0,
            ["verify", "der_public.der", "sig", "1400001052", "xiaojun"],
        );
        r.expect(0);
        assert!(r.stdout.starts_with("verify sig ok\n"), "{r:?}");
        let r = run(&dir.0, ["keycheck", private, "der_public.der"]);
        r.expect(0);
        assert!(
            r.stdout
                .ends_with("match: the public key belongs to the private key\n"),
            "{r:?}"
        );

        // renew picks v1 from a DER private key.
        let _ = std::fs::remove_file(dir.path("renewed"));
        let r = run(
            &dir.0,
            [
                "renew",
                private,
                "renewed",
                "1400001052",
                "bob",
                "--within",
                "1d",
            ],
        );
        r.expect(0);
        assert!(
            r.stdout
                .starts_with("created 'renewed': there was no ticket; the new v1 ticket"),
            "{r:?}"
        );
        let ticket = String::from_utf8(dir.read("renewed")).unwrap();
        assert!(is_v1_by_the_fixture_key(&dir, ticket.trim(), "bob"));

        // gen-batch makes v1 tickets, and verify-batch checks them with the DER public key.
        let r = run_with_stdin(
            &dir.0,
            ["gen-batch", private, "1400001052"],
            Some(b"alice\n"),
        );
        r.expect(0);
        let line: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
        let ticket = line["usersig"].as_str().unwrap();
        assert!(is_v1_by_the_fixture_key(&dir, ticket, "alice"));
        let r = run_with_stdin(
            &dir.0,
            ["verify-batch", "der_public.der", "1400001052"],
            Some(format!("alice,{ticket}\n").as_bytes()),
        );
        r.expect(0);
        assert!(r.stdout.contains(r#""ok":true"#), "{r:?}");
        assert!(r.stdout.contains(r#""version":"v1""#), "{r:?}");
    }
    // A DER public key cannot sign.
    for args in [
        vec![
            "renew",
            "der_public.der",
            "renewed",
            "1400001052",
            "bob",
            "--within",
            "1d",
        ],
        vec!["gen-batch", "der_public.der", "1400001052"],
    ] {
        let r = run_with_stdin(&dir.0, &args, Some(b"alice\n"));
        r.expect(3);
        assert_eq!(
            r.stderr,
            format!(
                "tls_licence_tools: error: 'der_public.der' is a public key; {} signs with the private key\n",
                args[0]
            )
        );
        assert_eq!(r.stdout, "");
    }
    // A DER key of another curve gets the same words as in PEM.
    std::fs::copy(fixture("keys/p384_sec1.der"), dir.path("p384_sec1.der")).unwrap();
    let r = run(
        &dir.0,
        ["gen", "p384_sec1.der", "new", "1400001052", "xiaojun"],
    );
    r.expect(3);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: cannot sign with key 'p384_sec1.der': this is an EC private \
         key on curve P-384 (secp384r1); UserSig v1 needs an ECDSA P-256 (prime256v1) key\n"
    );
    assert!(!dir.path("new").exists());
}

#[test]
fn a_literal_key_that_names_a_file_is_refused() {
    let dir = key_dir("literal-file");
    with_v2_sig(&dir);
    std::fs::create_dir(dir.path("keys")).unwrap();
    dir.write("keys/app.txt", SECRET.as_bytes());
    // A file named like a secret: its name is never shown.
    dir.write(SECRET, SECRET.as_bytes());
    for (key, shown) in [
        ("secret.txt", "secret.txt"),
        ("keys/app.txt", "keys/app.txt"),
        ("der_public.der", "der_public.der"),
        ("keys", "keys"),
        (SECRET, "PATH"),
    ] {
        for args in v2_commands(key) {
            let r = run(&dir.0, &args);
            r.expect(2);
            assert_eq!(
                r.stderr,
                format!(
                    "tls_licence_tools: error: KEY names an existing file; did you mean file:{shown}?\n"
                ),
                "{args:?}"
            );
            assert_eq!(r.stdout, "");
        }
    }
    // So is one given with --key.
    let r = run(
        &dir.0,
        [
            "verify2",
            "file:secret.txt",
            "sig",
            "1400001052",
            "xiaojun",
            "--key",
            "other_secret.txt",
        ],
    );
    r.expect(2);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: KEY names an existing file; did you mean file:other_secret.txt?\n"
    );
    assert!(!dir.path("new").exists());
    // The same secret given literally, with no such file, works (warned about as in
    // sight).
    std::fs::remove_file(dir.path(SECRET)).unwrap();
    let r = run(&dir.0, ["verify2", SECRET, "sig", "1400001052", "xiaojun"]);
    r.expect(0);
    assert_eq!(r.stderr, LITERAL_SECRET_WARNING);
}

#[test]
fn a_secret_not_in_the_console_form_is_warned_about() {
    let dir = key_dir("warn");
    let short = "not-the-app-secret";
    dir.write("short.txt", format!("{short}\n").as_bytes());
    std::fs::set_permissions(
        dir.path("short.txt"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let file = "file:short.txt".to_string();
    let env = format!("env:{ENV}");
    let stdin = format!("{short}\n");
    for (key, origin) in [
        (short, "given on the command line"),
        (file.as_str(), "in 'short.txt'"),
        (env.as_str(), &format!("in environment variable {ENV}")),
        ("-", "from standard input"),
    ] {
        let _ = std::fs::remove_file(dir.path("new"));
        let gen_args = ["gen2", key, "new", "1400001052", "xiaojun"];
        let verify_args = ["verify2", key, "new", "1400001052", "xiaojun"];
        for (args, out) in [
            (gen_args, "generate sig ok\n"),
            (verify_args, "verify sig ok\n"),
        ] {
            let r = if key.starts_with("env:") {
                run_env(&dir.0, &args, short.as_bytes())
            } else {
                run_with_stdin(&dir.0, args, Some(stdin.as_bytes()))
            };
            // A literal is also warned about as in sight, first.
            let r = if key == short {
                r.without_literal_warning()
            } else {
                r
            };
            r.expect(0);
            assert_eq!(r.stderr, warning(origin), "{args:?}");
            assert!(r.stdout.contains(out), "{r:?}");
        }
    }
    // renew and the batch commands warn the same way about a secret file.
    let r = run_with_stdin(
        &dir.0,
        ["gen-batch", "short.txt", "1400001052"],
        Some(b"alice\n"),
    );
    r.expect(0);
    assert_eq!(r.stderr, warning("in 'short.txt'"));
    let r = run(
        &dir.0,
        [
            "renew",
            "short.txt",
            "renewed",
            "1400001052",
            "bob",
            "--within",
            "1d",
        ],
    );
    r.expect(0);
    assert_eq!(r.stderr, warning("in 'short.txt'"));

    // The console's form, from every source, raises no warning about its form (a
    // literal, only the one that it is in sight).
    let secret_line = format!("{SECRET}\n");
    for (key, said) in [
        (SECRET, LITERAL_SECRET_WARNING),
        ("file:secret.txt", ""),
        (env.as_str(), ""),
        ("-", ""),
    ] {
        let args = ["gen2", key, "good", "1400001052", "xiaojun"];
        let r = if key.starts_with("env:") {
            run_env(&dir.0, &args, SECRET.as_bytes())
        } else {
            run_with_stdin(&dir.0, args, Some(secret_line.as_bytes()))
        };
        r.expect(0);
        assert_eq!(r.stderr, said);
    }
    let r = run_with_stdin(
        &dir.0,
        ["gen-batch", "secret.txt", "1400001052"],
        Some(b"alice\n"),
    );
    r.expect(0);
    assert_eq!(r.stderr, "");
}
