use super::*;
use crate::ticket::deflate::bits::{DIST_SYMS, FIXED_LITLEN, LITLEN_SYMS};
use crate::ticket::deflate::tests::xorshift;

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
        let code = code(&freq, limit);
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
        let code = code(&freq, 7);
        let lens = code.codes.map(|c| c.1);
        assert_eq!(lens.iter().filter(|&&l| l == 1).count(), 2, "{lens:?}");
        // The used symbol is one of the two.
        assert!(freq[7] == 0 || lens[7] == 1, "{lens:?}");
        assert_eq!(code.used().len(), 2);
    }
}

#[test]
fn canonical_codes_of_the_fixed_lengths_are_the_fixed_codes() {
    // Frequencies whose Huffman lengths are the fixed ones: 2^(9 - length).
    let freq: [u32; 288] = FIXED_LITLEN.map(|(_, l)| 1 << (9 - l));
    let code = code(&freq, 15);
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

/// The code [`Code::build`] makes for `freq`, as a new value.
fn code<const N: usize>(freq: &[u32; N], limit: u32) -> Code<N> {
    let mut code = Code::empty();
    code.build(freq, limit);
    code
}
