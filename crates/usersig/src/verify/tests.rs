use super::*;
use crate::clock::FixedClock;
use crate::issue::TicketRequest;

#[test]
fn check_text_judges_as_check_does() {
    let secret =
        Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e").unwrap();
    let clock = FixedClock::at(1_795_675_257);
    let good = TicketRequest::new(1400001052, "xiaojun")
        .unwrap()
        .sign_v2(&secret, &clock)
        .unwrap();
    let keys = [VerifyKey::Secret(secret)];
    let expect = Expect {
        sdkappid: 1400001052,
        identifier: "xiaojun",
        userbuf: None,
    };
    let other = Expect {
        identifier: "admin",
        ..expect
    };
    let later = FixedClock::at(1_795_675_257 + 86400 * 400);
    let mut batch = BatchVerifier::new();
    for text in [good.as_str(), &good[..good.len() - 4], "", "{\"a\":1}", "é"] {
        for (expect, clock) in [(&expect, &clock), (&other, &clock), (&expect, &later)] {
            let by_bytes = check(text.as_bytes(), &keys, expect, clock);
            let by_text = check_text(text, &keys, expect, clock);
            assert_eq!(by_bytes.info, by_text.info, "{text}");
            assert_eq!(by_bytes.verdict, by_text.verdict, "{text}");
            assert_eq!(by_bytes.now, by_text.now);
            let by_batch = batch.check_text(text, &keys, expect, clock);
            assert_eq!(by_batch.info, by_text.info, "{text}");
            assert_eq!(by_batch.verdict, by_text.verdict, "{text}");
            assert_eq!(by_batch.now, by_text.now);
        }
    }
    assert!(check_text(&good, &keys, &expect, &clock).verdict.is_ok());
    let not_text = check(b"eJ\xff", &keys, &expect, &clock);
    assert_eq!(
        not_text.verdict,
        Err(Failure::Malformed(Malformed::NotText))
    );
    assert_eq!(not_text.info, None);
}
