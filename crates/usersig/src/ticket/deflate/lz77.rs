//! The LZ77 pass over hash chains that the size path and a shared code take: matches
//! recorded with the symbol frequencies and the bits each block form would take.

use super::bits::{
    DIST_SYMS, END_OF_BLOCK, FIXED_LITLEN, LITLEN_SYMS, MAX_MATCH, MIN_MATCH, SMALL, distance_code,
    length_code,
};

/// Hash bits of the head table of the size path and of a [`SharedCode`]'s pass: 1,024
/// heads for at most 1,024 positions, so that a ticket's positions seldom share one by
/// chance (9 bits cost a v1 ticket in its shared code 20% more mispredicted branches;
/// 11 bits, the zeroing of a larger table).
pub(super) const SMALL_HASH_BITS: u32 = 10;
/// Most earlier positions looked at for one match (a ticket's chains are short; zlib's
/// default level looks at 128).
pub(super) const MAX_CHAIN: usize = 32;
/// A match this long is taken without looking further.
pub(super) const NICE_MATCH: usize = 128;
/// A match this long is taken without trying one a byte later (lazy matching).
pub(super) const LAZY_LIMIT: usize = 32;
/// Most matches the size path records (a ticket has a few dozen); past them the rest
/// of the input is literals.
pub(super) const MAX_MATCHES: usize = 128;

/// The LZ77 pass of the size-optimised path (inputs of at most [`SMALL`] bytes): hash
/// chains over 3-byte prefixes, with one step of lazy matching (a match is put off by a
/// byte when the next position starts a longer one), as zlib's default level does.
/// Positions are stored + 1 (0: none) in `u16`s, and tables live on the stack.
pub(super) struct Parse {
    /// Each match as `position << 18 | (length - 3) << 10 | (distance - 1)`, in order;
    /// the bytes between matches are literals.
    pub(super) matches: [u32; MAX_MATCHES],
    pub(super) n_matches: usize,
    /// Frequency of each literal/length symbol (end of block counted once).
    pub(super) lit_freq: [u16; LITLEN_SYMS],
    /// Frequency of each distance symbol.
    pub(super) dist_freq: [u16; DIST_SYMS],
    /// Extra bits of every length and distance, the same under any Huffman code.
    pub(super) extra_bits: u32,
    /// Where the literals after the last match recorded start.
    pub(super) literals_from: usize,
    /// The bits of the block in the fixed codes, but for the extra bits: BFINAL and
    /// BTYPE, the end of block, and each literal and match as it is counted.
    pub(super) fixed_bits: u32,
}

impl Parse {
    pub(super) fn new() -> Parse {
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
    pub(super) fn run(&mut self, data: &[u8]) {
        self.run_with::<true, MAX_CHAIN>(data)
    }

    /// [`Parse::run`] with lazy matching or without (`LAZY`), looking at up to `CHAIN`
    /// earlier positions for each match.
    pub(super) fn run_with<const LAZY: bool, const CHAIN: usize>(&mut self, data: &[u8]) {
        debug_assert!(data.len() <= SMALL);
        let data = &data[..data.len().min(SMALL)];
        let n = data.len();
        // (Greedy, each literal is counted as it is decided; lazy, the literals before
        // each match as it is recorded, and those after the last.)
        self.lit_freq[END_OF_BLOCK] = 1;
        let mut buf = [0u8; SMALL + 8];
        buf[..n].copy_from_slice(data);
        let (mut head, mut prev) = ([0u16; 1 << SMALL_HASH_BITS], [0u16; SMALL]);
        let mut chains = Chains {
            buf: &buf,
            head: &mut head,
            prev: &mut prev,
        };
        // A match found at the previous position and not yet recorded (length 0: none).
        let mut pending = Match::NONE;
        let mut i = 0;
        while i + MIN_MATCH <= n {
            let first = chains.insert(i);
            if first == 0 && pending.len == 0 {
                // No earlier position shares the hash and no match is pending: a literal.
                if !LAZY {
                    self.count_literal(data[i]);
                }
                i += 1;
                continue;
            }
            let max = MAX_MATCH.min(n - i);
            let found = if first != 0
                && pending.len < LAZY_LIMIT
                && pending.len < max
                && self.n_matches < MAX_MATCHES
            {
                chains.longest::<CHAIN>(first, i, pending.len, max)
            } else {
                Match::NONE
            };
            i = if LAZY {
                self.lazy_step(data, &mut chains, &mut pending, found, i)
            } else {
                self.greedy_step(data, found, i)
            };
        }
        if pending.len >= MIN_MATCH {
            // The last positions cannot start a longer match.
            self.count_literals(&data[self.literals_from..i - 1]);
            self.record(i - 1, pending.len, pending.dist);
            self.literals_from = i - 1 + pending.len;
        }
        // The literals after the last match (greedy: the last bytes, too few to start one).
        let rest = if LAZY { self.literals_from } else { i };
        self.count_literals(&data[rest..]);
    }

    /// Greedy matching at `i`: the match found is taken, and the positions it covers
    /// are not looked up later (as zlib's fastest levels do with long matches: on ticket
    /// JSON 9% fewer instructions and a fifth fewer mispredicted branches, for streams
    /// 0.2% larger); else the byte is a literal. Returns where to go on.
    #[inline(always)]
    fn greedy_step(&mut self, data: &[u8], found: Match, i: usize) -> usize {
        if found.len >= MIN_MATCH {
            self.record(i, found.len, found.dist);
            i + found.len
        } else {
            self.count_literal(data[i]);
            i + 1
        }
    }

    /// Lazy matching at `i`: the `pending` match from the previous position is recorded
    /// if the one `found` here is no longer (with the positions it covers past this
    /// one); otherwise the match found here (or none) replaces it, and the pending
    /// match's first byte stays a literal. Returns where to go on.
    #[inline(always)]
    fn lazy_step(
        &mut self,
        data: &[u8],
        chains: &mut Chains<'_>,
        pending: &mut Match,
        found: Match,
        i: usize,
    ) -> usize {
        if pending.len < MIN_MATCH || found.len > pending.len {
            *pending = found;
            return i + 1;
        }
        let start = i - 1;
        self.count_literals(&data[self.literals_from..start]);
        self.record(start, pending.len, pending.dist);
        let end = start + pending.len;
        self.literals_from = end;
        for j in (i + 1)..end.min(data.len() + 1 - MIN_MATCH) {
            chains.insert(j);
        }
        *pending = Match::NONE;
        end
    }

    /// Count the literals `bytes`.
    #[inline]
    pub(super) fn count_literals(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.count_literal(b);
        }
    }

