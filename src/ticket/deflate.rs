//! A small, fast zlib (RFC 1950) compressor for ticket JSON: LZ77 with hash chains and
//! lazy matching, then one final block in whichever form is smallest: dynamic Huffman
//! codes built for the data, the fixed codes of RFC 1951, or stored bytes.
//!
//! A ticket's JSON is a few hundred bytes. A general compressor spends much of its time
//! on that size setting up and clearing its state; this one sizes its tables to the
//! input, and on ticket JSON makes streams no larger than zlib's default level does (the
//! signature's base64 text is where a dynamic code wins: about six bits a character
//! instead of eight). Any zlib decoder reads its output: the header is the one zlib
//! writes at level 1 (`78 01`, the level field is only a hint), so tickets still start
//! `eAE`.

/// Longest match deflate can express.
const MAX_MATCH: usize = 258;
/// Shortest match deflate can express.
const MIN_MATCH: usize = 3;
/// The largest distance deflate can express.
const WINDOW: usize = 32 * 1024;
/// Most earlier positions looked at for one match (zlib's default level looks at 128).
const MAX_CHAIN: usize = 64;
/// A match this long is taken without looking further.
const NICE_MATCH: usize = 128;
/// A match this long is taken without trying one a byte later (lazy matching).
const LAZY_LIMIT: usize = 32;
/// A 3-byte match farther than this costs more bits than three literals.
const TOO_FAR: usize = 4096;

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

/// Fixed Huffman code lengths for literal/length symbols 0..=287 (RFC 1951 3.2.6).
const FIXED_LIT_LENS: [u8; 288] = {
    let mut t = [0u8; 288];
    let mut sym = 0;
    while sym < 288 {
        t[sym] = match sym {
            0..=143 => 8,
            144..=255 => 9,
            256..=279 => 7,
            _ => 8,
        };
        sym += 1;
    }
    t
};

/// The fixed codes themselves, bit-reversed for an LSB-first bit stream.
const FIXED_LIT_CODES: [u16; 288] = {
    let mut t = [0u16; 288];
    let mut sym = 0;
    while sym < 288 {
        let code = match sym {
            0..=143 => 0x30 + sym,
            144..=255 => 0x190 + sym - 144,
            256..=279 => sym - 256,
            _ => 0xC0 + sym - 280,
        };
        t[sym] = reverse(code as u16, FIXED_LIT_LENS[sym]);
        sym += 1;
    }
    t
};

/// Fixed distance codes: five bits each, bit-reversed.
const FIXED_DIST_CODES: [u16; DIST_SYMS] = {
    let mut t = [0u16; DIST_SYMS];
    let mut sym = 0;
    while sym < DIST_SYMS {
        t[sym] = reverse(sym as u16, 5);
        sym += 1;
    }
    t
};

/// Reverse the low `len` (1..=15) bits of `code`.
const fn reverse(code: u16, len: u8) -> u16 {
    code.reverse_bits() >> (16 - len as u32)
}

/// An LSB-first bit writer into a byte vector.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    /// Append the low `count` (at most 32) bits of `bits`.
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

    /// Pad with zero bits to a byte boundary and write out every whole byte.
    fn align(&mut self) {
        let bytes = self.n.div_ceil(8) as usize;
        self.out.extend_from_slice(&self.acc.to_le_bytes()[..bytes]);
        self.acc = 0;
        self.n = 0;
    }

    /// Flush the last partial byte (padding with zero bits) and return the bytes.
    fn finish(mut self) -> Vec<u8> {
        self.align();
        self.out
    }
}

/// One LZ77 token: a literal byte (`dist == 0`), or `len` bytes from `dist` back.
#[derive(Clone, Copy)]
struct Token {
    len_or_byte: u16,
    dist: u16,
}

/// The length symbol (257..=285) of a match length (3..=258), with its extra bits: (symbol,
/// number of extra bits, their value).
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

