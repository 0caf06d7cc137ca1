//! The typed values a ticket is made for: the app ([`SdkAppId`]) and, for a
//! PrivateMapKey, the room ([`Room`]).

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;

use crate::error::Error;
use crate::issue::{self, ArgError};
use crate::userbuf;

/// An app's SDKAppID, as the console shows it: a number from 1 to 4294967295.
///
/// ```
/// use usersig::SdkAppId;
/// let app = SdkAppId::new(1400001052)?;
/// assert_eq!(app.get(), 1400001052);
/// assert_eq!("1400001052".parse::<SdkAppId>()?, app);
/// assert!(SdkAppId::new(0).is_err());
/// assert!("14e8".parse::<SdkAppId>().is_err());
/// # Ok::<(), usersig::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SdkAppId(NonZeroU32);

impl SdkAppId {
    /// The app `id`; 0 is refused (no app has it).
    pub fn new(id: u32) -> Result<SdkAppId, Error> {
        match NonZeroU32::new(id) {
            Some(id) => Ok(SdkAppId(id)),
            None => Err(Error::making(ArgError::SdkAppId("0".into()))),
        }
    }

    /// The number.
    pub fn get(self) -> u32 {
        self.0.get()
    }
}

/// Decimal digits only, 1 to 4294967295 (no sign, no white space).
impl FromStr for SdkAppId {
    type Err = Error;
    fn from_str(text: &str) -> Result<SdkAppId, Error> {
        SdkAppId::new(issue::parse_sdkappid(text).map_err(Error::making)?)
    }
}

impl fmt::Debug for SdkAppId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SdkAppId({})", self.0)
    }
}

impl fmt::Display for SdkAppId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The TRTC room a PrivateMapKey grants: a numeric room id, or a string room id (1 to 64
/// bytes of printable ASCII, checked when a ticket is made).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Room {
    /// A numeric room id.
    Id(u32),
    /// A string room id.
    Name(String),
}

impl From<Room> for userbuf::Room {
    fn from(room: Room) -> userbuf::Room {
        match room {
            Room::Id(id) => userbuf::Room::Numeric(id),
            Room::Name(name) => userbuf::Room::Named(name),
        }
    }
}

impl From<userbuf::Room> for Room {
    fn from(room: userbuf::Room) -> Room {
        match room {
            userbuf::Room::Numeric(id) => Room::Id(id),
            userbuf::Room::Named(name) => Room::Name(name),
        }
    }
}
