//! v1 signatures under one public key, many at a time: the multiples of the key (and of
//! the generator, shared) are computed once into tables (`table.rs`), so that each
//! verification is 48 point additions instead of two scalar multiplications: in
//! Jacobian coordinates for one signature (`point.rs`), in affine lockstep for a chunk
//! (`chunk.rs`).
//!
//! The verdict is ring's for every input (the tests compare the two): a strict DER
//! signature `SEQUENCE { INTEGER r, INTEGER s }` with `r` and `s` in `[1, n-1]` (high S
//! accepted), `z` the SHA-256 of the message reduced mod `n`, and `R = u1*G + u2*Q` with
//! `u1 = z/s`, `u2 = r/s`, accepted when `R` is not the point at infinity and its `x`
//! reduced mod `n` is `r`. Everything here works on public values only.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::elliptic_curve::sec1::FromSec1Point;
use p256::elliptic_curve::{Field, PrimeField};
use p256::{AffinePoint, FieldBytes, Scalar, Sec1Point};
use sha2::{Digest, Sha256};

use crate::keys::PublicKey;

mod chunk;
mod point;
mod table;
use point::{Affine, Fe, Jacobian, invert_all};
use table::{Digits, Table, digits};

/// The affine point of a SEC1 encoding, if it is one on the curve.
fn decode_point(sec1: &[u8]) -> Option<Affine> {
    let encoded = Sec1Point::from_bytes(sec1).ok()?;
    let affine: AffinePoint = Option::from(AffinePoint::from_sec1_point(&encoded))?;
    if bool::from(affine.is_identity()) {
        return None;
    }
    Some(Affine {
        x: Option::from(Fe::from_repr(affine.x()))?,
        y: Option::from(Fe::from_repr(affine.y()))?,
    })
}

/// The generator's table, built on first use and shared by every key.
fn generator_table() -> Option<&'static Table> {
    static TABLE: OnceLock<Option<Table>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let g = AffinePoint::GENERATOR;
            Table::new(Affine {
                x: Option::from(Fe::from_repr(g.x()))?,
                y: Option::from(Fe::from_repr(g.y()))?,
            })
        })
        .as_ref()
}

/// `n`, the order of the curve, as a field element (it is below p).
fn order() -> Fe {
    Option::from(Fe::from_repr(N.into())).unwrap_or(Fe::ZERO)
}

/// The order of the curve, n, big-endian.
const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `p - n`, big-endian: an `r` below it has two candidate x coordinates, `r` and `r + n`.
const P_MINUS_N: [u8; 32] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x43, 0x19, 0x05, 0x53, 0x58, 0xe8, 0x61, 0x7b,
    0x0c, 0x46, 0x35, 0x3d, 0x03, 0x9c, 0xda, 0xae,
];

/// A public key with its table: verifies v1 signatures as [`PublicKey::verify_der`]
/// does, faster once built (1.5 MiB, and the time of a few hundred verifications; see
/// benches/batch_ecdsa.rs). Public, hidden, for the benches and the fuzz target.
pub struct PrecomputedKey {
    table: Table,
}

impl std::fmt::Debug for PrecomputedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrecomputedKey")
            .field("table_bytes", &self.table_bytes())
            .finish()
    }
}

impl PrecomputedKey {
    /// Build the tables of `key` (and the generator's, once per process). `None` only
    /// if the key's point does not decode, which a loaded [`PublicKey`] always does.
    pub fn new(key: &PublicKey) -> Option<PrecomputedKey> {
        let table = Table::new(decode_point(key.to_sec1_point())?)?;
        generator_table()?;
        Some(PrecomputedKey { table })
    }

    /// Bytes of this key's table (the generator's is as large, and shared).
    pub fn table_bytes(&self) -> usize {
        self.table.bytes()
    }

    /// Whether `der` is a valid DER ECDSA P-256 signature of SHA-256(`message`).
    pub fn verify_der(&self, message: &[u8], der: &[u8]) -> bool {
        self.verify_digest(&digest_of(message), der)
    }

