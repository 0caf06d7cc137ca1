//! TRTC PrivateMapKey on the command line: `gen2privmap` and `genprivmap` (a ticket whose
//! userbuf is the map key), and the `--room-id`/`--room-str`/`--privilege-map` check of
//! the verify forms.

use usersig::clock::{Clock, FixedClock, SystemClock};
use usersig::compat;
use usersig::issue::{self, DEFAULT_EXPIRE};
use usersig::userbuf::{PrivateMapKey, Room};
use usersig::verify::{self, Checked};

use super::args::{PrivmapArgs, VerifyOptions};
use super::checks::check_not_secret_name;
use super::error::{Stop, usage};
use super::keyload::{Signer, load_private_key, load_secret, ticket_rules};
use super::make::{make, write_ticket};
use super::outcome::Outcome;
use super::source::Source;
use super::{duration, hints};

/// The privilege names `--privilege-map` takes, with their bits.
const BIT_NAMES: [(&str, u32); 9] = [
    ("create", 1),
    ("enter", 2),
    ("send-audio", 4),
    ("recv-audio", 8),
    ("send-video", 16),
    ("recv-video", 32),
    ("send-sub", 64),
    ("recv-sub", 128),
    ("all", 255),
];

/// The bits the verify forms ask for when only a room is given: entering it.
const DEFAULT_VERIFY_BITS: u32 = 2;

/// Parse `--privilege-map`: a number from 0 to 255 (decimal or `0x` hex), or names
/// joined by commas.
pub(super) fn parse_bits(text: &str) -> Result<u32, String> {
    let bad = || {
        let shown: String = text.chars().take(40).collect();
        format!(
            "--privilege-map {shown:?} is not a number from 0 to 255 (decimal or 0x hex) or names joined by commas (create, enter, send-audio, recv-audio, send-video, recv-video, send-sub, recv-sub, all)"
        )
    };
    let number = if let Some(hex) = text.strip_prefix("0x").or(text.strip_prefix("0X")) {
        (!hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| u32::from_str_radix(hex, 16).ok())
            .ok_or_else(bad)?
    } else if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<u32>().ok()
    } else {
        let mut bits = 0;
        for name in text.split(',') {
            let (_, bit) = BIT_NAMES.iter().find(|(n, _)| *n == name).ok_or_else(bad)?;
            bits |= bit;
        }
        return Ok(bits);
    };
    number.filter(|n| *n <= 255).ok_or_else(bad)
}

/// Parse the room options: `--room-id` (0 to 4294967295) or `--room-str` (1 to 64
/// printable ASCII bytes); `None` when neither is given.
fn parse_room(room_id: Option<&str>, room_str: Option<&str>) -> Result<Option<Room>, Stop> {
    match (room_id, room_str) {
        (Some(id), _) => {
            let digits = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
            match id.parse::<u32>() {
                Ok(n) if digits => Ok(Some(Room::Numeric(n))),
                _ => {
                    let shown: String = id.chars().take(40).collect();
                    Err(Stop::Usage(format!(
                        "--room-id {shown:?} is not a room number from 0 to 4294967295 (for a string room use --room-str)"
                    )))
                }
            }
        }
        (None, Some(name)) => {
            compat::check_room_str(name).map_err(usage)?;
            Ok(Some(Room::Named(name.to_owned())))
        }
        (None, None) => Ok(None),
    }
}

/// `gen2privmap` (`v2`) and `genprivmap` (v1): make the ticket and write it as gen2 and
/// gen do (gen2privmap prints the ticket too).
pub(super) fn gen_privmap(a: &PrivmapArgs, v2: bool, clock: &SystemClock) -> Result<Outcome, Stop> {
    let sdkappid = issue::parse_sdkappid(&a.sdkappid).map_err(usage)?;
    issue::check_identifier(&a.identifier).map_err(|e| Stop::Usage(hints::arg_error(&e)))?;
    let room = parse_room(a.room_id.as_deref(), a.room_str.as_deref())?
        .ok_or_else(|| Stop::Usage("give the room: --room-id N or --room-str TEXT".into()))?;
    let bits = match &a.privilege_map {
        Some(text) => parse_bits(text).map_err(Stop::Usage)?,
        None => 255,
    };
    let expire = match &a.expire {
        Some(text) => duration::parse_expire(text).map_err(usage)?,
        None => DEFAULT_EXPIRE,
    };
    // One reading of the clock for the ticket's time and the map key's expiry.
    let now = FixedClock::at(clock.now());
    let req = compat::private_map_key_request(sdkappid, &a.identifier, expire, room, bits, now.now)
        .map_err(usage)?;
    check_not_secret_name(&a.sig_file, "SIG_FILE")?;
    let source = if v2 {
        Source::secret(&a.key)
    } else {
        Source::pem_key(&a.key)
    };
    let signer = if v2 {
        Signer::V2(load_secret(&source)?)
    } else {
        Signer::V1(load_private_key(&source, "sign")?)
    };
    let made = make(&req, &signer, &now)?;
    write_ticket(&a.sig_file, made, &ticket_rules(&source), v2)
}

/// What a verify form asks of the ticket's PrivateMapKey: the room and the bits.
pub(super) struct Wanted {
    room: Room,
    bits: u32,
}

/// The PrivateMapKey check a verify form asks for, if any. `--privilege-map` alone is a
/// usage error; a room alone asks for the enter-room bit.
pub(super) fn wanted(options: &VerifyOptions) -> Result<Option<Wanted>, Stop> {
    let room = parse_room(options.room_id.as_deref(), options.room_str.as_deref())?;
    let bits = options
        .privilege_map
        .as_deref()
        .map(parse_bits)
        .transpose()
        .map_err(Stop::Usage)?;
    match (room, bits) {
        (Some(room), bits) => Ok(Some(Wanted {
            room,
            bits: bits.unwrap_or(DEFAULT_VERIFY_BITS),
        })),
        (None, Some(_)) => Err(Stop::Usage(
            "--privilege-map needs the room to check: --room-id N or --room-str TEXT".into(),
        )),
        (None, None) => Ok(None),
    }
}

/// Apply the PrivateMapKey check to a ticket that verified: its verdict becomes the
/// map key's failure when the key lacks what is wanted. Returns the map key that granted
/// it.
pub(super) fn judge(checked: &mut Checked, wanted: Option<&Wanted>) -> Option<PrivateMapKey> {
    let wanted = wanted?;
    let info = checked.info.as_ref()?;
    if checked.verdict.is_err() {
        return None;
    }
    match verify::check_private_map_key(info, &wanted.room, wanted.bits, checked.now) {
        Ok(key) => Some(key),
        Err(f) => {
            checked.verdict = Err(f);
            None
        }
    }
}

#[cfg(test)]
mod tests;
