//! What the encoder targets check of a stream, in one place.

use std::io::Read;

/// `z` is one complete zlib stream that flate2 (an independent inflater) inflates to
/// exactly `data`, with no bytes after it; `who` names the encoder in the failure.
pub fn assert_inflates_to(z: &[u8], data: &[u8], who: &str) {
    let mut decoder = flate2::read::ZlibDecoder::new(z);
    let mut back = Vec::with_capacity(data.len());
    decoder
        .read_to_end(&mut back)
        .unwrap_or_else(|e| panic!("flate2 does not inflate {who}'s stream: {e}"));
    assert_eq!(back, data, "the stream inflates to other bytes");
    assert_eq!(
        decoder.total_in(),
        z.len() as u64,
        "bytes follow the zlib stream"
    );
}
