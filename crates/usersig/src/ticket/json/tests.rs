use super::flat::{flat_object, string_stop};
use super::strict::LINEAR_MEMBERS;
use super::*;
use proptest::prelude::*;
use std::borrow::Cow;

#[test]
fn json_escape_is_what_serde_json_writes() {
    // Every character up to U+00A0, and the ones Display adds: Escape::Json writes
    // exactly serde_json's literal (and the C++ original's for printable text).
    let mut all: String = (0u32..=0xa0).filter_map(char::from_u32).collect();
    all.push_str("\u{2028}\u{202e}é小军");
    for c in all.chars() {
        let s = format!("a{c}b");
        assert_eq!(
            string(&s, Escape::Json),
            serde_json::to_string(&s).unwrap(),
            "{c:?}"
        );
    }
}

#[test]
fn display_escape_leaves_no_control_or_reordering_character() {
    let cases: &[(&str, &str)] = &[
        ("plain", r#""plain""#),
        ("a\"b\\c", r#""a\"b\\c""#),
        ("\n\r\t", r#""\n\r\t""#),
        ("\u{8}\u{c}\u{0}", r#""\u0008\u000c\u0000""#),
        ("\u{7f}\u{85}\u{9b}", r#""\u007f\u0085\u009b""#),
        (
            "\u{2028}\u{2029}\u{202a}\u{202e}",
            r#""\u2028\u2029\u202a\u202e""#,
        ),
        (
            "\u{61c}\u{200e}\u{200f}\u{2066}\u{2069}",
            r#""\u061c\u200e\u200f\u2066\u2069""#,
        ),
        ("é小军", r#""é小军""#),
    ];
    for (raw, want) in cases {
        assert_eq!(string(raw, Escape::Display), *want, "{raw:?}");
        let back: String = serde_json::from_str(want).unwrap();
        assert_eq!(back, *raw);
    }
}

#[test]
fn repeated_names_are_refused_at_every_depth_and_after_unescaping() {
    let dup = |name: &str| JsonError::DuplicateMember(name.into());
    let cases: &[(&str, JsonError)] = &[
        (r#"{"a":1,"a":1}"#, dup("a")),
        (r#"{"a":1,"b":2,"a":"x"}"#, dup("a")),
        (r#"{"x":{"a":1,"a":2}}"#, dup("a")),
        (r#"{"x":[{"y":[{"a":1,"a":2}]}]}"#, dup("a")),
        (
            r#"{"TLS.identif\u0069er":"a","TLS.identifier":"b"}"#,
            dup("TLS.identifier"),
        ),
        (
            r#"{"TLS.identifier":"a","TLS.identif\u0069er":"b"}"#,
            dup("TLS.identifier"),
        ),
        (r#"{"\u0054LS.ver":"2.0","TLS.ver":"2.0"}"#, dup("TLS.ver")),
        (r#"{"a\/b":1,"a/b":2}"#, dup("a/b")),
        (r#"{"\ud83d\ude00":1,"😀":2}"#, dup("😀")),
    ];
    for (text, want) in cases {
        assert_eq!(object(text.as_bytes()).as_ref(), Err(want), "{text}");
    }
    // Same-named members in different objects are not repeats.
    let ok = object(br#"{"a":{"a":1},"b":[{"a":2},{"a":3}]}"#).unwrap();
    assert_eq!(ok["b"][1]["a"], 3);
}

#[test]
fn other_differentials_are_refused() {
    for text in [
        r#"{"a":"\ud800"}"#,
        r#"{"a":"\udc00x"}"#,
        r#"{"\ud800":1}"#,
        r#"{"a":1}x"#,
        r#"{"a":1}{"a":2}"#,
        "{\"a\":\"\n\"}",
        r#"{"a":01}"#,
        "",
    ] {
        assert!(
            matches!(object(text.as_bytes()), Err(JsonError::Syntax(_))),
            "{text}"
        );
    }
    assert_eq!(
        object(br#"{"TLS.identifier\u0000":"admin"}"#),
        Err(JsonError::ControlInName("TLS.identifier\0".into()))
    );
    assert_eq!(object(b"\"a\""), Err(JsonError::NotAnObject));
    // A NUL inside a value is read as it stands; the ticket decides about it.
    assert_eq!(object(br#"{"a":"x\u0000y"}"#).unwrap()["a"], "x\0y");
}

#[test]
fn repeats_are_found_in_objects_of_every_size() {
    // Past LINEAR_MEMBERS the reader looks names up in a set: the same answers.
    for size in [
        1,
        2,
        LINEAR_MEMBERS - 1,
        LINEAR_MEMBERS,
        LINEAR_MEMBERS + 1,
        500,
    ] {
        let names: Vec<String> = (0..size).map(|i| format!("m{i}")).collect();
        let body: Vec<String> = names.iter().map(|n| format!("\"{n}\":1")).collect();
        let unique = format!("{{{}}}", body.join(","));
        let obj = members(unique.as_bytes()).unwrap();
        assert_eq!(obj.len(), size);
        assert_eq!(obj.get(&names[size - 1]), Some(&Json::Number(1.into())));
        for repeat in [0, size / 2, size - 1] {
            // The repeat written with an escape, so that it is compared unescaped.
            let escaped = names[repeat].replacen('m', "\\u006d", 1);
            let text = format!("{{{},\"{escaped}\":2}}", body.join(","));
            let want = Err(JsonError::DuplicateMember(names[repeat].clone()));
            assert_eq!(members(text.as_bytes()), want, "{size} {repeat}");
            assert_eq!(object(text.as_bytes()), want.map(|_| Map::new()));
        }
    }
}

#[test]
fn strings_without_escapes_are_borrowed() {
    let text = br#"{"plain":"xiaojun","esc\u0061ped":"a\nb","n":[1,-2,0.5]}"#;
    let obj = members(text).unwrap();
    let names: Vec<&str> = obj.iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["plain", "escaped", "n"]);
    assert!(matches!(
        obj.get("plain"),
        Some(Json::String(Cow::Borrowed("xiaojun")))
    ));
    assert!(matches!(obj.get("escaped"), Some(Json::String(Cow::Owned(s))) if s == "a\nb"));
    assert_eq!(
        obj.clone().into_map(),
        serde_json::from_slice::<Map<String, Value>>(text).unwrap()
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(object(deep.as_bytes()), Err(JsonError::Syntax(_))));
}

#[test]
fn messages_are_one_line_and_short() {
    let long = format!(r#"{{"{n}":1,"{n}":2}}"#, n = "n\\n".repeat(100));
    let msg = object(long.as_bytes()).unwrap_err().to_string();
    assert!(!msg.contains('\n') && msg.len() < 200, "{msg}");
}

/// JSON text shaped like an object, with pieces valid and not around what the flat
/// reader decides on.
fn object_like() -> impl Strategy<Value = String> {
    // Mostly the first (valid) choices, so that whole objects are common.
    let pick = |v: Vec<&'static str>| {
        let valid = v[..2].to_vec();
        prop_oneof![4 => prop::sample::select(valid), 1 => prop::sample::select(v)]
    };
    let name = pick(vec![
        "\"a\"",
        "\"b\"",
        "\"TLS.ver\"",
        "\"\"",
        "\"\\u0061\"",
        "\"\u{7f}\"",
        "\"\u{85}\"",
        "\"é\"",
        "\"x\ny\"",
        "a",
        "\"a",
        "1",
    ]);
    let colon = pick(vec![":", " : ", "\t:\n", "", "::"]);
    let value = pick(vec![
        "\"x\"",
        "\"\"",
        "\"a\\\"b\"",
        "\"x\ny\"",
        "\"x\u{1}\"",
        "\"\u{7f}\u{85}é\"",
        "\"\\ud800\"",
        "\"\\u0061\"",
        "0",
        "00",
        "01",
        "7",
        "-1",
        "-0",
        "1.5",
        "1e3",
        "0.0",
        "2E1",
        "0e",
        "18446744073709551615",
        "18446744073709551616",
        "true",
        "false",
        "null",
        "nul",
        "tru",
        "x",
        "[]",
        "{}",
        "[1]",
        "{\"a\":1}",
        "\"x",
        "",
    ]);
    let comma = pick(vec![",", " , ", ",,", "", "\r\n,"]);
    let open = pick(vec!["{", " {", "\n{ ", "\u{feff}{", "[", ""]);
    let close = pick(vec!["}", "} ", "}\n", "}x", "]", "", "},", "}}", "} {}"]);
    (
        open,
        prop::collection::vec((name, colon, value, comma), 0..5),
        close,
    )
        .prop_map(|(open, members, close)| {
            let mut text = open.to_owned();
            for (i, (name, colon, value, comma)) in members.iter().enumerate() {
                if i > 0 {
                    text.push_str(comma);
                }
                text.push_str(name);
                text.push_str(colon);
                text.push_str(value);
            }
            text.push_str(close);
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    /// Whatever the flat reader accepts, serde_json reads to the same object.
    #[test]
    fn the_flat_reader_agrees_with_serde_json(text in object_like()) {
        if let Some(flat) = flat_object(&text) {
            prop_assert_eq!(read_with_serde(text.as_bytes()), Ok(flat));
        }
    }
}

proptest! {
    /// The eight-bytes-at-a-time search finds what a byte-by-byte search finds.
    #[test]
    fn string_stop_finds_the_first_stop(
        bytes in prop::collection::vec(
            prop_oneof![Just(b'"'), Just(b'\\'), Just(0x1f), Just(0x20), Just(0x21),
                Just(0x7f), Just(0x80), Just(0xff), any::<u8>(), b'a'..=b'z'],
            0..40,
        )
    ) {
        let want = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
        prop_assert_eq!(string_stop(&bytes), want);
    }
}

#[test]
fn the_flat_reader_takes_the_common_case_and_leaves_the_rest() {
    for text in [
        "{}",
        " {\n\"a\" : 1 ,\t\"b\":\"x\" }\r\n",
        r#"{"a":true,"b":false,"c":null,"d":0,"e":18446744073709551615}"#,
        "{\"a\":\"é\u{7f}\u{85}\"}",
    ] {
        let flat = flat_object(text);
        assert!(flat.is_some(), "{text:?}");
        assert_eq!(read_with_serde(text.as_bytes()).ok(), flat, "{text:?}");
    }
    for text in [
        "{\"a\":01}",
        "{\"a\":-1}",
        "{\"a\":1.5}",
        "{\"a\":1e3}",
        "{\"a\":18446744073709551616}",
        "{\"a\":1}x",
        "{\"a\":[1]}",
        "{\"a\":{}}",
        "{\"a\":\"\\n\"}",
        "{\"\\u0061\":1}",
        "{\"a\":\"x\ny\"}",
        "{\"\u{7f}\":1}",
        "{\"é\":1}",
        "{\"a\":1,\"a\":1}",
        "{\"a\":1,}",
        "\u{feff}{}",
        "{\"a\":\"\\ud800\"}",
    ] {
        assert_eq!(flat_object(text), None, "{text:?}");
    }
    let many: Vec<String> = (0..=LINEAR_MEMBERS)
        .map(|i| format!("\"m{i}\":1"))
        .collect();
    let many = format!("{{{}}}", many.join(","));
    assert_eq!(flat_object(&many), None);
    assert_eq!(members(many.as_bytes()).unwrap().len(), LINEAR_MEMBERS + 1);
}

proptest! {
    /// Flat objects of the kinds tickets and batch lines are, written by serde_json,
    /// are read by the flat reader, to what serde_json reads.
    #[test]
    fn the_flat_reader_reads_flat_objects(
        obj in prop::collection::btree_map(
            "[ -~]{0,8}",
            prop_oneof![
                any::<String>().prop_map(Value::String),
                any::<u64>().prop_map(Value::from),
                any::<bool>().prop_map(Value::Bool),
                Just(Value::Null),
            ],
            0..LINEAR_MEMBERS,
        ),
        pretty in any::<bool>(),
    ) {
        let text = if pretty {
            serde_json::to_vec_pretty(&obj).unwrap()
        } else {
            serde_json::to_vec(&obj).unwrap()
        };
        let plain = obj.iter().all(|(n, v)| {
            !n.contains(['"', '\\'])
                && v.as_str().is_none_or(|s| !s.contains(|c: char| c < ' ' || c == '"' || c == '\\'))
        });
        let flat = flat_object(std::str::from_utf8(&text).unwrap());
        prop_assert_eq!(flat.is_some(), plain);
        if let Some(flat) = flat {
            prop_assert_eq!(flat.clone().into_map(), obj.into_iter().collect::<Map<_, _>>());
            prop_assert_eq!(read_with_serde(&text), Ok(flat));
        }
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z.]{0,6}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    /// Without repeats, the strict reader reads exactly what serde_json reads.
    #[test]
    fn agrees_with_serde_json_when_names_are_unique(
        obj in prop::collection::btree_map("[a-zA-Z.]{0,8}", json_value(), 0..8)
    ) {
        let text = serde_json::to_vec(&obj).unwrap();
        let want: Map<String, Value> = obj.into_iter().collect();
        prop_assert_eq!(object(&text), Ok(want.clone()));
        prop_assert_eq!(members(&text).map(Object::into_map), Ok(want));
    }
}
