//! Verification: the verdict on a ticket, in the order of docs/FORMAT.md
//! section 7, with the server code
//! a failure corresponds to.
//!
//! Authenticity is checked first, over the ticket's own values; then the identifier
//! (70013), the sdkappid (70014) and the expiry (70001). So a tampered ticket is never
//! reported as merely expired, and a genuine ticket for another user is reported as
//! 70013, not as a bad signature.

use std::fmt;

use crate::Secret;
use crate::clock::{Clock, describe_span, rfc3339};
use crate::keys::PublicKey;
use crate::ticket::{self, BatchReader, Malformed, Ticket, TicketInfo, Version, v1, v2};
use crate::userbuf::{PRIVILEGES, PrivateMapKey, Room};

mod batch_ecdsa;

use batch_ecdsa::KeyTables;
#[doc(hidden)]
pub use batch_ecdsa::PrecomputedKey;

/// Server code: the ticket has expired.
pub const CODE_EXPIRED: u32 = 70001;
/// Server code: the ticket cannot be parsed.
pub const CODE_MALFORMED: u32 = 70003;
/// Server code: the signature or MAC does not verify with this key.
pub const CODE_BAD_SIGNATURE: u32 = 70009;
/// Server code: the ticket is for another identifier.
pub const CODE_IDENTIFIER_MISMATCH: u32 = 70013;
/// Server code: the ticket is for another sdkappid.
pub const CODE_SDKAPPID_MISMATCH: u32 = 70014;

/// The key a ticket is checked with: a public key for v1, the secret for v2.
#[derive(Debug, Clone)]
pub enum VerifyKey {
    /// An ECDSA P-256 public key (v1 and plain-JSON tickets).
    Public(PublicKey),
    /// The app's v2 secret (v2 tickets).
    Secret(Secret),
}

/// What the ticket is expected to be for.
#[derive(Debug, Clone, Copy)]
pub struct Expect<'a> {
    /// The app.
    pub sdkappid: u32,
    /// The user.
    pub identifier: &'a str,
    /// When set, the ticket must carry exactly this userbuf (the original's `verify2user`).
    pub userbuf: Option<&'a [u8]>,
}

/// Why a ticket is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// It cannot be read (70003).
    Malformed(Malformed),
    /// It is a v2 ticket and a public key was given, or a v1 ticket and a secret (70009).
    WrongKindOfKey {
        /// The ticket's form.
        ticket: Version,
    },
    /// The signature (v1) or MAC (v2) does not verify with the key (70009).
    BadSignature {
        /// The ticket's form.
        version: Version,
        /// The sdkappid the ticket claims.
        sdkappid: u32,
        /// How many keys were tried.
        keys: usize,
    },
    /// It was made for another identifier (70013).
    IdentifierMismatch {
        /// The ticket's identifier.
        ticket: String,
        /// The identifier asked about.
        asked: String,
    },
    /// It was made for another app (70014).
    SdkAppIdMismatch {
        /// The ticket's sdkappid.
        ticket: u32,
        /// The sdkappid asked about.
        asked: u32,
    },
    /// It has expired (70001).
    Expired {
        /// What the ticket says.
        info: TicketInfo,
        /// The time it was judged at.
        now: i64,
    },
    /// It does not carry the userbuf asked for (no server code: the server does not
    /// check userbufs).
    UserbufMismatch {
        /// The ticket's userbuf, if any.
        ticket: Option<Vec<u8>>,
    },
    /// It does not carry a PrivateMapKey granting what was asked (no server code here:
    /// TRTC refuses room entry).
    MapKey(MapKeyProblem),
}

/// What a ticket's PrivateMapKey lacks (see [`check_private_map_key`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MapKeyProblem {
    /// The ticket carries no userbuf, or one that is not a PrivateMapKey.
    Missing,
    /// The map key was issued to another user.
    OtherAccount(String),
    /// The map key belongs to another app.
    OtherApp(u32),
    /// The map key grants another room.
    OtherRoom {
        /// The room the key grants.
        granted: Room,
        /// The room asked about.
        asked: Room,
    },
    /// The map key lacks these privilege bits.
    MissingBits {
        /// The bits it grants.
        granted: u32,
        /// The asked bits it does not grant.
        missing: u32,
    },
    /// The map key itself has expired (its own expiry, apart from the ticket's).
    Expired {
        /// Its expiry, Unix seconds.
        expires_at: u32,
        /// The time it was judged at.
        now: i64,
    },
}

