use super::*;

use usersig::issue::MAX_EXPIRE;

#[test]
fn ranges_are_checked_when_parsed() {
    assert_eq!(parse_in("1d", 1..=DAY), Ok(DAY));
    assert_eq!(parse_in("0", 0..=DAY), Ok(0));
    assert_eq!(
        parse_in("18446744073709551615", 1..=DAY),
        Err("\"18446744073709551615\" is out of range: give from 1s to 1d".into())
    );
    assert_eq!(
        parse_in("0s", 1..=DAY),
        Err("\"0s\" is out of range: give from 1s to 1d".into())
    );
    assert_eq!(
        parse_in("51y", 0..=LONGEST),
        Err("\"51y\" is out of range: give from 0s to 50y".into())
    );
    assert!(
        parse_in("18446744073709551616", 0..=DAY)
            .unwrap_err()
            .contains("not a duration")
    );
}

#[test]
fn expire_rules() {
    assert_eq!(parse_expire("1576800000"), Ok(MAX_EXPIRE));
    assert_eq!(parse_expire("1"), Ok(1));
    assert_eq!(parse_expire("5s"), Ok(5));
    assert_eq!(parse_expire("90d"), Ok(90 * 86400));
    assert_eq!(parse_expire("50y"), Ok(MAX_EXPIRE));
    assert_eq!(parse_expire("1d12h"), Ok(129_600));
    for bad in [
        "0",
        "0d",
        "1576800001",
        "-5",
        "+5",
        " 5",
        "5x",
        "",
        "99999999999",
        "51y",
    ] {
        assert!(parse_expire(bad).is_err(), "{bad}");
    }
    assert_eq!(
        parse_expire(&"9".repeat(100)),
        Err(ArgError::Expire(format!("{}…", "9".repeat(40))).to_string())
    );
    assert_eq!(
        parse_expire("6M"),
        Err(
            "expire \"6M\" is not a duration: M is ambiguous: use m for minutes or mo for months"
                .into()
        )
    );
    assert_eq!(parse_expire("6mo"), Ok(6 * 30 * 86400));
}

#[test]
fn example_parse_and_format() {
    assert_eq!(parse("1d12h"), Ok(129_600));
    assert_eq!(parse("86400"), Ok(86_400));
    assert_eq!(format(90_061), "1d1h1m1s");
    assert!(parse("1.5h").is_err());
}

#[test]
fn parses_examples() {
    let cases = [
        ("86400", 86400),
        ("0", 0),
        ("90d", 90 * 86400),
        ("12h", 12 * 3600),
        ("30m", 1800),
        ("45s", 45),
        ("2w", 14 * 86400),
        ("1y", 365 * 86400),
        ("50y", 1_576_800_000),
        ("1d12h", 129_600),
        ("1h30m", 5400),
        ("1y1w1d1h1m1s", 31_536_000 + 604_800 + 86400 + 3661),
        ("3days", 3 * 86400),
        ("2hours15min", 8100),
        ("1mo", 30 * 86400),
        ("6mo", 180 * 86400),
        ("2months", 60 * 86400),
        ("1month", 30 * 86400),
        ("1y1mo1w", 365 * 86400 + 30 * 86400 + 7 * 86400),
        ("1mo1d", 31 * 86400),
        ("1week2days", 9 * 86400),
        ("10seconds", 10),
        ("007s", 7),
        ("18446744073709551615", u64::MAX),
    ];
    for (text, want) in cases {
        assert_eq!(parse(text), Ok(want), "{text}");
    }
}

#[test]
fn rejects_bad_input() {
    let bad = [
        "",
        "-1",
        "+5",
        "1.5h",
        "d",
        "5x",
        "1h1d",
        "1d1d",
        "1m1min",
        " 5",
        "5 ",
        "5 d",
        "1h30",
        "h1",
        "1d-2h",
        "5秒",
        "99999999999999999999",
        "9999999999999y",
        "584942417356y",
        "584942417355y4w",
    ];
    for text in bad {
        assert!(parse(text).is_err(), "{text:?} should fail");
    }
}

#[test]
fn units_are_case_sensitive() {
    let ambiguous = "M is ambiguous: use m for minutes or mo for months";
    let cases: [(&str, Option<&str>); 16] = [
        ("6M", Some(ambiguous)),
        ("1h6M", Some(ambiguous)),
        ("1S", Some("units are lower case: use s")),
        ("1H", Some("units are lower case: use h")),
        ("1D", Some("units are lower case: use d")),
        ("1W", Some("units are lower case: use w")),
        ("1Y", Some("units are lower case: use y")),
        ("1MO", Some("units are lower case: use mo")),
        ("1Mo", Some("units are lower case: use mo")),
        ("3Days", Some("units are lower case: use days")),
        ("2HOURS", Some("units are lower case: use hours")),
        ("1Min", Some("units are lower case: use min")),
        ("1mO", Some("units are lower case: use mo")),
        ("1X", None),
        ("1mon", None),
        ("1mos", None),
    ];
    for (text, want) in cases {
        let err = parse(text).unwrap_err();
        assert_eq!(err.unit_problem().as_deref(), want, "{text}");
        if let Some(problem) = want {
            assert_eq!(
                err.to_string(),
                format!("{text:?} is not a duration: {problem}")
            );
        }
    }
    // The same letters in lower case are the units.
    assert_eq!(parse("6m"), Ok(360));
    assert_eq!(parse("6mo"), Ok(6 * 30 * 86400));
    // Order is by size: mo sits between y and w.
    assert!(parse("1w1mo").is_err());
    assert!(parse("1mo1y").is_err());
}

#[test]
fn error_message() {
    let msg = parse("5x").unwrap_err().to_string();
    assert_eq!(
        msg,
        "\"5x\" is not a duration: use seconds (86400) or a number with a unit: \
             90d, 12h, 30m, 45s, 2w, 3mo, 1y, or combined like 1d12h"
    );
    let long = parse(&"x\n".repeat(100)).unwrap_err().to_string();
    assert!(
        long.starts_with("\"x\\nx\\n") && long.contains("…\" is not"),
        "{long}"
    );
    assert!(!long.contains('\n'));
}

#[test]
fn format_examples_and_round_trip() {
    assert_eq!(format(90061), "1d1h1m1s");
    assert_eq!(format(0), "0s");
    assert_eq!(format(1_576_800_000), "50y");
    assert_eq!(format(3600), "1h");
    let mut n = 0u64;
    while n < u64::MAX / 3 {
        assert_eq!(parse(&format(n)), Ok(n), "{n}");
        n = n * 3 + 1;
    }
    for n in (0..200_000).step_by(7).chain([u64::MAX, u64::MAX - 1]) {
        assert_eq!(parse(&format(n)), Ok(n), "{n}");
    }
}
