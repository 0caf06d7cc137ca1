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
    let mut writer = ContentWriter::default();
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
                let got = writer.write("u", app, m, n, Some("YWJj"));
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
        if let Some(plain) = parse_plain(&text, &mut ContentWriter::default()) {
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
        let plain = parse_plain(&text, &mut ContentWriter::default()).map(|r| r.map(|t| (t.info, t.signed_content, t.signature)));
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
        assert!(parse_plain(&spaced, &mut ContentWriter::default()).is_none());
        [plain, spaced]
    };
    // The general path, and the plain shape where it takes the text: the same.
    let read = |text: &str| {
        let general = crate::ticket::parse_json(text.as_bytes()).map(|t| t.info);
        if let Some(plain) = parse_plain(text, &mut ContentWriter::default()) {
            assert_eq!(plain.map(|t| t.info), general, "{text}");
        }
        general
    };
    let too_long = Malformed::BadValue {
        field: "TLS.expire",
        why: "is larger than 4294967295, the most Tencent's servers read (a 32-bit number of seconds)",
    };
    assert_eq!(
        too_long.fix(),
        Some("issue a new ticket, valid for at most 50 years: Tencent's servers refuse this one")
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
    assert!(matches!(
        parse_plain(good, &mut ContentWriter::default()),
        Some(Ok(_))
    ));
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
        assert!(
            parse_plain(&text, &mut ContentWriter::default()).is_none(),
            "{text}"
        );
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