fn room_shown(room: &Room) -> String {
    match room {
        Room::Numeric(id) => format!("room id {id}"),
        Room::Named(name) => format!("string room {name:?}"),
    }
}

/// Names of bits, joined: `enter room, send audio` (unknown bits as `bit N`).
fn bit_names(bits: u32) -> String {
    (0..u32::BITS)
        .filter(|b| bits & (1 << b) != 0)
        .map(|b| match PRIVILEGES.get(b as usize) {
            Some((_, name)) => (*name).to_string(),
            None => format!("bit {b}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl MapKeyProblem {
    fn cause(&self) -> String {
        match self {
            MapKeyProblem::Missing => {
                "the ticket carries no PrivateMapKey (its userbuf is absent or not one)".into()
            }
            MapKeyProblem::OtherAccount(account) => {
                format!("the ticket's PrivateMapKey was issued to {account:?}, not this identifier")
            }
            MapKeyProblem::OtherApp(app) => {
                format!("the ticket's PrivateMapKey is for sdkappid {app}, not this one")
            }
            MapKeyProblem::OtherRoom { granted, asked } => format!(
                "the ticket's PrivateMapKey grants {}, not {}",
                room_shown(granted),
                room_shown(asked)
            ),
            MapKeyProblem::MissingBits { granted, missing } => format!(
                "the ticket's PrivateMapKey grants privilege map {granted} but not {missing} ({})",
                bit_names(*missing)
            ),
            MapKeyProblem::Expired { expires_at, now } => format!(
                "the ticket's PrivateMapKey expired at {} ({} ago)",
                rfc3339(i64::from(*expires_at)),
                describe_span(now.saturating_sub(i64::from(*expires_at)))
            ),
        }
    }
}

/// Check that a ticket (already verified) carries a PrivateMapKey for its own user and
/// app that grants `room` and at least the bits of `privileges`, unexpired at `now` (a
/// map key is valid while `now <= expires_at`, as a ticket is). The checks run in that
/// order: present, user, app, room, bits, expiry. Returns the map key.
///
/// ```
/// use usersig::{Secret, gen_private_map_key, verify_usersig};
/// use usersig::userbuf::Room;
/// use usersig::verify::{check_private_map_key, Failure, MapKeyProblem};
/// let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")?;
/// let sig = gen_private_map_key(&secret, 1400001052, "xiaojun", 86400, 10000, 2 | 8)?;
/// let info = verify_usersig(&secret, 1400001052, "xiaojun", &sig)?;
/// let now = info.init_time;
/// assert!(check_private_map_key(&info, &Room::Numeric(10000), 2, now).is_ok());
/// let err = check_private_map_key(&info, &Room::Numeric(10000), 2 | 4, now).unwrap_err();
/// assert_eq!(err, Failure::MapKey(MapKeyProblem::MissingBits { granted: 10, missing: 4 }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_private_map_key(
    info: &TicketInfo,
    room: &Room,
    privileges: u32,
    now: i64,
) -> Result<PrivateMapKey, Failure> {
    let problem = |p| Err(Failure::MapKey(p));
    let Some(key) = info.userbuf.as_deref().and_then(PrivateMapKey::decode) else {
        return problem(MapKeyProblem::Missing);
    };
    if key.account != info.identifier {
        return problem(MapKeyProblem::OtherAccount(key.account));
    }
    if key.sdkappid != info.sdkappid {
        return problem(MapKeyProblem::OtherApp(key.sdkappid));
    }
    if key.room != *room {
        return problem(MapKeyProblem::OtherRoom {
            granted: key.room,
            asked: room.clone(),
        });
    }
    let missing = privileges & !key.privileges;
    if missing != 0 {
        return problem(MapKeyProblem::MissingBits {
            granted: key.privileges,
            missing,
        });
    }
    if now > i64::from(key.expires_at) {
        return problem(MapKeyProblem::Expired {
            expires_at: key.expires_at,
            now,
        });
    }
    Ok(key)
}

impl Failure {
    /// The server's error code for this failure (docs/FORMAT.md section 7), if there is one.
    pub fn code(&self) -> Option<u32> {
        match self {
            Failure::Malformed(_) => Some(CODE_MALFORMED),
            Failure::WrongKindOfKey { .. } | Failure::BadSignature { .. } => {
                Some(CODE_BAD_SIGNATURE)
            }
            Failure::IdentifierMismatch { .. } => Some(CODE_IDENTIFIER_MISMATCH),
            Failure::SdkAppIdMismatch { .. } => Some(CODE_SDKAPPID_MISMATCH),
            Failure::Expired { .. } => Some(CODE_EXPIRED),
            Failure::UserbufMismatch { .. } | Failure::MapKey(_) => None,
        }
    }

    /// What is wrong, in plain words.
    pub fn cause(&self) -> String {
        match self {
            Failure::Malformed(m) => format!("the ticket cannot be read: {m}"),
            Failure::WrongKindOfKey { ticket } if ticket.is_v1() => format!(
                "this is a {ticket} ticket (ECDSA), which is checked with a public key, not a v2 secret"
            ),
            Failure::WrongKindOfKey { .. } => {
                "this is a v2 ticket (HMAC-SHA256), which is checked with the app's secret, not a public key".into()
            }
            Failure::BadSignature { version, keys, .. } => {
                let (what, key) = if version.is_v1() {
                    ("signature", "public key")
                } else {
                    ("MAC", "secret")
                };
                if *keys > 1 {
                    format!("the ticket's {what} does not verify with any of the {keys} {key}s")
                } else {
                    format!("the ticket's {what} does not verify with this {key}")
                }
            }
            Failure::IdentifierMismatch { ticket, asked } => {
                format!("the ticket was made for identifier {ticket:?}, not {asked:?}")
            }
            Failure::SdkAppIdMismatch { ticket, asked } => {
                format!("the ticket was made for sdkappid {ticket}, not {asked}")
            }
            Failure::Expired { info, now } => format!(
                "the ticket expired at {} ({} ago; issued {} for {} s)",
                rfc3339(info.expires_at()),
                describe_span(now.saturating_sub(info.expires_at())),
                rfc3339(info.init_time),
                info.expire
            ),
            Failure::UserbufMismatch { ticket: None } => {
                "the ticket carries no userbuf, but one was given to check".into()
            }
            Failure::UserbufMismatch { ticket: Some(_) } => {
                "the ticket's userbuf is not the one given".into()
            }
            Failure::MapKey(p) => p.cause(),
        }
    }

    /// The likely fix, in the library's terms (a front end may add how to do it with
    /// its own commands).
    pub fn fix(&self) -> String {
        match self {
            Failure::Malformed(m) => m.fix().unwrap_or(
                "pass the ticket exactly as it was generated; it may have been cut short or altered",
            ).into(),
            Failure::WrongKindOfKey { ticket } if ticket.is_v1() => {
                "verify it with the app's public key".into()
            }
            Failure::WrongKindOfKey { .. } => {
                "verify it with the secret".into()
            }
            Failure::BadSignature { version, .. } if version.is_v1() => "it was made with another key pair, or altered; check that this public key belongs to the private key that made it".into(),
            Failure::BadSignature { sdkappid, .. } => format!(
                "it was made with another secret, perhaps another app's, or altered; use the secret of sdkappid {sdkappid} from the console"
            ),
            Failure::IdentifierMismatch { asked, .. } => {
                format!("check the identifier, or generate a ticket for {asked:?}")
            }
            Failure::SdkAppIdMismatch { .. } => {
                "check the sdkappid, or generate a ticket with this app's key".into()
            }
            Failure::Expired { .. } => "generate a new ticket".into(),
            Failure::UserbufMismatch { .. } => {
                "check the userbuf, or verify without one".into()
            }
            Failure::MapKey(_) => {
                "issue a new PrivateMapKey for this user, room and privileges".into()
            }
        }
    }
}

/// One line: the cause, the server code, and the likely fix.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code() {
            Some(code) => write!(f, "{} (server code {code}); {}", self.cause(), self.fix()),
            None => write!(f, "{} (no server code); {}", self.cause(), self.fix()),
        }
    }
}

