//! Loading the ECDSA P-256 keys that sign (private) and verify (public) UserSig v1 tickets.
//!
//! Tencent only ever issued P-256 (prime256v1, secp256r1) keys, in these PEM forms:
//! `EC PRIVATE KEY` (SEC1 / RFC 5915, optionally with an `EC PARAMETERS` block before or
//! after it, as `openssl ecparam -genkey -name prime256v1` writes), `PRIVATE KEY` (PKCS#8)
//! and `PUBLIC KEY` (SubjectPublicKeyInfo). White space, CRLF line endings and text
//! around the blocks (such as openssl's "Bag Attributes") are ignored.
//!
//! When a file holds several blocks, the first block whose label is a key label (ends in
//! `PRIVATE KEY` or `PUBLIC KEY`) is used and later key blocks are ignored, the same way
//! openssl reads the first key; so a certificate followed by its key loads the key. The
//! first `EC PARAMETERS` block, if any, must name P-256 when the key is `EC PRIVATE KEY`.
//!
//! The same keys in binary DER (SEC1 `ECPrivateKey`, PKCS#8 or SubjectPublicKeyInfo, as
//! `openssl ec|pkey -outform DER` writes them) load with the `from_der` functions, and
//! the `from_bytes` functions take either form, telling them apart by content.
//!
//! ECDSA itself (signing, verifying, making keys, checking that a public key is a point
//! on the curve and belongs to its private key) is ring's; the parsers only read the
//! files. A private key must therefore carry its public key (openssl always writes it;
//! `openssl ec -no_public` leaves it out) and public keys must be uncompressed points:
//! other keys are refused with the openssl command that rewrites them.
//!
//! [`KeyMaterial::recognise`] tells key material in any common form (PEM, DER, OpenSSH,
//! PuTTY, ...) from a v2 secret: a key is never used as an HMAC secret.
//!
//! Anything else is refused with a [`KeyError`] that says what was found, what is needed
//! and, where there is an obvious one, the command that fixes it. Error messages never
//! contain key material: only labels, algorithm and curve names, OIDs and lengths.

use std::fmt;

use pkcs8::PrivateKeyInfoRef;
use ring::agreement::{ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey as Peer, agree_ephemeral};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, UnparsedPublicKey,
};
use sha2::{Digest, Sha256};
use spki::der::asn1::{AnyRef, BitStringRef, ContextSpecific, ObjectIdentifier, OctetStringRef};
use spki::der::{self, Decode, ErrorKind, Reader, SliceReader, Tag, TagNumber, Tagged};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const NO_END: &str = "it has no matching -----END line";
const BAD_BEGIN: &str = "its -----BEGIN line is not of the form -----BEGIN LABEL-----";
const NOT_A_POINT: &str = "its public key is not a point on P-256";
const BAD_SCALAR: &str =
    "its private key is not a valid P-256 scalar (zero, out of range or wrong length)";
const NEEDS: &str = "UserSig v1 needs an ECDSA P-256 (prime256v1) key";
const EXPECTED: &str = "expected EC PRIVATE KEY, PRIVATE KEY or PUBLIC KEY";
const UNSUPPORTED: &str =
    "is not a key this tool reads; expected EC PRIVATE KEY, PRIVATE KEY or PUBLIC KEY";
const MIX_UP: &str = " (a common mix-up with P-256)";
const DER_PRIVATE: &str = "this is a binary DER private key, not PEM; convert it with `openssl ec -inform DER -in KEY -out key.pem`";
const DER_PUBLIC: &str = "this is a binary DER public key, not PEM; convert it with `openssl pkey -pubin -inform DER -in KEY -out public.pem`";
const V2_SECRET: &str = "this looks like a v2 secret key (64 hex characters), not a PEM key";
const EXPLICIT: &str = "explicit EC curve parameters are not supported; use a named curve: `openssl ec -in KEY -param_enc named_curve -out key.pem`";
const ENCRYPTED: &str = "this private key is passphrase-protected; decrypt it with `openssl pkey -in KEY -out key.pem` (prompts for the passphrase and writes it unencrypted)";
const CERTIFICATE: &str = "this is an X.509 certificate, not a key; extract its public key with `openssl x509 -in CERT -pubkey -noout > public.pem`";
const SSH_PRIVATE_FIX: &str = "convert it to PEM in place with `ssh-keygen -p -m PEM -f KEY`";
const SSH_PUBLIC_FIX: &str = "convert it with `ssh-keygen -e -m PKCS8 -f KEY > public.pem`";
const SSH_UNKNOWN: &str = "UserSig v1 needs an ECDSA P-256 key in PEM form (an ecdsa-sha2-nistp256 private key converts with `ssh-keygen -p -m PEM -f KEY`)";
const PUTTY_FIX: &str = "convert it to PEM with `puttygen KEY -O private-openssh -o key.pem`";
const NO_PEM_LINES: &str = "this is a key's base64 without its -----BEGIN and -----END lines; give the whole PEM file (or the binary DER)";
const UNSUPPORTED_DER: &str = "this is binary DER data that is not a key this tool reads; expected an EC PRIVATE KEY (SEC1), PRIVATE KEY (PKCS#8) or PUBLIC KEY (SubjectPublicKeyInfo), in PEM or DER";
const PUBLIC_FOR_SIGNING: &str = "this is a public key; signing needs the private key (an EC PRIVATE KEY or PRIVATE KEY PEM, such as ec_key.pem)";

/// Key algorithms (PKCS#8 / SPKI algorithm OIDs) other than EC that we can name.
const ALGORITHMS: &[(&str, &str)] = &[
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
const CURVES: &[(&str, &str)] = &[
    ("1.3.132.0.10", "secp256k1"),
    ("1.3.132.0.34", "P-384 (secp384r1)"),
    ("1.3.132.0.35", "P-521 (secp521r1)"),
    ("1.3.132.0.33", "P-224 (secp224r1)"),
    ("1.2.840.10045.3.1.1", "P-192 (prime192v1)"),
    ("1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1"),
    ("1.2.156.10197.1.301", "SM2"),
];

/// A P-256 private key (signs v1 tickets).
pub struct PrivateKey {
    /// The private scalar, 32 bytes big-endian (wiped on drop).
    scalar: Zeroizing<[u8; 32]>,
    /// Its public half.
    public: PublicKey,
    /// The key in the signing engine (ring: OpenSSL's speed, random nonces).
    engine: Box<EcdsaKeyPair>,
}

/// A P-256 public key (verifies v1 tickets).
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// The uncompressed SEC1 point (`04 || x || y`, 65 bytes), checked to be on the curve.
    point: Box<[u8]>,
}

/// What a PEM file held.
#[derive(Debug)]
pub enum EcKey {
    /// A private key (`EC PRIVATE KEY` or `PRIVATE KEY`).
    Private(PrivateKey),
    /// A public key (`PUBLIC KEY`).
    Public(PublicKey),
}

/// The order n of the P-256 group, big-endian: a private scalar is in 1..n.
const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// The DER `AlgorithmIdentifier { id-ecPublicKey, prime256v1 }` that PKCS#8 and SPKI share.
const EC_P256_ALGORITHM: [u8; 21] = [
    0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x03, 0x01, 0x07,
];

impl PrivateKey {
    /// Parse a private key PEM (SEC1 `EC PRIVATE KEY`, optionally with an `EC PARAMETERS`
    /// block; or PKCS#8 `PRIVATE KEY`). A public key is [`KeyError::PublicKeyForSigning`].
    pub fn from_pem(text: &[u8]) -> Result<PrivateKey, KeyError> {
        match EcKey::from_pem(text)? {
            EcKey::Private(key) => Ok(key),
            EcKey::Public(_) => Err(KeyError::PublicKeyForSigning),
        }
    }

    /// Parse a binary DER private key: SEC1 `ECPrivateKey` (as `openssl ec -outform DER`
    /// writes) or PKCS#8 (as `openssl pkey -outform DER` writes). A DER public key is
    /// [`KeyError::PublicKeyForSigning`].
    pub fn from_der(der: &[u8]) -> Result<PrivateKey, KeyError> {
        match EcKey::from_der(der)? {
            EcKey::Private(key) => Ok(key),
            EcKey::Public(_) => Err(KeyError::PublicKeyForSigning),
        }
    }

    /// Parse a private key file's bytes, PEM or DER, told apart by their content
    /// (see [`EcKey::from_bytes`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<PrivateKey, KeyError> {
        match EcKey::from_bytes(bytes)? {
            EcKey::Private(key) => Ok(key),
            EcKey::Public(_) => Err(KeyError::PublicKeyForSigning),
        }
    }

    /// Load a scalar (already known to be in 1..n) and its uncompressed public point (of
    /// the right length, not yet known to be on the curve) into the signing engine, which
    /// derives the public key from the scalar and compares: the only way it can refuse a
    /// valid scalar is a public key that is not the scalar's. A point the engine accepts
    /// is the scalar times the generator, so on the curve; only a refused one is checked
    /// further, to say which of the two is wrong (the check costs a second point
    /// multiplication, a third of the time a key takes to load).
    fn new(scalar: Zeroizing<[u8; 32]>, public: PublicKey, label: &str) -> Result<Self, KeyError> {
        let engine = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_ASN1_SIGNING,
            scalar.as_slice(),
            &public.point,
            &SystemRandom::new(),
        )
        .map_err(|e| {
            // The engine draws a secret for its nonces as it loads the key.
            if e.to_string() == "RNG failed" {
                KeyError::NoRandomnessToSign
            } else if on_curve(&public.point) {
                malformed(label, "its public key does not match its private key")
            } else {
                malformed(label, NOT_A_POINT)
            }
        })?;
        Ok(PrivateKey {
            scalar,
            public,
            engine: Box::new(engine),
        })
    }

    /// The public half of this key.
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// Sign `message`: ECDSA P-256 over its SHA-256, DER-encoded, with a fresh random
    /// nonce from the operating system, as OpenSSL does. Fails only when the operating
    /// system's random number generator fails ([`KeyError::NoRandomnessToSign`]): no
    /// signature is made without a fresh nonce.
    pub fn sign_der(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = SystemRandom::new();
        self.engine
            .sign(&rng, message)
            .map(|sig| sig.as_ref().to_vec())
            .map_err(|_| KeyError::NoRandomnessToSign)
    }
}

