//! Reading the key forms: PEM blocks, PKCS#8, SEC1 and SubjectPublicKeyInfo DER, and
//! the P-256 checks on what they hold. What is read is a [`RawKey`], the values only;
//! the parent module loads it into the signing engine.

use pkcs8::PrivateKeyInfoRef;
use ring::agreement::{ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey as Peer, agree_ephemeral};
use ring::rand::SystemRandom;
use spki::der::asn1::{AnyRef, BitStringRef, ObjectIdentifier};
use spki::der::{Decode, Tag, Tagged};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use super::der::{
    Block, find, label_text, outer_sequence_spans, pem_blocks, read_sec1, spanning_der,
};
use super::diagnose::{
    BAD_BEGIN, DerKind, KeyError, der_error, malformed, not_pem, openssh_key_type,
};

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

pub(super) const NO_END: &str = "it has no matching -----END line";

pub(super) const NOT_A_POINT: &str = "its public key is not a point on P-256";

pub(super) const BAD_SCALAR: &str =
    "its private key is not a valid P-256 scalar (zero, out of range or wrong length)";

/// Key algorithms (PKCS#8 / SPKI algorithm OIDs) other than EC that we can name.
pub(super) const ALGORITHMS: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.1", "RSA"),
    ("1.2.840.113549.1.1.10", "RSASSA-PSS"),
    ("1.3.101.112", "Ed25519"),
    ("1.3.101.113", "Ed448"),
    ("1.3.101.110", "X25519"),
    ("1.3.101.111", "X448"),
    ("1.2.840.10040.4.1", "DSA"),
    ("1.2.156.10197.1.301", "SM2"),
];

/// Named curves other than P-256 that we can name.
pub(super) const CURVES: &[(&str, &str)] = &[
    ("1.3.132.0.10", "secp256k1"),
    ("1.3.132.0.34", "P-384 (secp384r1)"),
    ("1.3.132.0.35", "P-521 (secp521r1)"),
    ("1.3.132.0.33", "P-224 (secp224r1)"),
    ("1.2.840.10045.3.1.1", "P-192 (prime192v1)"),
    ("1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1"),
    ("1.2.156.10197.1.301", "SM2"),
];

/// The order n of the P-256 group, big-endian: a private scalar is in 1..n.
pub(super) const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// A key as read from its file, before it is loaded: a private scalar (in 1..n) with its
/// uncompressed public point (not yet known to be the scalar's), or a public point
/// (checked to be on the curve); with the label it was found under, for messages.
pub(super) enum RawKey {
    Private {
        scalar: Zeroizing<[u8; 32]>,
        point: Box<[u8]>,
        label: String,
    },
    Public(Box<[u8]>),
}

/// Parse a P-256 key in binary DER: SubjectPublicKeyInfo (public), PKCS#8 or SEC1
/// `ECPrivateKey` (private). Other DER gets the same diagnostics as its PEM form: a
/// key of another algorithm or curve, an encrypted key, a certificate.
pub(super) fn from_der(der: &[u8]) -> Result<RawKey, KeyError> {
    if der.is_empty() {
        return Err(KeyError::Empty);
    }
    if !outer_sequence_spans(der) {
        return Err(malformed(
            "DER",
            "it is not one ASN.1 SEQUENCE spanning the file (truncated, or data after the end)",
        ));
    }
    let wrong = |public| KeyError::WrongAlgorithm {
        algorithm: "RSA".into(),
        public,
    };
    match DerKind::of(der) {
        DerKind::PublicKey => from_spki(der, "DER PUBLIC KEY"),
        DerKind::PrivateKey => from_pkcs8(der, "DER PRIVATE KEY"),
        DerKind::EcPrivateKey => from_sec1(der, "DER EC PRIVATE KEY"),
        DerKind::EncryptedPrivateKey => Err(KeyError::Encrypted),
        DerKind::Certificate => Err(KeyError::Certificate),
        DerKind::RsaPublicKey => Err(wrong(true)),
        DerKind::RsaPrivateKey => Err(wrong(false)),
        DerKind::Unknown => Err(KeyError::UnsupportedDer),
    }
}

/// Read a key file's bytes, PEM or DER: binary DER (an ASN.1 SEQUENCE spanning the
/// input) goes to [`from_der`], anything else to [`from_pem`].
pub(super) fn from_bytes(bytes: &[u8]) -> Result<RawKey, KeyError> {
    if let Some(der) = spanning_der(bytes) {
        return from_der(der);
    }
    match from_pem(bytes) {
        // Binary that starts like DER but does not span the input.
        Err(KeyError::Der { .. }) => from_der(bytes),
        other => other,
    }
}

