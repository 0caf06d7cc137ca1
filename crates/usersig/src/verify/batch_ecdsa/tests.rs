use p256::ProjectivePoint;
use p256::elliptic_curve::group::Group;
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::elliptic_curve::{Field, PrimeField};
use proptest::prelude::*;

use super::table::{ROW, ROWS, WINDOW_BITS};
use super::*;
use crate::keys::PrivateKey;

/// Split a DER signature into the magnitudes of r and s (leading zeros dropped).
fn split(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let body = &der[2..];
    let rl = usize::from(body[1]);
    let r = body[2..2 + rl].to_vec();
    let s_at = 2 + rl;
    let sl = usize::from(body[s_at + 1]);
    let s = body[s_at + 2..s_at + 2 + sl].to_vec();
    (strip(&r), strip(&s))
}

fn strip(v: &[u8]) -> Vec<u8> {
    let at = v.iter().position(|&b| b != 0).unwrap_or(v.len());
    v[at..].to_vec()
}

/// A minimal DER INTEGER of the unsigned big-endian magnitude `v`.
fn der_int(v: &[u8]) -> Vec<u8> {
    let mut v = strip(v);
    if v.is_empty() {
        v.push(0);
    } else if v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    let mut out = vec![0x02, u8::try_from(v.len()).unwrap()];
    out.extend_from_slice(&v);
    out
}

/// A DER signature of magnitudes r and s.
fn der_sig(r: &[u8], s: &[u8]) -> Vec<u8> {
    let mut body = der_int(r);
    body.extend(der_int(s));
    let mut out = vec![0x30, u8::try_from(body.len()).unwrap()];
    out.extend(body);
    out
}

/// Big-endian addition of two magnitudes (as long as the longer, plus a carry byte).
fn add(a: &[u8], b: &[u8]) -> Vec<u8> {
    let len = a.len().max(b.len()) + 1;
    let pad = |v: &[u8]| {
        let mut p = vec![0u8; len - v.len()];
        p.extend_from_slice(v);
        p
    };
    let (a, b) = (pad(a), pad(b));
    let mut out = vec![0u8; len];
    let mut carry = 0u16;
    for i in (0..len).rev() {
        let sum = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    strip(&out)
}

/// n - v for a nonzero v < n.
fn negate(v: &[u8]) -> Vec<u8> {
    let s = Scalar::from_repr(pad32(v)).unwrap();
    strip(&(-s).to_bytes())
}

fn pad32(v: &[u8]) -> FieldBytes {
    let mut out = FieldBytes::default();
    out[32 - v.len()..].copy_from_slice(v);
    out
}

struct Fixture {
    private: PrivateKey,
    public: PublicKey,
    fast: PrecomputedKey,
}

fn fixture() -> &'static [Fixture] {
    static KEYS: OnceLock<Vec<Fixture>> = OnceLock::new();
    KEYS.get_or_init(|| {
        (0..2)
            .map(|_| {
                let private = PrivateKey::generate().unwrap();
                let public = private.public_key();
                let fast = PrecomputedKey::new(&public).unwrap();
                Fixture {
                    private,
                    public,
                    fast,
                }
            })
            .collect()
    })
}

/// The three verdicts (ring's, the table's alone and in a chunk), asserted equal;
/// returns the verdict.
fn same(key: &Fixture, message: &[u8], der: &[u8]) -> bool {
    agree(&key.public, &key.fast, message, der)
}

fn agree(public: &PublicKey, fast: &PrecomputedKey, message: &[u8], der: &[u8]) -> bool {
    let ring = public.verify_der(message, der);
    let table = fast.verify_der(message, der);
    let mut chunk = Vec::new();
    fast.verify_chunk(&[(message, der)], &mut chunk);
    assert_eq!(ring, table, "message {message:02x?}, signature {der:02x?}");
    assert_eq!(
        [ring][..],
        chunk,
        "message {message:02x?}, signature {der:02x?}"
    );
    ring
}

