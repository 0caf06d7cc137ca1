//! Reading the key forms: PEM blocks, PKCS#8, SEC1 and SubjectPublicKeyInfo DER, and
//! the P-256 checks on what they hold.

use pkcs8::PrivateKeyInfoRef;
use ring::agreement::{ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey as Peer, agree_ephemeral};
use ring::rand::SystemRandom;
use spki::der::asn1::{AnyRef, BitStringRef, ContextSpecific, ObjectIdentifier, OctetStringRef};
use spki::der::{self, Decode, ErrorKind, Reader, SliceReader, Tag, TagNumber, Tagged};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use super::*;

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

pub(super) const NO_END: &str = "it has no matching -----END line";
pub(super) const BAD_BEGIN: &str = "its -----BEGIN line is not of the form -----BEGIN LABEL-----";
pub(super) const NOT_A_POINT: &str = "its public key is not a point on P-256";
pub(super) const BAD_SCALAR: &str =
    "its private key is not a valid P-256 scalar (zero, out of range or wrong length)";

pub(super) const PUTTY_FIX: &str =
    "convert it to PEM with `puttygen KEY -O private-openssh -o key.pem`";
pub(super) const NO_PEM_LINES: &str = "this is a key's base64 without its -----BEGIN and -----END lines; give the whole PEM file (or the binary DER)";
pub(super) const UNSUPPORTED_DER: &str = "this is binary DER data that is not a key this tool reads; expected an EC PRIVATE KEY (SEC1), PRIVATE KEY (PKCS#8) or PUBLIC KEY (SubjectPublicKeyInfo), in PEM or DER";
pub(super) const PUBLIC_FOR_SIGNING: &str = "this is a public key; signing needs the private key (an EC PRIVATE KEY or PRIVATE KEY PEM, such as ec_key.pem)";

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

impl EcKey {
    /// Parse a P-256 key in binary DER: SubjectPublicKeyInfo (public), PKCS#8 or SEC1
    /// `ECPrivateKey` (private). Other DER gets the same diagnostics as its PEM form: a
    /// key of another algorithm or curve, an encrypted key, a certificate.
    pub fn from_der(der: &[u8]) -> Result<EcKey, KeyError> {
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
            DerKind::PublicKey => from_spki(der, "DER PUBLIC KEY").map(EcKey::Public),
            DerKind::PrivateKey => from_pkcs8(der, "DER PRIVATE KEY").map(EcKey::Private),
            DerKind::EcPrivateKey => from_sec1(der, "DER EC PRIVATE KEY").map(EcKey::Private),
            DerKind::EncryptedPrivateKey => Err(KeyError::Encrypted),
            DerKind::Certificate => Err(KeyError::Certificate),
            DerKind::RsaPublicKey => Err(wrong(true)),
            DerKind::RsaPrivateKey => Err(wrong(false)),
            DerKind::Unknown => Err(KeyError::UnsupportedDer),
        }
    }

    /// Parse a key file's bytes, PEM or DER: binary DER (an ASN.1 SEQUENCE spanning the
    /// input) goes to [`EcKey::from_der`], anything else to [`EcKey::from_pem`].
    ///
    /// ```
    /// use usersig::keys::EcKey;
    /// let der = std::fs::read("../../fixtures/keys/der_public.der").unwrap();
    /// let pem = std::fs::read("../../fixtures/public.pem").unwrap();
    /// assert!(matches!(EcKey::from_bytes(&der), Ok(EcKey::Public(_))));
    /// assert!(matches!(EcKey::from_bytes(&pem), Ok(EcKey::Public(_))));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<EcKey, KeyError> {
        if let Some(der) = spanning_der(bytes) {
            return EcKey::from_der(der);
        }
        match EcKey::from_pem(bytes) {
            // Binary that starts like DER but does not span the input.
            Err(KeyError::Der { .. }) => EcKey::from_der(bytes),
            other => other,
        }
    }

    /// Parse a P-256 private or public key PEM; see the module documentation for the
    /// accepted forms and how files with several blocks are read.
    pub fn from_pem(text: &[u8]) -> Result<EcKey, KeyError> {
        if text.trim_ascii().is_empty() {
            return Err(KeyError::Empty);
        }
        let blocks = pem_blocks(text);
        let is_key =
            |b: &&Block| b.label.ends_with(b"PRIVATE KEY") || b.label.ends_with(b"PUBLIC KEY");
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
            b"CERTIFICATE" | b"X509 CERTIFICATE" | b"TRUSTED CERTIFICATE" => {
                Err(KeyError::Certificate)
            }
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
                from_sec1(&block.decode(&label)?, &label).map(EcKey::Private)
            }
            b"PRIVATE KEY" => from_pkcs8(&block.decode(&label)?, &label).map(EcKey::Private),
            b"PUBLIC KEY" => from_spki(&block.decode(&label)?, &label).map(EcKey::Public),
            _ => Err(KeyError::UnsupportedLabel { label }),
        }
    }
}

/// One PEM block: its label and its text from `-----BEGIN` to the matching `-----END`
/// line (`None` when it has none).
pub(super) struct Block<'a> {
    pub(super) label: &'a [u8],
    pub(super) text: Option<&'a [u8]>,
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

pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len().max(1))
        .position(|w| w == needle)
}