/// A ticket that cannot be read has its reason as the source.
impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Failure::Malformed(m) => Some(m),
            _ => None,
        }
    }
}

impl From<Malformed> for Failure {
    fn from(m: Malformed) -> Self {
        Failure::Malformed(m)
    }
}

/// Check a ticket's signature or MAC over its own values with any of `keys`, and return
/// the index of the first key it verifies with.
pub fn authenticate(ticket: &Ticket, keys: &[VerifyKey]) -> Result<usize, Failure> {
    authenticate_with(ticket, keys, &mut v1::signature_verifies)
}

/// A v1 signature's verdict: [`v1::signature_verifies`] or a batch's tables.
type V1Verifier<'a> = dyn FnMut(&PublicKey, &[u8], &[u8]) -> bool + 'a;

/// [`authenticate`], with `v1` checking v1 signatures.
fn authenticate_with(
    ticket: &Ticket,
    keys: &[VerifyKey],
    v1: &mut V1Verifier<'_>,
) -> Result<usize, Failure> {
    let version = ticket.info.version;
    let mut tried = 0;
    for (i, key) in keys.iter().enumerate() {
        let ok = match (key, version.is_v1()) {
            (VerifyKey::Public(pk), true) => v1(pk, &ticket.signed_content, &ticket.signature),
            (VerifyKey::Secret(s), false) => {
                v2::mac_verifies(s, &ticket.signed_content, &ticket.signature)
            }
            _ => continue,
        };
        if ok {
            return Ok(i);
        }
        tried += 1;
    }
    if tried == 0 {
        return Err(Failure::WrongKindOfKey { ticket: version });
    }
    Err(Failure::BadSignature {
        version,
        sdkappid: ticket.info.sdkappid,
        keys: tried,
    })
}

