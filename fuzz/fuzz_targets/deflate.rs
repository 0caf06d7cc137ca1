//! Fuzz the crate's own zlib encoder against an independent inflater: whatever the
//! bytes, `deflate::zlib` must write one complete zlib stream that flate2 inflates back
//! to exactly those bytes (and the envelope must round-trip them).
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use tls_licence_tools::{deflate, envelope};

fuzz_target!(|data: &[u8]| {
    let z = deflate::zlib(data);
    let mut decoder = flate2::read::ZlibDecoder::new(&z[..]);
    let mut back = Vec::with_capacity(data.len());
    decoder
        .read_to_end(&mut back)
        .expect("flate2 inflates deflate::zlib's stream");
    assert_eq!(back, data, "the stream inflates to other bytes");
    assert_eq!(
        decoder.total_in(),
        z.len() as u64,
        "bytes follow the zlib stream"
    );
    if data.len() <= envelope::MAX_TICKET_BYTES {
        let text = envelope::encode(data);
        assert_eq!(envelope::decode(&text).as_deref(), Ok(data));
    }
});
