use super::*;

#[test]
fn bits_table() {
    let good = [
        ("0", 0),
        ("255", 255),
        ("42", 42),
        ("0x2a", 42),
        ("0XFF", 255),
        ("enter", 2),
        ("enter,recv-audio,recv-video", 42),
        ("all", 255),
        ("create,create", 1),
        ("send-sub,recv-sub", 192),
    ];
    for (text, bits) in good {
        assert_eq!(parse_bits(text), Ok(bits), "{text}");
    }
    for bad in [
        "",
        "256",
        "0x100",
        "0x",
        "-1",
        "enter,",
        ",enter",
        "Enter",
        "enter, recv-audio",
        "1e3",
        "0x2g",
        "99999999999",
        "read",
    ] {
        let err = parse_bits(bad).unwrap_err();
        assert!(err.starts_with("--privilege-map "), "{bad}: {err}");
    }
}
