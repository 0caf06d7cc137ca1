//! What the library's tests share: the demo secret, the repository's fixtures, the
//! system clock, and a decoder for ticket text that does not use the library.

use std::io::Read;
use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

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

/// Decode ticket text without the library: undo the character swap, base64, inflate.
pub fn decode_independently(text: &str) -> String {
    let std_b64: String = text
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| match c {
            '*' => '+',
            '-' => '/',
            '_' => '=',
            c => c,
        })
        .collect();
    let compressed = STANDARD.decode(std_b64).expect("base64");
    let mut json = String::new();
    flate2::read::ZlibDecoder::new(&compressed[..])
        .read_to_string(&mut json)
        .expect("zlib");
    json
}
