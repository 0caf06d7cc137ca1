//! What the Debian package ships beside the binary (Cargo.toml's
//! `[package.metadata.deb]`): the contrib systemd units' hardening, measured as systemd
//! measures it. `.ci/run` builds, installs and removes the package itself.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::Scratch;
use common::precondition::{SYSTEMD_ANALYZE, require};

/// The overall exposure `systemd-analyze security --offline=yes` gives a unit file (0.0
/// is fully sandboxed, 10.0 not at all), read from its last line
/// "→ Overall exposure level for NAME: 1.2 OK 🙂".
fn exposure(unit: &Path) -> f64 {
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=yes", "--no-pager"])
        .arg(unit)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}: {said}{text}", unit.display());
    let name = unit.file_name().unwrap().to_string_lossy();
    let marker = format!("Overall exposure level for {name}: ");
    let line = text
        .lines()
        .find_map(|l| l.split_once(&marker).map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("no overall exposure for {name}: {text}"));
    let number = line.split_whitespace().next().unwrap();
    number
        .parse()
        .unwrap_or_else(|_| panic!("exposure '{number}' of {name} is not a number"))
}

fn unit(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("contrib/systemd")
        .join(name)
}

/// The metrics unit only reads and writes one file: at most 2.5. The renew unit runs
/// deploy hooks that restart services as root: at most 5.0.
#[test]
fn the_services_are_sandboxed_within_their_limits() {
    require(&[SYSTEMD_ANALYZE]);
    for (name, limit) in [
        ("usersig-metrics.service", 2.5),
        ("usersig-renew.service", 5.0),
    ] {
        let score = exposure(&unit(name));
        assert!(
            score <= limit,
            "{name}: systemd-analyze security exposure {score} is above {limit}"
        );
    }
}

/// The measure tells a loosened unit: the renew unit without its sandbox (only its
/// [Unit] and the ExecStart line) is far above the limit, as the units were before.
#[test]
fn an_unsandboxed_unit_measures_above_the_limits() {
    require(&[SYSTEMD_ANALYZE]);
    let s = Scratch::new("package-loose");
    let text = fs::read_to_string(unit("usersig-renew.service")).unwrap();
    let loose: String = text
        .lines()
        .filter(|l| !l.contains('=') || l.starts_with("ExecStart=") || l.starts_with("Desc"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(
        loose.contains("\nExecStart=/usr/bin/tls_licence_tools renew "),
        "{loose}"
    );
    let path = s.write("usersig-renew.service", loose.as_bytes());
    let score = exposure(&path);
    assert!(score > 5.0, "an unsandboxed unit measures {score}");
}
