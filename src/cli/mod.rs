//! The command-line front end: argument parsing, the original's output lines, messages
//! and exit statuses. The tickets are the library's work; everything that touches the
//! machine (files, the environment, standard streams, the time zone, threads) is here.
//!
//! - this module: `run`, the exit statuses, [`Stop`] (why a command stopped, and its one
//!   line on stderr), and loading keys and secrets;
//! - [`args`]: the clap definitions of every command;
//! - the commands: [`make`] (gen forms, renew), [`verify`] (verify forms, inspect, dump),
//!   [`keys`] (keygen, keycheck), [`batch`] (gen-batch, verify-batch);
//! - [`pipeline`]: lines processed on every core, written back in input order;
//! - [`source`] (`file:`, `env:`, `-` or a literal) and [`fsio`] (size-capped reads,
//!   atomic sig file writes): input and output;
//! - [`output`] (stdout and stderr whose failures are never lost), [`report`] (the JSON
//!   objects of `--json`), [`redact`] (no secret or control character shown), [`hints`]
//!   (the options and commands added to the library's messages), [`duration`] (`90d`);
//! - [`man`] (the roff manual page, from the clap definitions), [`prompt`] (a v2 secret
//!   typed at a terminal, without echo).

mod args;
mod batch;
mod duration;
mod error;
mod exit;
mod fleet;
mod fsio;
mod hints;
mod keys;
mod make;
mod man;
mod metrics;
mod output;
mod pipeline;
mod privmap;
mod prompt;
mod redact;
mod renew;
mod report;
mod source;
mod verify;

use std::ffi::{OsStr, OsString};
use std::io::{self, IsTerminal, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

use time::UtcOffset;
use usersig::Secret;
use usersig::clock::{Clock, FixedClock, SystemClock, parse_instant};
use usersig::issue::{self, TicketRequest};
use usersig::keys::{EcKey, KeyMaterial, PrivateKey, PublicKey};
use usersig::secret::SecretError;
use usersig::ticket::Version;
use usersig::verify::VerifyKey;

use source::{Source, looks_like_secret};

use args::{Cli, Command, Shell};

use error::{CommandResult, Stop, io_err, stdout_error, usage};
use output::NAME;

/// Run the tool on these arguments and return its exit status.
pub fn run(argv: Vec<OsString>) -> ExitCode {
    if argv.len() <= 1 {
        output::write_stderr(args::bare_usage().as_bytes());
        return ExitCode::from(exit::USAGE.code);
    }
    // A secret typed where a name belongs is never shown, even cut short in a message.
    redact::register_arguments(argv.iter().skip(1).map(OsString::as_os_str));
    // `help --help` (or -h) asks for the help of `help` itself, which clap does not take.
    let argv = match argv.get(1..) {
        Some([help, rest @ ..])
            if help == "help" && rest.iter().any(|a| a == "--help" || a == "-h") =>
        {
            vec![argv[0].clone(), help.clone(), help.clone()]
        }
        _ => argv,
    };
    let parsed = match args::parse_plain(&argv) {
        Some(command) => Ok(Cli {
            json: false,
            command,
        }),
        None => Cli::try_parse_from(&argv),
    };
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // Before parsing succeeds, --json is known only by its presence.
            let json = argv.iter().skip(1).any(|a| a == "--json");
            return ExitCode::from(output::settle(clap_error(&e, json)));
        }
    };
    let mut command = cli.command;
    if cli.json && !command.set_json() {
        let stop = Stop::Usage(format!(
            "--json: {} has no JSON output; drop --json",
            command.name()
        ));
        return ExitCode::from(output::settle(stop.report(false)));
    }
    let json = command.json();
    // The host's UTC offset, for the commands that read tickets (a plain-JSON ticket's
    // time is local wall-clock text) or show local times: read here, while the process
    // still has one thread (the time crate reads it on Unix only then); UTC when it
    // cannot be told. The others never look at it, and skip reading the time zone file.
    let offset = if command.reads_local_time() {
        UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC)
    } else {
        UtcOffset::UTC
    };
    let clock = SystemClock::with_offset(offset);
    let result = match command {
        Command::Gen(a) | Command::GenWithoutExpire(a) => make::gen_v1(
            &a.target,
            &a.options,
            a.expire.expire.as_deref(),
            None,
            &clock,
        ),
        Command::Genexpire(a) => {
            make::gen_v1(&a.target, &a.options, Some(&a.expire_seconds), None, &clock)
        }
        Command::Genuser(a) => userbuf_bytes(
            a.userbuf.as_deref(),
            &a.userbuf_from,
            a.base.target.pri_key_file == "-",
        )
        .and_then(|ub| {
            let b = &a.base;
            make::gen_v1(
                &b.target,
                &b.options,
                Some(&b.expire_seconds),
                Some(&ub),
                &clock,
            )
        }),
        Command::Gen2(a) => make::gen_v2(&a, None, &clock),
        Command::Gen2user(a) => {
            userbuf_bytes(a.userbuf.as_deref(), &a.userbuf_from, a.base.key == "-")
                .and_then(|ub| make::gen_v2(&a.base, Some(&ub), &clock))
        }
        Command::Verify(a) | Command::Verifyuser(a) => verify::verify_v1(&a, &clock),
        Command::Verify2(a) => verify::verify_v2(&a, None, &clock),
        Command::Verify2user(a) => {
            let b = &a.base;
            let stdin_taken =
                b.key == "-" || b.sig_file == "-" || b.options.keys.iter().any(|k| k == "-");
            userbuf_bytes(a.userbuf.as_deref(), &a.userbuf_from, stdin_taken)
                .and_then(|ub| verify::verify_v2(b, Some(&ub), &clock))
        }
        Command::Renew(a) => match &a.config {
            Some(config) => fleet::renew_all(&a, config, &clock),
            None => renew::renew(&a, &clock),
        },
        Command::Metrics(a) => metrics::metrics(&a, &clock),
        Command::GenBatch(a) => batch::gen_batch(&a, &clock),
        Command::VerifyBatch(a) => batch::verify_batch(&a, &clock),
        Command::Inspect(a) => verify::inspect(&a, &clock),
        Command::Keygen(a) => keys::keygen(&a),
        Command::Keycheck(a) => keys::keycheck(&a),
        Command::Completions(a) => completions(a.shell),
        Command::Man => out(&man::page()),
        Command::Dump(a) => verify::dump(&a),
        Command::Gen2privmap(a) => privmap::gen_privmap(&a, true, &clock),
        Command::Genprivmap(a) => privmap::gen_privmap(&a, false, &clock),
    };
    let code = match result {
        Ok(()) => exit::OK.code,
        Err(stop) => stop.report(json),
    };
    // Output that was not all written is never a success (see the output module).
    ExitCode::from(output::settle(code))
}

