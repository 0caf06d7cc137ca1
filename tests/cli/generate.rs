//! Every gen form through the binary: the original's output lines byte for byte, the sig
//! file holding the ticket and nothing else, the JSON's fields, order and types as the
//! C++ original writes them, and the signature or MAC checked by openssl over the exact
//! signed content.

use crate::common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::precondition::{PYTHON3, require};
use common::*;
use serde_json::Value;

/// The ticket in the sig file, decoded without the library, with its time and signature.
struct Made {
    json: String,
    time: String,
    sig: String,
}

fn made(dir: &Scratch, file: &str, before: i64, after: i64) -> Made {
    let text = String::from_utf8(dir.read(file)).unwrap();
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"*-_".contains(&b)),
        "the sig file holds the ticket and nothing else: {text:?}"
    );
    let json = decode_independently(&text);
    let v: Value = serde_json::from_str(&json).unwrap();
    let time = match &v["TLS.time"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("TLS.time is {other:?}"),
    };
    let t: i64 = time.parse().unwrap();
    assert!(
        (before..=after).contains(&t),
        "{t} not in {before}..={after}"
    );
    Made {
        json,
        time,
        sig: v["TLS.sig"].as_str().unwrap().to_string(),
    }
}

fn v1_content(time: &str, expire: &str, userbuf: Option<&str>) -> Vec<u8> {
    let mut c = format!(
        "TLS.appid_at_3rd:0\nTLS.account_type:0\nTLS.identifier:xiaojun\nTLS.sdk_appid:1400001052\nTLS.time:{time}\nTLS.expire_after:{expire}\n"
    );
    if let Some(ub) = userbuf {
        c.push_str(&format!("TLS.userbuf:{ub}\n"));
    }
    c.into_bytes()
}

#[test]
fn gen_and_gen_without_expire_write_the_cpp_fields_in_order() {
    for (command, key) in [
        ("gen", "ec_key.pem"),
        ("gen_without_expire", "ec_key.pem"),
        ("gen", "private_pkcs8.pem"),
        ("gen", "file:ec_key.pem"),
    ] {
        let dir = Scratch::new("gen");
        let before = now();
        let r = run(&dir.0, [command, key, "sig", "1400001052", "xiaojun"]);
        let after = now();
        r.expect(0);
        assert_eq!(r.stdout, "generate sig ok\n");
        assert_eq!(r.stderr, "");
        let m = made(&dir, "sig", before, after);
        assert_eq!(
            m.json,
            format!(
                r#"{{"TLS.account_type":"0","TLS.identifier":"xiaojun","TLS.appid_at_3rd":"0","TLS.sdk_appid":"1400001052","TLS.expire_after":"15552000","TLS.version":"201803230000","TLS.time":"{}","TLS.sig":"{}"}}"#,
                m.time, m.sig
            )
        );
        let der = STANDARD.decode(&m.sig).unwrap();
        assert!(openssl_ecdsa_verifies(
            &dir.path("public.pem"),
            &v1_content(&m.time, "15552000", None),
            &der
        ));
        // And our own verify agrees.
        run(
            &dir.0,
            ["verify", "public.pem", "sig", "1400001052", "xiaojun"],
        )
        .expect(0);
    }
}