/// How many leading bytes `a` and `b` share, up to `max` (both at least `max` long).
#[inline]
fn common_prefix(a: &[u8], b: &[u8], max: usize) -> usize {
    let mut len = 0;
    while len + 8 <= max {
        let x = u64::from_le_bytes(a[len..len + 8].try_into().unwrap_or_default());
        let y = u64::from_le_bytes(b[len..len + 8].try_into().unwrap_or_default());
        let diff = x ^ y;
        if diff != 0 {
            return len + (diff.trailing_zeros() / 8) as usize;
        }
        len += 8;
    }
    while len < max && a[len] == b[len] {
        len += 1;
    }
    len
}

/// The LZ77 pass: hash chains over 3-byte prefixes, with one step of lazy matching (a
/// match is put off by a byte when the next position starts a longer one).
struct Matcher<'a> {
    data: &'a [u8],
    /// Most recent position + 1 of each hash (0: none).
    head: Vec<u32>,
    /// For position `p`, the previous position + 1 with the same hash, at `p & mask`.
    prev: Vec<u32>,
    mask: usize,
    table_bits: u32,
}

impl<'a> Matcher<'a> {
    fn new(data: &'a [u8]) -> Self {
        let n = data.len();
        let table_bits = (usize::BITS - n.leading_zeros()).clamp(6, 15);
        let window = n.next_power_of_two().clamp(64, WINDOW);
        Matcher {
            data,
            head: vec![0; 1 << table_bits],
            prev: vec![0; window],
            mask: window - 1,
            table_bits,
        }
    }

    /// Record position `at` (which has at least three bytes) and return the previous
    /// position + 1 with the same hash.
    #[inline]
    fn insert(&mut self, at: usize) -> usize {
        let d = self.data;
        let v = u32::from(d[at]) | u32::from(d[at + 1]) << 8 | u32::from(d[at + 2]) << 16;
        let h = (v.wrapping_mul(0x9E37_79B1) >> (32 - self.table_bits)) as usize;
        let before = self.head[h];
        self.head[h] = (at + 1) as u32;
        self.prev[at & self.mask] = before;
        before as usize
    }

    /// The longest match for position `at`, starting the chain at `first` (position + 1),
    /// longer than `better_than`: (length, distance), or length 0.
    #[inline]
    fn longest(&self, at: usize, first: usize, better_than: usize) -> (usize, usize) {
        let d = self.data;
        let max = MAX_MATCH.min(d.len() - at);
        if better_than >= max {
            return (0, 0);
        }
        let (mut best_len, mut best_dist) = (better_than.max(MIN_MATCH - 1), 0);
        let mut cand = first;
        let mut last = at;
        let mut chain = MAX_CHAIN;
        while cand != 0 && chain > 0 {
            let c = cand - 1;
            // Chains only go back; a link that does not is a slot reused by a newer
            // position, so the chain has run past the window.
            if c >= last || at - c > WINDOW {
                break;
            }
            last = c;
            if d[c + best_len] == d[at + best_len] {
                let len = common_prefix(&d[c..], &d[at..], max);
                if len > best_len {
                    best_len = len;
                    best_dist = at - c;
                    if len >= NICE_MATCH.min(max) {
                        break;
                    }
                }
            }
            cand = self.prev[c & self.mask] as usize;
            chain -= 1;
        }
        if best_dist == 0 || (best_len == MIN_MATCH && best_dist > TOO_FAR) {
            (0, 0)
        } else {
            (best_len, best_dist)
        }
    }

