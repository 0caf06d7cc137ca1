//! gen-batch and verify-batch through the binary: the same fields and values as the
//! single-ticket commands, order under --jobs, bad lines, a closed stdout, the bad inputs
//! of docs/FORMAT.md section 4 and of the README's "Differences from the original", and (ignored; benches/compare.sh runs it) the memory bound.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::precondition::{SCRIPT, require};
use common::*;
use serde_json::Value;

/// Run the binary with `input` on stdin; stdout split into lines.
fn batch(dir: &Scratch, args: &[&str], input: &[u8]) -> (Run, Vec<String>) {
    let r = run_with_stdin(&dir.0, args, Some(input));
    let lines = r.stdout.lines().map(str::to_string).collect();
    (r, lines)
}

fn json(line: &str) -> serde_json::Map<String, Value> {
    match serde_json::from_str(line) {
        Ok(Value::Object(m)) => m,
        other => panic!("not a JSON object: {line}: {other:?}"),
    }
}

/// Each gen-batch line holds what `gen`/`gen2` would make: the same JSON fields, order
/// and types, and a signature or MAC that openssl checks over the exact content.
#[test]
fn gen_batch_lines_are_what_gen_makes() {
    let dir = Scratch::new("genbatch");
    let ids = ["xiaojun", "lisi", r#"q"u\o"#, "a,b"];
    let input = ids.join("\n") + "\n";
    for (key, version) in [("ec_key.pem", "v1"), ("file:secret.txt", "v2")] {
        let before = now();
        let (r, lines) = batch(
            &dir,
            &["gen-batch", key, "1400001052", "--expire", "90d"],
            input.as_bytes(),
        );
        r.expect(0);
        assert_eq!(r.stderr, "");
        assert_eq!(lines.len(), ids.len());
        for (line, id) in lines.iter().zip(ids) {
            let o = json(line);
            let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(keys, ["expires_at", "identifier", "usersig"]);
            assert_eq!(o["identifier"], id);
            let usersig = o["usersig"].as_str().unwrap();
            let ticket: Value = serde_json::from_str(&decode_independently(usersig)).unwrap();
            let time = match &ticket["TLS.time"] {
                Value::String(s) => s.parse::<i64>().unwrap(),
                v => v.as_i64().unwrap(),
            };
            assert!((before..=now()).contains(&time));
            assert_eq!(o["expires_at"].as_i64().unwrap(), time + 7_776_000);
            // The single-ticket command makes the same JSON but for time and signature.
            let single_run = if version == "v1" {
                run(&dir.0, ["genexpire", key, "-", "1400001052", id, "90d"])
            } else {
                run(
                    &dir.0,
                    ["gen2", key, "-", "1400001052", id, "--expire", "90d"],
                )
            };
            single_run.expect(0);
            let single: Value =
                serde_json::from_str(&decode_independently(single_run.stdout.trim_end())).unwrap();
            let strip = |v: &Value| {
                let mut m = v.as_object().unwrap().clone();
                m.remove("TLS.time");
                m.remove("TLS.sig");
                m
            };
            assert_eq!(strip(&ticket), strip(&single), "{version} {id}");
            let raw_batch = decode_independently(usersig);
            let raw_single = decode_independently(single_run.stdout.trim_end());
            let order = |raw: &str| -> Vec<usize> {
                ["TLS.identifier", "TLS.time", "TLS.sig"]
                    .iter()
                    .map(|k| raw.find(k).unwrap())
                    .collect()
            };
            assert_eq!(
                order(&raw_batch).windows(2).all(|w| w[0] < w[1]),
                order(&raw_single).windows(2).all(|w| w[0] < w[1])
            );
            // The signature, checked by openssl over the exact content.
            let sig = ticket["TLS.sig"].as_str().unwrap();
            if version == "v1" {
                let content = format!(
                    "TLS.appid_at_3rd:0\nTLS.account_type:0\nTLS.identifier:{id}\nTLS.sdk_appid:1400001052\nTLS.time:{time}\nTLS.expire_after:7776000\n"
                );
                assert!(openssl_ecdsa_verifies(
                    &dir.path("public.pem"),
                    content.as_bytes(),
                    &STANDARD.decode(sig).unwrap()
                ));
            } else {
                let content = format!(
                    "TLS.identifier:{id}\nTLS.sdkappid:1400001052\nTLS.time:{time}\nTLS.expire:7776000\n"
                );
                assert_eq!(sig, openssl_hmac_base64(SECRET, content.as_bytes()));
            }
            // And the single verify accepts it.
            dir.write("one", usersig.as_bytes());
            let (cmd, k) = if version == "v1" {
                ("verify", "public.pem")
            } else {
                ("verify2", "file:secret.txt")
            };
            run(&dir.0, [cmd, k, "one", "1400001052", id]).expect(0);
        }
    }
}

#[test]
fn order_is_kept_under_jobs() {
    let dir = Scratch::new("order");
    let ids: Vec<String> = (0..3000).map(|i| format!("user{i:05}")).collect();
    let input = ids.join("\n") + "\n";
    for jobs in ["1", "2", "4", "7"] {
        let (r, lines) = batch(
            &dir,
            &["gen-batch", "file:secret.txt", "1400001052", "--jobs", jobs],
            input.as_bytes(),
        );
        r.expect(0);
        let got: Vec<String> = lines
            .iter()
            .map(|l| json(l)["identifier"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, ids, "--jobs {jobs}");
    }
    // verify-batch keeps the order of its input too.
    let (_, tickets) = batch(
        &dir,
        &["gen-batch", "file:secret.txt", "1400001052"],
        input.as_bytes(),
    );
    let (r, results) = batch(
        &dir,
        &[
            "verify-batch",
            "file:secret.txt",
            "1400001052",
            "--jobs",
            "3",
        ],
        (tickets.join("\n") + "\n").as_bytes(),
    );
    r.expect(0);
    assert_eq!(tickets.len(), ids.len());
    assert_eq!(results.len(), ids.len());
    for (result, id) in results.iter().zip(&ids) {
        assert_eq!(json(result)["identifier"], id.as_str());
    }
}

#[test]
fn bad_lines_do_not_stop_the_run() {
    let dir = Scratch::new("badlines");
    let long = "x".repeat(40);
    let mut input = format!("ok1\n\n{long}\nbad\tone\nok2\n小军\n").into_bytes();
    input.extend_from_slice(b"\xff\xfe\n");
    input.extend(std::iter::repeat_n(b'y', 3 << 20));
    input.extend_from_slice(b"\nlast\n");
    let (r, lines) = batch(&dir, &["gen-batch", "ec_key.pem", "1400001052"], &input);
    assert_eq!(r.code, 1, "{r:?}");
    // The blank second line is skipped, not a failure.
    assert!(
        r.stderr
            .ends_with("gen-batch: 5 of 8 lines failed; 1 blank line skipped\n"),
        "{}",
        r.stderr
    );
    let kinds: Vec<&str> = lines
        .iter()
        .map(|l| {
            if json(l).contains_key("usersig") {
                "ok"
            } else {
                "error"
            }
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "ok", "error", "error", "ok", "error", "error", "error", "ok"
        ]
    );
    assert!(
        json(&lines[1])["error"]
            .as_str()
            .unwrap()
            .contains("at most 32")
    );
    assert!(
        json(&lines[6])["error"]
            .as_str()
            .unwrap()
            .contains("too long")
    );
    // CSV: the same rows, empty fields and a message on stderr for the bad ones.
    let (r, rows) = batch(
        &dir,
        &[
            "gen-batch",
            "file:secret.txt",
            "1400001052",
            "--format",
            "csv",
        ],
        b"ok1\nbad\tone\nq\"x,y\n",
    );
    assert_eq!(r.code, 1);
    assert_eq!(rows.len(), 3);
    assert!(rows[0].starts_with("ok1,eA"), "{}", rows[0]);
    assert_eq!(rows[1], "bad\tone,,");
    assert!(rows[2].starts_with("\"q\"\"x,y\",eA"), "{}", rows[2]);
    assert!(
        r.stderr
            .contains("line 2: the identifier holds a control character (U+0009 at offset 3)"),
        "{}",
        r.stderr
    );
}

/// `| head -1`: the run ends when stdout closes, quietly, with status 141 (the output was
/// cut short, so never 0).
#[test]
fn closed_stdout_ends_the_run_quietly() {
    let dir = Scratch::new("head");
    let mut child = Command::new(BIN)
        .args(["gen-batch", "file:secret.txt", "1400001052"])
        .current_dir(&dir.0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        // An endless supply of identifiers; stops when the tool stops reading.
        let line = b"someone\n".repeat(1000);
        while stdin.write_all(&line).is_ok() {}
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("{\"identifier\":\"someone\""), "{first}");
    // Dropping the reader closes the pipe, as head does.
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    assert_eq!(out.status.code(), Some(141), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// verify-batch gives every vector of Tencent's the verdict and code it expects (the
/// bad tickets of docs/FORMAT.md section 4 and of the README's "Differences from the
/// original" among them), from JSON Lines and from CSV.
#[test]
fn verify_batch_on_every_vector() {
    let text = std::fs::read_to_string(fixture("vectors.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let dir = Scratch::new("vbatch");
    for key in ["public.pem", "secret.txt"] {
        let cases: Vec<&Value> = v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["key"] == key && c["sdkappid"] == 1400001052)
            .filter(|c| c["kind"] != "v1-plain-json")
            .collect();
        // All cases judged at one time: the latest verify_at of the good ones.
        let at = cases
            .iter()
            .filter(|c| c["name"] != "fail-expired")
            .map(|c| c["verify_at"].as_i64().unwrap())
            .max()
            .unwrap()
            .to_string();
        let jsonl: String = cases
            .iter()
            .map(|c| {
                format!(
                    "{{\"identifier\":{},\"usersig\":{}}}\n",
                    c["identifier"], c["sig"]
                )
            })
            .collect();
        let csv: String = String::from("identifier,usersig\n")
            + &cases
                .iter()
                .map(|c| {
                    format!(
                        "{},{}\n",
                        c["identifier"].as_str().unwrap(),
                        c["sig"].as_str().unwrap()
                    )
                })
                .collect::<String>();
        let key_arg = if key.ends_with(".pem") {
            key.to_string()
        } else {
            format!("file:{key}")
        };
        for input in [jsonl, csv] {
            let (r, lines) = batch(
                &dir,
                &["verify-batch", &key_arg, "1400001052", "--at", &at],
                input.as_bytes(),
            );
            assert_eq!(lines.len(), cases.len(), "{r:?}");
            let any_bad = cases.iter().any(|c| c["expect"]["ok"] == false);
            assert_eq!(r.code, if any_bad { 1 } else { 0 }, "{}", r.stderr);
            for (line, case) in lines.iter().zip(&cases) {
                let o = json(line);
                let name = case["name"].as_str().unwrap();
                let want_ok = case["expect"]["ok"].as_bool().unwrap() && name != "fail-expired";
                if name == "fail-expired" {
                    // Judged at a time it has not expired yet.
                    assert_eq!(o["ok"], true, "{name}");
                    continue;
                }
                assert_eq!(o["ok"], want_ok, "{name}: {line}");
                assert_eq!(o["code"], case["expect"]["code"], "{name}: {line}");
            }
        }
    }
}

#[test]
fn verify_batch_bad_input_lines() {
    let dir = Scratch::new("vbad");
    let (_, good) = batch(
        &dir,
        &[
            "gen-batch",
            "file:secret.txt",
            "1400001052",
            "--expire",
            "2d",
        ],
        b"xiaojun\n",
    );
    let mut input = good[0].clone().into_bytes();
    input.extend_from_slice(b"\n{\"identifier\":\"x\"}\nnot a line\n{broken json\n\xff\n");
    input.extend(std::iter::repeat_n(b'z', 3 << 20));
    input.push(b'\n');
    let (r, lines) = batch(
        &dir,
        &[
            "verify-batch",
            "file:secret.txt",
            "1400001052",
            "--min-remaining",
            "1d",
        ],
        &input,
    );
    assert_eq!(r.code, 1);
    assert_eq!(lines.len(), 6);
    assert_eq!(json(&lines[0])["ok"], true);
    for (i, words) in [
        (1, "no string \"usersig\""),
        (2, "neither JSON nor CSV"),
        (3, "is not JSON"),
        (4, "not UTF-8"),
        (5, "too long"),
    ] {
        let o = json(&lines[i]);
        assert_eq!(o["ok"], false);
        assert!(o["error"].as_str().unwrap().contains(words), "{}", lines[i]);
    }
    // Valid, but within --min-remaining: exit 4.
    let (r, lines) = batch(
        &dir,
        &[
            "verify-batch",
            "file:secret.txt",
            "1400001052",
            "--min-remaining",
            "3d",
        ],
        (good[0].clone() + "\n").as_bytes(),
    );
    assert_eq!(r.code, 4, "{r:?}");
    assert_eq!(json(&lines[0])["valid"], true);
    assert_eq!(json(&lines[0])["ok"], false);
}

#[test]
fn batch_argument_errors() {
    let dir = Scratch::new("bargs");
    for (args, code, words) in [
        (
            vec!["gen-batch", "public.pem", "1400001052"],
            3,
            "public key",
        ),
        (
            vec!["gen-batch", "-", "1400001052"],
            2,
            "stdin carries the input",
        ),
        (vec!["gen-batch", "ec_key.pem", "abc"], 2, "sdkappid"),
        (
            vec!["gen-batch", "ec_key.pem", "1400001052", "--jobs", "0"],
            2,
            "--jobs",
        ),
        (
            vec!["gen-batch", "ec_key.pem", "1400001052", "--expire", "60y"],
            2,
            "50 years",
        ),
        (
            vec!["verify-batch", "missing.pem", "1400001052"],
            3,
            "missing.pem",
        ),
    ] {
        let r = run_with_stdin(&dir.0, &args, Some(b"xiaojun\n"));
        r.expect(code);
        assert!(r.stderr.contains(words), "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, "");
    }
}

/// A million identifiers stay under 64 MiB of peak RSS. Slow in a debug build; run by
/// benches/compare.sh (release) or with `cargo test --release -- --ignored`.
#[test]
#[ignore]
fn a_million_lines_in_constant_memory() {
    let dir = Scratch::new("million");
    let time = std::path::Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "GNU time (/usr/bin/time) measures the peak RSS"
    );
    let ids: String = (0..1_000_000).map(|i| format!("user{i:07}\n")).collect();
    dir.write("ids", ids.as_bytes());
    for key in ["file:secret.txt", "ec_key.pem"] {
        let out = Command::new(time)
            .args(["-f", "%M", BIN, "gen-batch", key, "1400001052"])
            .current_dir(&dir.0)
            .stdin(std::fs::File::open(dir.path("ids")).unwrap())
            .stdout(std::fs::File::create(dir.path("out")).unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        let kib: u64 = stderr.lines().last().unwrap().trim().parse().unwrap();
        assert!(kib < 64 * 1024, "{key}: peak RSS {kib} KiB");
        let lines = std::fs::read_to_string(dir.path("out"))
            .unwrap()
            .lines()
            .count();
        assert_eq!(lines, 1_000_000);
    }
}

/// On a terminal, a progress line (count, rate, share done and time left when stdin is a
/// file) goes to stderr; off a terminal, nothing (the other tests check stderr is empty).
///
/// The run cannot end before a progress line is shown, however fast the machine: its
/// output goes to a FIFO that this test only starts to drain once the line is on the
/// terminal, and the pipeline stops when the FIFO is full.
#[test]
fn progress_on_a_terminal() {
    use std::io::Read;
    require(&[SCRIPT]);
    let dir = Scratch::new("progress");
    let ids: String = (0..100_000).map(|i| format!("user{i:07}\n")).collect();
    dir.write("ids", ids.as_bytes());
    assert!(
        Command::new("mkfifo")
            .arg(dir.path("out"))
            .status()
            .unwrap()
            .success()
    );
    // script(1) runs the command on a pseudo-terminal and copies what it shows.
    let command = format!("'{BIN}' gen-batch file:secret.txt 1400001052 < ids > out");
    let mut script = Command::new("script")
        .args(["-q", "-c", &command, "/dev/null"])
        .current_dir(&dir.0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // A bound on failure, not on speed: if no progress line ever came, closing the
    // terminal after two minutes ends the wait below with a failed assertion.
    let script_pid = script.id().to_string();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(120));
        let _ = Command::new("kill").arg(&script_pid).status();
    });
    // Open the FIFO (this waits for the writer) and take its first mebibyte, so that some
    // lines are counted done; then read no more until the progress line is shown.
    let mut fifo = std::fs::File::open(dir.path("out")).unwrap();
    let mut head = vec![0u8; 1 << 20];
    fifo.read_exact(&mut head).unwrap();
    let mut terminal = script.stdout.take().unwrap();
    let mut shown = Vec::new();
    let mut buf = [0u8; 4096];
    let line = loop {
        let n = terminal.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "the terminal closed without a progress line: {shown:?}"
        );
        shown.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&shown).into_owned();
        if let Some(line) = text
            .split('\r')
            .find(|l| l.contains(" lines, ") && l.contains("/s, ") && l.contains(" left"))
        {
            break line.to_owned();
        }
    };
    assert!(line.contains("%, about "), "{line}");
    let mut written = head;
    fifo.read_to_end(&mut written).unwrap();
    let mut rest = Vec::new();
    terminal.read_to_end(&mut rest).unwrap();
    assert!(script.wait().unwrap().success());
    assert_eq!(written.split(|&b| b == b'\n').count(), 100_001);
    assert!(written.ends_with(b"\n"));
}