impl PrivateKey {
    /// A fresh random P-256 key from the operating system's random number generator.
    pub fn generate() -> Result<PrivateKey, KeyError> {
        let document =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &SystemRandom::new())
                .map_err(|_| KeyError::NoRandomness)?;
        // The engine wrote it; reading it back gives the scalar and point it holds.
        from_pkcs8(document.as_ref(), "PRIVATE KEY").map_err(|e| match e {
            KeyError::NoRandomnessToSign => KeyError::NoRandomness,
            e => e,
        })
    }

    /// The key as PKCS#8 DER, as `openssl pkey -outform DER` writes it: version 0, the
    /// id-ecPublicKey/prime256v1 algorithm, and an `ECPrivateKey` holding the scalar and
    /// the public key (no curve parameters inside). Wiped when dropped.
    pub fn to_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        let mut der = Zeroizing::new(Vec::with_capacity(138));
        der.extend_from_slice(&[0x30, 0x81, 0x87, 0x02, 0x01, 0x00]);
        der.extend_from_slice(&EC_P256_ALGORITHM);
        // OCTET STRING { ECPrivateKey { 1, OCTET STRING scalar, [1] BIT STRING point } }
        der.extend_from_slice(&[0x04, 0x6d, 0x30, 0x6b, 0x02, 0x01, 0x01, 0x04, 0x20]);
        der.extend_from_slice(self.scalar.as_slice());
        der.extend_from_slice(&[0xa1, 0x44, 0x03, 0x42, 0x00]);
        der.extend_from_slice(&self.public.point);
        der
    }

    /// The key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, LF line endings), the same
    /// bytes `openssl pkey` writes; wiped when dropped.
    pub fn to_pkcs8_pem(&self) -> Zeroizing<String> {
        pem_text("PRIVATE KEY", &self.to_pkcs8_der())
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(P-256, <redacted>)")
    }
}

impl PublicKey {
    /// Parse a public key PEM (`PUBLIC KEY`, SPKI). A private key PEM (any form that
    /// [`PrivateKey::from_pem`] accepts) is accepted too, and its public half is used.
    pub fn from_pem(text: &[u8]) -> Result<PublicKey, KeyError> {
        match EcKey::from_pem(text)? {
            EcKey::Private(key) => Ok(key.public_key()),
            EcKey::Public(key) => Ok(key),
        }
    }

    /// Parse a binary DER public key (SubjectPublicKeyInfo, as `openssl pkey -pubout
    /// -outform DER` writes); a DER private key gives its public half.
    pub fn from_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        match EcKey::from_der(der)? {
            EcKey::Private(key) => Ok(key.public_key()),
            EcKey::Public(key) => Ok(key),
        }
    }

    /// Parse a key file's bytes, PEM or DER (see [`EcKey::from_bytes`]); a private key
    /// gives its public half.
    pub fn from_bytes(bytes: &[u8]) -> Result<PublicKey, KeyError> {
        match EcKey::from_bytes(bytes)? {
            EcKey::Private(key) => Ok(key.public_key()),
            EcKey::Public(key) => Ok(key),
        }
    }

    /// The key as an uncompressed SEC1 point: `04`, then x and y, 32 bytes each.
    pub fn to_sec1_point(&self) -> &[u8] {
        &self.point
    }

    /// Whether `der` is a valid DER ECDSA P-256 signature of SHA-256(`message`).
    pub fn verify_der(&self, message: &[u8], der: &[u8]) -> bool {
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &self.point)
            .verify(message, der)
            .is_ok()
    }
}

impl PublicKey {
    /// The key as SubjectPublicKeyInfo DER (91 bytes, as `openssl pkey -pubout -outform
    /// DER` writes).
    pub fn to_spki_der(&self) -> Vec<u8> {
        let mut der = Vec::with_capacity(91);
        der.extend_from_slice(&[0x30, 0x59]);
        der.extend_from_slice(&EC_P256_ALGORITHM);
        der.extend_from_slice(&[0x03, 0x42, 0x00]);
        der.extend_from_slice(&self.point);
        der
    }

    /// The key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`), as `openssl pkey -pubout` writes.
    pub fn to_spki_pem(&self) -> String {
        pem_text("PUBLIC KEY", &self.to_spki_der()).to_string()
    }

    /// `SHA256:` and the hex SHA-256 of the SPKI DER: the same as
    /// `openssl pkey -pubin -in public.pem -outform DER | sha256sum`.
    ///
    /// ```
    /// let pem = std::fs::read("../../fixtures/public.pem").unwrap();
    /// let key = usersig::keys::PublicKey::from_pem(&pem).unwrap();
    /// assert!(key.fingerprint().starts_with("SHA256:"));
    /// assert_eq!(key.fingerprint().len(), 7 + 64);
    /// ```
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.to_spki_der());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("SHA256:{hex}")
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PublicKey(P-256)")
    }
}

/// `der` as PEM text with `label`: base64 in 64-character lines, LF endings. Built in
/// one allocation of the exact size, wiped when dropped (it may hold a private key).
fn pem_text(label: &str, der: &[u8]) -> Zeroizing<String> {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    let b64 = Zeroizing::new(STANDARD.encode(der));
    let lines = b64.len().div_ceil(64);
    let mut out = Zeroizing::new(String::with_capacity(
        b64.len() + lines + 2 * (label.len() + 16),
    ));
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    let mut rest = b64.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(64));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

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

/// Why a key could not be used.
///
/// `Display` is one line naming what was found and what is needed (and the fix, when there
/// is an obvious one). It never contains key material.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The input is empty or only white space.
    Empty,
    /// Binary DER instead of PEM; `public` picks the conversion command to suggest.
    Der {
        /// Whether the DER parses as a public key (SubjectPublicKeyInfo).
        public: bool,
    },
    /// 64 hex characters: a v2 (HMAC) secret key, not a v1 key.
    V2Secret,
    /// No `-----BEGIN` line and nothing else we recognise.
    NotPem,
    /// A PEM block whose framing, base64, DER or key values are broken.
    Malformed {
        /// The block's PEM label.
        label: String,
        /// What is wrong, in a few words (never key bytes).
        reason: String,
    },
    /// A key for another algorithm, such as RSA or Ed25519.
    WrongAlgorithm {
        /// Algorithm name, or dotted OID when unknown.
        algorithm: String,
        /// Whether it is a public key.
        public: bool,
    },
    /// An EC key on a curve other than P-256.
    WrongCurve {
        /// Curve name, or dotted OID when unknown.
        curve: String,
        /// Whether it is a public key.
        public: bool,
    },
    /// An EC key with explicit curve parameters instead of a named curve.
    ExplicitParameters,
    /// A passphrase-protected private key.
    Encrypted,
    /// An X.509 certificate rather than a key.
    Certificate,
    /// An OpenSSH-format key.
    OpenSsh {
        /// The SSH key type (such as `ssh-ed25519`), when it could be read.
        key_type: Option<String>,
        /// Whether it is a public key line.
        public: bool,
    },
    /// Only an `EC PARAMETERS` block, no key.
    ParametersOnly,
    /// A PEM block with a label that is not a key this tool reads.
    UnsupportedLabel {
        /// The PEM label.
        label: String,
    },
    /// A public key where signing needs the private key.
    PublicKeyForSigning,
    /// The operating system gave no randomness for a new key.
    NoRandomness,
    /// The operating system gave no randomness to sign with: for a signature's nonce,
    /// or for the nonce secret the signing engine draws as it loads a private key.
    NoRandomnessToSign,
    /// A PuTTY key file (`.ppk`).
    Putty {
        /// The key type from its first line, when it could be read.
        key_type: Option<String>,
    },
    /// A key's base64 (a PEM body) without its BEGIN and END lines.
    NoPemLines,
    /// Binary DER that is none of the key forms this tool reads.
    UnsupportedDer,
    /// A key's DER written as hex digits.
    HexDer,
    /// An SSH.com-format private key (`---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`).
    SshCom,
    /// A JSON Web Key.
    Jwk,
    /// A key file saved as UTF-16 text.
    Utf16,
    /// A private key without its public key (an `ECPrivateKey` may leave it out; the
    /// signing engine needs it).
    NoPublicKey {
        /// Where it was found, such as `EC PRIVATE KEY` or `DER PRIVATE KEY`.
        label: String,
    },
    /// A public key written as a compressed point (only uncompressed points are read).
    CompressedPoint {
        /// Where it was found, such as `PUBLIC KEY` or `EC PRIVATE KEY`.
        label: String,
        /// Whether it is a public key file (rather than the public half of a private key).
        public: bool,
    },
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = |public: &bool| if *public { "public" } else { "private" };
        match self {
            Self::Empty => write!(f, "the key file is empty; {EXPECTED}"),
            Self::Der { public: false } => f.write_str(DER_PRIVATE),
            Self::Der { public: true } => f.write_str(DER_PUBLIC),
            Self::V2Secret => f.write_str(V2_SECRET),
            Self::NotPem => write!(f, "not a PEM key file (no -----BEGIN line); {EXPECTED}"),
            Self::Malformed { label, reason } => write!(f, "malformed {label} block: {reason}"),
            Self::WrongAlgorithm {
                algorithm: a,
                public,
            } => {
                let k = kind(public);
                let an =
                    a.starts_with(['A', 'E', 'F', 'H', 'I', 'L', 'M', 'N', 'O', 'R', 'S', 'X']);
                match (a.starts_with(char::is_numeric), if an { "an" } else { "a" }) {
                    (true, _) => write!(f, "this {k} key uses algorithm {a}; {NEEDS}"),
                    (false, article) => write!(f, "this is {article} {a} {k} key; {NEEDS}"),
                }
            }
            Self::WrongCurve { curve, public } => {
                let (k, note) = (kind(public), if curve == "secp256k1" { MIX_UP } else { "" });
                write!(f, "this is an EC {k} key on curve {curve}{note}; {NEEDS}")
            }
            Self::ExplicitParameters => f.write_str(EXPLICIT),
            Self::Encrypted => f.write_str(ENCRYPTED),
            Self::Certificate => f.write_str(CERTIFICATE),
            Self::OpenSsh { key_type, public } => {
                let (k, fix) = (
                    kind(public),
                    if *public {
                        SSH_PUBLIC_FIX
                    } else {
                        SSH_PRIVATE_FIX
                    },
                );
                match key_type.as_deref() {
                    Some(t @ "ecdsa-sha2-nistp256") => {
                        write!(f, "this is an OpenSSH-format {k} key ({t}); {fix}")
                    }
                    Some(t) => write!(f, "this is an OpenSSH {t} {k} key; {NEEDS}"),
                    None => write!(f, "this is an OpenSSH-format {k} key; {SSH_UNKNOWN}"),
                }
            }
            Self::ParametersOnly => {
                write!(f, "the file holds only EC PARAMETERS, no key; {EXPECTED}")
            }
            Self::UnsupportedLabel { label } => write!(f, "a PEM '{label}' block {UNSUPPORTED}"),
            Self::PublicKeyForSigning => f.write_str(PUBLIC_FOR_SIGNING),
            Self::NoRandomness => f.write_str(
                "the operating system's random number generator failed; no key was made",
            ),
            Self::NoRandomnessToSign => f.write_str(
                "the operating system's random number generator failed; nothing was signed",
            ),
            Self::Putty { key_type } => match key_type.as_deref() {
                Some(t @ "ecdsa-sha2-nistp256") => {
                    write!(f, "this is a PuTTY key file ({t}); {PUTTY_FIX}")
                }
                Some(t) => write!(f, "this is a PuTTY {t} key file; {NEEDS}"),
                None => write!(f, "this is a PuTTY key file; {NEEDS} ({PUTTY_FIX})"),
            },
            Self::NoPemLines => f.write_str(NO_PEM_LINES),
            Self::UnsupportedDer => f.write_str(UNSUPPORTED_DER),
            Self::HexDer => f.write_str(
                "this is a key's DER written as hex digits; make it binary DER with `xxd -r -p KEY > key.der`",
            ),
            Self::SshCom => write!(f, "this is an SSH.com-format private key; {NEEDS} in PEM or DER form"),
            Self::Jwk => write!(f, "this is a JSON Web Key; {NEEDS} in PEM or DER form"),
            Self::Utf16 => f.write_str(
                "this key file is saved as UTF-16 text; convert it with `iconv -f UTF-16 -t UTF-8 KEY > key.pem`",
            ),
            Self::NoPublicKey { label } => {
                let inform = if label.starts_with("DER") { " -inform DER" } else { "" };
                write!(
                    f,
                    "this {label} has no public key in it; rewrite it with `openssl ec{inform} -in KEY -out fixed.pem`"
                )
            }
            Self::CompressedPoint { label, public } => {
                let inform = if label.starts_with("DER") { " -inform DER" } else { "" };
                let (what, pubin) = if *public {
                    ("public key", " -pubin -pubout")
                } else {
                    ("private key's public half", "")
                };
                write!(
                    f,
                    "this {label} holds its {what} as a compressed point; rewrite it uncompressed with `openssl ec{inform}{pubin} -in KEY -conv_form uncompressed -out fixed.pem`"
                )
            }
        }
    }
}

