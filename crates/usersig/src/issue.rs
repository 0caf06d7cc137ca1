//! Making tickets: the request, the rules its arguments must follow, and signing.

use std::fmt;
use std::time::Duration;

use crate::Secret;
use crate::clock::Clock;
use crate::deflate::{Effort, SharedCode};
use crate::keys::{KeyError, PrivateKey};
use crate::ticket::envelope::MAX_TICKET_BYTES;
use crate::ticket::fields::first_control_character;
use crate::ticket::{Claims, envelope, v1, v2};

/// The validity the original gives when none is asked for: 180 days.
pub const DEFAULT_EXPIRE: u32 = 15_552_000;
/// The longest validity Tencent documents: 50 years of 365 days.
pub const MAX_EXPIRE: u32 = 1_576_800_000;
/// The longest identifier Tencent's SDK accepts, in bytes.
pub const MAX_IDENTIFIER_BYTES: usize = 32;
/// The longest string room id of a PrivateMapKey, in bytes (TRTC's limit).
pub const MAX_ROOM_STR_BYTES: usize = 64;

/// An argument that breaks a rule. `Display` names the rule and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArgError {
    /// The sdkappid is not a decimal number from 1 to 4294967295.
    SdkAppId(String),
    /// The expiry is not a decimal count of seconds from 1 to [`MAX_EXPIRE`].
    Expire(String),
    /// The validity is not a whole number of seconds from 1 to [`MAX_EXPIRE`].
    Ttl(Duration),
    /// The identifier is empty.
    IdentifierEmpty,
    /// The identifier is longer than [`MAX_IDENTIFIER_BYTES`].
    IdentifierTooLong(usize),
    /// The identifier has a byte outside printable ASCII, at this offset.
    IdentifierNotPrintable(usize),
    /// The identifier holds a control character (at this byte offset), which no flag
    /// allows: in a v1 ticket it could splice signed lines.
    IdentifierControl {
        /// The character.
        ch: char,
        /// Its byte offset.
        at: usize,
    },
    /// The ticket would be this many bytes (its JSON or its text), more than
    /// [`MAX_TICKET_BYTES`], so no verifier here would read it: the userbuf (or an
    /// identifier allowed by [`TicketRequest::any_identifier`]) is too large.
    TicketTooLarge(usize),
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgError::SdkAppId(given) => write!(
                f,
                "sdkappid {given:?} is not a decimal number from 1 to 4294967295 (the app's SDKAppID in the console)"
            ),
            ArgError::Expire(given) => write!(
                f,
                "expire {given:?} is not a duration from 1 second to 50 years ({MAX_EXPIRE} s, Tencent's maximum): use seconds (86400) or a unit (90d, 12h, 1y)"
            ),
            ArgError::Ttl(ttl) => write!(
                f,
                "the validity {ttl:?} is not a whole number of seconds from 1 second to 50 years ({MAX_EXPIRE} s, Tencent's maximum): a ticket holds whole seconds"
            ),
            ArgError::IdentifierEmpty => write!(f, "the identifier is empty"),
            ArgError::IdentifierTooLong(n) => write!(
                f,
                "the identifier is {n} bytes; Tencent's SDK allows at most {MAX_IDENTIFIER_BYTES}"
            ),
            ArgError::IdentifierControl { ch, at } => write!(
                f,
                "the identifier holds a control character (U+{:04X} at offset {at}), which would make a ticket that can be re-read as another user's; no option allows it: use printable ASCII, as Tencent's SDK requires",
                u32::from(*ch)
            ),
            ArgError::IdentifierNotPrintable(at) => write!(
                f,
                "the identifier has a byte that is not printable ASCII at offset {at}; Tencent's SDK requires printable ASCII"
            ),
            ArgError::TicketTooLarge(bytes) => write!(
                f,
                "the ticket would be {bytes} bytes, more than the {MAX_TICKET_BYTES} a verifier reads: make the userbuf (or the identifier) smaller"
            ),
        }
    }
}

impl std::error::Error for ArgError {}

