//! Every case of Tencent's vectors through the binary, judged at its `verify_at`: exit
//! status, the original's success lines byte for byte, or one stderr line with the code.

use crate::common;

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::*;
use serde_json::Value;

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(fixture("vectors.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cases"].as_array().unwrap().clone()
}

/// What a successful verify prints, per the original: two lines, and the userbuf.
fn expected_stdout(case: &Value, init_time: i64, userbuf_on_expire_line: bool) -> String {
    let expire = case["expect"]["expire"].as_i64().unwrap();
    let mut s = format!("verify sig ok\nexpire {expire} init time {init_time}");
    let userbuf = case
        .get("userbuf_base64")
        .and_then(Value::as_str)
        .map(|b| STANDARD.decode(b).unwrap());
    match userbuf {
        Some(ub) => {
            let shown = match std::str::from_utf8(&ub) {
                Ok(t) if !t.chars().any(char::is_control) => (t.to_string(), false),
                _ => (STANDARD.encode(&ub), true),
            };
            if userbuf_on_expire_line {
                let label = if shown.1 { "userbuf_base64" } else { "userbuf" };
                s.push_str(&format!(" {label} {}\n", shown.0));
            } else {
                let label = if shown.1 {
                    "userbuf_base64:"
                } else {
                    "userbuf:"
                };
                s.push_str(&format!("\n{label}{}\n", shown.0));
            }
        }
        None => s.push('\n'),
    }
    s
}

/// The forms a case is verified with: every v1 verify form for a public-key case, every
/// v2 key form (file:, env:, stdin, literal) for a secret case.
fn invocations(case: &Value, dir: &Scratch) -> Vec<(Vec<OsString>, Option<Vec<u8>>)> {
    let key = case["key"].as_str().unwrap();
    let tail = |cmd: &str, key_arg: &str| -> Vec<OsString> {
        vec![
            cmd.into(),
            key_arg.into(),
            "sig".into(),
            case["sdkappid"].to_string().into(),
            case["identifier"].as_str().unwrap().into(),
            "--at".into(),
            case["verify_at"].to_string().into(),
        ]
    };
    if key.ends_with(".pem") {
        return vec![
            (tail("verify", key), None),
            (tail("verifyuser", key), None),
            (tail("verify", &format!("file:{key}")), None),
        ];
    }
    let secret = String::from_utf8(dir.read(key)).unwrap();
    vec![
        (tail("verify2", &format!("file:{key}")), None),
        (tail("verify2", &secret), None),
        (tail("verify2", "-"), Some(secret.clone().into_bytes())),
    ]
}

#[test]
fn every_vector_through_every_verify_form() {
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let dir = Scratch::new("vec");
        dir.write("sig", case["sig"].as_str().unwrap().as_bytes());
        let ok = case["expect"]["ok"].as_bool().unwrap();
        for (args, stdin) in invocations(&case, &dir) {
            let r = run_with_stdin(&dir.0, &args, stdin.as_deref());
            // The secret itself as KEY: warned about, once, before the rest.
            let literal = args[0] == "verify2"
                && args[1]
                    .to_str()
                    .is_some_and(|k| k != "-" && !k.starts_with("file:"));
            let r = if literal {
                r.without_literal_warning()
            } else {
                r
            };
            if ok {
                r.expect(0);
                assert_eq!(r.stderr, "", "{name} {args:?}");
                match case["expect"]["init_time"].as_i64() {
                    Some(t) => assert_eq!(
                        r.stdout,
                        expected_stdout(&case, t, false),
                        "{name} {args:?}"
                    ),
                    None => {
                        // Plain JSON: the time is wall-clock text read in the host's zone
                        // (TZ=UTC here): 2026-11-26T06:40:57 is 1795675257.
                        assert_eq!(
                            r.stdout,
                            expected_stdout(&case, 1_795_675_257, false),
                            "{name}"
                        );
                    }
                }
            } else {
                r.expect(1);
                let code = case["expect"]["code"].as_u64().unwrap();
                assert!(
                    r.stderr.contains(&format!("(server code {code})")),
                    "{name} {args:?}: {}",
                    r.stderr
                );
                assert!(r.stderr.starts_with("tls_licence_tools: verify failed: "));
                assert_eq!(r.stdout, "", "{name}");
            }
        }
    }
}

/// verify2user checks the userbuf it is given, and prints it at the end of the expire
/// line as the original does.
#[test]
fn verify2user_checks_the_userbuf() {
    for case in cases() {
        let (Some(b64), true) = (
            case.get("userbuf_base64").and_then(Value::as_str),
            case["key"] == "secret.txt",
        ) else {
            continue;
        };
        let name = case["name"].as_str().unwrap();
        let userbuf = STANDARD.decode(b64).unwrap();
        if userbuf.contains(&0) {
            continue; // a NUL byte cannot be passed in argv
        }
        let dir = Scratch::new("v2u");
        dir.write("sig", case["sig"].as_str().unwrap().as_bytes());
        let at = case["verify_at"].to_string();
        let args = |ub: Vec<u8>| -> Vec<OsString> {
            vec![
                "verify2user".into(),
                "file:secret.txt".into(),
                "sig".into(),
                "1400001052".into(),
                "xiaojun".into(),
                OsString::from_vec(ub),
                "--at".into(),
                at.clone().into(),
            ]
        };
        let r = run(&dir.0, args(userbuf.clone()));
        r.expect(0);
        let init_time = case["expect"]["init_time"].as_i64().unwrap();
        assert_eq!(r.stdout, expected_stdout(&case, init_time, true), "{name}");

        let mut other = userbuf.clone();
        other.push(b'x');
        let r = run(&dir.0, args(other));
        r.expect(1);
        assert!(
            r.stderr.contains("userbuf is not the one given"),
            "{}",
            r.stderr
        );
    }
}

/// A userbuf ticket checked by verify2user without a userbuf, or a plain ticket checked
/// with one, fails; verify2 shows any ticket's userbuf.
#[test]
fn verify2user_on_a_ticket_without_userbuf_fails() {
    let case = cases()
        .into_iter()
        .find(|c| c["name"] == "v2-cpp-gen2")
        .unwrap();
    let dir = Scratch::new("v2u-none");
    dir.write("sig", case["sig"].as_str().unwrap().as_bytes());
    let r = run(
        &dir.0,
        [
            "verify2user",
            "file:secret.txt",
            "sig",
            "1400001052",
            "xiaojun",
            "abc",
            "--at",
            "1795678857",
        ],
    );
    r.expect(1);
    assert!(r.stderr.contains("carries no userbuf"), "{}", r.stderr);
}

/// `dump` prints each enveloped vector's JSON exactly as it was compressed.
#[test]
fn dump_prints_the_decoded_json() {
    for case in cases() {
        let sig = case["sig"].as_str().unwrap();
        let dir = Scratch::new("dump");
        let r = run(&dir.0, ["dump", sig]);
        if case["kind"] == "garbage" || case["name"] == "fail-truncated" {
            r.expect(1);
            assert!(r.stderr.contains("(server code 70003)"), "{}", r.stderr);
            assert!(r.stderr.starts_with("tls_licence_tools: not a ticket: "));
            continue;
        }
        r.expect(0);
        let want = if sig.starts_with('{') {
            sig.to_string()
        } else {
            decode_independently(sig)
        };
        assert_eq!(r.stdout, format!("{want}\n"));
        // Also from stdin.
        let r = run_with_stdin(&dir.0, ["dump", "-"], Some(sig.as_bytes()));
        r.expect(0);
        assert_eq!(r.stdout, format!("{want}\n"));
    }
}
