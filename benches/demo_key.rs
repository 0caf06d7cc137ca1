//! The demo key in fixtures/, which every bench signs with.

use usersig::keys::PrivateKey;

/// fixtures/ec_key.pem, loaded.
pub fn demo_key() -> PrivateKey {
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/ec_key.pem"
    ))
    .expect("fixtures/ec_key.pem");
    PrivateKey::from_pem(&pem).expect("the demo key")
}
