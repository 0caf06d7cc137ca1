//! One dynamic Huffman code for many inputs alike: [`SharedCode`].

use super::bits::{Bits, adler32};
use super::bits::{DIST_SYMS, LITLEN_SYMS, SMALL};
use super::fast::zlib_fast;
use super::huffman::Dynamic;
use super::lz77::Parse;
use super::small::{write_body, zlib_small};

/// `Σ f[s]·c[s]`, written for the compiler to vectorise: as 16-bit signed numbers, the
/// products pair up in SSE2's `pmaddwd` (every frequency and cost here is below 2^15, and
/// the sum below 2^31). A branch on each frequency would be mispredicted every few
/// symbols.
#[inline]
fn dot<const N: usize>(f: &[u16; N], c: &[u16; N]) -> u32 {
    let sum: i32 = f
        .iter()
        .zip(c)
        .map(|(&f, &c)| i32::from(f as i16) * i32::from(c as i16))
        .sum();
    sum as u32
}

/// One dynamic Huffman code made for many inputs alike (the tickets of one batch: the
/// same fields around another identifier and signature each), its block header written
/// once, so that each input costs only a greedy LZ77 pass and its bits: a third (v2) to
/// half (v1) of the size path's work on ticket JSON, for streams about 1% larger (on a
/// batch's ticket JSON, about 0.97 (v2) and 0.985 (v1) times what zlib's default level
/// makes). An input that uses a symbol the code lacks, or that the fixed codes or a
/// stored block would make smaller, takes the size path instead; the output is always a
/// complete zlib stream of the input.
///
/// ```
/// use usersig::deflate::{SharedCode, zlib};
/// let samples: Vec<String> = (0..32)
///     .map(|i| format!(r#"{{"TLS.identifier":"user{i:04}","TLS.sig":"{:x}"}}"#, i * 7919))
///     .collect();
/// let code = SharedCode::train(samples.iter().map(|s| s.as_bytes())).unwrap();
/// let json = br#"{"TLS.identifier":"user2024","TLS.sig":"beef"}"#;
/// let z = code.zlib(json);
/// assert_eq!(&z[..2], &[0x78, 0x01]);
/// assert!(z.len() <= zlib(json).len() + 8);
/// ```
#[derive(Clone)]
pub struct SharedCode {
    lit: [(u16, u8); LITLEN_SYMS],
    dist: [(u16, u8); DIST_SYMS],
    /// The length of each symbol's code, or [`ABSENT`] where it has none.
    lit_cost: [u16; LITLEN_SYMS],
    dist_cost: [u16; DIST_SYMS],
    /// The block's first bits (BFINAL, BTYPE and the dynamic header), LSB first: whole
    /// bytes, then `tail_bits` more bits in `tail`.
    head: Vec<u8>,
    tail: u32,
    tail_bits: u32,
}

/// The LZ77 pass of [`SharedCode`]: greedy, over chains of at most 8 positions (on ticket
/// JSON, v2 streams as small as lazy matching over 32 makes them, v1 streams 0.6% larger,
/// for 4% fewer instructions and 15% fewer mispredicted branches).
const SHARED_LAZY: bool = false;
const SHARED_CHAIN: usize = 8;

/// What a symbol without a code costs in [`SharedCode::bits`]: more bits than a stored
/// block of [`SMALL`] bytes takes, so that a block using such a symbol is never written
/// in the shared code, and small enough that no sum overflows.
const ABSENT: u16 = 1 << 14;

impl std::fmt::Debug for SharedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedCode")
            .field("header_bits", &self.header_bits())
            .finish_non_exhaustive()
    }
}

