//! v1 tickets: ECDSA P-256 over SHA-256, every JSON value a string (docs/FORMAT.md
//! section 3), and the oldest plain-JSON form (section 5).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use time::macros::format_description;
use time::{PrimitiveDateTime, UtcOffset};

use super::fields::{
    Claims, Malformed, Ticket, TicketInfo, Version, base64_field, decimal_field, no_control,
    opt_str, req_str, to_i64, to_sdkappid,
};
use super::json::{self, Object};
use crate::keys::{KeyError, PrivateKey, PublicKey};

/// What the C++ original writes in `TLS.version` (nobody checks it).
pub const VERSION_TEXT: &str = "201803230000";

/// The string values that a v1 signature covers, as they stand in the ticket.
#[derive(Debug, Clone, Copy)]
pub struct SignedFields<'a> {
    /// `TLS.appid_at_3rd`; its line is left out of the content when absent.
    pub appid_at_3rd: Option<&'a str>,
    /// `TLS.account_type`.
    pub account_type: &'a str,
    /// `TLS.identifier`.
    pub identifier: &'a str,
    /// `TLS.sdk_appid`.
    pub sdk_appid: &'a str,
    /// `TLS.time`.
    pub time: &'a str,
    /// `TLS.expire_after`.
    pub expire_after: &'a str,
    /// `TLS.userbuf` (base64 text), for userbuf tickets.
    pub userbuf: Option<&'a str>,
}

impl SignedFields<'_> {
    /// The signed content: `NAME:VALUE\n` lines in the fixed order of docs/FORMAT.md section 3.
    ///
    /// ```
    /// use usersig::v1::SignedFields;
    /// let f = SignedFields { appid_at_3rd: Some("0"), account_type: "0", identifier: "u",
    ///     sdk_appid: "1400001052", time: "100", expire_after: "60", userbuf: None };
    /// assert_eq!(f.content(), b"TLS.appid_at_3rd:0\nTLS.account_type:0\nTLS.identifier:u\n\
    /// TLS.sdk_appid:1400001052\nTLS.time:100\nTLS.expire_after:60\n");
    /// ```
    pub fn content(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(160 + self.identifier.len());
        let mut line = |name: &str, value: &str| {
            out.extend_from_slice(name.as_bytes());
            out.push(b':');
            out.extend_from_slice(value.as_bytes());
            out.push(b'\n');
        };
        if let Some(v) = self.appid_at_3rd {
            line("TLS.appid_at_3rd", v);
        }
        line("TLS.account_type", self.account_type);
        line("TLS.identifier", self.identifier);
        line("TLS.sdk_appid", self.sdk_appid);
        line("TLS.time", self.time);
        line("TLS.expire_after", self.expire_after);
        if let Some(v) = self.userbuf {
            line("TLS.userbuf", v);
        }
        out
    }
}

/// Sign `content` and return the base64 of the DER signature (`TLS.sig`). Fails only
/// when the operating system's random number generator does.
pub fn sign(key: &PrivateKey, content: &[u8]) -> Result<String, KeyError> {
    key.sign_der(content).map(|der| STANDARD.encode(der))
}

/// Whether `der` is a valid ECDSA P-256/SHA-256 signature of `content` under `key`.
pub fn signature_verifies(key: &PublicKey, content: &[u8], der: &[u8]) -> bool {
    key.verify_der(content, der)
}

