//! Fuzz the batch verifier of v1 signatures (`usersig::verify::PrecomputedKey`) against
//! ring (`usersig::keys::PublicKey::verify_der`): each input is a chunk of one to six
//! (message, DER) pairs under one of three keys, and `verify_der`, `verify_chunk` and ring
//! must give every pair the same verdict.
//!
//! The pairs are raw bytes; genuine signatures (made here, with a nonce from the input)
//! with bytes XORed or spliced in; or genuine `r` and `s` replaced by 0, n, n + r, n - s,
//! the other one, the hash, values of 33 bytes, ..., encoded as strict DER or not. The
//! keys: the demo key (fixtures/ec_key.pem); `-G` (private scalar n - 1), under which
//! `r = z` puts `R` at infinity; and a key made to fit a signature whose `R` has an x of
//! at least n (x = r + n), which no signer meets by chance. Deterministic: no randomness,
//! so that an input replays.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::{AffineCoordinates, DecompressPoint};
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::elliptic_curve::{Field, PrimeField};
use p256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar};
use sha2::{Digest, Sha256};
use usersig::keys::{PrivateKey, PublicKey};
use usersig::verify::PrecomputedKey;

/// The order of the curve, big-endian.
const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `p - n`, the bound below which an x of `r + n` is a field element.
const P_MINUS_N: [u8; 16] = [
    0x43, 0x19, 0x05, 0x53, 0x58, 0xe8, 0x61, 0x7b, 0x0c, 0x46, 0x35, 0x3d, 0x03, 0x9c, 0xda, 0xae,
];

/// Messages the pairs sign: a v1 ticket's signed content among them.
const MESSAGES: [&[u8]; 4] = [
    b"TLS.appid_at_3rd:0\nTLS.account_type:0\nTLS.identifier:xiaojun\nTLS.sdk_appid:1400001052\nTLS.time:1795675257\nTLS.expire_after:15552000\n",
    b"",
    b"TLS.identifier:admin\n",
    b"\x00\xff",
];

/// One key, its table, and a signature genuine under it.
struct Key {
    public: PublicKey,
    fast: PrecomputedKey,
    /// The private scalar, where known: the target signs with it.
    d: Option<Scalar>,
    /// A genuine signature: its message, r and s.
    genuine: (&'static [u8], Scalar, Scalar),
}

fn keys() -> &'static [Key; 3] {
    static KEYS: OnceLock<[Key; 3]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let demo = PrivateKey::from_pem(include_bytes!("../../fixtures/ec_key.pem"))
            .expect("the demo key loads");
        // PKCS#8 as the library writes it: the scalar at 36..68, the point at 73..138.
        let pkcs8 = demo.to_pkcs8_der();
        let d = scalar(&pkcs8[36..68]).expect("a private scalar is below n");
        assert_eq!(point_of(&(ProjectivePoint::GENERATOR * d)), pkcs8[73..138]);
        // -G: the same PKCS#8 with the scalar n - 1 and its point; ring checks the pair.
        let minus_one = -Scalar::ONE;
        let mut other = pkcs8.to_vec();
        other[36..68].copy_from_slice(&minus_one.to_repr());
        other[73..138].copy_from_slice(&point_of(&-ProjectivePoint::GENERATOR));
        let minus_g = PrivateKey::from_der(&other).expect("n - 1 and -G load as a key pair");
        let (spki, fitted) = fitted_key(&demo.public_key().to_spki_der());
        let fitted_public = PublicKey::from_der(&spki).expect("the fitted key loads");
        [
            known(demo.public_key(), d),
            known(minus_g.public_key(), minus_one),
            with_table(fitted_public, None, fitted),
        ]
    })
}

/// A key whose scalar `d` is known, with a genuine signature of the first message.
fn known(public: PublicKey, d: Scalar) -> Key {
    let nonce = reduce(&Sha256::digest(b"the genuine signature's nonce").into());
    let (r, s) = sign(&d, MESSAGES[0], nonce).expect("a nonzero r and s");
    with_table(public, Some(d), (MESSAGES[0], r, s))
}