/// Why a ticket cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The sdkappid, identifier, expire or userbuf breaks a rule.
    Argument(ArgError),
    /// The string room id is empty, longer than [`MAX_ROOM_STR_BYTES`], or has a byte
    /// outside printable ASCII (at this offset).
    RoomStr {
        /// The length in bytes.
        len: usize,
        /// The offset of the first byte that is not printable ASCII, if any.
        bad_byte_at: Option<usize>,
    },
    /// The PrivateMapKey's expiry (now + expire) does not fit the layout's four bytes
    /// (after 2106-02-07).
    MapKeyExpiryTooLate,
    /// The v1 key could not sign: the operating system's random number generator failed
    /// ([`KeyError::NoRandomnessToSign`]). Nothing was made.
    Signing(KeyError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Argument(e) => e.fmt(f),
            Error::RoomStr { len: 0, .. } => write!(
                f,
                "the string room id is empty; give 1 to {MAX_ROOM_STR_BYTES} bytes of printable ASCII"
            ),
            Error::RoomStr {
                bad_byte_at: Some(at),
                ..
            } => write!(
                f,
                "the string room id has a byte that is not printable ASCII at offset {at}; give 1 to {MAX_ROOM_STR_BYTES} bytes of printable ASCII"
            ),
            Error::RoomStr { len, .. } => write!(
                f,
                "the string room id is {len} bytes; give 1 to {MAX_ROOM_STR_BYTES} bytes of printable ASCII"
            ),
            Error::MapKeyExpiryTooLate => write!(
                f,
                "the PrivateMapKey would expire after 2106-02-07, which its four-byte expiry cannot hold; give a shorter expire"
            ),
            Error::Signing(e) => e.fmt(f),
        }
    }
}

/// The argument broken, or the signing failure.
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Argument(e) => Some(e),
            Error::Signing(e) => Some(e),
            Error::RoomStr { .. } | Error::MapKeyExpiryTooLate => None,
        }
    }
}

impl From<ArgError> for Error {
    fn from(e: ArgError) -> Self {
        Error::Argument(e)
    }
}

impl From<KeyError> for Error {
    fn from(e: KeyError) -> Self {
        Error::Signing(e)
    }
}

impl ArgError {
    /// Whether the rule broken is Tencent's SDK identifier rule (length, printable
    /// ASCII), which [`TicketRequest::any_identifier`] lets a caller set aside; a control
    /// character never can be.
    pub fn is_sdk_identifier_rule(&self) -> bool {
        matches!(
            self,
            ArgError::IdentifierTooLong(_) | ArgError::IdentifierNotPrintable(_)
        )
    }

    /// The error for an expiry given as `text` that is not one from 1 second to
    /// [`MAX_EXPIRE`] (the text shown back cut to 40 characters).
    pub fn bad_expire(text: &str) -> ArgError {
        ArgError::Expire(shorten(text))
    }
}

/// Parse an sdkappid: decimal digits only, 1 to 4294967295 (never `atoi`'s silent 0).
///
/// ```
/// use usersig::issue::parse_sdkappid;
/// assert_eq!(parse_sdkappid("1400001052"), Ok(1400001052));
/// assert!(parse_sdkappid("abc").is_err());
/// assert!(parse_sdkappid("0").is_err());
/// assert!(parse_sdkappid("4294967296").is_err());
/// ```
pub fn parse_sdkappid(text: &str) -> Result<u32, ArgError> {
    match decimal_u32(text) {
        Some(n) if n > 0 => Ok(n),
        _ => Err(ArgError::SdkAppId(shorten(text))),
    }
}

/// Check an expiry in seconds against 1 to [`MAX_EXPIRE`].
pub fn check_expire(seconds: u32) -> Result<u32, ArgError> {
    if (1..=MAX_EXPIRE).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(ArgError::Expire(seconds.to_string()))
    }
}

