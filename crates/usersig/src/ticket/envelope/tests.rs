use super::*;

use base64::engine::general_purpose::STANDARD;
use flate2::Compression;

/// The one-pass decoder into a vector.
fn plain(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0; text.len() / 4 * 3];
    let n = decode_base64_plain(text, &mut out)?;
    out.truncate(n);
    Some(out)
}

proptest::proptest! {
    /// Whatever the one-pass decoder takes, the full path decodes to the same bytes;
    /// and it takes every ticket the encoder writes.
    #[test]
    fn the_one_pass_base64_agrees_with_the_full_path(
        text in "[A-Za-z0-9*_ +/=-]{0,13}",
        data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
    ) {
        if let Some(bytes) = plain(text.as_bytes()) {
            proptest::prop_assert_eq!(decode_base64(&text), Ok(bytes));
        }
        let ticket = TICKET_BASE64.encode(&data) + &"_".repeat((3 - data.len() % 3) % 3);
        let bytes = plain(ticket.as_bytes());
        proptest::prop_assert_eq!(bytes.as_deref(), (!data.is_empty()).then_some(&data[..]));
    }
}

proptest::proptest! {
    /// The pair-table encoder appends exactly what the base64 crate writes, in either
    /// alphabet and padding, after whatever the buffer held.
    #[test]
    fn the_pair_table_encoder_writes_the_base64_crates_bytes(
        data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
        before in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..5),
    ) {
        let mut out = before.clone();
        STANDARD_BASE64_OUT.push(&mut out, &data);
        proptest::prop_assert_eq!(&out[..before.len()], &before[..]);
        let want = STANDARD.encode(&data);
        proptest::prop_assert_eq!(&out[before.len()..], want.as_bytes());
        let mut out = before.clone();
        push_text(&mut out, &data);
        proptest::prop_assert_eq!(&out[..before.len()], &before[..]);
        let want = ticket_text(&data);
        proptest::prop_assert_eq!(&out[before.len()..], want.as_bytes());
    }
}

/// Every pair of characters in both tables: each 12-bit value as the first and as the
/// second half of a group, and every length's padding.
#[test]
fn the_pair_tables_hold_every_pair() {
    let data: Vec<u8> = (0..4096u32)
        .flat_map(|v| {
            let w = v << 12 | (4095 - v);
            [(w >> 16) as u8, (w >> 8) as u8, w as u8]
        })
        .collect();
    for len in (0..12).chain([data.len() - 1, data.len()]) {
        let mut out = Vec::new();
        STANDARD_BASE64_OUT.push(&mut out, &data[..len]);
        assert_eq!(out, STANDARD.encode(&data[..len]).as_bytes(), "{len}");
        let mut out = Vec::new();
        push_text(&mut out, &data[..len]);
        assert_eq!(out, ticket_text(&data[..len]).as_bytes(), "{len}");
    }
}

proptest::proptest! {
    /// Whatever the one-pass standard decoder takes, the base64 crate's STANDARD
    /// engine decodes to the same bytes; and it takes everything that engine writes.
    #[test]
    fn the_one_pass_standard_base64_agrees_with_the_base64_crate(
        text in "[A-Za-z0-9*_ +/=-]{0,13}",
        near in "[A-Da-d0-3+/=_*]{0,10}={0,3}",
        data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..70),
    ) {
        for text in [&text, &near] {
            if let Some(bytes) = decode_standard_plain(text.as_bytes()) {
                proptest::prop_assert_eq!(STANDARD.decode(text), Ok(bytes), "{:?}", text);
            }
        }
        let bytes = decode_standard_plain(STANDARD.encode(&data).as_bytes());
        proptest::prop_assert_eq!(bytes.as_deref(), (!data.is_empty()).then_some(&data[..]));
    }
}

