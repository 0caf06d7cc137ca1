//! Every case of Tencent's vectors (fixtures/vectors.json), through the library, judged
//! at its `verify_at`: the verdict, the server code, and the reported values.

use std::fs;

use crate::common::fixture;
use serde_json::Value;
use usersig::clock::FixedClock;
use usersig::keys::PublicKey;
use usersig::ticket::{self, Version};
use usersig::verify::{self, Expect, VerifyKey};
use usersig::{Secret, envelope};

fn cases() -> Vec<Value> {
    let text = fs::read_to_string(fixture("vectors.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cases"].as_array().unwrap().clone()
}

fn key_for(case: &Value) -> VerifyKey {
    let name = case["key"].as_str().unwrap();
    let bytes = fs::read(fixture(name)).unwrap();
    if name.ends_with(".pem") {
        VerifyKey::Public(PublicKey::from_pem(&bytes).unwrap())
    } else {
        VerifyKey::Secret(Secret::from_file_contents(&bytes).unwrap())
    }
}

#[test]
fn there_are_vectors_of_every_kind() {
    let cases = cases();
    assert!(cases.len() >= 27, "{} cases", cases.len());
    for kind in [
        "v1",
        "v1-userbuf",
        "v1-plain-json",
        "v2",
        "v2-userbuf",
        "garbage",
    ] {
        assert!(cases.iter().any(|c| c["kind"] == kind), "no {kind} case");
    }
}

#[test]
fn every_vector_gives_its_expected_verdict_and_code() {
    let mut failures = Vec::new();
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let sig = case["sig"].as_str().unwrap();
        let identifier = case["identifier"].as_str().unwrap();
        let sdkappid = u32::try_from(case["sdkappid"].as_u64().unwrap()).unwrap();
        let clock = FixedClock::at(case["verify_at"].as_i64().unwrap());
        let expect = Expect {
            sdkappid,
            identifier,
            userbuf: None,
        };
        let result = verify::verify(sig, &key_for(&case), &expect, &clock);
        let want_ok = case["expect"]["ok"].as_bool().unwrap();
        let want_code = case["expect"]["code"].as_u64().unwrap();
        match (&result, want_ok) {
            (Ok(info), true) => {
                assert_eq!(want_code, 0, "{name}");
                assert_eq!(info.identifier, identifier, "{name}");
                assert_eq!(info.sdkappid, sdkappid, "{name}");
                assert_eq!(
                    info.expire,
                    case["expect"]["expire"].as_i64().unwrap(),
                    "{name}: expire"
                );
                if let Some(t) = case["expect"]["init_time"].as_i64() {
                    assert_eq!(info.init_time, t, "{name}: init_time");
                }
                let kind = case["kind"].as_str().unwrap();
                let want_version = match kind {
                    "v1" | "v1-userbuf" => Version::V1,
                    "v1-plain-json" => Version::V1PlainJson,
                    _ => Version::V2,
                };
                assert_eq!(info.version, want_version, "{name}");
                match case.get("userbuf_base64").and_then(Value::as_str) {
                    Some(b64) => {
                        use base64::Engine;
                        let want = base64::engine::general_purpose::STANDARD
                            .decode(b64)
                            .unwrap();
                        assert_eq!(info.userbuf.as_deref(), Some(&want[..]), "{name}");
                    }
                    None if kind.ends_with("userbuf") => {
                        assert!(info.userbuf.is_some(), "{name}: userbuf missing");
                    }
                    None => assert_eq!(info.userbuf, None, "{name}"),
                }
            }
            (Err(f), false) => {
                if f.code() != Some(u32::try_from(want_code).unwrap()) {
                    failures.push(format!("{name}: got {:?}, want {want_code}: {f}", f.code()));
                }
            }
            (r, _) => failures.push(format!("{name}: got {r:?}, want ok={want_ok}")),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A good ticket judged one second after its last valid second is expired (70001), and at
/// exactly `time + expire` is still valid (docs/FORMAT.md section 7: both C++ verifiers
/// agree).
#[test]
fn expiry_boundary_of_every_good_vector() {
    for case in cases().iter().filter(|c| c["expect"]["ok"] == true) {
        let name = case["name"].as_str().unwrap();
        let sig = case["sig"].as_str().unwrap();
        let key = key_for(case);
        let expect = Expect {
            sdkappid: u32::try_from(case["sdkappid"].as_u64().unwrap()).unwrap(),
            identifier: case["identifier"].as_str().unwrap(),
            userbuf: None,
        };
        let parsed = ticket::parse(sig, &FixedClock::at(0)).unwrap();
        let last = parsed.info.expires_at();
        assert!(
            verify::verify(sig, &key, &expect, &FixedClock::at(last)).is_ok(),
            "{name}"
        );
        let err = verify::verify(sig, &key, &expect, &FixedClock::at(last + 1)).unwrap_err();
        assert_eq!(err.code(), Some(70001), "{name}: {err}");
    }
}

/// The plain-JSON form's wall-clock time is read in the verifying host's zone.
#[test]
fn plain_json_time_follows_the_local_offset() {
    let case = cases()
        .into_iter()
        .find(|c| c["kind"] == "v1-plain-json")
        .unwrap();
    let sig = case["sig"].as_str().unwrap();
    let utc = ticket::parse(sig, &FixedClock::at(0))
        .unwrap()
        .info
        .init_time;
    let beijing = FixedClock {
        now: 0,
        offset: time::UtcOffset::from_hms(8, 0, 0).unwrap(),
    };
    let east = ticket::parse(sig, &beijing).unwrap().info.init_time;
    assert_eq!(utc - east, 8 * 3600);
}

/// A v2 ticket checked with a public key, or a v1 ticket with a secret, is 70009 with a
/// message that says which key it needs (in the library's words: no CLI command).
#[test]
fn wrong_kind_of_key_names_the_key_needed() {
    let cases = cases();
    let v1 = cases
        .iter()
        .find(|c| c["name"] == "v1-cpp-gen-sec1-key")
        .unwrap();
    let v2 = cases.iter().find(|c| c["name"] == "v2-cpp-gen2").unwrap();
    let expect = Expect {
        sdkappid: 1400001052,
        identifier: "xiaojun",
        userbuf: None,
    };
    let clock = FixedClock::at(1_795_678_857);
    let err =
        verify::verify(v2["sig"].as_str().unwrap(), &key_for(v1), &expect, &clock).unwrap_err();
    assert_eq!(err.code(), Some(70009));
    // The library names the key; the command that uses it is the CLI's to add.
    assert!(err.fix().contains("verify it with the secret"), "{err}");
    assert!(!err.to_string().contains("verify2"), "{err}");
    let err =
        verify::verify(v1["sig"].as_str().unwrap(), &key_for(v2), &expect, &clock).unwrap_err();
    assert_eq!(err.code(), Some(70009));
    assert!(err.to_string().contains("public key"), "{err}");
}

/// Every good enveloped vector decodes to JSON whose re-encoding decodes back to the same
/// JSON (the envelope is lossless in both directions).
#[test]
fn envelope_round_trips_every_good_vector() {
    for case in cases().iter().filter(|c| c["expect"]["ok"] == true) {
        let sig = case["sig"].as_str().unwrap();
        if sig.starts_with('{') {
            continue;
        }
        let json = envelope::decode(sig).unwrap();
        assert_eq!(envelope::decode(&envelope::encode(&json)).unwrap(), json);
    }
}
