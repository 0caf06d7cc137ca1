//! v1 batch verification from a key's tables (issue 19) against ring, one core: what a
//! key's table costs to build, what one verification costs by the table and by ring, and
//! what a chunk of 512 (a verify-batch chunk) costs through `verify_chunk` (its sums added
//! up together, one inversion a step). The verifications cycle through 1,024 distinct signatures of distinct messages, as a
//! batch of tickets has, so that no result sits warm in a cache.
//!
//! At the end it prints the break-even batch size, the number of verifications N at which
//! building the table and verifying N by it costs what verifying N by ring does:
//! `build + N * table = N * ring`, so `N = build / (ring - table)`; and the same with the
//! chunk's cost a signature for `table`. The figures are the mean times criterion has
//! just measured, read back from its `estimates.json` of this run.
//!
//! Run: `cargo bench -p usersig-benches --bench batch_ecdsa` (about 20 s, once built).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use criterion::{Criterion, SamplingMode};
use usersig::verify::PrecomputedKey;

mod demo_key;

/// The criterion group of these benchmarks, and so a directory of its output.
const GROUP: &str = "batch_ecdsa";
const BUILD: &str = "build_table";
const TABLE: &str = "verify_table";
const RING: &str = "verify_ring";
const CHUNK: &str = "verify_chunk_512";
/// Distinct signatures the verifications cycle through.
const SIGNATURES: usize = 1024;
/// Signatures a chunk.
const CHUNK_LEN: usize = 512;

fn benches(c: &mut Criterion) {
    let key = demo_key::demo_key();
    let public = key.public_key();
    // The signed content of v1 tickets, one identifier each.
    let signed: Vec<(Vec<u8>, Vec<u8>)> = (0..SIGNATURES)
        .map(|i| {
            let message = format!(
                "TLS.appid_at_3rd:0\nTLS.account_type:0\nTLS.identifier:user{i:07}\n\
                 TLS.sdk_appid:1400001052\nTLS.time:1795675257\nTLS.expire_after:15552000\n"
            )
            .into_bytes();
            let der = key.sign_der(&message).expect("a signature");
            (message, der)
        })
        .collect();
    // The first table of the process also builds the generator's, once; every build
    // measured below is then one key's table alone (nothing keeps a key's table but the
    // `PrecomputedKey` itself, so each `new` builds it afresh).
    let table = PrecomputedKey::new(&public).expect("the demo key's table");
    assert!(
        signed
            .iter()
            .all(|(m, d)| table.verify_der(m, d) && public.verify_der(m, d)),
        "the table and ring accept every signature"
    );

    let mut group = c.benchmark_group(GROUP);
    group.warm_up_time(Duration::from_secs(1));

    // Milliseconds a call: ten samples of one build each are enough, and flat sampling
    // keeps the group short.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(3));
    group.bench_function(BUILD, |b| {
        // (the 1.5 MiB table's release is left out of the time)
        b.iter_with_large_drop(|| PrecomputedKey::new(black_box(&public)).expect("a table"))
    });
    let items: Vec<(&[u8], &[u8])> = signed
        .iter()
        .map(|(m, d)| (m.as_slice(), d.as_slice()))
        .collect();
    let mut verdicts = Vec::with_capacity(CHUNK_LEN);
    let mut next_chunk = 0;
    group.bench_function(CHUNK, |b| {
        b.iter(|| {
            let at = next_chunk * CHUNK_LEN;
            next_chunk = (next_chunk + 1) % (SIGNATURES / CHUNK_LEN);
            verdicts.clear();
            table.verify_chunk(black_box(&items[at..at + CHUNK_LEN]), &mut verdicts);
            assert!(verdicts.len() == CHUNK_LEN && verdicts.iter().all(|v| *v));
        })
    });

    // Tens of microseconds a call.
    group.sampling_mode(SamplingMode::Auto);
    group.sample_size(50);
    group.measurement_time(Duration::from_secs(3));
    let mut next = 0;
    group.bench_function(TABLE, |b| {
        b.iter(|| {
            let (message, der) = &signed[next];
            next = (next + 1) % SIGNATURES;
            assert!(table.verify_der(black_box(message), black_box(der)));
        })
    });
    let mut next = 0;
    group.bench_function(RING, |b| {
        b.iter(|| {
            let (message, der) = &signed[next];
            next = (next + 1) % SIGNATURES;
            assert!(public.verify_der(black_box(message), black_box(der)));
        })
    });
    group.finish();
}

/// Where criterion keeps its output, found as criterion finds it: `$CRITERION_HOME`, else
/// `$CARGO_TARGET_DIR/criterion`, else `criterion` in the target directory that holds
/// this executable (`target/release/deps/batch_ecdsa-…`, or one more level with
/// `--target`). Candidates, most likely first.
fn output_directories() -> Vec<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return vec![PathBuf::from(home)];
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return vec![Path::new(&target).join("criterion")];
    }
    let exe = std::env::current_exe().unwrap_or_default();
    exe.ancestors()
        .skip(3)
        .take(2)
        .map(|dir| dir.join("criterion"))
        .collect()
}

/// The mean, in nanoseconds, criterion estimated for `name` in this run (an
/// `estimates.json` written before `since` is an earlier run's, and not taken).
fn mean_ns(name: &str, since: SystemTime) -> Option<f64> {
    output_directories().into_iter().find_map(|dir| {
        let path = dir
            .join(GROUP)
            .join(name)
            .join("new")
            .join("estimates.json");
        let written = std::fs::metadata(&path).ok()?.modified().ok()?;
        if written < since {
            return None;
        }
        point_estimate(&std::fs::read_to_string(&path).ok()?, "mean")
    })
}

/// The `point_estimate` of the statistic `stat` in an `estimates.json` (serde's form of
/// criterion's `Estimates`: `{"mean":{"confidence_interval":{…},"point_estimate":X,…},…}`).
fn point_estimate(json: &str, stat: &str) -> Option<f64> {
    let from = json.find(&format!("\"{stat}\":"))?;
    let key = "\"point_estimate\":";
    let at = from + json[from..].find(key)? + key.len();
    let end = json[at..].find([',', '}'])?;
    json[at..at + end].trim().parse().ok()
}

fn summary(since: SystemTime) {
    let means: Option<Vec<f64>> = [BUILD, TABLE, RING, CHUNK]
        .iter()
        .map(|name| mean_ns(name, since))
        .collect();
    let Some(&[build, table, ring, chunk]) = means.as_deref() else {
        println!(
            "break-even: not computed (criterion wrote no estimates of all four {GROUP} \
             benchmarks in this run: a filter, --test, or --baseline)"
        );
        return;
    };
    let chunk_each = chunk / CHUNK_LEN as f64;
    let break_even = |per: f64| {
        if ring > per {
            format!("{:.0}", build / (ring - per))
        } else {
            "never (the table is not faster)".to_owned()
        }
    };
    println!(
        "means: build {:.2} ms, verify by table {:.1} us, by ring {:.1} us, chunk of \
         {CHUNK_LEN} {:.2} ms ({:.1} us a signature)",
        build / 1e6,
        table / 1e3,
        ring / 1e3,
        chunk / 1e6,
        chunk_each / 1e3
    );
    println!(
        "break-even N = build / (ring - table) = {} verifications; with verify_chunk, \
         build / (ring - chunk/{CHUNK_LEN}) = {}",
        break_even(table),
        break_even(chunk_each)
    );
}

fn main() {
    let since = SystemTime::now();
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
    summary(since);
}
