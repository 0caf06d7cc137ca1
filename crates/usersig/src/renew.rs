//! Renewal: whether a stored ticket can stay, or needs a fresh one.
//!
//! A ticket is kept when it is valid for this key, sdkappid and identifier, and at least
//! the renewal window remains before it expires; otherwise (missing, unreadable as a
//! ticket, not valid for this key and user, or expiring within the window) it is renewed.

use crate::clock::{Clock, describe_span, rfc3339};
use crate::ticket::{self, TicketInfo};
use crate::verify::{self, Expect, Failure, VerifyKey};

/// Why a ticket is renewed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Reason {
    /// There is no stored ticket.
    Missing,
    /// The stored bytes hold no valid ticket for this key, sdkappid and identifier.
    NotValid(Failure),
    /// The ticket is valid, but fewer seconds than the window remain.
    Expiring {
        /// What the ticket says.
        info: TicketInfo,
        /// Seconds left.
        remaining: i64,
    },
}

/// What to do with a stored ticket.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Leave it byte for byte as it is.
    Keep {
        /// What the ticket says.
        info: TicketInfo,
        /// Seconds left.
        remaining: i64,
    },
    /// Write a fresh ticket.
    Renew(Reason),
}

impl Decision {
    /// Whether a fresh ticket is needed.
    pub fn renews(&self) -> bool {
        matches!(self, Decision::Renew(_))
    }

    /// Why, in words, for the message that says what renew did.
    ///
    /// A ticket is kept while at least `within` seconds remain ("not less than the
    /// window", true at equality) and renewed once fewer do ("within the window"). Spans
    /// are shown rounded down to their largest unit; when the two would read the same but
    /// differ, both are given in seconds, so that the words never contradict the choice.
    ///
    /// ```
    /// use usersig::{Secret, clock::FixedClock, issue::TicketRequest, renew,
    ///     verify::{Expect, VerifyKey}};
    /// let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e").unwrap();
    /// let ticket = TicketRequest::new(1400001052, "xiaojun").unwrap()
    ///     .with_expire(10).unwrap().sign_v2(&secret, &FixedClock::at(1000)).unwrap();
    /// let key = VerifyKey::Secret(secret);
    /// let expect = Expect { sdkappid: 1400001052, identifier: "xiaojun", userbuf: None };
    /// let d = renew::decide(Some(ticket.as_bytes()), &key, &expect, 3, &FixedClock::at(1007));
    /// assert!(d.explain(3).ends_with("(3 seconds left, not less than the 3 seconds window)"));
    /// ```
    pub fn explain(&self, within: u64) -> String {
        let within = i64::try_from(within).unwrap_or(i64::MAX);
        let spans = |remaining: i64| {
            let (left, window) = (describe_span(remaining), describe_span(within));
            if left == window && remaining != within {
                (format!("{remaining} seconds"), format!("{within} seconds"))
            } else {
                (left, window)
            }
        };
        match self {
            Decision::Keep { info, remaining } => {
                let (left, window) = spans(*remaining);
                format!(
                    "the ticket is valid until {} ({left} left, not less than the {window} window)",
                    rfc3339(info.expires_at()),
                )
            }
            Decision::Renew(Reason::Missing) => "there was no ticket".into(),
            Decision::Renew(Reason::NotValid(f)) => {
                format!("the old ticket was not valid: {}", f.cause())
            }
            Decision::Renew(Reason::Expiring { info, remaining }) => {
                let (left, window) = spans((*remaining).max(0));
                format!(
                    "the old ticket expires at {} ({left} left, within the {window} window)",
                    rfc3339(info.expires_at()),
                )
            }
        }
    }
}