#[test]
fn genexpire_sets_the_validity() {
    let dir = Scratch::new("genexpire");
    let before = now();
    let r = run(
        &dir.0,
        [
            "genexpire",
            "ec_key.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "1576800000",
        ],
    );
    let after = now();
    r.expect(0);
    assert_eq!(r.stdout, "generate sig ok\n");
    let m = made(&dir, "sig", before, after);
    assert!(m.json.contains(r#""TLS.expire_after":"1576800000","#));
    let der = STANDARD.decode(&m.sig).unwrap();
    assert!(openssl_ecdsa_verifies(
        &dir.path("public.pem"),
        &v1_content(&m.time, "1576800000", None),
        &der
    ));
    let r = run(
        &dir.0,
        ["verify", "public.pem", "sig", "1400001052", "xiaojun"],
    );
    r.expect(0);
    assert_eq!(
        r.stdout,
        format!("verify sig ok\nexpire 1576800000 init time {}\n", m.time)
    );
}

#[test]
fn genuser_writes_the_cpp_genuser_layout() {
    let dir = Scratch::new("genuser");
    let before = now();
    let r = run(
        &dir.0,
        [
            "genuser",
            "ec_key.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "86400",
            "abc",
        ],
    );
    let after = now();
    r.expect(0);
    assert_eq!(r.stdout, "generate sig ok\n");
    let m = made(&dir, "sig", before, after);
    // The C++ genuser writes this order, and no TLS.version (vector v1-cpp-genuser).
    assert_eq!(
        m.json,
        format!(
            r#"{{"TLS.sdk_appid":"1400001052","TLS.identifier":"xiaojun","TLS.time":"{}","TLS.expire_after":"86400","TLS.account_type":"0","TLS.appid_at_3rd":"0","TLS.userbuf":"YWJj","TLS.sig":"{}"}}"#,
            m.time, m.sig
        )
    );
    let der = STANDARD.decode(&m.sig).unwrap();
    assert!(openssl_ecdsa_verifies(
        &dir.path("public.pem"),
        &v1_content(&m.time, "86400", Some("YWJj")),
        &der
    ));
    for cmd in ["verifyuser", "verify"] {
        let r = run(&dir.0, [cmd, "public.pem", "sig", "1400001052", "xiaojun"]);
        r.expect(0);
        assert_eq!(
            r.stdout,
            format!(
                "verify sig ok\nexpire 86400 init time {}\nuserbuf:abc\n",
                m.time
            )
        );
    }
}

fn v2_content(time: &str, expire: &str, userbuf: Option<&str>) -> Vec<u8> {
    let mut c = format!(
        "TLS.identifier:xiaojun\nTLS.sdkappid:1400001052\nTLS.time:{time}\nTLS.expire:{expire}\n"
    );
    if let Some(ub) = userbuf {
        c.push_str(&format!("TLS.userbuf:{ub}\n"));
    }
    c.into_bytes()
}

#[test]
fn gen2_prints_the_ticket_then_ok_and_writes_the_cpp_fields() {
    for key in [
        SECRET.to_string(),
        "file:secret.txt".into(),
        "env:TLT_TEST_SECRET".into(),
    ] {
        let dir = Scratch::new("gen2");
        let before = now();
        let out = std::process::Command::new(BIN)
            .args(["gen2", &key, "sig", "1400001052", "xiaojun"])
            .current_dir(&dir.0)
            .env("TLT_TEST_SECRET", format!("{SECRET}\n"))
            .output()
            .unwrap();
        let after = now();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let ticket = String::from_utf8(dir.read("sig")).unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!("{ticket}\ngenerate sig ok\n")
        );
        assert!(!String::from_utf8_lossy(&out.stderr).contains(SECRET));
        let m = made(&dir, "sig", before, after);
        assert_eq!(
            m.json,
            format!(
                r#"{{"TLS.ver":"2.0","TLS.sdkappid":1400001052,"TLS.identifier":"xiaojun","TLS.time":{},"TLS.expire":15552000,"TLS.sig":"{}"}}"#,
                m.time, m.sig
            )
        );
        assert_eq!(
            m.sig,
            openssl_hmac_base64(SECRET, &v2_content(&m.time, "15552000", None)),
            "key form {}",
            if key == SECRET { "literal" } else { &key }
        );
    }
}

#[test]
fn gen2user_carries_the_userbuf() {
    let dir = Scratch::new("gen2user");
    let before = now();
    let r = run(
        &dir.0,
        [
            "gen2user",
            "file:secret.txt",
            "sig",
            "1400001052",
            "xiaojun",
            "abc",
        ],
    );
    let after = now();
    r.expect(0);
    let ticket = String::from_utf8(dir.read("sig")).unwrap();
    assert_eq!(r.stdout, format!("{ticket}\ngenerate sig ok\n"));
    let m = made(&dir, "sig", before, after);
    assert_eq!(
        m.json,
        format!(
            r#"{{"TLS.ver":"2.0","TLS.sdkappid":1400001052,"TLS.identifier":"xiaojun","TLS.time":{},"TLS.expire":15552000,"TLS.userbuf":"YWJj","TLS.sig":"{}"}}"#,
            m.time, m.sig
        )
    );
    assert_eq!(
        m.sig,
        openssl_hmac_base64(SECRET, &v2_content(&m.time, "15552000", Some("YWJj")))
    );
    let r = run(
        &dir.0,
        [
            "verify2user",
            "file:secret.txt",
            "sig",
            "1400001052",
            "xiaojun",
            "abc",
        ],
    );
    r.expect(0);
    assert_eq!(
        r.stdout,
        format!(
            "verify sig ok\nexpire 15552000 init time {} userbuf abc\n",
            m.time
        )
    );
}

/// `-` as the sig file: the ticket alone on stdout, the status line on stderr.
#[test]
fn dash_writes_the_ticket_to_stdout() {
    let dir = Scratch::new("dash");
    let r = run(&dir.0, ["gen", "ec_key.pem", "-", "1400001052", "xiaojun"]);
    r.expect(0);
    assert_eq!(r.stderr, "generate sig ok\n");
    let ticket = r.stdout.strip_suffix('\n').unwrap();
    assert!(!ticket.contains('\n'));
    let r = run_with_stdin(
        &dir.0,
        ["verify", "public.pem", "-", "1400001052", "xiaojun"],
        Some(ticket.as_bytes()),
    );
    r.expect(0);
    assert!(
        r.stdout
            .starts_with("verify sig ok\nexpire 15552000 init time ")
    );

    let r = run(
        &dir.0,
        ["gen2", "file:secret.txt", "-", "1400001052", "xiaojun"],
    );
    r.expect(0);
    assert_eq!(r.stderr, "generate sig ok\n");
    assert_eq!(r.stdout.lines().count(), 1, "the ticket once: {r:?}");
    assert_eq!(
        dir.listing().len(),
        6,
        "no file named '-': {:?}",
        dir.listing()
    );
}

/// A sig file that is standard output (here /dev/stdout, a pipe) is treated like `-`:
/// the ticket and a newline on stdout, the status line on stderr.
#[test]
fn dev_stdout_is_like_dash() {
    let dir = Scratch::new("devstdout");
    let r = run(
        &dir.0,
        ["gen", "ec_key.pem", "/dev/stdout", "1400001052", "xiaojun"],
    );
    r.expect(0);
    assert_eq!(r.stderr, "generate sig ok\n");
    let ticket = r.stdout.strip_suffix('\n').unwrap();
    assert!(
        ticket.starts_with("eA") && !ticket.contains('\n'),
        "{ticket:?}"
    );
    decode_independently(ticket);
}

/// Identifiers with `"` and `\` are escaped in the JSON, and verify.
#[test]
fn quotes_and_backslashes_in_identifiers_are_escaped() {
    let dir = Scratch::new("escape");
    let id = r#"a"b\c"#;
    run(&dir.0, ["gen", "ec_key.pem", "sig", "1400001052", id]).expect(0);
    let json = decode_independently(&String::from_utf8(dir.read("sig")).unwrap());
    assert!(json.contains(r#""TLS.identifier":"a\"b\\c""#), "{json}");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["TLS.identifier"], id);
    run(&dir.0, ["verify", "public.pem", "sig", "1400001052", id]).expect(0);
    run(
        &dir.0,
        ["gen2", "file:secret.txt", "sig2", "1400001052", id],
    )
    .expect(0);
    run(
        &dir.0,
        ["verify2", "file:secret.txt", "sig2", "1400001052", id],
    )
    .expect(0);
}

/// --allow-any-identifier makes tickets for identifiers outside Tencent's rule.
#[test]
fn any_identifier_override() {
    let dir = Scratch::new("anyid");
    let long = "x".repeat(40);
    for id in ["小军", long.as_str()] {
        let r = run(&dir.0, ["gen", "ec_key.pem", "sig", "1400001052", id]);
        r.expect(2);
        assert!(r.stderr.contains("--allow-any-identifier"), "{}", r.stderr);
        run(
            &dir.0,
            [
                "gen",
                "ec_key.pem",
                "sig",
                "1400001052",
                id,
                "--allow-any-identifier",
            ],
        )
        .expect(0);
        run(&dir.0, ["verify", "public.pem", "sig", "1400001052", id]).expect(0);
    }
}

/// The verify forms judge at --at (Unix seconds or RFC 3339).
#[test]
fn at_judges_as_of_another_time() {
    let dir = Scratch::new("at");
    run(
        &dir.0,
        [
            "genexpire",
            "ec_key.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "60",
        ],
    )
    .expect(0);
    let later = (now() + 3600).to_string();
    let r = run(
        &dir.0,
        [
            "verify",
            "public.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "--at",
            &later,
        ],
    );
    r.expect(1);
    assert!(r.stderr.contains("(server code 70001)"), "{}", r.stderr);
    assert!(r.stderr.contains("expired at "), "{}", r.stderr);
    let r = run(
        &dir.0,
        [
            "verify",
            "public.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "--at",
            "2000-01-01T00:00:00+08:00",
        ],
    );
    r.expect(0);
    let r = run(
        &dir.0,
        [
            "verify",
            "public.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "--at",
            "next week",
        ],
    );
    r.expect(2);
    assert!(r.stderr.contains("RFC 3339"), "{}", r.stderr);
}

/// Our tickets' zlib streams are read by real zlib (CPython's), the decoder Tencent's
/// implementations use, for every gen form and identifiers of every length.
#[test]
fn real_zlib_reads_our_tickets() {
    require(&[PYTHON3]);
    let dir = Scratch::new("pyzlib");
    let mut tickets = Vec::new();
    for id in [
        "x",
        "xiaojun",
        "a-much-longer-identifier_012345",
        r#"q"u\o"#,
    ] {
        for args in [
            vec!["gen", "ec_key.pem", "-", "1400001052", id],
            vec![
                "genuser",
                "ec_key.pem",
                "-",
                "1400001052",
                id,
                "1d",
                "some user bytes",
            ],
            vec!["gen2", "file:secret.txt", "-", "1400001052", id],
            vec!["gen2user", "file:secret.txt", "-", "1400001052", id, "abc"],
        ] {
            let r = run(&dir.0, &args);
            r.expect(0);
            tickets.push(r.stdout.trim_end().to_string());
        }
    }
    let script = "import sys, base64, zlib\n\
        for line in sys.stdin:\n\
        \x20   t = line.strip().replace('*', '+').replace('-', '/').replace('_', '=')\n\
        \x20   print(zlib.decompress(base64.b64decode(t, validate=True)).decode())\n";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(tickets.join("\n").as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let decoded: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(decoded.len(), tickets.len());
    for (ticket, json) in tickets.iter().zip(&decoded) {
        assert_eq!(&decode_independently(ticket), json);
        assert!(json.starts_with("{\"TLS."), "{json}");
    }
}
