//! The one-call API, in the names Tencent's SDKs use: make a UserSig or a TRTC
//! PrivateMapKey with the system clock, and verify one, each in a single call.
//!
//! The same functions serve both schemes: a [`Secret`] makes and checks v2 tickets
//! (HMAC-SHA256); a [`PrivateKey`] makes v1 tickets (ECDSA P-256) and a [`PublicKey`]
//! checks them. Arguments follow one order everywhere: key, sdkappid, identifier, expire
//! (seconds), then what the call adds. For a clock of your own, several keys, or a
//! verdict you keep, use [`crate::issue`] and [`crate::verify`].
//!
//! A ticket that cannot be made is an [`Error`], never a panic: an argument that breaks
//! a rule, a ticket larger than a verifier reads (a userbuf of more than some 580 KiB
//! that does not compress, 768 KiB that does), or no randomness from the operating
//! system for a v1 signature.
//!
//! ```
//! use usersig::{Secret, gen_usersig, verify_usersig};
//!
//! let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")?;
//! let usersig = gen_usersig(&secret, 1400001052, "xiaojun", 86400)?;
//! let info = verify_usersig(&secret, 1400001052, "xiaojun", &usersig)?;
//! assert_eq!(info.expire, 86400);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::Secret;
use crate::clock::{Clock, SystemClock};
use crate::issue::TicketRequest;
pub use crate::issue::{Error, MAX_ROOM_STR_BYTES};
use crate::keys::{PrivateKey, PublicKey};
use crate::ticket::TicketInfo;
use crate::userbuf::{PrivateMapKey, Room};
use crate::verify::{self, Expect, Failure, VerifyKey};

/// The key a ticket is made with: the v2 secret, or the v1 private key.
#[derive(Debug, Clone, Copy)]
pub enum SigningKey<'a> {
    /// Makes v2 tickets (HMAC-SHA256).
    Secret(&'a Secret),
    /// Makes v1 tickets (ECDSA P-256).
    Private(&'a PrivateKey),
}

impl<'a> From<&'a Secret> for SigningKey<'a> {
    fn from(s: &'a Secret) -> Self {
        SigningKey::Secret(s)
    }
}

impl<'a> From<&'a PrivateKey> for SigningKey<'a> {
    fn from(k: &'a PrivateKey) -> Self {
        SigningKey::Private(k)
    }
}

/// The key a ticket is checked with: the v2 secret, or the v1 public key.
#[derive(Debug, Clone, Copy)]
pub enum CheckingKey<'a> {
    /// Checks v2 tickets.
    Secret(&'a Secret),
    /// Checks v1 tickets.
    Public(&'a PublicKey),
}

impl<'a> From<&'a Secret> for CheckingKey<'a> {
    fn from(s: &'a Secret) -> Self {
        CheckingKey::Secret(s)
    }
}

impl<'a> From<&'a PublicKey> for CheckingKey<'a> {
    fn from(k: &'a PublicKey) -> Self {
        CheckingKey::Public(k)
    }
}

impl CheckingKey<'_> {
    fn to_verify_key(self) -> VerifyKey {
        match self {
            CheckingKey::Secret(s) => VerifyKey::Secret(s.clone()),
            CheckingKey::Public(k) => VerifyKey::Public(k.clone()),
        }
    }
}

/// Check a string room id: 1 to [`MAX_ROOM_STR_BYTES`] bytes of printable ASCII
/// (space to `~`).
///
/// ```
/// use usersig::compat::check_room_str;
/// assert!(check_room_str("room-42").is_ok());
/// assert!(check_room_str("").is_err());
/// assert!(check_room_str(&"r".repeat(65)).is_err());
/// assert!(check_room_str("tab\there").is_err());
/// ```
pub fn check_room_str(room: &str) -> Result<(), Error> {
    let bad_byte_at = room.bytes().position(|b| !(b' '..=b'~').contains(&b));
    if room.is_empty() || room.len() > MAX_ROOM_STR_BYTES || bad_byte_at.is_some() {
        return Err(Error::RoomStr {
            len: room.len(),
            bad_byte_at,
        });
    }
    Ok(())
}

pub(crate) fn sign(
    key: SigningKey<'_>,
    req: &TicketRequest,
    clock: &dyn Clock,
) -> Result<String, Error> {
    match key {
        SigningKey::Secret(s) => req.sign_v2(s, clock),
        SigningKey::Private(k) => req.sign_v1(k, clock),
    }
}

