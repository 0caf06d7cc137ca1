//! A small inflater for the zlib streams tickets are: stored blocks and blocks with the
//! fixed Huffman codes (what this crate's encoder writes, and what zlib writes for short
//! JSON). It only ever says "here is the output" or "not mine": a stream with a dynamic
//! Huffman block, or damaged in any way (bad header, bad code, a distance too far back,
//! a wrong checksum, input left over or missing, output over the cap) gets `None`, and
//! the full inflater ([`flate2`]) then reads it and names what is wrong. What this
//! accepts, that inflater reads to the same bytes (tests hold the two together).

/// Longest code of the fixed literal/length alphabet, in bits.
const LITLEN_BITS: u32 = 9;

/// The fixed literal/length code (RFC 1951 3.2.6) as a table indexed by the next nine
/// bits of the stream (least significant first): the symbol and the code's length.
const FIXED_LITLEN: [(u16, u8); 1 << LITLEN_BITS] = {
    let mut table = [(0u16, 0u8); 1 << LITLEN_BITS];
    let mut sym = 0;
    while sym < 288 {
        let (code, len) = match sym {
            0..=143 => (0x30 + sym, 8),
            144..=255 => (0x190 + sym - 144, 9),
            256..=279 => (sym - 256, 7),
            _ => (0xC0 + sym - 280, 8),
        };
        let reversed = reverse(code as u32, len);
        let mut fill = 0;
        while fill < 1 << (LITLEN_BITS - len) {
            table[(reversed | fill << len) as usize] = (sym as u16, len as u8);
            fill += 1;
        }
        sym += 1;
    }
    table
};

/// Reverse the low `len` bits of `code`.
const fn reverse(code: u32, len: u32) -> u32 {
    let mut out = 0;
    let mut i = 0;
    while i < len {
        out |= ((code >> i) & 1) << (len - 1 - i);
        i += 1;
    }
    out
}

/// Length symbols 257..=285: the base length and the number of extra bits.
const LENGTHS: [(u16, u8); 29] = [
    (3, 0),
    (4, 0),
    (5, 0),
    (6, 0),
    (7, 0),
    (8, 0),
    (9, 0),
    (10, 0),
    (11, 1),
    (13, 1),
    (15, 1),
    (17, 1),
    (19, 2),
    (23, 2),
    (27, 2),
    (31, 2),
    (35, 3),
    (43, 3),
    (51, 3),
    (59, 3),
    (67, 4),
    (83, 4),
    (99, 4),
    (115, 4),
    (131, 5),
    (163, 5),
    (195, 5),
    (227, 5),
    (258, 0),
];

/// Distance symbols 0..=29: the base distance and the number of extra bits.
const DISTANCES: [(u16, u8); 30] = [
    (1, 0),
    (2, 0),
    (3, 0),
    (4, 0),
    (5, 1),
    (7, 1),
    (9, 2),
    (13, 2),
    (17, 3),
    (25, 3),
    (33, 4),
    (49, 4),
    (65, 5),
    (97, 5),
    (129, 6),
    (193, 6),
    (257, 7),
    (385, 7),
    (513, 8),
    (769, 8),
    (1025, 9),
    (1537, 9),
    (2049, 10),
    (3073, 10),
    (4097, 11),
    (6145, 11),
    (8193, 12),
    (12289, 12),
    (16385, 13),
    (24577, 13),
];

/// A least-significant-bit-first reader over the input.
struct Bits<'a> {
    input: &'a [u8],
    /// The next byte of `input` not yet in `acc`.
    pos: usize,
    acc: u64,
    /// How many bits `acc` holds.
    n: u32,
}

