//! The fast path: greedy LZ77 over one candidate a hash, in the fixed codes.

use super::bits::{Bits, FIXED_LITLEN, MAX_MATCH, MIN_MATCH, WINDOW, adler32, literal, matched};

/// The general path: greedy LZ77 over a hash of three bytes (one candidate), one final
/// block in the fixed codes; linear in the input.
pub(super) fn zlib_fast(data: &[u8]) -> Vec<u8> {
    // (Nine bits a literal at most.)
    let mut bits = Bits::new(&[0x78, 0x01], data.len() + data.len() / 8 + 16);
    bits.put(0b011, 3); // BFINAL = 1, BTYPE = 01 (fixed Huffman codes)

    // A hash table of the last position (+1) of each 3-byte prefix, sized to the input.
    let table_bits = (usize::BITS - data.len().leading_zeros()).clamp(8, 15);
    let mut table = vec![0u32; 1 << table_bits];
    let hash = |at: usize| -> usize {
        let v = u32::from(data[at]) | u32::from(data[at + 1]) << 8 | u32::from(data[at + 2]) << 16;
        (v.wrapping_mul(0x9E37_79B1) >> (32 - table_bits)) as usize
    };

    let n = data.len();
    let mut i = 0;
    while i + MIN_MATCH <= n {
        let h = hash(i);
        let candidate = table[h] as usize;
        table[h] = (i + 1) as u32;
        if candidate != 0 {
            let c = candidate - 1;
            if i - c <= WINDOW && data[c..c + MIN_MATCH] == data[i..i + MIN_MATCH] {
                let max = MAX_MATCH.min(n - i);
                let mut len = MIN_MATCH;
                while len < max && data[c + len] == data[i + len] {
                    len += 1;
                }
                matched(&mut bits, len, i - c);
                let end = i + len;
                // Remember the positions the match covered, for later matches.
                for j in (i + 1)..end.min(n.saturating_sub(MIN_MATCH - 1)) {
                    table[hash(j)] = (j + 1) as u32;
                }
                i = end;
                continue;
            }
        }
        literal(&mut bits, data[i]);
        i += 1;
    }
    for &byte in &data[i..] {
        literal(&mut bits, byte);
    }
    bits.put(
        u32::from(FIXED_LITLEN[256].0),
        u32::from(FIXED_LITLEN[256].1),
    );
    let mut out = bits.finish();
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}
