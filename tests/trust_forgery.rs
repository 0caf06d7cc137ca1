//! Forged tickets (issue 7): signed v1 lines spliced from one field into another, tickets
//! joined from two genuine ones (a JSON member twice), control characters in what is
//! signed or compared, and the envelope diagnostics that name what is wrong with a ticket
//! that was copied badly. Each attack is built for real, as an attacker with genuine
//! tickets (or a signing oracle) would, and checked through the library and the binary.

mod common;

use common::*;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use tls_licence_tools::clock::FixedClock;
use tls_licence_tools::issue::{ArgError, TicketRequest};
use tls_licence_tools::json::JsonError;
use tls_licence_tools::keys::{PrivateKey, PublicKey};
use tls_licence_tools::ticket::{self, Malformed};
use tls_licence_tools::v1::{self, SignedFields};
use tls_licence_tools::verify::{self, Expect, Failure, VerifyKey};
use tls_licence_tools::{Secret, envelope, v2};

const APP: u32 = 1400001052;

fn private_key() -> PrivateKey {
    PrivateKey::from_pem(&std::fs::read(fixture("ec_key.pem")).unwrap()).unwrap()
}

fn public_key() -> VerifyKey {
    VerifyKey::Public(PublicKey::from_pem(&std::fs::read(fixture("public.pem")).unwrap()).unwrap())
}

fn secret() -> Secret {
    Secret::new(SECRET.as_bytes()).unwrap()
}

fn expect(identifier: &str) -> Expect<'_> {
    Expect {
        sdkappid: APP,
        identifier,
        userbuf: None,
    }
}

/// A v1 ticket's JSON holding exactly these values and this signature.
fn v1_json(f: &SignedFields<'_>, sig: &str) -> String {
    let mut m = Map::new();
    let mut put = |name: &str, value: &str| {
        m.insert(name.to_owned(), Value::String(value.to_owned()));
    };
    if let Some(v) = f.appid_at_3rd {
        put("TLS.appid_at_3rd", v);
    }
    put("TLS.account_type", f.account_type);
    put("TLS.identifier", f.identifier);
    put("TLS.sdk_appid", f.sdk_appid);
    put("TLS.time", f.time);
    put("TLS.expire_after", f.expire_after);
    if let Some(v) = f.userbuf {
        put("TLS.userbuf", v);
    }
    put("TLS.sig", sig);
    serde_json::to_string(&m).unwrap()
}

/// What a signing oracle gives: a genuine v1 ticket's JSON for these values.
fn signed_v1_json(f: &SignedFields<'_>) -> String {
    v1_json(f, &v1::sign(&private_key(), &f.content()))
}

/// A genuine v2 ticket's JSON for an identifier, built field by field (no generator of
/// this crate signs an identifier with a control character any more).
fn signed_v2_json(identifier: &str, time: i64) -> String {
    let content = v2::signed_content(identifier, APP.into(), time, 86400, None);
    json!({
        "TLS.ver": "2.0",
        "TLS.sdkappid": APP,
        "TLS.identifier": identifier,
        "TLS.time": time,
        "TLS.expire": 86400,
        "TLS.sig": v2::sign(&secret(), &content),
    })
    .to_string()
}

fn fields<'a>(identifier: &'a str, time: &'a str) -> SignedFields<'a> {
    SignedFields {
        appid_at_3rd: Some("0"),
        account_type: "0",
        identifier,
        sdk_appid: "1400001052",
        time,
        expire_after: "86400",
        userbuf: None,
    }
}

const SPLICE_LINE: &str = "tls_licence_tools: verify failed: the ticket cannot be read: the ticket's TLS.account_type holds a control character (U+000A at byte 1), which could make its signed content read as another user's (server code 70003); do not accept it: it may be forged to pass as another user's; issue a new ticket for a printable identifier\n";

