//! `tls_licence_tools`: a thin command-line front end over the library.

mod cli;

fn main() -> std::process::ExitCode {
    ignore_file_size_signal();
    cli::run(std::env::args_os().collect())
}

/// Past the file size limit (`ulimit -f`) the kernel sends SIGXFSZ, whose default action
/// kills the process and may leave a temporary file behind; ignored, the write fails with
/// EFBIG instead, which is reported and cleaned up like any other write error.
fn ignore_file_size_signal() {
    use nix::sys::signal::{SigHandler, Signal, signal};
    // SAFETY: called first thing in main, while the process has a single thread, and it
    // installs no handler (SIG_IGN), so no code runs in signal context.
    let _ = unsafe { signal(Signal::SIGXFSZ, SigHandler::SigIgn) };
}
