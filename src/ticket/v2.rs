//! v2 tickets: HMAC-SHA256 keyed with the app's secret, numbers as JSON numbers
//! (docs/FORMAT.md section 4).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::envelope::STANDARD_BASE64_OUT;
use super::fields::{
    Claims, Malformed, Ticket, TicketInfo, Version, base64_field, no_control, opt_str, req_str,
    to_i64, to_sdkappid,
};
use super::json::{self, Json, Object};
use crate::Secret;

type HmacSha256 = Hmac<Sha256>;

/// The signed content of a v2 ticket (docs/FORMAT.md section 4).
///
/// ```
/// assert_eq!(tls_licence_tools::v2::signed_content("u", 1400001052, 100, 60, Some("YWJj")),
///     b"TLS.identifier:u\nTLS.sdkappid:1400001052\nTLS.time:100\nTLS.expire:60\nTLS.userbuf:YWJj\n");
/// ```
pub fn signed_content(
    identifier: &str,
    sdkappid: u32,
    time: i64,
    expire: i64,
    userbuf: Option<&str>,
) -> Vec<u8> {
    // Written piece by piece (a verify-batch makes one per ticket): no formatter.
    // After the identifier, the labels and the three numbers take at most 88 bytes.
    let room = CONTENT_HEAD.len() + identifier.len() + 88 + userbuf.map_or(0, |ub| ub.len() + 13);
    let mut out = Vec::with_capacity(room);
    out.extend_from_slice(CONTENT_HEAD);
    out.extend_from_slice(identifier.as_bytes());
    out.extend_from_slice(b"\nTLS.sdkappid:");
    json::push_uint(&mut out, sdkappid.into());
    out.extend_from_slice(b"\nTLS.time:");
    json::push_int(&mut out, time);
    out.extend_from_slice(b"\nTLS.expire:");
    json::push_int(&mut out, expire);
    out.push(b'\n');
    if let Some(ub) = userbuf {
        out.extend_from_slice(b"TLS.userbuf:");
        out.extend_from_slice(ub.as_bytes());
        out.push(b'\n');
    }
    out
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
    let layout = Layout::new(claims.sdkappid, time, claims.expire, claims.userbuf);
    let mut out = Vec::with_capacity(layout.json_len(claims.identifier));
    layout.push_json(secret, claims.identifier, &mut out);
    // Only ASCII is added around the identifier, whose escaping keeps it UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// The signed content's text before the identifier.
const CONTENT_HEAD: &[u8] = b"TLS.identifier:";

/// What the v2 tickets of one app, issue time, validity and userbuf share, laid out
/// once: the signed content after the identifier, and the JSON around the identifier
/// and the signature. A ticket then costs the MAC of its own content and the copying
/// ([`crate::issue::TicketBatch`]; [`ticket_json`] uses it for one ticket).
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

/// Read a v2 ticket's JSON object.
pub(super) fn parse_object(obj: &Object<'_>) -> Result<Ticket, Malformed> {
    let identifier = req_str(obj, "TLS.identifier")?;
    // The signed content cannot be spliced (the numbers are JSON numbers, the userbuf
    // base64), but no genuine identifier holds a control character, and one with a NUL
    // reads differently to a verifier that stops at it.
    no_control(identifier, "TLS.identifier")?;
    let sdkappid = to_sdkappid(number(obj, "TLS.sdkappid")?, "TLS.sdkappid")?;
    let time = to_i64(number(obj, "TLS.time")?, "TLS.time")?;
    let expire = to_i64(number(obj, "TLS.expire")?, "TLS.expire")?;
    let userbuf_text = opt_str(obj, "TLS.userbuf")?;
    let signature = base64_field(req_str(obj, "TLS.sig")?, "TLS.sig")?;
    let userbuf = match userbuf_text {
        Some(text) => Some(base64_field(text, "TLS.userbuf")?),
        None => None,
    };
    Ok(Ticket {
        signed_content: signed_content(identifier, sdkappid, time, expire, userbuf_text),
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The signed content as a formatter writes it: what the piecewise writer must match.
    fn formatted(id: &str, sdkappid: u32, time: i64, expire: i64, ub: Option<&str>) -> Vec<u8> {
        let mut s = format!(
            "TLS.identifier:{id}\nTLS.sdkappid:{sdkappid}\nTLS.time:{time}\nTLS.expire:{expire}\n"
        );
        if let Some(ub) = ub {
            s.push_str(&format!("TLS.userbuf:{ub}\n"));
        }
        s.into_bytes()
    }

    #[test]
    fn signed_content_writes_every_number_as_display_does() {
        let edges = [
            i64::MIN,
            i64::MIN + 1,
            -10,
            -9,
            -1,
            0,
            1,
            9,
            10,
            99,
            100,
            i64::MAX,
        ];
        for n in edges.into_iter().chain((0..19).map(|p| 10i64.pow(p))) {
            for m in [n, n.wrapping_sub(1), n.wrapping_neg()] {
                for app in [0, 1, 9, 10, 1400001052, u32::MAX] {
                    let got = signed_content("u", app, m, n, Some("YWJj"));
                    assert_eq!(
                        got,
                        formatted("u", app, m, n, Some("YWJj")),
                        "{app} {m} {n}"
                    );
                }
            }
        }
    }

    proptest! {
        #[test]
        fn signed_content_is_the_formatted_text(
            id in ".{0,40}",
            sdkappid: u32,
            time: i64,
            expire: i64,
            ub in proptest::option::of("[A-Za-z0-9+/=]{0,90}"),
        ) {
            let got = signed_content(&id, sdkappid, time, expire, ub.as_deref());
            prop_assert_eq!(got, formatted(&id, sdkappid, time, expire, ub.as_deref()));
        }
    }
}
