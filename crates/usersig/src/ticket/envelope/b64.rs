//! Base64 for tickets: the ticket alphabet's engine (the general path, with the base64
//! crate), and a batch's fast twins: a pair-table encoder and one-pass decoders of the
//! ticket and standard alphabets.

use base64::alphabet::Alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Base64 in the ticket alphabet, without padding: the caller writes and checks the
/// `_` padding itself, since the padding character of the base64 crate is fixed at `=`.
pub(super) const TICKET_BASE64: GeneralPurpose = GeneralPurpose::new(
    &match Alphabet::new("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-") {
        Ok(a) => a,
        Err(_) => panic!("the ticket alphabet is valid"),
    },
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// Standard base64 (RFC 4648 section 4), `=` padding: a `TLS.sig`.
pub(crate) static STANDARD_BASE64_OUT: Base64Out = Base64Out::new(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    b'=',
);

/// The ticket alphabet (`+/=` written as `*-_`).
pub(super) static TICKET_BASE64_OUT: Base64Out = Base64Out::new(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-",
    b'_',
);

/// A base64 encoder for the short inputs every ticket has two of (its MAC or signature,
/// and its zlib stream), written in the wanted alphabet and padding directly: each 3
/// input bytes are two look-ups of 12 bits in a table of character pairs. It makes the
/// bytes the `base64` crate makes (which stays the decoder, and the tests' oracle) in
/// about a third of the instructions on ticket-sized inputs.
pub(crate) struct Base64Out {
    /// The two characters of each 12-bit value, first character in the low byte.
    pairs: [u16; 4096],
    /// The padding character.
    pad: u8,
}

impl Base64Out {
    const fn new(alphabet: &[u8; 64], pad: u8) -> Base64Out {
        let mut pairs = [0u16; 4096];
        let mut v = 0;
        while v < 4096 {
            pairs[v] = alphabet[v >> 6] as u16 | (alphabet[v & 63] as u16) << 8;
            v += 1;
        }
        Base64Out { pairs, pad }
    }

    /// Append the padded base64 of `bytes`.
    pub(crate) fn push(&self, out: &mut Vec<u8>, bytes: &[u8]) {
        out.reserve(bytes.len().div_ceil(3) * 4);
        let pairs = &self.pairs;
        // Six bytes make eight characters, read as one number (with the two bytes after
        // them) and written as one; twelve bytes at a time.
        let eight = |x: u64| {
            u64::from(pairs[(x >> 52) as usize])
                | u64::from(pairs[(x >> 40 & 0xfff) as usize]) << 16
                | u64::from(pairs[(x >> 28 & 0xfff) as usize]) << 32
                | u64::from(pairs[(x >> 16 & 0xfff) as usize]) << 48
        };
        let mut rest = bytes;
        while let Some(next) = rest.first_chunk::<14>() {
            let (first, second) = (next.first_chunk::<8>(), next.last_chunk::<8>());
            if let (Some(&first), Some(&second)) = (first, second) {
                let chars = u128::from(eight(u64::from_be_bytes(first)))
                    | u128::from(eight(u64::from_be_bytes(second))) << 64;
                out.extend_from_slice(&chars.to_le_bytes());
            }
            rest = &rest[12..];
        }
        // The last two to thirteen bytes: three at a time, then the last one or two and
        // the padding.
        let (whole, rest) = rest.as_chunks::<3>();
        for &[a, b, c] in whole {
            let v = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c);
            let chars =
                u32::from(pairs[(v >> 12) as usize]) | u32::from(pairs[(v & 0xfff) as usize]) << 16;
            out.extend_from_slice(&chars.to_le_bytes());
        }
        if let Some(&first) = rest.first() {
            let second = rest.get(1).copied().unwrap_or(0);
            let v = u32::from(first) << 16 | u32::from(second) << 8;
            let [a, b] = pairs[(v >> 12) as usize].to_le_bytes();
            let [c, _] = pairs[(v & 0xfff) as usize].to_le_bytes();
            let c = if rest.len() == 2 { c } else { self.pad };
            out.extend_from_slice(&[a, b, c, self.pad]);
        }
    }
}

