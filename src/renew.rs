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
    pub fn explain(&self, within: u64) -> String {
        let window = describe_span(i64::try_from(within).unwrap_or(i64::MAX));
        match self {
            Decision::Keep { info, remaining } => format!(
                "the ticket is valid until {} ({} left, more than the {window} window)",
                rfc3339(info.expires_at()),
                describe_span(*remaining)
            ),
            Decision::Renew(Reason::Missing) => "there was no ticket".into(),
            Decision::Renew(Reason::NotValid(f)) => {
                format!("the old ticket was not valid: {}", f.cause())
            }
            Decision::Renew(Reason::Expiring { info, remaining }) => format!(
                "the old ticket expires at {} ({} left, within the {window} window)",
                rfc3339(info.expires_at()),
                describe_span(*remaining.max(&0))
            ),
        }
    }
}

/// Decide about `existing` (the stored ticket's bytes, `None` when there is none): keep it
/// when it verifies with `key` for `expect` and at least `within` seconds remain.
///
/// ```
/// use tls_licence_tools::{Secret, clock::FixedClock, issue::TicketRequest, renew,
///     verify::{Expect, VerifyKey}};
/// let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e").unwrap();
/// let ticket = TicketRequest::new(1400001052, "xiaojun").unwrap()
///     .with_expire(86400).unwrap().sign_v2(&secret, &FixedClock::at(1000));
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