impl Bits<'_> {
    /// Top up `acc` to at least 56 bits, or with what is left of the input.
    #[inline]
    fn refill(&mut self) {
        if let Some(chunk) = self.input.get(self.pos..self.pos + 8) {
            // Eight bytes at once: the whole bytes that fit count, and the bits of the
            // next byte above them are that byte's, read again by the next refill.
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.acc |= u64::from_le_bytes(word) << self.n;
            self.pos += ((63 - self.n) / 8) as usize;
            self.n |= 56;
            return;
        }
        while self.n <= 56 {
            let Some(&b) = self.input.get(self.pos) else {
                return;
            };
            self.acc |= u64::from(b) << self.n;
            self.pos += 1;
            self.n += 8;
        }
    }

    /// The next `count` (at most 32) bits, or `None` when the input ends first.
    #[inline]
    fn take(&mut self, count: u32) -> Option<u32> {
        if self.n < count {
            self.refill();
            if self.n < count {
                return None;
            }
        }
        let v = (self.acc & ((1u64 << count) - 1)) as u32;
        self.acc >>= count;
        self.n -= count;
        Some(v)
    }

    /// The next fixed literal/length symbol.
    #[inline]
    fn litlen(&mut self) -> Option<u16> {
        if self.n < LITLEN_BITS {
            self.refill();
        }
        // Past the end of the input the missing bits read as zeros: the code found must
        // then fit in the bits there are.
        let (sym, len) = FIXED_LITLEN[(self.acc & ((1 << LITLEN_BITS) - 1)) as usize];
        let len = u32::from(len);
        if len > self.n {
            return None;
        }
        self.acc >>= len;
        self.n -= len;
        Some(sym)
    }

    /// Drop the bits up to the next byte boundary, and return the offset of the next
    /// byte of the input not yet read (no bits are left buffered).
    fn byte_align(&mut self) -> usize {
        let at = self.pos - (self.n / 8) as usize;
        self.pos = at;
        self.acc = 0;
        self.n = 0;
        at
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

/// Inflate a complete zlib stream of stored and fixed-Huffman blocks, with nothing after
/// it, into `out` (cleared first), at most `cap` bytes; `None` for anything else (see
/// the module), with `out` then holding no meaning.
pub(super) fn inflate_simple(input: &[u8], cap: usize, out: &mut Vec<u8>) -> Option<()> {
    let (&cmf, &flg) = (input.first()?, input.get(1)?);
    if cmf & 0x0f != 8
        || cmf >> 4 > 7
        || flg & 0x20 != 0
        || (u16::from(cmf) << 8 | u16::from(flg)) % 31 != 0
    {
        return None;
    }
    out.clear();
    out.reserve((input.len() * 4).min(cap));
    let mut bits = Bits {
        input,
        pos: 2,
        acc: 0,
        n: 0,
    };
    loop {
        let last = bits.take(1)? == 1;
        match bits.take(2)? {
            0 => {
                let at = bits.byte_align();
                let header = input.get(at..at + 4)?;
                let len = u16::from_le_bytes([header[0], header[1]]);
                let nlen = u16::from_le_bytes([header[2], header[3]]);
                if nlen != !len {
                    return None;
                }
                let data = input.get(at + 4..at + 4 + usize::from(len))?;
                if out.len() + data.len() > cap {
                    return None;
                }
                out.extend_from_slice(data);
                bits.pos = at + 4 + data.len();
            }
            1 => loop {
                // Most of a ticket is literals with 8-bit codes (bytes 0 to 143): taken
                // with a fixed shift, the next code can be looked up before this one's
                // length has been loaded (the branch is predicted, not waited for).
                if bits.n < LITLEN_BITS {
                    bits.refill();
                }
                let (sym, len) = FIXED_LITLEN[(bits.acc & ((1 << LITLEN_BITS) - 1)) as usize];
                if len == 8 && sym < 256 && bits.n >= 8 {
                    bits.acc >>= 8;
                    bits.n -= 8;
                    if out.len() >= cap {
                        return None;
                    }
                    out.push(sym as u8);
                    continue;
                }
                let sym = bits.litlen()?;
                if sym < 256 {
                    if out.len() >= cap {
                        return None;
                    }
                    out.push(sym as u8);
                    continue;
                }
                if sym == 256 {
                    break;
                }
                let &(base, extra) = LENGTHS.get(usize::from(sym - 257))?;
                let extra_value = bits.take(u32::from(extra))?;
                // 227 + 31 is not a length deflate can mean (258 has its own symbol).
                if sym == 284 && extra_value == 31 {
                    return None;
                }
                let len = usize::from(base) + extra_value as usize;
                let dsym = reverse(bits.take(5)?, 5) as usize;
                let &(dbase, dextra) = DISTANCES.get(dsym)?;
                let dist = usize::from(dbase) + bits.take(u32::from(dextra))? as usize;
                if dist > out.len() || out.len() + len > cap {
                    return None;
                }
                let from = out.len() - dist;
                if dist >= len {
                    out.extend_from_within(from..from + len);
                } else {
                    for i in from..from + len {
                        out.push(out[i]);
                    }
                }
            },
            _ => return None,
        }
        if last {
            break;
        }
    }
    let at = bits.byte_align();
    let trailer: [u8; 4] = input.get(at..)?.try_into().ok()?;
    (u32::from_be_bytes(trailer) == adler32(out)).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use proptest::prelude::*;
    use std::io::{Read, Write};

    fn inflate_simple(input: &[u8], cap: usize) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        super::inflate_simple(input, cap, &mut out).map(|()| out)
    }

    /// What the full inflater makes of `z` (with nothing after the stream).
    fn full(z: &[u8]) -> Option<Vec<u8>> {
        let mut d = flate2::read::ZlibDecoder::new(z);
        let mut out = Vec::new();
        d.read_to_end(&mut out).ok()?;
        (d.total_in() == z.len() as u64).then_some(out)
    }

    fn zlib_at(data: &[u8], level: u32) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Compression::new(level));
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    const JSON: &[u8] = br#"{"TLS.ver":"2.0","TLS.sdkappid":1400001052,"TLS.identifier":"xiaojun","TLS.time":1795675257,"TLS.expire":15552000,"TLS.sig":"UlpjNeED6Z/7sv8LzqJk8sAgF5VwNK9Gag/JTn7Qjio="}"#;

    #[test]
    fn reads_what_the_encoders_write() {
        // This crate's encoder (fixed codes) and zlib's stored level.
        for data in [
            &b""[..],
            b"a",
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            JSON,
        ] {
            let ours = crate::deflate::zlib(data);
            assert_eq!(inflate_simple(&ours, 1 << 20).as_deref(), Some(data));
            let stored = zlib_at(data, 0);
            assert_eq!(inflate_simple(&stored, 1 << 20).as_deref(), Some(data));
            // zlib's other levels choose fixed or dynamic codes by size: read, or left.
            for level in [1, 6, 9] {
                let z = zlib_at(data, level);
                let out = inflate_simple(&z, 1 << 20);
                assert!(out.is_none() || out.as_deref() == Some(data), "{level}");
            }
        }
        // Stored blocks of more than 64 KiB, in several blocks.
        let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert_eq!(inflate_simple(&zlib_at(&big, 0), 1 << 20), Some(big));
    }

    #[test]
    fn leaves_damage_and_the_unusual_to_the_full_inflater() {
        let good = crate::deflate::zlib(JSON);
        let mut cases: Vec<Vec<u8>> = vec![
            good[..good.len() - 1].to_vec(), // the checksum cut short
            [&good[..], &[0]].concat(),      // a byte after the stream
            good[..good.len() / 2].to_vec(), // cut in the middle
            vec![],
            vec![0x78],
        ];
        let mut bad_sum = good.clone();
        *bad_sum.last_mut().unwrap() ^= 1;
        cases.push(bad_sum);
        let mut bad_header = good.clone();
        bad_header[1] ^= 1;
        cases.push(bad_header);
        let mut dict = good.clone();
        dict[1] = 0xbb; // FDICT set, check bits right: 0x78bb % 31 == 0
        cases.push(dict);
        // A stored block whose length and its complement disagree.
        let mut stored = zlib_at(JSON, 0);
        assert_eq!(stored[2], 1, "one final stored block");
        stored[5] ^= 1;
        cases.push(stored);
        // A dynamic-Huffman block (zlib's choice for longer text).
        let text: Vec<u8> = JSON.repeat(40);
        let dynamic = zlib_at(&text, 9);
        assert_eq!(full(&dynamic), Some(text.clone()));
        cases.push(dynamic);
        for z in cases {
            assert_eq!(inflate_simple(&z, 1 << 20), None, "{z:?}");
        }
        // Over the cap.
        assert_eq!(inflate_simple(&good, JSON.len() - 1), None);
        assert_eq!(inflate_simple(&good, JSON.len()).as_deref(), Some(JSON));
        // A distance further back than the output so far: 0x78 0x01, fixed block, literal
        // 'a', then length 3 at distance 2.
        let mut far = vec![0x78, 0x01];
        {
            let mut acc = 0u64;
            let mut n = 0;
            let mut put = |v: u32, len: u32| {
                acc |= u64::from(v) << n;
                n += len;
            };
            put(1, 1);
            put(1, 2);
            put(reverse(0x30 + u32::from(b'a'), 8), 8);
            put(reverse(1, 7), 7); // symbol 257: length 3
            put(reverse(1, 5), 5); // distance 2
            put(0, 7); // end of block
            far.extend_from_slice(&acc.to_le_bytes()[..(n as usize).div_ceil(8)]);
        }
        far.extend_from_slice(&adler32(b"aaaa").to_be_bytes());
        assert_eq!(full(&far), None);
        assert_eq!(inflate_simple(&far, 1 << 20), None);
    }

    proptest! {
        /// Whatever this inflater reads, the full one reads to the same bytes: over
        /// streams of every encoder and level, damaged at random.
        #[test]
        fn agrees_with_the_full_inflater(
            data in prop::collection::vec(prop_oneof![any::<u8>(), Just(b'a'), Just(b'"')], 0..400),
            level in 0u32..=10,
            flips in prop::collection::vec((any::<prop::sample::Index>(), 0u8..8), 0..3),
            cut in any::<prop::sample::Index>(),
            cutting in any::<bool>(),
        ) {
            let mut z = if level == 10 { crate::deflate::zlib(&data) } else { zlib_at(&data, level) };
            if flips.is_empty() && !cutting {
                prop_assert_eq!(full(&z), Some(data.clone()));
                if let Some(out) = inflate_simple(&z, 1 << 20) {
                    prop_assert_eq!(out, data);
                }
            }
            for (at, bit) in flips {
                let i = at.index(z.len());
                z[i] ^= 1 << bit;
            }
            if cutting {
                z.truncate(cut.index(z.len() + 1));
            }
            if let Some(out) = inflate_simple(&z, 1 << 20) {
                prop_assert_eq!(Some(out), full(&z));
            }
        }
    }
}
