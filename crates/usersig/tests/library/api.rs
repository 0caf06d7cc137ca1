//! The one-call library API (Tencent's names), the PrivateMapKey check, and Tencent's
//! Node PrivateMapKey tickets through the library.

use crate::common::{SECRET, fixture, now};
use serde_json::Value;
use usersig::clock::FixedClock;
use usersig::compat::Error;
use usersig::issue::ArgError;
use usersig::keys::{PrivateKey, PublicKey};
use usersig::ticket::Version;
use usersig::userbuf::{PrivateMapKey, Room};
use usersig::verify::{self, Expect, Failure, MapKeyProblem, VerifyKey};
use usersig::{
    Secret, gen_private_map_key, gen_private_map_key_with_string_room_id, gen_usersig,
    gen_usersig_with_userbuf, verify_usersig, verify_usersig_with_userbuf,
};

const OTHER: &str = "0345c13c214c9e350561aa9b921f426769fb351d294772f0eace4e6d773295b0";
const APP: u32 = 1400001052;

fn secret() -> Secret {
    Secret::new(SECRET.as_bytes()).unwrap()
}

fn private_key() -> PrivateKey {
    PrivateKey::from_bytes(&std::fs::read(fixture("ec_key.pem")).unwrap()).unwrap()
}

#[test]
fn v2_round_trip_and_the_codes_of_each_failure() {
    let s = secret();
    let before = now();
    let sig = gen_usersig(&s, APP, "xiaojun", 86400).unwrap();
    let info = verify_usersig(&s, APP, "xiaojun", &sig).unwrap();
    assert_eq!(info.version, Version::V2);
    assert_eq!((info.identifier.as_str(), info.sdkappid), ("xiaojun", APP));
    assert_eq!(info.expire, 86400);
    assert!((before..=now()).contains(&info.init_time));
    assert_eq!(info.userbuf, None);

    let other = Secret::new(OTHER.as_bytes()).unwrap();
    let code = |r: Result<_, Failure>| r.unwrap_err().code();
    assert_eq!(code(verify_usersig(&s, APP, "xiaoju", &sig)), Some(70013));
    assert_eq!(
        code(verify_usersig(&s, APP + 1, "xiaojun", &sig)),
        Some(70014)
    );
    assert_eq!(
        code(verify_usersig(&other, APP, "xiaojun", &sig)),
        Some(70009)
    );
    assert_eq!(
        code(verify_usersig(&s, APP, "xiaojun", "garbage")),
        Some(70003)
    );
    // A v2 ticket checked with a public key: the wrong kind of key.
    let public = private_key().public_key();
    assert_eq!(
        verify_usersig(&public, APP, "xiaojun", &sig).unwrap_err(),
        Failure::WrongKindOfKey {
            ticket: Version::V2
        }
    );
}

#[test]
fn v1_with_a_private_key_checked_with_its_public_key() {
    let key = private_key();
    let public: PublicKey = key.public_key();
    let sig = gen_usersig(&key, APP, "xiaojun", 600).unwrap();
    let info = verify_usersig(&public, APP, "xiaojun", &sig).unwrap();
    assert_eq!((info.version, info.expire), (Version::V1, 600));
    let other =
        PublicKey::from_bytes(&std::fs::read(fixture("other_public.pem")).unwrap()).unwrap();
    assert_eq!(
        verify_usersig(&other, APP, "xiaojun", &sig)
            .unwrap_err()
            .code(),
        Some(70009)
    );
    assert_eq!(
        verify_usersig(&secret(), APP, "xiaojun", &sig).unwrap_err(),
        Failure::WrongKindOfKey {
            ticket: Version::V1
        }
    );

    let sig = gen_usersig_with_userbuf(&key, APP, "xiaojun", 600, b"\x00\xffbytes").unwrap();
    let info =
        verify_usersig_with_userbuf(&public, APP, "xiaojun", &sig, b"\x00\xffbytes").unwrap();
    assert_eq!(info.userbuf.as_deref(), Some(&b"\x00\xffbytes"[..]));
    let err = verify_usersig_with_userbuf(&public, APP, "xiaojun", &sig, b"bytes").unwrap_err();
    assert!(matches!(err, Failure::UserbufMismatch { .. }), "{err:?}");
}

#[test]
fn userbuf_is_required_when_asked_for() {
    let s = secret();
    let plain = gen_usersig(&s, APP, "xiaojun", 600).unwrap();
    let err = verify_usersig_with_userbuf(&s, APP, "xiaojun", &plain, b"abc").unwrap_err();
    assert_eq!(err, Failure::UserbufMismatch { ticket: None });
    assert_eq!(err.code(), None);
}