/// Decide about `existing` (the stored ticket's bytes, `None` when there is none): keep it
/// when it verifies with `key` for `expect` and at least `within` seconds remain.
///
/// ```
/// use usersig::{Secret, clock::FixedClock, issue::TicketRequest, renew,
///     verify::{Expect, VerifyKey}};
/// let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e").unwrap();
/// let ticket = TicketRequest::new(1400001052, "xiaojun").unwrap()
///     .with_expire(86400).unwrap().sign_v2(&secret, &FixedClock::at(1000)).unwrap();
/// let key = VerifyKey::Secret(secret);
/// let expect = Expect { sdkappid: 1400001052, identifier: "xiaojun", userbuf: None };
/// let d = |now| renew::decide(Some(ticket.as_bytes()), &key, &expect, 3600, &FixedClock::at(now));
/// assert!(!d(1000).renews());              // a day left, window an hour
/// assert!(d(1000 + 86400 - 60).renews());  // a minute left
/// assert!(renew::decide(None, &key, &expect, 3600, &FixedClock::at(1000)).renews());
/// ```
pub fn decide(
    existing: Option<&[u8]>,
    key: &VerifyKey,
    expect: &Expect<'_>,
    within: u64,
    clock: &dyn Clock,
) -> Decision {
    let Some(bytes) = existing else {
        return Decision::Renew(Reason::Missing);
    };
    let now = clock.now();
    let ticket = match ticket::parse_bytes(bytes, clock) {
        Ok(ticket) => ticket,
        Err(m) => return Decision::Renew(Reason::NotValid(m.into())),
    };
    if let Err(f) = verify::judge(&ticket, key, expect, now) {
        return Decision::Renew(Reason::NotValid(f));
    }
    let info = ticket.info;
    let remaining = info.expires_at().saturating_sub(now);
    if remaining < i64::try_from(within).unwrap_or(i64::MAX) {
        Decision::Renew(Reason::Expiring { info, remaining })
    } else {
        Decision::Keep { info, remaining }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;
    use crate::clock::FixedClock;
    use crate::issue::TicketRequest;

    /// At every boundary the words agree with the choice: kept at equality ("not less
    /// than"), renewed one second short ("within"), and spans that round to the same
    /// words but differ are given in seconds.
    #[test]
    fn the_reason_agrees_with_the_decision_at_every_boundary() {
        let secret =
            Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")
                .unwrap();
        let issued = 1_000_000;
        let expire = 10 * 86_400;
        let ticket = TicketRequest::new(1400001052, "xiaojun")
            .unwrap()
            .with_expire(expire)
            .unwrap()
            .sign_v2(&secret, &FixedClock::at(issued))
            .unwrap();
        let key = VerifyKey::Secret(secret);
        let expect = Expect {
            sdkappid: 1400001052,
            identifier: "xiaojun",
            userbuf: None,
        };
        let expires_at = issued + i64::from(expire);
        // (seconds left, window, renews, the words in the parentheses)
        let cases: &[(i64, u64, bool, &str)] = &[
            (
                3,
                3,
                false,
                "3 seconds left, not less than the 3 seconds window",
            ),
            (2, 3, true, "2 seconds left, within the 3 seconds window"),
            (
                4,
                3,
                false,
                "4 seconds left, not less than the 3 seconds window",
            ),
            (
                7200,
                7200,
                false,
                "2 hours left, not less than the 2 hours window",
            ),
            (
                7199,
                7200,
                true,
                "119 minutes left, within the 2 hours window",
            ),
            (
                7250,
                7300,
                true,
                "7250 seconds left, within the 7300 seconds window",
            ),
            (
                7300,
                7250,
                false,
                "7300 seconds left, not less than the 7250 seconds window",
            ),
            (
                86_400,
                86_400,
                false,
                "24 hours left, not less than the 24 hours window",
            ),
            (
                3 * 86_400,
                86_400,
                false,
                "3 days left, not less than the 24 hours window",
            ),
            (0, 60, true, "0 seconds left, within the 60 seconds window"),
        ];
        for &(left, within, renews, words) in cases {
            let clock = FixedClock::at(expires_at - left);
            let d = decide(Some(ticket.as_bytes()), &key, &expect, within, &clock);
            assert_eq!(d.renews(), renews, "{left} {within}");
            let why = d.explain(within);
            assert!(why.ends_with(&format!("({words})")), "{why}");
        }
        let missing = decide(None, &key, &expect, 60, &FixedClock::at(issued));
        assert_eq!(missing.explain(60), "there was no ticket");
        let expired = decide(
            Some(ticket.as_bytes()),
            &key,
            &expect,
            60,
            &FixedClock::at(expires_at + 1),
        );
        assert!(expired.renews());
        assert!(
            expired
                .explain(60)
                .starts_with("the old ticket was not valid: "),
            "{}",
            expired.explain(60)
        );
    }
}
