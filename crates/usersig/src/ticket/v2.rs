//! v2 tickets: HMAC-SHA256 keyed with the app's secret, numbers as JSON numbers
//! (docs/FORMAT.md section 4).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::envelope::STANDARD_BASE64_OUT;
use super::fields::{
    Claims, EXPIRE_TOO_LARGE, Malformed, Ticket, TicketInfo, Version, base64_field,
    base64_field_fast, no_control, opt_str, to_i64, to_sdkappid,
};
use super::json::{self, Json, Object};
use crate::Secret;

type HmacSha256 = Hmac<Sha256>;

/// The signed content of a v2 ticket (docs/FORMAT.md section 4).
///
/// ```
/// assert_eq!(usersig::v2::signed_content("u", 1400001052, 100, 60, Some("YWJj")),
///     b"TLS.identifier:u\nTLS.sdkappid:1400001052\nTLS.time:100\nTLS.expire:60\nTLS.userbuf:YWJj\n");
/// ```
pub fn signed_content(
    identifier: &str,
    sdkappid: u32,
    time: i64,
    expire: i64,
    userbuf: Option<&str>,
) -> Vec<u8> {
    let mut text = format!(
        "TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\nTLS.time:{time}\nTLS.expire:{expire}\n"
    );
    if let Some(ub) = userbuf {
        text.push_str("TLS.userbuf:");
        text.push_str(ub);
        text.push('\n');
    }
    text.into_bytes()
}

/// The numbers of a signed content: sdkappid, time and expire.
type Numbers = (u32, i64, i64);

/// A batch reader's writer of signed contents, the fast twin of [`signed_content`]
/// (a proptest holds the two together): written piece by piece, with the text of the
/// numbers kept while they stay the same (a batch's tickets mostly share them).
#[derive(Debug, Default)]
pub(crate) struct ContentWriter {
    /// The numbers of the signed content last written, and their text: from the line
    /// after the identifier's through `TLS.expire`'s.
    last: Option<Numbers>,
    text: Vec<u8>,
}

impl ContentWriter {
    /// [`signed_content`].
    pub(crate) fn write(
        &mut self,
        identifier: &str,
        sdkappid: u32,
        time: i64,
        expire: i64,
        userbuf: Option<&str>,
    ) -> Vec<u8> {
        // After the identifier, the labels and the three numbers take at most 88 bytes.
        let room =
            CONTENT_HEAD.len() + identifier.len() + 88 + userbuf.map_or(0, |ub| ub.len() + 13);
        let mut out = Vec::with_capacity(room);
        out.extend_from_slice(CONTENT_HEAD);
        out.extend_from_slice(identifier.as_bytes());
        let numbers = (sdkappid, time, expire);
        if self.last != Some(numbers) {
            self.text.clear();
            push_numbers(&mut self.text, numbers);
            self.last = Some(numbers);
        }
        out.extend_from_slice(&self.text);
        if let Some(ub) = userbuf {
            out.extend_from_slice(b"TLS.userbuf:");
            out.extend_from_slice(ub.as_bytes());
            out.push(b'\n');
        }
        out
    }
}

/// The signed content from the line after the identifier's through `TLS.expire`'s.
fn push_numbers(out: &mut Vec<u8>, (sdkappid, time, expire): Numbers) {
    out.extend_from_slice(b"\nTLS.sdkappid:");
    json::push_uint(out, sdkappid.into());
    out.extend_from_slice(b"\nTLS.time:");
    json::push_int(out, time);
    out.extend_from_slice(b"\nTLS.expire:");
    json::push_int(out, expire);
    out.push(b'\n');
}

fn hmac(secret: &Secret, content: &[u8]) -> HmacSha256 {
    let mut mac = secret.mac();
    mac.update(content);
    mac
}

/// The base64 of HMAC-SHA256(secret, content): a v2 `TLS.sig`.
pub fn sign(secret: &Secret, content: &[u8]) -> String {
    STANDARD.encode(hmac(secret, content).finalize().into_bytes())
}