/// A validity as the whole seconds a ticket holds: 1 second to [`MAX_EXPIRE`], and no
/// fraction of a second (refused rather than rounded, so a ticket is never valid for
/// other than what was asked).
///
/// ```
/// use std::time::Duration;
/// use usersig::issue::check_ttl;
/// assert_eq!(check_ttl(Duration::from_secs(86400)), Ok(86400));
/// assert!(check_ttl(Duration::ZERO).is_err());
/// assert!(check_ttl(Duration::from_millis(1500)).is_err());
/// assert!(check_ttl(Duration::from_secs(1_576_800_001)).is_err());
/// ```
pub fn check_ttl(ttl: Duration) -> Result<u32, ArgError> {
    match u32::try_from(ttl.as_secs()) {
        Ok(seconds) if ttl.subsec_nanos() == 0 && (1..=MAX_EXPIRE).contains(&seconds) => {
            Ok(seconds)
        }
        _ => Err(ArgError::Ttl(ttl)),
    }
}

/// Check an identifier against Tencent's SDK rule: 1 to 32 bytes of printable ASCII
/// (space to `~`). A control character is reported as [`ArgError::IdentifierControl`],
/// which [`TicketRequest::any_identifier`] refuses too.
pub fn check_identifier(identifier: &str) -> Result<(), ArgError> {
    // Nearly every identifier passes, which one pass over its bytes tells.
    if (1..=MAX_IDENTIFIER_BYTES).contains(&identifier.len()) && is_printable_ascii(identifier) {
        return Ok(());
    }
    if identifier.is_empty() {
        return Err(ArgError::IdentifierEmpty);
    }
    control_character(identifier)?;
    if let Some(at) = identifier.bytes().position(|b| !(b' '..=b'~').contains(&b)) {
        return Err(ArgError::IdentifierNotPrintable(at));
    }
    if identifier.len() > MAX_IDENTIFIER_BYTES {
        return Err(ArgError::IdentifierTooLong(identifier.len()));
    }
    Ok(())
}

/// Whether every byte is printable ASCII (space to `~`), so no control character.
fn is_printable_ascii(text: &str) -> bool {
    text.bytes().all(|b| (b' '..=b'~').contains(&b))
}

/// Refuse a control character (C0, DEL, C1) in an identifier, whatever else is allowed.
fn control_character(identifier: &str) -> Result<(), ArgError> {
    if is_printable_ascii(identifier) {
        return Ok(());
    }
    match first_control_character(identifier) {
        Some((at, ch)) => Err(ArgError::IdentifierControl { ch, at }),
        None => Ok(()),
    }
}

