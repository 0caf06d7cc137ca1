use super::*;

#[test]
fn wall_clock_reads_in_the_given_zone_and_ignores_the_suffix() {
    let utc = wall_clock_time("2026-11-26T06:40:57-08:00", UtcOffset::UTC).unwrap();
    assert_eq!(utc, 1_795_675_257);
    let cst = UtcOffset::from_hms(8, 0, 0).unwrap();
    assert_eq!(
        wall_clock_time("2026-11-26T06:40:57-08:00", cst).unwrap(),
        utc - 8 * 3600
    );
    assert_eq!(
        wall_clock_time("2026-11-26T06:40:57", UtcOffset::UTC).unwrap(),
        utc
    );
    for bad in [
        "2026-11-26T06:40:57Z",
        "2026-11-26 06:40:57",
        "2026-13-26T06:40:57-08:00",
        "2026-11-26T06:40:57-0800",
        "",
        "2026-11-26T06:40:5\u{e9}",
    ] {
        assert!(wall_clock_time(bad, UtcOffset::UTC).is_err(), "{bad}");
    }
}

#[test]
fn identifier_is_escaped() {
    assert_eq!(json::string(r#"a"b\c"#, json::Escape::Json), r#""a\"b\\c""#);
}