fn with_table(
    public: PublicKey,
    d: Option<Scalar>,
    genuine: (&'static [u8], Scalar, Scalar),
) -> Key {
    let fast = PrecomputedKey::new(&public).expect("a loaded key has a table");
    let (message, r, s) = genuine;
    assert!(
        public.verify_der(message, &der(&r.to_repr(), &s.to_repr())),
        "ring accepts the genuine signature"
    );
    Key {
        public,
        fast,
        d,
        genuine,
    }
}

/// The SPKI of a key under which a signature of its own message is genuine with an `R`
/// whose x is `r + n`: R is the point of x = n + t for the largest t below p - n that
/// gives one, and the key `Q = (s R - z G) / r`. `spki` is any P-256 SPKI (its point is
/// replaced).
fn fitted_key(spki: &[u8]) -> (Vec<u8>, (&'static [u8], Scalar, Scalar)) {
    const MESSAGE: &[u8] = b"an R with x >= n";
    let mut t = [0u8; 32];
    t[16..].copy_from_slice(&P_MINUS_N);
    let (x, point) = loop {
        t = sub(&t, &[1]).try_into().expect("32 bytes");
        let x: [u8; 32] = add(&N, &t)[1..].try_into().expect("n + t is below p");
        let point: Option<AffinePoint> =
            AffinePoint::decompress(&FieldBytes::from(x), 0.into()).into();
        if let Some(point) = point {
            break (x, point);
        }
    };
    assert_eq!(add(&N, &t)[0], 0, "n + t fits 32 bytes");
    assert_eq!(point.x()[..], x[..]);
    let r = scalar(&t).expect("t is below n");
    let s = reduce(&Sha256::digest(b"the fitted signature's s").into());
    let z = reduce(&Sha256::digest(MESSAGE).into());
    let q = (ProjectivePoint::from(point) * s - ProjectivePoint::GENERATOR * z)
        * Option::<Scalar>::from(r.invert()).expect("r is not zero");
    let mut out = spki[..spki.len() - 65].to_vec();
    out.extend_from_slice(&point_of(&q));
    (out, (MESSAGE, r, s))
}

/// The uncompressed SEC1 encoding of a point other than infinity.
fn point_of(p: &ProjectivePoint) -> Vec<u8> {
    p.to_affine().to_sec1_point(false).as_bytes().to_vec()
}

/// The scalar of 32 big-endian bytes, if below n.
fn scalar(bytes: &[u8]) -> Option<Scalar> {
    let mut repr = FieldBytes::default();
    repr.copy_from_slice(bytes);
    Scalar::from_repr(repr).into()
}

/// 32 big-endian bytes reduced mod n.
fn reduce(bytes: &[u8; 32]) -> Scalar {
    <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(*bytes))
}

/// The hash of `message` as a scalar, as ECDSA takes it.
fn z_of(message: &[u8]) -> Scalar {
    reduce(&Sha256::digest(message).into())
}

/// ECDSA: `r = x(k G) mod n`, `s = (z + r d) / k`; `None` if either is zero.
fn sign(d: &Scalar, message: &[u8], k: Scalar) -> Option<(Scalar, Scalar)> {
    let k = if bool::from(k.is_zero()) {
        Scalar::ONE
    } else {
        k
    };
    let x: [u8; 32] = (ProjectivePoint::GENERATOR * k).to_affine().x().into();
    let r = reduce(&x);
    let k_inv: Scalar = Option::from(k.invert())?;
    let s = (z_of(message) + r * d) * k_inv;
    (!bool::from(r.is_zero()) && !bool::from(s.is_zero())).then_some((r, s))
}

/// Big-endian magnitude without leading zeros.
fn strip(v: &[u8]) -> &[u8] {
    let at = v.iter().position(|&b| b != 0).unwrap_or(v.len());
    &v[at..]
}

/// `a + b`, big-endian, one byte longer than the longer.
fn add(a: &[u8], b: &[u8]) -> Vec<u8> {
    let len = a.len().max(b.len()) + 1;
    let mut out = vec![0u8; len];
    let mut carry = 0u16;
    for i in 0..len {
        let at = |v: &[u8]| v.len().checked_sub(i + 1).map_or(0, |j| u16::from(v[j]));
        let sum = at(a) + at(b) + carry;
        out[len - 1 - i] = sum as u8;
        carry = sum >> 8;
    }
    out
}

/// `a - b` for `a >= b`, big-endian, as long as `a`.
fn sub(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = a.to_vec();
    let mut borrow = 0i16;
    for i in 0..a.len() {
        let bi = b.len().checked_sub(i + 1).map_or(0, |j| i16::from(b[j]));
        let mut diff = i16::from(a[a.len() - 1 - i]) - bi - borrow;
        borrow = i16::from(diff < 0);
        if diff < 0 {
            diff += 256;
        }
        out[a.len() - 1 - i] = diff as u8;
    }
    out
}

/// A DER INTEGER of the magnitude `v`: minimal, with a sign byte when its top bit is
/// set; `pad` adds a needless zero byte, `unsigned` leaves out a needed one.
fn integer(v: &[u8], pad: bool, unsigned: bool) -> Vec<u8> {
    let mut body = strip(v).to_vec();
    if body.is_empty() || (body[0] & 0x80 != 0 && !unsigned) || pad {
        body.insert(0, 0);
    }
    let mut out = vec![0x02];
    push_len(&mut out, body.len(), false);
    out.extend(body);
    out
}

/// A DER length: short form, or (`long`) the needless long form.
fn push_len(out: &mut Vec<u8>, len: usize, long: bool) {
    if long || len >= 0x80 {
        out.extend([0x81, len as u8]);
    } else {
        out.push(len as u8);
    }
}

/// The strict DER signature of magnitudes `r` and `s`.
fn der(r: &[u8], s: &[u8]) -> Vec<u8> {
    sequence(integer(r, false, false), integer(s, false, false), false)
}

fn sequence(r: Vec<u8>, s: Vec<u8>, long: bool) -> Vec<u8> {
    let mut out = vec![0x30];
    push_len(&mut out, r.len() + s.len(), long);
    out.extend(r);
    out.extend(s);
    out
}

/// The fuzz input, read from the front; zeros once it runs out.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    /// A number below `k` (from one byte).
    fn below(&mut self, k: u8) -> u8 {
        self.byte() % k
    }

    /// Up to `n` bytes (fewer when the input runs out).
    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (taken, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        taken
    }

    /// 32 bytes, zero-filled when the input runs out.
    fn block(&mut self) -> [u8; 32] {
        let mut out = [0u8; 32];
        let taken = self.bytes(32);
        out[..taken.len()].copy_from_slice(taken);
        out
    }
}