/// Judge a parsed ticket at time `now` with one key: authenticity, identifier, sdkappid,
/// expiry, then the userbuf when one is expected.
pub fn judge(
    ticket: &Ticket,
    key: &VerifyKey,
    expect: &Expect<'_>,
    now: i64,
) -> Result<(), Failure> {
    judge_any(ticket, std::slice::from_ref(key), expect, now).map(|_| ())
}

/// As [`judge`], with several keys (ops rotating keys check old tickets against old and
/// new ones): returns the index of the key the ticket verifies with.
pub fn judge_any(
    ticket: &Ticket,
    keys: &[VerifyKey],
    expect: &Expect<'_>,
    now: i64,
) -> Result<usize, Failure> {
    judge_any_with(ticket, keys, expect, now, &mut v1::signature_verifies)
}

/// [`judge_any`], with `v1` checking v1 signatures.
fn judge_any_with(
    ticket: &Ticket,
    keys: &[VerifyKey],
    expect: &Expect<'_>,
    now: i64,
    v1: &mut V1Verifier<'_>,
) -> Result<usize, Failure> {
    let matched = authenticate_with(ticket, keys, v1)?;
    let info = &ticket.info;
    if info.identifier != expect.identifier {
        return Err(Failure::IdentifierMismatch {
            ticket: info.identifier.clone(),
            asked: expect.identifier.to_owned(),
        });
    }
    if info.sdkappid != expect.sdkappid {
        return Err(Failure::SdkAppIdMismatch {
            ticket: info.sdkappid,
            asked: expect.sdkappid,
        });
    }
    if now > info.expires_at() {
        return Err(Failure::Expired {
            info: info.clone(),
            now,
        });
    }
    if let Some(want) = expect.userbuf
        && info.userbuf.as_deref() != Some(want)
    {
        return Err(Failure::UserbufMismatch {
            ticket: info.userbuf.clone(),
        });
    }
    Ok(matched)
}

/// Everything known after checking one ticket: what it says (when it could be read at
/// all), the verdict (with the index of the key that matched), and when it was judged.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The ticket's claims; `None` when it could not be parsed.
    pub info: Option<TicketInfo>,
    /// The index of the key it verified with, or why it is not valid.
    pub verdict: Result<usize, Failure>,
    /// The time it was judged at, Unix seconds.
    pub now: i64,
}

impl Checked {
    /// Seconds from the judging time to the last valid second (negative once expired).
    pub fn remaining(&self) -> Option<i64> {
        self.info
            .as_ref()
            .map(|i| i.expires_at().saturating_sub(self.now))
    }
}