#[test]
fn argument_rules_for_every_maker() {
    let s = secret();
    let cases: [(u32, &str, u32, Error); 6] = [
        (
            0,
            "xiaojun",
            600,
            Error::Argument(ArgError::SdkAppId("0".into())),
        ),
        (APP, "", 600, Error::Argument(ArgError::IdentifierEmpty)),
        (
            APP,
            &"a".repeat(33),
            600,
            Error::Argument(ArgError::IdentifierTooLong(33)),
        ),
        (
            APP,
            "a\nb",
            600,
            Error::Argument(ArgError::IdentifierControl { ch: '\n', at: 1 }),
        ),
        (
            APP,
            "xiaojun",
            0,
            Error::Argument(ArgError::Expire("0".into())),
        ),
        (
            APP,
            "xiaojun",
            1_576_800_001,
            Error::Argument(ArgError::Expire("1576800001".into())),
        ),
    ];
    for (app, id, expire, want) in cases {
        assert_eq!(
            gen_usersig(&s, app, id, expire).unwrap_err(),
            want,
            "{id:?}"
        );
        assert_eq!(
            gen_usersig_with_userbuf(&private_key(), app, id, expire, b"x").unwrap_err(),
            want
        );
        assert_eq!(
            gen_private_map_key(&s, app, id, expire, 1, 255).unwrap_err(),
            want
        );
        assert_eq!(
            gen_private_map_key_with_string_room_id(&s, app, id, expire, "r", 255).unwrap_err(),
            want
        );
    }
}

#[test]
fn string_room_rules() {
    let s = secret();
    let make =
        |room: &str| gen_private_map_key_with_string_room_id(&s, APP, "xiaojun", 600, room, 2);
    assert_eq!(
        make("").unwrap_err(),
        Error::RoomStr {
            len: 0,
            bad_byte_at: None
        }
    );
    assert_eq!(
        make(&"r".repeat(65)).unwrap_err(),
        Error::RoomStr {
            len: 65,
            bad_byte_at: None
        }
    );
    for (room, at) in [("a\tb", 1), ("\u{7f}", 0), ("é", 0), ("ok\0", 2)] {
        assert_eq!(
            make(room).unwrap_err(),
            Error::RoomStr {
                len: room.len(),
                bad_byte_at: Some(at)
            },
            "{room:?}"
        );
    }
    for room in ["r".repeat(64), " ".into(), "~!{}".into()] {
        let sig = make(&room).unwrap();
        let info = verify_usersig(&s, APP, "xiaojun", &sig).unwrap();
        let key = PrivateMapKey::decode(info.userbuf.as_deref().unwrap()).unwrap();
        assert_eq!(key.room, Room::Named(room));
    }
}

#[test]
fn private_map_keys_made_and_checked_with_both_schemes() {
    let s = secret();
    let key = private_key();
    let public = key.public_key();
    let v2 = gen_private_map_key(&s, APP, "xiaojun", 3600, 4_294_967_295, 2 | 8).unwrap();
    let v1 = gen_private_map_key_with_string_room_id(&key, APP, "xiaojun", 3600, "room-42", 255)
        .unwrap();
    for (sig, room, bits, checked) in [
        (
            &v2,
            Room::Numeric(4_294_967_295),
            10,
            verify_usersig(&s, APP, "xiaojun", &v2),
        ),
        (
            &v1,
            Room::Named("room-42".into()),
            255,
            verify_usersig(&public, APP, "xiaojun", &v1),
        ),
    ] {
        let info = checked.unwrap_or_else(|f| panic!("{sig}: {f}"));
        let pmk = PrivateMapKey::decode(info.userbuf.as_deref().unwrap()).unwrap();
        let want = PrivateMapKey {
            account: "xiaojun".into(),
            sdkappid: APP,
            room: room.clone(),
            expires_at: (info.init_time + 3600) as u32,
            privileges: bits,
            account_type: 0,
        };
        assert_eq!(pmk, want);
        let t = info.init_time;
        assert_eq!(
            verify::check_private_map_key(&info, &room, 2, t),
            Ok(want.clone())
        );
        assert_eq!(
            verify::check_private_map_key(&info, &room, 2, t + 3600),
            Ok(want)
        );
        assert_eq!(
            verify::check_private_map_key(&info, &room, 2, t + 3601),
            Err(Failure::MapKey(MapKeyProblem::Expired {
                expires_at: (t + 3600) as u32,
                now: t + 3601
            }))
        );
        let err = verify::check_private_map_key(&info, &Room::Numeric(1), 2, t).unwrap_err();
        assert!(
            matches!(err, Failure::MapKey(MapKeyProblem::OtherRoom { .. })),
            "{err:?}"
        );
        assert_eq!(err.code(), None);
    }
    let info = verify_usersig(&s, APP, "xiaojun", &v2).unwrap();
    assert_eq!(
        verify::check_private_map_key(
            &info,
            &Room::Numeric(4_294_967_295),
            2 | 4 | 256,
            info.init_time
        ),
        Err(Failure::MapKey(MapKeyProblem::MissingBits {
            granted: 10,
            missing: 260
        }))
    );
    let plain = verify_usersig(
        &s,
        APP,
        "xiaojun",
        &gen_usersig(&s, APP, "xiaojun", 60).unwrap(),
    )
    .unwrap();
    assert_eq!(
        verify::check_private_map_key(&plain, &Room::Numeric(1), 0, plain.init_time),
        Err(Failure::MapKey(MapKeyProblem::Missing))
    );
}

