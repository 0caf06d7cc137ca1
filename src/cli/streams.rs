//! Standard output and standard error whose failures are never lost.
//!
//! The rule for every command: output that could not be written is never a success.
//! - A closed pipe on stdout (EPIPE, as under `| head -1`) ends the command quietly with
//!   status 141, what a shell shows for a Unix tool killed by SIGPIPE.
//! - Any other failed write to stdout (a stdout closed with `>&-`, a full disk as with
//!   `> /dev/full`, EIO) ends it with status 3 and one line on stderr:
//!   `tls_licence_tools: error: cannot write to standard output: REASON`.
//! - A failed write to stderr (closed, full, a closed pipe) turns what would have been a
//!   success into status 141 (closed pipe) or 3 (anything else); no message can be
//!   written. A command that already failed keeps its own status.
//!
//! The Rust runtime quietly reopens a closed stdin, stdout or stderr on /dev/null before
//! `main` runs, which would make every write to a closed stdout succeed. So the state of
//! descriptors 1 and 2 is looked at before the runtime starts (an ELF `.init_array`
//! entry, or its Mach-O equivalent), and a stream that was closed then fails every
//! write with EBADF.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use super::exit;

/// The tool's name, which begins every line it writes to stderr.
pub const NAME: &str = "tls_licence_tools";

/// Whether descriptor 1 (stdout) was closed when the process started.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
/// Whether descriptor 2 (stderr) was closed when the process started.
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

/// The first failed write to each stream: 0 none, 1 a closed pipe, 2 anything else.
static STDOUT_FAILED: AtomicU8 = AtomicU8::new(0);
static STDERR_FAILED: AtomicU8 = AtomicU8::new(0);

/// Runs before the Rust runtime's start-up code: note which of stdout and stderr are
/// closed.
extern "C" fn probe_standard_streams() {
    // SAFETY: fcntl(F_GETFD) only reads the descriptor's flags; on a descriptor that is
    // not open it fails with EBADF and changes nothing.
    let closed = |fd| unsafe { nix::libc::fcntl(fd, nix::libc::F_GETFD) } == -1;
    STDOUT_CLOSED.store(closed(1), Ordering::Relaxed);
    STDERR_CLOSED.store(closed(2), Ordering::Relaxed);
}

#[used]
#[cfg_attr(
    any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly",
        target_os = "illumos",
        target_os = "solaris"
    ),
    unsafe(link_section = ".init_array")
)]
#[cfg_attr(
    any(target_os = "macos", target_os = "ios"),
    unsafe(link_section = "__DATA,__mod_init_func")
)]
static PROBE_STANDARD_STREAMS: extern "C" fn() = probe_standard_streams;

fn closed_at_start() -> io::Error {
    io::Error::from_raw_os_error(nix::libc::EBADF)
}

fn note(failed: &AtomicU8, e: &io::Error) {
    let code = if e.kind() == io::ErrorKind::BrokenPipe {
        1
    } else {
        2
    };
    let _ = failed.compare_exchange(0, code, Ordering::Relaxed, Ordering::Relaxed);
}

/// Standard output as a writer that reports every failure, including a stdout that was
/// closed when the process started. Every failure is also remembered for [`settle`].
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if STDOUT_CLOSED.load(Ordering::Relaxed) {
            let e = closed_at_start();
            note(&STDOUT_FAILED, &e);
            return Err(e);
        }
        io::stdout()
            .write(buf)
            .inspect_err(|e| note(&STDOUT_FAILED, e))
    }

    fn flush(&mut self) -> io::Result<()> {
        if STDOUT_CLOSED.load(Ordering::Relaxed) {
            let e = closed_at_start();
            note(&STDOUT_FAILED, &e);
            return Err(e);
        }
        io::stdout()
            .flush()
            .inspect_err(|e| note(&STDOUT_FAILED, e))
    }
}

/// Whether stdout was closed when the process started (its writes all fail).
pub fn stdout_closed_at_start() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Remember a failed write to stdout made by someone else (clap printing its help).
pub fn note_stdout_failure(e: &io::Error) {
    note(&STDOUT_FAILED, e);
}

/// Write all of `bytes` to stdout and flush it.
pub fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = Stdout;
    let _lock = io::stdout().lock();
    out.write_all(bytes).and_then(|()| out.flush())
}

/// Write all of `bytes` to stderr. A failure is remembered for [`settle`] (there is no
/// other place to say it).
pub fn write_stderr(bytes: &[u8]) {
    if STDERR_CLOSED.load(Ordering::Relaxed) {
        note(&STDERR_FAILED, &closed_at_start());
        return;
    }
    let mut err = io::stderr().lock();
    if let Err(e) = err.write_all(bytes).and_then(|()| err.flush()) {
        note(&STDERR_FAILED, &e);
    }
}

/// Write one line (a newline is added) to stderr; see [`write_stderr`].
pub fn stderr_line(line: &str) {
    write_stderr(format!("{line}\n").as_bytes());
}

/// The exit status once the command has given `status`: a success whose output (stdout
/// or stderr) was not all written becomes 141 (a closed pipe) or 3 (any other failure).
pub fn settle(status: u8) -> u8 {
    if status != 0 {
        return status;
    }
    let failed = STDOUT_FAILED
        .load(Ordering::Relaxed)
        .max(STDERR_FAILED.load(Ordering::Relaxed));
    match failed {
        0 => status,
        1 => exit::CLOSED_PIPE.code,
        _ => exit::IO.code,
    }
}