/// Check ticket text (a stored ticket's bytes) with any of `keys`, as of `clock.now()`,
/// keeping what the ticket says even when it is not valid.
pub fn check(bytes: &[u8], keys: &[VerifyKey], expect: &Expect<'_>, clock: &dyn Clock) -> Checked {
    match std::str::from_utf8(bytes) {
        Ok(text) => check_text(text, keys, expect, clock),
        Err(_) => Checked {
            info: None,
            verdict: Err(Failure::Malformed(Malformed::NotText)),
            now: clock.now(),
        },
    }
}

/// [`check`] for ticket text already known to be UTF-8 (a line of a batch).
pub fn check_text(
    text: &str,
    keys: &[VerifyKey],
    expect: &Expect<'_>,
    clock: &dyn Clock,
) -> Checked {
    let now = clock.now();
    checked(
        ticket::parse(text, clock),
        keys,
        expect,
        now,
        &mut v1::signature_verifies,
    )
}

/// Checks many tickets (a batch's: a clone a thread), with a [`BatchReader`] that owns
/// the buffers and caches and the fast twins of the general path: each verdict is
/// [`check_text`]'s. Once ring has checked a few hundred v1 signatures under a public
/// key, a table of the key's multiples (1.5 MiB a key, for up to four keys, shared by
/// the clones) checks the rest: one at a time ([`Self::check_text`]) about 2.4 times as
/// fast as ring, a chunk at a time ([`Self::check_chunk`]) about 7 times (on a 2-core
/// Xeon; docs/PERFORMANCE.md).
///
/// ```
/// use usersig::{PrivateKey, Secret, clock::FixedClock, issue::TicketRequest,
///     verify::{BatchVerifier, Expect, VerifyKey}};
/// let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")?;
/// let clock = FixedClock::at(1_795_675_257);
/// let keys = [VerifyKey::Secret(secret.clone())];
/// let mut verifier = BatchVerifier::new();
/// for id in ["alice", "bob"] {
///     let ticket = TicketRequest::new(1400001052, id)?.sign_v2(&secret, &clock)?;
///     let expect = Expect { sdkappid: 1400001052, identifier: id, userbuf: None };
///     assert!(verifier.check_text(&ticket, &keys, &expect, &clock).verdict.is_ok());
/// }
/// // A chunk of v1 tickets under one key, checked together.
/// let key = PrivateKey::generate()?;
/// let ids: Vec<String> = (0..600).map(|i| format!("user{i}")).collect();
/// let tickets = ids.iter()
///     .map(|id| TicketRequest::new(1400001052, id)?.sign_v1(&key, &clock))
///     .collect::<Result<Vec<_>, _>>()?;
/// let items: Vec<_> = ids.iter().zip(&tickets)
///     .map(|(id, t)| (t.as_str(), Expect { sdkappid: 1400001052, identifier: id, userbuf: None }))
///     .collect();
/// let mut checked = Vec::new();
/// for chunk in items.chunks(512) {
///     verifier.check_chunk(chunk, &[VerifyKey::Public(key.public_key())], &clock, &mut checked);
/// }
/// assert!(checked.iter().all(|c| c.verdict.is_ok()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct BatchVerifier {
    reader: BatchReader,
    tables: KeyTables,
}

/// A clone has buffers of its own but shares the key tables: give each thread checking
/// a batch a clone, and each table is built once for them all.
impl Clone for BatchVerifier {
    fn clone(&self) -> BatchVerifier {
        BatchVerifier {
            reader: BatchReader::default(),
            tables: self.tables.clone(),
        }
    }
}

impl BatchVerifier {
    /// A verifier with empty buffers.
    pub fn new() -> BatchVerifier {
        BatchVerifier::default()
    }

    /// [`check_text`], through this verifier's reader.
    pub fn check_text(
        &mut self,
        text: &str,
        keys: &[VerifyKey],
        expect: &Expect<'_>,
        clock: &dyn Clock,
    ) -> Checked {
        let now = clock.now();
        let tables = &mut self.tables;
        checked(
            self.reader.parse(text, clock),
            keys,
            expect,
            now,
            &mut |key, content, der| tables.verify_der(key, content, der),
        )
    }

