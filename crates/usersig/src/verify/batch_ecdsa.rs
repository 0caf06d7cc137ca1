//! v1 signatures under one public key, many at a time: the multiples of the key (and of
//! the generator, shared) are computed once into fixed-window tables, so that each
//! verification is 64 mixed point additions instead of two scalar multiplications.
//!
//! The verdict is ring's for every input (the tests compare the two): a strict DER
//! signature `SEQUENCE { INTEGER r, INTEGER s }` with `r` and `s` in `[1, n-1]` (high S
//! accepted), `z` the SHA-256 of the message reduced mod `n`, and `R = u1*G + u2*Q` with
//! `u1 = z/s`, `u2 = r/s`, accepted when `R` is not the point at infinity and its `x`
//! reduced mod `n` is `r`. Everything here works on public values only.

use std::sync::OnceLock;

use p256::elliptic_curve::group::Group;
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::{AffineCoordinates, BatchNormalize};
use p256::elliptic_curve::sec1::FromSec1Point;
use p256::elliptic_curve::{Field, PrimeField};
use p256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar, Sec1Point};
use sha2::{Digest, Sha256};

use crate::keys::PublicKey;

/// Bits a window covers.
const WINDOW_BITS: usize = 8;
/// Entries of a row: the multiples 0 to 128 of its base (the signed digits of a window
/// run from -127 to 128; a negative one is its multiple negated).
const WINDOW: usize = (1 << (WINDOW_BITS - 1)) + 1;
/// Rows: one a window over a 256-bit scalar, and one for the last window's carry.
const WINDOWS: usize = 256 / WINDOW_BITS + 1;

/// `WINDOWS` rows of `WINDOW` affine points: row `i`, column `j` is `j * 2^(8i) * P`
/// (column 0, the point at infinity, is never read).
struct Table {
    points: Box<[AffinePoint]>,
}

impl Table {
    /// The table of `p`: 4257 points, built with one field inversion a row.
    fn new(p: ProjectivePoint) -> Table {
        let mut points = Vec::with_capacity(WINDOWS * WINDOW);
        let mut base = p;
        let mut row = [ProjectivePoint::IDENTITY; WINDOW];
        for _ in 0..WINDOWS {
            for j in 1..WINDOW {
                row[j] = row[j - 1] + base;
            }
            points.extend_from_slice(&ProjectivePoint::batch_normalize(&row));
            // 256 * base = 2 * (128 * base).
            base = row[WINDOW - 1].double();
        }
        Table {
            points: points.into_boxed_slice(),
        }
    }

    /// `k * P` for the scalar whose big-endian bytes are `k`: each byte, plus the carry
    /// from the byte below, is a digit in `[-127, 128]` (a byte above 128 is the digit
    /// less 256, and carries one into the next).
    fn mul(&self, k: &FieldBytes) -> ProjectivePoint {
        let mut acc = ProjectivePoint::IDENTITY;
        let mut carry = 0;
        for (i, &byte) in k.iter().rev().enumerate() {
            let digit = usize::from(byte) + carry;
            let row = &self.points[i * WINDOW..(i + 1) * WINDOW];
            if digit > WINDOW - 1 {
                carry = 1;
                if digit < 256 {
                    acc -= &row[256 - digit];
                }
            } else {
                carry = 0;
                if digit != 0 {
                    acc += &row[digit];
                }
            }
        }
        if carry != 0 {
            acc += &self.points[(WINDOWS - 1) * WINDOW + 1];
        }
        acc
    }

    /// Bytes the table holds.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        std::mem::size_of_val(&*self.points)
    }
}

/// The generator's table, built on first use and shared by every key.
fn generator_table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table::new(ProjectivePoint::GENERATOR))
}

/// A public key with its table: verifies v1 signatures as
/// [`PublicKey::verify_der`] does, faster once built (300 KiB, and the
/// time of a few hundred verifications; see the crate's benches).
pub(crate) struct PrecomputedKey {
    /// The SEC1 point it was built from, to tell which key it is.
    point: Box<[u8]>,
    table: Table,
}

impl std::fmt::Debug for PrecomputedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrecomputedKey")
            .field("point", &self.point)
            .finish_non_exhaustive()
    }
}

impl PrecomputedKey {
    /// Build the tables of `key` (and the generator's, once per process). `None` only
    /// if the key's point does not decode, which a loaded [`PublicKey`] always does.
    pub(crate) fn new(key: &PublicKey) -> Option<PrecomputedKey> {
        let sec1 = key.to_sec1_point();
        let encoded = Sec1Point::from_bytes(sec1).ok()?;
        let affine: Option<AffinePoint> = AffinePoint::from_sec1_point(&encoded).into();
        let affine = affine?;
        if bool::from(affine.is_identity()) {
            return None;
        }
        generator_table();
        Some(PrecomputedKey {
            point: sec1.into(),
            table: Table::new(ProjectivePoint::from(affine)),
        })
    }

    /// Whether this is the table of `key`.
    pub(crate) fn is_of(&self, key: &PublicKey) -> bool {
        *self.point == *key.to_sec1_point()
    }

