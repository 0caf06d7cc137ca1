use super::*;
use proptest::prelude::*;

#[test]
fn identifier_rules() {
    assert_eq!(check_identifier("xiaojun"), Ok(()));
    assert_eq!(check_identifier(&"a".repeat(32)), Ok(()));
    assert_eq!(check_identifier(r#"a "quoted" \ id~"#), Ok(()));
    assert_eq!(
        check_identifier(&"a".repeat(33)),
        Err(ArgError::IdentifierTooLong(33))
    );
    assert_eq!(check_identifier(""), Err(ArgError::IdentifierEmpty));
    assert_eq!(
        check_identifier("ab\ncd"),
        Err(ArgError::IdentifierControl { ch: '\n', at: 2 })
    );
    assert_eq!(
        check_identifier("a\u{7f}"),
        Err(ArgError::IdentifierControl {
            ch: '\u{7f}',
            at: 1
        })
    );
    assert_eq!(
        check_identifier("小军"),
        Err(ArgError::IdentifierNotPrintable(0))
    );
}

const SECRET: &[u8] = b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

/// What the one-ticket path makes (or refuses) for the same values.
fn single(sdkappid: u32, id: &str, any: bool, expire: u32) -> Result<TicketRequest, ArgError> {
    let request = if any {
        TicketRequest::any_identifier(sdkappid, id)
    } else {
        TicketRequest::new(sdkappid, id)
    };
    request.and_then(|r| r.with_expire(expire))
}

fn identifier() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,40}",
        any::<String>(),
        "[a-z\\\\\"\u{7f}\u{85}\n\u{202e}é]{0,8}",
    ]
}

proptest! {
    /// A v2 batch ticket is byte for byte the one-ticket path's, and an identifier is
    /// refused for the same rule, leaving the buffer as it was.
    #[test]
    fn a_v2_batch_ticket_is_the_single_ticket(
        id in identifier(),
        any in any::<bool>(),
        sdkappid in 1..=u32::MAX,
        expire in 1..=MAX_EXPIRE,
        time in 0..(1i64 << 40),
    ) {
        let secret = Secret::new(SECRET).unwrap();
        let mut batch = TicketBatch::v2(&secret, sdkappid, expire, time).unwrap();
        if any {
            batch = batch.allowing_any_identifier();
        }
        let want = single(sdkappid, &id, any, expire)
            .map_err(Error::from)
            .and_then(|r| r.sign_v2(&secret, &crate::clock::FixedClock::at(time)));
        let mut out = b"before".to_vec();
        let got = batch.push_ticket(&id, &mut out).map(|()| out[6..].to_vec());
        prop_assert_eq!(got, want.map(String::into_bytes));
        if batch.push_ticket(&id, &mut out).is_err() {
            prop_assert_eq!(&out[..], b"before");
        }
    }
}

/// A v1 batch ticket holds the one-ticket path's JSON exactly but for the signature
/// (ECDSA signatures are randomized), which verifies.
#[test]
fn a_v1_batch_ticket_is_the_single_ticket_but_for_the_signature() {
    use crate::clock::FixedClock;
    use crate::verify::{Expect, VerifyKey, verify};
    let pem = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/ec_key.pem"
    ));
    let key = PrivateKey::from_pem(pem).unwrap();
    let without_sig = |ticket: &str| {
        let json = envelope::decode(ticket).unwrap();
        let json = String::from_utf8(json).unwrap();
        let at = json.find(r#""TLS.sig":""#).unwrap();
        json[..at].to_owned()
    };
    let cases = [
        ("xiaojun", false, 1400001052, 86400, 1_795_675_257),
        ("a", false, 1, 1, 0),
        (r#"a "quoted" \ id~"#, false, u32::MAX, MAX_EXPIRE, 1 << 40),
        ("小军\u{202e}", true, 7, 15_552_000, 1_700_000_000),
        ("小军", false, 7, 60, 1_700_000_000),
        ("tab\there", true, 7, 60, 1_700_000_000),
        ("", true, 7, 60, 1_700_000_000),
    ];
    for (id, any, sdkappid, expire, time) in cases {
        let clock = FixedClock::at(time);
        let mut batch = TicketBatch::v1(&key, sdkappid, expire, time).unwrap();
        if any {
            batch = batch.allowing_any_identifier();
        }
        let got = batch.ticket(id);
        let want = single(sdkappid, id, any, expire)
            .map_err(Error::from)
            .and_then(|r| r.sign_v1(&key, &clock));
        match (got, want) {
            (Ok(got), Ok(want)) => {
                assert_eq!(without_sig(&got), without_sig(&want), "{id:?}");
                let expect = Expect {
                    sdkappid,
                    identifier: id,
                    userbuf: None,
                };
                let info =
                    verify(&got, &VerifyKey::Public(key.public_key()), &expect, &clock).unwrap();
                assert_eq!((info.init_time, info.expire), (time, i64::from(expire)));
            }
            (got, want) => assert_eq!(got.map(drop), want.map(drop), "{id:?}"),
        }
    }
}

#[test]
fn a_batch_checks_what_its_tickets_share() {
    let secret = Secret::new(SECRET).unwrap();
    assert_eq!(
        TicketBatch::v2(&secret, 0, 60, 0).unwrap_err(),
        ArgError::SdkAppId("0".into())
    );
    for expire in [0, MAX_EXPIRE + 1] {
        assert_eq!(
            TicketBatch::v2(&secret, 1, expire, 0).unwrap_err(),
            ArgError::Expire(expire.to_string())
        );
    }
}

/// The longest head of `userbuf` a v2 ticket takes: its ticket verifies, and one
/// byte more is refused with [`ArgError::TicketTooLarge`], where the verifier refuses
/// the ticket it would have made too (its JSON, or its text, is larger than it reads).
fn userbuf_boundary(userbuf: &[u8]) -> usize {
    use crate::clock::FixedClock;
    use crate::verify::{Expect, Failure, VerifyKey, verify};
    let secret = Secret::new(SECRET).unwrap();
    let clock = FixedClock::at(1_795_675_257);
    let request = |n: usize| {
        TicketRequest::new(1400001052, "xiaojun")
            .unwrap()
            .with_userbuf(&userbuf[..n])
    };
    // Made at lo, refused at hi: halve the gap to the two lengths side by side.
    let (mut lo, mut hi) = (0, userbuf.len());
    assert!(request(hi).sign_v2(&secret, &clock).is_err());
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        match request(mid).sign_v2(&secret, &clock) {
            Ok(_) => lo = mid,
            Err(_) => hi = mid,
        }
    }
    let key = VerifyKey::Secret(secret.clone());
    let expect = |n: usize| Expect {
        sdkappid: 1400001052,
        identifier: "xiaojun",
        userbuf: Some(&userbuf[..n]),
    };
    let made = request(lo).sign_v2(&secret, &clock).unwrap();
    let info = verify(&made, &key, &expect(lo), &clock).unwrap();
    assert_eq!(info.userbuf.as_deref(), Some(&userbuf[..lo]));
    let Err(Error::Argument(ArgError::TicketTooLarge(bytes))) =
        request(hi).sign_v2(&secret, &clock)
    else {
        panic!("one byte more is refused as too large");
    };
    assert!(bytes > MAX_TICKET_BYTES, "{bytes}");
    let unchecked = envelope::encode(request(hi).v2_json(&secret, clock.now).as_bytes());
    let refused = verify(&unchecked, &key, &expect(hi), &clock).unwrap_err();
    assert!(
        matches!(refused, Failure::Malformed(_)) && refused.code() == Some(70003),
        "{refused:?}"
    );
    lo
}