    /// [`Self::verify_der`]'s verdict on each `(message, der)` of `items`, appended to
    /// `verdicts` in order: one scalar inversion for all their `s`, and their sums added
    /// up together ([`chunk::sum_all`]).
    pub fn verify_chunk(&self, items: &[(&[u8], &[u8])], verdicts: &mut Vec<bool>) {
        let Some(generator) = generator_table() else {
            verdicts.extend(items.iter().map(|_| false));
            return;
        };
        let parsed: Vec<Option<(Scalar, Scalar, Scalar)>> = items
            .iter()
            .map(|(message, der)| signed_scalars(&digest_of(message), der))
            .collect();
        let mut inverses: Vec<Scalar> = parsed.iter().flatten().map(|(_, _, s)| *s).collect();
        invert_all(&mut inverses, |x| x.invert_vartime().into());
        let scalars: Vec<(Digits, Digits)> = parsed
            .iter()
            .flatten()
            .zip(&inverses)
            .map(|((z, r, _), w)| (digits(&(z * w).to_repr()), digits(&(r * w).to_repr())))
            .collect();
        let mut sums = chunk::sum_all(generator, &self.table, &scalars).into_iter();
        verdicts.extend(parsed.iter().map(|item| {
            match item {
                Some((_, r, _)) => sums
                    .next()
                    .flatten()
                    .is_some_and(|sum| x_candidates(r).any(|x| sum.x == x)),
                None => false,
            }
        }));
    }

    /// As [`Self::verify_der`] with the digest given, one signature alone:
    /// `R = (z w) G + (r w) Q`, for `w = 1/s`, must be a point other than infinity whose
    /// x, reduced mod n, is `r`. R stays in Jacobian coordinates: `x = X/Z²` is `r` or
    /// `r + n` (when that is below p) exactly when `X = r Z²` or `X = (r + n) Z²`.
    fn verify_digest(&self, digest: &FieldBytes, der: &[u8]) -> bool {
        let (Some((z, r, s)), Some(generator)) = (signed_scalars(digest, der), generator_table())
        else {
            return false;
        };
        let Some(w) = Option::<Scalar>::from(s.invert_vartime()) else {
            return false;
        };
        let mut sum = Jacobian::INFINITY;
        generator.add_multiple(&mut sum, &digits(&(z * w).to_repr()));
        self.table
            .add_multiple(&mut sum, &digits(&(r * w).to_repr()));
        if sum.is_infinity() {
            return false;
        }
        let zz = sum.z.square();
        x_candidates(&r).any(|x| sum.x == x * zz)
    }
}

/// The SHA-256 digest of `message`.
fn digest_of(message: &[u8]) -> FieldBytes {
    let digest: [u8; 32] = Sha256::digest(message).into();
    FieldBytes::from(digest)
}

/// `z`, `r` and `s` of the signature `der` of a message whose digest is `digest`: the
/// digest reduced mod n, and the strict DER's two integers (each in `[1, n-1]`).
fn signed_scalars(digest: &FieldBytes, der: &[u8]) -> Option<(Scalar, Scalar, Scalar)> {
    let (r, s) = parse_signature(der)?;
    Some((<Scalar as Reduce<FieldBytes>>::reduce(digest), r, s))
}

/// The x coordinates whose value mod n is `r` (in `[1, n-1]`): `r`, and `r + n` when
/// that is below p.
fn x_candidates(r: &Scalar) -> impl Iterator<Item = Fe> {
    let bytes = r.to_repr();
    let x: Option<Fe> = Fe::from_repr(bytes).into();
    let wrapped = x.filter(|_| bytes[..] < P_MINUS_N[..]).map(|x| x + order());
    x.into_iter().chain(wrapped)
}

