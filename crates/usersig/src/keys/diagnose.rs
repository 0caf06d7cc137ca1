//! Telling what a key file or a would-be secret holds: the errors a key is refused with
//! and the key material recognised in any common form, in words that never hold key bytes.

use std::fmt;

use pkcs8::PrivateKeyInfoRef;
use spki::SubjectPublicKeyInfoRef;
use spki::der::asn1::AnyRef;
use spki::der::{self, Decode, ErrorKind, Tag};
use zeroize::Zeroizing;

use super::der::{
    Block, find, label_text, outer_sequence_spans, pem_blocks, read_sec1, sequence_tags,
    spanning_der,
};

pub(super) const BAD_BEGIN: &str = "its -----BEGIN line is not of the form -----BEGIN LABEL-----";

pub(super) const NEEDS: &str = "UserSig v1 needs an ECDSA P-256 (prime256v1) key";

pub(super) const EXPECTED: &str = "expected EC PRIVATE KEY, PRIVATE KEY or PUBLIC KEY";

pub(super) const UNSUPPORTED: &str =
    "is not a key this tool reads; expected EC PRIVATE KEY, PRIVATE KEY or PUBLIC KEY";

pub(super) const MIX_UP: &str = " (a common mix-up with P-256)";

pub(super) const DER_PRIVATE: &str = "this is a binary DER private key, not PEM; convert it with `openssl ec -inform DER -in KEY -out key.pem`";

pub(super) const DER_PUBLIC: &str = "this is a binary DER public key, not PEM; convert it with `openssl pkey -pubin -inform DER -in KEY -out public.pem`";

pub(super) const V2_SECRET: &str =
    "this looks like a v2 secret key (64 hex characters), not a PEM key";

pub(super) const EXPLICIT: &str = "explicit EC curve parameters are not supported; use a named curve: `openssl ec -in KEY -param_enc named_curve -out key.pem`";

pub(super) const ENCRYPTED: &str = "this private key is passphrase-protected; decrypt it with `openssl pkey -in KEY -out key.pem` (prompts for the passphrase and writes it unencrypted)";

pub(super) const CERTIFICATE: &str = "this is an X.509 certificate, not a key; extract its public key with `openssl x509 -in CERT -pubkey -noout > public.pem`";

pub(super) const SSH_PRIVATE_FIX: &str =
    "convert it to PEM in place with `ssh-keygen -p -m PEM -f KEY`";

pub(super) const SSH_PUBLIC_FIX: &str =
    "convert it with `ssh-keygen -e -m PKCS8 -f KEY > public.pem`";

pub(super) const SSH_UNKNOWN: &str = "UserSig v1 needs an ECDSA P-256 key in PEM form (an ecdsa-sha2-nistp256 private key converts with `ssh-keygen -p -m PEM -f KEY`)";

pub(super) const PUTTY_FIX: &str =
    "convert it to PEM with `puttygen KEY -O private-openssh -o key.pem`";

pub(super) const NO_PEM_LINES: &str = "this is a key's base64 without its -----BEGIN and -----END lines; give the whole PEM file (or the binary DER)";

pub(super) const UNSUPPORTED_DER: &str = "this is binary DER data that is not a key this tool reads; expected an EC PRIVATE KEY (SEC1), PRIVATE KEY (PKCS#8) or PUBLIC KEY (SubjectPublicKeyInfo), in PEM or DER";

pub(super) const PUBLIC_FOR_SIGNING: &str = "this is a public key; signing needs the private key (an EC PRIVATE KEY or PRIVATE KEY PEM, such as ec_key.pem)";

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
    pub(super) fn of(der: &[u8]) -> DerKind {
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

/// An SSH key type name, when it is one of the known ones (with or without the
/// certificate suffix); other words are never shown, in case they are a secret.
pub(super) fn ssh_key_type(word: &[u8]) -> Option<String> {
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
pub(super) fn openssh_public_line(bytes: &[u8]) -> Option<String> {
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
pub(super) fn utf16_ascii(bytes: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
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
pub(super) fn hex_der(bytes: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
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
pub(super) fn base64_der(bytes: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
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

/// Classify input with no PEM block in it.
pub(super) fn not_pem(input: &[u8]) -> KeyError {
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

pub(super) fn short_token(bytes: &[u8]) -> Option<String> {
    let ok = (1..=40).contains(&bytes.len()) && bytes.iter().all(u8::is_ascii_graphic);
    ok.then(|| String::from_utf8_lossy(bytes).into_owned())
}

/// The key type in an `openssh-key-v1` blob (it sits in the unencrypted public part).
pub(super) fn openssh_key_type(blob: &[u8]) -> Option<String> {
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
