//! The machine-readable outputs: the exact `--json` objects (field order included), the
//! batch results that say which line and which user, verify-batch's CSV, and `renew
//! --quiet`.

use crate::common;

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

/// The ticket of a vector in fixtures/vectors.json, and the time it is judged at.
fn vector(name: &str) -> (String, i64) {
    let text = std::fs::read_to_string(fixture("vectors.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let case = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap();
    (
        case["sig"].as_str().unwrap().to_owned(),
        case["verify_at"].as_i64().unwrap(),
    )
}

/// A v2 ticket for xiaojun (1400001052), issued 1795675257 for a day, judged an hour on.
const V2_FIELDS: &str = r#""version":"v2","identifier":"xiaojun","sdkappid":1400001052,"init_time":1795675257,"expire":86400,"expires_at":1795761657,"expires_at_rfc3339":"2026-11-27T06:40:57Z","remaining_seconds":82800"#;

const REASON_70013: &str = r#""the ticket was made for identifier \"xiaojun\", not \"lisi\" (server code 70013); check the identifier, or generate a ticket for \"lisi\"""#;

fn v2_dir(tag: &str) -> (Scratch, String, String) {
    let dir = Scratch::new(tag);
    let (sig, at) = vector("v2-python-expire-86400");
    dir.write("sig2", sig.as_bytes());
    (dir, sig, at.to_string())
}

/// verify --json: every field, in order, for a valid ticket and a 70013.
#[test]
fn verify_objects_exactly() {
    let (dir, _, at) = v2_dir("jverify");
    let r = run(
        &dir.0,
        [
            "verify2",
            "file:secret.txt",
            "sig2",
            "1400001052",
            "xiaojun",
            "--json",
            "--at",
            &at,
        ],
    );
    r.expect(0);
    assert_eq!(
        r.stdout,
        format!("{{\"ok\":true,\"valid\":true,\"code\":0,{V2_FIELDS}}}\n")
    );
    let r = run(
        &dir.0,
        [
            "verify2",
            "file:secret.txt",
            "sig2",
            "1400001052",
            "lisi",
            "--json",
            "--at",
            &at,
        ],
    );
    r.expect(1);
    assert_eq!(
        r.stdout,
        format!(
            "{{\"ok\":false,\"valid\":false,\"code\":70013,\"reason\":{REASON_70013},{V2_FIELDS}}}\n"
        )
    );
}

/// dump, keycheck and the error object: every field, in order.
#[test]
fn dump_keycheck_and_error_objects_exactly() {
    let (dir, sig, _) = v2_dir("jdump");
    let r = run(&dir.0, ["dump", "--json", &sig]);
    r.expect(0);
    assert_eq!(
        r.stdout,
        "{\"ok\":true,\"version\":\"v2\",\"json\":{\"TLS.ver\": \"2.0\", \"TLS.identifier\": \"xiaojun\", \"TLS.sdkappid\": 1400001052, \"TLS.expire\": 86400, \"TLS.time\": 1795675257, \"TLS.sig\": \"n+QHwBQwnbYqCYTBcmdGySQgdeiP1BtM8nmd0wYq8jY=\"}}\n"
    );
    let r = run(&dir.0, ["dump", "--json", "eAAAA"]);
    r.expect(1);
    assert!(
        r.stdout
            .starts_with("{\"ok\":false,\"code\":70003,\"reason\":\"the ticket cannot be read: "),
        "{r:?}"
    );
    let mine = "SHA256:42ef7e824a612c44edfc049af8bf7d37bb72383f8d464ceaf8e747eabce82d89";
    let r = run(&dir.0, ["keycheck", "ec_key.pem", "public.pem", "--json"]);
    r.expect(0);
    assert_eq!(
        r.stdout,
        format!(
            "{{\"ok\":true,\"private_key_fingerprint\":\"{mine}\",\"public_key_fingerprint\":\"{mine}\"}}\n"
        )
    );
    let r = run(
        &dir.0,
        ["keycheck", "ec_key.pem", "other_public.pem", "--json"],
    );
    r.expect(1);
    assert_eq!(
        r.stdout,
        format!(
            "{{\"ok\":false,\"private_key_fingerprint\":\"{mine}\",\"public_key_fingerprint\":\"SHA256:8287a3c60cd937eba0a0104b76fd42d417335ea6f0e2db4275f4ad723e685965\"}}\n"
        )
    );
    let r = run(
        &dir.0,
        [
            "verify2",
            "file:nope.txt",
            "sig2",
            "1400001052",
            "xiaojun",
            "--json",
        ],
    );
    r.expect(3);
    assert_eq!(
        r.stdout,
        "{\"ok\":false,\"error\":\"cannot read secret file 'nope.txt': no such file or directory\",\"exit_status\":3}\n"
    );
}

/// The value of a field of a one-line JSON object, as JSON text.
fn field(line: &str, name: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    v[name].to_string()
}

/// gen, renew (renewed and kept), keygen and inspect: the fields, in order. The values
/// that depend on the clock are taken from the object itself; everything else is fixed.
#[test]
fn gen_renew_keygen_and_inspect_objects_exactly() {
    let dir = Scratch::new("jgen");
    let ticket = |line: &str, remaining: &str| {
        format!(
            "\"version\":\"v2\",\"identifier\":\"xiaojun\",\"sdkappid\":1400001052,\"init_time\":{},\"expire\":86400,\"expires_at\":{},\"expires_at_rfc3339\":{},\"remaining_seconds\":{remaining}",
            field(line, "init_time"),
            field(line, "expires_at"),
            field(line, "expires_at_rfc3339"),
        )
    };
    let r = run(
        &dir.0,
        [
            "gen2",
            "file:secret.txt",
            "sig",
            "1400001052",
            "xiaojun",
            "--expire",
            "1d",
            "--json",
        ],
    );
    r.expect(0);
    let line = r.stdout.trim_end();
    assert_eq!(
        line,
        format!(
            "{{\"ok\":true,\"usersig\":{},{},\"sig_file\":\"sig\"}}",
            field(line, "usersig"),
            ticket(line, "86400")
        )
    );
    let renew = |within: &str| {
        run(
            &dir.0,
            [
                "renew",
                "file:secret.txt",
                "sig",
                "1400001052",
                "xiaojun",
                "--within",
                within,
                "--expire",
                "1d",
                "--json",
            ],
        )
    };
    let r = renew("1h");
    r.expect(0);
    let line = r.stdout.trim_end();
    let reason = field(line, "reason");
    assert!(
        reason.contains("left, not less than the 60 minutes window)"),
        "{reason}"
    );
    assert_eq!(
        line,
        format!(
            "{{\"ok\":true,\"action\":\"kept\",\"reason\":{reason},{},\"sig_file\":\"sig\"}}",
            ticket(line, &field(line, "remaining_seconds"))
        )
    );
    // A ticket with two hours left, renewed within three.
    run(
        &dir.0,
        [
            "gen2",
            "file:secret.txt",
            "sig",
            "1400001052",
            "xiaojun",
            "--expire",
            "2h",
        ],
    )
    .expect(0);
    let r = renew("3h");
    r.expect(0);
    let line = r.stdout.trim_end();
    assert_eq!(
        line,
        format!(
            "{{\"ok\":true,\"usersig\":{},{},\"sig_file\":\"sig\",\"action\":\"renewed\",\"reason\":{}}}",
            field(line, "usersig"),
            ticket(line, "86400"),
            field(line, "reason")
        )
    );

    let r = run(&dir.0, ["keygen", "k.pem", "p.pem", "--json"]);
    r.expect(0);
    let line = r.stdout.trim_end();
    let check = run(&dir.0, ["keycheck", "k.pem", "p.pem", "--json"]);
    check.expect(0);
    let fingerprint = field(&check.stdout, "public_key_fingerprint");
    assert_eq!(
        line,
        format!(
            "{{\"ok\":true,\"private_key\":\"k.pem\",\"public_key\":\"p.pem\",\"fingerprint\":{fingerprint}}}"
        )
    );

    // A PrivateMapKey in the userbuf: the nested object, every field in order.
    let (sig, _) = vector("v2-python-privatemapkey-room10000-priv255");
    dir.write("pmk", sig.as_bytes());
    let r = run(&dir.0, ["inspect", "pmk", "--json"]);
    r.expect(0);
    let line = r.stdout.trim_end();
    // As written (serde_json's Value would sort the members).
    let start = line.find("\"private_map_key\":").unwrap() + 18;
    let written = line[start..].strip_suffix(",\"verified\":false}").unwrap();
    assert_eq!(
        written,
        "{\"account\":\"xiaojun\",\"sdkappid\":1400001052,\"room_id\":10000,\"expires_at\":1795761657,\"expires_at_rfc3339\":\"2026-11-27T06:40:57Z\",\"privileges\":255,\"privilege_names\":[\"create room\",\"enter room\",\"send audio\",\"receive audio\",\"send video\",\"receive video\",\"send sub-stream video\",\"receive sub-stream video\"],\"account_type\":0}"
    );
    assert_eq!(
        line,
        format!(
            "{{\"ok\":true,\"version\":\"v2\",\"identifier\":\"xiaojun\",\"sdkappid\":1400001052,\"init_time\":1795675257,\"expire\":86400,\"expires_at\":1795761657,\"expires_at_rfc3339\":\"2026-11-27T06:40:57Z\",\"remaining_seconds\":{},\"userbuf_base64\":{},\"expired\":{},\"issued_at_rfc3339\":\"2026-11-26T06:40:57Z\",\"issued_at_local\":\"2026-11-26 06:40:57 +00:00\",\"expires_at_local\":\"2026-11-27 06:40:57 +00:00\",\"private_map_key\":{written},\"verified\":false}}",
            field(line, "remaining_seconds"),
            field(line, "userbuf_base64"),
            field(line, "expired"),
        )
    );
}

/// verify-batch input for the batch tests: a good line, a 70013, a JSON line without a
/// ticket, a line that is neither JSON nor CSV, an unreadable ticket, and a blank line
/// (skipped, but counted in the line numbers).
fn batch_input(sig: &str) -> String {
    format!(
        "xiaojun,{sig}\n{{\"identifier\":\"lisi\",\"usersig\":\"{sig}\"}}\n{{\"identifier\":\"b,ob\"}}\n\ngarbage\n\"car\"\"ol\",eAAAA\n"
    )
}

/// Every verify-batch result says which line it is for and which user was asked for, an
/// unreadable line and an unreadable ticket included; on a 70013 the ticket's own
/// identifier is `ticket_identifier`.
#[test]
fn verify_batch_results_say_which_line_and_user() {
    let (dir, sig, at) = v2_dir("jvbatch");
    let r = run_with_stdin(
        &dir.0,
        ["verify-batch", "file:secret.txt", "1400001052", "--at", &at],
        Some(batch_input(&sig).as_bytes()),
    );
    r.expect(1);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: verify-batch: 4 of 5 lines failed; 1 blank line skipped\n"
    );
    let fields_70013 = V2_FIELDS.replace("\"identifier\"", "\"ticket_identifier\"");
    let fields_ok = V2_FIELDS.replace("\"identifier\":\"xiaojun\",", "");
    let lines: Vec<&str> = r.stdout.lines().collect();
    let want = [
        format!("{{\"ok\":true,\"line\":1,\"identifier\":\"xiaojun\",\"valid\":true,\"code\":0,{fields_ok}}}"),
        format!("{{\"ok\":false,\"line\":2,\"identifier\":\"lisi\",\"valid\":false,\"code\":70013,\"reason\":{REASON_70013},{fields_70013}}}"),
        r#"{"ok":false,"line":3,"identifier":"b,ob","error":"line 3: the JSON has no string \"usersig\"","exit_status":1}"#.to_owned(),
        r#"{"ok":false,"line":5,"error":"line 5: neither JSON nor CSV identifier,usersig","exit_status":1}"#.to_owned(),
    ];
    assert_eq!(lines.len(), 5, "{}", r.stdout);
    assert_eq!(lines[..4], want);
    assert!(
        lines[4].starts_with(
            "{\"ok\":false,\"line\":6,\"identifier\":\"car\\\"ol\",\"valid\":false,\"code\":70003,\"reason\":\"the ticket cannot be read: "
        ),
        "{}",
        lines[4]
    );
    // `grep -v '"ok":true'` keeps who failed: every failed result names its line.
    for line in r.stdout.lines().filter(|l| !l.contains("\"ok\":true")) {
        assert!(line.starts_with("{\"ok\":false,\"line\":"), "{line}");
    }
}

/// verify-batch --format csv: a header, then `line,identifier,ok,code,expires_at,reason`
/// per line, quoted as gen-batch quotes, unknown fields empty.
#[test]
fn verify_batch_csv() {
    let (dir, sig, at) = v2_dir("jvcsv");
    let r = run_with_stdin(
        &dir.0,
        [
            "verify-batch",
            "file:secret.txt",
            "1400001052",
            "--at",
            &at,
            "--format",
            "csv",
        ],
        Some(batch_input(&sig).as_bytes()),
    );
    r.expect(1);
    let rows: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(rows.len(), 6, "{}", r.stdout);
    assert_eq!(
        rows[..5],
        [
            "line,identifier,ok,code,expires_at,reason",
            "1,xiaojun,true,0,1795761657,",
            "2,lisi,false,70013,1795761657,\"the ticket was made for identifier \"\"xiaojun\"\", not \"\"lisi\"\" (server code 70013); check the identifier, or generate a ticket for \"\"lisi\"\"\"",
            "3,\"b,ob\",false,,,\"the JSON has no string \"\"usersig\"\"\"",
            "5,,false,,,\"neither JSON nor CSV identifier,usersig\"",
        ]
    );
    assert!(
        rows[5].starts_with("6,\"car\"\"ol\",false,70003,,the ticket cannot be read: "),
        "{}",
        rows[5]
    );
    // Valid but too close to expiry: not ok, code 0, the reason says why; exit 4.
    let r = run_with_stdin(
        &dir.0,
        [
            "verify-batch",
            "file:secret.txt",
            "1400001052",
            "--at",
            &at,
            "--format",
            "csv",
            "--min-remaining",
            "2d",
        ],
        Some(format!("xiaojun,{sig}\n").as_bytes()),
    );
    r.expect(4);
    assert_eq!(
        r.stdout,
        "line,identifier,ok,code,expires_at,reason\n1,xiaojun,false,0,1795761657,\"the ticket is valid but expires at 2026-11-27T06:40:57Z (23 hours from now), sooner than the 2 days required by --min-remaining\"\n"
    );
    // An identifier with a control character is shown escaped, never raw.
    let r = run_with_stdin(
        &dir.0,
        [
            "verify-batch",
            "file:secret.txt",
            "1400001052",
            "--format",
            "csv",
        ],
        Some(format!("\"e\x1b[2J\",{sig}\n").as_bytes()),
    );
    r.expect(1);
    assert!(!r.stdout.contains('\x1b'), "{r:?}");
    assert!(r.stdout.contains("\n1,e\\u{1b}[2J,false,70013,"), "{r:?}");
}

/// gen-batch's error lines carry the line number too: `{"line","identifier","error"}`.
#[test]
fn gen_batch_errors_say_which_line() {
    let dir = Scratch::new("jgbatch");
    let r = run_with_stdin(
        &dir.0,
        ["gen-batch", "file:secret.txt", "1400001052"],
        Some(b"alice\n\nbo\tb\n"),
    );
    r.expect(1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert!(
        lines[0].starts_with("{\"identifier\":\"alice\",\"usersig\":\"eA"),
        "{}",
        lines[0]
    );
    // (The wording after the character is the hints' business.)
    assert!(
        lines[1].starts_with(
            r#"{"line":3,"identifier":"bo\tb","error":"line 3: the identifier holds a control character (U+0009 at offset 2)"#
        ) && lines[1].ends_with("\"}"),
        "{}",
        lines[1]
    );
}