impl std::error::Error for KeyError {}

/// Key material found where a v2 secret was expected (see [`KeyMaterial::recognise`]).
///
/// `Display` names what it is in a few words, such as "a public key (DER
/// SubjectPublicKeyInfo)"; it never contains key bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyMaterial {
    /// PEM text (a `-----BEGIN ` line anywhere): the label of its first key block, or
    /// else of its first block, made printable and cut to 40 characters (empty when the
    /// BEGIN line is broken).
    Pem {
        /// The first block's label, such as `PUBLIC KEY`.
        label: String,
    },
    /// Binary DER: an ASN.1 SEQUENCE whose length spans the whole input.
    Der(DerKind),
    /// The base64 of a DER key or certificate without its PEM lines (a PEM file's body).
    Base64Der(DerKind),
    /// An OpenSSH public key line, such as `ssh-ed25519 AAAA... comment`.
    OpenSshPublic {
        /// The key type, such as `ssh-ed25519`, or `unknown type` when it is not one
        /// of the known SSH key types (other words are never shown).
        key_type: String,
    },
    /// The hex of a DER key or certificate (as `xxd -p` writes; white space allowed).
    HexDer(DerKind),
    /// An SSH2 public key block (RFC 4716, `---- BEGIN SSH2 PUBLIC KEY ----`).
    Ssh2Public,
    /// An SSH.com private key (`---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`).
    Ssh2Private,
    /// A JSON Web Key (a JSON object with a `"kty"` member), public or private.
    Jwk,
    /// Any of the text forms, saved as UTF-16 (as some Windows editors do).
    Utf16(Box<KeyMaterial>),
    /// A PuTTY key file (`PuTTY-User-Key-File-`).
    Putty {
        /// The key type from its first line, when it is a known SSH key type.
        key_type: Option<String>,
    },
}

/// What a DER SEQUENCE holds, as far as its shape tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DerKind {
    /// A public key (SubjectPublicKeyInfo), any algorithm.
    PublicKey,
    /// A private key (PKCS#8 PrivateKeyInfo), any algorithm.
    PrivateKey,
    /// A passphrase-protected private key (PKCS#8 EncryptedPrivateKeyInfo).
    EncryptedPrivateKey,
    /// An EC private key (SEC1 / RFC 5915 ECPrivateKey).
    EcPrivateKey,
    /// An X.509 certificate.
    Certificate,
    /// An RSA public key (PKCS#1 RSAPublicKey).
    RsaPublicKey,
    /// An RSA private key (PKCS#1 RSAPrivateKey).
    RsaPrivateKey,
    /// Some other DER structure.
    Unknown,
}

impl DerKind {
    /// What it is and the form it is in, for messages.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            DerKind::PublicKey => ("a public key", "SubjectPublicKeyInfo"),
            DerKind::PrivateKey => ("a private key", "PKCS#8"),
            DerKind::EncryptedPrivateKey => ("an encrypted private key", "PKCS#8"),
            DerKind::EcPrivateKey => ("an EC private key", "SEC1"),
            DerKind::Certificate => ("an X.509 certificate", ""),
            DerKind::RsaPublicKey => ("an RSA public key", "PKCS#1"),
            DerKind::RsaPrivateKey => ("an RSA private key", "PKCS#1"),
            DerKind::Unknown => ("DER data", "an ASN.1 SEQUENCE"),
        }
    }

    /// Tell what a DER SEQUENCE (already known to span the input) holds.
    fn of(der: &[u8]) -> DerKind {
        if SubjectPublicKeyInfoRef::from_der(der).is_ok() {
            return DerKind::PublicKey;
        }
        if PrivateKeyInfoRef::from_der(der).is_ok() {
            return DerKind::PrivateKey;
        }
        if read_sec1(der).is_ok() {
            return DerKind::EcPrivateKey;
        }
        let tags = sequence_tags(der).unwrap_or_default();
        let int = Tag::Integer;
        match tags.as_slice() {
            [Tag::Sequence, Tag::Sequence, Tag::BitString] => DerKind::Certificate,
            [Tag::Sequence, Tag::OctetString] => DerKind::EncryptedPrivateKey,
            [a, b] if *a == int && *b == int => DerKind::RsaPublicKey,
            all if all.len() == 9 && all.iter().all(|t| *t == int) => DerKind::RsaPrivateKey,
            _ => DerKind::Unknown,
        }
    }
}

impl KeyMaterial {
    /// Whether `bytes` hold a key or certificate in any common form, rather than a v2
    /// secret: PEM of any label (`-----BEGIN ` anywhere); binary DER (any ASN.1 SEQUENCE
    /// spanning the input, trailing white space aside, named when its shape is known);
    /// such DER as hex digits or as base64 without PEM lines; an OpenSSH public key line;
    /// an SSH2 (RFC 4716) public key or SSH.com private key; a PuTTY key file; a JSON Web
    /// Key; any of the text forms saved as UTF-16.
    ///
    /// A secret as the console shows it (64 hex characters, with or without surrounding
    /// white space) is never taken for key material.
    ///
    /// ```
    /// use usersig::keys::KeyMaterial;
    /// let der = std::fs::read("../../fixtures/keys/der_public.der").unwrap();
    /// let found = KeyMaterial::recognise(&der).unwrap();
    /// assert_eq!(found.to_string(), "a public key (DER SubjectPublicKeyInfo)");
    /// let secret = b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e\n";
    /// assert_eq!(KeyMaterial::recognise(secret), None);
    /// ```
    pub fn recognise(bytes: &[u8]) -> Option<KeyMaterial> {
        if let Some(der) = spanning_der(bytes) {
            return Some(KeyMaterial::Der(DerKind::of(der)));
        }
        let blocks = pem_blocks(bytes);
        let is_key =
            |b: &&Block<'_>| b.label.ends_with(b"PRIVATE KEY") || b.label.ends_with(b"PUBLIC KEY");
        if let Some(block) = blocks.iter().find(is_key).or(blocks.first()) {
            let label = if block.label.is_empty() {
                String::new()
            } else {
                label_text(block.label)
            };
            return Some(KeyMaterial::Pem { label });
        }
        if let Some(at) = find(bytes, b"---- BEGIN SSH2 ") {
            let rest = bytes.get(at..).unwrap_or_default();
            return Some(if rest.starts_with(b"---- BEGIN SSH2 PUBLIC KEY") {
                KeyMaterial::Ssh2Public
            } else {
                KeyMaterial::Ssh2Private
            });
        }
        if bytes.trim_ascii_start().starts_with(b"{") && find(bytes, b"\"kty\"").is_some() {
            return Some(KeyMaterial::Jwk);
        }
        if let Some(at) = find(bytes, b"PuTTY-User-Key-File-") {
            let line = bytes.get(at..).unwrap_or_default();
            let line = line.split(|&b| b == b'\n').next().unwrap_or_default();
            let key_type = line
                .split(|&b| b == b':')
                .nth(1)
                .and_then(|t| ssh_key_type(t.trim_ascii()));
            return Some(KeyMaterial::Putty { key_type });
        }
        if let Some(key_type) = openssh_public_line(bytes) {
            return Some(KeyMaterial::OpenSshPublic { key_type });
        }
        if let Some(der) = hex_der(bytes) {
            return Some(KeyMaterial::HexDer(DerKind::of(&der)));
        }
        if let Some(der) = base64_der(bytes) {
            return Some(KeyMaterial::Base64Der(DerKind::of(&der)));
        }
        let text = utf16_ascii(bytes)?;
        KeyMaterial::recognise(&text)
            .filter(|found| !matches!(found, KeyMaterial::Der(_) | KeyMaterial::Utf16(_)))
            .map(|found| KeyMaterial::Utf16(Box::new(found)))
    }
}

