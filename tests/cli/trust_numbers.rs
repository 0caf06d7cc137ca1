//! The numbers of a v2 ticket as Tencent reads them: `TLS.expire` is an unsigned 32-bit
//! number (2^32 or more cannot be read: 70003), and `TLS.time` any number to i64::MAX
//! (past 2038 and 2106). Tickets built for real, signed with the demo secret, checked
//! through the library and every command that reads a ticket.

use crate::common;

use common::*;
use serde_json::{Value, json};
use usersig::clock::FixedClock;
use usersig::ticket::Malformed;
use usersig::verify::{self, Expect, Failure, VerifyKey};
use usersig::{Secret, envelope, v2};

const APP: u32 = 1400001052;

/// A genuine v2 ticket for xiaojun with these numbers, as the C++ original lays it out.
fn v2_ticket(time: i64, expire: u64) -> String {
    let secret = Secret::new(SECRET.as_bytes()).unwrap();
    // The signed content writes the numbers as they stand; expire is at most 2^63 - 1 here.
    let content = v2::signed_content("xiaojun", APP, time, expire as i64, None);
    let json = json!({
        "TLS.ver": "2.0",
        "TLS.sdkappid": APP,
        "TLS.identifier": "xiaojun",
        "TLS.time": time,
        "TLS.expire": expire,
        "TLS.sig": v2::sign(&secret, &content),
    });
    envelope::encode(json.to_string().as_bytes())
}

/// Why such a ticket is refused, as every command words it (after its own prefix).
const CAUSE: &str = "the ticket cannot be read: the ticket's TLS.expire is larger than 4294967295, the most Tencent's servers read (a 32-bit number of seconds)";
const FIX: &str =
    "issue a new ticket, valid for at most 50 years: Tencent's servers refuse this one";

fn expect_xiaojun() -> Expect<'static> {
    Expect {
        sdkappid: APP,
        identifier: "xiaojun",
        userbuf: None,
    }
}

/// The library refuses an expire of 2^32 or more as malformed (70003), and takes
/// 2^32 - 1; the signature is genuine either way.
#[test]
fn an_expire_past_32_bits_is_malformed_to_the_library() {
    let secret = Secret::new(SECRET.as_bytes()).unwrap();
    let key = VerifyKey::Secret(secret.clone());
    let clock = FixedClock::at(now());
    for expire in [1u64 << 32, (1 << 32) + 86400, i64::MAX as u64] {
        let ticket = v2_ticket(now(), expire);
        let failure = verify::verify(&ticket, &key, &expect_xiaojun(), &clock).unwrap_err();
        assert!(matches!(
            failure,
            Failure::Malformed(Malformed::BadValue {
                field: "TLS.expire",
                ..
            })
        ));
        assert_eq!(failure.code(), Some(70003));
        let one_call = usersig::verify_usersig(&secret, APP, "xiaojun", &ticket);
        assert_eq!(one_call.unwrap_err(), failure);
    }
    let ticket = v2_ticket(now(), u64::from(u32::MAX));
    let info = verify::verify(&ticket, &key, &expect_xiaojun(), &clock).unwrap();
    assert_eq!(info.expire, i64::from(u32::MAX));
}

/// verify2, verify (with a public key), inspect and verify-batch refuse it with the
/// 70003 line, exit 1.
#[test]
fn an_expire_past_32_bits_is_malformed_to_every_command() {
    let dir = Scratch::new("expire32");
    let ticket = v2_ticket(now(), 1 << 32);
    dir.write("sig", ticket.as_bytes());
    let line = format!("{CAUSE} (server code 70003); {FIX}");
    for (args, prefix) in [
        (
            &["verify2", "file:secret.txt", "sig", "1400001052", "xiaojun"][..],
            "verify failed",
        ),
        (
            &["verify", "public.pem", "sig", "1400001052", "xiaojun"][..],
            "verify failed",
        ),
        (&["inspect", "sig"][..], "not a ticket"),
    ] {
        let r = run(&dir.0, args);
        r.expect(1);
        assert_eq!(
            r.stderr,
            format!("tls_licence_tools: {prefix}: {line}\n"),
            "{args:?}"
        );
        assert_eq!(r.stdout, "", "{args:?}");
    }
    let r = run(&dir.0, ["inspect", "sig", "--json"]);
    r.expect(1);
    let out: Value = serde_json::from_str(r.stdout.trim_end()).unwrap();
    assert_eq!(out["ok"], false, "{}", r.stdout);
    assert_eq!(out["code"], 70003, "{}", r.stdout);

    let input = json!({"identifier": "xiaojun", "usersig": ticket}).to_string() + "\n";
    let r = run_with_stdin(
        &dir.0,
        ["verify-batch", "file:secret.txt", "1400001052"],
        Some(input.as_bytes()),
    );
    r.expect(1);
    let out: Value = serde_json::from_str(r.stdout.trim_end()).unwrap();
    assert_eq!(out["code"], 70003, "{}", r.stdout);
    assert_eq!(out["reason"], line);
}

/// renew reads such a ticket as not valid and replaces it, though its time and
/// expire, read as 64-bit numbers, say it has 136 years left.
#[test]
fn renew_replaces_a_ticket_whose_expire_is_past_32_bits() {
    let dir = Scratch::new("renew32");
    let old = v2_ticket(now(), 1 << 32);
    dir.write("sig", old.as_bytes());
    let args = [
        "renew",
        "file:secret.txt",
        "sig",
        "1400001052",
        "xiaojun",
        "--within",
        "1d",
    ];
    let r = run(&dir.0, args);
    r.expect(0);
    let want = format!(
        "renewed 'sig': the old ticket was not valid: {CAUSE}; the new v2 ticket is valid until "
    );
    assert!(r.stdout.starts_with(&want), "{}", r.stdout);
    let new = String::from_utf8(dir.read("sig")).unwrap();
    assert_ne!(new, old);
    let secret = Secret::new(SECRET.as_bytes()).unwrap();
    let info = usersig::verify_usersig(&secret, APP, "xiaojun", &new).unwrap();
    assert_eq!(info.expire, 15_552_000);
    // The new ticket stays.
    let r = run(&dir.0, args);
    r.expect(0);
    assert!(r.stdout.starts_with("kept 'sig': "), "{}", r.stdout);
}

/// A time past 2^31 (2038) and 2^32 (2106) is read as it stands: the ticket verifies
/// as of then, and reports that time.
#[test]
fn a_time_past_32_bits_is_read_as_it_stands() {
    let dir = Scratch::new("time64");
    for time in [1i64 << 31, (1 << 32) - 1, 1 << 32, (1 << 32) + 1, 1 << 40] {
        dir.write("sig", v2_ticket(time, 86400).as_bytes());
        let at = (time + 86400).to_string();
        let args = [
            "verify2",
            "file:secret.txt",
            "sig",
            "1400001052",
            "xiaojun",
            "--at",
        ];
        let r = run(&dir.0, args.iter().copied().chain([at.as_str()]));
        r.expect(0);
        assert_eq!(
            r.stdout,
            format!("verify sig ok\nexpire 86400 init time {time}\n"),
            "{time}"
        );
        let after = (time + 86401).to_string();
        let r = run(&dir.0, args.iter().copied().chain([after.as_str()]));
        r.expect(1);
        assert!(
            r.stderr.contains("(server code 70001)"),
            "{time}: {}",
            r.stderr
        );
    }
}
