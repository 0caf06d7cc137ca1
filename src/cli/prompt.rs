//! A secret typed at a terminal: prompted for on stderr and read without echo.
//!
//! Echo is turned off (ECHO cleared, ECHONL set so that Enter still moves the cursor)
//! before the prompt is shown, one line is read, and the terminal's settings are put back
//! when the read ends, fails, or the process is stopped by SIGINT, SIGTERM, SIGHUP or
//! SIGQUIT while it waits (the handler restores them, then dies of the same signal).

use std::io;
use std::os::fd::AsFd;
use std::sync::OnceLock;

use nix::libc;
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
use nix::sys::termios::{self, LocalFlags, SetArg, Termios};
use zeroize::Zeroizing;

/// The terminal's settings before echo was turned off, for the signal handler.
static SAVED: OnceLock<libc::termios> = OnceLock::new();

/// The signals that put the terminal back before they end the process.
const SIGNALS: [Signal; 4] = [
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGHUP,
    Signal::SIGQUIT,
];

extern "C" fn restore_and_die(signal: libc::c_int) {
    // Only async-signal-safe calls: tcsetattr, signal, raise.
    if let Some(saved) = SAVED.get() {
        // SAFETY: fd 0 and a termios copied from tcgetattr; both calls are
        // async-signal-safe.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved);
        }
    }
    // SAFETY: back to the default action, then the same signal ends the process.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// Puts the terminal and the signal actions back when dropped.
struct Restore {
    saved: Termios,
    actions: Vec<(Signal, SigAction)>,
}

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = termios::tcsetattr(io::stdin().as_fd(), SetArg::TCSANOW, &self.saved);
        for (signal, action) in &self.actions {
            // SAFETY: the action that was in place before.
            let _ = unsafe { sigaction(*signal, action) };
        }
    }
}

/// Show `prompt` on stderr and read one line from the terminal on stdin, not echoed, at
/// most `limit` bytes (a longer line is an error). The line ends at a newline or at end
/// of input; the newline is not part of it. The bytes are wiped when dropped.
pub fn read_hidden(prompt: &str, limit: usize) -> io::Result<Zeroizing<Vec<u8>>> {
    read_hidden_text(prompt, limit, false)
}

/// As [`read_hidden`], for a KEY that may be a PEM key or a v2 secret: a first line that
/// begins a PEM block (`-----BEGIN `) is followed by the lines after it, newlines kept,
/// through the `-----END ` line of a block other than `EC PARAMETERS` (or to the end of
/// input); any other first line is the whole answer, as a secret is typed.
pub fn read_hidden_key(prompt: &str, limit: usize) -> io::Result<Zeroizing<Vec<u8>>> {
    read_hidden_text(prompt, limit, true)
}

fn read_hidden_text(prompt: &str, limit: usize, pem: bool) -> io::Result<Zeroizing<Vec<u8>>> {
    let stdin = io::stdin();
    let saved = termios::tcgetattr(stdin.as_fd()).map_err(io::Error::from)?;
    let _ = SAVED.set(libc::termios::from(saved.clone()));
    let mut quiet = saved.clone();
    quiet.local_flags.remove(LocalFlags::ECHO);
    quiet.local_flags.insert(LocalFlags::ECHONL);
    let mut restore = Restore {
        saved,
        actions: Vec::new(),
    };
    let handler = SigAction::new(
        SigHandler::Handler(restore_and_die),
        SaFlags::empty(),
        SigSet::empty(),
    );
    for signal in SIGNALS {
        // SAFETY: the handler makes only async-signal-safe calls.
        if let Ok(old) = unsafe { sigaction(signal, &handler) } {
            if old.handler() == SigHandler::SigIgn {
                // Ignored by whoever started us (nohup, a shell's trap): it stays so.
                // SAFETY: the action that was in place.
                let _ = unsafe { sigaction(signal, &old) };
            } else {
                restore.actions.push((signal, old));
            }
        }
    }
    termios::tcsetattr(stdin.as_fd(), SetArg::TCSAFLUSH, &quiet).map_err(io::Error::from)?;
    super::streams::write_stderr(prompt.as_bytes());
    // Never grown, so no copy of the secret is left behind in freed memory.
    let mut text = Zeroizing::new(Vec::with_capacity(limit));
    let too_long = || io::Error::other(format!("the text typed is longer than {limit} bytes"));
    // One line onto `text`, without its newline; whether the input ended.
    let read_line = |text: &mut Vec<u8>| -> io::Result<bool> {
        let mut byte = Zeroizing::new([0u8; 1]);
        // From the descriptor itself: a buffered reader would keep a copy of the secret.
        loop {
            match nix::unistd::read(stdin.as_fd(), &mut byte[..]) {
                Ok(0) => return Ok(true),
                Ok(_) if byte[0] == b'\n' => return Ok(false),
                Ok(_) if text.len() >= limit => return Err(too_long()),
                Ok(_) => text.push(byte[0]),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    };
    let mut ended = read_line(&mut text)?;
    if pem && text.trim_ascii_start().starts_with(b"-----BEGIN ") {
        while !ended {
            if text.len() >= limit {
                return Err(too_long());
            }
            text.push(b'\n');
            let start = text.len();
            ended = read_line(&mut text)?;
            let line = text[start..].trim_ascii();
            if line.starts_with(b"-----END ") && !line.starts_with(b"-----END EC PARAMETERS") {
                break;
            }
        }
    }
    drop(restore);
    Ok(text)
}