/// Build a complete v1 ticket's JSON with the fields, order and types the C++ original
/// writes: `gen` order without a userbuf, `genuser` order (no `TLS.version`) with one.
/// Fails only when the operating system's random number generator does.
pub fn ticket_json(key: &PrivateKey, claims: &Claims<'_>, time: i64) -> Result<String, KeyError> {
    let layout = Layout::new(claims.sdkappid, time, claims.expire, claims.userbuf);
    let mut out = Vec::with_capacity(256);
    let mut content = Vec::new();
    layout.push_json(key, claims.identifier, &mut content, &mut out)?;
    // Only ASCII is added around the identifier, whose escaping keeps it UTF-8.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// What the v1 tickets of one app, issue time, validity and userbuf share, laid out
/// once: the signed content around the identifier, and the JSON around the identifier
/// and the signature ([`crate::issue::TicketBatch`]; [`ticket_json`] uses it for one
/// ticket).
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The signed content up to the identifier (its `TLS.identifier:` included).
    content_head: Vec<u8>,
    /// The signed content after the identifier.
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
        let sdk_appid = sdkappid.to_string();
        let time = time.to_string();
        let expire_after = expire.to_string();
        let userbuf = userbuf.map(|b| STANDARD.encode(b));
        let fields = SignedFields {
            appid_at_3rd: Some("0"),
            account_type: "0",
            identifier: "",
            sdk_appid: &sdk_appid,
            time: &time,
            expire_after: &expire_after,
            userbuf: userbuf.as_deref(),
        };
        let content = fields.content();
        // The identifier's line is the first to hold this name (the lines before it
        // hold fixed values): the empty identifier stands right after it.
        let name = b"TLS.identifier:";
        let at = content
            .windows(name.len())
            .position(|w| w == name)
            .map_or(0, |i| i + name.len());
        let (json_head, json_mid) = match &userbuf {
            None => (
                r#"{"TLS.account_type":"0","TLS.identifier":"#.to_owned(),
                format!(
                    concat!(
                        r#","TLS.appid_at_3rd":"0","TLS.sdk_appid":"{app}","#,
                        r#""TLS.expire_after":"{exp}","TLS.version":"{ver}","#,
                        r#""TLS.time":"{time}","TLS.sig":""#
                    ),
                    app = sdk_appid,
                    exp = expire_after,
                    ver = VERSION_TEXT,
                    time = time,
                ),
            ),
            Some(ub) => (
                format!(r#"{{"TLS.sdk_appid":"{sdk_appid}","TLS.identifier":"#),
                format!(
                    concat!(
                        r#","TLS.time":"{time}","TLS.expire_after":"{exp}","#,
                        r#""TLS.account_type":"0","TLS.appid_at_3rd":"0","#,
                        r#""TLS.userbuf":"{ub}","TLS.sig":""#
                    ),
                    time = time,
                    exp = expire_after,
                    ub = ub,
                ),
            ),
        };
        Layout {
            content_head: content[..at].to_vec(),
            content_tail: content[at..].to_vec(),
            json_head: json_head.into_bytes(),
            json_mid: json_mid.into_bytes(),
        }
    }

    /// Append the JSON of the ticket for `identifier`, signed with `key`; `content` is
    /// scratch space for the signed content. When the operating system's random number
    /// generator fails, nothing is appended.
    pub(crate) fn push_json(
        &self,
        key: &PrivateKey,
        identifier: &str,
        content: &mut Vec<u8>,
        out: &mut Vec<u8>,
    ) -> Result<(), KeyError> {
        content.clear();
        content.extend_from_slice(&self.content_head);
        content.extend_from_slice(identifier.as_bytes());
        content.extend_from_slice(&self.content_tail);
        let sig = key.sign_der(content)?;
        out.extend_from_slice(&self.json_head);
        json::push_string(out, identifier, json::Escape::Json);
        out.extend_from_slice(&self.json_mid);
        out.extend_from_slice(STANDARD.encode(sig).as_bytes());
        out.extend_from_slice(b"\"}");
        Ok(())
    }
}

