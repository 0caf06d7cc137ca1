//! A small zlib (RFC 1950) compressor for ticket JSON.
//!
//! Inputs of up to 1,024 bytes (a ticket's JSON is a few hundred) take the size path:
//! LZ77 over hash chains of 3-byte prefixes with one step of lazy matching, then one
//! final block in whichever form is smallest: dynamic Huffman codes built for the data
//! (from its frequencies evened out so that the code lengths form long runs, which the
//! block header writes in a few bits), the fixed codes of RFC 1951, or stored bytes. On
//! ticket JSON this makes streams about 3% smaller on average than zlib's default level
//! (the signature's base64 text is where a dynamic code wins: about six bits a
//! character instead of eight). Its tables live on the stack; the output is the one
//! allocation.
//!
//! Longer inputs take the fast path: greedy LZ77 over a hash of three bytes (one
//! candidate) and one block in the fixed codes, linear in the input.
//!
//! Many inputs alike (the tickets of a batch) can share one dynamic Huffman code
//! ([`SharedCode`]): learnt once from samples, its block header written once, so that
//! each input costs a greedy LZ77 pass and its bits. On a batch's ticket JSON that is a
//! third (v2) to half (v1) of the size path's work (about 11,000 instructions a v2
//! ticket, less than the fast path's 12,300), for streams within about 1% of the size
//! path's. A zlib reader
//! pays for a dynamic block, though: zlib-rs takes about three times as long to open one
//! as a block in the fixed codes (it builds its decoding tables from the header).
//!
//! Any zlib decoder reads the output: the header is the one zlib writes at level 1
//! (`78 01`; the level field is only a hint), so tickets still start `eAE`. The output
//! is a function of the input alone.
//!
//! Files: [`bits`] (the bit writer and the fixed codes), [`lz77`] (the matching pass of
//! the size path and of a shared code), [`huffman`] (dynamic codes and their header),
//! [`shared`] ([`SharedCode`]), [`fast`] (the fast path); this one picks the path and
//! writes the size path's block.

mod bits;
mod fast;
mod huffman;
mod lz77;
mod shared;
#[cfg(test)]
mod tests;

use bits::{Bits, FIXED_DIST, FIXED_LITLEN_286, adler32, distance_code, length_code};
use fast::zlib_fast;
use huffman::Dynamic;
use lz77::Parse;
pub use shared::SharedCode;

/// Longest match deflate can express.
const MAX_MATCH: usize = 258;
/// Shortest match deflate can express.
const MIN_MATCH: usize = 3;
/// The largest distance deflate can express.
const WINDOW: usize = 32 * 1024;

/// Inputs up to this many bytes (every ticket's JSON) take the size-optimised path.
const SMALL: usize = 1024;
/// Literal/length symbols (0..=285; 286 and 287 are never used).
const LITLEN_SYMS: usize = 286;
/// Distance symbols.
const DIST_SYMS: usize = 30;
/// End of block.
const END_OF_BLOCK: usize = 256;

/// How hard [`zlib_with`] works at making the stream small.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Effort {
    /// The size path for inputs of up to 1,024 bytes (on ticket JSON about 3% smaller
    /// than zlib's default level makes), the fast path for longer ones: what [`zlib`]
    /// does, and what every ticket made one at a time gets.
    #[default]
    Smallest,
    /// The fast path whatever the size: about a third of the size path's work, for
    /// streams a few percent larger (on ticket JSON, about 9% (v1) and 2% (v2) larger
    /// than zlib's default level), in the fixed codes (the cheapest block for a reader
    /// to open). For many tickets alike, a [`SharedCode`] is as cheap and smaller.
    Fast,
}

/// Compress `data` into a complete zlib stream.
///
/// Inputs of up to 1,024 bytes (a ticket's JSON is a few hundred) are compressed for
/// size (on ticket JSON, smaller than zlib's default level makes); longer ones for
/// speed (greedy matching, the fixed codes). The same as [`zlib_with`] at
/// [`Effort::Smallest`].
///
/// ```
/// let z = usersig::deflate::zlib(b"hello hello hello");
/// assert_eq!(&z[..2], &[0x78, 0x01]);
/// ```
pub fn zlib(data: &[u8]) -> Vec<u8> {
    zlib_with(data, Effort::Smallest)
}

/// Compress `data` into a complete zlib stream, with the given [`Effort`].
///
/// ```
/// use usersig::deflate::{Effort, zlib_with};
/// let json = br#"{"TLS.ver":"2.0","TLS.identifier":"xiaojun","TLS.sig":"UlpjNeED6Z/7sv8LzqJk8sAgF5VwNK9Gag/JTn7Qjio="}"#;
/// assert!(zlib_with(json, Effort::Smallest).len() <= zlib_with(json, Effort::Fast).len());
/// ```
pub fn zlib_with(data: &[u8], effort: Effort) -> Vec<u8> {
    if effort == Effort::Smallest && data.len() <= SMALL {
        zlib_small(data)
    } else {
        zlib_fast(data)
    }
}

/// The size-optimised path, for inputs of at most [`SMALL`] bytes: lazy matching over
/// hash chains, then one final block in whichever form is smallest: dynamic Huffman
/// codes built for the data, the fixed codes, or stored bytes (ties go to the fixed
/// codes, then to the dynamic ones).
fn zlib_small(data: &[u8]) -> Vec<u8> {
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
fn write_body(
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