/// v1 verifications by ring under one key after which its table is built: about the
/// break-even that `cargo bench -p usersig-benches --bench batch_ecdsa` measures (a
/// build of 17 to 26 ms repaid by chunk verifications some 65 us cheaper than ring's,
/// after 326 to 404). A run shorter than this never pays for a table, and a longer one
/// pays at most about twice the least it could have (had it known its length).
pub(crate) const BUILD_AFTER: u64 = 400;
/// Keys whose uses are counted and tables built (1.5 MiB each); verifications under
/// any other key stay with ring.
const MAX_TABLES: usize = 4;

/// One key's verifications so far, and its table once built.
#[derive(Debug)]
struct KeyUse {
    /// The key's SEC1 point, to tell which key it is.
    point: Box<[u8]>,
    verifications: AtomicU64,
    /// Set by the one clone that builds the table; the others use ring meanwhile.
    claimed: AtomicBool,
    /// `None` inside only if the build failed, which no loaded key makes it do.
    table: OnceLock<Option<PrecomputedKey>>,
}

/// A batch's keys: ring verifies under a key until it has been used [`BUILD_AFTER`]
/// times, then the key's table does. Clones share the counts and the tables, so that
/// threads checking one batch build each table once between them.
#[derive(Debug, Default, Clone)]
pub(crate) struct KeyTables {
    shared: Arc<Mutex<Vec<Arc<KeyUse>>>>,
    /// The entries of `shared` this clone has used, to find them without the lock.
    mine: Vec<Arc<KeyUse>>,
}

impl KeyTables {
    /// Whether `der` is a valid DER ECDSA P-256 signature of SHA-256(`message`) under
    /// `key`: [`PublicKey::verify_der`]'s verdict.
    pub(crate) fn verify_der(&mut self, key: &PublicKey, message: &[u8], der: &[u8]) -> bool {
        match self.table_for(key, 1) {
            Some(table) => table.verify_der(message, der),
            None => key.verify_der(message, der),
        }
    }

    /// [`Self::verify_der`]'s verdict on each `(message, der)` of `items`, appended to
    /// `verdicts` in order.
    pub(crate) fn verify_many(
        &mut self,
        key: &PublicKey,
        items: &[(&[u8], &[u8])],
        verdicts: &mut Vec<bool>,
    ) {
        let uses = u64::try_from(items.len()).unwrap_or(u64::MAX);
        match self.table_for(key, uses) {
            Some(table) => table.verify_chunk(items, verdicts),
            None => verdicts.extend(items.iter().map(|(m, d)| key.verify_der(m, d))),
        }
    }

    /// The table of `key`, counting `uses` more verifications under it: built by this
    /// clone once ring has made [`BUILD_AFTER`] under it, if no other clone has begun to.
    fn table_for(&mut self, key: &PublicKey, uses: u64) -> Option<&PrecomputedKey> {
        let point = key.to_sec1_point();
        let at = match self.mine.iter().position(|k| *k.point == *point) {
            Some(at) => at,
            None => {
                let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
                let entry = match shared.iter().find(|k| *k.point == *point) {
                    Some(entry) => Arc::clone(entry),
                    None if shared.len() < MAX_TABLES => {
                        let entry = Arc::new(KeyUse {
                            point: point.into(),
                            verifications: AtomicU64::new(0),
                            claimed: AtomicBool::new(false),
                            table: OnceLock::new(),
                        });
                        shared.push(Arc::clone(&entry));
                        entry
                    }
                    None => return None,
                };
                drop(shared);
                self.mine.push(entry);
                self.mine.len() - 1
            }
        };
        let entry = &self.mine[at];
        if let Some(table) = entry.table.get() {
            return table.as_ref();
        }
        // Ring has made `before` verifications under the key so far.
        let before = entry.verifications.fetch_add(uses, Ordering::Relaxed);
        if before < BUILD_AFTER || entry.claimed.swap(true, Ordering::AcqRel) {
            return None;
        }
        entry
            .table
            .get_or_init(|| PrecomputedKey::new(key))
            .as_ref()
    }

    /// How many tables have been built.
    #[cfg(test)]
    pub(crate) fn built(&self) -> usize {
        let shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        shared
            .iter()
            .filter(|k| matches!(k.table.get(), Some(Some(_))))
            .count()
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
