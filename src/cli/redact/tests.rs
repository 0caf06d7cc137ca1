use super::*;

#[test]
fn example_has_secret_shape() {
    assert!(has_secret_shape(
        b"out/5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
    ));
    assert!(!has_secret_shape(b"sig"));
}

#[test]
fn example_scrub() {
    let secret = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
    assert_eq!(
        scrub(&format!("cannot read key file './{secret}': no such file")),
        "cannot read key file './[redacted]': no such file"
    );
    assert_eq!(
        scrub("identifier 0123456789abcdef0123456789abcdef"),
        "identifier 0123456789abcdef0123456789abcdef"
    );
}

#[test]
fn example_escape_and_shown() {
    assert_eq!(escape("a\nb\x1b[2J\u{202e}c"), r"a\nb\u{1b}[2J\u{202e}c");
    assert_eq!(escape("plain é"), "plain é");
    assert_eq!(shown(b"a\nverify sig ok"), r"a\nverify sig ok");
    assert_eq!(shown(b"caf\xe9.pem"), r"caf\xe9.pem");
}

const SECRET: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

#[test]
fn secret_shapes_are_hidden() {
    let typo = format!("{}g{}", &SECRET[..10], &SECRET[11..]);
    let two_typos = format!("{}gz{}", &SECRET[..10], &SECRET[12..]);
    let cases = [
        SECRET.to_owned(),
        SECRET.to_uppercase(),
        SECRET[..63].to_owned(),
        SECRET[..48].to_owned(),
        SECRET[1..].to_owned(),
        format!("{SECRET}0"),
        format!("{SECRET}{SECRET}"),
        typo,
        two_typos,
        format!("mysecret{SECRET}"),
        format!("{SECRET}backup"),
    ];
    for secret in &cases {
        for (text, want) in [
            (secret.clone(), MARKER.to_owned()),
            (format!("env:{secret}"), format!("env:{MARKER}")),
            (format!("'./{secret} '"), format!("'./{MARKER} '")),
            (
                format!("cannot read key file 'a/{secret}.pem': no such file"),
                format!("cannot read key file 'a/{MARKER}.pem': no such file"),
            ),
        ] {
            assert_eq!(scrub(&text), want, "{text}");
            assert!(has_secret_shape(text.as_bytes()), "{text}");
        }
    }
}

#[test]
fn other_text_is_left_alone() {
    let fingerprint_like_but_short = "SHA256:0123456789abcdef0123456789abcdef0123456789abcd";
    let cases = [
        "",
        "sig",
        "0123456789abcdef0123456789abcdef", // a 32-hex identifier
        "0123456789abcdef0123456789abcdef0123456789abcde", // 47 hex: too short
        "f47ac10b-58cc-4372-a567-0e02b2c3d479",
        "/home/user/keys/ec_key.pem",
        "cannot read key file 'ec_key.pem': no such file or directory",
        // 48 characters with 3 that are not hex digits.
        "0123456789abcdef0123456789abcdef0123456789abcxyz",
        fingerprint_like_but_short,
        "identifier \"xiaojun\"",
        // Tickets: base64 text with long runs of letters and digits.
        "eAGrVgrxCdYrSy1SslIy0jNQ0gHzi1OyEwsKMlOUrAxNDIDA0MDUCCKTmZKaV5KZlgnWUJGZmJ9VmgfVVJKZmwrUYG5pamZuamRqDtGQWlGQWQQSNzU1NQIaBbUgMx1oYWhOQZZfqquLWZS*eXGZhU9VoVe2RbFjuptpWLmft6V7Yrq*V0ieeWBWZr6tUi0AgEUyVQ__",
    ];
    for text in cases {
        assert_eq!(scrub(text), text);
        assert!(matches!(scrub(text), Cow::Borrowed(_)));
        assert!(!has_secret_shape(text.as_bytes()), "{text}");
    }
}

#[test]
fn a_real_fingerprint_is_secret_shaped_so_it_is_never_passed() {
    // Documented: fingerprints are data, printed without scrub.
    let fp = format!("SHA256:{SECRET}");
    assert_eq!(scrub(&fp), format!("SHA256:{MARKER}"));
}

#[test]
fn tickets_made_by_the_library_are_never_touched() {
    use usersig::Secret;
    use usersig::clock::FixedClock;
    use usersig::issue::TicketRequest;
    let secret = Secret::new(SECRET.as_bytes()).unwrap();
    for n in 0..300 {
        let id = format!("user{n}");
        let ticket = TicketRequest::new(1400001052, &id)
            .unwrap()
            .with_userbuf(format!("buf{n}").as_bytes())
            .sign_v2(&secret, &FixedClock::at(1_700_000_000 + n))
            .unwrap();
        assert!(!secret_shaped_anywhere(&ticket), "{ticket}");
    }
}

fn secret_shaped_anywhere(text: &str) -> bool {
    runs(text.as_bytes()).any(|(s, e)| secret_shaped(&text.as_bytes()[s..e]))
}

#[test]
fn lossless_escapes_backslashes_and_never_scrubs() {
    assert_eq!(escape_lossless(b"x\xff"), r"x\xff");
    assert_eq!(escape_lossless(b"x\\xff"), r"x\\xff");
    assert_eq!(escape_lossless(b"a\nb\x1b\\"), r"a\nb\u{1b}\\");
    assert_eq!(escape_lossless(SECRET.as_bytes()), SECRET);
}