/// The variants of one genuine signature that ring must refuse or accept: every one
/// judged the same way by both.
fn variants(der: &[u8]) -> Vec<Vec<u8>> {
    let (r, s) = split(der);
    let mut out = vec![der.to_vec()];
    // High S (or low S, if it was high): valid too.
    out.push(der_sig(&r, &negate(&s)));
    // Zero, n, n + value, n - 1 and n + 1.
    for bad in [
        vec![0u8],
        N.to_vec(),
        add(&N, &r),
        add(&N, &[1]),
        negate(&[1]),
    ] {
        out.push(der_sig(&bad, &s));
        out.push(der_sig(&r, &bad));
    }
    // One bit flipped anywhere.
    for i in 0..der.len() * 8 {
        let mut v = der.to_vec();
        v[i / 8] ^= 1 << (i % 8);
        out.push(v);
    }
    // A byte cut off or added, a leading zero added, r and s swapped.
    out.push(der[..der.len() - 1].to_vec());
    let mut longer = der.to_vec();
    longer.push(0);
    out.push(longer);
    let mut padded = vec![0x02, u8::try_from(r.len() + 1).unwrap(), 0];
    padded.extend_from_slice(&r);
    padded.extend(der_int(&s));
    let mut framed = vec![0x30, u8::try_from(padded.len()).unwrap()];
    framed.extend(padded);
    out.push(framed);
    out.push(der_sig(&s, &r));
    // Long-form lengths.
    let mut long = vec![0x30, 0x81, der[1]];
    long.extend_from_slice(&der[2..]);
    out.push(long);
    out
}

#[test]
fn genuine_and_altered_signatures_are_judged_as_ring_judges_them() {
    let key = &fixture()[0];
    let other = &fixture()[1];
    let mut accepted = 0;
    for i in 0..8u8 {
        let message = vec![i; usize::from(i) * 7];
        let der = key.private.sign_der(&message).unwrap();
        let all = variants(&der);
        for v in &all {
            // A variant that is not the signature or its twin (a leading zero added
            // before a high byte re-encodes the signature itself) must be refused.
            let genuine = *v == all[0] || *v == all[1];
            assert_eq!(same(key, &message, v), genuine, "{v:02x?}");
            accepted += usize::from(genuine);
            // Never under another key.
            assert!(!same(other, &message, v));
            // Nor over another message.
            assert!(!same(key, b"another message", v));
        }
    }
    // At least the genuine signature and its other-S twin, each time.
    assert!(accepted >= 16);
}

#[test]
fn a_chunk_judges_each_signature_as_ring_judges_it_alone() {
    let key = &fixture()[0];
    let other = &fixture()[1];
    let mut items: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for i in 0..6u8 {
        let message = vec![i; usize::from(i) * 5];
        let der = key.private.sign_der(&message).unwrap();
        items.extend(variants(&der).into_iter().map(|v| (message.clone(), v)));
        // Another key's genuine signature, and a malformed one, among them.
        items.push((message.clone(), other.private.sign_der(&message).unwrap()));
        items.push((message, vec![0x30, 0x00]));
    }
    let want: Vec<bool> = items
        .iter()
        .map(|(m, d)| key.public.verify_der(m, d))
        .collect();
    assert!(want.iter().filter(|v| **v).count() >= 12);
    let items: Vec<(&[u8], &[u8])> = items.iter().map(|(m, d)| (&m[..], &d[..])).collect();
    // Whatever the chunks it is cut into.
    for size in [1, 2, 7, 256, items.len()] {
        let mut got = Vec::new();
        for chunk in items.chunks(size) {
            key.fast.verify_chunk(chunk, &mut got);
        }
        assert_eq!(got, want, "chunks of {size}");
    }
    let mut none = Vec::new();
    key.fast.verify_chunk(&[], &mut none);
    assert!(none.is_empty());
}

#[test]
fn inverting_many_scalars_at_once_inverts_each() {
    let mut k = Scalar::from(7u32);
    let scalars: Vec<Scalar> = (0..50)
        .map(|_| {
            k = k * k + Scalar::ONE;
            k
        })
        .collect();
    for n in [0, 1, 2, 50] {
        let mut inverted = scalars[..n].to_vec();
        invert_all(&mut inverted, |x| x.invert_vartime().into());
        for (x, inverse) in scalars.iter().zip(&inverted) {
            assert_eq!(x * inverse, Scalar::ONE);
        }
    }
}

