//! Machine-readable results: the JSON objects that `--json` prints, one per result, with
//! their fields in a fixed, readable order. The batch commands print the same objects.

use std::fmt::Display;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use tls_licence_tools::clock::{describe_span, rfc3339};
use tls_licence_tools::json::{self, Escape};
use tls_licence_tools::ticket::TicketInfo;
use tls_licence_tools::userbuf::{PrivateMapKey, Room};
use tls_licence_tools::verify::Checked;

use super::redact;

/// A JSON object written field by field, in the order the fields are added.
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

    /// Add a field naming something the user gave: a path, a key's name. The text is
    /// scrubbed of anything shaped like a secret ([`redact::scrub_bytes`]); when the
    /// bytes left are not UTF-8 (a Unix file name can be any bytes), the field holds them
    /// with each invalid sequence replaced by U+FFFD, and a second field `<key>_base64`
    /// holds them exactly, in standard base64.
    pub fn name(self, key: &str, raw: &[u8]) -> JsonObject {
        let bytes = redact::scrub_bytes(raw);
        match std::str::from_utf8(&bytes) {
            Ok(text) => self.str(key, text),
            Err(_) => self
                .str(key, &String::from_utf8_lossy(&bytes))
                .str(&format!("{key}_base64"), &STANDARD.encode(&bytes)),
        }
    }

    /// The object's text.
    pub fn finish(mut self) -> String {
        self.buf.push('}');
        self.buf
    }
}

/// A string as shown in the JSON output: every character a terminal could act on escaped.
fn json_string(s: &str) -> String {
    json::string(s, Escape::Display)
}

/// Append `s` as a JSON string literal as shown in the JSON output (see
/// [`json_string`]).
pub fn push_json_str(out: &mut Vec<u8>, s: &str) {
    json::push_string(out, s, Escape::Display);
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
        // An identifier has at most 32 bytes; a longer one shaped like a secret (made
        // with --allow-any-identifier) is not shown.
        .str("identifier", &redact::scrub(&info.identifier))
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
/// `key` names the key it verified with when several were given (see
/// [`JsonObject::name`]). The reason is scrubbed of secrets ([`redact::scrub`]): it may
/// quote the identifier asked for.
pub fn verify_object(
    checked: &Checked,
    min_remaining: Option<u64>,
    key_names: &[Vec<u8>],
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
        (Err(f), _) => obj.str("reason", &redact::scrub(&super::hints::failure(f))),
        (Ok(_), Some(why)) => obj.str("reason", &redact::scrub(why)),
        (Ok(_), None) => obj,
    };
    if let Some(info) = &checked.info {
        obj = ticket_fields(obj, info, checked.now);
    }
    if let (Ok(i), true) = (&checked.verdict, key_names.len() > 1)
        && let Some(name) = key_names.get(*i)
    {
        obj = obj.name("key", name);
    }
    obj.finish()
}

/// A PrivateMapKey as a JSON object.
pub fn private_map_key_object(pmk: &PrivateMapKey) -> String {
    let obj = JsonObject::new()
        .str("account", &pmk.account)
        .num("sdkappid", pmk.sdkappid);
    let obj = match &pmk.room {
        Room::Numeric(id) => obj.num("room_id", id),
        Room::Named(name) => obj.str("room_name", name),
    };
    obj.num("expires_at", pmk.expires_at)
        .str("expires_at_rfc3339", &rfc3339(i64::from(pmk.expires_at)))
        .num("privileges", pmk.privileges)
        .raw("privilege_names", &string_array(&pmk.privilege_names()))
        .num("account_type", pmk.account_type)
        .finish()
}

/// The object for a failure that is not a verdict (bad arguments, a file or key
/// problem): `{"ok":false,"error":…,"exit_status":…}`. The message is scrubbed of
/// secrets ([`redact::scrub`]).
pub fn error_object(message: &str, exit_status: u8) -> String {
    JsonObject::new()
        .bool("ok", false)
        .str("error", &redact::scrub(message))
        .num("exit_status", exit_status)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_fields_in_order_and_escaped() {
        let json = JsonObject::new()
            .bool("ok", true)
            .str("id", "a\"b")
            .num("n", -3)
            .finish();
        assert_eq!(json, r#"{"ok":true,"id":"a\"b","n":-3}"#);
    }

    #[test]
    fn example_name_keeps_bytes_that_are_not_utf8_in_base64() {
        assert_eq!(
            JsonObject::new().name("sig_file", b"sig").finish(),
            r#"{"sig_file":"sig"}"#
        );
        assert_eq!(
            JsonObject::new().name("sig_file", b"s\xffg").finish(),
            "{\"sig_file\":\"s\u{fffd}g\",\"sig_file_base64\":\"c/9n\"}"
        );
    }

    const SECRET: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

    #[test]
    fn error_objects_are_scrubbed() {
        let json = error_object(
            &format!("error: environment variable {SECRET} is not set"),
            3,
        );
        assert_eq!(
            json,
            r#"{"ok":false,"error":"error: environment variable [redacted] is not set","exit_status":3}"#
        );
    }

    #[test]
    fn name_fields() {
        let name = |raw: &[u8]| JsonObject::new().name("sig_file", raw).finish();
        assert_eq!(name(b"dir/sig"), r#"{"sig_file":"dir/sig"}"#);
        assert_eq!(name("naïve\n".as_bytes()), r#"{"sig_file":"naïve\n"}"#);
        assert_eq!(
            name(format!("./{SECRET}").as_bytes()),
            r#"{"sig_file":"./[redacted]"}"#
        );
        // Not UTF-8: the text with U+FFFD, and the bytes in base64 (scrubbed first).
        let raw = [b"\xff/".as_slice(), SECRET.as_bytes()].concat();
        assert_eq!(
            name(&raw),
            "{\"sig_file\":\"\u{fffd}/[redacted]\",\"sig_file_base64\":\"/y9bcmVkYWN0ZWRd\"}"
        );
    }
}