fn decimal_u32(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// An argument as shown back in a message: at most 40 characters.
fn shorten(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

/// What a new ticket says: app, user, validity and optional user bytes.
///
/// ```
/// use usersig::{Secret, clock::FixedClock, issue::TicketRequest};
/// let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e").unwrap();
/// let req = TicketRequest::new(1400001052, "xiaojun").unwrap();
/// let ticket = req.sign_v2(&secret, &FixedClock::at(1795675257)).unwrap();
/// // Inside, byte for byte the JSON the C++ original's gen2 made at this second:
/// let cpp = "eAGrVgrxCdYrSy1SslIy0jNQ0gHzi1OyEwsKMlOUrAxNDIDA0MDUCCKTmZKaV5KZlgnWUJGZmJ9VmgfVVJKZmwrUYG5pamZuamRqDtGQWlGQWQQSNzU1NQIaBbUgMx1oYWhOQZZfqquLWZS*eXGZhU9VoVe2RbFjuptpWLmft6V7Yrq*V0ieeWBWZr6tUi0AgEUyVQ__";
/// use usersig::ticket::envelope::decode;
/// assert_eq!(decode(&ticket).unwrap(), decode(cpp).unwrap());
/// assert!(TicketRequest::new(1400001052, "").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRequest {
    sdkappid: u32,
    identifier: String,
    expire: u32,
    userbuf: Option<Vec<u8>>,
}

impl TicketRequest {
    /// A request for `identifier` of app `sdkappid`, valid for [`DEFAULT_EXPIRE`].
    /// The identifier must follow [`check_identifier`].
    pub fn new(sdkappid: u32, identifier: &str) -> Result<TicketRequest, ArgError> {
        check_identifier(identifier)?;
        TicketRequest::any_identifier(sdkappid, identifier)
    }

    /// As [`TicketRequest::new`], but any non-empty identifier without a control
    /// character is accepted (it is escaped properly in the JSON). A control character
    /// is refused even here: a line feed in a v1 identifier can carry a line of another
    /// field of the signed content, so the ticket could be re-read as another user's, and
    /// verifiers refuse such tickets.
    pub fn any_identifier(sdkappid: u32, identifier: &str) -> Result<TicketRequest, ArgError> {
        if sdkappid == 0 {
            return Err(ArgError::SdkAppId("0".into()));
        }
        if identifier.is_empty() {
            return Err(ArgError::IdentifierEmpty);
        }
        control_character(identifier)?;
        Ok(TicketRequest {
            sdkappid,
            identifier: identifier.to_owned(),
            expire: DEFAULT_EXPIRE,
            userbuf: None,
        })
    }

    /// Set the validity in seconds (1 to [`MAX_EXPIRE`]).
    pub fn with_expire(mut self, seconds: u32) -> Result<TicketRequest, ArgError> {
        self.expire = check_expire(seconds)?;
        Ok(self)
    }

    /// Carry these bytes in `TLS.userbuf`.
    pub fn with_userbuf(mut self, userbuf: &[u8]) -> TicketRequest {
        self.userbuf = Some(userbuf.to_vec());
        self
    }

    /// The app.
    pub fn sdkappid(&self) -> u32 {
        self.sdkappid
    }
    /// The user.
    pub fn identifier(&self) -> &str {
        &self.identifier
    }
    /// The validity in seconds.
    pub fn expire(&self) -> u32 {
        self.expire
    }
    /// The user bytes, if any.
    pub fn userbuf(&self) -> Option<&[u8]> {
        self.userbuf.as_deref()
    }

    /// The plain values the ticket is built from.
    pub fn claims(&self) -> Claims<'_> {
        Claims {
            sdkappid: self.sdkappid,
            identifier: &self.identifier,
            expire: self.expire,
            userbuf: self.userbuf.as_deref(),
        }
    }

    /// The JSON of a v1 ticket issued at `time`, signed with `key` ([`Error::Signing`]
    /// when the operating system's random number generator fails).
    pub fn v1_json(&self, key: &PrivateKey, time: i64) -> Result<String, Error> {
        Ok(v1::ticket_json(key, &self.claims(), time)?)
    }

    /// The JSON of a v2 ticket issued at `time`, MACed with `secret`.
    pub fn v2_json(&self, secret: &Secret, time: i64) -> String {
        v2::ticket_json(secret, &self.claims(), time)
    }

    /// A v1 ticket (ECDSA P-256), issued now by `clock`. Fails when the operating
    /// system's random number generator does ([`Error::Signing`]), or when the ticket
    /// would be larger than a verifier reads ([`ArgError::TicketTooLarge`]).
    pub fn sign_v1(&self, key: &PrivateKey, clock: &dyn Clock) -> Result<String, Error> {
        Ok(enveloped(self.v1_json(key, clock.now())?.as_bytes())?)
    }

    /// A v2 ticket (HMAC-SHA256), issued now by `clock`. Fails only when the ticket
    /// would be larger than a verifier reads ([`ArgError::TicketTooLarge`]).
    pub fn sign_v2(&self, secret: &Secret, clock: &dyn Clock) -> Result<String, Error> {
        Ok(enveloped(self.v2_json(secret, clock.now()).as_bytes())?)
    }
}

/// Refuse a ticket of `len` bytes (its JSON, or its text) that is larger than the
/// verifier reads ([`MAX_TICKET_BYTES`]): every ticket made here verifies here.
fn fits(len: usize) -> Result<(), ArgError> {
    match len > MAX_TICKET_BYTES {
        true => Err(ArgError::TicketTooLarge(len)),
        false => Ok(()),
    }
}

/// The ticket text of `json`, when both fit ([`fits`]).
fn enveloped(json: &[u8]) -> Result<String, ArgError> {
    fits(json.len())?;
    let text = envelope::encode(json);
    fits(text.len())?;
    Ok(text)
}

