//! The v2 secret key: the 64 hex characters shown in Tencent's console, used as the
//! HMAC key exactly as text (not hex-decoded).
//!
//! Key material is never a secret: bytes that hold a key or certificate in any common
//! form (PEM, DER, OpenSSH, PuTTY; see [`KeyMaterial::recognise`]) are refused, so that
//! nobody holding a public key can make tickets that pass as signed with it.

use std::fmt;

use hmac::{Hmac, KeyInit};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::keys::KeyMaterial;

/// A v2 HMAC secret. Its bytes are wiped when dropped, and `Debug` never shows them.
///
/// It keeps the HMAC keyed with it, so that each MAC costs only the hashing of the
/// content (this halves the cost of a v2 ticket).
#[derive(Clone)]
pub struct Secret {
    bytes: Zeroizing<Vec<u8>>,
    keyed: Hmac<Sha256>,
}

/// Why a secret was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretError {
    /// The secret is empty (or only white space, when read from a file).
    Empty,
    /// The bytes are a key or certificate (what it is), not a v2 secret.
    KeyMaterial(KeyMaterial),
}

impl fmt::Display for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretError::Empty => write!(
                f,
                "the v2 secret is empty; it is the 64-character key shown in the console"
            ),
            SecretError::KeyMaterial(what) => write!(
                f,
                "the v2 secret given is {what}: v2 needs the app's 64-character secret"
            ),
        }
    }
}

impl std::error::Error for SecretError {}

impl Secret {
    /// The secret exactly as given (every byte counts, white space too).
    ///
    /// ```
    /// use usersig::Secret;
    /// let s = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e").unwrap();
    /// assert_eq!(format!("{s:?}"), "Secret(64 bytes, redacted)");
    /// assert!(Secret::new(b"").is_err());
    /// ```
    ///
    /// Key material is refused with [`SecretError::KeyMaterial`]:
    ///
    /// ```
    /// # use usersig::{Secret, secret::SecretError};
    /// let der = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/keys/der_public.der"));
    /// assert!(matches!(Secret::new(der), Err(SecretError::KeyMaterial(_))));
    /// ```
    pub fn new(bytes: &[u8]) -> Result<Secret, SecretError> {
        Secret::from_vec(bytes.to_vec())
    }

