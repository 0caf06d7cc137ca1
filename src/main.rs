//! `tls_licence_tools`: a thin command-line front end over the library.
//!
//! On Linux the program starts at C's `main` (`no_main`), not through the Rust runtime's
//! start-up, which a one-ticket run would spend an eighth of its instructions and a
//! score of system calls on: it reads and parses `/proc/self/maps` and sets up an
//! alternate signal stack, only to print "has overflowed its stack" should the stack
//! ever overflow (without it, that bug ends the process with SIGSEGV instead). What the
//! tool relies on from that start-up is done here, in the same order: standard input,
//! output and error that are closed are opened on /dev/null (after the output module
//! has noted which were closed), SIGPIPE is ignored (a closed pipe is a write error,
//! status 141), and a panic ends the process with status 101.

#![cfg_attr(target_os = "linux", no_main)]

mod cli;

#[cfg(target_os = "linux")]
use std::ffi::{c_char, c_int};

/// Where the process starts on Linux, called by the C runtime with the arguments.
#[cfg(target_os = "linux")]
#[unsafe(no_mangle)]
extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    // SAFETY: argc and argv are what the C runtime passes to main: argc pointers to
    // NUL-terminated strings, which live as long as the process.
    let args = unsafe { arguments(argc, argv) };
    open_closed_standard_streams();
    ignore_signals();
    // A panic has printed its message (the standard hook); its status is the runtime's.
    let code = std::panic::catch_unwind(move || cli::run(args)).unwrap_or(101);
    // Everything is written and flushed by then; this is the runtime's own last flush.
    let _ = std::io::Write::flush(&mut std::io::stdout());
    c_int::from(code)
}

#[cfg(not(target_os = "linux"))]
fn main() -> std::process::ExitCode {
    ignore_signals();
    std::process::ExitCode::from(cli::run(std::env::args_os().collect()))
}

/// The command-line arguments, from C's `argc` and `argv`.
///
/// # Safety
///
/// `argv` holds `argc` pointers to NUL-terminated strings (or is null with `argc` 0).
#[cfg(target_os = "linux")]
unsafe fn arguments(argc: c_int, argv: *const *const c_char) -> Vec<std::ffi::OsString> {
    use std::os::unix::ffi::OsStrExt;
    let count = usize::try_from(argc).unwrap_or(0);
    if argv.is_null() {
        return Vec::new();
    }
    (0..count)
        .map(|i| {
            // SAFETY: i < argc, so argv[i] is one of the strings (see above).
            let arg = unsafe { std::ffi::CStr::from_ptr(*argv.add(i)) };
            std::ffi::OsStr::from_bytes(arg.to_bytes()).to_owned()
        })
        .collect()
}

/// Open /dev/null on whichever of descriptors 0, 1 and 2 is closed, as the Rust runtime
/// does: else the first file the tool opens (a key, a temporary sig file) would take the
/// number and receive what is meant for stdout or stderr. Whether stdout and stderr were
/// closed has already been noted (see the output module), and their writes still fail.
#[cfg(target_os = "linux")]
fn open_closed_standard_streams() {
    use nix::libc;
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: poll reads and writes only the three entries of `fds`.
    let polled = unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) };
    if polled < 0 {
        return;
    }
    for pollfd in fds {
        if pollfd.revents & libc::POLLNVAL != 0 {
            // SAFETY: a plain open of a constant path; the lowest free descriptor, this
            // one (those below it are open by now), is what it takes.
            let fd = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
            if fd != pollfd.fd {
                // As the runtime does: no safe way on without the three streams.
                std::process::abort();
            }
        }
    }
}

/// SIGPIPE and SIGXFSZ are ignored.
///
/// SIGPIPE: a write to a closed pipe fails with EPIPE, which ends the command quietly
/// with status 141 once what could be said is said (see the output module). SIGXFSZ:
/// past the file size limit (`ulimit -f`) the kernel sends it, and its default action
/// kills the process and may leave a temporary file behind; ignored, the write fails with
/// EFBIG instead, which is reported and cleaned up like any other write error.
fn ignore_signals() {
    use nix::sys::signal::{SigHandler, Signal, signal};
    // SAFETY: called first thing in main, while the process has a single thread, and it
    // installs no handler (SIG_IGN), so no code runs in signal context.
    unsafe {
        let _ = signal(Signal::SIGPIPE, SigHandler::SigIgn);
        let _ = signal(Signal::SIGXFSZ, SigHandler::SigIgn);
    }
}
