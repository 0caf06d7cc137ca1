//! A small, fast zlib (RFC 1950) compressor for ticket JSON: greedy LZ77 over a hash of
//! three bytes, then one final block with the fixed Huffman codes of RFC 1951.
//!
//! A ticket's JSON is a few hundred bytes. A general compressor spends most of its time
//! on that size building Huffman trees and clearing its tables (zlib: about 9 µs a
//! ticket here); this one needs neither, and compresses such JSON about as well as zlib
//! at level 1, which is what the C++ original uses (within a few bytes either way). Any
//! zlib decoder reads its output: the header is the one zlib writes at level 1
//! (`78 01`), so tickets still start `eAE`.

/// Longest match deflate can express.
const MAX_MATCH: usize = 258;
/// Shortest match deflate can express.
const MIN_MATCH: usize = 3;
/// The largest distance deflate can express.
const WINDOW: usize = 32 * 1024;

/// Fixed Huffman codes for literal/length symbols 0..=287, bit-reversed for an LSB-first
/// bit stream, with their lengths.
const FIXED_LITLEN: [(u16, u8); 288] = {
    let mut t = [(0u16, 0u8); 288];
    let mut sym = 0;
    while sym < 288 {
        let (code, len) = match sym {
            0..=143 => (0x30 + sym, 8),
            144..=255 => (0x190 + sym - 144, 9),
            256..=279 => (sym - 256, 7),
            _ => (0xC0 + sym - 280, 8),
        };
        t[sym] = (reverse(code as u16, len), len);
        sym += 1;
    }
    t
};

/// Reverse the low `len` bits of `code`.
const fn reverse(code: u16, len: u8) -> u16 {
    let mut out = 0;
    let mut i = 0;
    while i < len {
        out |= ((code >> i) & 1) << (len - 1 - i);
        i += 1;
    }
    out
}

/// An LSB-first bit writer into a byte vector.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    /// Append the low `count` (at most 16) bits of `bits`.
    #[inline]
    fn put(&mut self, bits: u32, count: u32) {
        self.acc |= u64::from(bits) << self.n;
        self.n += count;
        if self.n >= 32 {
            // Truncation keeps exactly the 32 bits being written.
            self.out.extend_from_slice(&(self.acc as u32).to_le_bytes());
            self.acc >>= 32;
            self.n -= 32;
        }
    }

    /// Flush the last partial byte (padding with zero bits) and return the bytes.
    fn finish(mut self) -> Vec<u8> {
        let bytes = self.n.div_ceil(8) as usize;
        self.out
            .extend_from_slice(&self.acc.to_le_bytes()[..bytes.min(8)]);
        self.out
    }
}

#[inline]
fn literal(bits: &mut Bits, byte: u8) {
    let (code, len) = FIXED_LITLEN[usize::from(byte)];
    bits.put(u32::from(code), u32::from(len));
}

/// Emit a match of `len` (3..=258) bytes at `dist` (1..=32768) back.
#[inline]
fn matched(bits: &mut Bits, len: usize, dist: usize) {
    // Length: symbol 257.. with extra bits (RFC 1951 3.2.5).
    let l = len - MIN_MATCH;
    let (sym, extra_len, extra) = if l < 8 {
        (257 + l, 0, 0)
    } else if l == 255 {
        (285, 0, 0)
    } else {
        let top = usize::BITS - 1 - l.leading_zeros(); // floor(log2(l)), 3..=7
        let extra_len = top - 2;
        let sym = 257 + 4 * (top as usize - 1) + ((l >> extra_len) & 3);
        (sym, extra_len, l & ((1 << extra_len) - 1))
    };
    let (code, code_len) = FIXED_LITLEN[sym];
    bits.put(u32::from(code), u32::from(code_len));
    if extra_len > 0 {
        bits.put(extra as u32, extra_len);
    }
    // Distance: a 5-bit code with extra bits.
    let d = dist - 1;
    let (dsym, dextra_len, dextra) = if d < 4 {
        (d, 0, 0)
    } else {
        let top = usize::BITS - 1 - d.leading_zeros(); // floor(log2(d)), 2..=14
        let extra_len = top - 1;
        (
            2 * top as usize + ((d >> extra_len) & 1),
            extra_len,
            d & ((1 << extra_len) - 1),
        )
    };
    bits.put(u32::from(reverse(dsym as u16, 5)), 5);
    if dextra_len > 0 {
        bits.put(dextra as u32, dextra_len);
    }
}