/// Tickets for many identifiers that share everything else: one app, one validity, one
/// issue time and one key (a batch). What they share, the signed content and the JSON
/// around the identifier, is laid out once; each ticket then costs its MAC or signature,
/// the compression and the base64, written straight onto the caller's buffer.
///
/// At the default [`Effort::Smallest`], each v2 ticket is byte for byte what
/// [`TicketRequest::sign_v2`] makes for the same values, and each v1 ticket holds the JSON
/// [`TicketRequest::sign_v1`] makes, with its own signature (ECDSA signatures are random);
/// at [`Effort::Fast`] or with [`TicketBatch::with_shared_code`] the same JSON sits in a
/// different zlib stream. Each identifier is checked
/// as [`TicketRequest::new`] (or, after [`TicketBatch::allowing_any_identifier`],
/// [`TicketRequest::any_identifier`]) checks it.
///
/// ```
/// use usersig::{Secret, clock::FixedClock, issue::{TicketBatch, TicketRequest}};
/// let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")?;
/// let batch = TicketBatch::v2(&secret, 1400001052, 86400, 1795675257)?;
/// let mut out = Vec::new();
/// batch.push_ticket("xiaojun", &mut out)?;
/// let one = TicketRequest::new(1400001052, "xiaojun")?.with_expire(86400)?
///     .sign_v2(&secret, &FixedClock::at(1795675257))?;
/// assert_eq!(out, one.as_bytes());
/// assert!(batch.push_ticket("", &mut out).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct TicketBatch<'k> {
    signer: BatchSigner<'k>,
    any_identifier: bool,
    effort: Effort,
    shared: Option<Box<SharedCode>>,
}