fn os_bytes(s: &OsStr) -> &[u8] {
    std::os::unix::ffi::OsStrExt::as_bytes(s)
}

/// The most bytes a userbuf from `--userbuf-file` or `--userbuf-base64` may hold.
const MAX_USERBUF_BYTES: usize = 64 * 1024;

/// The userbuf a `*user` form was given: the positional USERBUF (argv text), the bytes of
/// `--userbuf-file` (any bytes, NUL too; `-` is stdin) or of `--userbuf-base64`. Exactly
/// one of the three (exit 2 otherwise); `stdin_taken` says a key or ticket already comes
/// from stdin, so `--userbuf-file -` cannot.
fn userbuf_bytes(
    positional: Option<&OsStr>,
    from: &args::UserbufFrom,
    stdin_taken: bool,
) -> Result<Vec<u8>, Stop> {
    let forms = "USERBUF, --userbuf-file PATH or --userbuf-base64 TEXT";
    match (positional, &from.userbuf_file, &from.userbuf_base64) {
        (Some(text), None, None) => Ok(os_bytes(text).to_vec()),
        (None, Some(path), None) => {
            if path == "-" && stdin_taken {
                return Err(Stop::Usage(
                    "only one key, ticket or userbuf can come from standard input (-)".into(),
                ));
            }
            fsio::read_capped(Path::new(path), MAX_USERBUF_BYTES, "userbuf file").map_err(io_err)
        }
        (None, None, Some(text)) => {
            use base64::Engine as _;
            let engine = base64::engine::general_purpose::STANDARD_NO_PAD_INDIFFERENT;
            let bytes = engine.decode(text.as_bytes()).map_err(|_| {
                Stop::Usage(
                    "--userbuf-base64 is not base64: use the standard alphabet \
                     A-Z a-z 0-9 + / (= padding optional)"
                        .into(),
                )
            })?;
            if bytes.len() > MAX_USERBUF_BYTES {
                return Err(Stop::Usage(format!(
                    "--userbuf-base64 holds {} bytes, more than the limit of {MAX_USERBUF_BYTES}",
                    bytes.len()
                )));
            }
            Ok(bytes)
        }
        (None, None, None) => Err(Stop::Usage(
            "the following required arguments were not provided: <USERBUF> \
             (or --userbuf-file PATH or --userbuf-base64 TEXT)"
                .into(),
        )),
        _ => Err(Stop::Usage(format!(
            "give the userbuf once: {forms}, not more than one"
        ))),
    }
}

