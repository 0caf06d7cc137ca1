//! TEMPORARY stub until the real keys module lands.
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey};
/// stub
pub struct PrivateKey(p256::ecdsa::SigningKey);
/// stub
#[derive(Clone, Debug)]
pub struct PublicKey(p256::ecdsa::VerifyingKey);
/// stub
pub enum EcKey {
    Private(PrivateKey),
    Public(PublicKey),
}
/// stub
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    Bad,
}
impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "bad key")
    }
}
impl std::error::Error for KeyError {}
impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey")
    }
}
impl PrivateKey {
    /// stub
    pub fn from_pem(text: &[u8]) -> Result<PrivateKey, KeyError> {
        let s = std::str::from_utf8(text).map_err(|_| KeyError::Bad)?;
        let blocks = pem::parse_many(s).map_err(|_| KeyError::Bad)?;
        for b in blocks {
            if b.tag() == "EC PRIVATE KEY" {
                return p256::SecretKey::from_sec1_der(b.contents())
                    .map(|k| PrivateKey(k.into()))
                    .map_err(|_| KeyError::Bad);
            }
            if b.tag() == "PRIVATE KEY" {
                return p256::ecdsa::SigningKey::from_pkcs8_der(b.contents())
                    .map(PrivateKey)
                    .map_err(|_| KeyError::Bad);
            }
        }
        Err(KeyError::Bad)
    }
    /// stub
    pub fn public_key(&self) -> PublicKey {
        PublicKey(*self.0.verifying_key())
    }
    /// stub
    pub fn signing_key(&self) -> &p256::ecdsa::SigningKey {
        &self.0
    }
}
impl PublicKey {
    /// stub
    pub fn from_pem(text: &[u8]) -> Result<PublicKey, KeyError> {
        if let Ok(k) = PrivateKey::from_pem(text) {
            return Ok(k.public_key());
        }
        let s = std::str::from_utf8(text).map_err(|_| KeyError::Bad)?;
        p256::ecdsa::VerifyingKey::from_public_key_pem(s.trim())
            .map(PublicKey)
            .map_err(|_| KeyError::Bad)
    }
    /// stub
    pub fn verifying_key(&self) -> &p256::ecdsa::VerifyingKey {
        &self.0
    }
}
impl EcKey {
    /// stub
    pub fn from_pem(text: &[u8]) -> Result<EcKey, KeyError> {
        PrivateKey::from_pem(text)
            .map(EcKey::Private)
            .or_else(|_| PublicKey::from_pem(text).map(EcKey::Public))
    }
}
