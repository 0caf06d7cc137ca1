//! The privilege bits of a TRTC PrivateMapKey, as a typed set.

use std::fmt;
use std::ops::{BitAnd, BitOr, BitOrAssign};

use crate::userbuf::PRIVILEGES;

/// What a PrivateMapKey lets its user do in the room: a set of the eight TRTC privilege
/// bits, with the bit values Tencent's libraries write.
///
/// ```
/// use usersig::Privileges;
/// let p = Privileges::ENTER | Privileges::RECV_AUDIO;
/// assert!(p.contains(Privileges::ENTER));
/// assert!(!p.contains(Privileges::ENTER | Privileges::SEND_AUDIO));
/// assert_eq!(p.bits(), 2 | 8);
/// assert_eq!(Privileges::all().bits(), 255);
/// assert_eq!(format!("{p:?}"), "Privileges(ENTER | RECV_AUDIO)");
/// assert_eq!(Privileges::from_bits(256), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Privileges(u32);

/// The eight bits by name, in bit order (values from the PrivateMapKey layout's table).
const NAMED: [(&str, Privileges); 8] = [
    ("CREATE", Privileges::CREATE),
    ("ENTER", Privileges::ENTER),
    ("SEND_AUDIO", Privileges::SEND_AUDIO),
    ("RECV_AUDIO", Privileges::RECV_AUDIO),
    ("SEND_VIDEO", Privileges::SEND_VIDEO),
    ("RECV_VIDEO", Privileges::RECV_VIDEO),
    ("SEND_SUB_VIDEO", Privileges::SEND_SUB_VIDEO),
    ("RECV_SUB_VIDEO", Privileges::RECV_SUB_VIDEO),
];

impl Privileges {
    /// Create the room.
    pub const CREATE: Privileges = Privileges(PRIVILEGES[0].0);
    /// Enter the room.
    pub const ENTER: Privileges = Privileges(PRIVILEGES[1].0);
    /// Send audio.
    pub const SEND_AUDIO: Privileges = Privileges(PRIVILEGES[2].0);
    /// Receive audio.
    pub const RECV_AUDIO: Privileges = Privileges(PRIVILEGES[3].0);
    /// Send video.
    pub const SEND_VIDEO: Privileges = Privileges(PRIVILEGES[4].0);
    /// Receive video.
    pub const RECV_VIDEO: Privileges = Privileges(PRIVILEGES[5].0);
    /// Send sub-stream (screen sharing) video.
    pub const SEND_SUB_VIDEO: Privileges = Privileges(PRIVILEGES[6].0);
    /// Receive sub-stream (screen sharing) video.
    pub const RECV_SUB_VIDEO: Privileges = Privileges(PRIVILEGES[7].0);

    /// No privilege.
    pub const fn empty() -> Privileges {
        Privileges(0)
    }

    /// All eight privileges (bit map 255).
    pub const fn all() -> Privileges {
        let mut bits = 0;
        let mut i = 0;
        while i < PRIVILEGES.len() {
            bits |= PRIVILEGES[i].0;
            i += 1;
        }
        Privileges(bits)
    }

    /// The bit map, as a ticket carries it.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// The set of these bits; `None` when a bit is not one of the eight.
    pub const fn from_bits(bits: u32) -> Option<Privileges> {
        if bits & !Privileges::all().0 == 0 {
            Some(Privileges(bits))
        } else {
            None
        }
    }

    /// A bit map as a decoded ticket holds it, unknown bits kept.
    pub(crate) const fn from_bits_retain(bits: u32) -> Privileges {
        Privileges(bits)
    }

    /// Whether every privilege of `other` is in this set.
    pub const fn contains(self, other: Privileges) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl BitOr for Privileges {
    type Output = Privileges;
    fn bitor(self, other: Privileges) -> Privileges {
        Privileges(self.0 | other.0)
    }
}

impl BitOrAssign for Privileges {
    fn bitor_assign(&mut self, other: Privileges) {
        self.0 |= other.0;
    }
}

/// The privileges in both sets.
impl BitAnd for Privileges {
    type Output = Privileges;
    fn bitand(self, other: Privileges) -> Privileges {
        Privileges(self.0 & other.0)
    }
}

/// The names joined by `|` in bit order (`Privileges(ENTER | RECV_AUDIO)`), a bit
/// outside the eight in hex, `Privileges(empty)` for none.
impl fmt::Debug for Privileges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Privileges(")?;
        if self.0 == 0 {
            f.write_str("empty")?;
        }
        let mut sep = "";
        for bit in (0..u32::BITS)
            .map(|b| 1u32 << b)
            .filter(|b| self.0 & b != 0)
        {
            match NAMED.iter().find(|(_, p)| p.0 == bit) {
                Some((name, _)) => write!(f, "{sep}{name}")?,
                None => write!(f, "{sep}{bit:#x}")?,
            }
            sep = " | ";
        }
        f.write_str(")")
    }
}
