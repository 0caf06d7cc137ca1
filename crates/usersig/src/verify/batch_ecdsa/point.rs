//! P-256 points for the batch verifier, over p256's field: affine points for the tables,
//! Jacobian ones (`x = X/Z²`, `y = Y/Z³`) to add them up in. Variable time, for public
//! values only. The tests check every operation against p256's own point arithmetic.

use p256::NistP256;
use p256::elliptic_curve::Field;
use p256::elliptic_curve::hazmat::FieldArithmetic;

/// An element of P-256's base field (p256's own, in Montgomery form).
pub(super) type Fe = <NistP256 as FieldArithmetic>::FieldElement;

/// A point other than the point at infinity, by its coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Affine {
    pub(super) x: Fe,
    pub(super) y: Fe,
}

impl Affine {
    /// `-self`.
    pub(super) fn neg(&self) -> Affine {
        Affine {
            x: self.x,
            y: -self.y,
        }
    }
}

/// A point in Jacobian coordinates; `z = 0` is the point at infinity.
#[derive(Clone, Copy, Debug)]
pub(super) struct Jacobian {
    pub(super) x: Fe,
    pub(super) y: Fe,
    pub(super) z: Fe,
}

impl Jacobian {
    /// The point at infinity.
    pub(super) const INFINITY: Jacobian = Jacobian {
        x: Fe::ONE,
        y: Fe::ONE,
        z: Fe::ZERO,
    };

    pub(super) fn is_infinity(&self) -> bool {
        bool::from(self.z.is_zero())
    }

    pub(super) fn from_affine(p: &Affine) -> Jacobian {
        Jacobian {
            x: p.x,
            y: p.y,
            z: Fe::ONE,
        }
    }

    /// `2 * self`: 3 multiplications and 5 squarings (the curve's `a` is -3).
    pub(super) fn double(&self) -> Jacobian {
        // No point of P-256 has y = 0 (its order is odd): only infinity doubles to it.
        if self.is_infinity() {
            return Jacobian::INFINITY;
        }
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x * gamma;
        let product = (self.x - delta) * (self.x + delta);
        let alpha = product.double() + product;
        let beta4 = beta.double().double();
        let x = alpha.square() - beta4.double();
        let z = (self.y + self.z).square() - gamma - delta;
        let y = alpha * (beta4 - x) - gamma.square().double().double().double();
        Jacobian { x, y, z }
    }

    /// `self + p`: 8 multiplications and 3 squarings, unless the two share an `x`.
    pub(super) fn add_affine(&self, p: &Affine) -> Jacobian {
        if self.is_infinity() {
            return Jacobian::from_affine(p);
        }
        let zz = self.z.square();
        let h = p.x * zz - self.x;
        let r = p.y * zz * self.z - self.y;
        if bool::from(h.is_zero()) {
            // The same x: the same point, or its negation.
            return if bool::from(r.is_zero()) {
                self.double()
            } else {
                Jacobian::INFINITY
            };
        }
        let hh = h.square();
        let hhh = hh * h;
        let v = self.x * hh;
        let x = r.square() - hhh - v.double();
        let y = r * (v - x) - self.y * hhh;
        let z = self.z * h;
        Jacobian { x, y, z }
    }
}

/// Append the affine forms of `points` to `out`, with one field inversion for them all;
/// `None`, and nothing appended, if one is the point at infinity.
pub(super) fn normalize(points: &[Jacobian], out: &mut Vec<Affine>) -> Option<()> {
    if points.iter().any(Jacobian::is_infinity) {
        return None;
    }
    let mut inverses: Vec<Fe> = points.iter().map(|p| p.z).collect();
    invert_all(&mut inverses, |z| z.invert_vartime().into());
    out.extend(points.iter().zip(&inverses).map(|(p, z_inverse)| {
        let zz = z_inverse.square();
        Affine {
            x: p.x * zz,
            y: p.y * zz * z_inverse,
        }
    }));
    Some(())
}

/// Replace each of `elements`, all nonzero, by its inverse, with one call of `invert`
/// for them all (Montgomery's trick: with `p_i` the product of the first `i + 1`,
/// `1/x_i = p_(i-1) / p_i`, three multiplications each).
pub(super) fn invert_all<F: Field>(elements: &mut [F], invert: impl Fn(&F) -> Option<F>) {
    let mut products = Vec::with_capacity(elements.len());
    let mut product = F::ONE;
    for x in elements.iter() {
        product *= x;
        products.push(product);
    }
    // Only a zero among them (which no caller passes) makes the product zero; every
    // "inverse" is then zero, and nothing verifies with it.
    let mut inverse = invert(&product).unwrap_or(F::ZERO);
    for i in (0..elements.len()).rev() {
        // inverse is 1 / (x_0 ... x_i) here.
        let x = elements[i];
        elements[i] = match i {
            0 => inverse,
            _ => inverse * products[i - 1],
        };
        inverse *= x;
    }
}