/// A scalar whose only nonzero digit is `digit`, in row `row`.
fn one_digit(row: usize, digit: i16) -> Digits {
    let mut d = [0; ROWS];
    d[row] = digit;
    d
}

/// The scalar of digits `d`.
fn scalar_of(d: &Digits) -> Scalar {
    let base = Scalar::from(1u64 << WINDOW_BITS);
    d.iter().rev().fold(Scalar::ZERO, |acc, &digit| {
        let magnitude = Scalar::from(u64::from(digit.unsigned_abs()));
        acc * base + if digit < 0 { -magnitude } else { magnitude }
    })
}

#[test]
fn sums_in_lockstep_are_the_curves_sums_even_through_doubling_and_infinity() {
    // With G's own table as the key's, u1 and u2 of one digit each meet at one x: the
    // same point (doubled), its negation (infinity), or a point after infinity.
    let g = generator_table().unwrap();
    let q = &fixture()[0].fast.table;
    let q_point = key_point(&fixture()[0]);
    let mut k = Scalar::from(0x0123_4567_89ab_cdefu64);
    let mut cases = vec![
        (one_digit(0, 5), one_digit(0, 5)),
        (one_digit(3, -700), one_digit(3, -700)),
        (one_digit(0, 5), one_digit(0, -5)),
        (one_digit(23, 1), one_digit(23, -1)),
        (one_digit(0, 0), one_digit(7, ROW as i16)),
        ([0; ROWS], [0; ROWS]),
    ];
    for _ in 0..20 {
        k = k * k + Scalar::ONE;
        let u1 = digits(&k.to_repr());
        let u2 = digits(&(k * k).to_repr());
        cases.push((u1, u2));
        cases.push((u1, u1));
    }
    for (key, key_point) in [(g, ProjectivePoint::GENERATOR), (q, q_point)] {
        let sums = chunk::sum_all(g, key, &cases);
        for ((u1, u2), sum) in cases.iter().zip(&sums) {
            let want = ProjectivePoint::GENERATOR * scalar_of(u1) + key_point * scalar_of(u2);
            let got = sum.map_or(AffinePoint::IDENTITY, |p| {
                AffinePoint::from_coordinates(&p.x.to_repr(), &p.y.to_repr()).unwrap()
            });
            assert_eq!(got, want.to_affine(), "{u1:?} {u2:?}");
        }
        // The digits are the scalar's.
        assert_eq!(scalar_of(&digits(&k.to_repr())), k);
    }
}

#[test]
fn malformed_signatures_are_refused_as_ring_refuses_them() {
    let key = &fixture()[0];
    for der in [
        &[][..],
        &[0x30],
        &[0x30, 0x00],
        &[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01],
        &[0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01],
        &[0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01],
        &[0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x01],
        &[0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01],
        &[0x30, 0x06, 0x03, 0x01, 0x01, 0x02, 0x01, 0x01],
    ] {
        assert!(!same(key, b"m", der));
    }
}

/// p256's form of a Jacobian point (infinity as its identity).
fn to_p256(p: &Jacobian) -> AffinePoint {
    if p.is_infinity() {
        return AffinePoint::IDENTITY;
    }
    let mut affine = Vec::new();
    point::normalize(&[*p], &mut affine).unwrap();
    AffinePoint::from_coordinates(&affine[0].x.to_repr(), &affine[0].y.to_repr()).unwrap()
}

/// `k * P` by a table.
fn table_times(table: &Table, k: &Scalar) -> AffinePoint {
    let mut sum = Jacobian::INFINITY;
    table.add_multiple(&mut sum, &digits(&k.to_repr()));
    to_p256(&sum)
}

fn key_point(key: &Fixture) -> ProjectivePoint {
    let encoded = Sec1Point::from_bytes(key.public.to_sec1_point()).unwrap();
    ProjectivePoint::from(AffinePoint::from_sec1_point(&encoded).unwrap())
}

