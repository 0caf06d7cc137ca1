//! What the library's tests share: the demo secret, the repository's fixtures, the
//! system clock, and the CLI tests' decoder for ticket text that does not use the
//! library (tests/common/text.rs).

use std::path::PathBuf;

/// The demo secret (fixtures/secret.txt).
pub const SECRET: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

/// The path of a file in the repository's fixtures/.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures")).join(name)
}

/// The system clock, Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap()
}

#[path = "../../../../tests/common/text.rs"]
mod text;
pub use text::decode_independently;
