//! The command line's contract as data (tests/cmd/): each `*.toml` case runs the binary
//! with its arguments (and `*.stdin` on stdin) in tests/cmd/files/, or in a copy of it
//! for the commands that could write (`fs.sandbox`), with TZ=UTC and no other
//! environment, and asserts its exit status, stdout (`*.stdout`) and stderr (`*.stderr`)
//! exactly; `[..]` stands only for what depends on today's date. After a deliberate
//! change of output, `TRYCMD=overwrite cargo test --test cli cmd::` rewrites them.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{BIN, fixture};

/// Where a file of tests/cmd/files/ comes from.
enum Source {
    /// A copy of this file of fixtures/.
    Fixture(&'static str),
    /// The ticket of this case of fixtures/vectors.json.
    Vector(&'static str),
}

/// Every file of tests/cmd/files/, with its source and mode.
const FILES: &[(&str, Source, u32)] = &[
    ("ec_key.pem", Source::Fixture("ec_key.pem"), 0o600),
    ("open_key.pem", Source::Fixture("ec_key.pem"), 0o644),
    ("public.pem", Source::Fixture("public.pem"), 0o644),
    (
        "other_public.pem",
        Source::Fixture("other_public.pem"),
        0o644,
    ),
    ("secret.txt", Source::Fixture("secret.txt"), 0o600),
    (
        "other_secret.txt",
        Source::Fixture("other_secret.txt"),
        0o600,
    ),
    ("v1.sig", Source::Vector("v1-cpp-gen-sec1-key"), 0o644),
    ("v1_50y.sig", Source::Vector("v1-cpp-genexpire-50y"), 0o644),
    ("v1user.sig", Source::Vector("v1-cpp-genuser"), 0o644),
    ("v1plain.sig", Source::Vector("v1-plain-json-legacy"), 0o644),
    ("v2.sig", Source::Vector("v2-cpp-gen2"), 0o644),
    ("v2node.sig", Source::Vector("v2-node-genUserSig"), 0o644),
    ("v2user.sig", Source::Vector("v2-cpp-gen2user"), 0o644),
    (
        "privmap.sig",
        Source::Vector("v2-python-privatemapkey-room10000-priv255"),
        0o644,
    ),
    (
        "privmap_str.sig",
        Source::Vector("v2-python-privatemapkey-strroom-priv42"),
        0o644,
    ),
    (
        "tampered.sig",
        Source::Vector("fail-tampered-signature"),
        0o644,
    ),
    ("not_zlib.sig", Source::Vector("fail-not-zlib"), 0o644),
    ("truncated.sig", Source::Vector("fail-truncated"), 0o644),
    (
        "no_sig_field.sig",
        Source::Vector("fail-missing-sig-field"),
        0o644,
    ),
    (
        "v2_time_string.sig",
        Source::Vector("fail-v2-time-as-string"),
        0o644,
    ),
    ("fleet.toml", Source::Fixture("manifests/fleet.toml"), 0o644),
    ("empty.toml", Source::Fixture("manifests/empty.toml"), 0o644),
    (
        "mode_decimal.toml",
        Source::Fixture("manifests/mode_decimal.toml"),
        0o644,
    ),
    (
        "mode_leading_zero.toml",
        Source::Fixture("manifests/mode_leading_zero.toml"),
        0o644,
    ),
];

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cmd")
}

/// The ticket of each vector case, by name.
fn vector_tickets() -> Vec<(String, String)> {
    let text = fs::read_to_string(fixture("vectors.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let name = c["name"].as_str().unwrap().to_owned();
            (name, c["sig"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// The files the cases run on are the fixtures and the vectors' tickets, byte for byte,
/// with the modes the cases expect (a checkout's umask chose them): private keys and
/// secrets 0600, but open_key.pem, whose warning a case shows.
fn prepare_files() {
    let dir = cases_dir().join("files");
    let mut present: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    present.sort();
    let mut listed: Vec<String> = FILES.iter().map(|(n, _, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(present, listed, "tests/cmd/files/ against FILES");
    let tickets = vector_tickets();
    for (name, source, mode) in FILES {
        let path = dir.join(name);
        let bytes = fs::read(&path).unwrap();
        let want = match source {
            Source::Fixture(f) => fs::read(fixture(f)).unwrap(),
            Source::Vector(case) => {
                let (_, sig) = tickets
                    .iter()
                    .find(|(n, _)| n == case)
                    .unwrap_or_else(|| panic!("no vector {case}"));
                sig.as_bytes().to_vec()
            }
        };
        assert!(bytes == want, "tests/cmd/files/{name} is not its source");
        fs::set_permissions(&path, fs::Permissions::from_mode(*mode)).unwrap();
    }
}

/// Every case states its exit status and has its stdout and stderr beside it, so none
/// leaves a stream or the status unchecked.
fn every_case_asserts_everything() -> usize {
    let mut cases = 0;
    for entry in fs::read_dir(cases_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        cases += 1;
        let case: toml::Table = fs::read_to_string(&path).unwrap().parse().unwrap();
        assert!(
            case.get("status")
                .and_then(|s| s.get("code"))
                .is_some_and(|c| c.is_integer()),
            "{} has no status.code",
            path.display()
        );
        assert!(
            !case.contains_key("stdout") && !case.contains_key("stderr"),
            "{}: the streams are in its .stdout and .stderr files",
            path.display()
        );
        for stream in ["stdout", "stderr"] {
            assert!(
                path.with_extension(stream).is_file(),
                "{} has no .{stream}",
                path.display()
            );
        }
    }
    cases
}

#[test]
fn the_command_line_contract() {
    prepare_files();
    let cases = every_case_asserts_everything();
    assert!(cases >= 40, "{cases} cases");
    trycmd::TestCases::new()
        .default_bin_path(BIN)
        .case(cases_dir().join("*.toml"));
}