impl fmt::Display for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem { label } if label.is_empty() => f.write_str("PEM text (a -----BEGIN line)"),
            Self::Pem { label } if label == "OPENSSH PRIVATE KEY" => {
                f.write_str("an OpenSSH private key (PEM OPENSSH PRIVATE KEY block)")
            }
            Self::Pem { label } => {
                let what = if label.ends_with("PRIVATE KEY") {
                    "a private key"
                } else if label.ends_with("PUBLIC KEY") {
                    "a public key"
                } else if label.contains("CERTIFICATE") {
                    "a certificate"
                } else {
                    return write!(f, "a PEM {label} block");
                };
                write!(f, "{what} (PEM {label} block)")
            }
            Self::Der(DerKind::Unknown) => f.write_str("binary DER data (an ASN.1 SEQUENCE)"),
            Self::Der(kind) => {
                let (what, form) = kind.words();
                let sep = if form.is_empty() { "" } else { " " };
                write!(f, "{what} (DER{sep}{form})")
            }
            Self::Base64Der(kind) => {
                let (what, form) = kind.words();
                let sep = if form.is_empty() { "" } else { " " };
                write!(f, "{what} (base64 of DER{sep}{form}, without PEM lines)")
            }
            Self::OpenSshPublic { key_type } => write!(f, "an OpenSSH public key ({key_type})"),
            Self::HexDer(kind) => {
                let (what, form) = kind.words();
                let sep = if form.is_empty() { "" } else { " " };
                write!(f, "{what} (hex of DER{sep}{form})")
            }
            Self::Ssh2Public => f.write_str("an SSH2 public key (RFC 4716)"),
            Self::Ssh2Private => f.write_str("an SSH.com private key (---- BEGIN SSH2 block)"),
            Self::Jwk => f.write_str("a JSON Web Key (JWK)"),
            Self::Utf16(inner) => write!(f, "{inner}, saved as UTF-16"),
            Self::Putty { key_type: Some(t) } => write!(f, "a PuTTY key file ({t})"),
            Self::Putty { key_type: None } => f.write_str("a PuTTY key file"),
        }
    }
}

/// Whether `bytes` (or `bytes` without trailing white space) are one DER SEQUENCE
/// spanning them: returns that SEQUENCE. Binary input needs only the outer length to
/// span it; printable text must also hold well-formed DER elements inside, so that no
/// text secret is ever mistaken for DER by chance.
fn spanning_der(bytes: &[u8]) -> Option<&[u8]> {
    let untrailed = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .and_then(|n| bytes.get(..=n))
        .unwrap_or_default();
    [bytes, untrailed].into_iter().find(|der| {
        outer_sequence_spans(der)
            && (sequence_tags(der).is_some()
                || !der
                    .iter()
                    .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace()))
    })
}

/// Whether `der` starts with a SEQUENCE header whose length reaches exactly its end.
fn outer_sequence_spans(der: &[u8]) -> bool {
    let Some((&[0x30, first], rest)) = der.split_first_chunk::<2>() else {
        return false;
    };
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        let Some(bytes) = rest.get(..n).filter(|_| (1..=4).contains(&n)) else {
            return false;
        };
        let len = bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, 2 + n)
    };
    header.checked_add(len) == Some(der.len())
}

/// The tags of the elements of a canonical DER SEQUENCE, `None` unless every element
/// is well formed and they fill it exactly.
fn sequence_tags(der: &[u8]) -> Option<Vec<Tag>> {
    let any = AnyRef::from_der(der)
        .ok()
        .filter(|a| a.tag() == Tag::Sequence)?;
    let mut reader = SliceReader::new(any.value()).ok()?;
    let mut tags = Vec::new();
    while !reader.is_finished() {
        tags.push(reader.decode::<AnyRef<'_>>().ok()?.tag());
    }
    Some(tags)
}

/// An SSH key type name, when it is one of the known ones (with or without the
/// certificate suffix); other words are never shown, in case they are a secret.
fn ssh_key_type(word: &[u8]) -> Option<String> {
    const KNOWN: [&[u8]; 11] = [
        b"ssh-ed25519",
        b"ssh-ed448",
        b"ssh-rsa",
        b"ssh-dss",
        b"rsa-sha2-256",
        b"rsa-sha2-512",
        b"ecdsa-sha2-nistp256",
        b"ecdsa-sha2-nistp384",
        b"ecdsa-sha2-nistp521",
        b"sk-ssh-ed25519@openssh.com",
        b"sk-ecdsa-sha2-nistp256@openssh.com",
    ];
    let base = word.strip_suffix(b"-cert-v01@openssh.com").unwrap_or(word);
    let known = KNOWN
        .iter()
        .any(|k| *k == base || k.strip_suffix(b"@openssh.com").is_some_and(|k| k == base));
    known.then(|| String::from_utf8_lossy(word).into_owned())
}

/// The key type of the first OpenSSH public key line in `bytes`: a line (after any
/// authorized_keys options) with a word starting `ssh-`, `ecdsa-sha2-` or `sk-` followed
/// by base64 starting `AAAA`, or a line starting with a known key type and another word.
/// An unknown type is named "unknown type".
fn openssh_public_line(bytes: &[u8]) -> Option<String> {
    const TYPES: [&[u8]; 3] = [b"ssh-", b"ecdsa-sha2-", b"sk-"];
    let is_type = |w: &[u8]| TYPES.iter().any(|p| w.starts_with(p));
    bytes.split(|&b| b == b'\n').find_map(|line| {
        let line = line.trim_ascii();
        let words: Vec<&[u8]> = line
            .split(u8::is_ascii_whitespace)
            .filter(|w| !w.is_empty())
            .collect();
        let first = words
            .first()
            .filter(|w| ssh_key_type(w).is_some() && words.len() > 1);
        let found = first.or_else(|| {
            words
                .windows(2)
                .find(|pair| {
                    pair.first().is_some_and(|w| is_type(w))
                        && pair.get(1).is_some_and(|b| b.starts_with(b"AAAA"))
                })
                .and_then(|pair| pair.first())
        })?;
        Some(ssh_key_type(found).unwrap_or_else(|| "unknown type".into()))
    })
}

/// The ASCII text of UTF-16 `bytes` (little- or big-endian, with or without a byte
/// order mark) whose characters are all ASCII; `None` for anything else.
fn utf16_ascii(bytes: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let (body, little) = match bytes {
        [0xff, 0xfe, rest @ ..] => (rest, true),
        [0xfe, 0xff, rest @ ..] => (rest, false),
        [_, 0, ..] => (bytes, true),
        [0, _, ..] => (bytes, false),
        _ => return None,
    };
    if body.len() < 2 || !body.len().is_multiple_of(2) {
        return None;
    }
    let text: Option<Vec<u8>> = body
        .chunks_exact(2)
        .map(|pair| match (pair, little) {
            ([c, 0], true) | ([0, c], false) if c.is_ascii() && *c != 0 => Some(*c),
            _ => None,
        })
        .collect();
    text.map(Zeroizing::new)
}

/// The DER in `bytes` when they are only hex digits (white space allowed) that decode
/// to a DER SEQUENCE spanning it whose elements are well formed. Exactly 64 hex digits,
/// the console's form of a v2 secret, are never taken for DER.
fn hex_der(bytes: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let digits: Zeroizing<Vec<u8>> = Zeroizing::new(
        bytes
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect(),
    );
    if digits.len() == 64 || !digits.len().is_multiple_of(2) || digits.len() < 8 {
        return None;
    }
    let value = |d: u8| {
        char::from(d)
            .to_digit(16)
            .and_then(|v| u8::try_from(v).ok())
    };
    let der: Option<Vec<u8>> = digits
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Some(value(*hi)? << 4 | value(*lo)?),
            _ => None,
        })
        .collect();
    let der = Zeroizing::new(der?);
    (outer_sequence_spans(&der) && sequence_tags(&der).is_some()).then_some(der)
}

/// The DER in `bytes` when they are only base64 (white space allowed between lines)
/// that decodes to a DER SEQUENCE spanning it whose elements are well formed.
fn base64_der(bytes: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    let text: Zeroizing<Vec<u8>> = Zeroizing::new(
        bytes
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect(),
    );
    if text.len() < 8 {
        return None;
    }
    let der = Zeroizing::new(STANDARD.decode(text.as_slice()).ok()?);
    (outer_sequence_spans(&der) && sequence_tags(&der).is_some()).then_some(der)
}

/// One PEM block: its label and its text from `-----BEGIN` to the matching `-----END`
/// line (`None` when it has none).
struct Block<'a> {
    label: &'a [u8],
    text: Option<&'a [u8]>,
}

impl Block<'_> {
    /// Base64-decode the block body (the result is wiped on drop).
    fn decode(&self, label: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
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

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len().max(1))
        .position(|w| w == needle)
}

