//! `tls_licence_tools`: a thin command-line front end over the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run(std::env::args_os().collect())
}
