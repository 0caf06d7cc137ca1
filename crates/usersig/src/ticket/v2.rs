//! v2 tickets: HMAC-SHA256 keyed with the app's secret, numbers as JSON numbers
//! (docs/FORMAT.md section 4).

use std::cell::RefCell;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::envelope::STANDARD_BASE64_OUT;
use super::fields::{
    Claims, EXPIRE_TOO_LARGE, Malformed, Ticket, TicketInfo, Version, base64_field, no_control,
    opt_str, to_i64, to_sdkappid,
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
    // Written piece by piece (a verify-batch makes one per ticket): no formatter.
    // After the identifier, the labels and the three numbers take at most 88 bytes.
    let room = CONTENT_HEAD.len() + identifier.len() + 88 + userbuf.map_or(0, |ub| ub.len() + 13);
    let mut out = Vec::with_capacity(room);
    out.extend_from_slice(CONTENT_HEAD);
    out.extend_from_slice(identifier.as_bytes());
    // A batch's tickets mostly share the numbers: their text is kept and copied while
    // they stay the same.
    let numbers = (sdkappid, time, expire);
    LAST_NUMBERS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut last) => {
            let (kept, text) = &mut *last;
            if *kept != Some(numbers) {
                text.clear();
                push_numbers(text, numbers);
                *kept = Some(numbers);
            }
            out.extend_from_slice(text);
        }
        Err(_) => push_numbers(&mut out, numbers),
    });
    if let Some(ub) = userbuf {
        out.extend_from_slice(b"TLS.userbuf:");
        out.extend_from_slice(ub.as_bytes());
        out.push(b'\n');
    }
    out
}

/// The numbers of a signed content: sdkappid, time and expire.
type Numbers = (u32, i64, i64);

thread_local! {
    /// The numbers of the signed content last written on this thread, and their text.
    static LAST_NUMBERS: RefCell<(Option<Numbers>, Vec<u8>)> = const { RefCell::new((None, Vec::new())) };
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
    read(obj)
}

/// A v2 ticket's JSON exactly as it is written here (and by the C++ original):
/// `{"TLS.ver":"2.0","TLS.sdkappid":N,"TLS.identifier":"…","TLS.time":N,"TLS.expire":N,`
/// then an optional `"TLS.userbuf":"…",` and `"TLS.sig":"…"}`, with no white space,
/// strings without an escape or control character and numbers of 1 to 19 digits without
/// a leading zero, read without building an object: the same checks, in the same order,
/// as [`parse_object`] on what the strict reader makes of it (a proptest holds the two
/// together). `None` for anything else, which the strict reader then reads.
pub(super) fn parse_plain(text: &str) -> Option<Result<Ticket, Malformed>> {
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
        read(Plain {
            sdkappid,
            identifier,
            time,
            expire,
            userbuf,
            sig,
        })
    })
}

