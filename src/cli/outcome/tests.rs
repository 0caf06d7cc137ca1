use super::*;
use crate::cli::exit::{self, Exit};
use usersig::ticket::Version;

/// The exit status an outcome comes to, and its message on stderr.
fn status(outcome: Outcome) -> (Exit, Option<String>) {
    match outcome.verdict() {
        Ok(()) => (exit::OK, None),
        Err(stop) => (stop.exit(), stop.message()),
    }
}

/// A v2 ticket issued at 1000, valid for 600 seconds.
fn info() -> TicketInfo {
    TicketInfo {
        version: Version::V2,
        identifier: "xiaojun".into(),
        sdkappid: 1400001052,
        init_time: 1000,
        expire: 600,
        userbuf: None,
    }
}

fn verified(verdict: Result<usize, Failure>, now: i64, min_remaining: Option<u64>) -> Outcome {
    Outcome::Verified(Verified {
        userbuf_on_expire_line: false,
        checked: Checked {
            info: Some(info()),
            verdict,
            now,
        },
        min_remaining,
        key_names: Vec::new(),
        map_key: None,
    })
}

#[test]
fn a_verify_form_exits_by_its_verdict() {
    assert_eq!(status(verified(Ok(0), 1100, None)), (exit::OK, None));
    // 499 seconds left, 500 asked for: expiring (4); 500 asked for with 500 left: ok.
    let (code, message) = status(verified(Ok(0), 1101, Some(500)));
    assert_eq!(code, exit::EXPIRING);
    assert!(message.unwrap().contains("--min-remaining"));
    assert_eq!(status(verified(Ok(0), 1100, Some(500))).0, exit::OK);
    let expired = Failure::Expired {
        info: info(),
        now: 2000,
    };
    let (code, message) = status(verified(Err(expired), 2000, Some(500)));
    assert_eq!(code, exit::INVALID);
    assert!(message.unwrap().starts_with("verify failed: "));
}

#[test]
fn keycheck_metrics_and_fleet_exit_by_what_they_found() {
    let keys = |matches| {
        Outcome::KeyChecked(KeyChecked {
            private_source: "'k.pem'".into(),
            public_source: "'p.pem'".into(),
            private_fingerprint: "a".into(),
            public_fingerprint: if matches { "a" } else { "b" }.into(),
            matches,
        })
    };
    assert_eq!(status(keys(true)).0, exit::OK);
    assert_eq!(status(keys(false)).0, exit::INVALID);
    let metrics = |keys_failed| {
        Outcome::Metrics(Metrics {
            exported: None,
            keys_failed,
        })
    };
    assert_eq!(status(metrics(false)).0, exit::OK);
    assert_eq!(status(metrics(true)).0, exit::IO);
    let fleet = |failed| Outcome::Fleet { failed, entries: 3 };
    assert_eq!(status(fleet(0)).0, exit::OK);
    let (code, message) = status(fleet(2));
    assert_eq!(code, exit::INVALID);
    assert_eq!(
        message.unwrap(),
        "error: renew --config: 2 of 3 entries failed (see above); the others were handled"
    );
}

#[test]
fn text_that_is_not_a_ticket_is_invalid() {
    let failure = Failure::WrongKindOfKey {
        ticket: Version::V2,
    };
    let (code, message) = status(Outcome::NotATicket(failure));
    assert_eq!(code, exit::INVALID);
    assert!(message.unwrap().starts_with("not a ticket: "));
}