    /// The whole input as tokens, with the frequency of each literal/length and distance
    /// symbol (the end-of-block symbol counted once).
    fn tokens(mut self) -> (Vec<Token>, [u32; LITLEN_SYMS], [u32; DIST_SYMS]) {
        let d = self.data;
        let n = d.len();
        // At most one token a byte: room for all of them up front (ticket JSON is mostly
        // literals, so half the input was too little and the vector grew on every call).
        let mut tokens = Vec::with_capacity(n + 1);
        let mut lit_freq = [0u32; LITLEN_SYMS];
        let mut dist_freq = [0u32; DIST_SYMS];
        lit_freq[END_OF_BLOCK] = 1;
        let literal = |tokens: &mut Vec<Token>, freq: &mut [u32; LITLEN_SYMS], b: u8| {
            freq[usize::from(b)] += 1;
            tokens.push(Token {
                len_or_byte: u16::from(b),
                dist: 0,
            });
        };
        // A match found at the previous position, not yet emitted: (length, distance).
        let mut pending: Option<(usize, usize)> = None;
        let mut i = 0;
        while i + MIN_MATCH <= n {
            let first = self.insert(i);
            let prev_len = pending.map_or(0, |p| p.0);
            let here = if prev_len >= LAZY_LIMIT {
                (0, 0)
            } else {
                self.longest(i, first, prev_len)
            };
            match pending {
                Some((len, dist)) if here.0 <= len => {
                    // The match from the previous position wins: emit it, and record
                    // the positions it covers past this one.
                    let (sym, _, _) = length_code(len);
                    lit_freq[sym] += 1;
                    dist_freq[distance_code(dist).0] += 1;
                    tokens.push(Token {
                        len_or_byte: len as u16,
                        dist: dist as u16,
                    });
                    let end = i - 1 + len;
                    for j in (i + 1)..end.min(n + 1 - MIN_MATCH) {
                        self.insert(j);
                    }
                    pending = None;
                    i = end;
                }
                _ => {
                    if pending.is_some() {
                        literal(&mut tokens, &mut lit_freq, d[i - 1]);
                    }
                    pending = (here.0 >= MIN_MATCH).then_some(here);
                    if pending.is_none() {
                        literal(&mut tokens, &mut lit_freq, d[i]);
                    }
                    i += 1;
                }
            }
        }
        if let Some((len, dist)) = pending {
            // The last positions cannot start a longer match: take it.
            let (sym, _, _) = length_code(len);
            lit_freq[sym] += 1;
            dist_freq[distance_code(dist).0] += 1;
            tokens.push(Token {
                len_or_byte: len as u16,
                dist: dist as u16,
            });
            i = i - 1 + len;
        }
        for &b in &d[i.min(n)..] {
            literal(&mut tokens, &mut lit_freq, b);
        }
        (tokens, lit_freq, dist_freq)
    }
}

/// Room for the Huffman tree of the largest alphabet (288 leaves and their inner nodes), set
/// up once per stream and shared by its three codes.
struct Scratch {
    leaves: [u64; 288],
    weight: [u32; 2 * 288],
    parent: [u16; 2 * 288],
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            leaves: [0; 288],
            weight: [0; 2 * 288],
            parent: [0; 2 * 288],
        }
    }
}

/// Frequencies below this are sorted by counting; higher ones by a general sort.
const COUNTING_SORT_MAX: usize = 256;

/// One alphabet's Huffman code (`N` symbols), built for the frequencies of one block:
/// past the first scan only the used symbols are visited (an alphabet has up to 286
/// symbols, a ticket uses about 70).
struct Code<const N: usize> {
    /// The used symbols, in symbol order (`used[..n_used]`).
    used: [u16; N],
    n_used: usize,
    /// Code length of each symbol (0: unused).
    lens: [u8; N],
    /// Bit-reversed canonical code of each used symbol.
    codes: [u16; N],
}