/// The splice attack: a genuine signature for "mallory\nTLS.identifier:admin" re-read
/// as a ticket for "admin" (the old verifier accepted it).
struct Splice {
    /// The oracle's genuine ticket text.
    genuine: String,
    /// The same signature, with the line moved into account_type.
    forged: String,
    /// The forged JSON (the plain-JSON form of the attack).
    forged_json: String,
    /// What the forged ticket's values sign, and the DER signature.
    forged_content: Vec<u8>,
    der: Vec<u8>,
}

fn splice() -> Splice {
    let time = now().to_string();
    let genuine = fields("mallory\nTLS.identifier:admin", &time);
    let forged = SignedFields {
        account_type: "0\nTLS.identifier:mallory",
        identifier: "admin",
        ..genuine
    };
    // The whole attack: both mean the same signed bytes.
    assert_eq!(forged.content(), genuine.content());
    let sig = v1::sign(&private_key(), &genuine.content());
    let forged_json = v1_json(&forged, &sig);
    let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &sig).unwrap();
    Splice {
        forged_content: forged.content(),
        der,
        genuine: envelope::encode(v1_json(&genuine, &sig).as_bytes()),
        forged: envelope::encode(forged_json.as_bytes()),
        forged_json,
    }
}

#[test]
fn v1_line_splice_is_refused_by_the_library() {
    let s = splice();
    let clock = FixedClock::at(now());
    // The signature itself verifies over the forged ticket's own content (what the old
    // verifier checked): only the rule on control characters stops the forgery.
    let VerifyKey::Public(pk) = public_key() else {
        unreachable!("a public key")
    };
    assert!(v1::signature_verifies(&pk, &s.forged_content, &s.der));

    let want = Failure::Malformed(Malformed::ControlCharacter {
        field: "TLS.account_type",
        ch: '\n',
        at: 1,
    });
    for text in [&s.forged, &s.forged_json] {
        let err = verify::verify(text, &public_key(), &expect("admin"), &clock).unwrap_err();
        assert_eq!(err, want, "{text}");
        assert_eq!(err.code(), Some(70003));
        assert_eq!(
            format!("tls_licence_tools: verify failed: {err}\n"),
            SPLICE_LINE
        );
    }
    // The oracle's own ticket is refused too, naming the identifier.
    let err = verify::verify(
        &s.genuine,
        &public_key(),
        &expect("mallory\nTLS.identifier:admin"),
        &clock,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Failure::Malformed(Malformed::ControlCharacter {
            field: "TLS.identifier",
            ch: '\n',
            at: 7,
        })
    );
}

/// verify and verify-batch (the real binary) refuse the spliced ticket for "admin".
#[test]
fn v1_line_splice_is_refused_by_verify_and_verify_batch() {
    let s = splice();
    let dir = Scratch::new("splice");
    dir.write("forged", s.forged.as_bytes());
    dir.write("forged.json", s.forged_json.as_bytes());
    for file in ["forged", "forged.json"] {
        let r = run(&dir.0, ["verify", "public.pem", file, "1400001052", "admin"]);
        r.expect(1);
        assert_eq!(r.stderr, SPLICE_LINE, "{file}");
    }
    let line = json!({"identifier": "admin", "usersig": s.forged}).to_string() + "\n";
    let r = run_with_stdin(
        &dir.0,
        ["verify-batch", "public.pem", "1400001052"],
        Some(line.as_bytes()),
    );
    r.expect(1);
    let out: Value = serde_json::from_str(r.stdout.trim_end()).unwrap();
    assert_eq!(out["ok"], false, "{}", r.stdout);
    assert_eq!(out["code"], 70003);
    let reason = SPLICE_LINE
        .strip_prefix("tls_licence_tools: verify failed: ")
        .unwrap()
        .trim_end();
    assert_eq!(out["reason"], reason);
}