/// Print clap's help and version as they are; squeeze its errors into one line.
fn clap_error(e: &clap::Error, json: bool) -> u8 {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // Help and version go to stdout: a failed write is an output error.
            let printed = if output::stdout_closed_at_start() {
                Err(io::Error::from_raw_os_error(nix::libc::EBADF))
            } else {
                e.print().and_then(|()| io::stdout().flush())
            };
            match printed {
                Ok(()) => exit::OK.code,
                Err(err) => {
                    output::note_stdout_failure(&err);
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
            let usage = paragraphs
                .find_map(|p| p.trim().strip_prefix("Usage: "))
                .map(|u| format!("; usage: {}", u.trim()))
                .unwrap_or_default();
            Stop::Usage(format!("{what}{usage}")).report(json)
        }
    }
}

fn completions(shell: Shell) -> CommandResult {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
        Shell::Elvish => clap_complete::Shell::Elvish,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), NAME, &mut script);
    out(&script)
}

/// Write to stdout; a failure stops the command (see [`stdout_error`]).
fn out(bytes: &[u8]) -> CommandResult {
    output::write_stdout(bytes).map_err(|e| stdout_error(&e))
}

/// Write a JSON object and a newline to stdout.
fn out_json(object: &str) -> CommandResult {
    out(format!("{object}\n").as_bytes())
}

/// A warning line on stderr (scrubbed of secrets, one line).
fn warn(message: &str) {
    let message = redact::shown(message.as_bytes());
    output::stderr_line(&format!("{NAME}: warning: {message}"));
}

