//! What a test needs from the machine beyond cargo (root, a tool, a Python module, a bind
//! mount), and the one way a test asks for it, so that no test passes by skipping.
//!
//! A test that needs something calls [`require`] first: a missing precondition fails the
//! test with a message naming what to install or do ("script(1) is missing: apt-get
//! install bsdutils"), so a test that ran has tested. Tools and Python modules can be
//! installed (`.ci/run` installs each of [`TOOLS`] and [`PYTHON_MODULES`] that is missing),
//! so the tests that need one run everywhere.
//!
//! Root cannot be installed, and cargo is rarely run as root; so a test that needs root
//! is also marked `#[cfg_attr(not(ci), ignore = "needs root; CI=true runs it")]`. src/build.rs
//! sets `cfg(ci)` when the environment has CI=true, as CI has (and runs as root): there
//! the test runs, and fails if it is not root. Elsewhere cargo shows it as ignored, with
//! that reason, and counts it in its summary; `CI=true cargo test`, as root, runs it.
//!
//! Not a skip at run time: libtest has no way for a running test to say it skipped, so a
//! test that returns early counts as passed, and its note on stderr is hidden by cargo.
//! Not a probe of root or tools in src/build.rs: they belong to the run, not to the build,
//! which is reused. src/cli/fsio.rs's unit tests include this file too.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Something a test needs from the machine.
#[derive(Debug, Clone, Copy)]
pub enum Precondition {
    /// Running as root: to act as another user (setpriv), give files to them, mount.
    Root,
    /// A command on PATH: `page` names it in messages, `package` is the Debian package
    /// that has it.
    Tool {
        command: &'static str,
        page: &'static str,
        package: &'static str,
    },
    /// A file bind-mounted over another in a private mount namespace (`unshare -m`,
    /// `mount --bind`): root with CAP_SYS_ADMIN.
    BindMount,
    /// A module that Debian's python3 ([`DEBIAN_PYTHON3`]) imports: `package` is the
    /// Debian package that has it.
    PythonModule {
        module: &'static str,
        package: &'static str,
    },
}

pub const ROOT: Precondition = Precondition::Root;
pub const BIND_MOUNT: Precondition = Precondition::BindMount;
pub const SCRIPT: Precondition = tool("script", "script(1)", "bsdutils");
pub const SETPRIV: Precondition = tool("setpriv", "setpriv(1)", "util-linux");
pub const UNSHARE: Precondition = tool("unshare", "unshare(1)", "util-linux");
pub const MOUNT: Precondition = tool("mount", "mount(8)", "mount");
pub const SYSTEMD_ANALYZE: Precondition = tool("systemd-analyze", "systemd-analyze", "systemd");
pub const MAN: Precondition = tool("man", "man(1)", "man-db");
pub const PROMTOOL: Precondition = tool("promtool", "promtool", "prometheus");
pub const OPENSSL: Precondition = tool("openssl", "openssl(1)", "openssl");
pub const PYTHON3: Precondition = tool("python3", "python3", "python3");

/// Python's `cryptography` (OpenSSL's ECDSA underneath): an ECDSA verifier that is not ours.
pub const PY_CRYPTOGRAPHY: Precondition = Precondition::PythonModule {
    module: "cryptography",
    package: "python3-cryptography",
};

/// Debian's python3, the one that imports the modules of Debian's python3-* packages (a
/// python3 earlier on PATH, such as pyenv's, may not).
pub const DEBIAN_PYTHON3: &str = "/usr/bin/python3";

/// Every Python module a test imports; `.ci/run` installs those missing (a test checks it
/// lists each as `module:package`).
pub const PYTHON_MODULES: [Precondition; 1] = [PY_CRYPTOGRAPHY];

/// Every tool a test requires; `.ci/run` installs those missing (a test checks it lists
/// each as `command:package`).
pub const TOOLS: [Precondition; 9] = [
    SCRIPT,
    SETPRIV,
    UNSHARE,
    MOUNT,
    SYSTEMD_ANALYZE,
    MAN,
    PROMTOOL,
    OPENSSL,
    PYTHON3,
];

pub const fn tool(
    command: &'static str,
    page: &'static str,
    package: &'static str,
) -> Precondition {
    Precondition::Tool {
        command,
        page,
        package,
    }
}

impl Precondition {
    /// Why it is not met, as a message naming the fix; `None` when it is met.
    pub fn missing(self) -> Option<String> {
        match self {
            Precondition::Root => (!nix::unistd::geteuid().is_root())
                .then(|| "needs root: run the tests as root".to_owned()),
            Precondition::Tool {
                command,
                page,
                package,
            } => {
                (!on_path(command)).then(|| format!("{page} is missing: apt-get install {package}"))
            }
            Precondition::PythonModule { module, package } => (!imports(module)).then(|| {
                format!(
                    "the Python module {module} is missing from {DEBIAN_PYTHON3}: \
                         apt-get install {package}"
                )
            }),
            Precondition::BindMount => bind_mount_fails().map(|why| {
                format!(
                    "cannot bind-mount a file here ({why}): run the tests as root with \
                     CAP_SYS_ADMIN (in a container: --privileged or --cap-add SYS_ADMIN)"
                )
            }),
        }
    }
}

/// Fail the test, naming every missing precondition and its fix, unless all are met.
#[track_caller]
pub fn require(needs: &[Precondition]) {
    let missing: Vec<String> = needs.iter().filter_map(|need| need.missing()).collect();
    if !missing.is_empty() {
        panic!("{}", missing.join("; "));
    }
}

/// Whether an executable file named `command` is in a directory of PATH (where
/// `Command::new(command)` finds it).
fn on_path(command: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        std::fs::metadata(dir.join(command))
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// Whether [`DEBIAN_PYTHON3`] imports `module`.
fn imports(module: &str) -> bool {
    Command::new(DEBIAN_PYTHON3)
        .args(["-c", &format!("import {module}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Bind-mount one scratch file over another in a private mount namespace, which ends
/// with the command; what went wrong, if it failed.
fn bind_mount_fails() -> Option<String> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "precondition-bind-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["a", "b"] {
        std::fs::write(dir.join(name), name).unwrap();
    }
    let out = Command::new("unshare")
        .args(["-m", "sh", "-c", "mount --bind a b"])
        .current_dir(&dir)
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    match out {
        Err(e) => Some(format!("unshare: {e}")),
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(format!(
            "unshare -m, mount --bind: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}
