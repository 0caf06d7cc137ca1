//! verify-batch on several thousand genuine, altered and malleated v1 tickets gives each
//! exactly the verdict of an independent verifier: Python's `cryptography` (OpenSSL's
//! ECDSA), given the signed content this test rebuilds from each ticket's own fields
//! (docs/FORMAT.md section 3) and its DER signature. The tickets are decoded and encoded
//! again without the library (flate2, base64). With thousands of lines, most are checked
//! by the batch verifier's tables, which a key gets after 400 verifications by ring.

use crate::common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::precondition::{DEBIAN_PYTHON3, PY_CRYPTOGRAPHY, require};
use common::*;
use serde_json::{Map, Value};

/// Genuine tickets made; each is checked as made and once changed.
const TICKETS: usize = 3000;

/// The order of P-256, big-endian.
const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// What is done to a genuine ticket: the first two leave it valid.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Change {
    /// Nothing: decoded and encoded again.
    Reencoded,
    /// `s` replaced by `n - s`: the other valid signature of the same content.
    HighS,
    FlipBitOfR,
    FlipBitOfS,
    RPlusN,
    SPlusN,
    RZero,
    RNegated,
    Swapped,
    /// A needless zero byte before `r`: not DER.
    PaddedR,
    /// The last bytes of the DER cut off.
    Truncated,
    /// `TLS.time` one second earlier, the signature unchanged.
    Time,
    /// `TLS.expire_after` one second longer, the signature unchanged.
    ExpireAfter,
}

const CHANGES: [Change; 13] = [
    Change::Reencoded,
    Change::HighS,
    Change::FlipBitOfR,
    Change::FlipBitOfS,
    Change::RPlusN,
    Change::SPlusN,
    Change::RZero,
    Change::RNegated,
    Change::Swapped,
    Change::PaddedR,
    Change::Truncated,
    Change::Time,
    Change::ExpireAfter,
];

impl Change {
    fn keeps_valid(self) -> bool {
        matches!(self, Change::Reencoded | Change::HighS)
    }

    /// Apply the change to the decoded ticket of the `i`th line (which picks the bit
    /// flipped and the bytes cut).
    fn apply(self, ticket: &mut Map<String, Value>, i: usize) {
        let der = signature(ticket);
        let (r, s) = split(&der);
        let bit = |v: &[u8]| {
            let mut v = pad32(v);
            v[(i / 8) % 32] ^= 1 << (i % 8);
            v
        };
        let der = match self {
            Change::Time => return add_to(ticket, "TLS.time", -1),
            Change::ExpireAfter => return add_to(ticket, "TLS.expire_after", 1),
            Change::Reencoded => der,
            Change::HighS => encode(&r, &sub(&N, &s), false),
            Change::FlipBitOfR => encode(&bit(&r), &s, false),
            Change::FlipBitOfS => encode(&r, &bit(&s), false),
            Change::RPlusN => encode(&add(&r, &N), &s, false),
            Change::SPlusN => encode(&r, &add(&s, &N), false),
            Change::RZero => encode(&[], &s, false),
            Change::RNegated => encode(&sub(&N, &r), &s, false),
            Change::Swapped => encode(&s, &r, false),
            Change::PaddedR => encode(&r, &s, true),
            Change::Truncated => der[..der.len() - 1 - i % 8].to_vec(),
        };
        ticket.insert("TLS.sig".into(), STANDARD.encode(der).into());
    }
}

/// The ticket's `TLS.sig`, decoded.
fn signature(ticket: &Map<String, Value>) -> Vec<u8> {
    STANDARD
        .decode(ticket["TLS.sig"].as_str().expect("TLS.sig is a string"))
        .expect("TLS.sig is base64")
}

/// Add `delta` to a decimal string field.
fn add_to(ticket: &mut Map<String, Value>, field: &str, delta: i64) {
    let value: i64 = ticket[field].as_str().unwrap().parse().unwrap();
    ticket.insert(field.into(), (value + delta).to_string().into());
}