impl<const N: usize> Code<N> {
    /// Huffman code lengths for `freq`, none longer than `limit`. Fewer than two used
    /// symbols get a second one, so the code is always complete (some inflaters refuse
    /// an incomplete code).
    fn new(freq: &[u32; N], limit: u32, scratch: &mut Scratch) -> Code<N> {
        let mut used = [0u16; N];
        let mut m = 0;
        for (sym, &f) in freq.iter().enumerate() {
            if f > 0 {
                used[m] = sym as u16;
                m += 1;
            }
        }
        if m < 2 {
            for (sym, &f) in freq.iter().enumerate() {
                if m < 2 && f == 0 {
                    used[m] = sym as u16;
                    m += 1;
                }
            }
            used[..m].sort_unstable();
        }
        // Used symbols by ascending frequency, ties by descending symbol (fixed, and on
        // ticket JSON its lengths run-length encode a little better in the header than
        // ties by ascending symbol), as `frequency << 16 | (0xFFFF - symbol)`.
        let leaves = &mut scratch.leaves[..m];
        let key = |s: u16| u64::from(freq[usize::from(s)].max(1)) << 16 | u64::from(0xFFFF - s);
        let top = used[..m]
            .iter()
            .map(|&s| freq[usize::from(s)].max(1))
            .max()
            .unwrap_or(1);
        if (top as usize) < COUNTING_SORT_MAX {
            // Counting sort by frequency (ticket frequencies are small); placing symbols
            // from the highest down keeps ties by descending symbol: the same order as
            // sorting the keys.
            let mut start = [0u16; COUNTING_SORT_MAX + 1];
            for &s in &used[..m] {
                start[freq[usize::from(s)].max(1) as usize + 1] += 1;
            }
            for f in 1..=top as usize {
                start[f + 1] += start[f];
            }
            for &s in used[..m].iter().rev() {
                let slot = &mut start[freq[usize::from(s)].max(1) as usize];
                leaves[usize::from(*slot)] = key(s);
                *slot += 1;
            }
        } else {
            for (leaf, &s) in leaves.iter_mut().zip(&used[..m]) {
                *leaf = key(s);
            }
            leaves.sort_unstable();
        }
        // Two-queue Huffman: leaves in order, then inner nodes in order of creation.
        // (Weights saturate: past 4 GiB of input the code is still valid, just not
        // optimal.)
        let (weight, parent) = (&mut scratch.weight, &mut scratch.parent);
        for (w, l) in weight.iter_mut().zip(leaves.iter()) {
            *w = u32::try_from(*l >> 16).unwrap_or(u32::MAX);
        }
        let (mut next_leaf, mut next_node) = (0, m);
        for node in m..2 * m - 1 {
            let mut pick = || {
                let take_leaf =
                    next_leaf < m && (next_node >= node || weight[next_leaf] <= weight[next_node]);
                if take_leaf {
                    next_leaf += 1;
                    next_leaf - 1
                } else {
                    next_node += 1;
                    next_node - 1
                }
            };
            let (a, b) = (pick(), pick());
            weight[node] = weight[a].saturating_add(weight[b]);
            parent[a] = node as u16;
            parent[b] = node as u16;
        }
        // Depths (reusing `weight`): every parent comes after its children.
        let depth = weight;
        depth[2 * m - 2] = 0;
        for node in (0..2 * m - 2).rev() {
            depth[node] = depth[usize::from(parent[node])] + 1;
        }
        // Count the codes of each length, longer ones cut to the limit, then restore the
        // Kraft sum by lengthening codes from the next shorter length (as miniz does).
        let mut count = [0u32; 16];
        for &d in &depth[..m] {
            count[d.min(limit) as usize] += 1;
        }
        let full = 1u32 << limit;
        let mut total: u32 = (1..=limit).map(|l| count[l as usize] << (limit - l)).sum();
        while total > full {
            count[limit as usize] -= 1;
            if let Some(l) = (1..limit as usize).rev().find(|&l| count[l] > 0) {
                count[l] -= 1;
                count[l + 1] += 2;
            }
            total -= 1;
        }
        // The most frequent symbols take the shortest codes.
        let mut lens = [0u8; N];
        let mut leaf = leaves.iter().rev();
        for (len, &c) in count.iter().enumerate().skip(1) {
            for _ in 0..c {
                if let Some(&l) = leaf.next() {
                    lens[(0xFFFF - (l & 0xFFFF)) as usize] = len as u8;
                }
            }
        }
        // Canonical codes (RFC 1951 3.2.2), in symbol order within each length.
        let mut next = [0u16; 16];
        let mut code = 0u16;
        for bits in 1..16 {
            code = (code + count[bits - 1] as u16) << 1;
            next[bits] = code;
        }
        let mut codes = [0u16; N];
        for &s in &used[..m] {
            let l = lens[usize::from(s)];
            codes[usize::from(s)] = reverse(next[usize::from(l)], l);
            next[usize::from(l)] += 1;
        }
        Code {
            used,
            n_used: m,
            lens,
            codes,
        }
    }