#[test]
fn node_private_map_keys_through_the_library() {
    let text = std::fs::read_to_string(fixture("privmap_vectors.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    for case in v["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let init = case["init_time"].as_i64().unwrap();
        let id = case["identifier"].as_str().unwrap();
        let expect = Expect {
            sdkappid: APP,
            identifier: id,
            userbuf: None,
        };
        let info = verify::verify(
            case["sig"].as_str().unwrap(),
            &VerifyKey::Secret(secret()),
            &expect,
            &FixedClock::at(init),
        )
        .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert_eq!(
            (info.init_time, info.expire),
            (init, case["expire"].as_i64().unwrap())
        );
        let room = match case.get("room_str") {
            Some(s) => Room::Named(s.as_str().unwrap().into()),
            None => Room::Numeric(case["room_id"].as_u64().unwrap() as u32),
        };
        let bits = case["privilege_map"].as_u64().unwrap() as u32;
        let pmk = verify::check_private_map_key(&info, &room, bits, init).unwrap();
        assert_eq!(
            pmk.expires_at as u64,
            case["map_key_expires_at"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            (pmk.account.as_str(), pmk.sdkappid, pmk.account_type),
            (id, APP, 0)
        );
        assert_eq!(pmk.privileges, bits);
        // Node's map key and its ticket share the one expire.
        assert_eq!(i64::from(pmk.expires_at), info.expires_at(), "{name}");
    }
}

#[test]
fn a_ticket_claiming_an_sdkappid_above_u32_is_malformed() {
    use usersig::envelope;
    use usersig::ticket::{self, Malformed};
    let clock = FixedClock::at(1_795_675_257);
    let v1_text = {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(fixture("vectors.json")).unwrap())
                .unwrap();
        let case = v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == "v1")
            .unwrap()
            .clone();
        ticket::json_text(case["sig"].as_str().unwrap().as_bytes())
            .unwrap()
            .1
    };
    assert!(v1_text.contains("\"1400001052\""), "{v1_text}");
    let v2_json = |app: &str| {
        format!(
            r#"{{"TLS.ver":"2.0","TLS.sdkappid":{app},"TLS.identifier":"xiaojun","TLS.time":1795675257,"TLS.expire":86400,"TLS.sig":"AAAA"}}"#
        )
    };
    for (json, field) in [
        (v2_json("4294967296"), "TLS.sdkappid"),
        (v2_json("18446744073709551615"), "TLS.sdkappid"),
        (
            v1_text.replace("\"1400001052\"", "\"4294967296\""),
            "TLS.sdk_appid",
        ),
    ] {
        let text = envelope::encode(json.as_bytes());
        let err = ticket::parse(&text, &clock).unwrap_err();
        assert_eq!(
            err,
            Malformed::BadValue {
                field,
                why: "is larger than 4294967295, which no sdkappid is"
            },
            "{json}"
        );
        let failure = verify_usersig(&secret(), APP, "xiaojun", &text).unwrap_err();
        assert_eq!(failure.code(), Some(70003));
    }
    // The largest sdkappid reads back as it is.
    let text = envelope::encode(v2_json("4294967295").as_bytes());
    assert_eq!(
        ticket::parse(&text, &clock).unwrap().info.sdkappid,
        u32::MAX
    );
}
