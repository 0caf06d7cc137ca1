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

use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, UnparsedPublicKey,
};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

mod der;
mod diagnose;
mod read;

use diagnose::malformed;
pub use diagnose::{DerKind, KeyError, KeyMaterial};
use read::{NOT_A_POINT, RawKey, on_curve};

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

impl EcKey {
    /// Parse a P-256 key in binary DER: SubjectPublicKeyInfo (public), PKCS#8 or SEC1
    /// `ECPrivateKey` (private). Other DER gets the same diagnostics as its PEM form: a
    /// key of another algorithm or curve, an encrypted key, a certificate.
    pub fn from_der(der: &[u8]) -> Result<EcKey, KeyError> {
        read::from_der(der).and_then(EcKey::load)
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
        read::from_bytes(bytes).and_then(EcKey::load)
    }

    /// Parse a P-256 private or public key PEM; see the module documentation for the
    /// accepted forms and how files with several blocks are read.
    pub fn from_pem(text: &[u8]) -> Result<EcKey, KeyError> {
        read::from_pem(text).and_then(EcKey::load)
    }

    /// Load what was read: a private key into the signing engine, which checks that its
    /// public point is its own.
    fn load(raw: RawKey) -> Result<EcKey, KeyError> {
        match raw {
            RawKey::Private {
                scalar,
                point,
                label,
            } => PrivateKey::new(scalar, PublicKey { point }, &label).map(EcKey::Private),
            RawKey::Public(point) => Ok(EcKey::Public(PublicKey { point })),
        }
    }
}

/// The DER `AlgorithmIdentifier { id-ecPublicKey, prime256v1 }` that PKCS#8 and SPKI share.
const EC_P256_ALGORITHM: [u8; 21] = [
    0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x03, 0x01, 0x07,
];

impl PrivateKey {
    /// Parse a private key PEM (SEC1 `EC PRIVATE KEY`, optionally with an `EC PARAMETERS`
    /// block; or PKCS#8 `PRIVATE KEY`). A public key is [`KeyError::PublicKeyForSigning`].
    pub fn from_pem(text: impl AsRef<[u8]>) -> Result<PrivateKey, KeyError> {
        match EcKey::from_pem(text.as_ref())? {
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

    /// Parse a private key file's bytes, PEM or DER, told apart by their content (binary
    /// DER is one ASN.1 SEQUENCE spanning the input).
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
        let raw = read::from_pkcs8(document.as_ref(), "PRIVATE KEY");
        let key = raw.and_then(EcKey::load).and_then(|key| match key {
            EcKey::Private(key) => Ok(key),
            EcKey::Public(_) => Err(KeyError::PublicKeyForSigning),
        });
        key.map_err(|e| match e {
            KeyError::NoRandomnessToSign => KeyError::NoRandomness,
            e => e,
        })
    }

    /// The key as PKCS#8 DER, as `openssl pkey -outform DER` writes it: version 0, the
    /// id-ecPublicKey/prime256v1 algorithm, and an `ECPrivateKey` holding the scalar and
    /// the public key (no curve parameters inside). Wiped when dropped.
    #[doc(hidden)]
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
    #[doc(hidden)]
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
    pub fn from_pem(text: impl AsRef<[u8]>) -> Result<PublicKey, KeyError> {
        match EcKey::from_pem(text.as_ref())? {
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

    /// Parse a key file's bytes, PEM or DER, told apart by their content; a private key
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

#[cfg(test)]
mod tests;