    /// The used symbols, in symbol order.
    fn used(&self) -> &[u16] {
        &self.used[..self.n_used]
    }

    /// Bits the symbols with frequencies `freq` take in this code, extra bits excluded.
    fn cost(&self, freq: &[u32; N]) -> u64 {
        self.used()
            .iter()
            .map(|&s| u64::from(freq[usize::from(s)]) * u64::from(self.lens[usize::from(s)]))
            .sum()
    }

    /// One past the last used symbol.
    fn end(&self) -> usize {
        self.used().last().map_or(0, |&s| usize::from(s) + 1)
    }
}

/// Most entries of a run-length form: one per literal/length and distance symbol.
const MAX_RUNS: usize = LITLEN_SYMS + DIST_SYMS;

/// The code-length alphabet's run-length form (RFC 1951 3.2.7) of the lengths of
/// `lit` (symbols `0..hlit`) then `dist` (`0..hdist`): symbols 0..=15 are lengths, 16
/// repeats the previous length 3..=6 times, 17 and 18 repeat a zero 3..=10 and 11..=138
/// times. Each entry: (symbol, extra bits value); returns the entries and their count.
fn run_lengths(
    lit: &Code<LITLEN_SYMS>,
    hlit: usize,
    dist: &Code<DIST_SYMS>,
    hdist: usize,
) -> ([(u8, u8); MAX_RUNS], usize) {
    let mut runs = Runs {
        out: [(0u8, 0u8); MAX_RUNS],
        n: 0,
        value: 0,
        count: 0,
    };
    // Runs of equal lengths, walking only the used symbols: the gaps are zeros.
    let mut at = 0;
    for &s in lit.used() {
        let s = usize::from(s);
        runs.add(0, s - at);
        runs.add(lit.lens[s], 1);
        at = s + 1;
    }
    runs.add(0, hlit - at);
    at = 0;
    for &s in dist.used() {
        let s = usize::from(s);
        runs.add(0, s - at);
        runs.add(dist.lens[s], 1);
        at = s + 1;
    }
    runs.add(0, hdist - at);
    if runs.count > 0 {
        runs.emit(runs.value, runs.count);
    }
    (runs.out, runs.n)
}

/// The run-length form being built: its entries so far, and the run not yet written.
struct Runs {
    out: [(u8, u8); MAX_RUNS],
    n: usize,
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