#[test]
fn bytes_that_are_not_utf8_are_kept_around_the_marker() {
    let text = [b"\xff/".as_slice(), SECRET.as_bytes(), b"\xfe"].concat();
    assert_eq!(
        scrub_bytes(&text).as_ref(),
        [b"\xff/".as_slice(), MARKER.as_bytes(), b"\xfe"].concat()
    );
    assert_eq!(shown(&text), r"\xff/[redacted]\xfe");
}

#[test]
fn escapes() {
    for (raw, want) in [
        ("a\nb", r"a\nb"),
        ("a\r\nverify sig ok", r"a\r\nverify sig ok"),
        ("tab\there", r"tab\there"),
        ("\x1b[31mred", r"\u{1b}[31mred"),
        ("\u{9b}31m", r"\u{9b}31m"),
        ("\x7f", r"\u{7f}"),
        ("\0", r"\u{0}"),
        ("rtl\u{202e}txt.exe", r"rtl\u{202e}txt.exe"),
        ("line\u{2028}sep", r"line\u{2028}sep"),
        ("ünïcödé 名前", "ünïcödé 名前"),
    ] {
        assert_eq!(escape(raw), want);
        assert_eq!(shown(raw.as_bytes()), want);
    }
}

#[test]
fn registered_values_are_hidden_whole_and_in_part() {
    // A value unlike a console secret, so no other test's text matches it.
    let value = "Zq9-Registered-Value-Wy7Kx3Lm8Np2Rt5Vb";
    register_secret(format!("{value}\n").as_bytes());
    assert_eq!(scrub(&format!("key {value}!")), format!("key {MARKER}!"));
    // A run of 16 or more characters of it (a message that cut it short).
    assert_eq!(scrub("x \"Wy7Kx3Lm8Np2Rt5Vb\""), format!("x \"{MARKER}\""));
    // Shorter runs, and short values, are not hidden.
    assert_eq!(scrub("Registered Value"), "Registered Value");
    register_secret(b"sig");
    assert_eq!(scrub("sig file"), "sig file");
}

#[test]
fn arguments_register_their_secret_shaped_runs() {
    let other = "0345c13c214c9e350561aa9b921f426769fb351d294772f0eace4e6d773295b0";
    register_arguments([OsStr::new("gen"), OsStr::new(&format!("file:./{other}"))]);
    // The first 40 characters, as a message that shortens an argument shows them.
    assert_eq!(
        scrub(&format!("sdkappid \"{}…\" is not", &other[..40])),
        format!("sdkappid \"{MARKER}…\" is not")
    );
    assert_eq!(scrub("gen"), "gen");
}

mod properties {
    use super::super::*;
    use proptest::prelude::*;

    /// A secret as it might be typed: 48 to 80 hex digits, any case, with up to two
    /// other letters in it.
    fn typed_secret() -> impl Strategy<Value = String> {
        (
            proptest::collection::vec(
                prop::sample::select(b"0123456789abcdefABCDEF".to_vec()),
                48..80,
            ),
            proptest::collection::vec((any::<prop::sample::Index>(), b'g'..=b'z'), 0..=2),
        )
            .prop_map(|(mut hex, typos)| {
                for (at, c) in typos {
                    let i = at.index(hex.len());
                    hex[i] = c;
                }
                String::from_utf8(hex).unwrap()
            })
    }

    /// The bytes [`escape_lossless`] wrote `text` for.
    fn read_back(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            rest = &rest[c.len_utf8()..];
            if c != '\\' {
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                continue;
            }
            let kind = rest.chars().next().expect("an escape after a backslash");
            rest = &rest[1..];
            match kind {
                '\\' => out.push(b'\\'),
                'n' => out.push(b'\n'),
                'r' => out.push(b'\r'),
                't' => out.push(b'\t'),
                'x' => {
                    out.push(u8::from_str_radix(&rest[..2], 16).unwrap());
                    rest = &rest[2..];
                }
                'u' => {
                    let end = rest.find('}').unwrap();
                    let n = u32::from_str_radix(&rest[1..end], 16).unwrap();
                    let c = char::from_u32(n).unwrap();
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                    rest = &rest[end + 1..];
                }
                other => panic!("no escape \\{other} in {text:?}"),
            }
        }
        out
    }

    proptest! {
        #[test]
        fn a_typed_secret_never_survives(
            secret in typed_secret(),
            before in "[^a-zA-Z0-9]{0,3}[ -~]{0,20}[^a-zA-Z0-9]",
            after in "[^a-zA-Z0-9][ -~]{0,20}",
        ) {
            let text = format!("{before}{secret}{after}");
            let scrubbed = scrub(&text);
            prop_assert!(!scrubbed.contains(&secret), "{}", scrubbed);
            prop_assert!(!shown(text.as_bytes()).contains(&secret));
            // Scrubbing is idempotent.
            prop_assert_eq!(scrub(&scrubbed), scrubbed.clone());
        }

        #[test]
        fn text_without_long_runs_is_left_alone(text in "([ -~]{0,15}[^a-zA-Z0-9]){0,8}") {
            prop_assert_eq!(scrub(&text), text.clone());
        }

        #[test]
        fn lossless_text_gives_back_the_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let text = escape_lossless(&bytes);
            prop_assert!(!text.chars().any(needs_escape), "{:?}", text);
            prop_assert_eq!(read_back(&text), bytes);
        }

        #[test]
        fn shown_is_one_line_without_controls(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let s = shown(&bytes);
            prop_assert!(!s.chars().any(needs_escape), "{:?}", s);
        }
    }
}
