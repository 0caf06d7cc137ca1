//! The typed API's promises, one by one: the rules on values, the codes of verdicts,
//! the PrivateMapKey layout, and what `Debug` and `Display` show.

use std::error::Error as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use usersig::{
    ErrorKind, PrivateKey, Privileges, PublicKey, Room, SdkAppId, Secret, Signer, Verifier, Version,
};

const SECRET: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
const DAY: Duration = Duration::from_secs(86_400);

fn fixture(name: &str) -> String {
    let path = format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

fn app() -> SdkAppId {
    SdkAppId::new(1400001052).unwrap()
}

fn signer() -> Signer {
    Signer::v2(app(), Secret::from_text(SECRET).unwrap())
}

fn verifier() -> Verifier {
    Verifier::v2(app(), Secret::from_text(SECRET).unwrap())
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_secs()
}

#[test]
fn every_public_type_is_send_sync_and_static() {
    fn shared<T: Send + Sync + 'static>() {}
    shared::<Signer>();
    shared::<Verifier>();
    shared::<usersig::Error>();
    shared::<usersig::TicketInfo>();
    shared::<usersig::PrivateMapKey>();
    shared::<Secret>();
    shared::<PrivateKey>();
    shared::<PublicKey>();
    let boxed: Box<dyn std::error::Error + Send + Sync + 'static> =
        Box::new(SdkAppId::new(0).unwrap_err());
    assert!(boxed.to_string().contains("breaks a rule"), "{boxed}");
}

#[test]
fn a_validity_is_whole_seconds_from_one_second_to_fifty_years() {
    let s = signer();
    for ok in [1, 60, 86_400, 1_576_800_000] {
        let ticket = s.gen_user_sig("xiaojun", Duration::from_secs(ok)).unwrap();
        let info = verifier().verify("xiaojun", &ticket).unwrap();
        let span = unix(info.expires_at()) - unix(info.issued_at());
        assert_eq!(span, ok);
    }
    for bad in [
        Duration::ZERO,
        Duration::from_millis(999),
        Duration::from_millis(1500),
        Duration::from_nanos(86_400_000_000_001),
        Duration::from_secs(1_576_800_001),
        Duration::from_secs(u64::from(u32::MAX) + 1),
        Duration::MAX,
    ] {
        for made in [
            s.gen_user_sig("xiaojun", bad),
            s.gen_user_sig_with_userbuf("xiaojun", bad, b"x"),
            s.gen_private_map_key("xiaojun", bad, Room::Id(1), Privileges::ENTER),
        ] {
            let err = made.unwrap_err();
            assert_eq!((err.kind(), err.code()), (ErrorKind::InvalidArgument, 0));
            let cause = err.source().unwrap().to_string();
            assert_eq!(
                cause,
                format!(
                    "the validity {bad:?} is not a whole number of seconds from 1 second to 50 years (1576800000 s, Tencent's maximum): a ticket holds whole seconds"
                )
            );
        }
    }
}

#[test]
fn an_sdkappid_is_1_to_u32_max() {
    assert_eq!(SdkAppId::new(u32::MAX).unwrap().get(), u32::MAX);
    assert_eq!("1".parse::<SdkAppId>().unwrap().get(), 1);
    for bad in ["0", "", "-1", "+5", " 5", "4294967296", "1e3"] {
        let err = bad.parse::<SdkAppId>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad:?}");
    }
    let err = SdkAppId::new(0).unwrap_err();
    assert_eq!(
        err.source().unwrap().to_string(),
        "sdkappid \"0\" is not a decimal number from 1 to 4294967295 (the app's SDKAppID in the console)"
    );
    assert_eq!(
        format!("{:?} {}", app(), app()),
        "SdkAppId(1400001052) 1400001052"
    );
}

