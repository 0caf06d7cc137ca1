//! TRTC PrivateMapKey on the command line: gen2privmap and genprivmap, the verify forms'
//! --room-id/--room-str/--privilege-map check, and Tencent's Node tickets
//! (fixtures/privmap_vectors.json) read by the binary.

use crate::common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::*;
use serde_json::Value;
use usersig::Secret;
use usersig::clock::FixedClock;
use usersig::issue::TicketRequest;
use usersig::userbuf::{PrivateMapKey, Room};

const APP: &str = "1400001052";
const FAIL_FIX: &str =
    "(no server code); issue a new PrivateMapKey for this user, room and privileges";

fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(fixture("privmap_vectors.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cases"].as_array().unwrap().clone()
}

fn room_args(case: &Value) -> Vec<String> {
    match case.get("room_str") {
        Some(s) => vec!["--room-str".into(), s.as_str().unwrap().into()],
        None => vec!["--room-id".into(), case["room_id"].to_string()],
    }
}

fn room_line(case: &Value) -> String {
    match case.get("room_str") {
        Some(s) => format!("room str {}", s.as_str().unwrap()),
        None => format!("room id {}", case["room_id"]),
    }
}

/// A v2 ticket for xiaojun of APP made at `time` by the library, carrying `userbuf`.
fn ticket_with_userbuf(time: i64, expire: u32, userbuf: Option<&[u8]>) -> String {
    let secret = Secret::new(SECRET.as_bytes()).unwrap();
    let mut req = TicketRequest::new(1400001052, "xiaojun")
        .unwrap()
        .with_expire(expire)
        .unwrap();
    if let Some(ub) = userbuf {
        req = req.with_userbuf(ub);
    }
    req.sign_v2(&secret, &FixedClock::at(time)).unwrap()
}

const T0: i64 = 1_795_675_257;

fn map_key(account: &str, sdkappid: u32, room: Room, expires_at: u32, bits: u32) -> Vec<u8> {
    PrivateMapKey {
        account: account.into(),
        sdkappid,
        room,
        expires_at,
        privileges: bits,
        account_type: 0,
    }
    .encode()
    .unwrap()
}

fn verify2(dir: &Scratch, sig: &str, at: i64, extra: &[&str]) -> Run {
    let at = at.to_string();
    let mut args = vec![
        "verify2",
        "file:secret.txt",
        sig,
        APP,
        "xiaojun",
        "--at",
        &at,
    ];
    args.extend_from_slice(extra);
    run(&dir.0, args)
}

#[test]
fn node_tickets_verify_and_decode_with_the_cli() {
    let dir = Scratch::new("pm-node-cli");
    for case in vectors() {
        let name = case["name"].as_str().unwrap();
        dir.write("sig", case["sig"].as_str().unwrap().as_bytes());
        let init = case["init_time"].as_i64().unwrap();
        let id = case["identifier"].as_str().unwrap();
        let bits = case["privilege_map"].as_u64().unwrap();
        let mut args: Vec<String> = ["verify2", "file:secret.txt", "sig", APP, id, "--at"]
            .map(String::from)
            .to_vec();
        args.push(init.to_string());
        args.extend(room_args(&case));
        args.extend(["--privilege-map".into(), bits.to_string()]);
        let r = run(&dir.0, &args);
        r.expect(0);
        let expected = format!(
            "verify sig ok\nexpire {} init time {init}\nuserbuf_base64:{}\nprivatemapkey ok {} privilege map {bits} expires at {}\n",
            case["expire"],
            case["userbuf_base64"].as_str().unwrap(),
            room_line(&case),
            case["map_key_expires_at"]
        );
        assert_eq!(r.stdout, expected, "{name}");
        assert_eq!(r.stderr, "", "{name}");

        // One bit more than granted (or another room when all are granted) fails.
        let mut worse = args.clone();
        let n = worse.len();
        if bits == 255 {
            worse[n - 3] = "424242".into();
            worse[n - 4] = "--room-id".into();
        } else {
            worse[n - 1] = "255".into();
        }
        let r = run(&dir.0, &worse);
        r.expect(1);
        assert!(
            r.stderr.starts_with(
                "tls_licence_tools: verify failed: the ticket's PrivateMapKey grants "
            ),
            "{name}: {}",
            r.stderr
        );
        assert!(
            r.stderr.trim_end().ends_with(FAIL_FIX),
            "{name}: {}",
            r.stderr
        );
    }
}