#[test]
fn points_add_and_double_as_the_curve_does() {
    let g = ProjectivePoint::GENERATOR;
    let mut k = Scalar::from(0x1234_5678_9abc_def0u64);
    for _ in 0..20 {
        k = k * k + Scalar::ONE;
        let p = g * k;
        let q = (g * (k + k + Scalar::ONE)).to_affine();
        let jacobian = Jacobian::from_affine(&decode(&p.to_affine()));
        // Scaled by an arbitrary z, to test the formulas off z = 1.
        let scaled = scale(
            &jacobian,
            &(Fe::from(u64::from(k.to_repr()[31])).double() + Fe::ONE),
        );
        let q_ours = decode(&q);
        assert_eq!(to_p256(&scaled), p.to_affine());
        assert_eq!(to_p256(&scaled.double()), p.double().to_affine());
        assert_eq!(to_p256(&scaled.add_affine(&q_ours)), (p + q).to_affine());
        // The special cases: P + P, P - P, infinity + Q.
        let p_affine = decode(&p.to_affine());
        assert_eq!(
            to_p256(&scaled.add_affine(&p_affine)),
            p.double().to_affine()
        );
        assert!(scaled.add_affine(&p_affine.neg()).is_infinity());
        assert_eq!(to_p256(&Jacobian::INFINITY.add_affine(&q_ours)), q);
        assert!(Jacobian::INFINITY.double().is_infinity());
    }
}

/// Ours, of a p256 point other than infinity.
fn decode(p: &AffinePoint) -> Affine {
    Affine {
        x: Fe::from_repr(p.x()).unwrap(),
        y: Fe::from_repr(p.y()).unwrap(),
    }
}

/// The same point with Jacobian coordinates scaled by `z`.
fn scale(p: &Jacobian, z: &Fe) -> Jacobian {
    let zz = z.square();
    Jacobian {
        x: p.x * zz,
        y: p.y * zz * z,
        z: p.z * z,
    }
}

#[test]
fn tables_multiply_as_the_curve_does() {
    let g = generator_table().unwrap();
    let q = &fixture()[0].fast;
    let q_point = key_point(&fixture()[0]);
    let mut k = Scalar::from(0x1234_5678_9abc_def0u64);
    for _ in 0..20 {
        k = k * k + Scalar::ONE;
        assert_eq!(
            table_times(g, &k),
            (ProjectivePoint::GENERATOR * k).to_affine()
        );
        assert_eq!(table_times(&q.table, &k), (q_point * k).to_affine());
    }
    // Windows at the edges of the signed range (half, half + 1, half - 1 and all ones,
    // with and without a carry), all ones everywhere (a carry through every window),
    // and 0, 1, n - 1, n - 2.
    let mut edges = Vec::new();
    for window in [ROW, ROW + 1, ROW - 1, 2 * ROW - 1] {
        for at in (0..256 - WINDOW_BITS).step_by(WINDOW_BITS) {
            let mut bytes = [0u8; 32];
            for bit in (0..WINDOW_BITS).filter(|b| window >> b & 1 == 1) {
                bytes[31 - (at + bit) / 8] |= 1 << ((at + bit) % 8);
            }
            edges.push(Scalar::from_repr(bytes.into()).unwrap());
        }
    }
    let mut ones = [0xffu8; 32];
    ones[0] = 0x7f;
    edges.push(Scalar::from_repr(ones.into()).unwrap());
    for k in [Scalar::ZERO, Scalar::ONE, -Scalar::ONE, -Scalar::from(2u32)]
        .into_iter()
        .chain(edges)
    {
        assert_eq!(
            table_times(g, &k),
            (ProjectivePoint::GENERATOR * k).to_affine()
        );
        assert_eq!(table_times(&q.table, &k), (q_point * k).to_affine());
    }
    assert_eq!(q.table_bytes(), g.bytes());
    assert!(q.table_bytes() >= ROWS * ROW * 64);
    // p - n and n are p apart: their sum is 0 in the field.
    assert_eq!(Fe::from_repr(P_MINUS_N.into()).unwrap() + order(), Fe::ZERO);
}