/// Split the input into PEM blocks; scanning stops at the first unterminated block (an
/// unterminated BEGIN line gives an empty label).
pub(super) fn pem_blocks(input: &[u8]) -> Vec<Block<'_>> {
    let mut blocks = Vec::new();
    let mut rest = input;
    while let Some(start) = find(rest, b"-----BEGIN ") {
        let from_begin = rest.get(start..).unwrap_or_default();
        let line = from_begin
            .get(11..)
            .unwrap_or_default()
            .split(|&b| b == b'\n')
            .next();
        let line = line.unwrap_or_default();
        let label = find(line, b"-----")
            .and_then(|n| line.get(..n))
            .unwrap_or_default();
        let end_line = [b"-----END ", label, b"-----"].concat();
        let stop = find(from_begin, &end_line)
            .map(|n| n + end_line.len())
            .filter(|_| !label.is_empty());
        blocks.push(Block {
            label,
            text: stop.and_then(|n| from_begin.get(..n)),
        });
        let Some(stop) = stop else { break };
        rest = from_begin.get(stop..).unwrap_or_default();
    }
    blocks
}

/// A PEM label as printable text (labels are not key material, but come from the input).
pub(super) fn label_text(label: &[u8]) -> String {
    if label.is_empty() {
        return "PEM".into();
    }
    let printable = |&b: &u8| {
        if b.is_ascii_graphic() || b == b' ' {
            b as char
        } else {
            '?'
        }
    };
    label.iter().take(40).map(printable).collect()
}

pub(super) fn malformed(label: &str, reason: impl Into<String>) -> KeyError {
    KeyError::Malformed {
        label: label.into(),
        reason: reason.into(),
    }
}

/// A DER decoding error as a short reason naming only what the schema expected.
pub(super) fn der_error(label: &str, e: der::Error) -> KeyError {
    let reason = match e.kind() {
        ErrorKind::Incomplete { .. } => "invalid DER: it is truncated".into(),
        ErrorKind::TrailingData { .. } => "invalid DER: data after the end".into(),
        ErrorKind::TagUnexpected {
            expected: Some(tag),
            ..
        } => format!("invalid DER: expected {tag}"),
        ErrorKind::Length { tag } | ErrorKind::Value { tag } | ErrorKind::Noncanonical { tag } => {
            format!("invalid DER: bad {tag}")
        }
        _ => "invalid DER".to_string(),
    };
    malformed(label, reason)
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

/// The fields of an RFC 5915 `ECPrivateKey`.
pub(super) struct Sec1<'a> {
    version: u8,
    scalar: &'a [u8],
    params: Option<AnyRef<'a>>,
    public: Option<BitStringRef<'a>>,
}

pub(super) fn read_sec1(der: &[u8]) -> der::Result<Sec1<'_>> {
    let mut reader = SliceReader::new(der)?;
    let key = reader.sequence(|r| {
        Ok::<_, der::Error>(Sec1 {
            version: r.decode()?,
            scalar: r.decode::<&OctetStringRef>()?.as_bytes(),
            params: ContextSpecific::decode_explicit(r, TagNumber(0))?.map(|c| c.value),
            public: ContextSpecific::decode_explicit(r, TagNumber(1))?.map(|c| c.value),
        })
    })?;
    reader.finish()?;
    Ok(key)
}

pub(super) fn from_sec1(der: &[u8], label: &str) -> Result<PrivateKey, KeyError> {
    from_sec1_with(der, None, label)
}

/// Read an `ECPrivateKey`; `outer_public` is the public key a PKCS#8 v2 wrapper carries,
/// used when the `ECPrivateKey` has none.
pub(super) fn from_sec1_with(
    der: &[u8],
    outer_public: Option<BitStringRef<'_>>,
    label: &str,
) -> Result<PrivateKey, KeyError> {
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
    let public = uncompressed_point(bits, false, label)?;
    PrivateKey::new(scalar, public, label)
}

pub(super) fn from_pkcs8(der: &[u8], label: &str) -> Result<PrivateKey, KeyError> {
    let info = PrivateKeyInfoRef::from_der(der).map_err(|e| der_error(label, e))?;
    check_algorithm(info.algorithm, false, label)?;
    from_sec1_with(info.private_key.as_bytes(), info.public_key, label)
}

pub(super) fn from_spki(der: &[u8], label: &str) -> Result<PublicKey, KeyError> {
    let info = SubjectPublicKeyInfoRef::from_der(der).map_err(|e| der_error(label, e))?;
    check_algorithm(info.algorithm, true, label)?;
    public_point(info.subject_public_key, true, label)
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
) -> Result<PublicKey, KeyError> {
    let key = uncompressed_point(bits, public, label)?;
    if on_curve(&key.point) {
        Ok(key)
    } else {
        Err(malformed(label, NOT_A_POINT))
    }
}

/// The 65 bytes of an uncompressed point (`04 || x || y`) in a SEC1 / SPKI BIT STRING,
/// not yet checked to be on the curve: [`public_point`] checks it, or the signing engine
/// does for a private key's own point ([`PrivateKey::new`]).
pub(super) fn uncompressed_point(
    bits: BitStringRef<'_>,
    public: bool,
    label: &str,
) -> Result<PublicKey, KeyError> {
    let not_a_point = || malformed(label, NOT_A_POINT);
    let point = bits.as_bytes().ok_or_else(not_a_point)?;
    match point {
        [0x02 | 0x03, rest @ ..] if rest.len() == 32 => Err(KeyError::CompressedPoint {
            label: label.into(),
            public,
        }),
        [0x04, rest @ ..] if rest.len() == 64 => Ok(PublicKey {
            point: point.into(),
        }),
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