/// Parse a P-256 private or public key PEM; see the module documentation for the
/// accepted forms and how files with several blocks are read.
pub(super) fn from_pem(text: &[u8]) -> Result<RawKey, KeyError> {
    if text.trim_ascii().is_empty() {
        return Err(KeyError::Empty);
    }
    let blocks = pem_blocks(text);
    let is_key = |b: &&Block| b.label.ends_with(b"PRIVATE KEY") || b.label.ends_with(b"PUBLIC KEY");
    let not_params = |b: &&Block| b.label != b"EC PARAMETERS";
    let Some(block) = blocks
        .iter()
        .find(is_key)
        .or_else(|| blocks.iter().find(not_params))
    else {
        return Err(if blocks.is_empty() {
            not_pem(text)
        } else {
            KeyError::ParametersOnly
        });
    };
    let label = label_text(block.label);
    let Some(body) = block.text else {
        let unclosed = block.label.is_empty();
        return Err(malformed(&label, if unclosed { BAD_BEGIN } else { NO_END }));
    };
    let wrong = |algorithm: &str, public| {
        Err(KeyError::WrongAlgorithm {
            algorithm: algorithm.into(),
            public,
        })
    };
    match block.label {
        b"RSA PRIVATE KEY" => wrong("RSA", false),
        b"RSA PUBLIC KEY" => wrong("RSA", true),
        b"DSA PRIVATE KEY" => wrong("DSA", false),
        b"ENCRYPTED PRIVATE KEY" => Err(KeyError::Encrypted),
        b"CERTIFICATE" | b"X509 CERTIFICATE" | b"TRUSTED CERTIFICATE" => Err(KeyError::Certificate),
        b"OPENSSH PRIVATE KEY" => {
            let key_type = block
                .decode(&label)
                .ok()
                .and_then(|der| openssh_key_type(&der));
            Err(KeyError::OpenSsh {
                key_type,
                public: false,
            })
        }
        b"EC PRIVATE KEY"
            if find(body, b"Proc-Type:").is_some() && find(body, b"ENCRYPTED").is_some() =>
        {
            Err(KeyError::Encrypted)
        }
        b"EC PRIVATE KEY" => {
            if let Some(params) = blocks.iter().find(|b| !not_params(b)) {
                let der = params.decode("EC PARAMETERS")?;
                let any = AnyRef::from_der(&der).map_err(|e| der_error("EC PARAMETERS", e))?;
                check_curve(Some(any), false, "EC PARAMETERS")?;
            }
            from_sec1(&block.decode(&label)?, &label)
        }
        b"PRIVATE KEY" => from_pkcs8(&block.decode(&label)?, &label),
        b"PUBLIC KEY" => from_spki(&block.decode(&label)?, &label),
        _ => Err(KeyError::UnsupportedLabel { label }),
    }
}

impl Block<'_> {
    /// Base64-decode the block body (the result is wiped on drop).
    pub(super) fn decode(&self, label: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let text = self.text.ok_or_else(|| malformed(label, NO_END))?;
        let der = pem::parse(text).map(|pem| Zeroizing::new(pem.into_contents()));
        match der {
            Ok(der) if der.is_empty() => Err(malformed(label, "it is empty")),
            Ok(der) => Ok(der),
            Err(pem::PemError::InvalidData(_)) => {
                Err(malformed(label, "the base64 inside is invalid"))
            }
            Err(pem::PemError::NotUtf8(_)) => Err(malformed(label, "it is not valid text")),
            Err(pem::PemError::InvalidHeader(_)) => {
                Err(malformed(label, "a header line is invalid"))
            }
            Err(_) => Err(malformed(label, "its BEGIN/END lines are broken")),
        }
    }
}

/// Dotted OID text, or the name the table gives it.
pub(super) fn name_of(table: &[(&str, &str)], oid: ObjectIdentifier) -> String {
    let dotted = oid.to_string();
    table
        .iter()
        .find(|(o, _)| *o == dotted)
        .map_or(dotted, |(_, name)| name.to_string())
}

/// Check a PKCS#8 / SPKI algorithm is id-ecPublicKey on P-256.
pub(super) fn check_algorithm(
    alg: AlgorithmIdentifierRef<'_>,
    public: bool,
    label: &str,
) -> Result<(), KeyError> {
    if alg.oid != ID_EC_PUBLIC_KEY {
        return Err(KeyError::WrongAlgorithm {
            algorithm: name_of(ALGORITHMS, alg.oid),
            public,
        });
    }
    if alg.parameters.is_none() {
        return Err(malformed(label, "the EC algorithm names no curve"));
    }
    check_curve(alg.parameters, public, label)
}

/// Check EC domain parameters (`None` when absent) name P-256.
pub(super) fn check_curve(
    params: Option<AnyRef<'_>>,
    public: bool,
    label: &str,
) -> Result<(), KeyError> {
    let Some(any) = params else { return Ok(()) };
    match any.tag() {
        Tag::ObjectIdentifier => match any.decode_as::<ObjectIdentifier>() {
            Ok(oid) if oid == P256 => Ok(()),
            Ok(oid) => Err(KeyError::WrongCurve {
                curve: name_of(CURVES, oid),
                public,
            }),
            Err(e) => Err(der_error(label, e)),
        },
        Tag::Sequence => Err(KeyError::ExplicitParameters),
        _ => Err(malformed(
            label,
            "the curve parameters are not a named curve",
        )),
    }
}