/// Whether `mac` is the HMAC of `content` under `secret`, compared in constant time.
pub fn mac_verifies(secret: &Secret, content: &[u8], mac: &[u8]) -> bool {
    hmac(secret, content).verify_slice(mac).is_ok()
}

/// Build a complete v2 ticket's JSON with the fields, order and types the C++ original
/// writes: ver, sdkappid, identifier, time, expire, (userbuf), sig.
pub fn ticket_json(secret: &Secret, claims: &Claims<'_>, time: i64) -> String {
    let Claims {
        sdkappid,
        identifier,
        expire,
        userbuf,
    } = *claims;
    let userbuf = userbuf.map(|b| STANDARD.encode(b));
    let content = signed_content(
        identifier,
        sdkappid,
        time,
        expire.into(),
        userbuf.as_deref(),
    );
    let sig = sign(secret, &content);
    let userbuf = match &userbuf {
        Some(ub) => format!(r#""TLS.userbuf":"{ub}","#),
        None => String::new(),
    };
    let identifier = json::string(identifier, json::Escape::Json);
    format!(
        r#"{{"TLS.ver":"2.0","TLS.sdkappid":{sdkappid},"TLS.identifier":{identifier},"TLS.time":{time},"TLS.expire":{expire},{userbuf}"TLS.sig":"{sig}"}}"#
    )
}

/// The signed content's text before the identifier.
const CONTENT_HEAD: &[u8] = b"TLS.identifier:";

/// What the v2 tickets of one app, issue time, validity and userbuf share, laid out
/// once: the signed content after the identifier, and the JSON around the identifier
/// and the signature. A ticket then costs the MAC of its own content and the copying:
/// [`crate::issue::TicketBatch`]'s fast twin of [`ticket_json`] (a proptest there holds
/// a batch's ticket to the one-ticket path's, byte for byte).
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The signed content after the identifier: `\nTLS.sdkappid:...` to the end.
    content_tail: Vec<u8>,
    /// The JSON up to the identifier's string.
    json_head: Vec<u8>,
    /// The JSON from after the identifier's string to the signature's first byte.
    json_mid: Vec<u8>,
}

