//! Forged tickets (issue 7): signed v1 lines spliced from one field into another, tickets
//! joined from two genuine ones (a JSON member twice), control characters in what is
//! signed or compared, and the envelope diagnostics that name what is wrong with a ticket
//! that was copied badly. Each attack is built for real, as an attacker with genuine
//! tickets (or a signing oracle) would, and checked through the library and the binary.

use crate::common;

use common::*;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use usersig::clock::FixedClock;
use usersig::issue::{ArgError, TicketRequest};
use usersig::json::JsonError;
use usersig::keys::{PrivateKey, PublicKey};
use usersig::ticket::{self, Malformed};
use usersig::v1::{self, SignedFields};
use usersig::verify::{self, Expect, Failure, VerifyKey};
use usersig::{Secret, envelope, v2};

const APP: u32 = 1400001052;

fn private_key() -> PrivateKey {
    PrivateKey::from_pem(std::fs::read(fixture("ec_key.pem")).unwrap()).unwrap()
}

fn public_key() -> VerifyKey {
    VerifyKey::Public(PublicKey::from_pem(std::fs::read(fixture("public.pem")).unwrap()).unwrap())
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
    v1_json(f, &v1::sign(&private_key(), &f.content()).unwrap())
}

/// A genuine v2 ticket's JSON for an identifier, built field by field (no generator of
/// this crate signs an identifier with a control character any more).
fn signed_v2_json(identifier: &str, time: i64) -> String {
    let content = v2::signed_content(identifier, APP, time, 86400, None);
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

const SPLICE_LINE: &str = "tls_licence_tools: verify failed: the ticket cannot be read: the ticket's TLS.account_type holds a control character (U+000A at byte 1), which could make the ticket read as another user's (server code 70003); do not accept it: it may be forged to pass as another user's; issue a new ticket for a printable identifier\n";

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
    let sig = v1::sign(&private_key(), &genuine.content()).unwrap();
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

/// The library refuses the spliced ticket for "admin" (enveloped and as plain JSON) as
/// 70003 naming the field, and the oracle's ticket too, naming the identifier.
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
        let r = run(
            &dir.0,
            ["verify", "public.pem", file, "1400001052", "admin"],
        );
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
    let controls = [
        '\n', '\r', '\t', '\0', '\u{b}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}',
    ];
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
    for id in [
        "admin\0",
        "a\nb",
        "\radmin",
        "ad\u{7f}min",
        "admin\u{85}",
        "\t",
    ] {
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
        (req.sign_v1(&private_key(), &clock).unwrap(), public_key()),
        (
            req.sign_v2(&secret(), &clock).unwrap(),
            VerifyKey::Secret(secret()),
        ),
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
        let content = v2::signed_content(&identifier, sdkappid, time, expire, userbuf.as_deref());
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

/// The line a verify form prints for a ticket with a member twice.
fn duplicate_line(name: &str) -> String {
    format!(
        "the ticket cannot be read: the ticket's JSON has the member \"{name}\" twice (JSON readers disagree on which one counts) (server code 70003); do not accept it: no generator writes such a ticket, so it was altered, perhaps joined from two tickets to pass as another user's"
    )
}

/// One JSON object holding the members of `first`, then those of `second`: the C++
/// verifier's parser reads `first`, serde_json (and the old verifier) `second`.
fn join(first: &str, second: &str) -> String {
    format!(
        "{},{}",
        first.strip_suffix('}').unwrap(),
        second.strip_prefix('{').unwrap()
    )
}

/// Joined tickets of every form, each made of genuine parts, with what the strict reader
/// must call the repeated member: (label, ticket text, form, repeated name).
fn joined_tickets() -> Vec<(&'static str, String, &'static str, &'static str)> {
    let (key, secret, time) = (private_key(), secret(), now());
    let req = |id: &str| {
        TicketRequest::new(APP, id)
            .unwrap()
            .with_expire(86400)
            .unwrap()
    };
    let (v1_admin, v1_mallory) = (
        req("admin").v1_json(&key, time).unwrap(),
        req("mallory").v1_json(&key, time).unwrap(),
    );
    let (v2_admin, v2_mallory) = (
        req("admin").v2_json(&secret, time),
        req("mallory").v2_json(&secret, time),
    );
    let escaped = |json: &str| json.replace("\"TLS.identifier\"", r#""TLS.identif\u0069er""#);
    let env = |json: String| envelope::encode(json.as_bytes());
    vec![
        (
            "v1 joined",
            env(join(&v1_admin, &v1_mallory)),
            "v1",
            "TLS.account_type",
        ),
        (
            "v2 joined",
            env(join(&v2_admin, &v2_mallory)),
            "v2",
            "TLS.ver",
        ),
        (
            "plain JSON joined",
            join(&v1_admin, &v1_mallory),
            "v1",
            "TLS.account_type",
        ),
        (
            "v1 escaped first",
            env(join(r#"{"TLS.identif\u0069er":"admin"}"#, &v1_mallory)),
            "v1",
            "TLS.identifier",
        ),
        (
            "v1 escaped second",
            env(join(r#"{"TLS.identifier":"admin"}"#, &escaped(&v1_mallory))),
            "v1",
            "TLS.identifier",
        ),
        (
            "v2 escaped first",
            env(join(r#"{"TLS.identif\u0069er":"admin"}"#, &v2_mallory)),
            "v2",
            "TLS.identifier",
        ),
        (
            "plain JSON escaped",
            join(r#"{"\u0054LS.identifier":"admin"}"#, &v1_mallory),
            "v1",
            "TLS.identifier",
        ),
    ]
}

/// A ticket joined from two genuine tickets (or a genuine one and a forged member, the
/// name escaped or not) was valid for "mallory" to the old verifier and means "admin" to
/// the C++ one: every form refuses it, naming the member, and so does `json_text`.
#[test]
fn repeated_members_are_refused_by_the_library() {
    let clock = FixedClock::at(now());
    for (label, text, form, name) in joined_tickets() {
        let key = if form == "v1" {
            public_key()
        } else {
            VerifyKey::Secret(secret())
        };
        let want = Malformed::Json(JsonError::DuplicateMember(name.into()));
        let got = verify::verify(&text, &key, &expect("mallory"), &clock);
        assert_eq!(got, Err(Failure::Malformed(want.clone())), "{label}");
        assert_eq!(
            got.unwrap_err().to_string(),
            duplicate_line(name),
            "{label}"
        );
        assert_eq!(ticket::json_text(text.as_bytes()), Err(want), "{label}");
    }
    // A member name with a NUL (a C-string reader would read "TLS.identifier").
    let mallory = TicketRequest::new(APP, "mallory")
        .unwrap()
        .v1_json(&private_key(), now())
        .unwrap();
    let text = join(r#"{"TLS.identifier\u0000":"admin"}"#, &mallory);
    assert_eq!(
        ticket::parse(&text, &clock).map(|t| t.info),
        Err(Malformed::Json(JsonError::ControlInName(
            "TLS.identifier\0".into()
        )))
    );
    // The parts on their own are valid: the join is what is refused.
    assert!(
        verify::verify(
            &envelope::encode(mallory.as_bytes()),
            &public_key(),
            &expect("mallory"),
            &clock
        )
        .is_ok()
    );
}

/// verify, verify2, verify-batch and dump (the real binary) refuse joined tickets.
#[test]
fn repeated_members_are_refused_by_every_command() {
    let dir = Scratch::new("joined");
    for (label, text, form, name) in joined_tickets() {
        dir.write("joined", text.as_bytes());
        let (command, key) = if form == "v1" {
            ("verify", "public.pem")
        } else {
            ("verify2", "file:secret.txt")
        };
        let r = run(&dir.0, [command, key, "joined", "1400001052", "mallory"]);
        r.expect(1);
        let want = format!(
            "tls_licence_tools: verify failed: {}\n",
            duplicate_line(name)
        );
        assert_eq!(r.stderr, want, "{label}");

        let r = run(&dir.0, ["dump", text.as_str()]);
        r.expect(1);
        let want = format!(
            "tls_licence_tools: not a ticket: {}\n",
            duplicate_line(name)
        );
        assert_eq!(r.stderr, want, "{label}");
        assert_eq!(r.stdout, "", "{label}");

        let line = json!({"identifier": "mallory", "usersig": text}).to_string() + "\n";
        let r = run_with_stdin(
            &dir.0,
            ["verify-batch", key, "1400001052"],
            Some(line.as_bytes()),
        );
        r.expect(1);
        let out: Value = serde_json::from_str(r.stdout.trim_end()).unwrap();
        assert_eq!(out["code"], 70003, "{label}: {}", r.stdout);
        assert_eq!(out["reason"], duplicate_line(name), "{label}");
    }
}

/// The v2 ticket of Tencent's vectors (gen2 for xiaojun), as copied badly.
const V2_TICKET: &str = "eAGrVgrxCdYrSy1SslIy0jNQ0gHzi1OyEwsKMlOUrAxNDIDA0MDUCCKTmZKaV5KZlgnWUJGZmJ9VmgfVVJKZmwrUYG5pamZuamRqDtGQWlGQWQQSNzU1NQIaBbUgMx1oYWhOQZZfqquLWZS*eXGZhU9VoVe2RbFjuptpWLmft6V7Yrq*V0ieeWBWZr6tUi0AgEUyVQ__";

/// A damaged ticket is refused with a line that names the damage and its fix, checked
/// before the length and padding (which used to be blamed for all of these).
#[test]
fn envelope_damage_is_named_with_its_fix() {
    const QUOTES: &str = "pass the ticket without the quotes around it";
    const FOREIGN: &str = "a ticket holds only A-Z a-z 0-9 * - _ (and white space around it): pass the ticket exactly as it was generated";
    let url = V2_TICKET.replace('*', "%2A").replace('_', "%5F");
    let standard = V2_TICKET.replace('*', "+").replace('_', "=");
    let (head, tail) = V2_TICKET.split_at(10);
    let cases: Vec<(String, String, &str)> = vec![
        (
            format!("\"{V2_TICKET}\"\n"),
            "the ticket is in quotes (\"...\")".into(),
            QUOTES,
        ),
        (
            format!("'{V2_TICKET}'"),
            "the ticket is in quotes ('...')".into(),
            QUOTES,
        ),
        (
            format!("\u{201c}{V2_TICKET}\u{201d}"),
            "the ticket is in quotes (\u{201c}...\u{201d})".into(),
            QUOTES,
        ),
        (
            format!("\u{feff}{V2_TICKET}\r\n"),
            "the ticket starts with a byte-order mark (U+FEFF)".into(),
            "save the file as UTF-8 without a byte-order mark, or pass the ticket without it",
        ),
        (
            url,
            "the ticket is URL-encoded (\"%2A\" at byte 143)".into(),
            "URL-decode the ticket first (%2A is '*', %2D is '-', %5F is '_')",
        ),
        (
            format!("{V2_TICKET}\0"),
            "the ticket holds a NUL byte (U+0000) at byte 200".into(),
            "remove the NUL bytes: a ticket is plain text (was it saved as UTF-16, or with a C string's terminator?)",
        ),
        (
            format!("{head}\u{e9}{tail}"),
            "the ticket holds U+00E9 '\u{e9}' at byte 10, which is not a ticket character".into(),
            FOREIGN,
        ),
        (
            format!("{V2_TICKET}\u{a0}"),
            "the ticket holds U+00A0 at byte 200, which is not a ticket character".into(),
            FOREIGN,
        ),
        (
            format!("{head}\u{1b}{tail}"),
            "the ticket holds U+001B at byte 10, which is not a ticket character".into(),
            FOREIGN,
        ),
        (
            format!("{head}.{tail}"),
            "the ticket holds U+002E '.' at byte 10, which is not a ticket character".into(),
            FOREIGN,
        ),
        (
            standard,
            "the ticket holds '+' at byte 143, a standard base64 character".into(),
            "tickets write '*', '-' and '_' for '+', '/' and '=': pass the ticket as it was generated, not re-encoded as standard base64",
        ),
    ];
    let dir = Scratch::new("damage");
    for (text, cause, fix) in cases {
        dir.write("sig", text.as_bytes());
        let r = run(
            &dir.0,
            ["verify2", "file:secret.txt", "sig", "1400001052", "xiaojun"],
        );
        r.expect(1);
        let want = format!(
            "tls_licence_tools: verify failed: the ticket cannot be read: {cause} (server code 70003); {fix}\n"
        );
        assert_eq!(r.stderr, want, "{text:?}");
    }
    // The undamaged ticket is read (its own verdict is not the point here).
    let t = ticket::parse(V2_TICKET, &FixedClock::at(0)).unwrap();
    assert_eq!(t.info.identifier, "xiaojun");
}

/// No gen form signs an identifier with a control character, whatever flag is given.
#[test]
fn gen_never_signs_a_control_character() {
    let dir = Scratch::new("gen-control");
    for (id, code_point, at) in [
        ("mallory\nTLS.identifier:admin", "000A", 7),
        ("admin\r", "000D", 5),
        ("a\tb", "0009", 1),
        ("\u{85}admin", "0085", 0),
        ("ad\u{7f}min", "007F", 2),
        ("admin\u{1b}[0m", "001B", 5),
    ] {
        let want = format!(
            "tls_licence_tools: error: the identifier holds a control character (U+{code_point} at offset {at}), which would make a ticket that can be re-read as another user's; no option allows it: use printable ASCII, as Tencent's SDK requires\n"
        );
        for (command, key) in [("gen", "ec_key.pem"), ("gen2", "file:secret.txt")] {
            for flag in [Some("--allow-any-identifier"), None] {
                let mut args = vec![command, key, "sig", "1400001052", id];
                args.extend(flag);
                let r = run(&dir.0, &args);
                r.expect(2);
                assert_eq!(r.stderr, want, "{args:?}");
                assert!(!dir.path("sig").exists(), "{args:?}");
            }
        }
        assert_eq!(
            TicketRequest::any_identifier(APP, id),
            Err(ArgError::IdentifierControl {
                ch: id[at..].chars().next().unwrap(),
                at
            })
        );
    }
}

/// A verify-batch input line naming a member twice is refused, not read by whichever copy
/// this reader keeps: `{"identifier":"admin","identifier":"xiaojun",…}` would be checked as
/// xiaojun here, and reported as admin by a reader that keeps the first copy.
#[test]
fn verify_batch_refuses_an_input_line_naming_a_member_twice() {
    let dir = Scratch::new("dupline");
    let r = run(
        &dir.0,
        ["gen2", "file:secret.txt", "-", "1400001052", "xiaojun"],
    );
    r.expect(0);
    let ticket = r.stdout.trim_end();
    for (line, name) in [
        (
            format!(r#"{{"identifier":"admin","identifier":"xiaojun","usersig":"{ticket}"}}"#),
            "identifier",
        ),
        (
            format!(r#"{{"identifier":"xiaojun","usersig":"{ticket}","usersig":"x"}}"#),
            "usersig",
        ),
        (
            format!(r#"{{"identifier":"admin","identif\u0069er":"xiaojun","usersig":"{ticket}"}}"#),
            "identifier",
        ),
    ] {
        let r = run_with_stdin(
            &dir.0,
            ["verify-batch", "file:secret.txt", "1400001052"],
            Some(format!("{line}\n").as_bytes()),
        );
        assert_eq!(r.code, 1, "{r:#?}");
        assert_eq!(
            r.stderr,
            "tls_licence_tools: verify-batch: 1 of 1 lines failed\n"
        );
        let out: Value = serde_json::from_str(r.stdout.trim_end()).unwrap();
        assert_eq!(out["ok"], false, "{}", r.stdout);
        assert_eq!(
            out["error"],
            format!(
                "line 1: the JSON has the member \"{name}\" twice (JSON readers disagree on which one counts)"
            )
        );
    }
}