pub(super) fn from_sec1(der: &[u8], label: &str) -> Result<RawKey, KeyError> {
    from_sec1_with(der, None, label)
}

/// Read an `ECPrivateKey`; `outer_public` is the public key a PKCS#8 v2 wrapper carries,
/// used when the `ECPrivateKey` has none.
pub(super) fn from_sec1_with(
    der: &[u8],
    outer_public: Option<BitStringRef<'_>>,
    label: &str,
) -> Result<RawKey, KeyError> {
    let key = read_sec1(der).map_err(|e| der_error(label, e))?;
    if key.version != 1 {
        return Err(malformed(label, "its version is not 1"));
    }
    check_curve(key.params, false, label)?;
    let scalar = p256_scalar(key.scalar).ok_or_else(|| malformed(label, BAD_SCALAR))?;
    // openssl always writes the public key; the engine needs it, and checks the pair.
    let Some(bits) = key.public.or(outer_public) else {
        return Err(KeyError::NoPublicKey {
            label: label.into(),
        });
    };
    // The engine checks that the point is the scalar's (so on the curve).
    let point = uncompressed_point(bits, false, label)?;
    Ok(RawKey::Private {
        scalar,
        point,
        label: label.into(),
    })
}

pub(super) fn from_pkcs8(der: &[u8], label: &str) -> Result<RawKey, KeyError> {
    let info = PrivateKeyInfoRef::from_der(der).map_err(|e| der_error(label, e))?;
    check_algorithm(info.algorithm, false, label)?;
    from_sec1_with(info.private_key.as_bytes(), info.public_key, label)
}

pub(super) fn from_spki(der: &[u8], label: &str) -> Result<RawKey, KeyError> {
    let info = SubjectPublicKeyInfoRef::from_der(der).map_err(|e| der_error(label, e))?;
    check_algorithm(info.algorithm, true, label)?;
    public_point(info.subject_public_key, true, label).map(RawKey::Public)
}

/// A private scalar as 32 big-endian bytes, when it is in 1..n. Shorter encodings (from
/// writers that drop leading zero bytes, down to 24 bytes) are padded on the left.
pub(super) fn p256_scalar(bytes: &[u8]) -> Option<Zeroizing<[u8; 32]>> {
    let pad = 32usize.checked_sub(bytes.len()).filter(|&pad| pad <= 8)?;
    let mut scalar = Zeroizing::new([0u8; 32]);
    scalar.get_mut(pad..)?.copy_from_slice(bytes);
    // scalar < n exactly when scalar - n borrows; every byte is looked at (no early exit
    // on the secret's bytes).
    let borrow = scalar
        .iter()
        .zip(P256_ORDER.iter())
        .rev()
        .fold(0u16, |borrow, (&s, &n)| {
            (u16::from(s).wrapping_sub(u16::from(n)).wrapping_sub(borrow) >> 8) & 1
        });
    let nonzero = scalar.iter().fold(0u8, |acc, &b| acc | b) != 0;
    (borrow == 1 && nonzero).then_some(scalar)
}

/// The public key in a SEC1 / SPKI BIT STRING: an uncompressed point on P-256.
pub(super) fn public_point(
    bits: BitStringRef<'_>,
    public: bool,
    label: &str,
) -> Result<Box<[u8]>, KeyError> {
    let point = uncompressed_point(bits, public, label)?;
    if on_curve(&point) {
        Ok(point)
    } else {
        Err(malformed(label, NOT_A_POINT))
    }
}

/// The 65 bytes of an uncompressed point (`04 || x || y`) in a SEC1 / SPKI BIT STRING,
/// not yet checked to be on the curve: [`public_point`] checks it, or the signing engine
/// does as it loads a private key's own point.
pub(super) fn uncompressed_point(
    bits: BitStringRef<'_>,
    public: bool,
    label: &str,
) -> Result<Box<[u8]>, KeyError> {
    let not_a_point = || malformed(label, NOT_A_POINT);
    let point = bits.as_bytes().ok_or_else(not_a_point)?;
    match point {
        [0x02 | 0x03, rest @ ..] if rest.len() == 32 => Err(KeyError::CompressedPoint {
            label: label.into(),
            public,
        }),
        [0x04, rest @ ..] if rest.len() == 64 => Ok(point.into()),
        _ => Err(not_a_point()),
    }
}

/// Whether an uncompressed point (65 bytes) lies on P-256, as told by ring's ECDH, which
/// refuses a peer point off the curve (coordinates out of range included) and, the group
/// having prime order, agrees with every point on it. Should the operating system give
/// no randomness for the ephemeral key, the point is taken as it is: ring checks it again
/// at each use (an invalid point verifies no signature and matches no private key).
pub(super) fn on_curve(point: &[u8]) -> bool {
    let Ok(mine) = EphemeralPrivateKey::generate(&ECDH_P256, &SystemRandom::new()) else {
        return true;
    };
    agree_ephemeral(mine, &Peer::new(&ECDH_P256, point), |_| ()).is_ok()
}