impl Layout {
    /// The layout of tickets of `sdkappid` issued at `time`, valid for `expire` seconds,
    /// carrying `userbuf` when there is one.
    pub(crate) fn new(sdkappid: u32, time: i64, expire: u32, userbuf: Option<&[u8]>) -> Layout {
        let userbuf = userbuf.map(|b| STANDARD.encode(b));
        let content = signed_content("", sdkappid, time, expire.into(), userbuf.as_deref());
        let ub = match &userbuf {
            Some(ub) => format!(r#""TLS.userbuf":"{ub}","#),
            None => String::new(),
        };
        Layout {
            content_tail: content[CONTENT_HEAD.len()..].to_vec(),
            json_head: format!(r#"{{"TLS.ver":"2.0","TLS.sdkappid":{sdkappid},"TLS.identifier":"#)
                .into_bytes(),
            json_mid: format!(r#","TLS.time":{time},"TLS.expire":{expire},{ub}"TLS.sig":""#)
                .into_bytes(),
        }
    }

    /// About how long the JSON of a ticket for `identifier` is (exactly, when the
    /// identifier needs no escaping).
    pub(crate) fn json_len(&self, identifier: &str) -> usize {
        self.json_head.len() + identifier.len() + 2 + self.json_mid.len() + SIG_BASE64 + 2
    }

    /// Append the JSON of the ticket for `identifier`, MACed with `secret`.
    pub(crate) fn push_json(&self, secret: &Secret, identifier: &str, out: &mut Vec<u8>) {
        // The content is fed to the MAC in its three pieces: no copy of it is made.
        let mut mac = secret.mac();
        mac.update(CONTENT_HEAD);
        mac.update(identifier.as_bytes());
        mac.update(&self.content_tail);
        out.extend_from_slice(&self.json_head);
        json::push_string(out, identifier, json::Escape::Json);
        out.extend_from_slice(&self.json_mid);
        STANDARD_BASE64_OUT.push(out, &mac.finalize().into_bytes());
        out.extend_from_slice(b"\"}");
    }
}

/// The length of a v2 `TLS.sig`: 32 bytes in padded base64.
const SIG_BASE64: usize = 44;

/// A field that must be a JSON number holding a whole, non-negative value.
fn number(obj: &Object<'_>, field: &'static str) -> Result<u64, Malformed> {
    match obj.get(field) {
        None => Err(Malformed::MissingField(field)),
        Some(Json::Number(n)) => n.as_u64().ok_or(Malformed::BadValue {
            field,
            why: "is not a whole non-negative number",
        }),
        Some(_) => Err(Malformed::WrongType {
            field,
            expected: "a number (v2 tickets write it as a JSON number)",
        }),
    }
}

/// The members of a v2 ticket's JSON as [`read`] takes them: a field that must be a
/// string (`None`: absent), or a whole non-negative number.
trait Members<'a> {
    fn string(&self, field: &'static str) -> Result<Option<&'a str>, Malformed>;
    fn number(&self, field: &'static str) -> Result<u64, Malformed>;
}

impl<'a> Members<'a> for &'a Object<'_> {
    fn string(&self, field: &'static str) -> Result<Option<&'a str>, Malformed> {
        opt_str(self, field)
    }

    fn number(&self, field: &'static str) -> Result<u64, Malformed> {
        number(self, field)
    }
}

/// The members of a ticket in the plain shape ([`parse_plain`]).
struct Plain<'a> {
    sdkappid: u64,
    identifier: &'a str,
    time: u64,
    expire: u64,
    userbuf: Option<&'a str>,
    sig: &'a str,
}

impl<'a> Members<'a> for Plain<'a> {
    fn string(&self, field: &'static str) -> Result<Option<&'a str>, Malformed> {
        Ok(match field {
            "TLS.identifier" => Some(self.identifier),
            "TLS.userbuf" => self.userbuf,
            "TLS.sig" => Some(self.sig),
            _ => None,
        })
    }

    fn number(&self, field: &'static str) -> Result<u64, Malformed> {
        match field {
            "TLS.sdkappid" => Ok(self.sdkappid),
            "TLS.time" => Ok(self.time),
            "TLS.expire" => Ok(self.expire),
            _ => Err(Malformed::MissingField(field)),
        }
    }
}

/// Read a v2 ticket's JSON object.
pub(super) fn parse_object(obj: &Object<'_>) -> Result<Ticket, Malformed> {
    read(obj, None)
}

/// A v2 ticket's JSON exactly as it is written here (and by the C++ original):
/// `{"TLS.ver":"2.0","TLS.sdkappid":N,"TLS.identifier":"…","TLS.time":N,"TLS.expire":N,`
/// then an optional `"TLS.userbuf":"…",` and `"TLS.sig":"…"}`, with no white space,
/// strings without an escape or control character and numbers of 1 to 19 digits without
/// a leading zero, read without building an object: the same checks, in the same order,
/// as [`parse_object`] on what the strict reader makes of it (a proptest holds the two
/// together). `None` for anything else, which the strict reader then reads. A batch
/// reader's fast twin, with the batch's other twins: `content` writes the signed
/// content, and the base64 is decoded in one pass.
pub(super) fn parse_plain(
    text: &str,
    content: &mut ContentWriter,
) -> Option<Result<Ticket, Malformed>> {
    /// A string's plain content and what follows its closing quote.
    fn string(text: &str) -> Option<(&str, &str)> {
        let (s, rest) = text.split_at_checked(json::plain_len(text.as_bytes()))?;
        Some((s, rest.strip_prefix('"')?))
    }
    /// A whole number of 1 to 19 digits (so it fits a u64) without a leading zero, and
    /// what follows it.
    fn whole(text: &str) -> Option<(u64, &str)> {
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        let (n, rest) = text.split_at(digits);
        if !(digits == 1 || (2..=19).contains(&digits) && !n.starts_with('0')) {
            return None;
        }
        let value = n.bytes().fold(0u64, |v, d| v * 10 + u64::from(d - b'0'));
        Some((value, rest))
    }
    let (sdkappid, rest) = whole(text.strip_prefix(r#"{"TLS.ver":"2.0","TLS.sdkappid":"#)?)?;
    let (identifier, rest) = string(rest.strip_prefix(r#","TLS.identifier":""#)?)?;
    let (time, rest) = whole(rest.strip_prefix(r#","TLS.time":"#)?)?;
    let (expire, rest) = whole(rest.strip_prefix(r#","TLS.expire":"#)?)?;
    let (userbuf, rest) = match rest.strip_prefix(r#","TLS.userbuf":""#) {
        Some(ub) => {
            let (ub, rest) = string(ub)?;
            (Some(ub), rest)
        }
        None => (None, rest),
    };
    let (sig, rest) = string(rest.strip_prefix(r#","TLS.sig":""#)?)?;
    (rest == "}").then(|| {
        let plain = Plain {
            sdkappid,
            identifier,
            time,
            expire,
            userbuf,
            sig,
        };
        read(plain, Some(content))
    })
}

/// Check and take a v2 ticket's members, in this order (the first fault is the one
/// named): on the general path, or (with a batch's `content` writer) with the batch's
/// fast twins of the signed content's writer and the base64 decoder.
fn read<'a>(m: impl Members<'a>, content: Option<&mut ContentWriter>) -> Result<Ticket, Malformed> {
    let base64 = match content {
        Some(_) => base64_field_fast,
        None => base64_field,
    };
    let identifier = m
        .string("TLS.identifier")?
        .ok_or(Malformed::MissingField("TLS.identifier"))?;
    // The signed content cannot be spliced (the numbers are JSON numbers, the userbuf
    // base64), but no genuine identifier holds a control character, and one with a NUL
    // reads differently to a verifier that stops at it.
    no_control(identifier, "TLS.identifier")?;
    let sdkappid = to_sdkappid(m.number("TLS.sdkappid")?, "TLS.sdkappid")?;
    // Any time to i64::MAX (a 32-bit read would end in 2038); an expire of at most
    // 4294967295, as the reference verifier and Tencent's servers read it (an unsigned
    // 32-bit number): a larger one is refused, not taken at face value.
    let time = to_i64(m.number("TLS.time")?, "TLS.time")?;
    let expire = u32::try_from(m.number("TLS.expire")?).map_err(|_| Malformed::BadValue {
        field: "TLS.expire",
        why: EXPIRE_TOO_LARGE,
    })?;
    let expire = i64::from(expire);
    let userbuf_text = m.string("TLS.userbuf")?;
    let sig = m
        .string("TLS.sig")?
        .ok_or(Malformed::MissingField("TLS.sig"))?;
    let signature = base64(sig, "TLS.sig")?;
    let userbuf = match userbuf_text {
        Some(text) => Some(base64(text, "TLS.userbuf")?),
        None => None,
    };
    let signed_content = match content {
        Some(writer) => writer.write(identifier, sdkappid, time, expire, userbuf_text),
        None => signed_content(identifier, sdkappid, time, expire, userbuf_text),
    };
    Ok(Ticket {
        signed_content,
        signature,
        info: TicketInfo {
            version: Version::V2,
            identifier: identifier.to_owned(),
            sdkappid,
            init_time: time,
            expire,
            userbuf,
        },
    })
}

#[cfg(test)]
mod tests;
