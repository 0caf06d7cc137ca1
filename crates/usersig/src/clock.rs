//! Where "now" comes from: the system clock, or a fixed instant for tests and for
//! judging a ticket as of another time.

use std::time::{SystemTime, UNIX_EPOCH};

use time::UtcOffset;

/// A source of the current time, injectable so that verification and generation can be
/// tested, or asked about another moment.
pub trait Clock {
    /// Seconds since the Unix epoch.
    fn now(&self) -> i64;
    /// The offset of local wall-clock time from UTC, used only to read the plain-JSON
    /// ticket form, whose `TLS.time` is local wall-clock text (docs/FORMAT.md section 5).
    fn local_offset(&self) -> UtcOffset {
        UtcOffset::UTC
    }
}

/// The machine's clock, with a local UTC offset given by the caller (the library never
/// reads the host's time zone: that needs the environment, which belongs to the program).
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    offset: UtcOffset,
}

impl SystemClock {
    /// The system clock, local time taken as UTC.
    pub fn new() -> SystemClock {
        SystemClock::with_offset(UtcOffset::UTC)
    }

    /// The system clock, local wall-clock time being `offset` from UTC (used only to
    /// read the plain-JSON form's wall-clock `TLS.time`).
    pub fn with_offset(offset: UtcOffset) -> SystemClock {
        SystemClock { offset }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        unix_seconds(SystemTime::now())
    }
    fn local_offset(&self) -> UtcOffset {
        self.offset
    }
}

/// A moment as whole Unix seconds (the fraction dropped, toward the epoch), as tickets
/// count time.
pub fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// The latest Unix second shown as a moment: the end of the year 9999.
const LAST_SECOND: i64 = 253_402_300_799;
/// The earliest: the start of the year 1.
const FIRST_SECOND: i64 = -62_135_596_800;

/// Unix seconds as a moment. A ticket's times outside the years 1 to 9999 are shown as
/// the nearer end of that range, which every platform's clock holds.
pub fn system_time(unix: i64) -> SystemTime {
    let unix = unix.clamp(FIRST_SECOND, LAST_SECOND);
    let span = std::time::Duration::from_secs(unix.unsigned_abs());
    let moment = if unix >= 0 {
        UNIX_EPOCH.checked_add(span)
    } else {
        UNIX_EPOCH.checked_sub(span)
    };
    moment.unwrap_or(UNIX_EPOCH)
}

/// A clock stopped at one instant.
///
/// ```
/// use usersig::clock::{Clock, FixedClock};
/// assert_eq!(FixedClock::at(1_795_675_257).now(), 1_795_675_257);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock {
    /// Seconds since the Unix epoch.
    pub now: i64,
    /// The local UTC offset it reports.
    pub offset: UtcOffset,
}

impl FixedClock {
    /// Stopped at `now` (Unix seconds), in UTC.
    pub fn at(now: i64) -> FixedClock {
        FixedClock {
            now,
            offset: UtcOffset::UTC,
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.now
    }
    fn local_offset(&self) -> UtcOffset {
        self.offset
    }
}

/// A Unix time as RFC 3339 in UTC (`2027-05-24T06:40:56Z`), or as plain seconds when it
/// is outside the years 1..=9999.
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("{unix} (Unix seconds)"))
}

/// A span of seconds in the largest unit that keeps it readable: `3 days`, `5 hours`,
/// `12 minutes`, `40 seconds`.
pub fn describe_span(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let (n, unit) = match s {
        0..120 => (s, "second"),
        120..7_200 => (s / 60, "minute"),
        7_200..172_800 => (s / 3_600, "hour"),
        _ => (s / 86_400, "day"),
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// Parse a moment given as Unix seconds (`1795675257`), RFC 3339
/// (`2026-11-26T06:40:57Z`, `2026-11-26T14:40:57+08:00`) or a date (`2030-01-01`, its
/// midnight UTC).
///
/// ```
/// use usersig::clock::parse_instant;
/// assert_eq!(parse_instant("1795675257"), Ok(1795675257));
/// assert_eq!(parse_instant("2026-11-26T14:40:57+08:00"), Ok(1795675257));
/// assert_eq!(parse_instant("2030-01-01"), Ok(1893456000));
/// assert!(parse_instant("tomorrow").is_err());
/// ```
pub fn parse_instant(text: &str) -> Result<i64, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<i64>()
            .map_err(|_| format!("{text} is too large for a Unix time"));
    }
    let date = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .or_else(|_| time::Date::parse(text, date).map(|d| d.midnight().assume_utc()))
        .map(|t| t.unix_timestamp())
        .map_err(|_| {
            format!(
                "{text:?} is neither Unix seconds, an RFC 3339 time such as 2026-11-26T06:40:57Z, nor a date such as 2026-11-26"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The library never reads the host's zone: local time is UTC unless the caller
    /// gives an offset, whatever TZ says.
    #[test]
    fn system_clock_takes_its_offset_from_the_caller() {
        let cst = UtcOffset::from_hms(8, 0, 0).unwrap();
        assert_eq!(SystemClock::with_offset(cst).local_offset(), cst);
        assert_eq!(SystemClock::new().local_offset(), UtcOffset::UTC);
        assert_eq!(SystemClock::default().local_offset(), UtcOffset::UTC);
        let before = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let now = SystemClock::with_offset(cst).now();
        let after = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!((before..=after).contains(&u64::try_from(now).unwrap()));
    }

    /// A date is its midnight UTC; a time must be whole (no date-and-hour halfway forms).
    #[test]
    fn instants() {
        assert_eq!(parse_instant("2030-01-01"), Ok(1_893_456_000));
        assert_eq!(parse_instant("1970-01-01"), Ok(0));
        assert_eq!(parse_instant("2030-01-01T00:00:00Z"), Ok(1_893_456_000));
        assert_eq!(parse_instant("0"), Ok(0));
        for bad in [
            "2030-02-30",
            "2030-1-1",
            "2030-01-01T00:00",
            "2030-01-01 ",
            "",
            "-5",
        ] {
            assert_eq!(
                parse_instant(bad),
                Err(format!(
                    "{bad:?} is neither Unix seconds, an RFC 3339 time such as 2026-11-26T06:40:57Z, nor a date such as 2026-11-26"
                ))
            );
        }
    }

    #[test]
    fn formats() {
        assert_eq!(rfc3339(1_795_675_257), "2026-11-26T06:40:57Z");
        assert_eq!(rfc3339(i64::MAX), format!("{} (Unix seconds)", i64::MAX));
        assert_eq!(describe_span(1), "1 second");
        assert_eq!(describe_span(119), "119 seconds");
        assert_eq!(describe_span(-3 * 86_400), "3 days");
        assert_eq!(describe_span(7_199), "119 minutes");
    }
}