/// Adler-32 of `data` (RFC 1950).
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that can be summed before b could overflow.
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Compress `data` into a complete zlib stream.
///
/// ```
/// let z = tls_licence_tools::deflate::zlib(b"hello hello hello");
/// assert_eq!(&z[..2], &[0x78, 0x01]);
/// ```
pub fn zlib(data: &[u8]) -> Vec<u8> {
    let mut bits = Bits {
        out: Vec::with_capacity(data.len() + data.len() / 8 + 16),
        acc: 0,
        n: 0,
    };
    bits.out.extend_from_slice(&[0x78, 0x01]);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn inflate(z: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(z)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    /// A small deterministic pseudo-random generator for test data.
    fn xorshift(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn round_trips() {
        let mut seed = 0x1234_5678_9abc_def0;
        let mut cases: Vec<Vec<u8>> = vec![
            vec![],
            b"a".to_vec(),
            b"ab".to_vec(),
            b"abc".to_vec(),
            b"aaaa".to_vec(),
            vec![b'x'; 1000],
            vec![0xff; 70_000],
            br#"{"TLS.ver":"2.0","TLS.sdkappid":1400001052,"TLS.identifier":"xiaojun","TLS.time":1795675257,"TLS.expire":15552000,"TLS.sig":"UlpjNeED6Z/7sv8LzqJk8sAgF5VwNK9Gag/JTn7Qjio="}"#.to_vec(),
        ];
        for len in [1, 2, 3, 7, 100, 257, 258, 259, 1000, 40_000, 100_000] {
            // Random bytes, and low-entropy text with long and far matches.
            let random: Vec<u8> = (0..len).map(|_| xorshift(&mut seed) as u8).collect();
            let text: Vec<u8> = (0..len)
                .map(|_| b"abcd"[(xorshift(&mut seed) % 4) as usize])
                .collect();
            cases.push(random);
            cases.push(text);
        }
        // Matches at every length and at the distances where codes change.
        for dist in [
            1usize, 2, 3, 4, 5, 8, 9, 16, 257, 1024, 1025, 16_384, 24_577, 32_768,
        ] {
            let mut data: Vec<u8> = (0..dist).map(|_| xorshift(&mut seed) as u8).collect();
            let copy = data[..dist.min(258)].to_vec();
            data.extend_from_slice(&copy);
            cases.push(data);
        }
        for len in 3..=258 {
            let mut data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            data.push(0);
            data.extend_from_within(..len);
            cases.push(data);
        }
        for data in cases {
            let z = zlib(&data);
            assert_eq!(inflate(&z), data, "length {}", data.len());
        }
    }

    #[test]
    fn compresses_ticket_json_about_as_well_as_zlib_level_1() {
        // zlib level 1 makes 148 bytes of this (the C++ vector v2-cpp-gen2).
        let json = br#"{"TLS.ver":"2.0","TLS.sdkappid":1400001052,"TLS.identifier":"xiaojun","TLS.time":1795675257,"TLS.expire":15552000,"TLS.sig":"UlpjNeED6Z/7sv8LzqJk8sAgF5VwNK9Gag/JTn7Qjio="}"#;
        let len = zlib(json).len();
        assert!(len <= 160, "{len}");
    }

    #[test]
    fn adler32_known_values() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(adler32(&vec![0xff; 100_000]), {
            let (mut a, mut b) = (1u64, 0u64);
            for _ in 0..100_000 {
                a = (a + 255) % 65_521;
                b = (b + a) % 65_521;
            }
            ((b << 16) | a) as u32
        });
    }
}
