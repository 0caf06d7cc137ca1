//! The sums `u1 G + u2 Q` of many signatures at once, in affine coordinates: every sum
//! takes its next table entry in the same step, and the step's divisions (one a sum)
//! share one field inversion (Montgomery's trick). An affine addition is then 3
//! multiplications for its share of the inversion and 3 of its own, against 11 for a
//! Jacobian one; the sum needs no conversion at the end either.

use super::point::{Affine, Fe, Jacobian, invert_all};
use super::table::{Digits, ROWS, Table};

/// `u1 G + u2 Q` for each `(u1, u2)` of `scalars` (as digits), `None` for the point at
/// infinity; `generator` and `key` are the tables of G and Q.
pub(super) fn sum_all(
    generator: &Table,
    key: &Table,
    scalars: &[(Digits, Digits)],
) -> Vec<Option<Affine>> {
    let mut sums: Vec<Option<Affine>> = vec![None; scalars.len()];
    // The step's additions of two points with different x: the sum's place, the point
    // added, and then the inverse of the difference of their x.
    let mut pending: Vec<(usize, Affine)> = Vec::with_capacity(scalars.len());
    let mut differences: Vec<Fe> = Vec::with_capacity(scalars.len());
    for step in 0..2 * ROWS {
        let (table, row) = match step {
            s if s < ROWS => (generator, s),
            s => (key, s - ROWS),
        };
        pending.clear();
        differences.clear();
        for (at, ((u1, u2), sum)) in scalars.iter().zip(sums.iter_mut()).enumerate() {
            let digit = if step < ROWS { u1[row] } else { u2[row] };
            if digit == 0 {
                continue;
            }
            let point = table.entry(row, digit);
            match sum {
                None => *sum = Some(point),
                Some(s) => {
                    let difference = point.x - s.x;
                    if bool::from(difference.is_zero()) {
                        *sum = add_same_x(s, &point);
                    } else {
                        pending.push((at, point));
                        differences.push(difference);
                    }
                }
            }
        }
        invert_all(&mut differences, |d| d.invert_vartime().into());
        for ((at, point), inverse) in pending.iter().zip(&differences) {
            if let Some(sum) = &mut sums[*at] {
                *sum = add_different_x(sum, point, inverse);
            }
        }
    }
    sums
}

/// `a + b` for points with different x, given `1 / (x_b - x_a)`.
pub(super) fn add_different_x(a: &Affine, b: &Affine, inverse: &Fe) -> Affine {
    let slope = (b.y - a.y) * inverse;
    let x = slope.square() - a.x - b.x;
    let y = slope * (a.x - x) - a.y;
    Affine { x, y }
}

/// `a + b` for points with the same x: `2a` if they are equal, infinity (`None`) if one
/// is the other's negation.
pub(super) fn add_same_x(a: &Affine, b: &Affine) -> Option<Affine> {
    if a.y != b.y {
        return None;
    }
    let mut doubled = Vec::with_capacity(1);
    super::point::normalize(&[Jacobian::from_affine(a).double()], &mut doubled)?;
    doubled.pop()
}