#[test]
fn gen2privmap_then_verify2_with_every_room_form() {
    let dir = Scratch::new("pm-gen2");
    let r = run(
        &dir.0,
        [
            "gen2privmap",
            "file:secret.txt",
            "sig",
            APP,
            "xiaojun",
            "--room-id",
            "10000",
            "--privilege-map",
            "enter,recv-audio,recv-video",
            "--expire",
            "1d",
        ],
    );
    r.expect(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{r:?}");
    assert_eq!(lines[1], "generate sig ok");
    assert_eq!(dir.read("sig"), lines[0].as_bytes());
    let json: Value = serde_json::from_str(&decode_independently(lines[0])).unwrap();
    let time = json["TLS.time"].as_i64().unwrap();
    assert_eq!(json["TLS.expire"], 86400);
    let ub = STANDARD
        .decode(json["TLS.userbuf"].as_str().unwrap())
        .unwrap();
    let expected = map_key(
        "xiaojun",
        1400001052,
        Room::Numeric(10000),
        (time + 86400) as u32,
        42,
    );
    assert_eq!(ub, expected);

    let r = verify2(
        &dir,
        "sig",
        time,
        &["--room-id", "10000", "--privilege-map", "0x2a"],
    );
    r.expect(0);
    assert!(r.stdout.ends_with(&format!(
        "privatemapkey ok room id 10000 privilege map 42 expires at {}\n",
        time + 86400
    )));
    // A room alone asks for the enter bit, which is granted.
    verify2(&dir, "sig", time, &["--room-id", "10000"]).expect(0);
}

#[test]
fn genprivmap_v1_string_room_verifies_with_the_public_key() {
    let dir = Scratch::new("pm-gen1");
    let r = run(
        &dir.0,
        [
            "genprivmap",
            "ec_key.pem",
            "sig",
            APP,
            "xiaojun",
            "--room-str",
            "room-42",
        ],
    );
    r.expect(0);
    assert_eq!(r.stdout, "generate sig ok\n");
    let text = String::from_utf8(dir.read("sig")).unwrap();
    let json: Value = serde_json::from_str(&decode_independently(&text)).unwrap();
    assert!(json.get("TLS.ver").is_none(), "a v1 ticket");
    let time: i64 = json["TLS.time"].as_str().unwrap().parse().unwrap();
    let at = time.to_string();
    let base = ["verify", "public.pem", "sig", APP, "xiaojun", "--at", &at];
    let ok = run(
        &dir.0,
        [
            &base[..],
            &["--room-str", "room-42", "--privilege-map", "all"],
        ]
        .concat(),
    );
    ok.expect(0);
    assert!(ok.stdout.ends_with(&format!(
        "privatemapkey ok room str room-42 privilege map 255 expires at {}\n",
        time + 15_552_000
    )));
    let bad = run(&dir.0, [&base[..], &["--room-id", "42"]].concat());
    bad.expect(1);
    assert_eq!(
        bad.stderr,
        format!(
            "tls_licence_tools: verify failed: the ticket's PrivateMapKey grants string room \"room-42\", not room id 42 {FAIL_FIX}\n"
        )
    );
}

#[test]
fn verify_failures_name_what_the_map_key_lacks() {
    let dir = Scratch::new("pm-fail");
    let exp = (T0 + 3600) as u32;
    type Case<'a> = (&'a str, Option<Vec<u8>>, Vec<&'a str>, String);
    let cases: Vec<Case> = vec![
        (
            "wrong room",
            Some(map_key("xiaojun", 1400001052, Room::Numeric(7), exp, 255)),
            vec!["--room-id", "8"],
            "the ticket's PrivateMapKey grants room id 7, not room id 8".into(),
        ),
        (
            "wrong string room",
            Some(map_key(
                "xiaojun",
                1400001052,
                Room::Named("a".into()),
                exp,
                255,
            )),
            vec!["--room-str", "b"],
            "the ticket's PrivateMapKey grants string room \"a\", not string room \"b\"".into(),
        ),
        (
            "missing bits",
            Some(map_key("xiaojun", 1400001052, Room::Numeric(7), exp, 2)),
            vec!["--room-id", "7", "--privilege-map", "enter,send-video"],
            "the ticket's PrivateMapKey grants privilege map 2 but not 16 (send video)".into(),
        ),
        (
            "expired map key",
            Some(map_key(
                "xiaojun",
                1400001052,
                Room::Numeric(7),
                (T0 + 10) as u32,
                255,
            )),
            vec!["--room-id", "7"],
            "the ticket's PrivateMapKey expired at 2026-11-26T06:41:07Z (50 seconds ago)".into(),
        ),
        (
            "no map key",
            None,
            vec!["--room-id", "7"],
            "the ticket carries no PrivateMapKey (its userbuf is absent or not one)".into(),
        ),
        (
            "a userbuf that is not a map key",
            Some(b"abc".to_vec()),
            vec!["--room-id", "7"],
            "the ticket carries no PrivateMapKey (its userbuf is absent or not one)".into(),
        ),
        (
            "another user's map key",
            Some(map_key("bob", 1400001052, Room::Numeric(7), exp, 255)),
            vec!["--room-id", "7"],
            "the ticket's PrivateMapKey was issued to \"bob\", not this identifier".into(),
        ),
        (
            "another app's map key",
            Some(map_key("xiaojun", 1400000000, Room::Numeric(7), exp, 255)),
            vec!["--room-id", "7"],
            "the ticket's PrivateMapKey is for sdkappid 1400000000, not this one".into(),
        ),
    ];
    for (what, userbuf, args, cause) in cases {
        let ticket = ticket_with_userbuf(T0, 3600, userbuf.as_deref());
        dir.write("sig", ticket.as_bytes());
        let r = verify2(&dir, "sig", T0 + 60, &args);
        r.expect(1);
        assert_eq!(r.stdout, "", "{what}");
        assert_eq!(
            r.stderr,
            format!("tls_licence_tools: verify failed: {cause} {FAIL_FIX}\n"),
            "{what}"
        );
        // Without the room options, the same ticket verifies.
        verify2(&dir, "sig", T0 + 60, &[]).expect(0);
    }
}

#[test]
fn expiry_of_the_map_key_is_inclusive_of_its_last_second() {
    let dir = Scratch::new("pm-edge");
    let ub = map_key(
        "xiaojun",
        1400001052,
        Room::Numeric(7),
        (T0 + 100) as u32,
        255,
    );
    dir.write("sig", ticket_with_userbuf(T0, 3600, Some(&ub)).as_bytes());
    verify2(&dir, "sig", T0 + 100, &["--room-id", "7"]).expect(0);
    verify2(&dir, "sig", T0 + 101, &["--room-id", "7"]).expect(1);
}

#[test]
fn bits_parsing_on_the_command_line() {
    let dir = Scratch::new("pm-bits");
    let ub = map_key(
        "xiaojun",
        1400001052,
        Room::Numeric(7),
        (T0 + 3600) as u32,
        42,
    );
    dir.write("sig", ticket_with_userbuf(T0, 3600, Some(&ub)).as_bytes());
    for good in [
        "42",
        "0x2a",
        "0X2A",
        "enter,recv-audio,recv-video",
        "enter",
        "0",
        "8",
    ] {
        verify2(
            &dir,
            "sig",
            T0,
            &["--room-id", "7", "--privilege-map", good],
        )
        .expect(0);
    }
    for more in ["43", "0x2b", "create", "all", "255", "send-sub"] {
        verify2(
            &dir,
            "sig",
            T0,
            &["--room-id", "7", "--privilege-map", more],
        )
        .expect(1);
    }
    for bad in [
        "256",
        "0x",
        "0x100",
        "enter,",
        "Enter",
        "-1",
        "enter recv-audio",
        "",
    ] {
        let r = verify2(&dir, "sig", T0, &["--room-id", "7", "--privilege-map", bad]);
        r.expect(2);
        assert_eq!(
            r.stderr,
            format!(
                "tls_licence_tools: error: --privilege-map {bad:?} is not a number from 0 to 255 (decimal or 0x hex) or names joined by commas (create, enter, send-audio, recv-audio, send-video, recv-video, send-sub, recv-sub, all)\n"
            )
        );
    }
    let r = verify2(&dir, "sig", T0, &["--privilege-map", "2"]);
    r.expect(2);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: --privilege-map needs the room to check: --room-id N or --room-str TEXT\n"
    );
}