#[derive(Debug, Clone)]
enum BatchSigner<'k> {
    V1(&'k PrivateKey, v1::Layout),
    V2(&'k Secret, v2::Layout),
}

impl<'k> TicketBatch<'k> {
    /// v1 tickets (ECDSA P-256) of `sdkappid`, valid for `expire` seconds (1 to
    /// [`MAX_EXPIRE`]), issued at `time`, signed with `key`.
    pub fn v1(
        key: &'k PrivateKey,
        sdkappid: u32,
        expire: u32,
        time: i64,
    ) -> Result<TicketBatch<'k>, ArgError> {
        check_batch(sdkappid, expire)?;
        Ok(TicketBatch::signed_by(BatchSigner::V1(
            key,
            v1::Layout::new(sdkappid, time, expire, None),
        )))
    }

    /// v2 tickets (HMAC-SHA256) of `sdkappid`, valid for `expire` seconds (1 to
    /// [`MAX_EXPIRE`]), issued at `time`, MACed with `secret`.
    pub fn v2(
        secret: &'k Secret,
        sdkappid: u32,
        expire: u32,
        time: i64,
    ) -> Result<TicketBatch<'k>, ArgError> {
        check_batch(sdkappid, expire)?;
        Ok(TicketBatch::signed_by(BatchSigner::V2(
            secret,
            v2::Layout::new(sdkappid, time, expire, None),
        )))
    }

    /// A batch of `signer`'s tickets, with every option at its default.
    fn signed_by(signer: BatchSigner<'k>) -> TicketBatch<'k> {
        TicketBatch {
            signer,
            any_identifier: false,
            effort: Effort::Smallest,
            shared: None,
        }
    }

    /// Accept any identifier [`TicketRequest::any_identifier`] accepts (non-empty, no
    /// control character), not only Tencent's SDK rule.
    pub fn allowing_any_identifier(mut self) -> TicketBatch<'k> {
        self.any_identifier = true;
        self
    }

    /// Compress the tickets with `effort` ([`Effort::Smallest`] unless set): at
    /// [`Effort::Fast`], a v2 ticket costs well under half as much to make and is a few
    /// bytes larger (the same ticket, in a different zlib stream).
    pub fn with_effort(mut self, effort: Effort) -> TicketBatch<'k> {
        self.effort = effort;
        self.shared = None;
        self
    }

    /// Compress every ticket in one Huffman code made for this batch
    /// ([`SharedCode`]), from 64 sample tickets with made-up identifiers of 1 to 32
    /// characters: on ticket JSON within 1% of what [`Effort::Smallest`] makes (both
    /// some 2-3% smaller than zlib's default level), for a third (v2) to half (v1) of
    /// its work. A
    /// ticket the code does not suit (an identifier of other characters, or longer) is
    /// compressed as [`Effort::Smallest`] would. The same tickets, in a different zlib
    /// stream; this replaces any [`TicketBatch::with_effort`].
    pub fn with_shared_code(mut self) -> TicketBatch<'k> {
        const ID: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut samples = Vec::with_capacity(SHARED_SAMPLES);
        let mut identifier = String::with_capacity(MAX_IDENTIFIER_BYTES);
        let mut content = Vec::new();
        for k in 0..SHARED_SAMPLES {
            identifier.clear();
            for _ in 0..=k % MAX_IDENTIFIER_BYTES {
                // xorshift64: the same identifiers every time.
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                identifier.push(char::from(ID[(seed % ID.len() as u64) as usize]));
            }
            let mut json = Vec::with_capacity(256);
            match &self.signer {
                BatchSigner::V1(key, layout) => {
                    // With no randomness to sign a sample there is no code to make: each
                    // ticket will say that it cannot be signed.
                    if layout
                        .push_json(key, &identifier, &mut content, &mut json)
                        .is_err()
                    {
                        self.shared = None;
                        return self;
                    }
                }
                BatchSigner::V2(secret, layout) => layout.push_json(secret, &identifier, &mut json),
            }
            samples.push(json);
        }
        self.shared = SharedCode::train(samples.iter().map(Vec::as_slice)).map(Box::new);
        self
    }

    /// Append the ticket text for `identifier` to `out`. If the identifier breaks a
    /// rule (the ticket too large among them), or the operating system's random number
    /// generator fails ([`Error::Signing`], v1), `out` is left as it was and that is the
    /// error.
    pub fn push_ticket(&self, identifier: &str, out: &mut Vec<u8>) -> Result<(), Error> {
        if self.any_identifier {
            if identifier.is_empty() {
                return Err(ArgError::IdentifierEmpty.into());
            }
            control_character(identifier)?;
        } else {
            check_identifier(identifier)?;
        }
        let from = out.len();
        match &self.signer {
            BatchSigner::V1(key, layout) => {
                let mut content = Vec::with_capacity(160 + identifier.len());
                layout.push_json(key, identifier, &mut content, out)?;
            }
            BatchSigner::V2(secret, layout) => {
                out.reserve(layout.json_len(identifier));
                layout.push_json(secret, identifier, out);
            }
        }
        let fit = |out: &mut Vec<u8>| {
            let made = fits(out.len() - from);
            if made.is_err() {
                out.truncate(from);
            }
            made
        };
        fit(out)?;
        match &self.shared {
            Some(code) => {
                let compressed = code.zlib(&out[from..]);
                out.truncate(from);
                envelope::push_text(out, &compressed);
            }
            None => envelope::encode_in_place(out, from, self.effort),
        }
        Ok(fit(out)?)
    }

    /// The ticket text for `identifier` ([`TicketBatch::push_ticket`] into a new string).
    pub fn ticket(&self, identifier: &str) -> Result<String, Error> {
        let mut out = Vec::with_capacity(256);
        self.push_ticket(identifier, &mut out)?;
        // Ticket text is ASCII.
        Ok(String::from_utf8(out).unwrap_or_default())
    }
}

/// How many sample tickets [`TicketBatch::with_shared_code`] learns its code from.
const SHARED_SAMPLES: usize = 64;

/// The checks [`TicketRequest`] makes of what a batch's tickets share.
fn check_batch(sdkappid: u32, expire: u32) -> Result<(), ArgError> {
    if sdkappid == 0 {
        return Err(ArgError::SdkAppId("0".into()));
    }
    check_expire(expire).map(drop)
}

#[cfg(test)]
mod tests;
