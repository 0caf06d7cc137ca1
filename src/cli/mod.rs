//! The command-line front end: argument parsing, the original's output lines, messages
//! and exit statuses. The tickets are the library's work; everything that touches the
//! machine (files, the environment, standard streams, the time zone, threads) is here.
//!
//! - this module: `run`, which parses the arguments, runs the command, has its outcome
//!   shown and gives its exit status;
//! - [`args`]: the clap definitions of every command;
//! - [`exit`] (the exit statuses, defined once) and [`error`] ([`Stop`]: why a command
//!   stopped, and its one line on stderr);
//! - the commands: [`make`] (gen forms), [`renew`], [`fleet`] (`renew --config`),
//!   [`verify`] (verify forms, inspect, dump), [`keys`] (keygen, keycheck), [`batch`]
//!   (gen-batch, verify-batch), [`metrics`], [`privmap`]; each returns an [`outcome`]
//!   (what it did) and writes nothing on stdout itself, but for the batch commands;
//! - [`render`]: the output layer, which shows an outcome as the original's lines, a JSON
//!   object or Prometheus text;
//! - [`keyload`] (keys and secrets from their sources) and [`checks`] (argument rules
//!   the commands share);
//! - [`pipeline`]: lines processed on every core, written back in input order;
//! - [`source`] (`file:`, `env:`, `-` or a literal) and [`fsio`] (size-capped reads,
//!   atomic sig file writes): input and output;
//! - [`streams`] (stdout and stderr whose failures are never lost), [`output`] (writing
//!   to stdout, and warnings), [`report`] (the JSON objects of `--json`),
//!   [`redact`] (no secret or control character shown), [`hints`] (the options and
//!   commands added to the library's messages), [`duration`] (`90d`);
//! - [`man`] (the roff manual page, from the clap definitions), [`prompt`] (a v2 secret
//!   typed at a terminal, without echo).

mod args;
mod batch;
mod checks;
mod duration;
mod error;
mod exit;
mod fleet;
mod fsio;
mod hints;
mod keyload;
mod keys;
mod make;
mod man;
mod metrics;
mod outcome;
mod output;
mod pipeline;
mod privmap;
mod prompt;
mod redact;
mod render;
mod renew;
mod report;
mod source;
mod streams;
mod verify;

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser};
use time::UtcOffset;
use usersig::clock::SystemClock;

use args::{Cli, Command, JsonOpt, Shell};
use error::{CommandResult, Stop, stdout_error};
use outcome::Outcome;
use output::NAME;

/// Run the tool on these arguments and return its exit status.
pub fn run(argv: Vec<OsString>) -> ExitCode {
    if argv.len() <= 1 {
        // On stdout, as the original prints it (so `| less` works); still a usage error.
        // A failed write is remembered by the stream; the status stays 2.
        let _ = streams::write_stdout(args::bare_usage().as_bytes());
        return ExitCode::from(exit::USAGE.code);
    }
    // A secret typed where a name belongs is never shown, even cut short in a message.
    redact::register_arguments(argv.iter().skip(1).map(OsString::as_os_str));
    let code = match parse(argv) {
        Ok((command, json)) => {
            let clock = SystemClock::with_offset(local_offset(&command));
            let shown = dispatch(command, &clock).and_then(|outcome| {
                render::show(&outcome, json)?;
                outcome.verdict()
            });
            match shown {
                Ok(()) => exit::OK.code,
                Err(stop) => stop.report(json),
            }
        }
        // Help, version or a usage error: already said.
        Err(code) => code,
    };
    // Output that was not all written is never a success (see the streams module).
    ExitCode::from(streams::settle(code))
}

/// The command `argv` asks for and whether it prints JSON (`--json` before or after it);
/// or, when there is none to run (help, version, a usage error), the status that was
/// given.
fn parse(argv: Vec<OsString>) -> Result<(Command, bool), u8> {
    // `help --help` (or -h) asks for the help of `help` itself, which clap does not take.
    let argv = match argv.get(1..) {
        Some([help, rest @ ..])
            if help == "help" && rest.iter().any(|a| a == "--help" || a == "-h") =>
        {
            vec![argv[0].clone(), help.clone(), help.clone()]
        }
        _ => argv,
    };
    let cli = match args::parse_plain(&argv) {
        Some(command) => Cli {
            json: JsonOpt::default(),
            command,
        },
        // Before parsing succeeds, --json is known only by its presence.
        None => Cli::try_parse_from(&argv)
            .map_err(|e| clap_error(&e, argv.iter().skip(1).any(|a| a == "--json")))?,
    };
    let mut command = cli.command;
    let json = match command.json_opt() {
        Some(opt) => {
            opt.json |= cli.json.json;
            opt.json
        }
        None if cli.json.json => {
            let stop = Stop::Usage(format!(
                "--json: {} has no JSON output; drop --json",
                command.name()
            ));
            return Err(stop.report(false));
        }
        None => false,
    };
    Ok((command, json))
}