#[test]
fn the_one_pass_standard_base64_leaves_the_rest_to_the_base64_crate() {
    for text in [
        "", "YQ", "YQ=", "YR==", "YWI=A", "YWJ=", "YQ===", "Y===", "====", "YW*j", "YW-j", "YW_j",
        "YWJj_", " YWJj", "YWJj\n", "YQ==YWJj", "=YWJ", "YWJjYQ",
    ] {
        assert_eq!(decode_standard_plain(text.as_bytes()), None, "{text:?}");
        if !text.is_empty() {
            assert!(STANDARD.decode(text).is_err(), "{text:?}");
        }
    }
    assert_eq!(decode_standard_plain(b"YWJj").as_deref(), Some(&b"abc"[..]));
    assert_eq!(decode_standard_plain(b"YWI=").as_deref(), Some(&b"ab"[..]));
    assert_eq!(decode_standard_plain(b"YQ==").as_deref(), Some(&b"a"[..]));
    assert_eq!(
        decode_standard_plain(b"+/+/").as_deref(),
        Some(&[0xfb, 0xff, 0xbf][..])
    );
}

#[test]
fn the_one_pass_base64_leaves_the_rest_to_the_full_path() {
    for text in [
        "", "eJw", "eJ__", "eJ___", "eA__A", "eJ+x", "eJ/x", "eJ==", " eJwA", "eJwA\n", "eB__",
        "eJx_", "\"eJwA\"", "eJ%2A",
    ] {
        assert_eq!(plain(text.as_bytes()), None, "{text:?}");
    }
    assert_eq!(plain(b"eJwA").as_deref(), Some(&[0x78, 0x9c, 0][..]));
    assert_eq!(plain(b"eA__").as_deref(), Some(&[0x78][..]));
    assert_eq!(plain(b"eJw_").as_deref(), Some(&[0x78, 0x9c][..]));
}

/// Every kind of damage is named, for our encoder's streams and zlib's stored ones.
#[test]
fn damaged_streams_are_named() {
    let json = br#"{"TLS.identifier":"xiaojun"}"#;
    for z in [crate::deflate::zlib(json), {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Compression::new(0));
        e.write_all(json).unwrap();
        e.finish().unwrap()
    }] {
        assert_eq!(decode(&ticket_text(&z)).unwrap(), json);
        let mut bad_sum = z.clone();
        *bad_sum.last_mut().unwrap() ^= 1;
        let mut extra = z.clone();
        extra.push(0);
        for (bytes, want) in [
            (bad_sum, "incorrect data check"),
            (z[..z.len() - 2].to_vec(), ""),
            (extra, "extra bytes"),
        ] {
            let err = decode(&ticket_text(&bytes)).unwrap_err().to_string();
            assert!(err.contains(want), "{err}");
        }
    }
}
use std::io::Write;

/// Ticket text for raw bytes, made the plain way (independent of `encode`).
fn ticket_text(bytes: &[u8]) -> String {
    STANDARD
        .encode(bytes)
        .replace('+', "*")
        .replace('/', "-")
        .replace('=', "_")
}

#[test]
fn round_trip_and_alphabet() {
    let json = br#"{"TLS.identifier":"a/b+c=d"}"#;
    let text = encode(json);
    let raw = STANDARD.decode(text.replace('*', "+").replace('-', "/").replace('_', "="));
    assert_eq!(raw.unwrap()[..2], [0x78, 0x01], "zlib header of level 1");
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"*-_".contains(&b))
    );
    assert_eq!(decode(&text).unwrap(), json);
}

#[test]
fn white_space_anywhere_is_ignored() {
    let text = encode(b"{}");
    let (a, b) = text.split_at(5);
    let spaced = format!(" {a}\r\n\t{b} \n");
    assert_eq!(decode(&spaced).unwrap(), b"{}");
}

#[test]
fn base64url_and_standard_characters_are_refused() {
    assert_eq!(
        decode("eJ+x"),
        Err(EnvelopeError::StandardBase64 { ch: '+', at: 2 })
    );
    assert_eq!(
        decode("eJ/x"),
        Err(EnvelopeError::StandardBase64 { ch: '/', at: 2 })
    );
    assert_eq!(
        decode("eJ=="),
        Err(EnvelopeError::StandardBase64 { ch: '=', at: 2 })
    );
    assert_eq!(decode(" \n"), Err(EnvelopeError::Empty));
}

