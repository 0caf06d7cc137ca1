//! Inflating a ticket's zlib stream, bounded by [`MAX_TICKET_BYTES`].

use flate2::{Decompress, FlushDecompress, Status};

use super::error::{EnvelopeError, MAX_TICKET_BYTES};

/// Inflate `input` with `z` (fresh or reset) into `out`, which is cleared first and whose
/// capacity is reused.
pub(super) fn inflate_with(
    z: &mut Decompress,
    input: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), EnvelopeError> {
    out.clear();
    let first = (input.len() * 4).clamp(256, MAX_TICKET_BYTES);
    if out.capacity() < first {
        out.reserve_exact(first);
    }
    loop {
        if out.len() == out.capacity() {
            if out.len() > MAX_TICKET_BYTES {
                return Err(EnvelopeError::InflatesTooLarge);
            }
            // Room for one byte past the cap, so "exactly at the cap" is told apart
            // from "over it".
            let want = (out.capacity() * 2).min(MAX_TICKET_BYTES + 1) - out.len();
            out.reserve_exact(want.max(1));
        }
        let consumed = usize::try_from(z.total_in()).unwrap_or(usize::MAX);
        let rest = input.get(consumed..).unwrap_or_default();
        let (in_before, out_before) = (z.total_in(), z.total_out());
        let status = z
            .decompress_vec(rest, out, FlushDecompress::None)
            .map_err(|e| EnvelopeError::NotZlib(zlib_reason(&e)))?;
        if out.len() > MAX_TICKET_BYTES {
            return Err(EnvelopeError::InflatesTooLarge);
        }
        match status {
            Status::StreamEnd => break,
            Status::Ok | Status::BufError => {
                let stalled = z.total_in() == in_before && z.total_out() == out_before;
                if stalled && out.len() < out.capacity() {
                    // No progress with room to spare: the input ran out mid-stream.
                    return Err(EnvelopeError::NotZlib("the stream is cut short".into()));
                }
            }
        }
    }
    if usize::try_from(z.total_in()).ok() != Some(input.len()) {
        return Err(EnvelopeError::TrailingData);
    }
    Ok(())
}

fn zlib_reason(e: &flate2::DecompressError) -> String {
    if e.needs_dictionary().is_some() {
        return "it needs a preset dictionary".into();
    }
    match e.message() {
        Some(m) => m.to_string(),
        None => "corrupt stream".into(),
    }
}
