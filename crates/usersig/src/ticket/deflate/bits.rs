//! The bits of a deflate stream: an LSB-first bit writer, the fixed Huffman codes of
//! RFC 1951, the length and distance symbols, and zlib's Adler-32 checksum.

/// Longest match deflate can express.
pub(super) const MAX_MATCH: usize = 258;
/// Shortest match deflate can express.
pub(super) const MIN_MATCH: usize = 3;
/// The largest distance deflate can express.
pub(super) const WINDOW: usize = 32 * 1024;

/// Inputs up to this many bytes (every ticket's JSON) take the size-optimised path.
pub(super) const SMALL: usize = 1024;
/// Literal/length symbols (0..=285; 286 and 287 are never used).
pub(super) const LITLEN_SYMS: usize = 286;
/// Distance symbols.
pub(super) const DIST_SYMS: usize = 30;
/// End of block.
pub(super) const END_OF_BLOCK: usize = 256;

/// Fixed Huffman codes for literal/length symbols 0..=287, bit-reversed for an LSB-first
/// bit stream, with their lengths.
pub(super) const FIXED_LITLEN: [(u16, u8); 288] = {
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

/// Each byte with its bits reversed (x86 has no instruction for it; a lookup is a few
/// instructions where `reverse_bits` is a few dozen).
pub(super) const REVERSED_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).reverse_bits();
        b += 1;
    }
    t
};

/// Reverse the low `len` bits of `code` (which has no higher bits set).
pub(super) const fn reverse(code: u16, len: u8) -> u16 {
    if len <= 8 {
        // One byte (most codes).
        return ((REVERSED_BYTE[(code & 0xFF) as usize] as u32) >> (8 - len as u32)) as u16;
    }
    let reversed = (REVERSED_BYTE[(code & 0xFF) as usize] as u32) << 8
        | REVERSED_BYTE[(code >> 8) as usize] as u32;
    (reversed >> (16 - len as u32)) as u16
}

/// An LSB-first bit writer into a byte vector sized for the stream in advance (it grows
/// if that was too few).
pub(super) struct Bits {
    /// The bytes written (the first `len`), then room.
    pub(super) out: Vec<u8>,
    pub(super) len: usize,
    /// The bits not yet written (fewer than 32 between calls), and how many.
    pub(super) acc: u64,
    pub(super) n: u32,
}

impl Bits {
    /// A writer after the bytes `start`, with room for about `room` more bytes (it grows
    /// if that was too few).
    pub(super) fn new(start: &[u8], room: usize) -> Bits {
        // (Not `vec![0; ..]`: that is `calloc`, which bypasses the allocator's
        // per-thread cache; a ticket's stream is small, so zeroing it costs little.)
        let mut out = Vec::with_capacity(start.len() + room + 8);
        out.extend_from_slice(start);
        out.resize(start.len() + room + 8, 0);
        Bits {
            out,
            len: start.len(),
            acc: 0,
            n: 0,
        }
    }

    /// Append the low `count` (at most 32) bits of `bits`.
    #[inline]
    pub(super) fn put(&mut self, bits: u32, count: u32) {
        self.acc |= u64::from(bits) << self.n;
        self.n += count;
        if self.n >= 32 {
            if self.out.len() < self.len + 8 {
                self.out.resize(2 * self.out.len() + 8, 0);
            }
            if let Some(room) = self.out.get_mut(self.len..self.len + 4) {
                room.copy_from_slice(&(self.acc as u32).to_le_bytes());
            }
            self.len += 4;
            self.acc >>= 32;
            self.n -= 32;
        }
    }

    /// Flush the last partial byte (padding with zero bits) and return the bytes.
    pub(super) fn finish(mut self) -> Vec<u8> {
        let bytes = self.n.div_ceil(8) as usize;
        self.out.truncate(self.len);
        self.out.extend_from_slice(&self.acc.to_le_bytes()[..bytes]);
        self.out
    }
}

#[inline]
pub(super) fn literal(bits: &mut Bits, byte: u8) {
    let (code, len) = FIXED_LITLEN[usize::from(byte)];
    bits.put(u32::from(code), u32::from(len));
}

/// Emit a match of `len` (3..=258) bytes at `dist` (1..=32768) back, in the fixed codes.
#[inline]
pub(super) fn matched(bits: &mut Bits, len: usize, dist: usize) {
    let (sym, extra_len, extra) = length_code(len);
    let (code, code_len) = FIXED_LITLEN[sym];
    bits.put(u32::from(code), u32::from(code_len));
    if extra_len > 0 {
        bits.put(extra, extra_len);
    }
    // Distance: a 5-bit code with extra bits.
    let (dsym, dextra_len, dextra) = distance_code(dist);
    bits.put(u32::from(reverse(dsym as u16, 5)), 5);
    if dextra_len > 0 {
        bits.put(dextra, dextra_len);
    }
}

/// Adler-32 of `data` (RFC 1950).
pub(super) fn adler32(data: &[u8]) -> u32 {
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

/// The length symbol (257..=285) of a match length (3..=258), with its extra bits:
/// (symbol, number of extra bits, their value).
#[inline]
pub(super) fn length_code(len: usize) -> (usize, u32, u32) {
    let l = len - MIN_MATCH;
    if l < 8 {
        (257 + l, 0, 0)
    } else if l == 255 {
        (285, 0, 0)
    } else {
        let top = usize::BITS - 1 - l.leading_zeros(); // floor(log2(l)), 3..=7
        let extra_len = top - 2;
        let sym = 257 + 4 * (top as usize - 1) + ((l >> extra_len) & 3);
        (sym, extra_len, (l & ((1 << extra_len) - 1)) as u32)
    }
}

/// The distance symbol (0..=29) of a distance (1..=32768), with its extra bits.
#[inline]
pub(super) fn distance_code(dist: usize) -> (usize, u32, u32) {
    let d = dist - 1;
    if d < 4 {
        (d, 0, 0)
    } else {
        let top = usize::BITS - 1 - d.leading_zeros(); // floor(log2(d)), 2..=14
        let extra_len = top - 1;
        (
            2 * top as usize + ((d >> extra_len) & 1),
            extra_len,
            (d & ((1 << extra_len) - 1)) as u32,
        )
    }
}

/// Fixed distance codes: five bits each, bit-reversed.
pub(super) const FIXED_DIST: [(u16, u8); DIST_SYMS] = {
    let mut t = [(0u16, 0u8); DIST_SYMS];
    let mut sym = 0;
    while sym < DIST_SYMS {
        t[sym] = (reverse(sym as u16, 5), 5);
        sym += 1;
    }
    t
};

/// The fixed literal/length codes of the symbols deflate uses (0..=285).
pub(super) const FIXED_LITLEN_286: [(u16, u8); LITLEN_SYMS] = {
    let mut t = [(0u16, 0u8); LITLEN_SYMS];
    let mut sym = 0;
    while sym < LITLEN_SYMS {
        t[sym] = FIXED_LITLEN[sym];
        sym += 1;
    }
    t
};
