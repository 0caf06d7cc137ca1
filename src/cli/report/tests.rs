use super::*;
use proptest::prelude::*;

proptest! {
    /// A gen-batch line is byte for byte what serde writes for the same values, and a
    /// failed ticket leaves nothing behind.
    #[test]
    fn a_gen_batch_line_is_what_serde_writes(
        identifier in prop_oneof![any::<String>(), "[ -~\u{7f}-\u{a0}\u{2028}\u{202e}]{0,12}"],
        usersig in "[A-Za-z0-9*_-]{0,300}",
        expires_at in any::<i64>(),
    ) {
        let mut out = b"x\n".to_vec();
        GenBatchLines::new(expires_at)
            .push(&mut out, &identifier, |out| {
                out.extend_from_slice(usersig.as_bytes());
                Ok::<(), ()>(())
            })
            .unwrap();
        let mut want = b"x\n".to_vec();
        push_line(&mut want, &GenBatchLine { identifier: &identifier, usersig: &usersig, expires_at });
        prop_assert_eq!(String::from_utf8(out).unwrap(), String::from_utf8(want).unwrap());
        let mut out = b"x\n".to_vec();
        let failed = GenBatchLines::new(expires_at).push(&mut out, &identifier, |out| {
            out.extend_from_slice(b"half");
            Err("no")
        });
        prop_assert_eq!(failed, Err("no"));
        prop_assert_eq!(out, b"x\n");
    }
}

proptest! {
    /// Any string is written exactly as the library's display escaper writes it, and
    /// reads back as itself.
    #[test]
    fn every_string_is_escaped_by_the_one_escaper(s in any::<String>()) {
        let line = to_line(&s);
        prop_assert_eq!(&line, &json::string(&s, Escape::Display));
        prop_assert_eq!(serde_json::from_str::<String>(&line).unwrap(), s);
    }
}

fn ticket_fields() -> impl Strategy<Value = TicketFields> {
    (
        prop_oneof![Just("v1"), Just("v2"), Just("v1-plain-json")],
        proptest::option::of(any::<String>()),
        proptest::option::of(any::<String>()),
        any::<u32>(),
        (any::<i64>(), any::<i64>(), any::<i64>(), any::<i64>()),
        any::<String>(),
        proptest::option::of("[A-Za-z0-9+/=]{0,12}"),
    )
        .prop_map(
            |(version, identifier, ticket_identifier, sdkappid, n, rfc, ub)| TicketFields {
                version,
                identifier,
                ticket_identifier,
                sdkappid,
                init_time: n.0,
                expire: n.1,
                expires_at: n.2,
                expires_at_rfc3339: rfc,
                remaining_seconds: n.3,
                userbuf_base64: ub,
            },
        )
}

proptest! {
    /// verify-batch's own writer writes every report exactly as serde does.
    #[test]
    fn the_verify_line_writer_writes_what_serde_writes(
        (ok, valid) in (any::<bool>(), any::<bool>()),
        line in proptest::option::of(any::<u64>()),
        asked in proptest::option::of(any::<String>()),
        code in any::<u32>(),
        reason in proptest::option::of(any::<String>()),
        ticket in proptest::option::of(ticket_fields()),
        key in proptest::option::of(any::<String>()),
        key_base64 in proptest::option::of("[A-Za-z0-9+/=]{0,12}"),
    ) {
        let report = VerifyReport { ok, line, asked, valid, code, reason, ticket, key, key_base64 };
        let mut fast = Vec::new();
        VerifyBatchLines::default().push_report(&report, &mut fast);
        let mut serde = Vec::new();
        push_line(&mut serde, &report);
        prop_assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(serde).unwrap());
    }
}

proptest! {
    /// Reports written one after another on one thread (the times written once and
    /// copied while they stay the same) are each what serde writes.
    #[test]
    fn the_verify_line_writer_keeps_no_stale_times(
        tickets in prop::collection::vec(proptest::option::weighted(0.7, ticket_fields()), 1..8),
        repeat in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let mut all: Vec<Option<TicketFields>> = tickets;
        // Repeats and near-repeats of earlier tickets: one value changed at a time.
        for (i, at) in repeat.iter().enumerate() {
            let Some(Some(t)) = all.get(at.index(all.len())) else { continue };
            let mut t = t.clone();
            match i % 7 {
                0 => {}
                1 => t.sdkappid ^= 1,
                2 => t.init_time ^= 1,
                3 => t.expire ^= 1,
                4 => t.expires_at ^= 1,
                5 => t.expires_at_rfc3339.push('x'),
                _ => t.remaining_seconds ^= 1,
            }
            all.push(Some(t));
        }
        let mut lines = VerifyBatchLines::default();
        for ticket in all {
            let report = VerifyReport {
                ok: true, line: Some(1), asked: None, valid: true, code: 0, reason: None,
                ticket, key: None, key_base64: None,
            };
            let mut fast = Vec::new();
            lines.push_report(&report, &mut fast);
            let mut serde = Vec::new();
            push_line(&mut serde, &report);
            prop_assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(serde).unwrap());
        }
    }
}

