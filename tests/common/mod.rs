//! Helpers shared by the binary's tests: run it, a scratch directory, fixture paths, an
//! independent decoder for ticket text, and what a test needs from the machine.
#![allow(dead_code)]

pub mod precondition;

use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub mod no_randomness;
/// Ticket text made and read without the library (shared with the library's tests).
pub mod text;
pub use text::{decode_independently, ticket_text};

pub const BIN: &str = env!("CARGO_BIN_EXE_tls_licence_tools");
/// The user the tests act as when they need another user than root: nobody.
pub const NOBODY: u32 = 65534;

/// `setpriv` arguments that drop to nobody ([`NOBODY`]).
pub fn as_nobody() -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
    cmd
}
pub const SECRET: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
pub const OTHER_SECRET: &str = "0345c13c214c9e350561aa9b921f426769fb351d294772f0eace4e6d773295b0";
/// The private scalar of fixtures/ec_key.pem in its PEM base64 (a run of it must never
/// appear in output).
pub const KEY_BODY: &str = "MHcCAQEEIDj0A8ub5XG5DrI2XrZHh0DslUpFbT9ABH";

/// The warning a v2 secret given literally on the command line draws, once a run,
/// before anything else on stderr.
pub const LITERAL_SECRET_WARNING: &str = "tls_licence_tools: warning: the v2 secret given on the command line can be read by every user in `ps` and stays in the shell history; pass file:PATH, env:NAME or - (stdin) instead\n";

/// The system clock, Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap()
}

/// The path of a file in fixtures/.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The result of one run, with the streams as text.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub raw_stdout: Vec<u8>,
}

impl Run {
    /// Assert that nothing secret leaked into either stream.
    pub fn assert_no_secrets(&self) -> &Run {
        for s in [SECRET, OTHER_SECRET, KEY_BODY] {
            assert!(!self.stdout.contains(s), "secret in stdout: {self:?}");
            assert!(!self.stderr.contains(s), "secret in stderr: {self:?}");
        }
        self
    }

    /// The run without the warning about a literal secret, which must be the first line
    /// of its stderr.
    pub fn without_literal_warning(mut self) -> Run {
        self.stderr = self
            .stderr
            .strip_prefix(LITERAL_SECRET_WARNING)
            .unwrap_or_else(|| panic!("no literal-secret warning first: {self:#?}"))
            .to_owned();
        self
    }

    /// Assert the exit status and that stderr is a single line (or empty).
    pub fn expect(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "{self:#?}");
        assert!(
            self.stderr.lines().count() <= 1,
            "stderr is more than one line: {self:#?}"
        );
        self.assert_no_secrets()
    }
}

fn finish(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        raw_stdout: out.stdout,
    }
}

/// Run the binary in `dir` with these arguments and no stdin, and fail the test if it has
/// not ended within a minute: for runs that must never wait (on a FIFO, a lock, a
/// terminal), which take milliseconds, so that a hang is a failure, not a stuck suite.
pub fn run_bounded(dir: &Path, args: &[&str]) -> Run {
    let child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the command");
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    // Waited for on another thread, which reads both streams as they come.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(out) => finish(out.expect("wait for the command")),
        Err(_) => {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            panic!("{args:?} hung");
        }
    }
}

/// Run the binary in `dir` with these arguments and no stdin.
pub fn run<I, S>(dir: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_with_stdin(dir, args, None)
}

/// Run the binary in `dir`, feeding `stdin` when given.
pub fn run_with_stdin<I, S>(dir: &Path, args: I, stdin: Option<&[u8]>) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_command(command(dir, args), stdin)
}

/// As [`run_with_stdin`], on a system that gives no secure randomness
/// ([`no_randomness`]).
pub fn run_without_randomness<I, S>(dir: &Path, args: I, stdin: Option<&[u8]>) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = command(dir, args);
    no_randomness::deny_randomness(&mut cmd);
    run_command(cmd, stdin)
}

/// The binary with these arguments, run in `dir` with the time zone UTC.
fn command<I, S>(dir: &Path, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir).env("TZ", "UTC");
    cmd
}

/// Run `cmd`, feeding `stdin` when given, and collect both streams.
fn run_command(mut cmd: Command, stdin: Option<&[u8]>) -> Run {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let mut child = cmd.spawn().expect("run the binary");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        // The binary may stop reading early; a broken pipe here is fine.
        let _ = pipe.write_all(input);
    }
    finish(child.wait_with_output().expect("wait for the binary"))
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh scratch directory holding copies of the fixture keys; removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!(
            "tls_licence_tools-test-{}-{tag}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for f in [
            "ec_key.pem",
            "private_pkcs8.pem",
            "public.pem",
            "other_public.pem",
            "secret.txt",
            "other_secret.txt",
        ] {
            std::fs::copy(fixture(f), dir.join(f)).unwrap();
        }
        // Private keys and secrets as they should be kept (else the tool warns).
        for f in [
            "ec_key.pem",
            "private_pkcs8.pem",
            "secret.txt",
            "other_secret.txt",
        ] {
            std::fs::set_permissions(dir.join(f), std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        Scratch(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, data).unwrap();
        p
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    /// The names in the directory, sorted (to prove no temporary file was left).
    pub fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// zlib-compress at `level`.
pub fn zlib(data: &[u8], level: u32) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Check `data` against a signature with the openssl command line (an implementation
/// independent of ours): ECDSA with a PEM public key, or HMAC-SHA256 with a secret.
pub fn openssl_ecdsa_verifies(public_pem: &Path, content: &[u8], der_sig: &[u8]) -> bool {
    precondition::require(&[precondition::OPENSSL]);
    let dir = Scratch::new("openssl");
    let content_path = dir.write("content", content);
    let sig_path = dir.write("sig.der", der_sig);
    let out = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(public_pem)
        .arg("-signature")
        .arg(&sig_path)
        .arg(&content_path)
        .output()
        .unwrap();
    out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Verified OK")
}

/// HMAC-SHA256 of `content` keyed with `secret`, by openssl, as base64.
pub fn openssl_hmac_base64(secret: &str, content: &[u8]) -> String {
    precondition::require(&[precondition::OPENSSL]);
    let dir = Scratch::new("openssl-hmac");
    let content_path = dir.write("content", content);
    let out = Command::new("openssl")
        .args(["dgst", "-sha256", "-binary", "-mac", "HMAC", "-macopt"])
        .arg(format!("key:{secret}"))
        .arg(&content_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    STANDARD.encode(out.stdout)
}