/// The value of each ticket base64 character (`A-Z a-z 0-9 * -`), and [`NOT_BASE64`]
/// for every other byte.
const BASE64_VALUES: [u8; 256] =
    base64_values(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-");

/// The value of each standard base64 character (`A-Z a-z 0-9 + /`), and [`NOT_BASE64`]
/// for every other byte.
const STANDARD_VALUES: [u8; 256] =
    base64_values(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

/// The value of each character of `alphabet`, and [`NOT_BASE64`] for every other byte.
const fn base64_values(alphabet: &[u8; 64]) -> [u8; 256] {
    let mut t = [NOT_BASE64; 256];
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
}

/// A byte outside the ticket's base64 alphabet, in [`BASE64_VALUES`].
const NOT_BASE64: u8 = 0xff;

/// [`BASE64_VALUES`] placed for each of the four characters of a group, so that a group
/// is the OR of four lookups: the 24 bits it stands for, in the order they are written
/// (little-endian bytes), with bits above them set when a character is not base64.
const GROUP_BITS: [[u32; 256]; 4] = group_bits(&BASE64_VALUES);

/// [`GROUP_BITS`] for the standard alphabet.
const STANDARD_GROUP_BITS: [[u32; 256]; 4] = group_bits(&STANDARD_VALUES);

/// The four lookup tables of a group (see [`GROUP_BITS`]) for an alphabet's values.
const fn group_bits(values: &[u8; 256]) -> [[u32; 256]; 4] {
    let mut t = [[0u32; 256]; 4];
    let mut c = 0;
    while c < 256 {
        let v = values[c];
        if v == NOT_BASE64 {
            t[0][c] = u32::MAX;
            t[1][c] = u32::MAX;
            t[2][c] = u32::MAX;
            t[3][c] = u32::MAX;
        } else {
            let v = v as u32;
            // Bytes b0 b1 b2 from the 6-bit values a b c d: b0 = a<<2 | b>>4,
            // b1 = (b & 15)<<4 | c>>2, b2 = (c & 3)<<6 | d.
            t[0][c] = v << 2;
            t[1][c] = v >> 4 | (v & 15) << 12;
            t[2][c] = (v >> 2) << 8 | (v & 3) << 22;
            t[3][c] = v << 16;
        }
        c += 1;
    }
    t
}

/// The common case of [`decode`]'s base64 step in one pass: ticket characters only (no
/// white space), `_` padding exactly as long as base64 needs, and no stray bits in the
/// last character. `None` for anything else, and the full path then decodes or names
/// what is wrong; what this accepts, the full path decodes to the same bytes. The bytes
/// go to the front of `out` (at least `text.len() / 4 * 3` long); returns how many.
pub(super) fn decode_base64_plain(text: &[u8], out: &mut [u8]) -> Option<usize> {
    decode_groups(text, out, b'_', &BASE64_VALUES, &GROUP_BITS)
}

/// Strict standard base64 (`+/`, `=` padding exactly as long as base64 needs, no stray
/// bits in the last character: what the base64 crate's `STANDARD` engine accepts) in
/// one pass, for text that is not empty; `None` for anything else, the caller then asks
/// the base64 crate (which decodes the same bytes, or names what is wrong).
pub(crate) fn decode_standard_plain(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0u8; text.len() / 4 * 3];
    let n = decode_groups(text, &mut out, b'=', &STANDARD_VALUES, &STANDARD_GROUP_BITS)?;
    out.truncate(n);
    Some(out)
}

/// [`decode_base64_plain`] for any alphabet (its values and group tables) and padding
/// character.
#[inline(always)]
fn decode_groups(
    text: &[u8],
    out: &mut [u8],
    pad: u8,
    values: &[u8; 256],
    group_bits: &[[u32; 256]; 4],
) -> Option<usize> {
    let body = text
        .strip_suffix(&[pad, pad])
        .or_else(|| text.strip_suffix(&[pad]))
        .unwrap_or(text);
    if body.is_empty() || !text.len().is_multiple_of(4) || body.last() == Some(&pad) {
        return None;
    }
    let mut groups = body.chunks_exact(4);
    let whole = body.len() / 4 * 3;
    let (head, tail) = out.get_mut(..text.len() / 4 * 3)?.split_at_mut(whole);
    let mut bad = 0;
    for (group, bytes) in (&mut groups).zip(head.chunks_exact_mut(3)) {
        let n = group_bits[0][usize::from(group[0])]
            | group_bits[1][usize::from(group[1])]
            | group_bits[2][usize::from(group[2])]
            | group_bits[3][usize::from(group[3])];
        bad |= n;
        bytes.copy_from_slice(&n.to_le_bytes()[..3]);
    }
    if bad >> 24 != 0 {
        return None;
    }
    let value = |b: &u8| Some(values[usize::from(*b)]).filter(|&v| v != NOT_BASE64);
    match *groups.remainder() {
        // The bits of the last character past the last byte must be zero.
        [a, b] => {
            let (a, b) = (value(&a)?, value(&b)?);
            if b & 0x0f != 0 {
                return None;
            }
            tail[0] = a << 2 | b >> 4;
            Some(whole + 1)
        }
        [a, b, c] => {
            let (a, b, c) = (value(&a)?, value(&b)?, value(&c)?);
            if c & 0x03 != 0 {
                return None;
            }
            tail[0] = a << 2 | b >> 4;
            tail[1] = b << 4 | c >> 2;
            Some(whole + 2)
        }
        [] => Some(whole),
        _ => None,
    }
}