/// The v1 signed content of a decoded ticket, from its own values (docs/FORMAT.md
/// section 3): `NAME:VALUE` lines, the optional ones only when present.
fn signed_content(ticket: &Map<String, Value>) -> Vec<u8> {
    let mut content = String::new();
    for (name, optional) in [
        ("TLS.appid_at_3rd", true),
        ("TLS.account_type", false),
        ("TLS.identifier", false),
        ("TLS.sdk_appid", false),
        ("TLS.time", false),
        ("TLS.expire_after", false),
        ("TLS.userbuf", true),
    ] {
        match ticket.get(name) {
            Some(Value::String(value)) => content += &format!("{name}:{value}\n"),
            None if optional => {}
            other => panic!("{name} is {other:?}"),
        }
    }
    content.into_bytes()
}

/// `r` and `s` of a DER signature as gen-batch writes them (short lengths), as unsigned
/// big-endian magnitudes without leading zeros.
fn split(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    assert_eq!(
        (der[0], usize::from(der[1])),
        (0x30, der.len() - 2),
        "{der:02x?}"
    );
    let integer = |at: usize| {
        assert_eq!(der[at], 0x02, "{der:02x?}");
        let end = at + 2 + usize::from(der[at + 1]);
        (strip(&der[at + 2..end]), end)
    };
    let (r, end) = integer(2);
    let (s, end) = integer(end);
    assert_eq!(end, der.len(), "{der:02x?}");
    (r, s)
}

fn strip(v: &[u8]) -> Vec<u8> {
    v.iter().copied().skip_while(|&b| b == 0).collect()
}

fn pad32(v: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 32 - v.len()];
    out.extend_from_slice(v);
    out
}

/// The DER signature of the magnitudes `r` and `s`: minimal, unless `pad_r` puts a
/// needless zero byte before `r`.
fn encode(r: &[u8], s: &[u8], pad_r: bool) -> Vec<u8> {
    let integer = |v: &[u8], pad: bool| {
        let mut body = strip(v);
        if body.first().is_none_or(|b| b & 0x80 != 0) {
            body.insert(0, 0);
        }
        if pad {
            body.insert(0, 0);
        }
        let mut out = vec![0x02, u8::try_from(body.len()).unwrap()];
        out.extend(body);
        out
    };
    let body = [integer(r, pad_r), integer(s, false)].concat();
    let mut der = vec![0x30, u8::try_from(body.len()).unwrap()];
    der.extend(body);
    der
}

/// `a + b`, big-endian.
fn add(a: &[u8], b: &[u8]) -> Vec<u8> {
    let (a, b) = (pad_to(a, 33), pad_to(b, 33));
    let mut out = vec![0u8; 33];
    let mut carry = 0u16;
    for i in (0..33).rev() {
        let sum = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    strip(&out)
}

/// `a - b` for `a >= b`, big-endian.
fn sub(a: &[u8], b: &[u8]) -> Vec<u8> {
    let (a, b) = (pad_to(a, 33), pad_to(b, 33));
    let mut out = vec![0u8; 33];
    let mut borrow = 0i16;
    for i in (0..33).rev() {
        let diff = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(diff < 0);
        out[i] = diff.rem_euclid(256) as u8;
    }
    assert_eq!(borrow, 0, "a < b");
    strip(&out)
}

fn pad_to(v: &[u8], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len - v.len()];
    out.extend_from_slice(v);
    out
}

/// Python's verdict on each (content, DER signature) pair under `public_pem`, all in one
/// process.
fn python_verdicts(public_pem: &Path, pairs: &[(Vec<u8>, Vec<u8>)]) -> Vec<bool> {
    const SCRIPT: &str = r#"
import sys
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

with open(sys.argv[1], "rb") as f:
    key = serialization.load_pem_public_key(f.read())
verdicts = []
for line in sys.stdin:
    content, der = (bytes.fromhex(field) for field in line.split())
    try:
        key.verify(der, content, ec.ECDSA(hashes.SHA256()))
        verdicts.append("1")
    except InvalidSignature:
        verdicts.append("0")
print("".join(verdicts))
"#;
    let hex = |v: &[u8]| v.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let input: String = pairs
        .iter()
        .map(|(content, der)| format!("{} {}\n", hex(content), hex(der)))
        .collect();
    let mut child = Command::new(DEBIAN_PYTHON3)
        .args(["-c", SCRIPT])
        .arg(public_pem)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let verdicts: Vec<bool> = String::from_utf8(out.stdout)
        .unwrap()
        .trim_end()
        .chars()
        .map(|c| match c {
            '0' => false,
            '1' => true,
            c => panic!("python3 printed {c:?}"),
        })
        .collect();
    assert_eq!(verdicts.len(), pairs.len());
    verdicts
}

