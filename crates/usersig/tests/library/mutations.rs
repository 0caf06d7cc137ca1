//! Property tests over real tickets (Tencent's vectors): mutate them (bit flips,
//! truncation, insertions, deletions, field edits, line splices, repeated members,
//! re-encoding) and check that decoding never panics and that no ticket whose content
//! changed verifies; and the crate's zlib encoder against an independent inflater.

use std::io::{Read, Write};

use crate::common::fixture;
use proptest::prelude::*;
use serde_json::Value;
use usersig::clock::FixedClock;
use usersig::keys::PublicKey;
use usersig::ticket::{self, TicketInfo};
use usersig::verify::{self, Expect, VerifyKey};
use usersig::{Secret, deflate, envelope};

struct Case {
    sig: String,
    key: VerifyKey,
    sdkappid: u32,
    identifier: String,
    at: i64,
}

/// The good vectors, read once.
fn good_cases() -> &'static [Case] {
    static CASES: std::sync::OnceLock<Vec<Case>> = std::sync::OnceLock::new();
    CASES.get_or_init(read_good_cases)
}

fn read_good_cases() -> Vec<Case> {
    let text = std::fs::read_to_string(fixture("vectors.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["expect"]["ok"] == true)
        .map(|c| {
            let name = c["key"].as_str().unwrap();
            let bytes = std::fs::read(fixture(name)).unwrap();
            let key = if name.ends_with(".pem") {
                VerifyKey::Public(PublicKey::from_pem(&bytes).unwrap())
            } else {
                VerifyKey::Secret(Secret::from_file_contents(&bytes).unwrap())
            };
            Case {
                sig: c["sig"].as_str().unwrap().to_string(),
                key,
                sdkappid: u32::try_from(c["sdkappid"].as_u64().unwrap()).unwrap(),
                identifier: c["identifier"].as_str().unwrap().to_string(),
                at: c["verify_at"].as_i64().unwrap(),
            }
        })
        .collect()
}

/// What a ticket text means: the JSON it holds (plain or inflated), if it holds any.
fn content(text: &str) -> Option<Vec<u8>> {
    ticket::json_text(text.as_bytes())
        .ok()
        .map(|(_, json)| json.into_bytes())
}

/// What a ticket says and signs: its claims, the signed content and the signature.
/// (Fields outside the signed content, such as `TLS.version`, are not part of it.)
fn meaning(bytes: &[u8], at: i64) -> Option<(TicketInfo, Vec<u8>, Vec<u8>)> {
    ticket::parse_bytes(bytes, &FixedClock::at(at))
        .ok()
        .map(|t| (t.info, t.signed_content, t.signature))
}

fn verifies(case: &Case, text: &str) -> bool {
    let expect = Expect {
        sdkappid: case.sdkappid,
        identifier: &case.identifier,
        userbuf: None,
    };
    verify::verify(text, &case.key, &expect, &FixedClock::at(case.at)).is_ok()
}

/// A text mutation: what to do, where, with what.
#[derive(Debug, Clone)]
enum Mutation {
    FlipBit { at: usize, bit: u8 },
    Truncate { at: usize },
    Insert { at: usize, byte: u8 },
    Delete { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        any::<usize>().prop_map(|at| Mutation::Delete { at }),
    ]
}

fn apply(text: &str, m: &Mutation) -> Vec<u8> {
    let mut b = text.as_bytes().to_vec();
    let n = b.len();
    match *m {
        Mutation::FlipBit { at, bit } => b[at % n] ^= 1 << bit,
        Mutation::Truncate { at } => b.truncate(at % n),
        Mutation::Insert { at, byte } => b.insert(at % (n + 1), byte),
        Mutation::Delete { at } => {
            b.remove(at % n);
        }
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Text mutations never panic the decoder or the verifier, and a mutated ticket
    /// verifies only if what it says and signs is unchanged (white space around it, say,
    /// or the unsigned `TLS.version`).
    #[test]
    fn text_mutations(index in any::<usize>(), m in mutation()) {
        let cases = good_cases();
        let case = &cases[index % cases.len()];
        let mutated = apply(&case.sig, &m);
        let parsed = meaning(&mutated, case.at);
        if let Ok(text) = std::str::from_utf8(&mutated)
            && verifies(case, text)
        {
            prop_assert!(parsed.is_some());
            prop_assert!(parsed == meaning(case.sig.as_bytes(), case.at), "{:?} verified", m);
        }
    }

    /// Editing any field of the JSON and re-encoding never verifies.
    #[test]
    fn field_edits(index in any::<usize>(), field in any::<usize>(), delta in 1u64..1_000_000) {
        let cases = good_cases();
        let case = &cases[index % cases.len()];
        let json = content(&case.sig).unwrap();
        let Value::Object(mut obj) = serde_json::from_slice::<Value>(&json).unwrap() else {
            panic!("a ticket holds an object");
        };
        let names: Vec<String> = obj.keys().filter(|k| *k != "TLS.sig" && *k != "TLS.version").cloned().collect();
        let name = &names[field % names.len()];
        let edited = match &obj[name] {
            Value::String(s) => match s.parse::<u64>() {
                Ok(n) => Value::String((n ^ delta).to_string()),
                Err(_) => Value::String(format!("{s}{delta}")),
            },
            Value::Number(n) => Value::from(n.as_u64().unwrap() ^ delta),
            other => other.clone(),
        };
        prop_assume!(edited != obj[name]);
        obj.insert(name.clone(), edited);
        let text = envelope::encode(serde_json::to_string(&obj).unwrap().as_bytes());
        prop_assert!(!verifies(case, &text), "editing {} verified", name);
    }
}

/// Inflate with flate2, an implementation independent of the crate's encoder, checking
/// that nothing follows the stream.
fn inflate_independently(z: &[u8]) -> Vec<u8> {
    let mut d = flate2::read::ZlibDecoder::new(z);
    let mut out = Vec::new();
    d.read_to_end(&mut out).expect("a complete zlib stream");
    assert_eq!(d.total_in(), z.len() as u64, "bytes after the stream");
    out
}

/// JSON-like text: ticket field names, quotes, digits and base64, repeated (what the
/// encoder's matcher sees in real tickets), with arbitrary characters mixed in.
fn json_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            "{",
            "}",
            "\"",
            ":",
            ",",
            "\"TLS.identifier\":",
            "\"TLS.sig\":\"",
            "\"TLS.ver\":\"2.0\",",
            "1400001052",
            "xiaojun",
            "=",
            "\\u0000",
        ])
        .prop_map(str::to_owned),
        "[A-Za-z0-9+/]{1,40}",
        "\\PC{0,8}",
    ];
    prop::collection::vec(piece, 0..32).prop_map(|p| p.concat())
}

