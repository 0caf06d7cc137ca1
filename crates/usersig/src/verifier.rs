//! Checking tickets for one app with one loaded key, and what a valid ticket says.

use std::time::SystemTime;

use crate::clock::{Clock, FixedClock, SystemClock, system_time, unix_seconds};
use crate::error::Error;
use crate::keys::PublicKey;
use crate::privileges::Privileges;
use crate::secret::Secret;
use crate::ticket::{self, Version};
use crate::userbuf;
use crate::values::{Room, SdkAppId};
use crate::verify::{self, Expect, VerifyKey};

/// Verifies UserSig tickets for one app: v2 with the app's secret, or v1 with its ECDSA
/// public key. Load it once and share it (it is `Send + Sync`); each call borrows the
/// key.
///
/// A ticket is valid when its signature or MAC verifies with the key, it was made for
/// the identifier and the app asked about, and it has not expired (it is valid up to
/// and including its last second). A failure says which, with the server's code
/// ([`Error::code`]). Any ticket text is an answer, never a panic.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use usersig::{SdkAppId, Secret, Signer, Verifier};
/// let app = SdkAppId::new(1400001052)?;
/// let text = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
/// let usersig = Signer::v2(app, Secret::from_text(text)?).gen_user_sig("xiaojun", Duration::from_secs(60))?;
/// let verifier = Verifier::v2(app, Secret::from_text(text)?);
/// let info = verifier.verify("xiaojun", &usersig)?;
/// assert_eq!(info.identifier(), "xiaojun");
/// let later = SystemTime::now() + Duration::from_secs(120);
/// assert_eq!(verifier.verify_at("xiaojun", &usersig, later).unwrap_err().code(), 70001);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Verifier {
    sdkappid: SdkAppId,
    key: VerifyKey,
}

impl Verifier {
    /// Verifies v2 tickets (HMAC-SHA256) of `sdkappid` with the app's `secret`.
    pub fn v2(sdkappid: SdkAppId, secret: Secret) -> Verifier {
        Verifier {
            sdkappid,
            key: VerifyKey::Secret(secret),
        }
    }

    /// Verifies v1 tickets (ECDSA P-256, either form) of `sdkappid` with the app's
    /// public `key`.
    pub fn v1(sdkappid: SdkAppId, key: PublicKey) -> Verifier {
        Verifier {
            sdkappid,
            key: VerifyKey::Public(key),
        }
    }

    /// The app whose tickets it verifies.
    pub fn sdkappid(&self) -> SdkAppId {
        self.sdkappid
    }

    fn check(
        &self,
        identifier: &str,
        usersig: &str,
        userbuf: Option<&[u8]>,
        clock: &dyn Clock,
    ) -> Result<TicketInfo, Error> {
        let expect = Expect {
            sdkappid: self.sdkappid.get(),
            identifier,
            userbuf,
        };
        let info = verify::verify(usersig, &self.key, &expect, clock).map_err(Error::verdict)?;
        Ok(TicketInfo {
            sdkappid: self.sdkappid,
            info,
        })
    }

    /// Tencent's `VerifyUserSig`: whether `usersig` is valid now for `identifier`.
    pub fn verify(&self, identifier: &str, usersig: &str) -> Result<TicketInfo, Error> {
        self.check(identifier, usersig, None, &SystemClock::new())
    }

    /// As [`Verifier::verify`], judged at the moment `at` (to the second).
    pub fn verify_at(
        &self,
        identifier: &str,
        usersig: &str,
        at: SystemTime,
    ) -> Result<TicketInfo, Error> {
        self.check(identifier, usersig, None, &FixedClock::at(unix_seconds(at)))
    }

    /// Tencent's `VerifyUserSigWithBuf`: as [`Verifier::verify`], and the ticket must
    /// carry exactly `userbuf` ([`ErrorKind::UserbufMismatch`](crate::ErrorKind)).
    pub fn verify_with_userbuf(
        &self,
        identifier: &str,
        usersig: &str,
        userbuf: &[u8],
    ) -> Result<TicketInfo, Error> {
        self.check(identifier, usersig, Some(userbuf), &SystemClock::new())
    }

    /// Whether `usersig` is valid now for `identifier` and carries a PrivateMapKey,
    /// issued to the same user and app and not expired, that grants `room` and at least
    /// `privileges` ([`ErrorKind::PrivateMapKey`](crate::ErrorKind) otherwise).
    pub fn verify_private_map_key(
        &self,
        identifier: &str,
        usersig: &str,
        room: Room,
        privileges: Privileges,
    ) -> Result<TicketInfo, Error> {
        self.verify_private_map_key_at(identifier, usersig, room, privileges, SystemTime::now())
    }

    /// As [`Verifier::verify_private_map_key`], judged at the moment `at`.
    pub fn verify_private_map_key_at(
        &self,
        identifier: &str,
        usersig: &str,
        room: Room,
        privileges: Privileges,
        at: SystemTime,
    ) -> Result<TicketInfo, Error> {
        let now = unix_seconds(at);
        let info = self.check(identifier, usersig, None, &FixedClock::at(now))?;
        verify::check_private_map_key(&info.info, &room.into(), privileges.bits(), now)
            .map_err(Error::verdict)?;
        Ok(info)
    }
}

/// What a valid ticket says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketInfo {
    sdkappid: SdkAppId,
    info: ticket::TicketInfo,
}

impl TicketInfo {
    /// The user it was made for.
    pub fn identifier(&self) -> &str {
        &self.info.identifier
    }

    /// The app it was made for.
    pub fn sdkappid(&self) -> SdkAppId {
        self.sdkappid
    }

    /// Its form: v1, v2, or v1's oldest plain-JSON form.
    pub fn version(&self) -> Version {
        self.info.version
    }

    /// When it was issued (whole seconds).
    pub fn issued_at(&self) -> SystemTime {
        system_time(self.info.init_time)
    }

    /// Its last valid second: the issue time plus its validity.
    pub fn expires_at(&self) -> SystemTime {
        system_time(self.info.expires_at())
    }

    /// The bytes it carries in its userbuf, if any.
    pub fn userbuf(&self) -> Option<&[u8]> {
        self.info.userbuf.as_deref()
    }

    /// Its userbuf read as a TRTC PrivateMapKey, when it is one. Nothing in it is
    /// checked here; [`Verifier::verify_private_map_key`] checks it.
    pub fn private_map_key(&self) -> Option<PrivateMapKey> {
        let key = userbuf::PrivateMapKey::decode(self.userbuf()?)?;
        Some(PrivateMapKey {
            identifier: key.account,
            sdkappid: key.sdkappid,
            room: key.room.into(),
            privileges: Privileges::from_bits_retain(key.privileges),
            expires_at: system_time(i64::from(key.expires_at)),
        })
    }
}

/// A TRTC PrivateMapKey as a ticket's userbuf carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateMapKey {
    identifier: String,
    sdkappid: u32,
    room: Room,
    privileges: Privileges,
    expires_at: SystemTime,
}

impl PrivateMapKey {
    /// The user it was issued to.
    pub fn identifier(&self) -> &str {
        &self.identifier
    }

    /// The app it names (any number, as written in it).
    pub fn sdkappid(&self) -> u32 {
        self.sdkappid
    }

    /// The room it grants.
    pub fn room(&self) -> &Room {
        &self.room
    }

    /// The privileges it grants (bits outside the eight kept, as written).
    pub fn privileges(&self) -> Privileges {
        self.privileges
    }

    /// Its own last valid second.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
}