/// A message: one of [`MESSAGES`] or up to 64 bytes of the input.
fn message(input: &mut Input<'_>) -> Vec<u8> {
    match input.below(6) {
        i @ 0..4 => MESSAGES[usize::from(i)].to_vec(),
        _ => {
            let len = usize::from(input.below(65));
            input.bytes(len).to_vec()
        }
    }
}

/// A genuine signature under `key`: its own, or (when the key's scalar is known) one
/// made here of a chosen message with a nonce from the input.
fn genuine(key: &Key, input: &mut Input<'_>) -> (Vec<u8>, Scalar, Scalar) {
    let (message, r, s) = key.genuine;
    if let Some(d) = &key.d
        && input.below(4) != 0
    {
        let message = message_or_own(input, message);
        let nonce = match input.below(4) {
            // Small nonces: R is a small multiple of G.
            0 => Scalar::from(u64::from(input.byte())),
            _ => reduce(&input.block()),
        };
        if let Some((r, s)) = sign(d, &message, nonce) {
            return (message, r, s);
        }
    }
    (message.to_vec(), r, s)
}

fn message_or_own(input: &mut Input<'_>, own: &[u8]) -> Vec<u8> {
    match input.below(3) {
        0 => own.to_vec(),
        _ => message(input),
    }
}

/// `r` or `s` replaced: `own` is the genuine value, `other` the other one, `z` the hash.
fn replaced(input: &mut Input<'_>, own: &Scalar, other: &Scalar, z: &Scalar, key: &Key) -> Vec<u8> {
    let own_bytes = own.to_repr();
    match input.below(16) {
        0 => own_bytes.to_vec(),
        1 => other.to_repr().to_vec(),
        2 => vec![0],
        3 => N.to_vec(),
        4 => add(&N, &own_bytes),
        5 => (-*own).to_repr().to_vec(),
        6 => (*own + Scalar::from(u64::from(input.byte())))
            .to_repr()
            .to_vec(),
        7 => (*own - Scalar::from(u64::from(input.byte())))
            .to_repr()
            .to_vec(),
        8 => input.block().to_vec(),
        // 33 bytes: a high byte above a scalar.
        9 => {
            let mut v = vec![input.byte()];
            v.extend_from_slice(&own_bytes);
            v
        }
        10 => add(&N, &[input.byte()]),
        11 => sub(&N, &[input.byte()]),
        // Around p - n, where r has two candidate x, r and r + n.
        12 => add(&P_MINUS_N, &[input.byte()]),
        13 => sub(&P_MINUS_N, &[input.byte()]),
        14 => z.to_repr().to_vec(),
        // As r: the value that puts R at infinity (z + r d = 0), or near it.
        _ => match key.d.and_then(|d| Option::<Scalar>::from(d.invert())) {
            Some(d_inv) => (-*z * d_inv + Scalar::from(u64::from(input.below(3))))
                .to_repr()
                .to_vec(),
            None => own_bytes.to_vec(),
        },
    }
}

