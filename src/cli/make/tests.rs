use super::*;
use usersig::Secret;
use usersig::keys::PrivateKey;

/// What a stop says and the exit status it gives.
fn stop(made: Result<Made, Stop>) -> (String, &'static str) {
    match made {
        Ok(_) => panic!("a ticket was made"),
        Err(Stop::Usage(m)) => (m, "usage (exit 2)"),
        Err(Stop::Io(m)) => (m, "I/O (exit 3)"),
        Err(_) => panic!("another stop"),
    }
}

/// A key loaded, then no randomness to sign with: an I/O stop, not a panic.
#[test]
fn no_randomness_to_sign_is_an_io_stop() {
    let pem = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ec_key.pem"));
    let signer = Signer::V1(PrivateKey::from_pem(pem).unwrap());
    let req = TicketRequest::new(1400001052, "xiaojun").unwrap();
    let got = no_randomness::without_randomness(|| stop(make(&req, &signer, &FixedClock::at(0))));
    let want = "the operating system's random number generator failed; nothing was signed";
    assert_eq!(got, (want.to_owned(), "I/O (exit 3)"));
    assert!(make(&req, &signer, &FixedClock::at(0)).is_ok());
}

/// A ticket larger than a verifier reads is a usage error, for either key.
#[test]
fn a_ticket_too_large_is_a_usage_stop() {
    let pem = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ec_key.pem"));
    let secret = b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
    let req = TicketRequest::new(1400001052, "xiaojun")
        .unwrap()
        .with_userbuf(&[0; 800_000]);
    for signer in [
        Signer::V1(PrivateKey::from_pem(pem).unwrap()),
        Signer::V2(Secret::new(secret).unwrap()),
    ] {
        let (message, status) = stop(make(&req, &signer, &FixedClock::at(0)));
        assert_eq!(status, "usage (exit 2)");
        assert!(
                message.starts_with("the ticket would be 106")
                    && message.ends_with(
                        " bytes, more than the 1048576 a verifier reads: make the userbuf (or the identifier) smaller"
                    ),
                "{message}"
            );
    }
}
