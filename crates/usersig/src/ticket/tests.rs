use super::*;
use crate::Secret;
use crate::clock::FixedClock;
use crate::keys::PrivateKey;
use crate::ticket;
use proptest::prelude::*;

const SECRET: &[u8] = b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

/// What a parse made, in parts (a ticket is not `PartialEq`).
type Parts = (ticket::TicketInfo, Vec<u8>, Vec<u8>);

fn parts(parsed: Result<Ticket, Malformed>) -> Result<Parts, Malformed> {
    parsed.map(|t| (t.info, t.signed_content, t.signature))
}

#[test]
fn tickets_parse_alike_through_the_reused_buffer() {
    let secret = Secret::new(SECRET).unwrap();
    let clock = FixedClock::at(1_795_675_257);
    let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    let claims = |identifier, userbuf| Claims {
        sdkappid: 1400001052,
        identifier,
        expire: 86400,
        userbuf,
    };
    let small = claims("xiaojun", None);
    let large = claims("other", Some(&big[..]));
    let mut reader = BatchReader::new();
    // Small, huge (its buffer is let go), small again, and a damaged one between.
    for (request, want_userbuf) in [(&small, None), (&large, Some(&big)), (&small, None)] {
        let text = envelope::encode(v2::ticket_json(&secret, request, clock.now).as_bytes());
        let ticket = reader.parse(&text, &clock).unwrap();
        assert_eq!(ticket.info.userbuf.as_ref(), want_userbuf);
        let direct = ticket::parse(&text, &clock);
        assert_eq!(parts(Ok(ticket)), parts(direct));
        assert!(reader.json.capacity() <= KEPT_BUFFER);
        let cut = &text[..text.len() - 8];
        assert_eq!(
            parts(reader.parse(cut, &clock)),
            parts(ticket::parse(cut, &clock))
        );
        assert!(reader.parse(cut, &clock).is_err());
    }
}

/// Ticket text of every kind: v1 and v2, with and without a userbuf, identifiers
/// plain, needing escapes or holding a control character, whole or damaged (cut, a
/// character changed, white space added), or the JSON itself (which reads as the
/// plain-JSON form, or is refused as a v2 ticket in it).
fn ticket_text() -> impl Strategy<Value = String> {
    let pem = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/ec_key.pem"
    ));
    let key = PrivateKey::from_pem(pem).unwrap();
    let secret = Secret::new(SECRET).unwrap();
    (
        prop_oneof!["[a-zA-Z0-9_@.-]{1,32}", "[ -~é\u{202e}\n\u{0}]{0,12}"],
        any::<bool>(),
        proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
        0u32..5,
        any::<u16>(),
        1u32..=86400,
    )
        .prop_map(move |(id, v1, userbuf, damage, at, expire)| {
            let claims = Claims {
                sdkappid: 1400001052,
                identifier: &id,
                expire,
                userbuf: userbuf.as_deref(),
            };
            let time = 1_795_675_257;
            let json = if v1 {
                v1::ticket_json(&key, &claims, time).unwrap()
            } else {
                v2::ticket_json(&secret, &claims, time)
            };
            let text = envelope::encode(json.as_bytes());
            let at = usize::from(at) % text.len();
            match damage {
                0 => text,
                1 => text[..at].to_owned(),
                2 => format!("{}A{}", &text[..at], &text[at + 1..]),
                3 => format!(" {}\n{} ", &text[..at], &text[at..]),
                _ => json,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    /// A batch reader reads every text to what the general path reads it to (the
    /// ticket, or the same fault), whatever it read before.
    #[test]
    fn a_batch_reader_reads_as_parse_does(texts in proptest::collection::vec(ticket_text(), 1..6)) {
        let clock = FixedClock::at(0);
        let mut reader = BatchReader::new();
        for text in &texts {
            prop_assert_eq!(parts(reader.parse(text, &clock)), parts(ticket::parse(text, &clock)), "{}", text);
        }
    }
}