/// The public key of the point `q`.
fn public_key_of(q: &AffinePoint) -> PublicKey {
    let sec1 = [&[4u8][..], &q.x(), &q.y()].concat();
    let mut spki = fixture()[0].public.to_spki_der();
    let at = spki.len() - 65;
    spki[at..].copy_from_slice(&sec1);
    PublicKey::from_der(&spki).unwrap()
}

#[test]
fn digests_that_reduce_to_zero_are_taken_mod_n() {
    // d, Q = dG; k, R = kG, r = x(R); s = r d / k signs the digest z = 0 (and so z = n).
    let d = Scalar::from(0xdead_beef_u64);
    let q = (ProjectivePoint::GENERATOR * d).to_affine();
    let key = PrecomputedKey::new(&public_key_of(&q)).unwrap();
    let k = Scalar::from(0x1_0000_0001_u64);
    let r =
        <Scalar as Reduce<FieldBytes>>::reduce(&(ProjectivePoint::GENERATOR * k).to_affine().x());
    let s = r * d * k.invert().unwrap();
    let der = der_sig(&r.to_bytes(), &s.to_bytes());
    assert!(key.verify_digest(&FieldBytes::default(), &der));
    assert!(key.verify_digest(&FieldBytes::from(N), &der));
    // Its high-S twin too.
    let twin = der_sig(&r.to_bytes(), &negate(&s.to_bytes()));
    assert!(key.verify_digest(&FieldBytes::default(), &twin));
    let mut one = FieldBytes::default();
    one[31] = 1;
    assert!(!key.verify_digest(&one, &der));
    assert!(!bool::from(s.is_zero()));
}

#[test]
fn a_point_whose_x_is_above_n_verifies_as_x_minus_n() {
    // A point R with x = n + c for a small c (where x^3 - 3x + b is a square), and a key
    // made to fit: Q = (s R - z G) / r with r = c, so that u1 G + u2 Q = R, whose x mod
    // n is r. No signer's nonce would find such an R; ring accepts its signature.
    let b = Fe::from_repr(
        [
            0x5a, 0xc6, 0x35, 0xd8, 0xaa, 0x3a, 0x93, 0xe7, 0xb3, 0xeb, 0xbd, 0x55, 0x76, 0x98,
            0x86, 0xbc, 0x65, 0x1d, 0x06, 0xb0, 0xcc, 0x53, 0xb0, 0xf6, 0x3b, 0xce, 0x3c, 0x3e,
            0x27, 0xd2, 0x60, 0x4b,
        ]
        .into(),
    )
    .unwrap();
    let message = b"TLS.identifier:above-n\n";
    let digest: [u8; 32] = Sha256::digest(message).into();
    let z = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(digest));
    let s = Scalar::from(0x1234_5678_u64);
    let mut found = 0;
    for c in 1u64..200 {
        let x = order() + Fe::from(c);
        let Some(y) = Option::<Fe>::from((x.square() * x - x.double() - x + b).sqrt()) else {
            continue;
        };
        let point = AffinePoint::from_coordinates(&x.to_repr(), &y.to_repr()).unwrap();
        let r = Scalar::from(c);
        let q = ((ProjectivePoint::from(point) * s - ProjectivePoint::GENERATOR * z)
            * r.invert().unwrap())
        .to_affine();
        let public = public_key_of(&q);
        let fast = PrecomputedKey::new(&public).unwrap();
        let der = der_sig(&r.to_bytes(), &s.to_bytes());
        assert!(agree(&public, &fast, message, &der), "c = {c}");
        // r one off, or a digit of s changed: refused.
        assert!(!agree(
            &public,
            &fast,
            message,
            &der_sig(&(r + Scalar::ONE).to_bytes(), &s.to_bytes())
        ));
        assert!(!agree(
            &public,
            &fast,
            message,
            &der_sig(&r.to_bytes(), &(s + Scalar::ONE).to_bytes())
        ));
        found += 1;
        if found == 3 {
            return;
        }
    }
    panic!("fewer than three points with x = n + c, c < 200");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_messages_and_signatures_agree_with_ring(
        message in proptest::collection::vec(any::<u8>(), 0..200),
        which in 0usize..2,
        flip in any::<u16>(),
        junk in proptest::collection::vec(any::<u8>(), 0..80),
    ) {
        let key = &fixture()[which];
        let der = key.private.sign_der(&message).unwrap();
        prop_assert!(same(key, &message, &der));
        let mut flipped = der.clone();
        let bit = usize::from(flip) % (der.len() * 8);
        flipped[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(!same(key, &message, &flipped));
        same(key, &message, &junk);
        let mut framed = vec![0x30, u8::try_from(junk.len()).unwrap()];
        framed.extend_from_slice(&junk);
        same(key, &message, &framed);
    }
}

