//! Tables of a point's multiples, and scalars as the signed digits that index them.

use p256::FieldBytes;

use super::point::{self, Affine, Jacobian};

/// Bits a window of a scalar covers.
pub(super) const WINDOW_BITS: usize = 11;
/// Entries of a row: the multiples 1 to 2^(WINDOW_BITS - 1) of its base (a window's
/// signed digit runs from -(2^(WINDOW_BITS - 1) - 1) to 2^(WINDOW_BITS - 1); a negative
/// one is its multiple negated, 0 is no addition).
pub(super) const ROW: usize = 1 << (WINDOW_BITS - 1);
/// Rows: enough windows that the top one, with the carry from the one below, is still a
/// digit of the signed range.
pub(super) const ROWS: usize = (256 - WINDOW_BITS + 1).div_ceil(WINDOW_BITS) + 1;

/// `ROWS` rows of `ROW` affine points: row `i`, column `j` is `(j + 1) * 2^(w i) * P`
/// for the window width `w`.
pub(super) struct Table {
    points: Box<[Affine]>,
}

impl Table {
    /// The table of `p`: with one field inversion a row. `None` only if `p` has an order
    /// below 2^256 other than n's, which no point of P-256 has.
    pub(super) fn new(p: Affine) -> Option<Table> {
        let mut points = Vec::with_capacity(ROWS * ROW);
        let mut row = Vec::with_capacity(ROW + 1);
        let mut base = p;
        for _ in 0..ROWS {
            row.clear();
            let mut multiple = Jacobian::from_affine(&base);
            row.push(multiple);
            for _ in 1..ROW {
                multiple = multiple.add_affine(&base);
                row.push(multiple);
            }
            // The next row's base, 2^w times this one's, normalized with the row.
            row.push(multiple.double());
            point::normalize(&row, &mut points)?;
            base = points.pop()?;
        }
        Some(Table {
            points: points.into_boxed_slice(),
        })
    }

    /// `digit * 2^(w row) * P`, for a digit other than 0 of a [`Digits`].
    pub(super) fn entry(&self, row: usize, digit: i16) -> Affine {
        let point = &self.points[row * ROW + usize::from(digit.unsigned_abs()) - 1];
        if digit < 0 { point.neg() } else { *point }
    }

    /// Add `k * P` to `acc`, for the scalar whose digits are `k`.
    pub(super) fn add_multiple(&self, acc: &mut Jacobian, k: &Digits) {
        for (row, &digit) in k.iter().enumerate() {
            if digit != 0 {
                *acc = acc.add_affine(&self.entry(row, digit));
            }
        }
    }

    /// Bytes the table holds.
    pub(super) fn bytes(&self) -> usize {
        std::mem::size_of_val(&*self.points)
    }
}

/// A scalar as signed digits, one a row of a table: `k = sum of d_i 2^(w i)`, each
/// `d_i` from `-(ROW - 1)` to `ROW`.
pub(super) type Digits = [i16; ROWS];

/// The digits of the scalar whose big-endian bytes are `k`: each window of it, plus the
/// carry from the one below, is a digit (a window above `ROW` is the digit less `2^w`,
/// and carries one into the next; the top window is small enough to take a carry).
pub(super) fn digits(k: &FieldBytes) -> Digits {
    let mut limbs = [0u64; 4];
    for (limb, bytes) in limbs.iter_mut().zip(k.rchunks_exact(8)) {
        let mut be = [0u8; 8];
        be.copy_from_slice(bytes);
        *limb = u64::from_be_bytes(be);
    }
    let mut out = [0; ROWS];
    let mut carry = 0;
    for (i, digit) in out.iter_mut().enumerate() {
        let window = window(&limbs, i * WINDOW_BITS) + carry;
        let (value, next) = match window {
            w if w > ROW => (w as i32 - (1 << WINDOW_BITS), 1),
            w => (w as i32, 0),
        };
        // Within -(ROW - 1)..=ROW, which i16 holds.
        *digit = value as i16;
        carry = next;
    }
    debug_assert_eq!(carry, 0);
    out
}

/// The `WINDOW_BITS` bits of the 256-bit little-endian `limbs` from bit `at` (zeros
/// above the top).
fn window(limbs: &[u64; 4], at: usize) -> usize {
    let (limb, shift) = (at / 64, at % 64);
    let Some(low) = limbs.get(limb) else {
        return 0;
    };
    let mut bits = low >> shift;
    if let Some(high) = limbs.get(limb + 1)
        && shift + WINDOW_BITS > 64
    {
        bits |= high << (64 - shift);
    }
    // The mask keeps WINDOW_BITS (< 64) bits, which fit any usize.
    (bits & ((1 << WINDOW_BITS) - 1)) as usize
}