/// The signed fields and signature of a v1 object, checked for presence and type.
fn read_fields<'a>(obj: &'a Object<'_>) -> Result<(SignedFields<'a>, Vec<u8>), Malformed> {
    let fields = SignedFields {
        appid_at_3rd: opt_str(obj, "TLS.appid_at_3rd")?,
        account_type: req_str(obj, "TLS.account_type")?,
        identifier: req_str(obj, "TLS.identifier")?,
        sdk_appid: req_str(obj, "TLS.sdk_appid")?,
        time: req_str(obj, "TLS.time")?,
        expire_after: req_str(obj, "TLS.expire_after")?,
        userbuf: opt_str(obj, "TLS.userbuf")?,
    };
    // Before anything uses the values: a line feed in one would let its text stand for
    // a line of another field in the signed content (a ticket signed for identifier
    // "mallory\nTLS.identifier:admin" re-read as one for "admin").
    let signed = [
        ("TLS.appid_at_3rd", fields.appid_at_3rd),
        ("TLS.account_type", Some(fields.account_type)),
        ("TLS.identifier", Some(fields.identifier)),
        ("TLS.sdk_appid", Some(fields.sdk_appid)),
        ("TLS.time", Some(fields.time)),
        ("TLS.expire_after", Some(fields.expire_after)),
        ("TLS.userbuf", fields.userbuf),
    ];
    for (field, value) in signed {
        if let Some(value) = value {
            no_control(value, field)?;
        }
    }
    if fields.userbuf.is_some() && fields.appid_at_3rd.is_none() {
        return Err(Malformed::MissingField("TLS.appid_at_3rd"));
    }
    opt_str(obj, "TLS.version")?;
    let signature = base64_field(req_str(obj, "TLS.sig")?, "TLS.sig")?;
    Ok((fields, signature))
}

fn ticket(
    version: Version,
    fields: &SignedFields<'_>,
    init_time: i64,
    signature: Vec<u8>,
) -> Result<Ticket, Malformed> {
    let userbuf = match fields.userbuf {
        Some(text) => Some(base64_field(text, "TLS.userbuf")?),
        None => None,
    };
    let info = TicketInfo {
        version,
        identifier: fields.identifier.to_owned(),
        sdkappid: to_sdkappid(
            decimal_field(fields.sdk_appid, "TLS.sdk_appid")?,
            "TLS.sdk_appid",
        )?,
        init_time,
        expire: to_i64(
            decimal_field(fields.expire_after, "TLS.expire_after")?,
            "TLS.expire_after",
        )?,
        userbuf,
    };
    Ok(Ticket {
        info,
        signed_content: fields.content(),
        signature,
    })
}

/// Read an enveloped v1 ticket's JSON object.
pub(super) fn parse_object(obj: &Object<'_>) -> Result<Ticket, Malformed> {
    let (fields, signature) = read_fields(obj)?;
    let time = to_i64(decimal_field(fields.time, "TLS.time")?, "TLS.time")?;
    ticket(Version::V1, &fields, time, signature)
}

/// Read a plain-JSON ticket, whose `TLS.time` is local wall-clock text such as
/// `2026-11-26T06:40:57-08:00`: the trailing offset is a literal suffix, not a real
/// offset, and the time is read in `local` (the verifying host's zone, as the C++
/// verifier does). A decimal `TLS.time` is taken as Unix seconds.
pub(super) fn parse_plain_json(obj: &Object<'_>, local: UtcOffset) -> Result<Ticket, Malformed> {
    let (fields, signature) = read_fields(obj)?;
    let time = match decimal_field(fields.time, "TLS.time") {
        Ok(n) => to_i64(n, "TLS.time")?,
        Err(_) => wall_clock_time(fields.time, local)?,
    };
    ticket(Version::V1PlainJson, &fields, time, signature)
}

/// `YYYY-MM-DDTHH:MM:SS` followed by an ignored `±HH:MM` suffix, read in `local`.
fn wall_clock_time(text: &str, local: UtcOffset) -> Result<i64, Malformed> {
    let bad = Malformed::BadValue {
        field: "TLS.time",
        why: "is neither Unix seconds nor wall-clock time YYYY-MM-DDTHH:MM:SS-08:00",
    };
    let (clock, suffix) = match (text.get(..19), text.get(19..)) {
        (Some(c), Some(s)) => (c, s),
        _ => return Err(bad),
    };
    let suffix_ok = suffix.is_empty()
        || (suffix.len() == 6
            && matches!(suffix.as_bytes()[0], b'+' | b'-')
            && suffix.as_bytes()[3] == b':'
            && suffix
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 0 || i == 3 || b.is_ascii_digit()));
    if !suffix_ok {
        return Err(bad);
    }
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let when = PrimitiveDateTime::parse(clock, format).map_err(|_| bad)?;
    Ok(when.assume_offset(local).unix_timestamp())
}

#[cfg(test)]
mod tests;
