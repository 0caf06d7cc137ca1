use super::*;
use proptest::prelude::*;

#[test]
fn label_values_are_escaped() {
    let cases = [
        ("plain", "plain"),
        ("a\\b", "a\\\\b"),
        ("say \"hi\"", "say \\\"hi\\\""),
        ("two\nlines", "two\\nlines"),
        ("\\\"\n", "\\\\\\\"\\n"),
    ];
    for (raw, want) in cases {
        assert_eq!(escape_label(raw), want, "{raw:?}");
    }
}

#[test]
fn labels_escape_bytes_backslashes_and_controls_then_the_format() {
    let cases: [(&[u8], &str); 8] = [
        (b"/srv/im/bot.sig", "/srv/im/bot.sig"),
        (b"x\xff", r"x\\xff"),
        (b"x\xfe", r"x\\xfe"),
        // The four characters x \ x f f: the backslash is doubled, then doubled again.
        (b"x\\xff", r"x\\\\xff"),
        (b"say \"hi\"", r#"say \"hi\""#),
        (b"two\nlines\r", r"two\\nlines\\r"),
        (
            "e\u{1b}[2J\u{9b}\u{202e}\u{2028}".as_bytes(),
            r"e\\u{1b}[2J\\u{9b}\\u{202e}\\u{2028}",
        ),
        ("名前 é".as_bytes(), "名前 é"),
    ];
    for (raw, want) in cases {
        assert_eq!(label(raw), want, "{raw:?}");
    }
}

/// The label value as a scraper reads it back: the exposition format's escapes undone.
fn unescape_label(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '\\' => match chars.next() {
                Some('n') => '\n',
                Some(c) => c,
                None => panic!("a lone backslash in {text:?}"),
            },
            c => c,
        });
    }
    out
}

/// Bytes near one another: the characters of the escapes, and bytes that are not
/// UTF-8 or start a character, so that random names come close to colliding.
fn name() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop::sample::select(b"x\\f0u{}n\"\n\r\xff\xfe\xc2\x9b\xe2\x80\xaeab".to_vec()),
        0..12,
    )
}

proptest! {
    #[test]
    fn different_names_never_share_a_label(a in name(), b in name()) {
        let (la, lb) = (label(&a), label(&b));
        prop_assert_eq!(a == b, la == lb, "{:?} {:?} -> {} {}", a, b, la, lb);
        // As a scraper reads them back, they differ too, and hold no control character.
        let (ua, ub) = (unescape_label(&la), unescape_label(&lb));
        prop_assert_eq!(a == b, ua == ub);
        prop_assert!(!ua.chars().any(redact::needs_escape), "{:?}", ua);
    }

    #[test]
    fn any_bytes_give_one_line_without_a_lone_quote(a in proptest::collection::vec(any::<u8>(), 0..40)) {
        let l = label(&a);
        prop_assert!(!l.chars().any(redact::needs_escape), "{:?}", l);
        prop_assert_eq!(redact::escape_lossless(&a), unescape_label(&l));
    }
}