/// The request for a PrivateMapKey ticket issued at `time`: a ticket for `identifier` of
/// `sdkappid` valid for `expire` seconds, whose userbuf is the PrivateMapKey granting
/// `room` with `privileges`, itself expiring `expire` seconds after `time` (as Tencent's
/// libraries do, the one expire serves both). Sign it as of the same `time`, so that the
/// two expiries agree. The identifier follows [`crate::issue::check_identifier`]; a string
/// room follows [`check_room_str`].
pub fn private_map_key_request(
    sdkappid: u32,
    identifier: &str,
    expire: u32,
    room: Room,
    privileges: u32,
    time: i64,
) -> Result<TicketRequest, Error> {
    let req = TicketRequest::new(sdkappid, identifier)?.with_expire(expire)?;
    if let Room::Named(name) = &room {
        check_room_str(name)?;
    }
    let expires_at = time
        .checked_add(i64::from(expire))
        .and_then(|t| u32::try_from(t).ok())
        .ok_or(Error::MapKeyExpiryTooLate)?;
    let map_key = PrivateMapKey {
        account: identifier.to_owned(),
        sdkappid,
        room,
        expires_at,
        privileges,
        account_type: 0,
    };
    // The identifier is at most 32 bytes and a room string at most 64: both fit.
    let userbuf = map_key.encode().ok_or(Error::RoomStr {
        len: usize::MAX,
        bad_byte_at: None,
    })?;
    Ok(req.with_userbuf(&userbuf))
}

/// Make a PrivateMapKey ticket as of `clock` ([`private_map_key_request`], signed). The
/// clock is read once, so the ticket's time and the map key's expiry agree.
pub fn private_map_key_ticket(
    key: SigningKey<'_>,
    sdkappid: u32,
    identifier: &str,
    expire: u32,
    room: Room,
    privileges: u32,
    clock: &dyn Clock,
) -> Result<String, Error> {
    let now = crate::clock::FixedClock::at(clock.now());
    let req = private_map_key_request(sdkappid, identifier, expire, room, privileges, now.now)?;
    sign(key, &req, &now)
}

/// Tencent's `GenUserSig`: a ticket for `identifier` of `sdkappid`, valid for `expire`
/// seconds from now. A [`Secret`] makes a v2 ticket, a [`PrivateKey`] a v1 ticket.
///
/// ```
/// use usersig::{Secret, gen_usersig, keys::PrivateKey};
/// let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")?;
/// let v2 = gen_usersig(&secret, 1400001052, "xiaojun", 86400)?;
/// assert!(usersig::verify_usersig(&secret, 1400001052, "xiaojun", &v2).is_ok());
/// assert!(gen_usersig(&secret, 1400001052, "", 86400).is_err());
/// assert!(gen_usersig(&secret, 0, "xiaojun", 86400).is_err());
/// assert!(gen_usersig(&secret, 1400001052, "xiaojun", 0).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn gen_usersig<'a>(
    key: impl Into<SigningKey<'a>>,
    sdkappid: u32,
    identifier: &str,
    expire: u32,
) -> Result<String, Error> {
    let req = TicketRequest::new(sdkappid, identifier)?.with_expire(expire)?;
    sign(key.into(), &req, &SystemClock::new())
}

/// Tencent's `GenUserSigWithUserBuf`: as [`gen_usersig`], carrying `userbuf` (any bytes)
/// in the ticket.
///
/// ```
/// use usersig::{Secret, gen_usersig_with_userbuf, verify_usersig_with_userbuf};
/// let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")?;
/// let sig = gen_usersig_with_userbuf(&secret, 1400001052, "xiaojun", 600, b"abc")?;
/// let info = verify_usersig_with_userbuf(&secret, 1400001052, "xiaojun", &sig, b"abc")?;
/// assert_eq!(info.userbuf.as_deref(), Some(&b"abc"[..]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn gen_usersig_with_userbuf<'a>(
    key: impl Into<SigningKey<'a>>,
    sdkappid: u32,
    identifier: &str,
    expire: u32,
    userbuf: &[u8],
) -> Result<String, Error> {
    let req = TicketRequest::new(sdkappid, identifier)?
        .with_expire(expire)?
        .with_userbuf(userbuf);
    sign(key.into(), &req, &SystemClock::new())
}