#[test]
fn verify_batch_gives_an_independent_verifiers_verdicts() {
    require(&[PY_CRYPTOGRAPHY]);
    let dir = Scratch::new("verdicts");
    let ids: Vec<String> = (0..TICKETS).map(|i| format!("user{i:05}")).collect();
    let r = run_with_stdin(
        &dir.0,
        ["gen-batch", "ec_key.pem", "1400001052"],
        Some((ids.join("\n") + "\n").as_bytes()),
    );
    r.expect(0);
    // Each genuine ticket, then its changed twin.
    let mut lines = Vec::new();
    let mut pairs = Vec::new();
    let mut expected = Vec::new();
    let mut latest: i64 = 0;
    for (i, line) in r.stdout.lines().enumerate() {
        let made: Value = serde_json::from_str(line).unwrap();
        let id = made["identifier"].as_str().unwrap();
        assert_eq!(id, ids[i]);
        let text = made["usersig"].as_str().unwrap();
        let ticket: Map<String, Value> = serde_json::from_str(&decode_independently(text)).unwrap();
        latest = latest.max(ticket["TLS.time"].as_str().unwrap().parse().unwrap());
        let change = CHANGES[i % CHANGES.len()];
        let mut changed = ticket.clone();
        change.apply(&mut changed, i);
        let json = serde_json::to_string(&changed).unwrap();
        let changed_text = ticket_text(&zlib(json.as_bytes(), 6));
        for (t, text, valid) in [
            (&ticket, text.to_owned(), true),
            (&changed, changed_text, change.keeps_valid()),
        ] {
            lines.push(format!(r#"{{"identifier":"{id}","usersig":"{text}"}}"#));
            pairs.push((signed_content(t), signature(t)));
            expected.push(valid);
        }
    }
    assert_eq!(lines.len(), 2 * TICKETS);

    // The independent verifier decides, and agrees with what each change should do.
    let verdicts = python_verdicts(&dir.path("public.pem"), &pairs);
    for (i, (verdict, want)) in verdicts.iter().zip(&expected).enumerate() {
        let change = match i % 2 {
            0 => "none".to_owned(),
            _ => format!("{:?}", CHANGES[(i / 2) % CHANGES.len()]),
        };
        assert_eq!(verdict, want, "line {}, change {change}", i + 1);
    }
    let valid = verdicts.iter().filter(|&&v| v).count();
    assert_eq!((valid, verdicts.len() - valid), (3462, 2538));

    // All judged at one time, when every ticket is within its validity.
    let at = latest.to_string();
    // From a file: the tool streams, and 2 MB written to its stdin while its stdout is
    // not read would fill both pipes.
    let input = dir.write("tickets.jsonl", (lines.join("\n") + "\n").as_bytes());
    let mut outputs = Vec::new();
    for jobs in ["1", "2"] {
        let out = Command::new(BIN)
            .args(["verify-batch", "public.pem", "1400001052", "--at", &at])
            .args(["--jobs", jobs])
            .current_dir(&dir.0)
            .stdin(std::fs::File::open(&input).unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert_eq!(
            stderr,
            "tls_licence_tools: verify-batch: 2538 of 6000 lines failed\n"
        );
        outputs.push(String::from_utf8(out.stdout).unwrap());
    }
    assert_eq!(outputs[0], outputs[1], "--jobs 1 and --jobs 2 differ");

    let results: Vec<&str> = outputs[0].lines().collect();
    assert_eq!(results.len(), lines.len());
    let mut codes = [0usize; 2];
    for (i, (result, verdict)) in results.iter().zip(&verdicts).enumerate() {
        let o: Value = serde_json::from_str(result).unwrap();
        assert_eq!(o["line"], i + 1, "{result}");
        assert_eq!(o["identifier"], ids[i / 2], "{result}");
        assert_eq!(o["ok"], *verdict, "{result}");
        assert_eq!(o["valid"], *verdict, "{result}");
        if *verdict {
            assert_eq!(o["code"], 0, "{result}");
            codes[0] += 1;
        } else {
            assert_eq!(o["code"], 70009, "{result}");
            let reason = o["reason"].as_str().unwrap();
            assert!(
                reason.starts_with("the ticket's signature does not verify with this public key"),
                "{result}"
            );
            codes[1] += 1;
        }
    }
    assert_eq!(codes, [3462, 2538]);
}