#[test]
fn room_rules_on_the_command_line() {
    let dir = Scratch::new("pm-room");
    let gen2 = |extra: &[&str]| {
        let args = [
            &["gen2privmap", "file:secret.txt", "sig", APP, "xiaojun"][..],
            extra,
        ]
        .concat();
        run(&dir.0, args)
    };
    let long = "r".repeat(65);
    let cases: [(&[&str], &str); 6] = [
        (
            &["--room-str", ""],
            "the string room id is empty; give 1 to 64 bytes of printable ASCII",
        ),
        (
            &["--room-str", &long],
            "the string room id is 65 bytes; give 1 to 64 bytes of printable ASCII",
        ),
        (
            &["--room-str", "a\tb"],
            "the string room id has a byte that is not printable ASCII at offset 1; give 1 to 64 bytes of printable ASCII",
        ),
        (
            &["--room-str", "café"],
            "the string room id has a byte that is not printable ASCII at offset 3; give 1 to 64 bytes of printable ASCII",
        ),
        (
            &["--room-id", "4294967296"],
            "--room-id \"4294967296\" is not a room number from 0 to 4294967295 (for a string room use --room-str)",
        ),
        (
            &["--room-id", "+5"],
            "--room-id \"+5\" is not a room number from 0 to 4294967295 (for a string room use --room-str)",
        ),
    ];
    for (args, message) in cases {
        let r = gen2(args);
        r.expect(2);
        assert_eq!(
            r.stderr,
            format!("tls_licence_tools: error: {message}\n"),
            "{args:?}"
        );
        assert!(
            !dir.path("sig").exists(),
            "no sig file written for {args:?}"
        );
    }
    // The limits themselves are fine: 64 bytes, and every printable byte.
    gen2(&["--room-str", &"r".repeat(64)]).expect(0);
    gen2(&["--room-str", " !~{}"]).expect(0);
    gen2(&["--room-id", "4294967295"]).expect(0);
    // Neither room, or both: a usage error, nothing written.
    std::fs::remove_file(dir.path("sig")).unwrap();
    gen2(&[]).expect(2);
    gen2(&["--room-id", "1", "--room-str", "a"]).expect(2);
    assert!(!dir.path("sig").exists());
}