/// Every signed v1 value, enveloped or plain JSON, with any control character (C0, DEL,
/// C1) in it is refused as 70003 naming the field, though the signature is genuine.
#[test]
fn control_characters_in_any_signed_v1_value_are_refused() {
    let time = now().to_string();
    let clock = FixedClock::at(now());
    let controls = ['\n', '\r', '\t', '\0', '\u{b}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}'];
    let names = [
        "TLS.appid_at_3rd",
        "TLS.account_type",
        "TLS.identifier",
        "TLS.sdk_appid",
        "TLS.time",
        "TLS.expire_after",
        "TLS.userbuf",
    ];
    for ch in controls {
        for name in names {
            let base = SignedFields {
                userbuf: Some("YWJj"),
                ..fields("xiaojun", &time)
            };
            let normal = match name {
                "TLS.appid_at_3rd" => "0",
                "TLS.account_type" => base.account_type,
                "TLS.identifier" => base.identifier,
                "TLS.sdk_appid" => base.sdk_appid,
                "TLS.time" => base.time,
                "TLS.expire_after" => base.expire_after,
                _ => "YWJj",
            };
            let value = format!("{normal}{ch}");
            let mut f = base;
            match name {
                "TLS.appid_at_3rd" => f.appid_at_3rd = Some(&value),
                "TLS.account_type" => f.account_type = &value,
                "TLS.identifier" => f.identifier = &value,
                "TLS.sdk_appid" => f.sdk_appid = &value,
                "TLS.time" => f.time = &value,
                "TLS.expire_after" => f.expire_after = &value,
                _ => f.userbuf = Some(&value),
            }
            let json = signed_v1_json(&f);
            let want = Failure::Malformed(Malformed::ControlCharacter {
                field: name,
                ch,
                at: normal.len(),
            });
            for text in [envelope::encode(json.as_bytes()), json.clone()] {
                let got = verify::verify(&text, &public_key(), &expect(f.identifier), &clock);
                assert_eq!(got, Err(want.clone()), "{name} {ch:?} {text}");
            }
        }
    }
}

/// A v2 identifier with a control character is refused (70003), MAC genuine or not: no
/// real identifier holds one, and a NUL reads differently to a C-string verifier.
#[test]
fn control_characters_in_a_v2_identifier_are_refused() {
    let clock = FixedClock::at(now());
    for id in ["admin\0", "a\nb", "\radmin", "ad\u{7f}min", "admin\u{85}", "\t"] {
        let text = envelope::encode(signed_v2_json(id, now()).as_bytes());
        let (at, ch) = id.char_indices().find(|(_, c)| c.is_control()).unwrap();
        let got = verify::verify(&text, &VerifyKey::Secret(secret()), &expect(id), &clock);
        assert_eq!(
            got,
            Err(Failure::Malformed(Malformed::ControlCharacter {
                field: "TLS.identifier",
                ch,
                at
            })),
            "{id:?}"
        );
    }
    // The same ticket for a printable identifier is valid: the rule is what refuses.
    let text = envelope::encode(signed_v2_json("admin", now()).as_bytes());
    let key = VerifyKey::Secret(secret());
    assert!(verify::verify(&text, &key, &expect("admin"), &clock).is_ok());
}

/// A userbuf is base64 in the signed content and in the JSON, so any bytes are safe in
/// it: one holding a forged identifier line round-trips and splices nothing.
#[test]
fn a_userbuf_holding_a_line_cannot_splice() {
    let bytes = b"\nTLS.identifier:admin\n";
    let clock = FixedClock::at(now());
    let req = TicketRequest::new(APP, "mallory")
        .unwrap()
        .with_userbuf(bytes);
    for (text, key) in [
        (req.sign_v1(&private_key(), &clock), public_key()),
        (req.sign_v2(&secret(), &clock), VerifyKey::Secret(secret())),
    ] {
        let t = ticket::parse(&text, &clock).unwrap();
        let content = String::from_utf8(t.signed_content.clone()).unwrap();
        assert_eq!(content.matches("TLS.identifier:").count(), 1, "{content}");
        assert!(content.contains("TLS.identifier:mallory\n"), "{content}");
        let want = Expect {
            userbuf: Some(bytes),
            ..expect("mallory")
        };
        let info = verify::verify(&text, &key, &want, &clock).unwrap();
        assert_eq!(info.userbuf.as_deref(), Some(&bytes[..]));
        let err = verify::verify(&text, &key, &expect("admin"), &clock).unwrap_err();
        assert_eq!(err.code(), Some(70013));
    }
}