    /// Append one entry.
    #[inline]
    fn push(&mut self, sym: u8, extra: u8) {
        self.out[self.n] = (sym, extra);
        self.n += 1;
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
}

/// Extra bits after code-length symbols 16, 17 and 18.
const fn cl_extra_bits(sym: u8) -> u32 {
    match sym {
        16 => 2,
        17 => 3,
        18 => 7,
        _ => 0,
    }
}

/// A dynamic Huffman block's codes, and what its header costs.
struct Dynamic {
    lit: Code<LITLEN_SYMS>,
    dist: Code<DIST_SYMS>,
    hlit: usize,
    hdist: usize,
    cl: Code<19>,
    hclen: usize,
    runs: [(u8, u8); MAX_RUNS],
    n_runs: usize,
    header_bits: u64,
}

impl Dynamic {
    fn new(lit_freq: &[u32; LITLEN_SYMS], dist_freq: &[u32; DIST_SYMS]) -> Self {
        let mut scratch = Scratch::new();
        let lit = Code::new(lit_freq, 15, &mut scratch);
        let dist = Code::new(dist_freq, 15, &mut scratch);
        let (hlit, hdist) = (lit.end().max(257), dist.end().max(1));
        let (runs, n_runs) = run_lengths(&lit, hlit, &dist, hdist);
        let mut cl_freq = [0u32; 19];
        for &(sym, _) in &runs[..n_runs] {
            cl_freq[usize::from(sym)] += 1;
        }
        let cl = Code::new(&cl_freq, 7, &mut scratch);
        let hclen = (4..=19)
            .rev()
            .find(|&k| cl.lens[CL_ORDER[k - 1]] != 0)
            .unwrap_or(4);
        let mut header_bits = 5 + 5 + 4 + 3 * hclen as u64 + cl.cost(&cl_freq);
        header_bits += u64::from(cl_freq[16]) * 2 + u64::from(cl_freq[17]) * 3;
        header_bits += u64::from(cl_freq[18]) * 7;
        Dynamic {
            lit,
            dist,
            hlit,
            hdist,
            cl,
            hclen,
            runs,
            n_runs,
            header_bits,
        }
    }

