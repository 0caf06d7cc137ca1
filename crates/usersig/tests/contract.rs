//! The library contract: the example a backend writes runs against the library, and
//! the typed API keeps its promises.

#[path = "contract/typed_api.rs"]
mod typed_api;

use std::path::PathBuf;
use std::process::Command;

/// The example binary `cargo test` builds beside this test's own directory:
/// target/debug/deps/contract-HASH gives target/debug/examples/contract.
fn example(name: &str) -> PathBuf {
    let me = std::env::current_exe().expect("the test binary's path");
    let profile_dir = me
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test binary sits in target/PROFILE/deps");
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: `cargo test -p usersig` builds the examples (a run limited with --test does not; build it with `cargo build -p usersig --example {name}`)",
        path.display()
    );
    path
}

#[test]
fn the_contract_example_runs_and_prints_a_ticket() {
    for private in [
        "../../fixtures/ec_key.pem",
        "../../fixtures/private_pkcs8.pem",
    ] {
        let out = Command::new(example("contract"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "../../fixtures/secret.txt",
                private,
                "../../fixtures/public.pem",
            ])
            .output()
            .expect("the example starts");
        let stdout = String::from_utf8(out.stdout).expect("ticket text is ASCII");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{private}: {:?}\n{stderr}",
            out.status
        );
        assert_eq!(stderr, "", "{private}");
        // One line: the v2 ticket for alice, which verifies with the fixture secret.
        let ticket = stdout.strip_suffix('\n').expect("a line on stdout");
        assert!(!ticket.contains('\n'), "{stdout:?}");
        let secret = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/secret.txt"),
        )
        .unwrap();
        let app = usersig::SdkAppId::new(1400001052).unwrap();
        let verifier = usersig::Verifier::v2(app, usersig::Secret::from_text(&secret).unwrap());
        let info = verifier
            .verify("alice", ticket)
            .expect("the printed ticket verifies");
        assert_eq!(info.version(), usersig::Version::V2);
        assert_eq!(info.userbuf(), None);
    }
}

#[test]
fn the_contract_example_fails_cleanly_on_a_secret_that_is_a_key() {
    // A public key given as the secret: an error (exit 1 from main's Err), no panic.
    let out = Command::new(example("contract"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "../../fixtures/public.pem",
            "../../fixtures/ec_key.pem",
            "../../fixtures/public.pem",
        ])
        .output()
        .expect("the example starts");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(out.stdout, b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("Error: KeyMaterial("), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