/// Split the input into PEM blocks; scanning stops at the first unterminated block (an
/// unterminated BEGIN line gives an empty label).
fn pem_blocks(input: &[u8]) -> Vec<Block<'_>> {
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
fn label_text(label: &[u8]) -> String {
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

/// Classify input with no PEM block in it.
fn not_pem(input: &[u8]) -> KeyError {
    let text = std::str::from_utf8(input).map(str::trim);
    if let Ok(t) = text {
        if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return KeyError::V2Secret;
        }
        if ["ssh-", "ecdsa-sha2-", "sk-"]
            .iter()
            .any(|p| t.starts_with(p))
        {
            let key_type = t
                .split_whitespace()
                .next()
                .and_then(|w| short_token(w.as_bytes()));
            return KeyError::OpenSsh {
                key_type,
                public: true,
            };
        }
    }
    match KeyMaterial::recognise(input) {
        Some(KeyMaterial::Putty { key_type }) => return KeyError::Putty { key_type },
        Some(KeyMaterial::Ssh2Public) => {
            return KeyError::OpenSsh {
                key_type: None,
                public: true,
            };
        }
        Some(KeyMaterial::OpenSshPublic { key_type }) => {
            return KeyError::OpenSsh {
                key_type: Some(key_type),
                public: true,
            };
        }
        Some(KeyMaterial::Base64Der(_)) => return KeyError::NoPemLines,
        Some(KeyMaterial::HexDer(_)) => return KeyError::HexDer,
        Some(KeyMaterial::Ssh2Private) => return KeyError::SshCom,
        Some(KeyMaterial::Jwk) => return KeyError::Jwk,
        Some(KeyMaterial::Utf16(_)) => return KeyError::Utf16,
        _ => {}
    }
    if input.first() == Some(&0x30) && (text.is_err() || AnyRef::from_der(input).is_ok()) {
        let public = SubjectPublicKeyInfoRef::from_der(input).is_ok();
        return KeyError::Der { public };
    }
    if find(input, b"-----BEGIN").is_some() {
        return malformed("PEM", BAD_BEGIN);
    }
    KeyError::NotPem
}

fn short_token(bytes: &[u8]) -> Option<String> {
    let ok = (1..=40).contains(&bytes.len()) && bytes.iter().all(u8::is_ascii_graphic);
    ok.then(|| String::from_utf8_lossy(bytes).into_owned())
}

/// The key type in an `openssh-key-v1` blob (it sits in the unencrypted public part).
fn openssh_key_type(blob: &[u8]) -> Option<String> {
    fn string<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
        let (len, tail) = rest.split_first_chunk::<4>()?;
        let (value, tail) =
            tail.split_at_checked(usize::try_from(u32::from_be_bytes(*len)).ok()?)?;
        *rest = tail;
        Some(value)
    }
    let mut rest = blob.strip_prefix(b"openssh-key-v1\0")?;
    for _ in 0..3 {
        string(&mut rest)?; // cipher name, KDF name, KDF options
    }
    rest = rest.get(4..)?; // number of keys
    let mut public = string(&mut rest)?;
    short_token(string(&mut public)?)
}

fn malformed(label: &str, reason: impl Into<String>) -> KeyError {
    KeyError::Malformed {
        label: label.into(),
        reason: reason.into(),
    }
}