proptest! {
    // A table build each case.
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn random_keys_agree_with_ring_alone_and_in_chunks(
        messages in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..100), 1..40),
        flips in proptest::collection::vec(any::<u16>(), 1..40),
    ) {
        let private = PrivateKey::generate().unwrap();
        let public = private.public_key();
        let fast = PrecomputedKey::new(&public).unwrap();
        let mut signed = Vec::new();
        for (i, message) in messages.iter().enumerate() {
            let der = private.sign_der(message).unwrap();
            prop_assert!(agree(&public, &fast, message, &der));
            let mut flipped = der.clone();
            let bit = usize::from(flips[i % flips.len()]) % (der.len() * 8);
            flipped[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(!agree(&public, &fast, message, &flipped));
            signed.push((message.clone(), der));
            signed.push((message.clone(), flipped));
        }
        let items: Vec<(&[u8], &[u8])> = signed.iter().map(|(m, d)| (&m[..], &d[..])).collect();
        let mut chunk = Vec::new();
        fast.verify_chunk(&items, &mut chunk);
        let want: Vec<bool> = items.iter().map(|(m, d)| public.verify_der(m, d)).collect();
        prop_assert_eq!(chunk, want);
    }
}

/// Timings in release builds: `cargo test --release -p usersig --lib
/// verify::batch_ecdsa::tests::timing -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement: run in release with --nocapture"]
fn timing() {
    use std::time::Instant;
    let key = PrivateKey::generate().unwrap();
    let public = key.public_key();
    let started = Instant::now();
    let first = PrecomputedKey::new(&public).unwrap();
    let first_build = started.elapsed();
    let started = Instant::now();
    let second = PrecomputedKey::new(&public).unwrap();
    let second_build = started.elapsed();
    let signed: Vec<(Vec<u8>, Vec<u8>)> = (0..20_000u32)
        .map(|i| {
            let m = format!("TLS.identifier:user{i}\n").into_bytes();
            let der = key.sign_der(&m).unwrap();
            (m, der)
        })
        .collect();
    let started = Instant::now();
    assert!(signed.iter().all(|(m, d)| public.verify_der(m, d)));
    let ring = started.elapsed();
    let started = Instant::now();
    assert!(signed.iter().all(|(m, d)| second.verify_der(m, d)));
    let table = started.elapsed();
    let items: Vec<(&[u8], &[u8])> = signed.iter().map(|(m, d)| (&m[..], &d[..])).collect();
    let started = Instant::now();
    let mut verdicts = Vec::new();
    for chunk in items.chunks(512) {
        second.verify_chunk(chunk, &mut verdicts);
    }
    let chunks = started.elapsed();
    assert!(verdicts.iter().all(|v| *v));
    let per = |d: std::time::Duration| 20_000.0 / d.as_secs_f64();
    println!(
        "build: first {first_build:?} (with the generator's), then {second_build:?}; \
         table {} bytes; 20000 verifications: ring {ring:?} ({:.0}/s), table {table:?} \
         ({:.0}/s), chunks of 512 {chunks:?} ({:.0}/s)",
        first.table_bytes(),
        per(ring),
        per(table),
        per(chunks)
    );
}