/// The host's UTC offset, for the commands that read tickets (a plain-JSON ticket's time
/// is local wall-clock text) or show local times: read here, while the process still has
/// one thread (the time crate reads it on Unix only then); UTC when it cannot be told.
/// The others never look at it, and skip reading the time zone file.
fn local_offset(command: &Command) -> UtcOffset {
    if command.reads_local_time() {
        UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC)
    } else {
        UtcOffset::UTC
    }
}

/// Run one command: what it did, for the output layer to show.
fn dispatch(command: Command, clock: &SystemClock) -> Result<Outcome, Stop> {
    let streamed = |result: CommandResult| Ok(Outcome::Streamed(result));
    match command {
        Command::Gen(a) | Command::GenWithoutExpire(a) => {
            let expire = a.expire.expire.as_deref();
            make::gen_v1(&a.target, &a.options, expire, None, clock)
        }
        Command::Genexpire(a) => {
            make::gen_v1(&a.target, &a.options, Some(&a.expire_seconds), None, clock)
        }
        Command::Genuser(a) => make::genuser(&a, clock),
        Command::Gen2(a) => make::gen_v2(&a, None, clock),
        Command::Gen2user(a) => make::gen2user(&a, clock),
        Command::Verify(a) | Command::Verifyuser(a) => verify::verify_v1(&a, clock),
        Command::Verify2(a) => verify::verify_v2(&a, None, clock),
        Command::Verify2user(a) => verify::verify2user(&a, clock),
        Command::Renew(a) => match &a.config {
            Some(config) => fleet::renew_all(&a, config, clock),
            None => renew::renew(&a, clock),
        },
        Command::Metrics(a) => metrics::metrics(&a, clock),
        Command::GenBatch(a) => streamed(batch::gen_batch(&a, clock)),
        Command::VerifyBatch(a) => streamed(batch::verify_batch(&a, clock)),
        Command::Inspect(a) => verify::inspect(&a, clock),
        Command::Keygen(a) => keys::keygen(&a),
        Command::Keycheck(a) => keys::keycheck(&a),
        Command::Completions(a) => Ok(Outcome::Text(completions(a.shell))),
        Command::Man => Ok(Outcome::Text(man::page())),
        Command::Dump(a) => verify::dump(&a),
        Command::Gen2privmap(a) => privmap::gen_privmap(&a, true, clock),
        Command::Genprivmap(a) => privmap::gen_privmap(&a, false, clock),
    }
}

/// Print clap's help and version as they are; squeeze its errors into one line (every
/// message of this tool is one line on stderr): what is wrong, then clap's closest
/// suggestion (`did you mean 'verify'?`) when it has one, else the usage.
fn clap_error(e: &clap::Error, json: bool) -> u8 {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // Help and version go to stdout: a failed write is an output error.
            let printed = if streams::stdout_closed_at_start() {
                Err(io::Error::from_raw_os_error(nix::libc::EBADF))
            } else {
                e.print().and_then(|()| io::stdout().flush())
            };
            match printed {
                Ok(()) => exit::OK.code,
                Err(err) => {
                    streams::note_stdout_failure(&err);
                    stdout_error(&err).report(json)
                }
            }
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // This help goes to stderr; the status is a usage error whatever happens.
            let _ = e.print();
            exit::USAGE.code
        }
        _ => {
            let text = e.render().to_string();
            let mut paragraphs = text.split("\n\n");
            let first = paragraphs.next().unwrap_or_default();
            let what: Vec<&str> = first.lines().map(str::trim).collect();
            let what = what.join(" ");
            let what = what.strip_prefix("error: ").unwrap_or(&what);
            let tail = match suggestion(e) {
                Some(similar) => format!("; did you mean '{similar}'?"),
                None => paragraphs
                    .find_map(|p| p.trim().strip_prefix("Usage: "))
                    .map(|u| format!("; usage: {}", u.trim()))
                    .unwrap_or_default(),
            };
            Stop::Usage(format!("{what}{tail}")).report(json)
        }
    }
}

/// The command, option or value clap found closest to what was typed. (Its other tips
/// are left out: "to pass '--x' as a value, use '-- --x'" misleads where no argument
/// takes one.)
fn suggestion(e: &clap::Error) -> Option<String> {
    let kinds = [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ];
    kinds.into_iter().find_map(|kind| match e.get(kind)? {
        ContextValue::String(one) => Some(one.clone()),
        // clap orders them from the least to the most similar.
        ContextValue::Strings(many) => many.last().cloned(),
        _ => None,
    })
}

/// The completion script for `shell`.
fn completions(shell: Shell) -> Vec<u8> {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
        Shell::Elvish => clap_complete::Shell::Elvish,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), NAME, &mut script);
    script
}
