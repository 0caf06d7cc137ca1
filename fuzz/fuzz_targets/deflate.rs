//! Fuzz the crate's own zlib encoder against an independent inflater: whatever the
//! bytes, `deflate::zlib` must write one complete zlib stream that flate2 inflates back
//! to exactly those bytes (and the envelope must round-trip them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use usersig::{deflate, envelope};

mod common;

fuzz_target!(|data: &[u8]| {
    common::assert_inflates_to(&deflate::zlib(data), data, "deflate::zlib");
    if data.len() <= envelope::MAX_TICKET_BYTES {
        let text = envelope::encode(data);
        assert_eq!(envelope::decode(&text).as_deref(), Ok(data));
    }
});
