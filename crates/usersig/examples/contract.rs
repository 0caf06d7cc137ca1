//! The library contract of issue 12: a backend that embeds `usersig` writes this.
//! usage: contract SECRET_FILE PRIVATE_PEM PUBLIC_PEM
use std::time::{Duration, SystemTime};
use usersig::{PrivateKey, Privileges, PublicKey, Room, SdkAppId, Secret, Signer, Verifier};

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync + 'static>>;

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let secret_text = std::fs::read_to_string(&args[1])?;
    let pem = std::fs::read_to_string(&args[2])?;
    let public = std::fs::read_to_string(&args[3])?;

    let app = SdkAppId::new(1400001052)?;
    assert!(SdkAppId::new(0).is_err(), "sdkappid 0 must be refused");
    let ttl = Duration::from_secs(86_400);

    // v2: the secret from the console
    let signer = Signer::v2(app, Secret::from_text(&secret_text)?);
    let verifier = Verifier::v2(app, Secret::from_text(&secret_text)?);
    let a: String = signer.gen_user_sig("alice", ttl)?;
    let b: String = signer.gen_user_sig_with_userbuf("alice", ttl, b"\x00binary\xff")?;
    let c: String = signer.gen_private_map_key(
        "alice",
        ttl,
        Room::Id(10000),
        Privileges::ENTER | Privileges::RECV_AUDIO,
    )?;
    let d: String = signer.gen_private_map_key(
        "alice",
        ttl,
        Room::Name("room-42".to_string()),
        Privileges::all(),
    )?;

    let info = verifier.verify("alice", &a)?;
    let left = info.expires_at().duration_since(SystemTime::now())?;
    assert!(
        left > Duration::from_secs(86_000) && left <= ttl,
        "expires_at is issue time + ttl"
    );
    let with_buf = verifier.verify("alice", &b)?;
    assert_eq!(
        with_buf.userbuf(),
        Some(&b"\x00binary\xff"[..]),
        "the userbuf comes back as bytes"
    );
    assert_eq!(info.userbuf(), None);
    verifier.verify_private_map_key("alice", &c, Room::Id(10000), Privileges::ENTER)?;
    verifier.verify_private_map_key(
        "alice",
        &d,
        Room::Name("room-42".to_string()),
        Privileges::RECV_VIDEO,
    )?;
    assert!(
        verifier
            .verify_private_map_key("alice", &c, Room::Id(10001), Privileges::ENTER)
            .is_err(),
        "another room"
    );
    assert!(
        verifier
            .verify_private_map_key("alice", &c, Room::Id(10000), Privileges::SEND_VIDEO)
            .is_err(),
        "a bit not granted"
    );
    assert!(
        verifier.verify("mallory", &a).is_err(),
        "another identifier"
    );
    let later = SystemTime::now() + Duration::from_secs(90_000);
    let expired = verifier
        .verify_at("alice", &a, later)
        .expect_err("expired at a later time");
    assert_eq!(
        expired.code(),
        70001,
        "an expired ticket is server code 70001"
    );
    let other = Verifier::v2(SdkAppId::new(1400001053)?, Secret::from_text(&secret_text)?);
    assert!(other.verify("alice", &a).is_err(), "another sdkappid");

    // v1: the app's own ECDSA key
    let signer1 = Signer::v1(app, PrivateKey::from_pem(&pem)?);
    let verifier1 = Verifier::v1(app, PublicKey::from_pem(&public)?);
    let e = signer1.gen_user_sig("bob", ttl)?;
    verifier1.verify("bob", &e)?;
    assert!(
        verifier.verify("bob", &e).is_err(),
        "a v1 ticket does not pass a v2 verifier"
    );

    // bad input is an error, never a panic
    assert!(
        Secret::from_text(&public).is_err(),
        "a public key is not a secret"
    );
    assert!(verifier.verify("alice", "not a ticket").is_err());
    let huge = vec![0u8; 2 << 20];
    assert!(
        signer
            .gen_user_sig_with_userbuf("alice", ttl, &huge)
            .is_err(),
        "a userbuf its own verifier would refuse"
    );

    // loaded once, shared by threads
    let shared = std::sync::Arc::new(signer);
    let hs: Vec<_> = (0..4)
        .map(|i| {
            let s = shared.clone();
            std::thread::spawn(move || s.gen_user_sig(&format!("u{i}"), ttl))
        })
        .collect();
    for (i, h) in hs.into_iter().enumerate() {
        verifier.verify(&format!("u{i}"), &h.join().expect("no panic")?)?;
    }
    println!("{a}");
    Ok(())
}
