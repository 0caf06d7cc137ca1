use super::*;
use crate::clock::FixedClock;
use crate::issue::TicketRequest;
use crate::keys::PrivateKey;
use batch_ecdsa::BUILD_AFTER;

#[test]
fn a_batch_judges_v1_tickets_as_check_text_does_before_and_after_its_table() {
    let signer = PrivateKey::generate().unwrap();
    let stranger = PrivateKey::generate().unwrap();
    let clock = FixedClock::at(1_795_675_257);
    let keys = [VerifyKey::Public(signer.public_key())];
    let both = [
        VerifyKey::Public(stranger.public_key()),
        VerifyKey::Public(signer.public_key()),
    ];
    let mut batch = BatchVerifier::new();
    let (mut accepted, mut strangers) = (0, 0);
    for i in 0..BUILD_AFTER + 40 {
        let id = format!("user{i}");
        let by = if i % 5 == 3 {
            strangers += 1;
            &stranger
        } else {
            &signer
        };
        let ticket = TicketRequest::new(1400001052, &id)
            .unwrap()
            .sign_v1(by, &clock)
            .unwrap();
        let expect = Expect {
            sdkappid: 1400001052,
            identifier: &id,
            userbuf: None,
        };
        for keys in [&keys[..], &both[..]] {
            let want = check_text(&ticket, keys, &expect, &clock);
            let got = batch.check_text(&ticket, keys, &expect, &clock);
            assert_eq!(got.verdict, want.verdict, "{i}");
            assert_eq!(got.info, want.info, "{i}");
            accepted += u32::from(got.verdict.is_ok());
        }
    }
    // Both keys were used often enough for tables.
    assert_eq!(batch.tables.built(), 2);
    // Every ticket is accepted with both keys, those of the signer with its key.
    let n = u32::try_from(BUILD_AFTER).unwrap() + 40;
    assert_eq!(accepted, n + n - strangers);
}

#[test]
fn a_chunk_judges_each_ticket_as_check_text_does() {
    let signer = PrivateKey::generate().unwrap();
    let stranger = PrivateKey::generate().unwrap();
    let secret =
        Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e").unwrap();
    let clock = FixedClock::at(1_795_675_257);
    let later = FixedClock::at(1_795_675_257 + 86400 * 400);
    let ids: Vec<String> = (0..700).map(|i| format!("user{i}")).collect();
    let tickets: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let request = TicketRequest::new(1400001052, id).unwrap();
            let mut text = match i % 7 {
                0 => request.sign_v2(&secret, &clock).unwrap(),
                1 => request.sign_v1(&stranger, &clock).unwrap(),
                _ => request.sign_v1(&signer, &clock).unwrap(),
            };
            match i % 11 {
                // Cut short, or the ticket of the next identifier.
                4 => text.truncate(text.len() - 3),
                5 => text = "not a ticket".to_owned(),
                _ => {}
            }
            text
        })
        .collect();
    // Every other ticket expected for the identifier after its own.
    let items: Vec<(&str, Expect<'_>)> = tickets
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let identifier = &ids[if i % 13 == 6 { (i + 1) % ids.len() } else { i }];
            let expect = Expect {
                sdkappid: 1400001052,
                identifier,
                userbuf: None,
            };
            (text.as_str(), expect)
        })
        .collect();
    let key_sets = [
        vec![VerifyKey::Public(signer.public_key())],
        vec![
            VerifyKey::Secret(secret.clone()),
            VerifyKey::Public(stranger.public_key()),
            VerifyKey::Public(signer.public_key()),
        ],
        vec![VerifyKey::Secret(secret.clone())],
    ];
    for keys in &key_sets {
        for clock in [&clock, &later] {
            let want: Vec<Checked> = items
                .iter()
                .map(|(text, expect)| check_text(text, keys, expect, clock))
                .collect();
            let valid = want.iter().filter(|c| c.verdict.is_ok()).count();
            if clock.now() == 1_795_675_257 {
                assert!(valid >= 50, "{valid}");
            } else {
                assert_eq!(valid, 0);
            }
            // Chunks of any size, through one verifier and its clone: the same.
            let first = BatchVerifier::new();
            for size in [1, 5, 512, items.len()] {
                let mut batch = first.clone();
                let mut got = Vec::new();
                for chunk in items.chunks(size) {
                    batch.check_chunk(chunk, keys, clock, &mut got);
                }
                assert_eq!(got.len(), want.len());
                for (i, (got, want)) in got.iter().zip(&want).enumerate() {
                    assert_eq!(got.verdict, want.verdict, "{i}, chunks of {size}");
                    assert_eq!(got.info, want.info, "{i}");
                    assert_eq!(got.now, want.now);
                }
            }
            // The clones shared their tables: one a key used often enough.
            let v1_keys = keys
                .iter()
                .filter(|k| matches!(k, VerifyKey::Public(_)))
                .count();
            assert_eq!(first.tables.built(), v1_keys);
        }
    }
}

#[test]
fn clones_build_each_table_once_between_them() {
    let signer = PrivateKey::generate().unwrap();
    let clock = FixedClock::at(1_795_675_257);
    let keys = [VerifyKey::Public(signer.public_key())];
    let expect = Expect {
        sdkappid: 1400001052,
        identifier: "alice",
        userbuf: None,
    };
    let ticket = TicketRequest::new(1400001052, "alice")
        .unwrap()
        .sign_v1(&signer, &clock)
        .unwrap();
    let first = BatchVerifier::new();
    let (mut a, mut b) = (first.clone(), first.clone());
    // Neither alone reaches the count; together they do, and the next builds it.
    for _ in 0..BUILD_AFTER / 2 {
        assert!(
            a.check_text(&ticket, &keys, &expect, &clock)
                .verdict
                .is_ok()
        );
    }
    for _ in 0..BUILD_AFTER - BUILD_AFTER / 2 {
        assert!(
            b.check_text(&ticket, &keys, &expect, &clock)
                .verdict
                .is_ok()
        );
    }
    assert_eq!(first.tables.built(), 0);
    assert!(
        a.check_text(&ticket, &keys, &expect, &clock)
            .verdict
            .is_ok()
    );
    assert_eq!(first.tables.built(), 1);
    assert!(
        b.check_text(&ticket, &keys, &expect, &clock)
            .verdict
            .is_ok()
    );
    assert_eq!(b.tables.built(), 1);
}
