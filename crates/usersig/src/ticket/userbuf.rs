//! The TRTC PrivateMapKey: a UserSig ticket whose userbuf carries room-entry permissions.
//!
//! The userbuf is big-endian: a layout version byte (0 = numeric room id, 1 = string
//! room id), a 2-byte account length and the account, then four-byte sdkappid, numeric
//! room id (0 when a string room follows), absolute expiry (unix seconds), privilege map
//! and account type, and for version 1 a 2-byte room-string length and the string.
//!
//! ```
//! use usersig::userbuf::{PrivateMapKey, Room};
//!
//! let key = PrivateMapKey {
//!     account: "xiaojun".into(),
//!     sdkappid: 1400001052,
//!     room: Room::Named("room-42".into()),
//!     expires_at: 1_795_761_657,
//!     privileges: 2 | 8 | 32,
//!     account_type: 0,
//! };
//! let bytes = key.encode().expect("short fields");
//! assert_eq!(PrivateMapKey::decode(&bytes), Some(key.clone()));
//! assert_eq!(key.privilege_names(), ["enter room", "receive audio", "receive video"]);
//! assert_eq!(PrivateMapKey::decode(b"abc"), None);
//! ```

/// The 8 privilege bits with their names, lowest first; 255 grants all of them.
pub const PRIVILEGES: [(u32, &str); 8] = [
    (1, "create room"),
    (2, "enter room"),
    (4, "send audio"),
    (8, "receive audio"),
    (16, "send video"),
    (32, "receive video"),
    (64, "send sub-stream video"),
    (128, "receive sub-stream video"),
];

/// The room a PrivateMapKey grants access to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Room {
    /// A numeric room id (layout version 0).
    Numeric(u32),
    /// A string room id (layout version 1); always valid UTF-8.
    Named(String),
}

/// A decoded PrivateMapKey userbuf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateMapKey {
    /// The user id the key was issued to.
    pub account: String,
    /// The application the key belongs to.
    pub sdkappid: u32,
    /// The room the key grants access to.
    pub room: Room,
    /// Absolute expiry in unix seconds.
    pub expires_at: u32,
    /// The privilege bit map (see [`PRIVILEGES`]).
    pub privileges: u32,
    /// The account type, 0 in every key Tencent issues.
    pub account_type: u32,
}

/// Reads big-endian fields off the front of a byte slice, failing instead of panicking.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|[b]| b)
    }
    fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_be_bytes)
    }
    /// A u16 length followed by that many UTF-8 bytes.
    fn string(&mut self) -> Option<String> {
        let len = usize::from(u16::from_be_bytes(self.array()?));
        let (head, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        String::from_utf8(head.to_vec()).ok()
    }
}

/// Appends a u16 length and the bytes; `None` if longer than `u16::MAX`.
fn put_string(out: &mut Vec<u8>, s: &str) -> Option<()> {
    out.extend_from_slice(&u16::try_from(s.len()).ok()?.to_be_bytes());
    out.extend_from_slice(s.as_bytes());
    Some(())
}

impl PrivateMapKey {
    /// Strictly decodes a userbuf: exact length (no trailing bytes), version 0 or 1,
    /// UTF-8 account and room string, and a zero numeric room id in version 1.
    /// Returns `None` for anything else (the bytes are then just "some userbuf").
    pub fn decode(bytes: &[u8]) -> Option<PrivateMapKey> {
        let mut r = Reader(bytes);
        let version = r.u8()?;
        let account = r.string()?;
        let sdkappid = r.u32()?;
        let room_id = r.u32()?;
        let expires_at = r.u32()?;
        let privileges = r.u32()?;
        let account_type = r.u32()?;
        let room = match version {
            0 => Room::Numeric(room_id),
            1 if room_id == 0 => Room::Named(r.string()?),
            _ => return None,
        };
        r.0.is_empty().then_some(PrivateMapKey {
            account,
            sdkappid,
            room,
            expires_at,
            privileges,
            account_type,
        })
    }

    /// Encodes the key, the exact inverse of [`decode`](Self::decode): version 0 for
    /// [`Room::Numeric`], 1 for [`Room::Named`]. Returns `None` if the account or the
    /// room string is longer than `u16::MAX` bytes.
    pub fn encode(&self) -> Option<Vec<u8>> {
        let (version, room_id) = match self.room {
            Room::Numeric(id) => (0, id),
            Room::Named(_) => (1, 0),
        };
        let mut out = Vec::with_capacity(29 + self.account.len());
        out.push(version);
        put_string(&mut out, &self.account)?;
        for field in [
            self.sdkappid,
            room_id,
            self.expires_at,
            self.privileges,
            self.account_type,
        ] {
            out.extend_from_slice(&field.to_be_bytes());
        }
        if let Room::Named(name) = &self.room {
            put_string(&mut out, name)?;
        }
        Some(out)
    }

    /// Names of the set privilege bits in bit order, e.g. `["create room", "enter room"]`;
    /// bits above the eight known ones appear as `"bit 8"` and so on.
    pub fn privilege_names(&self) -> Vec<String> {
        (0..u32::BITS)
            .filter(|bit| self.privileges & (1 << bit) != 0)
            .map(|bit| match PRIVILEGES.get(bit as usize) {
                Some((_, name)) => (*name).to_string(),
                None => format!("bit {bit}"),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