#[test]
fn every_verify_form_takes_the_room_options() {
    let dir = Scratch::new("pm-forms");
    let at = T0.to_string();
    // A map key in a v2 ticket (verify2) and in a v1 ticket (verify, verifyuser).
    let ub = map_key(
        "xiaojun",
        1400001052,
        Room::Numeric(7),
        (T0 + 3600) as u32,
        2,
    );
    dir.write("sig2", ticket_with_userbuf(T0, 3600, Some(&ub)).as_bytes());
    let key = usersig::keys::PrivateKey::from_bytes(&std::fs::read(fixture("ec_key.pem")).unwrap())
        .unwrap();
    let v1 = TicketRequest::new(1400001052, "xiaojun")
        .unwrap()
        .with_expire(3600)
        .unwrap()
        .with_userbuf(&ub)
        .sign_v1(&key, &FixedClock::at(T0))
        .unwrap();
    dir.write("sig1", v1.as_bytes());
    for form in ["verify", "verifyuser"] {
        let base = [form, "public.pem", "sig1", APP, "xiaojun", "--at", &at];
        run(&dir.0, [&base[..], &["--room-id", "7"]].concat()).expect(0);
        let r = run(
            &dir.0,
            [&base[..], &["--room-id", "7", "--privilege-map", "create"]].concat(),
        );
        r.expect(1);
        assert_eq!(
            r.stderr,
            format!(
                "tls_licence_tools: verify failed: the ticket's PrivateMapKey grants privilege map 2 but not 1 (create room) {FAIL_FIX}\n"
            )
        );
    }
    let base = [
        "verify2",
        "file:secret.txt",
        "sig2",
        APP,
        "xiaojun",
        "--at",
        &at,
    ];
    run(&dir.0, [&base[..], &["--room-id", "7"]].concat()).expect(0);
    run(&dir.0, [&base[..], &["--room-id", "8"]].concat()).expect(1);

    // verify2user: a printable userbuf is no map key, so a room check fails after the
    // userbuf matched; without the room it passes.
    dir.write(
        "sig3",
        ticket_with_userbuf(T0, 3600, Some(b"abc")).as_bytes(),
    );
    let base = [
        "verify2user",
        "file:secret.txt",
        "sig3",
        APP,
        "xiaojun",
        "abc",
        "--at",
        &at,
    ];
    run(&dir.0, base).expect(0);
    let r = run(&dir.0, [&base[..], &["--room-str", "abc"]].concat());
    r.expect(1);
    assert_eq!(
        r.stderr,
        format!(
            "tls_licence_tools: verify failed: the ticket carries no PrivateMapKey (its userbuf is absent or not one) {FAIL_FIX}\n"
        )
    );

    // --json: the failure is the JSON object's verdict too.
    let r = run(
        &dir.0,
        [&base[..], &["--room-str", "abc", "--json"]].concat(),
    );
    r.expect(1);
    let v: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["ok"], false, "{v}");
}