/// A vector's JSON with the line of one signed v1 value (the identifier or the account
/// type) moved into the value signed before it and the field left empty; `None` for v2.
fn splice_of(json: &[u8], field: usize) -> Option<String> {
    let Value::Object(mut obj) = serde_json::from_slice::<Value>(json).ok()? else {
        return None;
    };
    let order = ["TLS.appid_at_3rd", "TLS.account_type", "TLS.identifier"];
    let at = 1 + field % 2;
    let (before, after) = (order[at - 1], order[at]);
    let moved = obj.get(after)?.as_str()?.to_owned();
    let prev = obj.get(before)?.as_str()?.to_owned();
    obj.insert(
        before.into(),
        Value::String(format!("{prev}\n{after}:{moved}")),
    );
    obj.insert(after.into(), Value::String(String::new()));
    serde_json::to_string(&obj).ok()
}

proptest! {
    // Few cases: debug builds generate and compress slowly; the fuzz target goes further.
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// `deflate::zlib` writes one complete zlib stream that flate2 inflates to exactly
    /// the input, for arbitrary bytes and JSON-like text.
    #[test]
    fn own_deflate_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..2048), text in json_like()) {
        for data in [&bytes[..], text.as_bytes()] {
            let z = deflate::zlib(data);
            prop_assert_eq!(&z[..2], &[0x78, 0x01]);
            prop_assert_eq!(inflate_independently(&z), data);
            prop_assert_eq!(envelope::decode(&envelope::encode(data)).unwrap(), data);
        }
    }

    /// A v1 vector with its identifier (or account type) line moved into the value
    /// signed before it, as a splice would, is refused, not read; and a vector's JSON
    /// with every member repeated is refused, whatever its form.
    #[test]
    fn splices_and_repeats_never_verify(index in any::<usize>(), field in any::<usize>()) {
        let cases = good_cases();
        let case = &cases[index % cases.len()];
        let json = content(&case.sig).unwrap();
        if let Some(spliced) = splice_of(&json, field) {
            let text = envelope::encode(spliced.as_bytes());
            prop_assert!(!verifies(case, &text));
            prop_assert!(meaning(text.as_bytes(), case.at).is_none(), "{}", spliced);
        }
        let text = std::str::from_utf8(&json).unwrap();
        let repeated = format!("{},{}", text.trim_end().strip_suffix('}').unwrap(), &text.trim_start()[1..]);
        let text = envelope::encode(repeated.as_bytes());
        prop_assert!(meaning(text.as_bytes(), case.at).is_none());
        prop_assert!(content(&text).is_none());
    }
}

/// Re-encoding the same JSON with any zlib level, or as plain JSON for v1, still means
/// the same ticket and verifies: the envelope is not what is signed.
#[test]
fn re_encoding_the_same_json_still_verifies() {
    // The plain-JSON form is its own form (its time is wall-clock text): not enveloped.
    for case in good_cases().iter().filter(|c| !c.sig.starts_with('{')) {
        let json = content(&case.sig).unwrap();
        for level in 0..=9 {
            let mut z =
                flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
            z.write_all(&json).unwrap();
            let raw = z.finish().unwrap();
            use base64::Engine;
            let text = base64::engine::general_purpose::STANDARD
                .encode(raw)
                .replace('+', "*")
                .replace('/', "-")
                .replace('=', "_");
            assert!(verifies(case, &text), "level {level}");
        }
        assert!(verifies(case, &envelope::encode(&json)));
    }
}