#[test]
fn privileges_are_the_eight_trtc_bits() {
    let named = [
        (Privileges::CREATE, 1, "CREATE"),
        (Privileges::ENTER, 2, "ENTER"),
        (Privileges::SEND_AUDIO, 4, "SEND_AUDIO"),
        (Privileges::RECV_AUDIO, 8, "RECV_AUDIO"),
        (Privileges::SEND_VIDEO, 16, "SEND_VIDEO"),
        (Privileges::RECV_VIDEO, 32, "RECV_VIDEO"),
        (Privileges::SEND_SUB_VIDEO, 64, "SEND_SUB_VIDEO"),
        (Privileges::RECV_SUB_VIDEO, 128, "RECV_SUB_VIDEO"),
    ];
    let mut all = Privileges::empty();
    for (p, bits, name) in named {
        assert_eq!(p.bits(), bits);
        assert_eq!(format!("{p:?}"), format!("Privileges({name})"));
        assert_eq!(Privileges::from_bits(bits), Some(p));
        all |= p;
    }
    assert_eq!(all, Privileges::all());
    assert_eq!(Privileges::all().bits(), 255);
    assert_eq!(format!("{:?}", Privileges::empty()), "Privileges(empty)");
    assert!(Privileges::empty().is_empty() && !all.is_empty());
    let p = Privileges::ENTER | Privileges::RECV_VIDEO;
    assert_eq!(format!("{p:?}"), "Privileges(ENTER | RECV_VIDEO)");
    assert!(p.contains(Privileges::ENTER) && p.contains(Privileges::empty()));
    assert!(!p.contains(Privileges::ENTER | Privileges::SEND_VIDEO));
    assert_eq!(p & Privileges::ENTER, Privileges::ENTER);
    assert_eq!(Privileges::from_bits(256), None);
    assert_eq!(Privileges::from_bits(0), Some(Privileges::empty()));
}

/// The userbuf of a PrivateMapKey made here is byte for byte the layout Tencent's
/// libraries write, and reads back with every field.
#[test]
fn a_private_map_key_is_the_layout_tencent_writes() {
    let s = signer();
    let ttl = Duration::from_secs(3600);
    let cases = [
        (Room::Id(10000), Privileges::ENTER | Privileges::RECV_AUDIO),
        (Room::Id(0), Privileges::all()),
        (Room::Name("room-42".into()), Privileges::all()),
        (Room::Name("~".repeat(64)), Privileges::CREATE),
    ];
    for (room, privileges) in cases {
        let ticket = s
            .gen_private_map_key("xiaojun", ttl, room.clone(), privileges)
            .unwrap();
        let info = verifier()
            .verify_private_map_key("xiaojun", &ticket, room.clone(), privileges)
            .unwrap();
        let key = info.private_map_key().expect("a PrivateMapKey");
        assert_eq!(key.identifier(), "xiaojun");
        assert_eq!(key.sdkappid(), 1400001052);
        assert_eq!(key.room(), &room);
        assert_eq!(key.privileges(), privileges);
        assert_eq!(key.expires_at(), info.expires_at());
        // The layout: version, account, sdkappid, room id, expiry, bits, account type,
        // and for a string room its length and bytes, all big-endian.
        let (version, id, name) = match &room {
            Room::Id(id) => (0u8, *id, None),
            Room::Name(name) => (1, 0, Some(name.as_str())),
            _ => unreachable!(),
        };
        let mut want = vec![version, 0, 7];
        want.extend_from_slice(b"xiaojun");
        let expiry = u32::try_from(unix(info.expires_at())).unwrap();
        for field in [1400001052, id, expiry, privileges.bits(), 0] {
            want.extend_from_slice(&u32::to_be_bytes(field));
        }
        if let Some(name) = name {
            want.extend_from_slice(&u16::try_from(name.len()).unwrap().to_be_bytes());
            want.extend_from_slice(name.as_bytes());
        }
        assert_eq!(info.userbuf(), Some(&want[..]), "{room:?}");
    }
    for bad in ["", "tab\there", "é", &"r".repeat(65)] {
        let err = s
            .gen_private_map_key("xiaojun", ttl, Room::Name(bad.into()), Privileges::ENTER)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad:?}");
    }
}

