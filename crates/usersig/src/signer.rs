//! Making tickets for one app with one loaded key.

use std::time::Duration;

use crate::clock::SystemClock;
use crate::compat::{self, SigningKey};
use crate::error::Error;
use crate::issue::{TicketRequest, check_ttl};
use crate::keys::PrivateKey;
use crate::privileges::Privileges;
use crate::secret::Secret;
use crate::values::{Room, SdkAppId};

/// Makes UserSig tickets for one app: v2 with the app's secret, or v1 with its ECDSA
/// private key. Load it once and share it (it is `Send + Sync`); each call reads the
/// system clock and borrows the key.
///
/// A validity (`ttl`) is whole seconds from 1 second to 50 years: zero, a fraction of a
/// second, or more is refused ([`ErrorKind::InvalidArgument`](crate::ErrorKind)), since a
/// ticket holds whole seconds. An identifier is 1 to 32 bytes of printable ASCII.
///
/// ```
/// use std::time::Duration;
/// use usersig::{Privileges, Room, SdkAppId, Secret, Signer};
/// let secret = Secret::from_text("5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e\n")?;
/// let signer = Signer::v2(SdkAppId::new(1400001052)?, secret);
/// let day = Duration::from_secs(86400);
/// let usersig = signer.gen_user_sig("xiaojun", day)?;
/// let map_key = signer.gen_private_map_key("xiaojun", day, Room::Id(10000), Privileges::ENTER)?;
/// assert!(signer.gen_user_sig("xiaojun", Duration::from_millis(1500)).is_err());
/// assert!(signer.gen_user_sig("", day).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The arguments are typed, so a swapped or untyped one does not compile:
///
/// ```compile_fail,E0308
/// # use usersig::{SdkAppId, Secret, Signer};
/// let app = SdkAppId::new(1400001052).unwrap();
/// let secret = Secret::from_text("5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e").unwrap();
/// let signer = Signer::v2(secret, app); // the key before the app
/// ```
///
/// ```compile_fail,E0308
/// # use usersig::{SdkAppId, Secret, Signer};
/// # let secret = Secret::from_text("5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e").unwrap();
/// let signer = Signer::v2(1400001052, secret); // a bare number for the app
/// ```
///
/// ```compile_fail,E0308
/// # use usersig::{SdkAppId, Secret, Signer};
/// # let secret = Secret::from_text("5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e").unwrap();
/// # let signer = Signer::v2(SdkAppId::new(1400001052).unwrap(), secret);
/// let usersig = signer.gen_user_sig("xiaojun", 86400); // seconds, not a Duration
/// ```
///
/// ```compile_fail,E0308
/// # use std::time::Duration;
/// # use usersig::{Privileges, Room, SdkAppId, Secret, Signer};
/// # let secret = Secret::from_text("5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e").unwrap();
/// # let signer = Signer::v2(SdkAppId::new(1400001052).unwrap(), secret);
/// let day = Duration::from_secs(86400);
/// signer.gen_private_map_key("xiaojun", day, Privileges::ENTER, Room::Id(10000)); // swapped
/// ```
#[derive(Debug)]
pub struct Signer {
    sdkappid: SdkAppId,
    key: Key,
}

/// The loaded key a signer owns.
#[derive(Debug)]
enum Key {
    V1(PrivateKey),
    V2(Secret),
}

impl Signer {
    /// Makes v2 tickets (HMAC-SHA256) for `sdkappid` with the app's `secret`.
    pub fn v2(sdkappid: SdkAppId, secret: Secret) -> Signer {
        Signer {
            sdkappid,
            key: Key::V2(secret),
        }
    }

    /// Makes v1 tickets (ECDSA P-256) for `sdkappid` with the app's private `key`.
    pub fn v1(sdkappid: SdkAppId, key: PrivateKey) -> Signer {
        Signer {
            sdkappid,
            key: Key::V1(key),
        }
    }

    /// The app it makes tickets for.
    pub fn sdkappid(&self) -> SdkAppId {
        self.sdkappid
    }

    fn key(&self) -> SigningKey<'_> {
        match &self.key {
            Key::V1(key) => SigningKey::Private(key),
            Key::V2(secret) => SigningKey::Secret(secret),
        }
    }

    fn request(&self, identifier: &str, ttl: Duration) -> Result<TicketRequest, Error> {
        let seconds = check_ttl(ttl).map_err(Error::making)?;
        TicketRequest::new(self.sdkappid.get(), identifier)
            .and_then(|req| req.with_expire(seconds))
            .map_err(Error::making)
    }

    fn sign(&self, request: &TicketRequest) -> Result<String, Error> {
        compat::sign(self.key(), request, &SystemClock::new()).map_err(Error::making)
    }

    /// Tencent's `GenUserSig`: a ticket for `identifier`, valid for `ttl` from now.
    pub fn gen_user_sig(&self, identifier: &str, ttl: Duration) -> Result<String, Error> {
        self.sign(&self.request(identifier, ttl)?)
    }

    /// Tencent's `GenUserSigWithUserBuf`: as [`Signer::gen_user_sig`], carrying
    /// `userbuf` (any bytes) in the ticket. A userbuf too large for the ticket to be read
    /// back (some 580 KiB that does not compress, 768 KiB that does) is refused.
    pub fn gen_user_sig_with_userbuf(
        &self,
        identifier: &str,
        ttl: Duration,
        userbuf: &[u8],
    ) -> Result<String, Error> {
        self.sign(&self.request(identifier, ttl)?.with_userbuf(userbuf))
    }

    /// Tencent's `GenPrivateMapKey` and `GenPrivateMapKeyWithStringRoomID`: a ticket for
    /// `identifier` whose userbuf is a TRTC PrivateMapKey granting `room` with
    /// `privileges`; the ticket and the map key both expire `ttl` from now. A string
    /// room id is 1 to 64 bytes of printable ASCII.
    pub fn gen_private_map_key(
        &self,
        identifier: &str,
        ttl: Duration,
        room: Room,
        privileges: Privileges,
    ) -> Result<String, Error> {
        let seconds = check_ttl(ttl).map_err(Error::making)?;
        compat::private_map_key_ticket(
            self.key(),
            self.sdkappid.get(),
            identifier,
            seconds,
            room.into(),
            privileges.bits(),
            &SystemClock::new(),
        )
        .map_err(Error::making)
    }
}
