//! The size path: lazy matching, then the smallest of a dynamic, fixed or stored block.

use super::bits::{
    Bits, DIST_SYMS, END_OF_BLOCK, FIXED_DIST, FIXED_LITLEN_286, LITLEN_SYMS, MIN_MATCH, adler32,
    distance_code, length_code,
};
use super::huffman::Dynamic;
use super::lz77::Parse;

/// The size-optimised path, for inputs of at most [`SMALL`] bytes: lazy matching over
/// hash chains, then one final block in whichever form is smallest: dynamic Huffman
/// codes built for the data, the fixed codes, or stored bytes (ties go to the fixed
/// codes, then to the dynamic ones).
pub(super) fn zlib_small(data: &[u8]) -> Vec<u8> {
    let mut parse = Parse::new();
    parse.run(data);
    finish_small(data, &parse)
}

/// The block of [`zlib_small`] for `data` parsed into `parse`: dynamic, fixed or stored.
fn finish_small(data: &[u8], parse: &Parse) -> Vec<u8> {
    let dynamic = Dynamic::new(
        &parse.lit_freq.map(u32::from),
        &parse.dist_freq.map(u32::from),
    );
    let fixed_lits: [(u16, u8); LITLEN_SYMS] = FIXED_LITLEN_286;
    // (Counted as the pass went; here without BFINAL and BTYPE, as the others.)
    let fixed_bits = parse.fixed_bits - 3 + parse.extra_bits;
    let dynamic_bits =
        parse.extra_bits + dynamic.header_bits + dynamic.lit_bits + dynamic.dist_bits;
    // A stored block: its 3-bit header padded to a byte, LEN and NLEN, then the bytes.
    let stored_bits = 40 + 8 * data.len() as u32;

    // (The form chosen takes at most the stored block's bytes.)
    let mut bits = Bits::new(&[0x78, 0x01], data.len() + 16);
    if stored_bits < fixed_bits.min(dynamic_bits) + 3 {
        bits.put(0b001, 3); // BFINAL = 1, BTYPE = 00 (stored)
        let mut out = bits.finish();
        let len = data.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(data);
        out.extend_from_slice(&adler32(data).to_be_bytes());
        return out;
    }
    if fixed_bits <= dynamic_bits {
        bits.put(0b011, 3); // BFINAL = 1, BTYPE = 01 (fixed Huffman codes)
        write_body(&mut bits, data, parse, &fixed_lits, &FIXED_DIST);
    } else {
        bits.put(0b101, 3); // BFINAL = 1, BTYPE = 10 (dynamic Huffman codes)
        dynamic.write_header(&mut bits);
        write_body(
            &mut bits,
            data,
            parse,
            &dynamic.lit.codes,
            &dynamic.dist.codes,
        );
    }
    let mut out = bits.finish();
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

/// Write the literals and matches of `parse` over `data`, then the end-of-block symbol,
/// in the codes given.
pub(super) fn write_body(
    bits: &mut Bits,
    data: &[u8],
    parse: &Parse,
    lit: &[(u16, u8); LITLEN_SYMS],
    dist: &[(u16, u8); DIST_SYMS],
) {
    // Literals two at a time (two codes of at most 15 bits fit one `put`).
    let literals = |bits: &mut Bits, bytes: &[u8]| {
        let mut pairs = bytes.chunks_exact(2);
        for pair in pairs.by_ref() {
            let (c0, l0) = lit[usize::from(pair[0])];
            let (c1, l1) = lit[usize::from(pair[1])];
            bits.put(
                u32::from(c0) | u32::from(c1) << l0,
                u32::from(l0) + u32::from(l1),
            );
        }
        for &b in pairs.remainder() {
            let (code, len) = lit[usize::from(b)];
            bits.put(u32::from(code), u32::from(len));
        }
    };
    let mut i = 0;
    for &m in parse.matches() {
        let m = m as usize;
        let (at, len, d) = (m >> 18, (m >> 10 & 0xFF) + MIN_MATCH, (m & 0x3FF) + 1);
        literals(bits, &data[i..at]);
        // Each code with its extra bits in one `put` (at most 15 + 5 and 15 + 13 bits).
        let (sym, extra_len, extra) = length_code(len);
        let (code, code_len) = lit[sym];
        bits.put(
            u32::from(code) | extra << code_len,
            u32::from(code_len) + extra_len,
        );
        let (dsym, dextra_len, dextra) = distance_code(d);
        let (code, code_len) = dist[dsym];
        bits.put(
            u32::from(code) | dextra << code_len,
            u32::from(code_len) + dextra_len,
        );
        i = at + len;
    }
    literals(bits, &data[i..]);
    let (code, len) = lit[END_OF_BLOCK];
    bits.put(u32::from(code), u32::from(len));
}