    /// [`check_text`] of each `(text, expect)` of `items`, appended to `out` in order:
    /// the v1 signatures under each key are verified together (by the key's table once
    /// it has one, their sums added up at once), each ticket under a key only if no key
    /// before it verified it, as [`check_text`] tries them.
    pub fn check_chunk(
        &mut self,
        items: &[(&str, Expect<'_>)],
        keys: &[VerifyKey],
        clock: &dyn Clock,
        out: &mut Vec<Checked>,
    ) {
        let now = clock.now();
        let parsed: Vec<Result<Ticket, Malformed>> = items
            .iter()
            .map(|(text, _)| self.reader.parse(text, clock))
            .collect();
        // For each v1 ticket, the place among the public keys of the first that
        // verifies it.
        let mut verified_by = vec![None; parsed.len()];
        let mut pending: Vec<usize> = (0..parsed.len())
            .filter(|&i| matches!(&parsed[i], Ok(t) if t.info.version.is_v1()))
            .collect();
        let mut verdicts = Vec::with_capacity(pending.len());
        let public = keys.iter().filter_map(|k| match k {
            VerifyKey::Public(key) => Some(key),
            VerifyKey::Secret(_) => None,
        });
        for (place, key) in public.enumerate() {
            if pending.is_empty() {
                break;
            }
            let signed: Vec<(&[u8], &[u8])> = pending
                .iter()
                .filter_map(|&i| parsed[i].as_ref().ok())
                .map(|t| (&t.signed_content[..], &t.signature[..]))
                .collect();
            verdicts.clear();
            self.tables.verify_many(key, &signed, &mut verdicts);
            let mut verdict = verdicts.iter();
            pending.retain(|&i| {
                let verifies = verdict.next() == Some(&true);
                if verifies {
                    verified_by[i] = Some(place);
                }
                !verifies
            });
        }
        for ((ticket, (_, expect)), verified_by) in parsed.into_iter().zip(items).zip(verified_by) {
            // The answers found above, in the order check_text asks for them.
            let mut place = 0;
            let mut v1 = |_: &PublicKey, _: &[u8], _: &[u8]| {
                let verifies = verified_by == Some(place);
                place += 1;
                verifies
            };
            out.push(checked(ticket, keys, expect, now, &mut v1));
        }
    }
}

/// The [`Checked`] of a ticket parsed (or not) and judged at `now`.
fn checked(
    parsed: Result<Ticket, Malformed>,
    keys: &[VerifyKey],
    expect: &Expect<'_>,
    now: i64,
    v1: &mut V1Verifier<'_>,
) -> Checked {
    match parsed {
        Ok(ticket) => Checked {
            verdict: judge_any_with(&ticket, keys, expect, now, v1),
            info: Some(ticket.info),
            now,
        },
        Err(m) => Checked {
            info: None,
            verdict: Err(Failure::Malformed(m)),
            now,
        },
    }
}

/// Verify ticket text of any form with `key`, as of `clock.now()`.
///
/// ```
/// use usersig::{Secret, clock::FixedClock, verify::{self, Expect, VerifyKey, Failure}};
/// let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e").unwrap();
/// let text = "eAGrVgrxCdYrSy1SslIy0jNQ0gHzi1OyEwsKMlOUrAxNDIDA0MDUCCKTmZKaV5KZlgnWUJGZmJ9VmgfVVJKZmwrUYG5pamZuamRqDtGQWlGQWQQSNzU1NQIaBbUgMx1oYWhOQZZfqquLWZS*eXGZhU9VoVe2RbFjuptpWLmft6V7Yrq*V0ieeWBWZr6tUi0AgEUyVQ__";
/// let key = VerifyKey::Secret(secret);
/// let expect = Expect { sdkappid: 1400001052, identifier: "xiaojun", userbuf: None };
/// let info = verify::verify(text, &key, &expect, &FixedClock::at(1795678857)).unwrap();
/// assert_eq!((info.init_time, info.expire), (1795675257, 15552000));
/// let other = Expect { identifier: "someone", ..expect };
/// let err = verify::verify(text, &key, &other, &FixedClock::at(1795678857)).unwrap_err();
/// assert_eq!(err.code(), Some(70013));
/// ```
pub fn verify(
    text: &str,
    key: &VerifyKey,
    expect: &Expect<'_>,
    clock: &dyn Clock,
) -> Result<TicketInfo, Failure> {
    let ticket = ticket::parse(text, clock)?;
    judge(&ticket, key, expect, clock.now())?;
    Ok(ticket.info)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod batch_tests;
