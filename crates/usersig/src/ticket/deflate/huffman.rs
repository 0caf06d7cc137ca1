//! Dynamic Huffman codes: built from symbol frequencies (evened out so that the code
//! lengths run-length encode well), and the block header that sends them.

use super::bits::{Bits, DIST_SYMS, LITLEN_SYMS, reverse};

/// The order code-length code lengths are sent in (RFC 1951 3.2.7).
pub(super) const CL_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// One alphabet's Huffman code of at most `N` symbols: lengths and bit-reversed
/// canonical codes, with the used symbols in symbol order (a ticket uses about 70 of the
/// 286 literal/length symbols; past the first scan only those are visited).
pub(super) struct Code<const N: usize> {
    pub(super) used: [u16; N],
    pub(super) n_used: usize,
    /// Code of each symbol, bit-reversed, and its length (0: unused).
    pub(super) codes: [(u16, u8); N],
}

impl<const N: usize> Code<N> {
    /// A code with no symbols, for [`Code::build`] to fill.
    pub(super) fn empty() -> Code<N> {
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
    pub(super) fn build(&mut self, freq: &[u32; N], limit: u32) {
        self.build_with(freq, limit, |_, _| {});
    }

    /// [`Code::build`], calling `each` with every used symbol and its code length, in
    /// symbol order, as the codes are assigned.
    #[inline(always)]
    pub(super) fn build_with(
        &mut self,
        freq: &[u32; N],
        limit: u32,
        mut each: impl FnMut(usize, u8),
    ) {
        let m = self.find_used(freq);
        // Leaves by ascending frequency, ties by descending symbol (on ticket JSON such
        // lengths run-length encode a little better in the header): their symbols in
        // `syms`, their weights in `w`, which become their depths.
        let mut syms = [0u16; N];
        let mut w = [0u32; N];
        let mut keys = [0u64; N];
        for (k, &s) in keys.iter_mut().zip(self.used()) {
            *k = u64::from(freq[usize::from(s)].max(1)) << 16 | u64::from(0xFFFF - s);
        }
        let keys = &mut keys[..m];
        keys.sort_unstable();
        for (i, &k) in keys.iter().enumerate() {
            syms[i] = 0xFFFF - (k & 0xFFFF) as u16;
            w[i] = (k >> 16) as u32;
        }
        let depth = &mut w[..m];
        // How many codes have each length (of those up to 15).
        let mut count = [0u16; 16];
        minimum_redundancy(depth, &mut count);
        if depth[0] > limit {
            limit_depths(depth, &mut count, limit);
        }
        for (&s, &d) in syms[..m].iter().zip(depth.iter()) {
            self.codes[usize::from(s)].1 = d as u8;
        }
        // Canonical codes (RFC 1951 3.2.2), in symbol order within each length.
        let mut next = [0u16; 16];
        let mut c = 0u16;
        for bits in 1..16 {
            c = (c + count[bits - 1]) << 1;
            next[bits] = c;
        }
        for &s in &self.used[..m] {
            let entry = &mut self.codes[usize::from(s)];
            let l = usize::from(entry.1);
            entry.0 = reverse(next[l], entry.1);
            next[l] += 1;
            each(usize::from(s), entry.1);
        }
    }

    /// Record the used symbols in symbol order, skipping unused ones eight at a time
    /// (most of a ticket's 286 are unused); with fewer than two, the lowest unused
    /// symbols make up the two (with a weight of 1). Returns how many there are.
    #[inline(always)]
    fn find_used(&mut self, freq: &[u32; N]) -> usize {
        let mut m = 0;
        let mut scan = |base: usize, chunk: &[u32]| {
            for (k, &f) in chunk.iter().enumerate() {
                if f > 0 {
                    self.used[m] = (base + k) as u16;
                    m += 1;
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
            let mut sym = 0;
            while m < 2 {
                if freq[sym] == 0 {
                    self.used[m] = sym as u16;
                    m += 1;
                }
                sym += 1;
            }
            self.used[..m].sort_unstable();
        }
        self.n_used = m;
        m
    }

    /// The used symbols, in symbol order.
    pub(super) fn used(&self) -> &[u16] {
        &self.used[..self.n_used]
    }

    /// Bits the symbols with frequencies `freq` take in this code, extra bits excluded.
    pub(super) fn cost(&self, freq: &[u32; N]) -> u32 {
        self.used()
            .iter()
            .map(|&s| freq[usize::from(s)] * u32::from(self.codes[usize::from(s)].1))
            .sum()
    }

    /// One past the last used symbol.
    pub(super) fn end(&self) -> usize {
        self.used().last().map_or(0, |&s| usize::from(s) + 1)
    }
}

/// Cut the leaf depths `depth` (deepest first, the lightest leaf's) to `limit`: count
/// the codes of each length with longer ones cut to it, restore the Kraft sum by
/// lengthening codes from the next shorter length, and give the shortest codes to the
/// most frequent symbols. `count` becomes how many codes have each length.
fn limit_depths(depth: &mut [u32], count: &mut [u16; 16], limit: u32) {
    *count = [0; 16];
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
    let mut at = depth.len();
    for (len, &c) in count.iter().enumerate().skip(1) {
        for d in &mut depth[at - usize::from(c)..at] {
            *d = len as u32;
        }
        at -= usize::from(c);
    }
}

/// Replace the weights `a` (ascending, at least two) by the code lengths of a minimum-
/// redundancy (Huffman) code for them, in the same order: the in-place algorithm of
/// Moffat and Katajainen. Phase 1 builds the tree, each internal node's slot holding
/// its weight then its parent; phase 2 turns parents into depths; phase 3 turns the
/// internal nodes' depths into the leaves' depths, adding to `count[l]` how many leaves
/// have depth `l` (for `l` up to 15).
pub(super) fn minimum_redundancy(a: &mut [u32], count: &mut [u16; 16]) {
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
pub(super) const MAX_RUNS: usize = LITLEN_SYMS + DIST_SYMS;

/// The code-length alphabet's run-length form (RFC 1951 3.2.7) being built: symbols
/// 0..=15 are lengths, 16 repeats the previous length 3..=6 times, 17 and 18 repeat a
/// zero 3..=10 and 11..=138 times. Entries are (symbol, extra bits value).
pub(super) struct Runs {
    pub(super) out: [(u8, u8); MAX_RUNS],
    pub(super) n: usize,
    /// How often each code-length symbol is in `out`.
    pub(super) freq: [u32; 19],
    /// The length of the run not yet written, and how many symbols it covers.
    pub(super) value: u8,
    pub(super) count: usize,
}

impl Runs {
    /// Write one run of `run` lengths `l`.
    #[inline]
    pub(super) fn emit(&mut self, l: u8, mut run: usize) {
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
    pub(super) fn push(&mut self, sym: u8, extra: u8) {
        self.out[self.n] = (sym, extra);
        self.n += 1;
        self.freq[usize::from(sym)] += 1;
    }

    /// Add `k` more lengths `l`, writing the run before when `l` starts a new one.
    #[inline]
    pub(super) fn add(&mut self, l: u8, k: usize) {
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
    pub(super) fn add_symbol(&mut self, at: &mut usize, s: usize, l: u8) {
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
pub(super) fn even_for_runs<const N: usize>(counts: &mut [u32; N]) {
    let mut length = N;
    while length > 0 && counts[length - 1] == 0 {
        length -= 1;
    }
    if length == 0 {
        return;
    }
    // Give a stretch of `stride` counts ending before `end` their mean, if it is long
    // enough.
    pub(super) fn even(counts: &mut [u32], end: usize, stride: u32, sum: u32) {
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
pub(super) const CL_EXTRA_BITS: [u8; 19] =
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7];

/// A dynamic Huffman block's codes, and what its header costs.
pub(super) struct Dynamic {
    pub(super) lit: Code<LITLEN_SYMS>,
    pub(super) dist: Code<DIST_SYMS>,
    pub(super) hlit: usize,
    pub(super) hdist: usize,
    pub(super) cl: Code<19>,
    pub(super) hclen: usize,
    pub(super) runs: Runs,
    pub(super) header_bits: u32,
    /// Bits of the literal/length symbols (as counted, not evened out) and of the
    /// distance symbols in this code; extra bits excluded.
    pub(super) lit_bits: u32,
    pub(super) dist_bits: u32,
}

impl Dynamic {
    /// Codes for frequencies evened out for a short header ([`even_for_runs`]): on
    /// ticket JSON the header this saves outweighs the longer codes of some symbols,
    /// by about 3% of the stream against codes built for the frequencies as they are.
    pub(super) fn new(lit_freq: &[u32; LITLEN_SYMS], dist_freq: &[u32; DIST_SYMS]) -> Self {
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
    pub(super) fn header(&mut self) {
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
    pub(super) fn write_header(&self, bits: &mut Bits) {
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

#[cfg(test)]
mod tests;