/// Tencent's `GenPrivateMapKey`: a TRTC PrivateMapKey for numeric room `room_id`
/// granting `privilege_map` (see [`crate::userbuf::PRIVILEGES`]; 255 grants all), the
/// ticket and the map key both valid for `expire` seconds from now.
///
/// ```
/// use usersig::{Secret, gen_private_map_key, verify_usersig};
/// use usersig::userbuf::{PrivateMapKey, Room};
/// let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")?;
/// let sig = gen_private_map_key(&secret, 1400001052, "xiaojun", 86400, 10000, 255)?;
/// let info = verify_usersig(&secret, 1400001052, "xiaojun", &sig)?;
/// let key = PrivateMapKey::decode(info.userbuf.as_deref().unwrap()).unwrap();
/// assert_eq!((key.room, key.privileges), (Room::Numeric(10000), 255));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn gen_private_map_key<'a>(
    key: impl Into<SigningKey<'a>>,
    sdkappid: u32,
    identifier: &str,
    expire: u32,
    room_id: u32,
    privilege_map: u32,
) -> Result<String, Error> {
    private_map_key_ticket(
        key.into(),
        sdkappid,
        identifier,
        expire,
        Room::Numeric(room_id),
        privilege_map,
        &SystemClock::new(),
    )
}

/// Tencent's `GenPrivateMapKeyWithStringRoomID`: as [`gen_private_map_key`] for a
/// string room id (1 to 64 bytes of printable ASCII).
///
/// ```
/// use usersig::{Secret, gen_private_map_key_with_string_room_id};
/// let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")?;
/// let sig = gen_private_map_key_with_string_room_id(&secret, 1400001052, "xiaojun", 86400, "room-42", 42)?;
/// assert!(!sig.is_empty());
/// assert!(gen_private_map_key_with_string_room_id(&secret, 1400001052, "xiaojun", 86400, "", 42).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn gen_private_map_key_with_string_room_id<'a>(
    key: impl Into<SigningKey<'a>>,
    sdkappid: u32,
    identifier: &str,
    expire: u32,
    room_str: &str,
    privilege_map: u32,
) -> Result<String, Error> {
    private_map_key_ticket(
        key.into(),
        sdkappid,
        identifier,
        expire,
        Room::Named(room_str.to_owned()),
        privilege_map,
        &SystemClock::new(),
    )
}

/// Verify `usersig` (any form) for `identifier` of `sdkappid` as of now, with the v2
/// secret or the v1 public key. A failure carries its server code
/// ([`Failure::code`]) and prints as one line.
///
/// ```
/// use usersig::{Secret, gen_usersig, verify_usersig};
/// let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")?;
/// let sig = gen_usersig(&secret, 1400001052, "xiaojun", 86400)?;
/// assert!(verify_usersig(&secret, 1400001052, "xiaojun", &sig).is_ok());
/// let err = verify_usersig(&secret, 1400001052, "someone", &sig).unwrap_err();
/// assert_eq!(err.code(), Some(70013));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_usersig<'a>(
    key: impl Into<CheckingKey<'a>>,
    sdkappid: u32,
    identifier: &str,
    usersig: &str,
) -> Result<TicketInfo, Failure> {
    let expect = Expect {
        sdkappid,
        identifier,
        userbuf: None,
    };
    let clock = SystemClock::new();
    verify::verify(usersig, &key.into().to_verify_key(), &expect, &clock)
}

/// As [`verify_usersig`], and the ticket must carry exactly `userbuf`
/// ([`Failure::UserbufMismatch`] otherwise).
///
/// ```
/// use usersig::{Secret, gen_usersig_with_userbuf, verify_usersig_with_userbuf};
/// let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")?;
/// let sig = gen_usersig_with_userbuf(&secret, 1400001052, "xiaojun", 600, b"abc")?;
/// let err = verify_usersig_with_userbuf(&secret, 1400001052, "xiaojun", &sig, b"abd").unwrap_err();
/// assert_eq!(err.code(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_usersig_with_userbuf<'a>(
    key: impl Into<CheckingKey<'a>>,
    sdkappid: u32,
    identifier: &str,
    usersig: &str,
    userbuf: &[u8],
) -> Result<TicketInfo, Failure> {
    let expect = Expect {
        sdkappid,
        identifier,
        userbuf: Some(userbuf),
    };
    let clock = SystemClock::new();
    verify::verify(usersig, &key.into().to_verify_key(), &expect, &clock)
}
