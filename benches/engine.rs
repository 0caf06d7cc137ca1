//! The ECDSA engine alone, one core: how many P-256 signatures and verifications ring
//! makes per second through this crate's key types, and how many whole v1 tickets (JSON,
//! sign, deflate, base64, as gen-batch makes each line's: one batch, one shared Huffman
//! code; decode, parse, verify, judge, as verify-batch checks a chunk of 512 with the
//! key's table). `benches/compare.sh` prints these
//! beside `openssl speed ecdsap256`, so that the v1 batch goals can be read against what
//! the engine itself allows on the machine: two cores can at best make twice the
//! one-core ticket rate.
//!
//! Run: `cargo bench --bench engine` (about 12 s), or `cargo bench --bench engine --
//! --seconds N` for N seconds a measurement. Prints one line:
//! `sign/s verify/s v1-gen-ticket/s v1-verify-ticket/s`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use usersig::clock::FixedClock;
use usersig::issue::{TicketBatch, TicketRequest};
use usersig::verify::{BatchVerifier, Expect, VerifyKey};

/// Tickets a chunk, as verify-batch hands them to the verifier.
const CHUNK: usize = 512;

mod demo_key;

/// Calls `f` in rounds of 64 until `seconds` have passed; returns calls per second.
fn rate(seconds: f64, mut f: impl FnMut()) -> f64 {
    let limit = Duration::from_secs_f64(seconds);
    // Warm up (caches, CPU frequency) for a tenth of the time.
    let warm = Instant::now();
    while warm.elapsed() < limit / 10 {
        f();
    }
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < limit {
        for _ in 0..64 {
            f();
        }
        calls += 64;
    }
    calls as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let mut seconds = 3.0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--seconds" {
            seconds = args
                .next()
                .and_then(|s| s.parse().ok())
                .filter(|s: &f64| *s > 0.0)
                .expect("--seconds takes a positive number");
        }
        // Anything else (cargo bench passes --bench) is ignored.
    }
    let key = demo_key::demo_key();
    let public = key.public_key();
    // The signed content of a typical v1 ticket.
    let content = b"TLS.appid_at_3rd:0\nTLS.account_type:0\nTLS.identifier:user0000001\n\
TLS.sdk_appid:1400001052\nTLS.time:1795675257\nTLS.expire_after:15552000\n";
    let der = key.sign_der(content).expect("a signature");
    assert!(
        public.verify_der(content, &der),
        "the engine verifies its own signature"
    );

    let clock = FixedClock::at(1_795_675_257);
    let verify_key = VerifyKey::Public(public.clone());

    let sign = rate(seconds, || {
        black_box(key.sign_der(black_box(content)).expect("a signature"));
    });
    let verify = rate(seconds, || {
        assert!(public.verify_der(black_box(content), black_box(&der)));
    });
    // gen-batch's path: one batch for the run, each ticket pushed onto a reused buffer.
    let batch = TicketBatch::v1(&key, 1400001052, 15_552_000, 1_795_675_257)
        .expect("a batch")
        .with_shared_code();
    let mut out = Vec::with_capacity(512);
    let gen_ticket = rate(seconds, || {
        out.clear();
        batch
            .push_ticket(black_box("user0000001"), &mut out)
            .expect("a ticket");
        black_box(&out);
    });
    // verify-batch's path: one verifier a thread, a chunk of 512 distinct tickets at a
    // time (the key's table is built during the warm-up).
    let ids: Vec<String> = (0..CHUNK).map(|i| format!("user{i:07}")).collect();
    let tickets: Vec<String> = ids
        .iter()
        .map(|id| {
            let request = TicketRequest::new(1400001052, id).expect("a request");
            request.sign_v1(&key, &clock).expect("a ticket")
        })
        .collect();
    let items: Vec<(&str, Expect<'_>)> = ids
        .iter()
        .zip(&tickets)
        .map(|(id, ticket)| {
            let expect = Expect {
                sdkappid: 1400001052,
                identifier: id,
                userbuf: None,
            };
            (ticket.as_str(), expect)
        })
        .collect();
    let mut verifier = BatchVerifier::new();
    let keys = [verify_key];
    let mut checked = Vec::with_capacity(CHUNK);
    let verify_chunks = rate(seconds, || {
        checked.clear();
        verifier.check_chunk(black_box(&items), &keys, &clock, &mut checked);
        assert!(checked.iter().all(|c| c.verdict.is_ok()));
    });
    let verify_ticket = verify_chunks * CHUNK as f64;
    println!("{sign:.0} {verify:.0} {gen_ticket:.0} {verify_ticket:.0}");
}