/// Parse a duration option, which must lie in `range` (seconds).
fn parse_duration(
    option: &str,
    text: &str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, Stop> {
    duration::parse_in(text, range).map_err(|e| Stop::Usage(format!("{option}: {e}")))
}

/// Warn when a file holding a private key or secret can be read by group or others.
fn warn_if_exposed(source: &Source, what: &str) {
    if let Some(path) = source.file()
        && let Some(mode) = fsio::mode_of(path)
        && mode & 0o077 != 0
    {
        warn(&format!(
            "{what} '{}' is readable by group or others (mode {:04o}); restrict it: chmod 600 '{}'",
            redact::shown_path(path),
            mode & 0o777,
            redact::shown_path(path)
        ));
    }
}

/// What a KEY read from its source is expected to be.
enum Expected {
    /// A v2 secret: one line when typed.
    Secret,
    /// A key, or for some commands either kind, described for the prompt: a PEM key
    /// typed is read through its END line.
    Key(&'static str),
}

/// The bytes of a KEY from its source. From `-` when stdin is a terminal, it is prompted
/// for on stderr ("v2 secret", or what the key may be, then "(not echoed): ") and read
/// without echo: a PEM key pasted whole (through its END line, no end of input needed),
/// or one line.
fn read_key(source: &Source, expected: Expected) -> Result<zeroize::Zeroizing<Vec<u8>>, Stop> {
    let (noun, file) = match expected {
        Expected::Secret => ("secret", "secret file"),
        Expected::Key(_) => ("key", "key file"),
    };
    if !(source.is_stdin() && io::stdin().is_terminal()) {
        return source.read(file).map_err(io_err);
    }
    let typed = match expected {
        Expected::Secret => prompt::read_hidden("v2 secret (not echoed): ", source::MAX_KEY_BYTES),
        Expected::Key(what) => {
            prompt::read_hidden_key(&format!("{what} (not echoed): "), source::MAX_KEY_BYTES)
        }
    };
    typed.map_err(|e| Stop::Io(format!("cannot read the {noun} from the terminal: {e}")))
}

/// Read a private key, PEM or DER, from its source (warning when the file is exposed).
fn load_private_key(source: &Source, doing: &str) -> Result<PrivateKey, Stop> {
    let bytes = read_key(
        source,
        Expected::Key("private key: a PEM key, pasted whole"),
    )?;
    let key = PrivateKey::from_bytes(&bytes).map_err(|e| {
        Stop::Io(format!(
            "cannot {doing} with key {}: {}",
            source.describe(),
            hints::key_error(&e)
        ))
    })?;
    warn_if_exposed(source, "private key file");
    Ok(key)
}

/// Read a public key, PEM or DER, from its source; a private key gives its public half
/// (warning when its file is exposed).
fn load_public_key(source: &Source, doing: &str) -> Result<PublicKey, Stop> {
    let bytes = read_key(source, Expected::Key("key: a PEM key, pasted whole"))?;
    match EcKey::from_bytes(&bytes) {
        Ok(EcKey::Public(key)) => Ok(key),
        Ok(EcKey::Private(key)) => {
            warn_if_exposed(source, "private key file");
            Ok(key.public_key())
        }
        Err(e) => Err(Stop::Io(format!(
            "cannot {doing} with key {}: {}",
            source.describe(),
            hints::key_error(&e)
        ))),
    }
}

/// What signs tickets: a private key (v1 tickets) or a secret (v2 tickets).
enum Signer {
    V1(PrivateKey),
    V2(Secret),
}

impl Signer {
    /// The key for renew or gen-batch: a private key (PEM or DER), or else a v2 secret
    /// (read from a file, variable or stdin, never taken from the command line).
    fn load(source: &Source, command: &str) -> Result<Signer, Stop> {
        match load_key_or_secret(source, command)? {
            KeyOrSecret::Pem(EcKey::Private(key)) => Ok(Signer::V1(key)),
            KeyOrSecret::Pem(EcKey::Public(_)) => Err(Stop::Io(format!(
                "{} is a public key; {command} signs with the private key",
                source.describe()
            ))),
            KeyOrSecret::Secret(secret) => Ok(Signer::V2(secret)),
        }
    }

    /// A ticket for `request`, issued now by `clock`.
    fn sign(&self, request: &TicketRequest, clock: &dyn Clock) -> Result<String, issue::Error> {
        match self {
            Signer::V1(key) => request.sign_v1(key, clock),
            Signer::V2(secret) => request.sign_v2(secret, clock),
        }
    }

    /// The form of the tickets it makes.
    fn version(&self) -> Version {
        match self {
            Signer::V1(_) => Version::V1,
            Signer::V2(_) => Version::V2,
        }
    }

    /// The key that checks its tickets.
    fn verify_key(&self) -> VerifyKey {
        match self {
            Signer::V1(key) => VerifyKey::Public(key.public_key()),
            Signer::V2(secret) => VerifyKey::Secret(secret.clone()),
        }
    }
}

/// A KEY that may be either kind: renew and the batch commands tell by its content.
enum KeyOrSecret {
    Pem(EcKey),
    Secret(Secret),
}

/// Read a KEY that is a v1 key or else a v2 secret. Key material in any form (PEM,
/// DER, OpenSSH, PuTTY: [`KeyMaterial::recognise`]) means v1: it loads as a P-256 key or
/// is refused with the key's own diagnostic, and is never used as a v2 secret.
fn load_key_or_secret(source: &Source, command: &str) -> Result<KeyOrSecret, Stop> {
    let bytes = read_key(
        source,
        Expected::Key("key: a PEM key, pasted whole, or a v2 secret"),
    )?;
    if KeyMaterial::recognise(&bytes).is_none() {
        return secret_from(source, &bytes).map(KeyOrSecret::Secret);
    }
    let key = EcKey::from_bytes(&bytes).map_err(|e| {
        Stop::Io(format!(
            "{command} cannot use key {}: {}",
            source.describe(),
            hints::key_error(&e)
        ))
    })?;
    if matches!(key, EcKey::Private(_)) {
        warn_if_exposed(source, "private key file");
    }
    Ok(KeyOrSecret::Pem(key))
}

/// The clock a verify form judges by: `--at` when given, else now; in the host's zone.
fn judging_clock(at: Option<&str>, system: &SystemClock) -> Result<FixedClock, Stop> {
    let now = match at {
        Some(text) => parse_instant(text).map_err(|e| Stop::Usage(format!("--at: {e}")))?,
        None => system.now(),
    };
    Ok(FixedClock {
        now,
        offset: system.local_offset(),
    })
}

/// Read a v2 secret from its source.
///
/// A secret from `-` when stdin is a terminal is prompted for on stderr and read as one
/// line without echo; from anything else, stdin is read to its end as before.
fn load_secret(source: &Source) -> Result<Secret, Stop> {
    let bytes = read_key(source, Expected::Secret)?;
    secret_from(source, &bytes)
}

/// A v2 secret read from `source`: a literal is used as it is, anything read is trimmed.
///
/// Refused: a literal that names an existing file (exit 2: it was surely meant as
/// `file:PATH`), and key material from any source (exit 3). Warned about: a secret that
/// is not 64 hexadecimal characters, the form the console shows.
fn secret_from(source: &Source, bytes: &[u8]) -> Result<Secret, Stop> {
    let literal = source.is_literal();
    if literal {
        let path = Path::new(OsStr::from_bytes(bytes));
        if !bytes.is_empty() && std::fs::symlink_metadata(path).is_ok() {
            let shown = if looks_like_secret(path) {
                "PATH".into()
            } else {
                path.display().to_string()
            };
            return Err(Stop::Usage(format!(
                "KEY names an existing file; did you mean file:{shown}?"
            )));
        }
    }
    // Registered, so that no message ever shows it.
    redact::register_secret(bytes);
    let made = if literal {
        Secret::new(bytes)
    } else {
        Secret::from_file_contents(bytes)
    };
    let secret = made.map_err(|e| match e {
        SecretError::KeyMaterial(what) => {
            let key = match source {
                Source::File(_) | Source::Regular(_) => format!("KEY {}", source.describe()),
                Source::Literal(_) => "KEY given on the command line".into(),
                Source::Env(_) => format!("KEY in {}", source.describe()),
                Source::Stdin => format!("KEY from {}", source.describe()),
            };
            Stop::Io(format!(
                "{key} is {what}: v2 needs the app's 64-character secret"
            ))
        }
        e if literal => usage(e),
        e => Stop::Io(format!("{}: {e}", source.describe())),
    })?;
    if !literal {
        warn_if_exposed(source, "secret file");
    }
    if !secret.is_console_form() {
        let origin = match source {
            Source::Literal(_) => "given on the command line".into(),
            Source::Stdin => format!("from {}", source.describe()),
            Source::File(_) | Source::Regular(_) | Source::Env(_) => {
                format!("in {}", source.describe())
            }
        };
        warn(&format!(
            "the v2 secret {origin} is not 64 hexadecimal characters, the form the console \
             shows; check that it is the app's secret"
        ));
    }
    Ok(secret)
}

/// The rules for writing a ticket read with the key from `key`: never over the key
/// file itself, nor over any file that holds key material.
fn ticket_rules(key: &Source) -> fsio::WriteRules {
    let mut rules = fsio::WriteRules::new("a ticket");
    if let Some(path) = key.file()
        && let Some(id) = fsio::FileId::of(path)
    {
        rules.inputs.push((id, "the key file it signs with"));
    }
    rules
}

/// Refuse to create a file whose name has the shape of a v2 secret: most likely the
/// secret was typed in the wrong place, and the file would keep it in a directory
/// listing. `role` names the argument ("SIG_FILE"). A file that exists is used.
fn check_not_secret_name(output: &OsStr, role: &str) -> CommandResult {
    if output != "-"
        && redact::has_secret_shape(os_bytes(output))
        && std::fs::symlink_metadata(output).is_err()
    {
        return Err(Stop::Usage(format!(
            "{role} looks like a v2 secret (not shown); check the argument order"
        )));
    }
    Ok(())
}

/// At most one input may come from standard input: the keys', and the ticket's when
/// `ticket_from_stdin`.
fn check_one_stdin<'a>(
    sources: impl IntoIterator<Item = &'a Source>,
    ticket_from_stdin: bool,
) -> CommandResult {
    let n = sources.into_iter().filter(|s| s.is_stdin()).count() + usize::from(ticket_from_stdin);
    if n > 1 {
        return Err(Stop::Usage(
            "only one key or ticket can come from standard input (-)".into(),
        ));
    }
    Ok(())
}