    /// Count the literal `b`.
    #[inline(always)]
    pub(super) fn count_literal(&mut self, b: u8) {
        self.lit_freq[usize::from(b)] += 1;
        // A literal's fixed code: 8 bits below 144, 9 from it.
        self.fixed_bits += 8 + u32::from(b >= 144);
    }

    #[inline]
    pub(super) fn record(&mut self, at: usize, len: usize, dist: usize) {
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

    pub(super) fn matches(&self) -> &[u32] {
        &self.matches[..self.n_matches]
    }
}

/// A match: its length (0: none) and distance.
#[derive(Clone, Copy)]
struct Match {
    len: usize,
    dist: usize,
}

impl Match {
    const NONE: Match = Match { len: 0, dist: 0 };
}

/// The mask that keeps a position below [`SMALL`] (which every position looked at is:
/// masking changes nothing and lets the compiler drop the bounds checks).
const AT: usize = SMALL - 1;

/// The hash chains of the input's positions: the input zero-padded (so that a 4- or
/// 8-byte load from any position stays in the buffer), the last position (+ 1) of each
/// hash, and each position's previous one with the same hash (0: none). On the stack.
/// (The tables are the caller's locals, borrowed: moving them into a value costs a copy
/// a stream.)
struct Chains<'t> {
    buf: &'t [u8; SMALL + 8],
    head: &'t mut [u16; 1 << SMALL_HASH_BITS],
    prev: &'t mut [u16; SMALL],
}

impl Chains<'_> {
    /// Record position `at` (with three bytes from it) and return the previous position
    /// + 1 with the same hash (0: none).
    #[inline(always)]
    fn insert(&mut self, at: usize) -> usize {
        let at = at & AT;
        let v = u32::from_le_bytes(*self.buf[at..].first_chunk().unwrap_or(&[0; 4])) & 0xFF_FFFF;
        let h = (v.wrapping_mul(0x9E37_79B1) >> (32 - SMALL_HASH_BITS)) as usize;
        let before = self.head[h];
        self.head[h] = (at + 1) as u16;
        self.prev[at] = before;
        usize::from(before)
    }

    #[inline(always)]
    fn load8(&self, at: usize) -> u64 {
        u64::from_le_bytes(*self.buf[at & AT..].first_chunk().unwrap_or(&[0; 8]))
    }

    /// How many leading bytes positions `a` and `b` share, up to `max` (both at least
    /// `max` from the end), eight at a time.
    #[inline(always)]
    fn common(&self, a: usize, b: usize, max: usize) -> usize {
        let mut len = 0;
        loop {
            let diff = self.load8(a + len) ^ self.load8(b + len);
            if diff != 0 {
                return (len + (diff.trailing_zeros() / 8) as usize).min(max);
            }
            len += 8;
            if len >= max {
                return max;
            }
        }
    }

    /// The longest match at `i` longer than `shorter` (and than `MIN_MATCH - 1`), of at
    /// most `max` bytes, among up to `CHAIN` earlier positions from `first` (+ 1) down
    /// its chain; [`Match::NONE`] if there is none.
    #[inline(always)]
    fn longest<const CHAIN: usize>(
        &self,
        first: usize,
        i: usize,
        shorter: usize,
        max: usize,
    ) -> Match {
        let buf = self.buf;
        let mut best = shorter.max(MIN_MATCH - 1);
        let mut dist = 0;
        // The byte a longer match must have at `best` (`best` < `max` here).
        let mut want = buf[(i + best) & AT];
        let mut cand = first;
        let mut chain = CHAIN;
        loop {
            let c = cand - 1;
            if buf[(c + best) & AT] == want {
                let l = self.common(c, i, max);
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
            cand = usize::from(self.prev[c & AT]);
            if cand == 0 || chain == 0 {
                break;
            }
        }
        if dist == 0 {
            return Match::NONE;
        }
        Match { len: best, dist }
    }
}
