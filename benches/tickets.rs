//! Criterion benchmarks of the core operations, one ticket at a time on one core:
//! sign, verify, encode and decode, for v1 and v2, and a batch's ticket (made by a
//! `TicketBatch`, read by a `BatchReader` or `BatchVerifier`). Run:
//! `cargo bench --bench tickets`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use usersig::clock::FixedClock;
use usersig::deflate::Effort;
use usersig::issue::{TicketBatch, TicketRequest};
use usersig::verify::{self, Expect, VerifyKey};
use usersig::{Secret, envelope, ticket};

mod demo_key;

const SECRET: &[u8] = b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

fn benches(c: &mut Criterion) {
    let key = demo_key::demo_key();
    let secret = Secret::new(SECRET).expect("a secret");
    let clock = FixedClock::at(1_795_675_257);
    let request = TicketRequest::new(1400001052, "xiaojun").expect("a request");
    let expect = Expect {
        sdkappid: 1400001052,
        identifier: "xiaojun",
        userbuf: None,
    };

    let content = b"TLS.appid_at_3rd:0\nTLS.account_type:0\nTLS.identifier:xiaojun\n";
    c.bench_function("v1 sign (ECDSA P-256, DER)", |b| {
        b.iter(|| key.sign_der(black_box(content)))
    });
    let public = key.public_key();
    let der = key.sign_der(content).expect("a signature");
    c.bench_function("v1 verify (ECDSA P-256, DER)", |b| {
        b.iter(|| public.verify_der(black_box(content), black_box(&der)))
    });

    c.bench_function("v1 gen ticket", |b| {
        b.iter(|| request.sign_v1(black_box(&key), &clock))
    });
    let v1 = request.sign_v1(&key, &clock).expect("a ticket");
    let v1_key = VerifyKey::Public(public.clone());
    c.bench_function("v1 verify ticket", |b| {
        b.iter(|| verify::verify(black_box(&v1), &v1_key, &expect, &clock))
    });

    c.bench_function("v2 gen ticket", |b| {
        b.iter(|| request.sign_v2(black_box(&secret), &clock))
    });
    let v2 = request.sign_v2(&secret, &clock).expect("a ticket");
    let v2_key = VerifyKey::Secret(secret.clone());
    c.bench_function("v2 verify ticket", |b| {
        b.iter(|| verify::verify(black_box(&v2), &v2_key, &expect, &clock))
    });

    let json = request.v1_json(&key, 1_795_675_257).expect("a ticket");
    c.bench_function("encode (deflate + base64), v1 JSON", |b| {
        b.iter(|| envelope::encode(black_box(json.as_bytes())))
    });
    c.bench_function("decode (base64 + inflate), v1 ticket", |b| {
        b.iter(|| envelope::decode(black_box(&v1)))
    });
    let json2 = request.v2_json(&secret, 1_795_675_257);
    c.bench_function("encode (deflate + base64), v2 JSON", |b| {
        b.iter(|| envelope::encode(black_box(json2.as_bytes())))
    });
    c.bench_function("decode (base64 + inflate), v2 ticket", |b| {
        b.iter(|| envelope::decode(black_box(&v2)))
    });
    c.bench_function("parse v2 ticket (decode + JSON + fields)", |b| {
        b.iter(|| ticket::parse(black_box(&v2), &clock))
    });
    // verify-batch's way: a reader (and a verifier) a thread, for ticket after ticket.
    let mut reader = ticket::BatchReader::new();
    c.bench_function("parse v2 ticket, batch reader", |b| {
        b.iter(|| reader.parse(black_box(&v2), &clock))
    });
    let mut verifier = verify::BatchVerifier::new();
    let v2_keys = [v2_key.clone()];
    c.bench_function("v2 verify ticket, batch verifier", |b| {
        b.iter(|| verifier.check_text(black_box(&v2), &v2_keys, &expect, &clock))
    });

    // A batch's ticket, as gen-batch makes them: compressed in the batch's shared code
    // (a dynamic block), or on the fast path (the fixed codes); and what each costs a
    // reader to decode.
    let shared = TicketBatch::v2(&secret, 1400001052, 86400, 1_795_675_257)
        .expect("a batch")
        .with_shared_code();
    let fast = TicketBatch::v2(&secret, 1400001052, 86400, 1_795_675_257)
        .expect("a batch")
        .with_effort(Effort::Fast);
    let mut out = Vec::with_capacity(512);
    c.bench_function("v2 batch ticket, shared code", |b| {
        b.iter(|| {
            out.clear();
            shared.push_ticket(black_box("user0000001"), &mut out)
        })
    });
    c.bench_function("v2 batch ticket, fast path", |b| {
        b.iter(|| {
            out.clear();
            fast.push_ticket(black_box("user0000001"), &mut out)
        })
    });
    let shared_ticket = shared.ticket("user0000001").expect("a ticket");
    let fast_ticket = fast.ticket("user0000001").expect("a ticket");
    c.bench_function("decode v2 batch ticket, shared code (dynamic block)", |b| {
        b.iter(|| envelope::decode(black_box(&shared_ticket)))
    });
    c.bench_function("decode v2 batch ticket, fast path (fixed codes)", |b| {
        b.iter(|| envelope::decode(black_box(&fast_ticket)))
    });
    c.bench_function("parse v2 batch ticket, shared code, batch reader", |b| {
        b.iter(|| reader.parse(black_box(&shared_ticket), &clock))
    });
}

criterion_group!(tickets, benches);
criterion_main!(tickets);