#[test]
fn characters_are_named_before_length_and_padding() {
    let good = encode(br#"{"TLS.identifier":"xiaojun"}"#);
    let cases = [
        (format!("\"{good}\""), EnvelopeError::Quoted('"')),
        (format!("'{good}'"), EnvelopeError::Quoted('\'')),
        (format!("{good}\""), EnvelopeError::Quoted('"')),
        (
            format!("\u{201c}{good}\u{201d}"),
            EnvelopeError::Quoted('\u{201c}'),
        ),
        (format!("\u{feff}{good}"), EnvelopeError::ByteOrderMark),
        (
            format!("eJ%2Ax{good}"),
            EnvelopeError::UrlEncoded {
                seq: "%2A".into(),
                at: 2,
            },
        ),
        (format!("{good}\0"), EnvelopeError::Nul(good.len())),
        (format!("ab\0{good}"), EnvelopeError::Nul(2)),
        (
            format!("ab\u{e9}{good}"),
            EnvelopeError::Foreign {
                ch: '\u{e9}',
                at: 2,
            },
        ),
        (
            format!("ab%zz{good}"),
            EnvelopeError::Foreign { ch: '%', at: 2 },
        ),
        (
            format!("ab\u{85}{good}"),
            EnvelopeError::Foreign {
                ch: '\u{85}',
                at: 2,
            },
        ),
        (
            format!("a b+{good}"),
            EnvelopeError::StandardBase64 { ch: '+', at: 3 },
        ),
    ];
    for (text, want) in cases {
        assert_eq!(decode(&text), Err(want.clone()), "{text:?}");
        assert!(want.fix().is_some(), "{want:?}");
    }
    let inner = format!("ab__{good}");
    assert_eq!(
        decode(&inner),
        Err(EnvelopeError::NotBase64(
            "its '_' padding at byte 2 is followed by more text".into()
        ))
    );
}

#[test]
fn missing_padding_is_refused() {
    let text = encode(b"{}");
    let unpadded = text.trim_end_matches('_');
    assert_ne!(unpadded, text);
    assert!(matches!(decode(unpadded), Err(EnvelopeError::NotBase64(_))));
}

#[test]
fn truncated_and_trailing_streams_are_refused() {
    let z = {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
        e.write_all(&[b'x'; 300]).unwrap();
        e.finish().unwrap()
    };
    let cut = ticket_text(&z[..z.len() - 3]);
    assert!(matches!(decode(&cut), Err(EnvelopeError::NotZlib(_))));
    let mut extra = z.clone();
    extra.push(0);
    let extra = ticket_text(&extra);
    assert_eq!(decode(&extra), Err(EnvelopeError::TrailingData));
}

#[test]
fn bomb_is_refused_with_bounded_memory() {
    // 64 MiB of zeros compresses to ~64 KiB; inflating stops at the cap.
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Compression::best());
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..64 {
        e.write_all(&chunk).unwrap();
    }
    let z = e.finish().unwrap();
    let text = ticket_text(&z);
    assert!(text.len() < MAX_TICKET_BYTES);
    assert_eq!(decode(&text), Err(EnvelopeError::InflatesTooLarge));
}

#[test]
fn exactly_at_the_cap_is_accepted() {
    let data = vec![b'a'; MAX_TICKET_BYTES];
    assert_eq!(decode(&encode(&data)).unwrap().len(), MAX_TICKET_BYTES);
    let data = vec![b'a'; MAX_TICKET_BYTES + 1];
    assert_eq!(decode(&encode(&data)), Err(EnvelopeError::InflatesTooLarge));
}

#[test]
fn decode_into_replaces_what_the_buffer_held() {
    let text = encode(br#"{"a":1}"#);
    let mut out = b"left over".to_vec();
    decode_into(&text, &mut out).unwrap();
    assert_eq!(out, br#"{"a":1}"#);
    // Through the full path too (white space in the text).
    let spaced = format!(" {text}\n");
    let mut out = b"left over".to_vec();
    decode_into(&spaced, &mut out).unwrap();
    assert_eq!(out, br#"{"a":1}"#);
}