/// A userbuf that compresses to nothing is bounded by the JSON the verifier
/// inflates; one that does not compress, by the ticket text it reads.
#[test]
fn the_largest_userbuf_makes_a_ticket_the_verifier_takes() {
    assert!(userbuf_boundary(&[0; 900_000]) > 780_000);
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let noise: Vec<u8> = (0..900_000)
        .map(|_| {
            // xorshift64: the same bytes every run.
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect();
    let noise = userbuf_boundary(&noise);
    assert!((500_000..780_000).contains(&noise), "{noise}");
}

/// v1 tickets, the one-call API and batches (an identifier any length) are refused
/// alike, a batch leaving its buffer as it was.
#[test]
fn every_generator_refuses_a_ticket_too_large() {
    use crate::clock::FixedClock;
    let pem = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/ec_key.pem"
    ));
    let key = PrivateKey::from_pem(pem).unwrap();
    let secret = Secret::new(SECRET).unwrap();
    let big = vec![0u8; 800_000];
    let too_large = |made: Result<String, Error>| match made {
        Err(Error::Argument(ArgError::TicketTooLarge(n))) => n > MAX_TICKET_BYTES,
        _ => false,
    };
    let request = TicketRequest::new(1, "a").unwrap().with_userbuf(&big);
    assert!(too_large(request.sign_v1(&key, &FixedClock::at(0))));
    for made in [
        crate::gen_usersig_with_userbuf(&key, 1, "a", 60, &big),
        crate::gen_usersig_with_userbuf(&secret, 1, "a", 60, &big),
    ] {
        assert!(too_large(made));
    }
    let long = "x".repeat(MAX_TICKET_BYTES);
    let v1 = TicketBatch::v1(&key, 1, 60, 0).unwrap();
    let v2 = TicketBatch::v2(&secret, 1, 60, 0).unwrap();
    for batch in [
        v1.clone(),
        v1.with_shared_code(),
        v2.clone(),
        v2.with_shared_code(),
    ] {
        let batch = batch.allowing_any_identifier();
        let mut out = b"before".to_vec();
        assert!(too_large(
            batch.push_ticket(&long, &mut out).map(|()| String::new())
        ));
        assert_eq!(out, b"before");
    }
}

#[test]
fn sdkappid_message_names_the_rule_and_shortens() {
    let msg = parse_sdkappid(&"9".repeat(100)).unwrap_err().to_string();
    assert!(msg.contains("decimal number from 1 to 4294967295"), "{msg}");
    assert!(msg.len() < 200, "{msg}");
}

/// A batch compressed in its shared code holds, ticket for ticket, the JSON the
/// default batch holds: for identifiers like the samples, for ones needing escapes,
/// and (allowing any identifier) for ones of other characters or longer than any
/// sample, which take the size path.
#[test]
fn a_shared_code_batch_holds_the_same_tickets() {
    let secret =
        Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e").unwrap();
    let plain = TicketBatch::v2(&secret, 1400001052, 86400, 1795675257)
        .unwrap()
        .allowing_any_identifier();
    let shared = plain.clone().with_shared_code();
    let long = "x".repeat(300);
    let mut ids: Vec<String> = (0..200).map(|i| format!("user{i:07}")).collect();
    ids.extend(["a", "with \"quotes\" and \\", "中文名", "é", "tab\there?"].map(String::from));
    ids.push(long);
    let (mut smaller, mut n) = (0usize, 0usize);
    for id in &ids {
        let (a, b) = (plain.ticket(id), shared.ticket(id));
        if id.contains('\t') {
            assert!(a.is_err() && b.is_err(), "{id:?}");
            continue;
        }
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(envelope::decode(&a), envelope::decode(&b), "{id:?}");
        smaller += usize::from(b.len() <= a.len() + 4);
        n += 1;
    }
    // Within a few characters of the size path's, ticket for ticket.
    assert_eq!(smaller, n);
}