    /// Write the block header after BFINAL/BTYPE: the counts, the code-length code,
    /// then the code lengths themselves.
    fn write_header(&self, bits: &mut Bits) {
        bits.put((self.hlit - 257) as u32, 5);
        bits.put((self.hdist - 1) as u32, 5);
        bits.put((self.hclen - 4) as u32, 4);
        for &sym in &CL_ORDER[..self.hclen] {
            bits.put(u32::from(self.cl.lens[sym]), 3);
        }
        for &(sym, extra) in &self.runs[..self.n_runs] {
            let s = usize::from(sym);
            bits.put(u32::from(self.cl.codes[s]), u32::from(self.cl.lens[s]));
            let n = cl_extra_bits(sym);
            if n > 0 {
                bits.put(u32::from(extra), n);
            }
        }
    }
}

/// Write every token, then the end-of-block symbol, with the codes and lengths given.
fn write_tokens(
    bits: &mut Bits,
    tokens: &[Token],
    (lit_codes, lit_lens): (&[u16], &[u8]),
    (dist_codes, dist_lens): (&[u16], &[u8]),
) {
    let lit = |bits: &mut Bits, sym: usize| {
        bits.put(u32::from(lit_codes[sym]), u32::from(lit_lens[sym]));
    };
    for t in tokens {
        if t.dist == 0 {
            lit(bits, usize::from(t.len_or_byte));
            continue;
        }
        let (sym, extra_len, extra) = length_code(usize::from(t.len_or_byte));
        lit(bits, sym);
        if extra_len > 0 {
            bits.put(extra, extra_len);
        }
        let (dsym, dextra_len, dextra) = distance_code(usize::from(t.dist));
        bits.put(u32::from(dist_codes[dsym]), u32::from(dist_lens[dsym]));
        if dextra_len > 0 {
            bits.put(dextra, dextra_len);
        }
    }
    lit(bits, END_OF_BLOCK);
}

/// Compress `data` into a complete zlib stream.
///
/// ```
/// let z = tls_licence_tools::deflate::zlib(b"hello hello hello");
/// assert_eq!(&z[..2], &[0x78, 0x01]);
/// ```
pub fn zlib(data: &[u8]) -> Vec<u8> {
    let mut bits = Bits {
        out: Vec::with_capacity(data.len() / 2 + 64),
        acc: 0,
        n: 0,
    };
    bits.out.extend_from_slice(&[0x78, 0x01]);
    let (tokens, lit_freq, dist_freq) = Matcher::new(data).tokens();

    let dynamic = Dynamic::new(&lit_freq, &dist_freq);
    // Extra bits cost the same in both Huffman forms.
    let mut fixed_bits = u64::from(dist_freq.iter().sum::<u32>()) * 5;
    let mut extra_bits = 0u64;
    for &s in dynamic.lit.used() {
        let (s, f) = (usize::from(s), u64::from(lit_freq[usize::from(s)]));
        fixed_bits += f * u64::from(FIXED_LIT_LENS[s]);
        if (265..285).contains(&s) {
            extra_bits += f * (s as u64 - 261) / 4;
        }
    }
    for &s in dynamic.dist.used() {
        let (s, f) = (usize::from(s), u64::from(dist_freq[usize::from(s)]));
        if s >= 4 {
            extra_bits += f * (s as u64 / 2 - 1);
        }
    }
    fixed_bits += extra_bits;
    let dynamic_bits = dynamic.header_bits
        + dynamic.lit.cost(&lit_freq)
        + dynamic.dist.cost(&dist_freq)
        + extra_bits;
    // Stored blocks: each a 3-bit header padded to a byte, LEN and NLEN, then the bytes.
    let stored_bits = (data.len().div_ceil(0xFFFF).max(1) as u64) * 40 + 8 * data.len() as u64;

    if stored_bits < fixed_bits.min(dynamic_bits) + 3 {
        let mut chunks = data.chunks(0xFFFF).peekable();
        if chunks.peek().is_none() {
            bits.put(0b001, 3);
            bits.align();
            bits.out.extend_from_slice(&[0, 0, 0xFF, 0xFF]);
        }
        while let Some(chunk) = chunks.next() {
            let last = chunks.peek().is_none();
            bits.put(u32::from(last), 3); // BFINAL, BTYPE = 00 (stored)
            bits.align();
            let len = chunk.len() as u16;
            bits.out.extend_from_slice(&len.to_le_bytes());
            bits.out.extend_from_slice(&(!len).to_le_bytes());
            bits.out.extend_from_slice(chunk);
        }
    } else if fixed_bits <= dynamic_bits {
        bits.put(0b011, 3); // BFINAL = 1, BTYPE = 01 (fixed Huffman codes)
        let fixed_dist_lens = [5u8; DIST_SYMS];
        write_tokens(
            &mut bits,
            &tokens,
            (&FIXED_LIT_CODES, &FIXED_LIT_LENS),
            (&FIXED_DIST_CODES, &fixed_dist_lens),
        );
    } else {
        bits.put(0b101, 3); // BFINAL = 1, BTYPE = 10 (dynamic Huffman codes)
        dynamic.write_header(&mut bits);
        let d = &dynamic;
        write_tokens(
            &mut bits,
            &tokens,
            (&d.lit.codes, &d.lit.lens),
            (&d.dist.codes, &d.dist.lens),
        );
    }
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
    fn ticket_json_is_no_larger_than_zlib_default_level_makes() {
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
                assert!(
                    ours <= zlib6,
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
        let random: Vec<u8> = (0..3000).map(|_| xorshift(&mut seed) as u8).collect();
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
            let code = Code::new(&freq, limit, &mut Scratch::new());
            let lens = &code.lens;
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
            let code = Code::new(&freq, 7, &mut Scratch::new());
            assert_eq!(
                code.lens.iter().filter(|&&l| l == 1).count(),
                2,
                "{:?}",
                code.lens
            );
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
            let mut scratch = Scratch::new();
            let small = Code::new(&freq, 15, &mut scratch);
            let large = Code::new(&scaled, 15, &mut scratch);
            assert_eq!(small.lens, large.lens, "{freq:?}");
            assert_eq!(small.codes, large.codes, "{freq:?}");
        }
    }

    #[test]
    fn canonical_codes_of_the_fixed_lengths_are_the_fixed_codes() {
        // Frequencies whose Huffman lengths are the fixed ones: 2^(9 - length).
        let freq: [u32; 288] = FIXED_LIT_LENS.map(|l| 1 << (9 - l));
        let mut scratch = Scratch::new();
        let code = Code::new(&freq, 15, &mut scratch);
        assert_eq!(code.lens, FIXED_LIT_LENS);
        assert_eq!(code.codes, FIXED_LIT_CODES);
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
