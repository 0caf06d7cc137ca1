//! The one error of making and verifying tickets, with the code Tencent's server gives
//! for the same verdict.

use std::fmt;

use crate::issue;
use crate::verify::Failure;

/// Why a ticket could not be made, or is not valid.
///
/// [`Error::code`] is the code Tencent's server gives for the same verdict (70001
/// expired, 70003 unreadable, 70009 bad signature or MAC, 70013 another identifier,
/// 70014 another sdkappid). `Display` is one line saying what went wrong;
/// [`std::error::Error::source`] gives the cause in detail, with the likely fix.
///
/// ```
/// use std::time::Duration;
/// use usersig::{ErrorKind, SdkAppId, Secret, Signer, Verifier};
/// let app = SdkAppId::new(1400001052)?;
/// let secret = || Secret::from_text("5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e");
/// let sig = Signer::v2(app, secret()?).gen_user_sig("xiaojun", Duration::from_secs(86400))?;
/// let err = Verifier::v2(app, secret()?).verify("someone", &sig).unwrap_err();
/// assert_eq!((err.kind(), err.code()), (ErrorKind::IdentifierMismatch, 70013));
/// assert_eq!(err.to_string(), "the UserSig was made for another identifier (server code 70013)");
/// let cause = std::error::Error::source(&err).unwrap().to_string();
/// assert!(cause.starts_with("the ticket was made for identifier \"xiaojun\", not \"someone\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    inner: Inner,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Inner {
    /// A ticket was judged not valid.
    Verify(Failure),
    /// A ticket could not be made, or a value was refused.
    Make(issue::Error),
}

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The ticket has expired (server code 70001).
    Expired,
    /// The ticket cannot be read (70003).
    Malformed,
    /// Its signature or MAC does not verify with this key, or it is of the other version
    /// (70009).
    BadSignature,
    /// It was made for another identifier (70013).
    IdentifierMismatch,
    /// It was made for another app (70014).
    SdkAppIdMismatch,
    /// It does not carry the userbuf asked for (the server does not check userbufs).
    UserbufMismatch,
    /// Its PrivateMapKey is missing, or does not grant this room and these privileges
    /// while unexpired (the server does not check map keys; TRTC refuses room entry).
    PrivateMapKey,
    /// A value breaks a rule, so no ticket is made: an sdkappid of 0, an identifier, a
    /// validity, a string room, or a ticket larger than a verifier reads.
    InvalidArgument,
    /// The operating system's random number generator failed; no v1 signature was made.
    NoRandomness,
}

impl Error {
    /// What kind of failure it is.
    pub fn kind(&self) -> ErrorKind {
        match &self.inner {
            Inner::Verify(failure) => match failure {
                Failure::Malformed(_) => ErrorKind::Malformed,
                Failure::WrongKindOfKey { .. } | Failure::BadSignature { .. } => {
                    ErrorKind::BadSignature
                }
                Failure::IdentifierMismatch { .. } => ErrorKind::IdentifierMismatch,
                Failure::SdkAppIdMismatch { .. } => ErrorKind::SdkAppIdMismatch,
                Failure::Expired { .. } => ErrorKind::Expired,
                Failure::UserbufMismatch { .. } => ErrorKind::UserbufMismatch,
                Failure::MapKey(_) => ErrorKind::PrivateMapKey,
            },
            Inner::Make(issue::Error::Signing(_)) => ErrorKind::NoRandomness,
            Inner::Make(_) => ErrorKind::InvalidArgument,
        }
    }

    /// Tencent's server code for this verdict: 70001, 70003, 70009, 70013 or 70014; 0
    /// for a failure the server has no code for (a userbuf or PrivateMapKey that does
    /// not match, which the server does not check, or a ticket that could not be made).
    pub fn code(&self) -> u32 {
        match &self.inner {
            Inner::Verify(failure) => failure.code().unwrap_or(0),
            Inner::Make(_) => 0,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind() {
            ErrorKind::Expired => "the UserSig has expired",
            ErrorKind::Malformed => "the UserSig cannot be read",
            ErrorKind::BadSignature => "the UserSig's signature does not verify with this key",
            ErrorKind::IdentifierMismatch => "the UserSig was made for another identifier",
            ErrorKind::SdkAppIdMismatch => "the UserSig was made for another sdkappid",
            ErrorKind::UserbufMismatch => "the UserSig does not carry the userbuf given",
            ErrorKind::PrivateMapKey => {
                "the UserSig's PrivateMapKey does not grant this room and these privileges"
            }
            ErrorKind::InvalidArgument => "a value breaks a rule of the UserSig",
            ErrorKind::NoRandomness => "no randomness to sign the UserSig with",
        };
        match self.code() {
            0 => f.write_str(what),
            code => write!(f, "{what} (server code {code})"),
        }
    }
}

/// The cause in detail: what was found, and the likely fix.
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.inner {
            Inner::Verify(failure) => Some(failure),
            Inner::Make(error) => Some(error),
        }
    }
}

impl Error {
    /// The error for a verdict of the verifier beneath.
    pub(crate) fn verdict(failure: Failure) -> Error {
        Error {
            inner: Inner::Verify(failure),
        }
    }

    /// The error for a ticket that could not be made.
    pub(crate) fn making(error: impl Into<issue::Error>) -> Error {
        Error {
            inner: Inner::Make(error.into()),
        }
    }
}