#[test]
fn a_private_map_key_grants_only_its_room_and_bits() {
    let ticket = signer()
        .gen_private_map_key("xiaojun", DAY, Room::Id(7), Privileges::ENTER)
        .unwrap();
    let plain = signer().gen_user_sig("xiaojun", DAY).unwrap();
    let v = verifier();
    let refused = |ticket: &str, room: Room, privileges| {
        let err = v
            .verify_private_map_key("xiaojun", ticket, room, privileges)
            .unwrap_err();
        (err.kind(), err.code(), err.source().unwrap().to_string())
    };
    let (kind, code, cause) = refused(&ticket, Room::Id(8), Privileges::ENTER);
    assert_eq!((kind, code), (ErrorKind::PrivateMapKey, 0));
    assert!(
        cause.starts_with("the ticket's PrivateMapKey grants room id 7, not room id 8"),
        "{cause}"
    );
    let (kind, _, cause) = refused(&ticket, Room::Name("7".into()), Privileges::ENTER);
    assert_eq!(kind, ErrorKind::PrivateMapKey, "{cause}");
    let (_, _, cause) = refused(
        &ticket,
        Room::Id(7),
        Privileges::ENTER | Privileges::SEND_AUDIO,
    );
    assert!(
        cause.contains("grants privilege map 2 but not 4 (send audio)"),
        "{cause}"
    );
    let (kind, _, cause) = refused(&plain, Room::Id(7), Privileges::ENTER);
    assert_eq!(kind, ErrorKind::PrivateMapKey);
    assert!(
        cause.starts_with("the ticket carries no PrivateMapKey"),
        "{cause}"
    );
    // The ticket's own verdict comes first.
    let (kind, code, _) = refused(&ticket[1..], Room::Id(7), Privileges::ENTER);
    assert_eq!((kind, code), (ErrorKind::Malformed, 70003));
    // Unknown bits in a map key made elsewhere are kept and shown.
    let secret = Secret::from_text(SECRET).unwrap();
    let odd = usersig::gen_private_map_key(&secret, 1400001052, "xiaojun", 60, 7, 2 | 256).unwrap();
    let info = v
        .verify_private_map_key("xiaojun", &odd, Room::Id(7), Privileges::ENTER)
        .unwrap();
    let granted = info.private_map_key().unwrap().privileges();
    assert_eq!(format!("{granted:?}"), "Privileges(ENTER | 0x100)");
    assert_eq!(granted.bits(), 258);
}

#[test]
fn each_verdict_has_its_kind_server_code_and_cause() {
    let v = verifier();
    let ticket = signer().gen_user_sig("xiaojun", DAY).unwrap();
    let info = v.verify("xiaojun", &ticket).unwrap();
    let other_secret = fixture("other_secret.txt");
    let v1 = Signer::v1(app(), PrivateKey::from_pem(fixture("ec_key.pem")).unwrap())
        .gen_user_sig("xiaojun", DAY)
        .unwrap();
    let cases: Vec<(
        Result<usersig::TicketInfo, usersig::Error>,
        ErrorKind,
        u32,
        &str,
    )> = vec![
        (
            v.verify("xiaojun", "not a ticket"),
            ErrorKind::Malformed,
            70003,
            "the UserSig cannot be read (server code 70003)",
        ),
        (
            v.verify("xiaojun", ""),
            ErrorKind::Malformed,
            70003,
            "the UserSig cannot be read (server code 70003)",
        ),
        (
            Verifier::v2(app(), Secret::from_text(&other_secret).unwrap())
                .verify("xiaojun", &ticket),
            ErrorKind::BadSignature,
            70009,
            "the UserSig's signature does not verify with this key (server code 70009)",
        ),
        (
            v.verify("xiaojun", &v1),
            ErrorKind::BadSignature,
            70009,
            "the UserSig's signature does not verify with this key (server code 70009)",
        ),
        (
            v.verify("xiaojun2", &ticket),
            ErrorKind::IdentifierMismatch,
            70013,
            "the UserSig was made for another identifier (server code 70013)",
        ),
        (
            Verifier::v2(
                SdkAppId::new(1).unwrap(),
                Secret::from_text(SECRET).unwrap(),
            )
            .verify("xiaojun", &ticket),
            ErrorKind::SdkAppIdMismatch,
            70014,
            "the UserSig was made for another sdkappid (server code 70014)",
        ),
        (
            v.verify_at(
                "xiaojun",
                &ticket,
                info.expires_at() + Duration::from_secs(1),
            ),
            ErrorKind::Expired,
            70001,
            "the UserSig has expired (server code 70001)",
        ),
        (
            v.verify_with_userbuf("xiaojun", &ticket, b""),
            ErrorKind::UserbufMismatch,
            0,
            "the UserSig does not carry the userbuf given",
        ),
    ];
    for (i, (verdict, kind, code, shown)) in cases.into_iter().enumerate() {
        let err = verdict.unwrap_err();
        assert_eq!(
            (err.kind(), err.code(), err.to_string().as_str()),
            (kind, code, shown),
            "case {i}"
        );
        let cause = err.source().expect("the cause in detail").to_string();
        assert!(
            !cause.is_empty() && !cause.contains("--"),
            "case {i}: {cause}"
        );
    }
    // Valid up to and including its last second, judged to the second.
    let last = info.expires_at() + Duration::from_millis(999);
    assert!(v.verify_at("xiaojun", &ticket, last).is_ok());
    assert!(v.verify_at("xiaojun", &ticket, info.issued_at()).is_ok());
}