/// One (message, signature) pair, and whether it is a genuine signature left as made.
fn pair(key: &Key, input: &mut Input<'_>) -> (Vec<u8>, Vec<u8>, bool) {
    match input.below(8) {
        // Raw bytes.
        0 => {
            let message = message(input);
            let len = usize::from(input.below(80));
            (message, input.bytes(len).to_vec(), false)
        }
        // Genuine, as made.
        1 | 2 => {
            let (message, r, s) = genuine(key, input);
            (message, der(&r.to_repr(), &s.to_repr()), true)
        }
        // Genuine with bytes XORed, spliced in or cut off; or its message changed.
        3 | 4 => {
            let (message, r, s) = genuine(key, input);
            let mut sig = der(&r.to_repr(), &s.to_repr());
            alter(&mut sig, input);
            let message = match input.below(8) {
                0 => self::message(input),
                _ => message,
            };
            (message, sig, false)
        }
        // r and s replaced, encoded strictly or not.
        _ => {
            let (message, r, s) = genuine(key, input);
            let z = z_of(&message);
            let (new_r, new_s) = if input.below(8) == 0 {
                (s.to_repr().to_vec(), r.to_repr().to_vec())
            } else {
                (
                    replaced(input, &r, &s, &z, key),
                    replaced(input, &s, &r, &z, key),
                )
            };
            let sig = match input.below(10) {
                0 => sequence(
                    integer(&new_r, true, false),
                    integer(&new_s, false, false),
                    false,
                ),
                1 => sequence(
                    integer(&new_r, false, false),
                    integer(&new_s, true, false),
                    false,
                ),
                2 => sequence(
                    integer(&new_r, false, true),
                    integer(&new_s, false, true),
                    false,
                ),
                3 => sequence(
                    integer(&new_r, false, false),
                    integer(&new_s, false, false),
                    true,
                ),
                _ => der(&new_r, &new_s),
            };
            (message, sig, false)
        }
    }
}

/// XOR, splice or cut `sig` as the input says.
fn alter(sig: &mut Vec<u8>, input: &mut Input<'_>) {
    for _ in 0..=input.below(3) {
        let at = usize::from(input.byte()) % sig.len().max(1);
        match input.below(4) {
            0 | 1 => {
                let x = input.byte().max(1);
                if let Some(b) = sig.get_mut(at) {
                    *b ^= x;
                }
            }
            2 => {
                let cut = usize::from(input.below(4));
                let len = usize::from(input.below(5));
                let with = input.bytes(len).to_vec();
                let end = (at + cut).min(sig.len());
                sig.splice(at..end, with);
            }
            _ => sig.truncate(at),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let key = &keys()[usize::from(input.below(3))];
    let count = usize::from(input.below(6)) + 1;
    let pairs: Vec<(Vec<u8>, Vec<u8>, bool)> = (0..count).map(|_| pair(key, &mut input)).collect();
    let items: Vec<(&[u8], &[u8])> = pairs.iter().map(|(m, d, _)| (&m[..], &d[..])).collect();
    let mut chunk = Vec::new();
    key.fast.verify_chunk(&items, &mut chunk);
    assert_eq!(chunk.len(), items.len(), "one verdict a pair");
    for ((message, sig, genuine), in_chunk) in pairs.iter().zip(chunk) {
        let ring = key.public.verify_der(message, sig);
        if *genuine {
            assert!(
                ring,
                "ring refuses a genuine signature: the target signs wrongly"
            );
        }
        let alone = key.fast.verify_der(message, sig);
        assert_eq!(
            alone, ring,
            "verify_der differs from ring: message {message:02x?}, signature {sig:02x?}"
        );
        assert_eq!(
            in_chunk, ring,
            "verify_chunk differs from ring: message {message:02x?}, signature {sig:02x?}"
        );
    }
});