    /// As [`Secret::new`], keeping the caller's buffer itself (a `Vec<u8>` or a
    /// `Zeroizing<Vec<u8>>`): no copy of the secret is made, and the buffer is wiped
    /// when the secret is dropped, or at once when it is refused.
    ///
    /// ```
    /// use usersig::Secret;
    /// let read = b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e".to_vec();
    /// let at = read.as_ptr();
    /// let secret = Secret::from_vec(read).unwrap();
    /// assert_eq!(secret.expose().as_ptr(), at);
    /// ```
    #[doc(hidden)]
    pub fn from_vec(bytes: impl Into<Zeroizing<Vec<u8>>>) -> Result<Secret, SecretError> {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Err(SecretError::Empty);
        }
        if let Some(what) = KeyMaterial::recognise(&bytes) {
            return Err(SecretError::KeyMaterial(what));
        }
        // HMAC takes keys of any length.
        let keyed =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&bytes).map_err(|_| SecretError::Empty)?;
        Ok(Secret { bytes, keyed })
    }

    /// The secret as read from storage (a file, a variable): surrounding white
    /// space (a trailing newline above all) is dropped, so it cannot silently change
    /// the HMAC.
    /// Key material is refused, as by [`Secret::new`].
    pub fn from_file_contents(contents: &[u8]) -> Result<Secret, SecretError> {
        if let Some(what) = KeyMaterial::recognise(contents) {
            return Err(SecretError::KeyMaterial(what));
        }
        Secret::new(contents.trim_ascii())
    }

    /// The secret as text from the console, a file or a variable: surrounding white
    /// space (a trailing newline above all) is dropped, and key material (a PEM, DER,
    /// OpenSSH or PuTTY key or certificate) is refused with [`SecretError::KeyMaterial`].
    ///
    /// ```
    /// use usersig::Secret;
    /// let s = Secret::from_text("5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e\n")?;
    /// assert_eq!(s.expose().len(), 64);
    /// let public = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n";
    /// assert!(Secret::from_text(public).is_err());
    /// assert!(Secret::from_text(" \n").is_err());
    /// # Ok::<(), usersig::SecretError>(())
    /// ```
    pub fn from_text(text: &str) -> Result<Secret, SecretError> {
        Secret::from_file_contents(text.as_bytes())
    }

    /// Whether the secret has the form the console shows: exactly 64 hexadecimal
    /// characters. Any other secret still works (HMAC takes keys of any length), but is
    /// more likely a mistake, such as the wrong file.
    ///
    /// ```
    /// use usersig::Secret;
    /// let s = Secret::from_file_contents(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e\n");
    /// assert!(s.unwrap().is_console_form());
    /// assert!(!Secret::new(b"hunter2").unwrap().is_console_form());
    /// ```
    pub fn is_console_form(&self) -> bool {
        self.bytes.len() == 64 && self.bytes.iter().all(u8::is_ascii_hexdigit)
    }

    /// The HMAC key bytes.
    pub fn expose(&self) -> &[u8] {
        &self.bytes
    }

    /// HMAC-SHA256 keyed with this secret, ready for content.
    #[doc(hidden)]
    pub fn mac(&self) -> Hmac<Sha256> {
        self.keyed.clone()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} bytes, redacted)", self.bytes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

    /// Every key and certificate fixture, in every form.
    fn key_fixtures() -> Vec<(String, Vec<u8>)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/keys");
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            // Not keys: the fixture list, plain text, a v2 secret, an empty file.
            if ["README.md", "not_a_key.txt", "secret_like.txt", "empty.pem"].contains(&&*name) {
                continue;
            }
            found.push((name, std::fs::read(&path).unwrap()));
        }
        assert!(found.len() >= 40, "{found:?}");
        found
    }

    #[test]
    fn key_material_is_refused_from_every_constructor() {
        for (name, bytes) in key_fixtures() {
            for made in [
                Secret::new(&bytes),
                Secret::from_file_contents(&bytes),
                Secret::from_vec(bytes.clone()),
            ] {
                let error = made.expect_err(&name);
                assert!(
                    matches!(error, SecretError::KeyMaterial(_)),
                    "{name}: {error:?}"
                );
                let text = error.to_string();
                assert!(
                    text.starts_with("the v2 secret given is ")
                        && text.ends_with(": v2 needs the app's 64-character secret"),
                    "{name}: {text}"
                );
            }
        }
    }

    #[test]
    fn secrets_are_kept_and_their_form_told() {
        let read = Secret::from_file_contents(&[SECRET, b"\r\n"].concat()).unwrap();
        assert_eq!(read.expose(), SECRET);
        assert!(read.is_console_form());
        assert!(Secret::new(SECRET).unwrap().is_console_form());
        // A literal is used as it is: the space is part of it.
        let spaced = Secret::new(&[SECRET, b" "].concat()).unwrap();
        assert_eq!(spaced.expose().len(), 65);
        assert!(!spaced.is_console_form());
        for other in [
            &SECRET[..63],
            &[SECRET, b"0"].concat(),
            b"hunter2",
            b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5g",
        ] {
            let secret = Secret::new(other).unwrap();
            assert!(!secret.is_console_form(), "{secret:?}");
        }
        assert_eq!(
            Secret::from_file_contents(b" \n").unwrap_err(),
            SecretError::Empty
        );
        assert_eq!(
            Secret::from_vec(Vec::new()).unwrap_err(),
            SecretError::Empty
        );
    }

    /// `from_vec` keeps the caller's buffer (so no second copy of the secret exists),
    /// from a `Vec` or a `Zeroizing<Vec>`, and MACs as `new` does.
    #[test]
    fn from_vec_keeps_the_callers_buffer() {
        let mut spare = Vec::with_capacity(128);
        spare.extend_from_slice(SECRET);
        let at = spare.as_ptr();
        let owned = Secret::from_vec(spare).unwrap();
        assert_eq!((owned.expose(), owned.expose().as_ptr()), (SECRET, at));
        let wrapped = Zeroizing::new(SECRET.to_vec());
        let at = wrapped.as_ptr();
        let kept = Secret::from_vec(wrapped).unwrap();
        assert_eq!(kept.expose().as_ptr(), at);
        let mac = |s: &Secret| {
            use hmac::Mac;
            let mut mac = s.mac();
            mac.update(b"content");
            mac.finalize().into_bytes()
        };
        assert_eq!(mac(&owned), mac(&Secret::new(SECRET).unwrap()));
        assert_eq!(mac(&kept), mac(&owned));
    }

    /// The keyed HMAC holds two SHA-256 states computed from the secret (either one
    /// makes MACs as the secret does): their type wipes itself when dropped.
    #[test]
    fn the_keyed_hash_states_are_wiped_on_drop() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<<Sha256 as hmac::EagerHash>::Core>();
    }
}
