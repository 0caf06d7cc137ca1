//! The library with no randomness from the operating system.

use crate::common::{SECRET, fixture, now};
use crate::no_randomness;

/// What every signing call's error says (the CLI's line carries it too).
const NO_RANDOMNESS: &str =
    "the operating system's random number generator failed; nothing was signed";

/// With no randomness from the operating system (a sandbox that denies getrandom), every
/// library call that signs, loads a signing key or makes a key returns the error; none
/// panics, and v2 (no randomness needed) works on.
#[test]
fn no_randomness_is_an_error_from_every_signing_call() {
    use usersig::clock::FixedClock;
    use usersig::issue::{Error, TicketBatch, TicketRequest};
    use usersig::keys::{KeyError, PrivateKey};
    use usersig::{Secret, gen_private_map_key, gen_usersig, gen_usersig_with_userbuf};

    let pem = std::fs::read(fixture("ec_key.pem")).unwrap();
    let key = PrivateKey::from_pem(&pem).unwrap();
    let secret = Secret::new(SECRET.as_bytes()).unwrap();
    let clock = FixedClock::at(now());
    let request = TicketRequest::new(1400001052, "xiaojun").unwrap();
    let signing = Error::Signing(KeyError::NoRandomnessToSign);
    no_randomness::without_randomness(|| {
        assert_eq!(key.sign_der(b"content"), Err(KeyError::NoRandomnessToSign));
        assert_eq!(request.sign_v1(&key, &clock), Err(signing.clone()));
        assert_eq!(request.v1_json(&key, now()), Err(signing.clone()));
        assert_eq!(
            gen_usersig(&key, 1400001052, "xiaojun", 600),
            Err(signing.clone())
        );
        let with_userbuf = gen_usersig_with_userbuf(&key, 1400001052, "xiaojun", 600, b"x");
        assert_eq!(with_userbuf, Err(signing.clone()));
        let map_key = gen_private_map_key(&key, 1400001052, "xiaojun", 600, 7, 255);
        assert_eq!(map_key, Err(signing.clone()));
        assert_eq!(signing.to_string(), NO_RANDOMNESS);
        // A batch (its shared code too) leaves the buffer as it was.
        let batch = TicketBatch::v1(&key, 1400001052, 600, now()).unwrap();
        for batch in [batch.clone(), batch.with_shared_code()] {
            let mut out = b"before".to_vec();
            assert_eq!(batch.push_ticket("xiaojun", &mut out), Err(signing.clone()));
            assert_eq!(out, b"before");
        }
        // Loading a signing key draws randomness too: that, not the key, is blamed.
        assert_eq!(
            PrivateKey::from_pem(&pem).unwrap_err(),
            KeyError::NoRandomnessToSign
        );
        assert_eq!(PrivateKey::generate().unwrap_err(), KeyError::NoRandomness);
        assert!(gen_usersig(&secret, 1400001052, "xiaojun", 600).is_ok());
    });
    // With randomness back, the same key signs.
    assert!(gen_usersig(&key, 1400001052, "xiaojun", 600).is_ok());
}