/// A DER decoding error as a short reason naming only what the schema expected.
fn der_error(label: &str, e: der::Error) -> KeyError {
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
fn name_of(table: &[(&str, &str)], oid: ObjectIdentifier) -> String {
    let dotted = oid.to_string();
    table
        .iter()
        .find(|(o, _)| *o == dotted)
        .map_or(dotted, |(_, name)| name.to_string())
}

/// Check a PKCS#8 / SPKI algorithm is id-ecPublicKey on P-256.
fn check_algorithm(
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
fn check_curve(params: Option<AnyRef<'_>>, public: bool, label: &str) -> Result<(), KeyError> {
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
struct Sec1<'a> {
    version: u8,
    scalar: &'a [u8],
    params: Option<AnyRef<'a>>,
    public: Option<BitStringRef<'a>>,
}

fn read_sec1(der: &[u8]) -> der::Result<Sec1<'_>> {
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

fn from_sec1(der: &[u8], label: &str) -> Result<PrivateKey, KeyError> {
    from_sec1_with(der, None, label)
}

/// Read an `ECPrivateKey`; `outer_public` is the public key a PKCS#8 v2 wrapper carries,
/// used when the `ECPrivateKey` has none.
fn from_sec1_with(
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

fn from_pkcs8(der: &[u8], label: &str) -> Result<PrivateKey, KeyError> {
    let info = PrivateKeyInfoRef::from_der(der).map_err(|e| der_error(label, e))?;
    check_algorithm(info.algorithm, false, label)?;
    from_sec1_with(info.private_key.as_bytes(), info.public_key, label)
}

fn from_spki(der: &[u8], label: &str) -> Result<PublicKey, KeyError> {
    let info = SubjectPublicKeyInfoRef::from_der(der).map_err(|e| der_error(label, e))?;
    check_algorithm(info.algorithm, true, label)?;
    public_point(info.subject_public_key, true, label)
}

/// A private scalar as 32 big-endian bytes, when it is in 1..n. Shorter encodings (from
/// writers that drop leading zero bytes, down to 24 bytes) are padded on the left.
fn p256_scalar(bytes: &[u8]) -> Option<Zeroizing<[u8; 32]>> {
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
fn public_point(bits: BitStringRef<'_>, public: bool, label: &str) -> Result<PublicKey, KeyError> {
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
fn uncompressed_point(
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
fn on_curve(point: &[u8]) -> bool {
    let Ok(mine) = EphemeralPrivateKey::generate(&ECDH_P256, &SystemRandom::new()) else {
        return true;
    };
    agree_ephemeral(mine, &Peer::new(&ECDH_P256, point), |_| ()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!("../../../fixtures/keys/", $name)).as_slice()
        };
    }

    /// The keys that came with Tencent's vectors, in fixtures/.
    macro_rules! vector_key {
        ($name:literal) => {
            include_bytes!(concat!("../../../fixtures/", $name)).as_slice()
        };
    }

    fn sec1(key: &PublicKey) -> Box<[u8]> {
        key.to_sec1_point().into()
    }

    /// Fail if `message` holds 16+ characters of a base64 run of `input`, or the hex of 8+
    /// of its bytes.
    fn assert_no_leak(input: &[u8], message: &str) {
        let b64 = |b: &u8| b.is_ascii_alphanumeric() || b"+/=".contains(b);
        let body: Vec<u8> = input
            .iter()
            .copied()
            .filter(|b| b64(b) || !b.is_ascii_whitespace())
            .collect();
        for run in body.split(|b| !b64(b)) {
            for window in run.windows(16) {
                let window = String::from_utf8_lossy(window);
                assert!(!message.contains(&*window), "{message:?} leaks {window:?}");
            }
        }
        let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
        for i in (0..hex.len().saturating_sub(15)).step_by(2) {
            let window = hex.get(i..i + 16).unwrap_or_default();
            assert!(
                !message.to_lowercase().contains(window),
                "{message:?} leaks hex {window}"
            );
        }
    }

    #[test]
    fn valid_keys_parse_to_the_same_key() {
        let public = PublicKey::from_pem(vector_key!("public.pem")).unwrap();
        for input in [
            vector_key!("ec_key.pem"),
            vector_key!("private_pkcs8.pem"),
            fixture!("p256_sec1_no_params.pem"),
            fixture!("p256_crlf.pem"),
            fixture!("p256_with_text_before.pem"),
        ] {
            let key = PrivateKey::from_pem(input).unwrap();
            assert_eq!(sec1(&key.public_key()), sec1(&public));
            assert_eq!(sec1(&PublicKey::from_pem(input).unwrap()), sec1(&public));
        }
        let other = PublicKey::from_pem(vector_key!("other_public.pem")).unwrap();
        assert_ne!(sec1(&other), sec1(&public));
        assert!(matches!(
            EcKey::from_pem(vector_key!("public.pem")),
            Ok(EcKey::Public(_))
        ));
        // A certificate before the key, and a later second key, do not get in the way.
        let bundle = [
            fixture!("certificate.pem"),
            vector_key!("ec_key.pem"),
            vector_key!("other_public.pem"),
        ]
        .concat();
        assert_eq!(sec1(&PublicKey::from_pem(&bundle).unwrap()), sec1(&public));
    }

    #[test]
    fn signs_and_verifies() {
        let key = PrivateKey::from_pem(vector_key!("ec_key.pem")).unwrap();
        let signature = key.sign_der(b"TLS.identifier:admin\n").unwrap();
        let public = PublicKey::from_pem(vector_key!("public.pem")).unwrap();
        assert!(public.verify_der(b"TLS.identifier:admin\n", &signature));
        assert!(!public.verify_der(b"TLS.identifier:other\n", &signature));
        let other = PublicKey::from_pem(vector_key!("other_public.pem")).unwrap();
        assert!(!other.verify_der(b"TLS.identifier:admin\n", &signature));
        assert_eq!(format!("{key:?}"), "PrivateKey(P-256, <redacted>)");
        assert_eq!(format!("{public:?}"), "PublicKey(P-256)");
    }

    /// Rows `input => "start of the error's Debug text", [words its Display must hold];`.
    macro_rules! cases {
        ($($input:expr => $variant:literal, [$($word:literal),*];)*) => {
            [$(($input as &[u8], $variant, &[$($word),*] as &[&str])),*]
        };
    }

    #[test]
    fn bad_inputs_give_precise_errors() {
        let cases = cases! {
            fixture!("empty.pem") => "Empty", ["empty"];
            b" \r\n\t\n" => "Empty", ["empty"];
            fixture!("not_a_key.txt") => "NotPem", ["not a PEM key file (no -----BEGIN line)"];
            fixture!("secret_like.txt") => "V2Secret", ["v2 secret", "not a PEM key"];
            fixture!("der_private.der") => "Der { public: false }", ["DER", "openssl ec -inform DER"];
            fixture!("der_public.der") => "Der { public: true }", ["DER", "openssl pkey -pubin"];
            fixture!("corrupt_base64.pem") => "Malformed", ["malformed EC PRIVATE KEY block", "base64"];
            fixture!("corrupt_der.pem") => "Malformed", ["malformed PRIVATE KEY block", "DER"];
            b"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQ\n" => "Malformed", ["PUBLIC KEY", "-----END"];
            b"-----BEGIN PUBLIC KEY\nMFkwEwYHKoZIzj0CAQ\n" => "Malformed", ["PEM", "-----BEGIN"];
            fixture!("rsa_private.pem") => "WrongAlgorithm", ["an RSA private key", "P-256"];
            fixture!("rsa_traditional.pem") => "WrongAlgorithm", ["an RSA private key"];
            fixture!("rsa_public.pem") => "WrongAlgorithm", ["an RSA public key"];
            fixture!("ed25519_private.pem") => "WrongAlgorithm", ["an Ed25519 private key"];
            fixture!("ed25519_public.pem") => "WrongAlgorithm", ["an Ed25519 public key"];
            fixture!("x25519_private.pem") => "WrongAlgorithm", ["an X25519 private key"];
            b"-----BEGIN DSA PRIVATE KEY-----\n-----END DSA PRIVATE KEY-----" => "WrongAlgorithm", ["a DSA"];
            fixture!("secp256k1_sec1.pem") => "WrongCurve", ["secp256k1", "mix-up"];
            fixture!("secp256k1_pkcs8.pem") => "WrongCurve", ["private key on curve secp256k1"];
            fixture!("p384_sec1.pem") => "WrongCurve", ["P-384", "secp384r1"];
            fixture!("p384_public.pem") => "WrongCurve", ["public key on curve P-384"];
            fixture!("p521_pkcs8.pem") => "WrongCurve", ["P-521"];
            fixture!("brainpool_sec1.pem") => "WrongCurve", ["brainpoolP256r1"];
            fixture!("explicit_params_p256.pem") => "ExplicitParameters", ["explicit", "named curve"];
            fixture!("encrypted_pkcs8.pem") => "Encrypted", ["passphrase", "openssl pkey -in KEY"];
            fixture!("encrypted_sec1.pem") => "Encrypted", ["passphrase"];
            fixture!("certificate.pem") => "Certificate", ["certificate", "openssl x509"];
            fixture!("openssh_private") => "OpenSsh", ["OpenSSH ssh-ed25519 private key"];
            fixture!("openssh_public.pub") => "OpenSsh", ["OpenSSH ssh-ed25519 public key"];
            fixture!("ec_params_only.pem") => "ParametersOnly", ["only EC PARAMETERS, no key"];
            b"-----BEGIN FOO-----\nAAAA\n-----END FOO-----" => "UnsupportedLabel", ["'FOO'"];
        };
        for (input, variant, words) in cases {
            let error = EcKey::from_pem(input).unwrap_err();
            let message = error.to_string();
            assert!(
                format!("{error:?}").starts_with(variant),
                "{error:?} is not {variant}"
            );
            for word in words {
                assert!(message.contains(word), "{message:?} lacks {word:?}");
            }
            assert!(
                !message.contains('\n') && !message.ends_with('.'),
                "{message:?}"
            );
            assert!(!message.starts_with(char::is_uppercase), "{message:?}");
            assert_no_leak(input, &message);
            assert_eq!(PrivateKey::from_pem(input).unwrap_err(), error);
        }
        let error = PrivateKey::from_pem(vector_key!("public.pem")).unwrap_err();
        assert_eq!(error, KeyError::PublicKeyForSigning);
        assert!(error.to_string().contains("signing needs the private key"));
        assert_no_leak(vector_key!("public.pem"), &error.to_string());
    }

    #[test]
    #[should_panic(expected = "leaks")]
    fn leak_check_catches_base64() {
        assert_no_leak(vector_key!("public.pem"), "oops: DQgAERT4iFme3ynBWiJHQlZ");
    }

    #[test]
    #[should_panic(expected = "leaks hex")]
    fn leak_check_catches_hex() {
        assert_no_leak(fixture!("der_private.der"), "oops: 3077020101042038");
    }

    #[test]
    fn parameters_block_and_scalar_are_checked() {
        let k1_params =
            b"-----BEGIN EC PARAMETERS-----\nBgUrgQQACg==\n-----END EC PARAMETERS-----\n";
        let input = [k1_params.as_slice(), fixture!("p256_sec1_no_params.pem")].concat();
        let error = PrivateKey::from_pem(&input).unwrap_err();
        assert!(matches!(&error, KeyError::WrongCurve { curve, .. } if curve == "secp256k1"));
        // ECPrivateKey { version 1, privateKey 32 zero bytes, parameters P-256 }
        let mut der = vec![0x30, 0x31, 0x02, 0x01, 0x01, 0x04, 0x20];
        der.extend([0; 32]);
        der.extend([
            0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
        ]);
        let input = pem::encode(&pem::Pem::new("EC PRIVATE KEY", der));
        let error = PrivateKey::from_pem(input.as_bytes()).unwrap_err();
        assert!(matches!(&error, KeyError::Malformed { reason, .. } if reason.contains("scalar")));
    }

    #[test]
    fn truncated_inputs_never_panic() {
        for input in [
            vector_key!("ec_key.pem"),
            fixture!("der_private.der"),
            fixture!("openssh_private"),
            fixture!("encrypted_sec1.pem"),
        ] {
            for len in 0..input.len() {
                let _ = EcKey::from_pem(input.get(..len).unwrap_or_default());
            }
        }
    }

    const SECRET: &[u8] = b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

    #[test]
    fn key_material_is_recognised_in_every_form() {
        let pem = |label: &str| KeyMaterial::Pem {
            label: label.into(),
        };
        let der = KeyMaterial::Der;
        let ssh = |t: &str| KeyMaterial::OpenSshPublic { key_type: t.into() };
        let unknown_der: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x05];
        let der_public_newline = [fixture!("der_public.der"), b"\n"].concat();
        let ed25519_line = fixture!("openssh_public.pub");
        let with_options = [b"no-pty,command=\"x\" ".as_slice(), ed25519_line].concat();
        let after_comment = [b"# deploy key\n".as_slice(), ed25519_line].concat();
        let cases: &[(&[u8], KeyMaterial, &str)] = &[
            (
                vector_key!("public.pem"),
                pem("PUBLIC KEY"),
                "a public key (PEM PUBLIC KEY block)",
            ),
            (
                vector_key!("ec_key.pem"),
                pem("EC PRIVATE KEY"),
                "a private key (PEM EC PRIVATE KEY block)",
            ),
            (
                vector_key!("private_pkcs8.pem"),
                pem("PRIVATE KEY"),
                "a private key (PEM PRIVATE KEY block)",
            ),
            (
                fixture!("certificate.pem"),
                pem("CERTIFICATE"),
                "a certificate (PEM CERTIFICATE block)",
            ),
            (
                fixture!("encrypted_pkcs8.pem"),
                pem("ENCRYPTED PRIVATE KEY"),
                "a private key (PEM ENCRYPTED PRIVATE KEY block)",
            ),
            (
                fixture!("rsa_traditional.pem"),
                pem("RSA PRIVATE KEY"),
                "a private key (PEM RSA PRIVATE KEY block)",
            ),
            (
                fixture!("ec_params_only.pem"),
                pem("EC PARAMETERS"),
                "a PEM EC PARAMETERS block",
            ),
            (
                fixture!("openssh_private"),
                pem("OPENSSH PRIVATE KEY"),
                "an OpenSSH private key (PEM OPENSSH PRIVATE KEY block)",
            ),
            (
                fixture!("openssh_ecdsa"),
                pem("OPENSSH PRIVATE KEY"),
                "an OpenSSH private key (PEM OPENSSH PRIVATE KEY block)",
            ),
            (
                b"text -----BEGIN PUBLIC KEY\nAAAA\n",
                pem(""),
                "PEM text (a -----BEGIN line)",
            ),
            (
                fixture!("der_public.der"),
                der(DerKind::PublicKey),
                "a public key (DER SubjectPublicKeyInfo)",
            ),
            (
                &der_public_newline,
                der(DerKind::PublicKey),
                "a public key (DER SubjectPublicKeyInfo)",
            ),
            (
                fixture!("rsa_public.der"),
                der(DerKind::PublicKey),
                "a public key (DER SubjectPublicKeyInfo)",
            ),
            (
                fixture!("ed25519_public.der"),
                der(DerKind::PublicKey),
                "a public key (DER SubjectPublicKeyInfo)",
            ),
            (
                fixture!("der_pkcs8.der"),
                der(DerKind::PrivateKey),
                "a private key (DER PKCS#8)",
            ),
            (
                fixture!("rsa_private.der"),
                der(DerKind::PrivateKey),
                "a private key (DER PKCS#8)",
            ),
            (
                fixture!("ed25519_private.der"),
                der(DerKind::PrivateKey),
                "a private key (DER PKCS#8)",
            ),
            (
                fixture!("der_private.der"),
                der(DerKind::EcPrivateKey),
                "an EC private key (DER SEC1)",
            ),
            (
                fixture!("p384_sec1.der"),
                der(DerKind::EcPrivateKey),
                "an EC private key (DER SEC1)",
            ),
            (
                fixture!("encrypted_pkcs8.der"),
                der(DerKind::EncryptedPrivateKey),
                "an encrypted private key (DER PKCS#8)",
            ),
            (
                fixture!("der_certificate.der"),
                der(DerKind::Certificate),
                "an X.509 certificate (DER)",
            ),
            (
                fixture!("rsa_pkcs1_public.der"),
                der(DerKind::RsaPublicKey),
                "an RSA public key (DER PKCS#1)",
            ),
            (
                fixture!("rsa_traditional.der"),
                der(DerKind::RsaPrivateKey),
                "an RSA private key (DER PKCS#1)",
            ),
            (
                unknown_der,
                der(DerKind::Unknown),
                "binary DER data (an ASN.1 SEQUENCE)",
            ),
            (
                fixture!("public_base64_body.txt"),
                KeyMaterial::Base64Der(DerKind::PublicKey),
                "a public key (base64 of DER SubjectPublicKeyInfo, without PEM lines)",
            ),
            (
                ed25519_line,
                ssh("ssh-ed25519"),
                "an OpenSSH public key (ssh-ed25519)",
            ),
            (
                fixture!("openssh_ecdsa_public.pub"),
                ssh("ecdsa-sha2-nistp256"),
                "an OpenSSH public key (ecdsa-sha2-nistp256)",
            ),
            (
                &with_options,
                ssh("ssh-ed25519"),
                "an OpenSSH public key (ssh-ed25519)",
            ),
            (
                &after_comment,
                ssh("ssh-ed25519"),
                "an OpenSSH public key (ssh-ed25519)",
            ),
            (
                b"ssh-rsa AAAAB3NzaC1yc2E",
                ssh("ssh-rsa"),
                "an OpenSSH public key (ssh-rsa)",
            ),
            (b"ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQ", ssh("ssh-ed25519-cert-v01@openssh.com"), "an OpenSSH public key (ssh-ed25519-cert-v01@openssh.com)"),
            (b"sk-ssh-ed25519-cert-v01@openssh.com AAAAI", ssh("sk-ssh-ed25519-cert-v01@openssh.com"), "an OpenSSH public key (sk-ssh-ed25519-cert-v01@openssh.com)"),
            // A word that is not a known type is never shown (it could be a secret).
            (b"ssh-hunter2secret AAAAB3NzaC1yc2E", ssh("unknown type"), "an OpenSSH public key (unknown type)"),
            (
                b"sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t x\n",
                ssh("sk-ssh-ed25519@openssh.com"),
                "an OpenSSH public key (sk-ssh-ed25519@openssh.com)",
            ),
            (
                fixture!("ssh2_public.pub"),
                KeyMaterial::Ssh2Public,
                "an SSH2 public key (RFC 4716)",
            ),
            (fixture!("sshcom_rsa_private.key"), KeyMaterial::Ssh2Private, "an SSH.com private key (---- BEGIN SSH2 block)"),
            (fixture!("public_der_hex.txt"), KeyMaterial::HexDer(DerKind::PublicKey), "a public key (hex of DER SubjectPublicKeyInfo)"),
            (fixture!("public_utf16.pem"), KeyMaterial::Utf16(Box::new(pem("PUBLIC KEY"))), "a public key (PEM PUBLIC KEY block), saved as UTF-16"),
            (fixture!("openssh_public_utf16be.pub"), KeyMaterial::Utf16(Box::new(ssh("ssh-ed25519"))), "an OpenSSH public key (ssh-ed25519), saved as UTF-16"),
            (br#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#, KeyMaterial::Jwk, "a JSON Web Key (JWK)"),
            (
                fixture!("putty_ecdsa.ppk"),
                KeyMaterial::Putty {
                    key_type: Some("ecdsa-sha2-nistp256".into()),
                },
                "a PuTTY key file (ecdsa-sha2-nistp256)",
            ),
            (
                b"PuTTY-User-Key-File-2\n",
                KeyMaterial::Putty { key_type: None },
                "a PuTTY key file",
            ),
        ];
        for (input, expected, text) in cases {
            let found = KeyMaterial::recognise(input);
            assert_eq!(
                found.as_ref(),
                Some(expected),
                "{:?}",
                String::from_utf8_lossy(input)
            );
            assert_eq!(found.map(|m| m.to_string()).as_deref(), Some(*text));
            assert_no_leak(input, text);
        }
    }

    #[test]
    fn secrets_and_text_are_never_key_material() {
        let other = vector_key!("other_secret.txt");
        let with = |suffix: &[u8]| [SECRET, suffix].concat();
        for input in [
            SECRET,
            &with(b"\n"),
            &with(b"\r\n"),
            &with(b"  \n\n"),
            &[b"  ".as_slice(), SECRET].concat(),
            SECRET.to_ascii_uppercase().as_slice(),
            other,
            fixture!("secret_like.txt"),
            fixture!("not_a_key.txt"),
            b"hunter2",
            b"0",
            b"0123456789",
            b"my secret has -----BEGIN in the middle"
                .get(..20)
                .unwrap_or_default(),
            b"ssh-is-not-a-key",
            b"ssh-not-a-type followed by words",
            b"sk-proj-abcdef0123456789",
            b"sk-live secret words",
            b"",
        ] {
            assert_eq!(
                KeyMaterial::recognise(input),
                None,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn hex_secrets_are_never_key_material(
            hex in "[0-9a-fA-F]{64}",
            around in proptest::sample::select(vec!["", "\n", "\r\n", " \n", "\t"]),
        ) {
            let padded = format!("{around}{hex}{around}");
            proptest::prop_assert_eq!(KeyMaterial::recognise(padded.as_bytes()), None);
        }

        #[test]
        fn printable_text_is_never_key_material(text in "[ -~]{0,96}") {
            proptest::prop_assert_eq!(KeyMaterial::recognise(text.as_bytes()), None);
        }

        #[test]
        fn any_bytes_are_read_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = KeyMaterial::recognise(&bytes);
            let _ = EcKey::from_bytes(&bytes);
            // Binary starting like DER, and the same after a UTF-16 byte order mark.
            let der = [&[0x30, 0x82][..], &bytes].concat();
            let _ = KeyMaterial::recognise(&der);
            let _ = EcKey::from_bytes(&der);
            let _ = KeyMaterial::recognise(&[&[0xff, 0xfe][..], &bytes].concat());
        }
    }

    #[test]
    fn der_keys_load_like_their_pem_twins() {
        let public = PublicKey::from_pem(vector_key!("public.pem")).unwrap();
        for der in [fixture!("der_private.der"), fixture!("der_pkcs8.der")] {
            let key = PrivateKey::from_der(der).unwrap();
            assert_eq!(sec1(&key.public_key()), sec1(&public));
            assert_eq!(sec1(&PublicKey::from_der(der).unwrap()), sec1(&public));
            assert!(PrivateKey::from_bytes(der).is_ok());
        }
        let from_der = PublicKey::from_der(fixture!("der_public.der")).unwrap();
        assert_eq!(from_der, public);
        assert_eq!(
            PublicKey::from_bytes(fixture!("der_public.der")).unwrap(),
            public
        );
        assert_eq!(
            PublicKey::from_bytes(vector_key!("public.pem")).unwrap(),
            public
        );
        assert_eq!(public.to_spki_der(), fixture!("der_public.der"));
        assert_eq!(
            PrivateKey::from_der(fixture!("der_public.der")).unwrap_err(),
            KeyError::PublicKeyForSigning
        );
        // Every other key in DER gets the diagnostic of the same key in PEM.
        for (der, pem) in [
            (fixture!("p384_sec1.der"), fixture!("p384_sec1.pem")),
            (fixture!("p384_public.der"), fixture!("p384_public.pem")),
            (
                fixture!("secp256k1_pkcs8.der"),
                fixture!("secp256k1_pkcs8.pem"),
            ),
            (fixture!("rsa_private.der"), fixture!("rsa_private.pem")),
            (
                fixture!("rsa_traditional.der"),
                fixture!("rsa_traditional.pem"),
            ),
            (fixture!("rsa_public.der"), fixture!("rsa_public.pem")),
            (fixture!("rsa_pkcs1_public.der"), fixture!("rsa_public.pem")),
            (
                fixture!("ed25519_private.der"),
                fixture!("ed25519_private.pem"),
            ),
            (
                fixture!("ed25519_public.der"),
                fixture!("ed25519_public.pem"),
            ),
            (
                fixture!("encrypted_pkcs8.der"),
                fixture!("encrypted_pkcs8.pem"),
            ),
            (fixture!("der_certificate.der"), fixture!("certificate.pem")),
        ] {
            let error = EcKey::from_der(der).unwrap_err();
            assert_eq!(error, EcKey::from_pem(pem).unwrap_err());
            assert_eq!(EcKey::from_bytes(der).unwrap_err(), error);
            assert_no_leak(der, &error.to_string());
        }
        let cases = cases! {
            &[0x30u8, 0x03, 0x02, 0x01, 0x05] => "UnsupportedDer", ["binary DER", "not a key this tool reads"];
            fixture!("der_public.der").get(..60).unwrap_or_default() => "Malformed", ["DER", "truncated"];
            b"" => "Empty", ["empty"];
        };
        for (input, variant, words) in cases {
            let error = EcKey::from_der(input).unwrap_err();
            assert!(format!("{error:?}").starts_with(variant), "{error:?}");
            for word in words {
                assert!(error.to_string().contains(word), "{error} lacks {word:?}");
            }
            assert_no_leak(input, &error.to_string());
        }
        // Truncated DER read as a key file says it is broken DER (not "convert to PEM").
        let error = EcKey::from_bytes(fixture!("der_private.der").get(..100).unwrap_or_default());
        assert!(
            matches!(error, Err(KeyError::Malformed { ref label, .. }) if label == "DER"),
            "{error:?}"
        );
    }

    #[test]
    fn other_key_forms_get_named_errors() {
        let cases = cases! {
            fixture!("putty_ecdsa.ppk") => "Putty", ["PuTTY key file (ecdsa-sha2-nistp256)", "puttygen KEY -O private-openssh"];
            b"PuTTY-User-Key-File-3: ssh-ed25519\n" => "Putty", ["PuTTY ssh-ed25519 key file", "P-256"];
            fixture!("ssh2_public.pub") => "OpenSsh", ["OpenSSH-format public key"];
            fixture!("openssh_ecdsa_public.pub") => "OpenSsh", ["OpenSSH-format public key (ecdsa-sha2-nistp256)", "ssh-keygen -e -m PKCS8"];
            fixture!("public_base64_body.txt") => "NoPemLines", ["without its -----BEGIN and -----END lines"];
            fixture!("public_der_hex.txt") => "HexDer", ["hex digits", "xxd -r -p KEY > key.der"];
            fixture!("sshcom_rsa_private.key") => "SshCom", ["SSH.com-format private key", "P-256"];
            br#"{"kty":"EC","crv":"P-256","d":"x"}"# => "Jwk", ["JSON Web Key", "P-256"];
            fixture!("public_utf16.pem") => "Utf16", ["UTF-16", "iconv -f UTF-16 -t UTF-8 KEY > key.pem"];
        };
        for (input, variant, words) in cases {
            let error = EcKey::from_bytes(input).unwrap_err();
            assert!(format!("{error:?}").starts_with(variant), "{error:?}");
            for word in words {
                assert!(error.to_string().contains(word), "{error} lacks {word:?}");
            }
            assert_no_leak(input, &error.to_string());
        }
    }

    #[test]
    fn truncated_der_never_panics() {
        for input in [
            fixture!("der_public.der"),
            fixture!("der_certificate.der"),
            fixture!("rsa_traditional.der"),
            fixture!("encrypted_pkcs8.der"),
        ] {
            for len in 0..input.len() {
                let part = input.get(..len).unwrap_or_default();
                let _ = EcKey::from_bytes(part);
                let _ = EcKey::from_der(part);
                let _ = KeyMaterial::recognise(part);
            }
        }
    }

    /// The P-256 generator G and -G, uncompressed; the group order n.
    const G: &str = "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
    const MINUS_G: &str = "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296b01cbd1c01e58065711814b583f061e9d431cca994cea1313449bf97c840ae0a";
    const N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

    fn unhex(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap(), 16).unwrap())
            .collect()
    }

    /// DER `ECPrivateKey { 1, scalar, [1] point }` (short lengths only).
    fn sec1_der(scalar: &[u8], point: Option<&[u8]>) -> Vec<u8> {
        let mut body = vec![0x02, 0x01, 0x01, 0x04, scalar.len() as u8];
        body.extend(scalar);
        if let Some(point) = point {
            let bits = point.len() as u8 + 1;
            body.extend([0xa1, bits + 2, 0x03, bits, 0x00]);
            body.extend(point);
        }
        [vec![0x30, body.len() as u8], body].concat()
    }

    /// DER SubjectPublicKeyInfo for a P-256 `point` (short lengths only).
    fn spki_der(point: &[u8]) -> Vec<u8> {
        let mut body = EC_P256_ALGORITHM.to_vec();
        body.extend([0x03, point.len() as u8 + 1, 0x00]);
        body.extend(point);
        [vec![0x30, body.len() as u8], body].concat()
    }

    #[test]
    fn keys_without_an_uncompressed_public_key_name_the_openssl_fix() {
        let cases = cases! {
            fixture!("p256_sec1_no_public.pem") => "NoPublicKey", ["this EC PRIVATE KEY", "has no public key in it; rewrite it with `openssl ec -in KEY -out fixed.pem`"];
            fixture!("p256_pkcs8_no_public.pem") => "NoPublicKey", ["this PRIVATE KEY", "has no public key in it; rewrite it with `openssl ec -in KEY -out fixed.pem`"];
            fixture!("p256_sec1_no_public.der") => "NoPublicKey", ["this DER EC PRIVATE KEY", "has no public key in it; rewrite it with `openssl ec -inform DER -in KEY -out fixed.pem`"];
            fixture!("p256_sec1_compressed.pem") => "CompressedPoint", ["this EC PRIVATE KEY holds its private key's public half as a compressed point", "`openssl ec -in KEY -conv_form uncompressed -out fixed.pem`"];
            fixture!("p256_public_compressed.pem") => "CompressedPoint", ["this PUBLIC KEY holds its public key as a compressed point", "`openssl ec -pubin -pubout -in KEY -conv_form uncompressed -out fixed.pem`"];
        };
        for (input, variant, words) in cases {
            let error = EcKey::from_bytes(input).unwrap_err();
            let message = error.to_string();
            assert!(format!("{error:?}").starts_with(variant), "{error:?}");
            for word in words {
                assert!(message.contains(word), "{message:?} lacks {word:?}");
            }
            assert!(!message.contains('\n') && !message.ends_with('.'));
            assert_no_leak(input, &message);
            assert_eq!(PublicKey::from_bytes(input).unwrap_err(), error);
        }
        // The compressed point in DER names the DER conversion.
        let pem = fixture!("p256_public_compressed.pem");
        let der = Block::decode(&pem_blocks(pem)[0], "PUBLIC KEY").unwrap();
        let message = EcKey::from_der(&der).unwrap_err().to_string();
        assert!(
            message.contains("`openssl ec -inform DER -pubin -pubout"),
            "{message}"
        );
        // PKCS#8 v2 may carry the public key beside the ECPrivateKey instead: it is used.
        let pem = fixture!("p256_pkcs8_no_public.pem");
        let v1 = Block::decode(&pem_blocks(pem)[0], "PRIVATE KEY").unwrap();
        let public = PublicKey::from_pem(vector_key!("public.pem")).unwrap();
        let mut body = vec![0x02, 0x01, 0x01];
        body.extend(&v1[5..]);
        body.extend([0x81, 0x42, 0x00]);
        body.extend(public.to_sec1_point());
        let v2 = [vec![0x30, 0x81, body.len() as u8], body].concat();
        let key = PrivateKey::from_der(&v2).unwrap();
        assert_eq!(key.public_key(), public);
        // A zero scalar is named as such before the missing public key.
        let error = PrivateKey::from_der(&sec1_der(&[0; 32], None)).unwrap_err();
        assert!(
            error.to_string().contains("not a valid P-256 scalar"),
            "{error}"
        );
    }

    #[test]
    fn scalars_are_checked_against_the_group_order() {
        let (g, minus_g, n) = (unhex(G), unhex(MINUS_G), unhex(N));
        let one = |len: usize| [vec![0; len - 1], vec![1]].concat();
        let mut n_minus_1 = n.clone();
        n_minus_1[31] -= 1;
        let mut n_plus_1 = n.clone();
        n_plus_1[31] += 1;
        // Valid: 1·G = G, (n-1)·G = -G, and 1 written in 24 to 31 bytes (leading zero bytes
        // dropped), which is read as the 32-byte scalar.
        let key = PrivateKey::from_der(&sec1_der(&one(32), Some(&g))).unwrap();
        assert_eq!(key.public_key().to_sec1_point(), g.as_slice());
        assert!(PrivateKey::from_der(&sec1_der(&n_minus_1, Some(&minus_g))).is_ok());
        for len in 24..32 {
            let short = PrivateKey::from_der(&sec1_der(&one(len), Some(&g))).unwrap();
            assert_eq!(*short.to_pkcs8_der(), *key.to_pkcs8_der(), "{len} bytes");
        }
        // Out of range or of wrong length: named as a bad scalar, whatever the point.
        for scalar in [
            vec![0; 32],
            n.clone(),
            n_plus_1,
            vec![0xff; 32],
            one(23),
            one(33),
        ] {
            let error = PrivateKey::from_der(&sec1_der(&scalar, Some(&g))).unwrap_err();
            assert!(
                matches!(&error, KeyError::Malformed { reason, .. } if reason == BAD_SCALAR),
                "{} bytes: {error:?}",
                scalar.len()
            );
        }
        // A valid scalar with a valid point that is not its own: the pair does not match.
        for (scalar, point) in [(one(32), &minus_g), (n_minus_1, &g)] {
            let error = PrivateKey::from_der(&sec1_der(&scalar, Some(point))).unwrap_err();
            assert_eq!(
                error.to_string(),
                "malformed DER EC PRIVATE KEY block: its public key does not match its private key"
            );
        }
    }

    #[test]
    fn public_points_off_the_curve_are_refused() {
        let good = unhex(G);
        assert!(PublicKey::from_der(&spki_der(&good)).is_ok());
        let p = unhex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
        let mut bad = Vec::new();
        let mut y_plus_1 = good.clone();
        y_plus_1[64] ^= 1;
        bad.push(y_plus_1);
        let mut x_is_p = good.clone();
        x_is_p.splice(1..33, p.iter().copied());
        bad.push(x_is_p);
        let mut y_plus_p = vec![0x04];
        y_plus_p.extend(&good[1..33]);
        y_plus_p.extend(vec![0xff; 32]);
        bad.push(y_plus_p);
        let mut wrong_prefix = good.clone();
        wrong_prefix[0] = 0x05;
        bad.push(wrong_prefix);
        bad.push(vec![0x04; 65]);
        bad.push(vec![0; 65]);
        bad.push(vec![0x00]);
        bad.push(good[..64].to_vec());
        bad.push([good.as_slice(), &[0]].concat());
        for point in bad {
            let spki = spki_der(&point);
            let error = PublicKey::from_der(&spki).unwrap_err();
            assert_eq!(
                error.to_string(),
                "malformed DER PUBLIC KEY block: its public key is not a point on P-256",
                "{point:02x?}"
            );
            let sec1 = sec1_der(&[1; 32], Some(&point));
            let error = PrivateKey::from_der(&sec1).unwrap_err();
            assert!(
                error.to_string().contains("not a point on P-256"),
                "{error}"
            );
        }
    }

    #[test]
    fn keys_are_written_as_openssl_writes_them() {
        let public_pem = std::str::from_utf8(vector_key!("public.pem")).unwrap();
        let pkcs8_pem = std::str::from_utf8(vector_key!("private_pkcs8.pem")).unwrap();
        for input in [
            vector_key!("ec_key.pem"),
            vector_key!("private_pkcs8.pem"),
            fixture!("p256_sec1_no_params.pem"),
            fixture!("der_private.der"),
            fixture!("der_pkcs8.der"),
        ] {
            let key = PrivateKey::from_bytes(input).unwrap();
            assert_eq!(key.to_pkcs8_pem().as_str(), pkcs8_pem);
            assert_eq!(key.public_key().to_spki_pem(), public_pem);
            assert_eq!(key.public_key().to_spki_der(), fixture!("der_public.der"));
        }
        // What the engine generates is re-encoded byte for byte.
        let rng = SystemRandom::new();
        for _ in 0..8 {
            let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
            let key = PrivateKey::from_der(doc.as_ref()).unwrap();
            assert_eq!(key.to_pkcs8_der().as_slice(), doc.as_ref());
        }
        let (a, b) = (
            PrivateKey::generate().unwrap(),
            PrivateKey::generate().unwrap(),
        );
        assert_ne!(a.public_key(), b.public_key());
        let again = PrivateKey::from_pem(a.to_pkcs8_pem().as_bytes()).unwrap();
        assert_eq!(again.public_key(), a.public_key());
        let signature = again.sign_der(b"content").unwrap();
        assert!(a.public_key().verify_der(b"content", &signature));
        assert!(!b.public_key().verify_der(b"content", &signature));
    }
}
