//! The backend example (examples/backend.rs): what an app's server runs per login,
//! through the library, as `cargo test` builds it beside the binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{BIN, SECRET};
use usersig::{Secret, verify_usersig};

const APP: u32 = 1400001052;

fn secret() -> Secret {
    Secret::new(SECRET.as_bytes()).unwrap()
}

/// The backend example, as `cargo test` builds it beside the binary.
fn backend_example() -> PathBuf {
    let bin = Path::new(BIN);
    let example = bin.parent().unwrap().join("examples").join("backend");
    assert!(
        example.is_file(),
        "{} is not built: run the whole `cargo test` (it builds examples) or `cargo build --examples`",
        example.display()
    );
    example
}

#[test]
fn backend_example_prints_a_usersig_that_verifies() {
    let example = backend_example();
    let dir = std::env::temp_dir().join(format!("tls_licence_tools-api-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let secret_file = dir.join("secret.txt");
    std::fs::write(&secret_file, format!("  {SECRET}\n")).unwrap();

    let out = Command::new(&example)
        .arg(&secret_file)
        .args(["1400001052", "xiaojun"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let last = stdout.lines().last().unwrap();
    let info = verify_usersig(&secret(), APP, "xiaojun", last).unwrap();
    assert_eq!(info.expire, 86400);

    for (args, code) in [
        (vec![secret_file.to_str().unwrap(), "0", "xiaojun"], 2),
        (vec![secret_file.to_str().unwrap(), "1400001052", ""], 2),
        (vec!["/nonexistent/secret.txt", "1400001052", "xiaojun"], 3),
        (vec![secret_file.to_str().unwrap(), "1400001052"], 2),
    ] {
        let out = Command::new(&example).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(!stderr.contains(SECRET));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