proptest! {
    /// verify-batch's line writer writes what for_line then push_line write, line
    /// after line on one thread: valid or not, for the identifier asked or another,
    /// with or without a userbuf, expiring or not, with identifiers to escape or hide.
    #[test]
    fn the_batch_line_writer_writes_what_the_report_writes(
        lines in prop::collection::vec(
            (
                prop_oneof![
                    Just("user0000001".to_owned()),
                    "[ -~\u{7f}-\u{a0}\u{202e}é]{0,12}",
                    Just("sk-0123456789abcdefABCDEF0123456789".to_owned()),
                ],
                any::<bool>(),
                prop_oneof![Just(0u32), Just(1400001052), any::<u32>()],
                (prop_oneof![Just(1_795_764_305i64), any::<i64>()], prop_oneof![Just(15_552_000i64), 0..86_400i64 * 400]),
                proptest::option::weighted(0.2, proptest::collection::vec(any::<u8>(), 0..6)),
                (0u8..4, prop_oneof![Just(1_800_000_000i64), any::<i64>()]),
                proptest::option::of(prop_oneof![Just(0u64), Just(86_400 * 300), any::<u64>()]),
                any::<u64>(),
                0usize..3,
            ),
            1..12,
        ),
    ) {
        let mut writer = VerifyBatchLines::default();
        for (id, same, sdkappid, (init_time, expire), userbuf, (verdict, now), min, line, keys) in lines {
            let info = TicketInfo {
                version: usersig::ticket::Version::V2,
                identifier: id.clone(),
                sdkappid,
                init_time,
                expire,
                userbuf,
            };
            let asked = if same { id.clone() } else { format!("{id}x") };
            let verdict = match verdict {
                0 => Ok(0),
                1 => Ok(keys.saturating_sub(1)),
                2 => Err(usersig::verify::Failure::IdentifierMismatch { ticket: id.clone(), asked: asked.clone() }),
                _ => Err(usersig::verify::Failure::SdkAppIdMismatch { ticket: sdkappid, asked: 1 }),
            };
            let checked = Checked { info: Some(info), verdict, now };
            // None, one, or two keys given (the second with a name that is not UTF-8).
            let names = [b"public.pem".to_vec(), b"old\xff.pem".to_vec()];
            let key_names = &names[..keys];
            let report = VerifyReport::for_line(&checked, min, key_names, line, &asked);
            let mut want = Vec::new();
            push_line(&mut want, &report);
            let mut got = b"x".to_vec();
            let (valid, ok) = writer.push_for_line(&checked, min, key_names, line, &asked, &mut got);
            prop_assert_eq!(String::from_utf8(got[1..].to_vec()).unwrap(), String::from_utf8(want).unwrap());
            prop_assert_eq!((valid, ok), (report.valid, report.ok));
        }
    }
}

#[test]
fn the_verify_line_writer_handles_the_extremes() {
    for n in [0, 1, -1, 9, 10, -10, i64::MAX, i64::MIN] {
        let report = VerifyReport {
            ok: true,
            line: Some(n.unsigned_abs()),
            asked: None,
            valid: false,
            code: 70001,
            reason: None,
            ticket: Some(TicketFields {
                version: "v2",
                identifier: None,
                ticket_identifier: None,
                sdkappid: u32::MAX,
                init_time: n,
                expire: n,
                expires_at: n,
                expires_at_rfc3339: String::new(),
                remaining_seconds: n,
                userbuf_base64: None,
            }),
            key: None,
            key_base64: None,
        };
        let mut fast = Vec::new();
        VerifyBatchLines::default().push_report(&report, &mut fast);
        let mut serde = Vec::new();
        push_line(&mut serde, &report);
        assert_eq!(fast, serde, "{n}");
    }
}

#[test]
fn strings_are_escaped_for_display() {
    let line = to_line(&ErrorReport {
        ok: false,
        error: "a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{1b}\u{7f}\u{9b}\u{202e}\u{2028}é/".into(),
        exit_status: 2,
    });
    assert_eq!(
        line,
        r#"{"ok":false,"error":"a\"b\\c\n\r\t\u0008\u000c\u0001\u001b\u007f\u009b\u202e\u2028é/","exit_status":2}"#
    );
    // Exactly what the library's escaper writes, for every character up to U+00FF.
    for c in (0u32..=0xff).filter_map(char::from_u32) {
        let s = format!("x{c}y");
        assert_eq!(to_line(&s), json::string(&s, Escape::Display), "{c:?}");
    }
}