    /// Bytes of this key's table (the generator's is as large, and shared).
    #[cfg(test)]
    pub(crate) fn table_bytes(&self) -> usize {
        self.table.bytes()
    }

    /// Whether `der` is a valid DER ECDSA P-256 signature of SHA-256(`message`).
    pub(crate) fn verify_der(&self, message: &[u8], der: &[u8]) -> bool {
        let digest: [u8; 32] = Sha256::digest(message).into();
        self.verify_digest(&FieldBytes::from(digest), der)
    }

    /// As [`Self::verify_der`] with the digest given.
    fn verify_digest(&self, digest: &FieldBytes, der: &[u8]) -> bool {
        let Some((r, s)) = parse_signature(der) else {
            return false;
        };
        let z = <Scalar as Reduce<FieldBytes>>::reduce(digest);
        let Some(w) = Option::<Scalar>::from(s.invert_vartime()) else {
            return false;
        };
        let u1 = z * w;
        let u2 = r * w;
        let point = generator_table().mul(&u1.to_bytes()) + self.table.mul(&u2.to_bytes());
        if bool::from(point.is_identity()) {
            return false;
        }
        let x = point.to_affine().x();
        <Scalar as Reduce<FieldBytes>>::reduce(&x) == r
    }
}

/// v1 verifications under one key (in one [`KeyTables`]) after which its table is
/// built. A build (4 to 6 ms, twice that for the first, with the generator's) costs
/// about 70 ring verifications (140 for the first) and is repaid after some 300 table
/// ones (700 for the first; the ignored test `timing`), so a short run never pays for
/// one and a long one soon repays it.
pub(crate) const BUILD_AFTER: u32 = 256;
/// Keys a [`KeyTables`] keeps tables for (300 KiB each).
const MAX_TABLES: usize = 4;

/// A batch's keys: ring verifies under a key until it has been used [`BUILD_AFTER`]
/// times, then the key's table does.
#[derive(Debug, Default)]
pub(crate) struct KeyTables {
    /// Keys without a table yet, with how many verifications each has had.
    counts: Vec<(Box<[u8]>, u32)>,
    tables: Vec<PrecomputedKey>,
}

impl KeyTables {
    /// Whether `der` is a valid DER ECDSA P-256 signature of SHA-256(`message`) under
    /// `key`: [`PublicKey::verify_der`]'s verdict.
    pub(crate) fn verify_der(&mut self, key: &PublicKey, message: &[u8], der: &[u8]) -> bool {
        if let Some(table) = self.tables.iter().find(|t| t.is_of(key)) {
            return table.verify_der(message, der);
        }
        if self.tables.len() < MAX_TABLES {
            let point = key.to_sec1_point();
            let at = match self.counts.iter().position(|(p, _)| **p == *point) {
                Some(at) => at,
                None => {
                    self.counts.push((point.into(), 0));
                    self.counts.len() - 1
                }
            };
            self.counts[at].1 += 1;
            if self.counts[at].1 >= BUILD_AFTER
                && let Some(table) = PrecomputedKey::new(key)
            {
                self.counts.swap_remove(at);
                let verdict = table.verify_der(message, der);
                self.tables.push(table);
                return verdict;
            }
        }
        key.verify_der(message, der)
    }

    /// How many tables have been built.
    #[cfg(test)]
    pub(crate) fn built(&self) -> usize {
        self.tables.len()
    }
}

/// `r` and `s` of a strict DER `SEQUENCE { INTEGER r, INTEGER s }` (short-form lengths,
/// minimal positive integers, nothing after), each in `[1, n-1]`.
fn parse_signature(der: &[u8]) -> Option<(Scalar, Scalar)> {
    let body = match der {
        [0x30, len, body @ ..] if usize::from(*len) == body.len() && *len < 0x80 => body,
        _ => return None,
    };
    let (r, rest) = integer(body)?;
    let (s, rest) = integer(rest)?;
    if !rest.is_empty() {
        return None;
    }
    Some((r, s))
}

/// A DER INTEGER in `[1, n-1]` at the start of `input`, and what follows it.
fn integer(input: &[u8]) -> Option<(Scalar, &[u8])> {
    let [0x02, len, rest @ ..] = input else {
        return None;
    };
    let len = usize::from(*len);
    if len >= 0x80 || len > rest.len() {
        return None;
    }
    let (value, rest) = rest.split_at(len);
    let magnitude = match value {
        // Negative.
        [first, ..] if first & 0x80 != 0 => return None,
        // A leading zero only before a byte with its high bit set.
        [0, second, ..] if second & 0x80 == 0 => return None,
        [0, tail @ ..] if !tail.is_empty() => tail,
        [] => return None,
        all => all,
    };
    if magnitude.len() > 32 {
        return None;
    }
    let mut bytes = FieldBytes::default();
    bytes[32 - magnitude.len()..].copy_from_slice(magnitude);
    let scalar: Option<Scalar> = Scalar::from_repr(bytes).into();
    let scalar = scalar?;
    if bool::from(scalar.is_zero()) {
        return None;
    }
    Some((scalar, rest))
}

#[cfg(test)]
mod tests;
