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

/// Each byte with its bits reversed (x86 has no instruction for it; a lookup is a few
/// instructions where `reverse_bits` is a few dozen).
const REVERSED_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).reverse_bits();
        b += 1;
    }
    t
};

/// Reverse the low `len` bits of `code` (which has no higher bits set).
const fn reverse(code: u16, len: u8) -> u16 {
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
struct Bits {
    /// The bytes written (the first `len`), then room.
    out: Vec<u8>,
    len: usize,
    /// The bits not yet written (fewer than 32 between calls), and how many.
    acc: u64,
    n: u32,
}

impl Bits {
    /// A writer after the bytes `start`, with room for about `room` more bytes (it grows
    /// if that was too few).
    fn new(start: &[u8], room: usize) -> Bits {
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
    fn put(&mut self, bits: u32, count: u32) {
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
    fn finish(mut self) -> Vec<u8> {
        let bytes = self.n.div_ceil(8) as usize;
        self.out.truncate(self.len);
        self.out.extend_from_slice(&self.acc.to_le_bytes()[..bytes]);
        self.out
    }
}

#[inline]
fn literal(bits: &mut Bits, byte: u8) {
    let (code, len) = FIXED_LITLEN[usize::from(byte)];
    bits.put(u32::from(code), u32::from(len));
}

/// Emit a match of `len` (3..=258) bytes at `dist` (1..=32768) back, in the fixed codes.
#[inline]
fn matched(bits: &mut Bits, len: usize, dist: usize) {
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

/// Inputs up to this many bytes (every ticket's JSON) take the size-optimised path.
const SMALL: usize = 1024;
/// Hash bits of the head table of the size path and of a [`SharedCode`]'s pass: 1,024
/// heads for at most 1,024 positions, so that a ticket's positions seldom share one by
/// chance (9 bits cost a v1 ticket in its shared code 20% more mispredicted branches;
/// 11 bits, the zeroing of a larger table).
const SMALL_HASH_BITS: u32 = 10;
/// Most earlier positions looked at for one match (a ticket's chains are short; zlib's
/// default level looks at 128).
const MAX_CHAIN: usize = 32;
/// A match this long is taken without looking further.
const NICE_MATCH: usize = 128;
/// A match this long is taken without trying one a byte later (lazy matching).
const LAZY_LIMIT: usize = 32;
/// Most matches the size path records (a ticket has a few dozen); past them the rest
/// of the input is literals.
const MAX_MATCHES: usize = 128;

/// Literal/length symbols (0..=285; 286 and 287 are never used).
const LITLEN_SYMS: usize = 286;
/// Distance symbols.
const DIST_SYMS: usize = 30;
/// End of block.
const END_OF_BLOCK: usize = 256;
/// The order code-length code lengths are sent in (RFC 1951 3.2.7).
const CL_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// The length symbol (257..=285) of a match length (3..=258), with its extra bits:
/// (symbol, number of extra bits, their value).
#[inline]
fn length_code(len: usize) -> (usize, u32, u32) {
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
fn distance_code(dist: usize) -> (usize, u32, u32) {
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

/// The LZ77 pass of the size-optimised path (inputs of at most [`SMALL`] bytes): hash
/// chains over 3-byte prefixes, with one step of lazy matching (a match is put off by a
/// byte when the next position starts a longer one), as zlib's default level does.
/// Positions are stored + 1 (0: none) in `u16`s, and tables live on the stack.
struct Parse {
    /// Each match as `position << 18 | (length - 3) << 10 | (distance - 1)`, in order;
    /// the bytes between matches are literals.
    matches: [u32; MAX_MATCHES],
    n_matches: usize,
    /// Frequency of each literal/length symbol (end of block counted once).
    lit_freq: [u16; LITLEN_SYMS],
    /// Frequency of each distance symbol.
    dist_freq: [u16; DIST_SYMS],
    /// Extra bits of every length and distance, the same under any Huffman code.
    extra_bits: u32,
    /// Where the literals after the last match recorded start.
    literals_from: usize,
    /// The bits of the block in the fixed codes, but for the extra bits: BFINAL and
    /// BTYPE, the end of block, and each literal and match as it is counted.
    fixed_bits: u32,
}

impl Parse {
    fn new() -> Parse {
        Parse {
            matches: [0; MAX_MATCHES],
            n_matches: 0,
            lit_freq: [0; LITLEN_SYMS],
            dist_freq: [0; DIST_SYMS],
            extra_bits: 0,
            literals_from: 0,
            fixed_bits: 3 + 7,
        }
    }

    /// Parse `data` (at most [`SMALL`] bytes) into this fresh `Parse`.
    fn run(&mut self, data: &[u8]) {
        self.run_with::<true, MAX_CHAIN>(data)
    }

    /// [`Parse::run`] with lazy matching or without (`LAZY`), looking at up to `CHAIN`
    /// earlier positions for each match.
    fn run_with<const LAZY: bool, const CHAIN: usize>(&mut self, data: &[u8]) {
        debug_assert!(data.len() <= SMALL);
        let data = &data[..data.len().min(SMALL)];
        let n = data.len();
        let p = self;
        // (Greedy, each literal is counted as it is decided; lazy, the literals before
        // each match as it is recorded, and those after the last.)
        p.lit_freq[END_OF_BLOCK] = 1;
        // The input, zero-padded: every position looked at is below SMALL (masking it
        // with SMALL - 1 changes nothing and lets the compiler drop the bounds checks),
        // and a 4- or 8-byte load from one stays in the buffer.
        let mut buf = [0u8; SMALL + 8];
        buf[..n].copy_from_slice(data);
        const AT: usize = SMALL - 1;
        let load8 =
            |at: usize| u64::from_le_bytes(*buf[at & AT..].first_chunk().unwrap_or(&[0; 8]));
        let mut head = [0u16; 1 << SMALL_HASH_BITS];
        let mut prev = [0u16; SMALL];
        // Record position `at` (with three bytes from it) and return the previous
        // position + 1 with the same hash (0: none).
        #[inline(always)]
        fn insert(
            buf: &[u8; SMALL + 8],
            head: &mut [u16; 1 << SMALL_HASH_BITS],
            prev: &mut [u16; SMALL],
            at: usize,
        ) -> usize {
            let at = at & AT;
            let v = u32::from_le_bytes(*buf[at..].first_chunk().unwrap_or(&[0; 4])) & 0xFF_FFFF;
            let h = (v.wrapping_mul(0x9E37_79B1) >> (32 - SMALL_HASH_BITS)) as usize;
            let before = head[h];
            head[h] = (at + 1) as u16;
            prev[at] = before;
            usize::from(before)
        }
        // How many leading bytes positions `a` and `b` share, up to `max` (both at
        // least `max` from the end), eight at a time.
        let common = |a: usize, b: usize, max: usize| -> usize {
            let mut len = 0;
            loop {
                let diff = load8(a + len) ^ load8(b + len);
                if diff != 0 {
                    return (len + (diff.trailing_zeros() / 8) as usize).min(max);
                }
                len += 8;
                if len >= max {
                    return max;
                }
            }
        };
        // A match found at the previous position and not yet recorded (length 0: none).
        let (mut prev_len, mut prev_dist) = (0usize, 0usize);
        let mut i = 0;
        while i + MIN_MATCH <= n {
            let first = insert(&buf, &mut head, &mut prev, i);
            if first == 0 && prev_len == 0 {
                // No earlier position shares the hash and no match is pending: a literal.
                if !LAZY {
                    p.count_literal(data[i]);
                }
                i += 1;
                continue;
            }
            let (mut len, mut dist) = (0, 0);
            let max = MAX_MATCH.min(n - i);
            if first != 0 && prev_len < LAZY_LIMIT && prev_len < max && p.n_matches < MAX_MATCHES {
                // The longest match here longer than the pending one.
                let mut best = prev_len.max(MIN_MATCH - 1);
                // The byte a longer match must have at `best` (`best` < `max` here).
                let mut want = buf[(i + best) & AT];
                let mut cand = first;
                let mut chain = CHAIN;
                loop {
                    let c = cand - 1;
                    if buf[(c + best) & AT] == want {
                        let l = common(c, i, max);
                        if l > best {
                            best = l;
                            dist = i - c;
                            if l >= NICE_MATCH.min(max) {
                                break;
                            }
                            want = buf[(i + best) & AT];
                        }
                    }
                    chain -= 1;
                    cand = usize::from(prev[c & AT]);
                    if cand == 0 || chain == 0 {
                        break;
                    }
                }
                if dist != 0 {
                    len = best;
                }
            }
            if !LAZY && len >= MIN_MATCH {
                // Greedy: the match is taken here, and the positions it covers are not
                // looked up later (as zlib's fastest levels do with long matches): on
                // ticket JSON 9% fewer instructions and a fifth fewer mispredicted
                // branches, for streams 0.2% larger.
                p.record(i, len, dist);
                i += len;
                continue;
            }
            if !LAZY {
                p.count_literal(data[i]);
                i += 1;
                continue;
            }
            if prev_len >= MIN_MATCH && len <= prev_len {
                // The match from the previous position wins: record it, and the
                // positions it covers past this one.
                let start = i - 1;
                p.count_literals(&data[p.literals_from..start]);
                p.record(start, prev_len, prev_dist);
                p.literals_from = start + prev_len;
                let end = start + prev_len;
                for j in (i + 1)..end.min(n + 1 - MIN_MATCH) {
                    insert(&buf, &mut head, &mut prev, j);
                }
                i = end;
                prev_len = 0;
            } else {
                // A match found here (or none) replaces the pending one, whose first
                // byte stays a literal.
                (prev_len, prev_dist) = (len, dist);
                i += 1;
            }
        }
        if prev_len >= MIN_MATCH {
            // The last positions cannot start a longer match.
            p.count_literals(&data[p.literals_from..i - 1]);
            p.record(i - 1, prev_len, prev_dist);
            p.literals_from = i - 1 + prev_len;
        }
        // The literals after the last match (greedy: the last bytes, too few to start one).
        let rest = if LAZY { p.literals_from } else { i };
        p.count_literals(&data[rest..]);
    }

    /// Count the literals `bytes`.
    #[inline]
    fn count_literals(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.count_literal(b);
        }
    }

    /// Count the literal `b`.
    #[inline(always)]
    fn count_literal(&mut self, b: u8) {
        self.lit_freq[usize::from(b)] += 1;
        // A literal's fixed code: 8 bits below 144, 9 from it.
        self.fixed_bits += 8 + u32::from(b >= 144);
    }

    #[inline]
    fn record(&mut self, at: usize, len: usize, dist: usize) {
        let (sym, extra_len, _) = length_code(len);
        let (dsym, dextra_len, _) = distance_code(dist);
        self.lit_freq[sym] += 1;
        self.dist_freq[dsym] += 1;
        self.extra_bits += extra_len + dextra_len;
        // The length's fixed code and the distance's five bits.
        self.fixed_bits += u32::from(FIXED_LITLEN[sym].1) + 5;
        self.matches[self.n_matches] = (at << 18 | (len - MIN_MATCH) << 10 | (dist - 1)) as u32;
        self.n_matches += 1;
    }

    fn matches(&self) -> &[u32] {
        &self.matches[..self.n_matches]
    }
}

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

/// Frequencies below this are sorted by counting; higher ones by a general sort.
const COUNTING_SORT_MAX: usize = 256;

/// One alphabet's Huffman code of at most `N` symbols: lengths and bit-reversed
/// canonical codes, with the used symbols in symbol order (a ticket uses about 70 of the
/// 286 literal/length symbols; past the first scan only those are visited).
struct Code<const N: usize> {
    used: [u16; N],
    n_used: usize,
    /// Code of each symbol, bit-reversed, and its length (0: unused).
    codes: [(u16, u8); N],
}

impl<const N: usize> Code<N> {
    /// The code [`Code::build`] makes for `freq`, as a new value.
    #[cfg(test)]
    fn new(freq: &[u32; N], limit: u32) -> Code<N> {
        let mut code = Code::empty();
        code.build(freq, limit);
        code
    }

    /// A code with no symbols, for [`Code::build`] to fill.
    fn empty() -> Code<N> {
        Code {
            used: [0; N],
            n_used: 0,
            codes: [(0, 0); N],
        }
    }

    /// Make this empty code a Huffman code for `freq` (each below 65,536), no code
    /// longer than `limit`, in place (a code is a few kilobytes, not worth moving).
    /// Fewer than two used symbols get a second one, so the code is always complete
    /// (zlib's inflate refuses an incomplete one).
    fn build(&mut self, freq: &[u32; N], limit: u32) {
        self.build_with(freq, limit, |_, _| {});
    }

    /// [`Code::build`], calling `each` with every used symbol and its code length, in
    /// symbol order, as the codes are assigned.
    #[inline(always)]
    fn build_with(&mut self, freq: &[u32; N], limit: u32, mut each: impl FnMut(usize, u8)) {
        let code = self;
        // The used symbols, skipping unused ones eight at a time (most of a ticket's 286
        // are unused), with the highest frequency and, for the counting sort below, how
        // many have each frequency (only looked at if all are below `COUNTING_SORT_MAX`).
        let mut m = 0;
        let mut top = 0u32;
        let mut start = [0u16; COUNTING_SORT_MAX + 1];
        let mut scan = |base: usize, chunk: &[u32]| {
            for (k, &f) in chunk.iter().enumerate() {
                if f > 0 {
                    code.used[m] = (base + k) as u16;
                    m += 1;
                    top = top.max(f);
                    start[(f as usize).min(COUNTING_SORT_MAX - 1) + 1] += 1;
                }
            }
        };
        let (chunks, rest) = freq.as_chunks::<8>();
        for (i, chunk) in chunks.iter().enumerate() {
            if *chunk != [0; 8] {
                scan(i * 8, chunk);
            }
        }
        scan(N - N % 8, rest);
        if m < 2 {
            // The lowest unused symbols make up the two, with a weight of 1.
            let mut sym = 0;
            while m < 2 {
                if freq[sym] == 0 {
                    code.used[m] = sym as u16;
                    m += 1;
                }
                sym += 1;
            }
            code.used[..m].sort_unstable();
            start = [0; COUNTING_SORT_MAX + 1];
            for &s in &code.used[..m] {
                let f = freq[usize::from(s)].max(1) as usize;
                start[f.min(COUNTING_SORT_MAX - 1) + 1] += 1;
            }
        }
        code.n_used = m;
        let used = &code.used[..m];
        // Leaves by ascending frequency, ties by descending symbol (on ticket JSON such
        // lengths run-length encode a little better in the header): their symbols in
        // `syms`, their weights in `w`.
        let mut syms = [0u16; N];
        let mut w = [0u32; N];
        if (top as usize) < COUNTING_SORT_MAX {
            // Counting sort; placing symbols from the highest down keeps ties by
            // descending symbol.
            for f in 1..=top as usize {
                start[f + 1] += start[f];
            }
            for &s in used.iter().rev() {
                let f = freq[usize::from(s)].max(1);
                let slot = &mut start[f as usize];
                syms[usize::from(*slot)] = s;
                w[usize::from(*slot)] = f;
                *slot += 1;
            }
        } else {
            let mut keys = [0u64; N];
            for (k, &s) in keys.iter_mut().zip(used) {
                *k = u64::from(freq[usize::from(s)].max(1)) << 16 | u64::from(0xFFFF - s);
            }
            let keys = &mut keys[..m];
            keys.sort_unstable();
            for (i, &k) in keys.iter().enumerate() {
                syms[i] = 0xFFFF - (k & 0xFFFF) as u16;
                w[i] = (k >> 16) as u32;
            }
        }
        let depth = &mut w[..m];
        // How many codes have each length (of those up to 15).
        let mut count = [0u16; 16];
        minimum_redundancy(depth, &mut count);
        // The deepest leaf is the first (the lightest); past the limit, count the codes of
        // each length with longer ones cut to it, restore the Kraft sum by lengthening
        // codes from the next shorter length, and give the shortest codes to the most
        // frequent symbols.
        if depth[0] > limit {
            count = [0; 16];
            for &d in depth.iter() {
                count[d.min(limit) as usize] += 1;
            }
            let full = 1u32 << limit;
            let mut total: u32 = (1..=limit)
                .map(|l| u32::from(count[l as usize]) << (limit - l))
                .sum();
            while total > full {
                count[limit as usize] -= 1;
                if let Some(l) = (1..limit as usize).rev().find(|&l| count[l] > 0) {
                    count[l] -= 1;
                    count[l + 1] += 2;
                }
                total -= 1;
            }
            let mut at = m;
            for (len, &c) in count.iter().enumerate().skip(1) {
                for d in &mut depth[at - usize::from(c)..at] {
                    *d = len as u32;
                }
                at -= usize::from(c);
            }
            for (&s, &d) in syms[..m].iter().zip(depth.iter()) {
                code.codes[usize::from(s)].1 = d as u8;
            }
        } else {
            for (&s, &d) in syms[..m].iter().zip(depth.iter()) {
                code.codes[usize::from(s)].1 = d as u8;
            }
        }
        // Canonical codes (RFC 1951 3.2.2), in symbol order within each length.
        let mut next = [0u16; 16];
        let mut c = 0u16;
        for bits in 1..16 {
            c = (c + count[bits - 1]) << 1;
            next[bits] = c;
        }
        for &s in used {
            let entry = &mut code.codes[usize::from(s)];
            let l = usize::from(entry.1);
            entry.0 = reverse(next[l], entry.1);
            next[l] += 1;
            each(usize::from(s), entry.1);
        }
    }

    /// The used symbols, in symbol order.
    fn used(&self) -> &[u16] {
        &self.used[..self.n_used]
    }

    /// Bits the symbols with frequencies `freq` take in this code, extra bits excluded.
    fn cost(&self, freq: &[u32; N]) -> u32 {
        self.used()
            .iter()
            .map(|&s| freq[usize::from(s)] * u32::from(self.codes[usize::from(s)].1))
            .sum()
    }

    /// One past the last used symbol.
    fn end(&self) -> usize {
        self.used().last().map_or(0, |&s| usize::from(s) + 1)
    }
}

/// Replace the weights `a` (ascending, at least two) by the code lengths of a minimum-
/// redundancy (Huffman) code for them, in the same order: the in-place algorithm of
/// Moffat and Katajainen. Phase 1 builds the tree, each internal node's slot holding
/// its weight then its parent; phase 2 turns parents into depths; phase 3 turns the
/// internal nodes' depths into the leaves' depths, adding to `count[l]` how many leaves
/// have depth `l` (for `l` up to 15).
fn minimum_redundancy(a: &mut [u32], count: &mut [u16; 16]) {
    let n = a.len();
    if n < 2 {
        a.fill(1);
        count[1] += n as u16;
        return;
    }
    a[0] += a[1];
    let (mut root, mut leaf) = (0, 2);
    for next in 1..n - 1 {
        // First child: a leaf unless an internal node weighs strictly less.
        if leaf >= n || a[root] < a[leaf] {
            a[next] = a[root];
            a[root] = next as u32;
            root += 1;
        } else {
            a[next] = a[leaf];
            leaf += 1;
        }
        // Second child.
        if leaf >= n || (root < next && a[root] < a[leaf]) {
            a[next] = a[next].saturating_add(a[root]);
            a[root] = next as u32;
            root += 1;
        } else {
            a[next] = a[next].saturating_add(a[leaf]);
            leaf += 1;
        }
    }
    a[n - 2] = 0;
    for next in (0..n - 2).rev() {
        a[next] = a[a[next] as usize] + 1;
    }
    let (mut avail, mut used, mut depth) = (1usize, 0usize, 0u32);
    let (mut root, mut next) = (n as isize - 2, n as isize - 1);
    while avail > 0 {
        while root >= 0 && a[root as usize] == depth {
            used += 1;
            root -= 1;
        }
        if let Some(c) = count.get_mut(depth as usize) {
            *c += (avail - used) as u16;
        }
        while avail > used {
            a[next as usize] = depth;
            next -= 1;
            avail -= 1;
        }
        avail = 2 * used;
        depth += 1;
        used = 0;
    }
}

/// Most entries of a run-length form: one per literal/length and distance symbol.
const MAX_RUNS: usize = LITLEN_SYMS + DIST_SYMS;

/// The code-length alphabet's run-length form (RFC 1951 3.2.7) being built: symbols
/// 0..=15 are lengths, 16 repeats the previous length 3..=6 times, 17 and 18 repeat a
/// zero 3..=10 and 11..=138 times. Entries are (symbol, extra bits value).
struct Runs {
    out: [(u8, u8); MAX_RUNS],
    n: usize,
    /// How often each code-length symbol is in `out`.
    freq: [u32; 19],
    /// The length of the run not yet written, and how many symbols it covers.
    value: u8,
    count: usize,
}

impl Runs {
    /// Write one run of `run` lengths `l`.
    #[inline]
    fn emit(&mut self, l: u8, mut run: usize) {
        if l == 0 {
            while run >= 11 {
                let r = run.min(138);
                self.push(18, (r - 11) as u8);
                run -= r;
            }
            if run >= 3 {
                self.push(17, (run - 3) as u8);
                run = 0;
            }
        } else {
            self.push(l, 0);
            run -= 1;
            while run >= 3 {
                let r = run.min(6);
                self.push(16, (r - 3) as u8);
                run -= r;
            }
        }
        for _ in 0..run {
            self.push(l, 0);
        }
    }

    #[inline]
    fn push(&mut self, sym: u8, extra: u8) {
        self.out[self.n] = (sym, extra);
        self.n += 1;
        self.freq[usize::from(sym)] += 1;
    }

    /// Add `k` more lengths `l`, writing the run before when `l` starts a new one.
    #[inline]
    fn add(&mut self, l: u8, k: usize) {
        if k == 0 {
            return;
        }
        if l == self.value {
            self.count += k;
        } else {
            if self.count > 0 {
                self.emit(self.value, self.count);
            }
            (self.value, self.count) = (l, k);
        }
    }

    /// Add the length `l` of symbol `s`, after zeros for the symbols since symbol `*at`,
    /// and move `*at` past `s` (each alphabet's used symbols in order, from `*at` = 0).
    #[inline]
    fn add_symbol(&mut self, at: &mut usize, s: usize, l: u8) {
        self.add(0, s - *at);
        self.add(l, 1);
        *at = s + 1;
    }
}

/// Even out `counts` so that their Huffman lengths form longer runs, which the header's
/// run-length form writes in fewer bits (the method of zopfli's
/// `OptimizeHuffmanForRle`): runs already long enough (seven equal counts, or five
/// zeros) are kept (but for the last count of a run, which may join the stretch after
/// it); elsewhere, each stretch of four or more counts within 4 of the
/// stretch's leading average gets their mean (at least 1 unless all are 0), which can
/// give a code to an unused symbol between used ones, but never takes one away from a
/// used symbol.
fn even_for_runs<const N: usize>(counts: &mut [u32; N]) {
    let mut length = N;
    while length > 0 && counts[length - 1] == 0 {
        length -= 1;
    }
    if length == 0 {
        return;
    }
    // Give a stretch of `stride` counts ending before `end` their mean, if it is long
    // enough.
    fn even(counts: &mut [u32], end: usize, stride: u32, sum: u32) {
        if stride >= 4 || (stride >= 3 && sum == 0) {
            let count = if sum == 0 {
                0
            } else {
                ((sum + stride / 2) / stride).max(1)
            };
            counts[end - stride as usize..end].fill(count);
        }
    }
    let counts = &mut counts[..length];
    // Stretches end before a kept run's first count, at each of its counts (each a
    // stretch of one: nothing to even out, so the run is skipped to its last), and
    // where a count strays from the stretch's leading average. Runs are found as the
    // stretches are: a run starts where a count differs from the one before (as it
    // was: evening only changes counts behind the one looked at), and is kept if the
    // next four (zeros) or six counts equal it.
    let (mut stride, mut sum) = (0u32, 0u32);
    let mut limit = counts[0];
    // The count before `i`, as it was (none before the first).
    let mut before = !counts[0];
    let mut i = 0;
    while i < length {
        let c = counts[i];
        // One past the end of a kept run starting here (0: none).
        let mut end = 0;
        if c != before {
            let keep = if c == 0 { 5 } else { 7 };
            if counts
                .get(i + 1..i + keep)
                .is_some_and(|next| next.iter().all(|&x| x == c))
            {
                let mut j = i + keep;
                if c == 0 {
                    // Unused symbols come in long stretches: skip them eight at a time.
                    while let Some(eight) = counts.get(j..j + 8) {
                        if eight.iter().fold(0, |a, &x| a | x) != 0 {
                            break;
                        }
                        j += 8;
                    }
                }
                while j < length && counts[j] == c {
                    j += 1;
                }
                end = j;
            }
        }
        if end != 0 || c.abs_diff(limit) >= 4 {
            even(counts, i, stride, sum);
            if end != 0 {
                // The run's last count (the same as its first) starts the next stretch.
                i = end - 1;
            }
            stride = 0;
            sum = 0;
            limit = match counts.get(i..i + 4) {
                Some(&[a, b, c, d]) => (a + b + c + d + 2) / 4,
                _ => c,
            };
        }
        stride += 1;
        sum += c;
        before = c;
        i += 1;
    }
    // The last stretch ends with the counts.
    even(counts, length, stride, sum);
}

/// Extra bits after code-length symbols 16, 17 and 18.
const CL_EXTRA_BITS: [u8; 19] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7];

/// A dynamic Huffman block's codes, and what its header costs.
struct Dynamic {
    lit: Code<LITLEN_SYMS>,
    dist: Code<DIST_SYMS>,
    hlit: usize,
    hdist: usize,
    cl: Code<19>,
    hclen: usize,
    runs: Runs,
    header_bits: u32,
    /// Bits of the literal/length symbols (as counted, not evened out) and of the
    /// distance symbols in this code; extra bits excluded.
    lit_bits: u32,
    dist_bits: u32,
}

impl Dynamic {
    /// Codes for frequencies evened out for a short header ([`even_for_runs`]): on
    /// ticket JSON the header this saves outweighs the longer codes of some symbols,
    /// by about 3% of the stream against codes built for the frequencies as they are.
    fn new(lit_freq: &[u32; LITLEN_SYMS], dist_freq: &[u32; DIST_SYMS]) -> Self {
        let (mut lit_even, mut dist_even) = (*lit_freq, *dist_freq);
        even_for_runs(&mut lit_even);
        even_for_runs(&mut dist_even);
        // Built in place, field by field: the codes are a few kilobytes.
        let mut dynamic = Dynamic {
            lit: Code::empty(),
            dist: Code::empty(),
            hlit: 0,
            hdist: 0,
            cl: Code::empty(),
            hclen: 0,
            runs: Runs {
                out: [(0, 0); MAX_RUNS],
                n: 0,
                freq: [0; 19],
                value: 0,
                count: 0,
            },
            header_bits: 0,
            lit_bits: 0,
            dist_bits: 0,
        };
        // As each code is assigned, its lengths go into the header's run-length form and
        // the bits its symbols take are summed.
        let runs = &mut dynamic.runs;
        let mut at = 0;
        let (mut lit_bits, mut dist_bits) = (0u32, 0u32);
        dynamic.lit.build_with(&lit_even, 15, |s, l| {
            runs.add_symbol(&mut at, s, l);
            lit_bits += lit_freq[s] * u32::from(l);
        });
        dynamic.hlit = dynamic.lit.end().max(257);
        runs.add(0, dynamic.hlit - at);
        at = 0;
        dynamic.dist.build_with(&dist_even, 15, |s, l| {
            runs.add_symbol(&mut at, s, l);
            dist_bits += dist_freq[s] * u32::from(l);
        });
        dynamic.hdist = dynamic.dist.end().max(1);
        runs.add(0, dynamic.hdist - at);
        (dynamic.lit_bits, dynamic.dist_bits) = (lit_bits, dist_bits);
        dynamic.header();
        dynamic
    }

    /// The block's codes are built and their lengths added to `runs`: finish the header.
    fn header(&mut self) {
        let runs = &mut self.runs;
        if runs.count > 0 {
            runs.emit(runs.value, runs.count);
        }
        let cl_freq = &runs.freq;
        let cl = &mut self.cl;
        cl.build(cl_freq, 7);
        let hclen = (4..=19)
            .rev()
            .find(|&k| cl.codes[CL_ORDER[k - 1]].1 != 0)
            .unwrap_or(4);
        let mut header_bits = 5 + 5 + 4 + 3 * hclen as u32 + cl.cost(cl_freq);
        header_bits += cl_freq[16] * 2 + cl_freq[17] * 3 + cl_freq[18] * 7;
        (self.hclen, self.header_bits) = (hclen, header_bits);
    }

    /// Write the block header after BFINAL/BTYPE: the counts, the code-length code,
    /// then the code lengths themselves.
    fn write_header(&self, bits: &mut Bits) {
        bits.put(
            (self.hlit - 257) as u32
                | ((self.hdist - 1) as u32) << 5
                | ((self.hclen - 4) as u32) << 10,
            14,
        );
        // The code-length code's lengths, three bits each, ten to a `put`.
        for group in CL_ORDER[..self.hclen].chunks(10) {
            let (mut v, mut k) = (0u32, 0u32);
            for &sym in group {
                v |= u32::from(self.cl.codes[sym].1) << k;
                k += 3;
            }
            bits.put(v, k);
        }
        // Each code-length symbol with its extra bits (at most 7 + 7).
        for &(sym, extra) in &self.runs.out[..self.runs.n] {
            let (code, len) = self.cl.codes[usize::from(sym)];
            bits.put(
                u32::from(code) | u32::from(extra) << len,
                u32::from(len) + u32::from(CL_EXTRA_BITS[usize::from(sym)]),
            );
        }
    }
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

/// Fixed distance codes: five bits each, bit-reversed.
const FIXED_DIST: [(u16, u8); DIST_SYMS] = {
    let mut t = [(0u16, 0u8); DIST_SYMS];
    let mut sym = 0;
    while sym < DIST_SYMS {
        t[sym] = (reverse(sym as u16, 5), 5);
        sym += 1;
    }
    t
};

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

/// The fixed literal/length codes of the symbols deflate uses (0..=285).
const FIXED_LITLEN_286: [(u16, u8); LITLEN_SYMS] = {
    let mut t = [(0u16, 0u8); LITLEN_SYMS];
    let mut sym = 0;
    while sym < LITLEN_SYMS {
        t[sym] = FIXED_LITLEN[sym];
        sym += 1;
    }
    t
};

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

/// The general path: greedy LZ77 over a hash of three bytes (one candidate), one final
/// block in the fixed codes; linear in the input.
fn zlib_fast(data: &[u8]) -> Vec<u8> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
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
        for len in [
            1,
            2,
            3,
            7,
            100,
            257,
            258,
            259,
            1000,
            SMALL,
            SMALL + 1,
            40_000,
            100_000,
        ] {
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

    /// Realistic ticket JSON, v1 or v2, with and without userbuf: identifiers of 1 to 40
    /// characters, signatures of random bytes in base64 (v1: a DER ECDSA signature of 70
    /// to 72 bytes; v2: 32 bytes of HMAC).
    fn ticket_json(seed: &mut u64, v1: bool, userbuf: bool) -> String {
        use base64::Engine;
        let b64 = |seed: &mut u64, n: usize| {
            let bytes: Vec<u8> = (0..n).map(|_| xorshift(seed) as u8).collect();
            base64::engine::general_purpose::STANDARD.encode(bytes)
        };
        const ID: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-@.";
        let id_len = 1 + (xorshift(seed) % 40) as usize;
        let id: String = (0..id_len)
            .map(|_| char::from(ID[(xorshift(seed) % ID.len() as u64) as usize]))
            .collect();
        let app = 1_400_000_000 + xorshift(seed) % 99_999_999;
        let time = 1_700_000_000 + xorshift(seed) % 100_000_000;
        let buf = if userbuf {
            let n = (xorshift(seed) % 64) as usize;
            format!("\"TLS.userbuf\":\"{}\",", b64(seed, n))
        } else {
            String::new()
        };
        if v1 {
            let n = 70 + (xorshift(seed) % 3) as usize;
            let sig = b64(seed, n);
            format!(
                r#"{{"TLS.account_type":"0","TLS.identifier":"{id}","TLS.appid_at_3rd":"0","TLS.sdk_appid":"{app}","TLS.expire_after":"15552000","TLS.version":"201803230000","TLS.time":"{time}",{buf}"TLS.sig":"{sig}"}}"#
            )
        } else {
            let sig = b64(seed, 32);
            format!(
                r#"{{"TLS.ver":"2.0","TLS.sdkappid":{app},"TLS.identifier":"{id}","TLS.time":{time},"TLS.expire":15552000,{buf}"TLS.sig":"{sig}"}}"#
            )
        }
    }

    fn zlib_default(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn ticket_json_is_at_most_99_percent_of_what_zlib_default_level_makes() {
        let mut seed = 0x0bad_cafe_1234_5678;
        for v1 in [true, false] {
            for userbuf in [false, true] {
                let (mut ours, mut zlib6) = (0usize, 0usize);
                for _ in 0..500 {
                    let json = ticket_json(&mut seed, v1, userbuf);
                    let z = zlib(json.as_bytes());
                    assert_eq!(inflate(&z), json.as_bytes());
                    ours += z.len();
                    zlib6 += zlib_default(json.as_bytes()).len();
                }
                // At most 99% of zlib's: the margin the size goal asks for.
                assert!(
                    ours * 100 <= zlib6 * 99,
                    "v1 {v1}, userbuf {userbuf}: ours {ours} bytes, zlib default {zlib6}"
                );
            }
        }
    }

    #[test]
    fn each_block_form_is_chosen_where_it_is_smallest_and_round_trips() {
        let mut seed = 0x5eed_0000_0000_0001;
        // BTYPE is bits 1-2 of the first byte after the two-byte header.
        let btype = |z: &[u8]| (z[2] >> 1) & 3;
        let tiny = b"abc".to_vec();
        // (Inputs past SMALL bytes take the fast path: fixed codes only.)
        let random: Vec<u8> = (0..SMALL).map(|_| xorshift(&mut seed) as u8).collect();
        let ticket = ticket_json(&mut seed, true, false).into_bytes();
        for (data, want) in [(tiny, 1), (random, 0), (ticket, 2), (Vec::new(), 1)] {
            let z = zlib(&data);
            assert_eq!(btype(&z), want, "{} bytes", data.len());
            assert_eq!(inflate(&z), data);
            assert!(
                z.len() <= data.len() + 11,
                "{} bytes grew to {}",
                data.len(),
                z.len()
            );
        }
    }

    #[test]
    fn codes_respect_their_length_limit_and_stay_complete() {
        // Fibonacci frequencies make the deepest unlimited Huffman trees.
        let mut freq = [0u32; 30];
        let (mut a, mut b) = (1u32, 1u32);
        for f in freq.iter_mut() {
            *f = a;
            (a, b) = (b, a + b);
        }
        for limit in [7, 15] {
            let code = Code::new(&freq, limit);
            let lens = code.codes.map(|c| c.1);
            assert!(
                lens.iter().all(|&l| l >= 1 && u32::from(l) <= limit),
                "{lens:?}"
            );
            let kraft: u64 = lens.iter().map(|&l| 1u64 << (15 - l)).sum();
            assert_eq!(kraft, 1 << 15, "{lens:?}");
        }
        // One used symbol, or none, still makes a complete code of two.
        let mut one = [0u32; 19];
        one[7] = 5;
        for freq in [one, [0; 19]] {
            let code = Code::new(&freq, 7);
            let lens = code.codes.map(|c| c.1);
            assert_eq!(lens.iter().filter(|&&l| l == 1).count(), 2, "{lens:?}");
            // The used symbol is one of the two.
            assert!(freq[7] == 0 || lens[7] == 1, "{lens:?}");
            assert_eq!(code.used().len(), 2);
        }
    }

    #[test]
    fn counting_sort_and_general_sort_build_the_same_codes() {
        // Scaling every frequency by 256 keeps their order and every merge's order, so
        // the code must not change; the scaled ones take the general sort, the small
        // ones the counting sort (ties and unused padding symbols included).
        let mut seed = 0x0dd_ba11_5eed_0003;
        for round in 0..300 {
            let mut freq = [0u32; LITLEN_SYMS];
            let used = 1 + (xorshift(&mut seed) % 120) as usize;
            let top = if round % 2 == 0 { 4 } else { 255 };
            for _ in 0..used {
                let s = (xorshift(&mut seed) % LITLEN_SYMS as u64) as usize;
                freq[s] = 1 + (xorshift(&mut seed) % top) as u32;
            }
            let scaled = freq.map(|f| f * 256);
            let small = Code::new(&freq, 15);
            let large = Code::new(&scaled, 15);
            assert_eq!(small.codes, large.codes, "{freq:?}");
        }
    }

    #[test]
    fn canonical_codes_of_the_fixed_lengths_are_the_fixed_codes() {
        // Frequencies whose Huffman lengths are the fixed ones: 2^(9 - length).
        let freq: [u32; 288] = FIXED_LITLEN.map(|(_, l)| 1 << (9 - l));
        let code = Code::new(&freq, 15);
        assert_eq!(code.codes, FIXED_LITLEN);
    }

    /// zopfli's OptimizeHuffmanForRle as written there, one step at a time: the
    /// reference for [`even_for_runs`], which skips kept runs whole.
    fn even_reference(counts: &mut [u32]) {
        let mut length = counts.len();
        while length > 0 && counts[length - 1] == 0 {
            length -= 1;
        }
        if length == 0 {
            return;
        }
        let mut good = vec![false; length];
        let (mut symbol, mut stride) = (counts[0], 0usize);
        for i in 0..=length {
            if i == length || counts[i] != symbol {
                if (symbol == 0 && stride >= 5) || (symbol != 0 && stride >= 7) {
                    for k in 0..stride {
                        good[i - k - 1] = true;
                    }
                }
                stride = 1;
                if i != length {
                    symbol = counts[i];
                }
            } else {
                stride += 1;
            }
        }
        let (mut stride, mut sum, mut limit) = (0u32, 0u32, counts[0]);
        for i in 0..=length {
            if i == length || good[i] || counts[i].abs_diff(limit) >= 4 {
                if stride >= 4 || (stride >= 3 && sum == 0) {
                    let mut count = ((sum + stride / 2) / stride).max(1);
                    if sum == 0 {
                        count = 0;
                    }
                    for k in 0..stride as usize {
                        counts[i - k - 1] = count;
                    }
                }
                stride = 0;
                sum = 0;
                limit = if i + 3 < length {
                    (counts[i] + counts[i + 1] + counts[i + 2] + counts[i + 3] + 2) / 4
                } else if i < length {
                    counts[i]
                } else {
                    0
                };
            }
            stride += 1;
            if i != length {
                sum += counts[i];
            }
        }
    }

    #[test]
    fn evening_out_matches_the_step_by_step_method() {
        let mut seed = 0x0e7e_0000_0000_0006;
        for round in 0..3000 {
            let mut counts = [0u32; LITLEN_SYMS];
            let density = xorshift(&mut seed) % 9;
            let spread = [2, 5, 9, 40][round % 4];
            for c in counts.iter_mut() {
                if xorshift(&mut seed) % 8 < density {
                    *c = (xorshift(&mut seed) % spread) as u32;
                }
            }
            // Runs of equal counts, long and short, zero and not.
            for _ in 0..(xorshift(&mut seed) % 4) {
                let len = 1 + (xorshift(&mut seed) % 12) as usize;
                let at = (xorshift(&mut seed) % (LITLEN_SYMS - len) as u64) as usize;
                counts[at..at + len].fill((xorshift(&mut seed) % 3) as u32);
            }
            let (mut fast, mut reference) = (counts, counts);
            even_for_runs(&mut fast);
            even_reference(&mut reference);
            assert_eq!(fast, reference, "{counts:?}");
        }
    }

    #[test]
    fn evening_out_never_takes_a_code_from_a_used_symbol() {
        // Sparse, dense, runs and spikes: every used symbol keeps a count, all-zero stays
        // all-zero, and a run of seven equal counts is kept.
        let mut seed = 0x0e7e_0000_0000_0005;
        for round in 0..2000 {
            let mut counts = [0u32; LITLEN_SYMS];
            let density = 1 + xorshift(&mut seed) % 8;
            for c in counts.iter_mut() {
                if xorshift(&mut seed) % 8 < density {
                    *c = match round % 3 {
                        0 => 1 + (xorshift(&mut seed) % 3) as u32,
                        1 => 1 + (xorshift(&mut seed) % 40) as u32,
                        _ => 1 << (xorshift(&mut seed) % 12),
                    };
                }
            }
            let at = (xorshift(&mut seed) % (LITLEN_SYMS as u64 - 7)) as usize;
            counts[at..at + 7].fill(9);
            let before = counts;
            even_for_runs(&mut counts);
            for (sym, (&b, &a)) in before.iter().zip(&counts).enumerate() {
                assert!(b == 0 || a > 0, "symbol {sym}: {b} -> {a}");
            }
            // (The run's last count may join the stretch after it.)
            assert_eq!(counts[at..at + 6], [9; 6]);
        }
        let mut zeros = [0u32; DIST_SYMS];
        even_for_runs(&mut zeros);
        assert_eq!(zeros, [0; DIST_SYMS]);
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

    /// The JSON of a batch's ticket: one app, issue time and validity, and a random
    /// identifier (from `alphabet`, 1 to 32 characters) and signature each.
    fn batch_json(seed: &mut u64, v1: bool, alphabet: &[u8]) -> Vec<u8> {
        use base64::Engine;
        let id_len = 1 + (xorshift(seed) % 32) as usize;
        let id: String = (0..id_len)
            .map(|_| char::from(alphabet[(xorshift(seed) % alphabet.len() as u64) as usize]))
            .collect();
        let n = if v1 {
            70 + (xorshift(seed) % 3) as usize
        } else {
            32
        };
        let sig_bytes: Vec<u8> = (0..n).map(|_| xorshift(seed) as u8).collect();
        let sig = base64::engine::general_purpose::STANDARD.encode(sig_bytes);
        if v1 {
            format!(
                r#"{{"TLS.account_type":"0","TLS.identifier":"{id}","TLS.appid_at_3rd":"0","TLS.sdk_appid":"1400001052","TLS.expire_after":"86400","TLS.version":"201803230000","TLS.time":"1795675257","TLS.sig":"{sig}"}}"#
            )
        } else {
            format!(
                r#"{{"TLS.ver":"2.0","TLS.sdkappid":1400001052,"TLS.identifier":"{id}","TLS.time":1795675257,"TLS.expire":86400,"TLS.sig":"{sig}"}}"#
            )
        }
        .into_bytes()
    }

    const ID_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";

    #[test]
    fn a_shared_code_makes_a_batch_at_most_98_percent_of_what_zlib_default_level_makes() {
        let mut seed = 0x5ade_c0de_0000_0001;
        for v1 in [true, false] {
            let samples: Vec<Vec<u8>> = (0..64)
                .map(|_| batch_json(&mut seed, v1, ID_ALPHABET))
                .collect();
            let code = SharedCode::train(samples.iter().map(Vec::as_slice)).unwrap();
            let (mut ours, mut zlib6, mut own_code) = (0usize, 0usize, 0usize);
            for _ in 0..500 {
                let json = batch_json(&mut seed, v1, ID_ALPHABET);
                let z = code.zlib(&json);
                assert_eq!(inflate(&z), json);
                ours += z.len();
                zlib6 += zlib_default(&json).len();
                own_code += usize::from(z == zlib(&json));
            }
            assert!(
                ours * 100 <= zlib6 * 98,
                "v1 {v1}: ours {ours} bytes, zlib default {zlib6}"
            );
            // The shared code did the work, not the size path.
            assert!(
                own_code < 25,
                "v1 {v1}: {own_code} of 500 took the size path"
            );
        }
    }

    #[test]
    fn a_shared_code_hands_what_it_cannot_code_to_the_size_path() {
        let mut seed = 0x5ade_c0de_0000_0002;
        let samples: Vec<Vec<u8>> = (0..64)
            .map(|_| batch_json(&mut seed, false, ID_ALPHABET))
            .collect();
        let code = SharedCode::train(samples.iter().map(Vec::as_slice)).unwrap();
        let btype = |z: &[u8]| (z[2] >> 1) & 3;
        // A ticket like the samples: the shared code (a dynamic block, not the size
        // path's own stream).
        let json = batch_json(&mut seed, false, ID_ALPHABET);
        let z = code.zlib(&json);
        assert_eq!((btype(&z), inflate(&z)), (2, json.clone()));
        assert_ne!(z, zlib(&json));
        // Bytes no sample had (an identifier of other characters), random bytes (a
        // stored block is smallest), short text (the fixed codes are), nothing, and an
        // input past the size path: each exactly what `zlib` makes.
        let foreign = batch_json(&mut seed, false, "é中\u{1}~".as_bytes());
        let random: Vec<u8> = (0..600).map(|_| xorshift(&mut seed) as u8).collect();
        let long: Vec<u8> = (0..3000)
            .flat_map(|_| batch_json(&mut seed, false, ID_ALPHABET))
            .take(SMALL + 500)
            .collect();
        for data in [foreign, random, b"abc".to_vec(), Vec::new(), long] {
            assert_eq!(code.zlib(&data), zlib(&data), "{} bytes", data.len());
        }
    }

    #[test]
    fn a_shared_code_needs_a_sample_of_at_most_small_bytes() {
        assert!(SharedCode::train(std::iter::empty()).is_none());
        let long = vec![b'a'; SMALL + 1];
        assert!(SharedCode::train([long.as_slice()]).is_none());
        let code = SharedCode::train([long.as_slice(), b"ab".as_slice()]).unwrap();
        assert_eq!(inflate(&code.zlib(b"abababab")), b"abababab");
    }

    /// The case proptest once shrank `a_shared_code_round_trips_any_input` to: a code
    /// learnt from one empty sample, and a text one byte past [`SMALL`] (so the first
    /// [`SMALL`] bytes train the second code, and the whole takes the general path).
    #[test]
    fn an_empty_sample_and_a_text_just_past_small_round_trip() {
        let text =
            b"T0{6xLS7T91aT9za:S95:S90x7.\"Ty8.\"a1.13T20x7T0a280\",8STa}{bb9:ba.{8}6\"}y0z189b1\
              {S}3z119985x.2015{z:06,{x8ac\"}573y1zb2:{.1{575:9L\"x3z7b\".x}525\"\"\"xy,5057z:y\"43\
              \"\"8,y2z\"99czbxy{4y4,x{{x225:93b8bbLbS::4Tx{y51xL9\"xSa,SSx62.LLcyy{1yx10{c5,LT8\
              2\"xc,82L3}\"6yT22L4caab610S089\"4T798.zx5T0L}xz8L9L3556L25cTSbS5z5L2xz2T}z5b,:LL\
              S6\"ayx98S52y\"2bx0z\"Lx:ba4:.{:y,T1b,ab.2z4Sx4S7}b::zc{z1.55.45L}xx}3c0Tzy06.a,2\
              4y2\"z0,12cy\"32c,96\"3{08\"a27T81{{a.4c22bx{7}7ccT.STS3x}}a8TSS4,S.4.Tb:\"c909}0c0\
              9b1x13:35xT8:\"yz4S64302622cc5,xx1c508z6}6xbz1553z5a63{3L.88a2Ty,{75ay0669,xb89\
              3:b4:}3z4a7TL4.788x3T7\"b9z1a2,aS0.y5b3730S720:03y116,6xxyL5:01c63z68cx1b2,9z,6\
              x160z2aab\"9}60L7}xz9z90}TbSS.8:xyc8,S{y3y95L71,:{9ca6.LL1b:}96}6\"x9L{.:15b}S36\
              5{a{bS:y6T73b.y5c3aT\"y9z489\":T3}9Sbcy,2{4y5T580a\":\"Sb8S68121TLSc67y.T81\":,z1c6\
              S.}7Sb5}S\".z3:0L,217879:42c0Lc111\"1:55:x{c6y2}3.5S3T8{b4Sx:2z,.xzzT32.2L0S{\"3.\
              7{L3z2529}3L:{4.L}8{}}zb:ST6T.,8a}2}\"xzaz88TL.8,L}5:x911\"7ca.b\"x34383x57397y{8\
              z,0b,T2L{0c2305c:7835{c14:795aS,}.\"y0{L,\"504c:36:y}6LcL2S\"8654b9,5{2x:.:231x3c\
              72c:04xcTSc";
        assert_eq!(text.len(), SMALL + 1);
        let hex = "209b5e0e0a9156997482eefda3345de24ce53d14776fccc92065be8e74d75bb061853c12f93b41a0\
                   307cc531ebc97bc7cd0683e1f5dc7bc1e1569bacf42082de880fd84a554d99bdb55c355cb609650b\
                   32188ef71a59044296965aabaf93a87075dca19bbc8615703609666ce47dcdbd3b0f0af34593439a\
                   67e82b5dded8e70a49aae6931c4ce87ec0ffbee9e1dc30c5cc7d8bf42b8135e41306a8139499b2a4\
                   fd971edb2bf70c4e20e0abd33c73d51bb94278721c993fc37169b54425ef97c253d4b119";
        let bytes: Vec<u8> = (0..hex.len() / 2)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert_eq!(bytes.len(), 196);
        let code = SharedCode::train([&[][..]]).unwrap();
        assert_eq!(inflate(&code.zlib(text)), text);
        assert_eq!(inflate(&code.zlib(&bytes)), bytes);
        let code = SharedCode::train([&text[..SMALL]]).unwrap();
        assert_eq!(inflate(&code.zlib(text)), text);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever it learnt from, a shared code's stream inflates to its input.
        #[test]
        fn a_shared_code_round_trips_any_input(
            samples in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 1..6),
            text in proptest::collection::vec(proptest::sample::select(b"{}\":,.TLS0123456789abcxyz".to_vec()), 0..1200),
            bytes in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let code = SharedCode::train(samples.iter().map(Vec::as_slice)).unwrap();
            prop_assert_eq!(inflate(&code.zlib(&text)), text.clone());
            prop_assert_eq!(inflate(&code.zlib(&bytes)), bytes.clone());
            // And one learnt from text much like the input.
            let code = SharedCode::train([&text[..text.len().min(SMALL)]]).unwrap();
            prop_assert_eq!(inflate(&code.zlib(&text)), text);
        }
    }
}