impl SharedCode {
    /// A code for inputs like `samples` (each of at most 1,024 bytes; longer ones are
    /// skipped), built from their mean symbol frequencies, scaled and evened out as the
    /// size path's are, so that symbols the samples use now and then (an identifier's or
    /// a signature's characters) still get a code: of the scales tried, the one whose
    /// code makes the samples smallest. `None` without a sample to learn from.
    pub fn train<'a>(samples: impl IntoIterator<Item = &'a [u8]>) -> Option<SharedCode> {
        let parses: Vec<Parse> = samples
            .into_iter()
            .filter(|s| s.len() <= SMALL)
            .map(|sample| {
                let mut parse = Parse::new();
                parse.run_with::<SHARED_LAZY, SHARED_CHAIN>(sample);
                parse
            })
            .collect();
        if parses.is_empty() {
            return None;
        }
        let mut lit_sum = [0u64; LITLEN_SYMS];
        let mut dist_sum = [0u64; DIST_SYMS];
        for parse in &parses {
            for (sum, &f) in lit_sum.iter_mut().zip(&parse.lit_freq) {
                *sum += u64::from(f);
            }
            for (sum, &f) in dist_sum.iter_mut().zip(&parse.dist_freq) {
                *sum += u64::from(f);
            }
        }
        let k = parses.len() as u64;
        // The mean times `half / 2`, rounded, and at least 1 for a symbol a sample used:
        // a small scale gives a short header, a large one codes closer to the samples'.
        (1..=8)
            .map(|half| {
                let scale = |sum: u64| -> u32 {
                    if sum == 0 {
                        0
                    } else {
                        ((half * sum + k) / (2 * k)).clamp(1, u64::from(u16::MAX)) as u32
                    }
                };
                let code = SharedCode::from_freq(&lit_sum.map(scale), &dist_sum.map(scale));
                let bits: u64 = parses
                    .iter()
                    .map(|p| u64::from(code.bits(p).min(p.fixed_bits + p.extra_bits)))
                    .sum();
                (bits, code)
            })
            .min_by_key(|(bits, _)| *bits)
            .map(|(_, code)| code)
    }

    /// The code [`Dynamic::new`] builds for these frequencies, with its header written.
    fn from_freq(lit_freq: &[u32; LITLEN_SYMS], dist_freq: &[u32; DIST_SYMS]) -> SharedCode {
        let dynamic = Dynamic::new(lit_freq, dist_freq);
        let mut bits = Bits::new(&[], 64);
        bits.put(0b101, 3); // BFINAL = 1, BTYPE = 10 (dynamic Huffman codes)
        dynamic.write_header(&mut bits);
        // Whole bytes out of the accumulator, the rest kept as bits.
        bits.out.truncate(bits.len);
        while bits.n >= 8 {
            bits.out.push(bits.acc as u8);
            bits.acc >>= 8;
            bits.n -= 8;
        }
        let cost = |&(_, len): &(u16, u8)| if len == 0 { ABSENT } else { u16::from(len) };
        SharedCode {
            lit_cost: dynamic.lit.codes.each_ref().map(cost),
            dist_cost: dynamic.dist.codes.each_ref().map(cost),
            lit: dynamic.lit.codes,
            dist: dynamic.dist.codes,
            head: bits.out,
            tail: bits.acc as u32,
            tail_bits: bits.n,
        }
    }

    /// The bits of the block `parse` makes in this code, header included (at least
    /// [`ABSENT`] if it uses a symbol the code lacks).
    fn bits(&self, parse: &Parse) -> u32 {
        // Sums over every symbol, without a branch (the compiler vectorises them): a
        // branch on each frequency would be mispredicted every few symbols.
        let lits = dot(&parse.lit_freq, &self.lit_cost);
        let dists = dot(&parse.dist_freq, &self.dist_cost);
        self.header_bits() + parse.extra_bits + lits + dists
    }

    /// The length of the block header in bits.
    fn header_bits(&self) -> u32 {
        8 * self.head.len() as u32 + self.tail_bits
    }

    /// Compress `data` into a complete zlib stream, in this code where it can.
    pub fn zlib(&self, data: &[u8]) -> Vec<u8> {
        if data.len() > SMALL {
            return zlib_fast(data);
        }
        let mut parse = Parse::new();
        parse.run_with::<SHARED_LAZY, SHARED_CHAIN>(data);
        let shared_bits = self.bits(&parse);
        let stored_bits = 3 + 40 + 8 * data.len() as u32;
        if shared_bits >= (parse.fixed_bits + parse.extra_bits).min(stored_bits) {
            // (Also where the code lacks a symbol: `bits` is then at least `ABSENT`.) The
            // size path, from its own pass.
            return zlib_small(data);
        }
        let mut bits = Bits::new(&[0x78, 0x01], (shared_bits as usize).div_ceil(8) + 4);
        bits.out[2..2 + self.head.len()].copy_from_slice(&self.head);
        bits.len += self.head.len();
        bits.put(self.tail, self.tail_bits);
        write_body(&mut bits, data, &parse, &self.lit, &self.dist);
        let mut out = bits.finish();
        out.extend_from_slice(&adler32(data).to_be_bytes());
        out
    }
}
