//! v2 tickets: HMAC-SHA256 keyed with the app's secret, numbers as JSON numbers
//! (docs/FORMAT.md section 4).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

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
    let mut out = format!(
        "TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\nTLS.time:{time}\nTLS.expire:{expire}\n"
    )
    .into_bytes();
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
    let id = json::string(identifier, json::Escape::Json);
    let ub = match &userbuf {
        Some(ub) => format!(r#""TLS.userbuf":"{ub}","#),
        None => String::new(),
    };
    format!(
        r#"{{"TLS.ver":"2.0","TLS.sdkappid":{sdkappid},"TLS.identifier":{id},"TLS.time":{time},"TLS.expire":{expire},{ub}"TLS.sig":"{sig}"}}"#
    )
}

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