/// The inverse of `v2::signed_content`, reading from the end: the numbers and the
/// base64 userbuf hold no line feed, so whatever the identifier holds, the content has
/// one reading.
fn read_v2_content(content: &[u8]) -> Option<(String, u64, i64, i64, Option<String>)> {
    let text = std::str::from_utf8(content).ok()?.strip_suffix('\n')?;
    let (rest, userbuf) = match text.rsplit_once('\n')? {
        (rest, last) if last.starts_with("TLS.userbuf:") => {
            (rest, Some(last["TLS.userbuf:".len()..].to_owned()))
        }
        _ => (text, None),
    };
    let (rest, expire) = rest.rsplit_once("\nTLS.expire:")?;
    let (rest, time) = rest.rsplit_once("\nTLS.time:")?;
    let (rest, sdkappid) = rest.rsplit_once("\nTLS.sdkappid:")?;
    let identifier = rest.strip_prefix("TLS.identifier:")?;
    Some((
        identifier.to_owned(),
        sdkappid.parse().ok()?,
        time.parse().ok()?,
        expire.parse().ok()?,
        userbuf,
    ))
}

fn spliceable_identifier() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        (
            "[a-z]{0,6}",
            prop::sample::select(vec![
                "\nTLS.identifier:",
                "\nTLS.sdkappid:",
                "\nTLS.time:",
                "\nTLS.expire:",
                "\nTLS.userbuf:",
                "\n",
            ]),
            "[0-9a-zA-Z+/=\n]{0,12}",
        )
            .prop_map(|(a, line, b)| format!("{a}{line}{b}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// v2's signed content is injective: it reads back to the one tuple it was made from,
    /// whatever the identifier holds (line feeds and field names included).
    #[test]
    fn v2_signed_content_has_one_reading(
        identifier in spliceable_identifier(),
        sdkappid in any::<u32>(),
        time in 0i64..i64::MAX,
        expire in 0i64..i64::MAX,
        userbuf in prop::option::of(prop::collection::vec(any::<u8>(), 0..24)),
    ) {
        let userbuf = userbuf.map(|b| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b));
        let content = v2::signed_content(&identifier, sdkappid.into(), time, expire, userbuf.as_deref());
        prop_assert_eq!(
            read_v2_content(&content),
            Some((identifier, u64::from(sdkappid), time, expire, userbuf))
        );
    }

    /// A genuinely signed v1 ticket verifies if and only if none of its values holds a
    /// control character, and then for exactly the identifier that was signed.
    #[test]
    fn v1_verifies_only_without_control_characters(
        identifier in spliceable_identifier(),
        account_type in prop_oneof!["[0-9]{1,3}", "0\nTLS.identifier:[a-z]{1,6}"],
    ) {
        prop_assume!(!identifier.is_empty());
        let time = now().to_string();
        let f = SignedFields { account_type: &account_type, ..fields(&identifier, &time) };
        let text = envelope::encode(signed_v1_json(&f).as_bytes());
        let clock = FixedClock::at(now());
        let got = verify::verify(&text, &public_key(), &expect(&identifier), &clock);
        let has_control = identifier.chars().chain(account_type.chars()).any(char::is_control);
        match got {
            Ok(info) => {
                prop_assert!(!has_control);
                prop_assert_eq!(info.identifier, identifier);
            }
            Err(Failure::Malformed(Malformed::ControlCharacter { .. })) => prop_assert!(has_control),
            Err(e) => prop_assert!(false, "unexpected {}", e),
        }
    }
}