#[test]
fn names_keep_bytes_that_are_not_utf8_in_base64() {
    assert_eq!(name(b"sig"), ("sig".into(), None));
    assert_eq!(name(b"s\xffg"), ("s\u{fffd}g".into(), Some("c/9n".into())));
}

const SECRET: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

#[test]
fn error_objects_are_scrubbed() {
    let json = error_object(&format!("environment variable {SECRET} is not set"), 3);
    assert_eq!(
        json,
        r#"{"ok":false,"error":"environment variable [redacted] is not set","exit_status":3}"#
    );
}

#[test]
fn name_fields() {
    let shown = |raw: &[u8]| {
        let (sig_file, sig_file_base64) = name(raw);
        to_line(&KeptLike {
            sig_file,
            sig_file_base64,
        })
    };
    #[derive(Serialize)]
    struct KeptLike {
        sig_file: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        sig_file_base64: Option<String>,
    }
    assert_eq!(shown(b"dir/sig"), r#"{"sig_file":"dir/sig"}"#);
    assert_eq!(shown("naïve\n".as_bytes()), r#"{"sig_file":"naïve\n"}"#);
    assert_eq!(
        shown(format!("./{SECRET}").as_bytes()),
        r#"{"sig_file":"./[redacted]"}"#
    );
    // Not UTF-8: the text with U+FFFD, and the bytes in base64 (scrubbed first).
    let raw = [b"\xff/".as_slice(), SECRET.as_bytes()].concat();
    assert_eq!(
        shown(&raw),
        "{\"sig_file\":\"\u{fffd}/[redacted]\",\"sig_file_base64\":\"/y9bcmVkYWN0ZWRd\"}"
    );
}

#[test]
fn dump_json_escapes_what_a_terminal_acts_on_and_keeps_the_value() {
    let raw = "{\"a\\\"\u{202e}\":\r[\"\u{9b}\\u001b\u{2028}\",\t1]\n}";
    let report = DumpReport::new("v2", raw).unwrap();
    assert_eq!(
        report.json.get(),
        r#"{"a\"\u202e": ["\u009b\u001b\u2028", 1] }"#
    );
    let got: serde_json::Value = serde_json::from_str(report.json.get()).unwrap();
    assert_eq!(got, serde_json::from_str::<serde_json::Value>(raw).unwrap());
}

/// Text for JSON strings with what display escaping changes, and what JSON escapes.
fn hostile_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop::sample::select(vec![
            'a', '"', '\\', '/', '\n', '\r', '\u{1b}', '\u{7f}', '\u{9b}', '\u{85}', '\u{2028}',
            '\u{2029}', '\u{202e}', '\u{2066}', '\u{61c}', 'é', '名',
        ]),
        0..8,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #[test]
    fn dump_json_is_the_same_value_without_raw_hazards(
        members in proptest::collection::vec((hostile_text(), hostile_text()), 0..5),
        spaces in proptest::collection::vec(
            prop::sample::select(vec!["", " ", "\t", "\n", "\r", "\r\n "]),
            32,
        ),
    ) {
        // serde_json escapes C0 and keeps DEL, C1 and the others raw, as JSON allows.
        let mut raw = String::from("{");
        for (i, (name, value)) in members.iter().enumerate() {
            if i > 0 {
                raw.push(',');
            }
            raw.push_str(spaces[(2 * i) % 32]);
            raw.push_str(&serde_json::to_string(name).unwrap());
            raw.push(':');
            raw.push_str(spaces[(2 * i + 1) % 32]);
            raw.push_str(&serde_json::to_string(value).unwrap());
        }
        raw.push_str(spaces[31]);
        raw.push('}');
        let report = DumpReport::new("v1", &raw).unwrap();
        let shown = report.json.get();
        prop_assert!(!shown.chars().any(redact::needs_escape), "{:?}", shown);
        let got: serde_json::Value = serde_json::from_str(shown).unwrap();
        prop_assert_eq!(got, serde_json::from_str::<serde_json::Value>(&raw).unwrap());
        if !raw.chars().any(redact::needs_escape) {
            prop_assert_eq!(shown, raw.as_str());
        }
    }
}

#[test]
fn raw_json_is_kept_byte_for_byte() {
    let json = r#"{"TLS.ver":"2.0","TLS.identifier":"a\u001bb"}"#;
    let line = to_line(&DumpReport {
        ok: true,
        version: "v2",
        json: RawValue::from_string(json.into()).unwrap(),
    });
    assert_eq!(
        line,
        format!(r#"{{"ok":true,"version":"v2","json":{json}}}"#)
    );
}