/// Check and take a v2 ticket's members, in this order (the first fault is the one
/// named).
fn read<'a>(m: impl Members<'a>) -> Result<Ticket, Malformed> {
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
    let signature = base64_field(sig, "TLS.sig")?;
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
    use crate::Secret;
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

    /// What the strict reader and [`parse_object`] make of `text`.
    fn strictly(text: &str) -> Result<(TicketInfo, Vec<u8>, Vec<u8>), Malformed> {
        let obj = json::members(text.as_bytes()).map_err(Malformed::Json)?;
        parse_object(&obj).map(|t| (t.info, t.signed_content, t.signature))
    }

    proptest! {
        /// Whatever the plain shape takes, the strict reader and parse_object read to the
        /// same ticket or the same fault; and it takes every ticket JSON written here.
        #[test]
        fn the_plain_shape_reads_as_the_strict_reader_does(
            sdkappid in "(0|1|01|1400001052|4294967296|[1-9][0-9]{0,20}|-1|1\\.0|\"1\")",
            id in "[a-z0-9\"\\\\\u{0}\u{1f}\u{7f}\u{85}\u{e9}\u{202e} ]{0,12}",
            time in "(0|00|1795675257|9223372036854775807|9223372036854775808|[1-9][0-9]{0,20}|1e3)",
            expire in "(0|86400|[1-9][0-9]{0,19})",
            userbuf in proptest::option::of("[A-Za-z0-9+/=*_\\\\]{0,12}"),
            sig in "[A-Za-z0-9+/=*_\\\\ ]{0,48}",
            tail in "(|,|,\"x\":1| | \\})",
        ) {
            let ub = userbuf.map(|u| format!(r#","TLS.userbuf":"{u}""#)).unwrap_or_default();
            let text = format!(
                r#"{{"TLS.ver":"2.0","TLS.sdkappid":{sdkappid},"TLS.identifier":"{id}","TLS.time":{time},"TLS.expire":{expire}{ub},"TLS.sig":"{sig}"{tail}}}"#
            );
            if let Some(plain) = parse_plain(&text) {
                let plain = plain.map(|t| (t.info, t.signed_content, t.signature));
                prop_assert_eq!(plain, strictly(&text), "{}", text);
            }
        }

        #[test]
        fn every_ticket_written_here_takes_the_plain_shape(
            id in "[a-zA-Z0-9_@.\u{e9}\u{4e00}-]{1,16}",
            sdkappid in 1u32..,
            time in 0i64..=i64::from(u32::MAX) * 4,
            expire in 0u32..,
            userbuf in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
        ) {
            let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e").unwrap();
            let layout = Layout::new(sdkappid, time, expire, userbuf.as_deref());
            let mut out = Vec::new();
            layout.push_json(&secret, &id, &mut out);
            let text = String::from_utf8(out).unwrap();
            let plain = parse_plain(&text).map(|r| r.map(|t| (t.info, t.signed_content, t.signature)));
            prop_assert_eq!(plain, Some(strictly(&text)), "{}", text);
        }
    }

    /// `TLS.expire` is read as the reference reads it, an unsigned 32-bit number: 2^32
    /// or more is malformed (70003), whichever reader takes the JSON. `TLS.time` is any
    /// number to i64::MAX: past 2^31 (2038) and 2^32 (2106) too.
    #[test]
    fn expire_is_32_bits_and_time_is_64() {
        let json = |time: &str, expire: &str| {
            let plain = format!(
                r#"{{"TLS.ver":"2.0","TLS.sdkappid":1,"TLS.identifier":"a","TLS.time":{time},"TLS.expire":{expire},"TLS.sig":"YWJj"}}"#
            );
            // The same object off the plain shape: the strict reader takes it.
            let spaced = plain.replacen('{', "{ ", 1);
            assert!(parse_plain(&spaced).is_none());
            [plain, spaced]
        };
        let read = |text: &str| crate::ticket::parse_json(text.as_bytes()).map(|t| t.info);
        let too_long = Malformed::BadValue {
            field: "TLS.expire",
            why: "is larger than 4294967295, the most Tencent's servers read (a 32-bit number of seconds)",
        };
        assert_eq!(
            too_long.fix(),
            Some(
                "issue a new ticket, valid for at most 50 years: Tencent's servers refuse this one"
            )
        );
        for expire in [
            "4294967296",
            "4294967297",
            "9223372036854775807",
            "18446744073709551615",
        ] {
            for text in json("1795675257", expire) {
                assert_eq!(read(&text), Err(too_long.clone()), "{text}");
            }
        }
        for text in json("1795675257", "4294967295") {
            let info = read(&text).unwrap();
            assert_eq!(
                (info.init_time, info.expire),
                (1_795_675_257, 4_294_967_295)
            );
        }
        let times = [
            (1i64 << 31) - 1,
            1 << 31,
            (1 << 32) - 1,
            1 << 32,
            1 << 40,
            i64::MAX,
        ];
        for time in times {
            for text in json(&time.to_string(), "86400") {
                let info = read(&text).unwrap();
                assert_eq!((info.init_time, info.expire), (time, 86400), "{text}");
                assert_eq!(info.expires_at(), time.saturating_add(86400));
            }
        }
        for text in json("9223372036854775808", "86400") {
            let why = "is too large";
            let want = Malformed::BadValue {
                field: "TLS.time",
                why,
            };
            assert_eq!(read(&text), Err(want), "{text}");
        }
    }

    #[test]
    fn off_the_plain_shape_goes_to_the_strict_reader() {
        let good = r#"{"TLS.ver":"2.0","TLS.sdkappid":1,"TLS.identifier":"a","TLS.time":2,"TLS.expire":3,"TLS.sig":"YWJj"}"#;
        assert!(matches!(parse_plain(good), Some(Ok(_))));
        for (from, to) in [
            (r#""2.0""#, r#""2.00""#),
            (r#":1,"#, r#":01,"#),
            (r#":1,"#, r#":1.0,"#),
            (r#":1,"#, r#":12345678901234567890,"#),
            (r#"":"a""#, r#"":"a\u0062""#),
            (r#"{"#, r#"{ "#),
            (r#""}"#, r#"" }"#),
            (r#""}"#, r#"","TLS.sig":"YWJj"}"#),
            (
                r#""TLS.time":2,"TLS.expire":3"#,
                r#""TLS.expire":3,"TLS.time":2"#,
            ),
        ] {
            let text = good.replacen(from, to, 1);
            assert_ne!(text, good);
            assert!(parse_plain(&text).is_none(), "{text}");
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