#[test]
fn what_a_valid_ticket_says() {
    let before = unix(SystemTime::now());
    let ticket = signer()
        .gen_user_sig_with_userbuf("xiaojun", DAY, b"\x00\xff")
        .unwrap();
    let after = unix(SystemTime::now());
    let info = verifier()
        .verify_with_userbuf("xiaojun", &ticket, b"\x00\xff")
        .unwrap();
    assert_eq!(info.identifier(), "xiaojun");
    assert_eq!(info.sdkappid(), app());
    assert_eq!(info.version(), Version::V2);
    assert!((before..=after).contains(&unix(info.issued_at())));
    assert_eq!(unix(info.expires_at()) - unix(info.issued_at()), 86_400);
    assert_eq!(info.userbuf(), Some(&b"\x00\xff"[..]));
    assert_eq!(info.private_map_key(), None);

    let private = fixture("private_pkcs8.pem");
    let public = fixture("public.pem");
    // Keys load from a String, a &str or bytes alike.
    let key = PrivateKey::from_pem(&private).unwrap();
    assert!(PrivateKey::from_pem(private.as_str()).is_ok());
    assert!(PrivateKey::from_pem(private.as_bytes()).is_ok());
    let v1 = Signer::v1(app(), key).gen_user_sig("xiaojun", DAY).unwrap();
    let info = Verifier::v1(app(), PublicKey::from_pem(public.into_bytes()).unwrap())
        .verify("xiaojun", &v1)
        .unwrap();
    assert_eq!(info.version(), Version::V1);
}

#[test]
fn debug_never_shows_a_key() {
    let private = fixture("ec_key.pem");
    let shown = [
        format!("{:?}", signer()),
        format!("{:?}", verifier()),
        format!(
            "{:?}",
            Signer::v1(app(), PrivateKey::from_pem(&private).unwrap())
        ),
        format!("{:?}", Secret::from_text(SECRET).unwrap()),
    ];
    for text in &shown {
        assert!(!text.contains(&SECRET[..16]), "{text}");
        assert!(text.contains("redacted"), "{text}");
    }
    assert_eq!(
        shown[0],
        "Signer { sdkappid: SdkAppId(1400001052), key: V2(Secret(64 bytes, redacted)) }"
    );
    assert_eq!(
        shown[2],
        "Signer { sdkappid: SdkAppId(1400001052), key: V1(PrivateKey(P-256, <redacted>)) }"
    );
}

#[test]
fn bad_values_are_errors_never_panics() {
    let s = signer();
    for id in ["", "小军", "tab\there", &"x".repeat(33)] {
        let err = s.gen_user_sig(id, DAY).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{id:?}");
    }
    let err = s
        .gen_user_sig_with_userbuf("xiaojun", DAY, &vec![7u8; 900_000])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(
        err.source()
            .unwrap()
            .to_string()
            .starts_with("the ticket would be ")
    );
    assert!(Secret::from_text(&fixture("public.pem")).is_err());
    assert!(Secret::from_text("").is_err());
    assert!(PublicKey::from_pem(SECRET).is_err());
    assert!(PrivateKey::from_pem(fixture("public.pem")).is_err());
    for text in ["", "{", "eJ", "eJ\u{0}", "{\"TLS.ver\":\"2.0\"}", "é"] {
        assert!(verifier().verify("xiaojun", text).is_err(), "{text:?}");
    }
}
