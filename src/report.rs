//! Machine-readable results: the JSON objects that `--json` prints, one per result, with
//! their fields in a fixed, readable order. The batch commands print the same objects.

use std::fmt::Display;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::clock::{describe_span, rfc3339};
use crate::ticket::TicketInfo;
use crate::userbuf::PrivateMapKey;
use crate::verify::Checked;

/// A JSON object written field by field, in the order the fields are added.
///
/// ```
/// use tls_licence_tools::report::JsonObject;
/// let json = JsonObject::new().bool("ok", true).str("id", "a\"b").num("n", -3).finish();
/// assert_eq!(json, r#"{"ok":true,"id":"a\"b","n":-3}"#);
/// ```
#[derive(Debug, Clone)]
pub struct JsonObject {
    buf: String,
}

impl Default for JsonObject {
    fn default() -> Self {
        JsonObject::new()
    }
}

impl JsonObject {
    /// An empty object.
    pub fn new() -> JsonObject {
        JsonObject {
            buf: String::from("{"),
        }
    }

    fn key(&mut self, key: &str) {
        if self.buf.len() > 1 {
            self.buf.push(',');
        }
        self.buf.push_str(&json_string(key));
        self.buf.push(':');
    }

    /// Add a string field.
    pub fn str(mut self, key: &str, value: &str) -> JsonObject {
        self.key(key);
        self.buf.push_str(&json_string(value));
        self
    }

    /// Add a number field (any integer).
    pub fn num(mut self, key: &str, value: impl Display) -> JsonObject {
        self.key(key);
        self.buf.push_str(&value.to_string());
        self
    }

    /// Add a boolean field.
    pub fn bool(mut self, key: &str, value: bool) -> JsonObject {
        self.key(key);
        self.buf.push_str(if value { "true" } else { "false" });
        self
    }

    /// Add a field whose value is JSON text already (an object, an array, `null`).
    pub fn raw(mut self, key: &str, json: &str) -> JsonObject {
        self.key(key);
        self.buf.push_str(json);
        self
    }

    /// Add a string field when the value is present.
    pub fn opt_str(self, key: &str, value: Option<&str>) -> JsonObject {
        match value {
            Some(v) => self.str(key, v),
            None => self,
        }
    }

    /// The object's text.
    pub fn finish(mut self) -> String {
        self.buf.push('}');
        self.buf
    }
}

fn json_string(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len() + 2);
    push_json_str(&mut out, s);
    // Escaping keeps UTF-8 valid.
    String::from_utf8(out).unwrap_or_default()
}

/// Append `s` as a JSON string literal: quoted, with `"`, `\` and control characters
/// escaped (the rest of UTF-8 as it is).
///
/// ```
/// let mut out = Vec::new();
/// tls_licence_tools::report::push_json_str(&mut out, "a\"b\\c\n");
/// assert_eq!(out, br#""a\"b\\c\n""#);
/// ```
pub fn push_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f | 0x7f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// A JSON array of strings.
pub fn string_array<S: AsRef<str>>(items: &[S]) -> String {
    let parts: Vec<String> = items.iter().map(|s| json_string(s.as_ref())).collect();
    format!("[{}]", parts.join(","))
}

/// The fields every ticket report carries: what the ticket says, and when it expires
/// relative to `now`.
pub fn ticket_fields(obj: JsonObject, info: &TicketInfo, now: i64) -> JsonObject {
    let obj = obj
        .str("version", info.version.name())
        .str("identifier", &info.identifier)
        .num("sdkappid", info.sdkappid)
        .num("init_time", info.init_time)
        .num("expire", info.expire)
        .num("expires_at", info.expires_at())
        .str("expires_at_rfc3339", &rfc3339(info.expires_at()))
        .num("remaining_seconds", info.expires_at().saturating_sub(now));
    match &info.userbuf {
        Some(ub) => obj.str("userbuf_base64", &STANDARD.encode(ub)),
        None => obj,
    }
}

/// Why a valid ticket still fails `--min-remaining`, if it does.
pub fn expiring_soon(checked: &Checked, min_remaining: Option<u64>) -> Option<String> {
    let min = i64::try_from(min_remaining?).unwrap_or(i64::MAX);
    let remaining = checked.remaining()?;
    if checked.verdict.is_err() || remaining >= min {
        return None;
    }
    let info = checked.info.as_ref()?;
    Some(format!(
        "the ticket is valid but expires at {} ({} from now), sooner than the {} required by --min-remaining",
        rfc3339(info.expires_at()),
        describe_span(remaining.max(0)),
        describe_span(min),
    ))
}

/// The object `verify --json` prints for one ticket.
///
/// `ok` is whether every check passed (including `--min-remaining`); `valid` whether the
/// ticket itself is valid; `code` is 0 or the server code; `reason` says why not ok;
/// `key` names the key it verified with when several were given.
pub fn verify_object(
    checked: &Checked,
    min_remaining: Option<u64>,
    key_names: &[String],
) -> String {
    let soon = expiring_soon(checked, min_remaining);
    let valid = checked.verdict.is_ok();
    let code = match &checked.verdict {
        Ok(_) => 0,
        Err(f) => f.code().unwrap_or(0),
    };
    let mut obj = JsonObject::new()
        .bool("ok", valid && soon.is_none())
        .bool("valid", valid)
        .num("code", code);
    obj = match (&checked.verdict, &soon) {
        (Err(f), _) => obj.str("reason", &f.to_string()),
        (Ok(_), Some(why)) => obj.str("reason", why),
        (Ok(_), None) => obj,
    };
    if let Some(info) = &checked.info {
        obj = ticket_fields(obj, info, checked.now);
    }
    if let (Ok(i), true) = (&checked.verdict, key_names.len() > 1) {
        obj = obj.opt_str("key", key_names.get(*i).map(String::as_str));
    }
    obj.finish()
}

/// A PrivateMapKey as a JSON object.
pub fn private_map_key_object(pmk: &PrivateMapKey) -> String {
    let obj = JsonObject::new()
        .str("account", &pmk.account)
        .num("sdkappid", pmk.sdkappid);
    let obj = match &pmk.room {
        crate::userbuf::Room::Numeric(id) => obj.num("room_id", id),
        crate::userbuf::Room::Named(name) => obj.str("room_name", name),
    };
    obj.num("expires_at", pmk.expires_at)
        .str("expires_at_rfc3339", &rfc3339(i64::from(pmk.expires_at)))
        .num("privileges", pmk.privileges)
        .raw("privilege_names", &string_array(&pmk.privilege_names()))
        .num("account_type", pmk.account_type)
        .finish()
}

/// The object for a failure that is not a verdict (bad arguments, a file or key
/// problem): `{"ok":false,"error":…,"exit_status":…}`.
pub fn error_object(message: &str, exit_status: u8) -> String {
    JsonObject::new()
        .bool("ok", false)
        .str("error", message)
        .num("exit_status", exit_status)
        .finish()
}
