//! The command-line front end: argument parsing, the original's output lines, messages
//! and exit statuses. All the work is done by the library.

mod args;

use std::ffi::{OsStr, OsString};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::ExitCode;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use clap::Parser;
use clap::error::ErrorKind;

use tls_licence_tools::Secret;
use tls_licence_tools::clock::{Clock, FixedClock, SystemClock, parse_instant};
use tls_licence_tools::envelope::MAX_TICKET_BYTES;
use tls_licence_tools::fsio;
use tls_licence_tools::issue::{self, TicketRequest};
use tls_licence_tools::keys::{PrivateKey, PublicKey};
use tls_licence_tools::source::Source;
use tls_licence_tools::ticket::{self, TicketInfo};
use tls_licence_tools::verify::{self, Expect, Failure, VerifyKey};

use args::{Cli, Command, Gen2Args, GenArgs, Verify2Args, VerifyArgs};

const NAME: &str = "tls_licence_tools";

/// Exit statuses (documented in `--help` and the README).
mod status {
    pub const OK: u8 = 0;
    pub const INVALID: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const IO: u8 = 3;
}

/// Why a command stopped.
enum Stop {
    /// The ticket is not valid (the words name what was being done: "verify failed").
    Invalid(&'static str, Failure),
    /// An argument breaks a rule.
    Usage(String),
    /// A file or key could not be read, used or written.
    Io(String),
}

impl Stop {
    fn report(&self) -> u8 {
        let (line, code) = match self {
            Stop::Invalid(doing, f) => (format!("{NAME}: {doing}: {f}"), status::INVALID),
            Stop::Usage(m) => (format!("{NAME}: error: {m}"), status::USAGE),
            Stop::Io(m) => (format!("{NAME}: error: {m}"), status::IO),
        };
        // Nothing more can be done if stderr is gone.
        let _ = writeln!(io::stderr().lock(), "{line}");
        code
    }
}

type Outcome = Result<(), Stop>;

/// Run the tool on these arguments and return its exit status.
pub fn run(argv: Vec<OsString>) -> ExitCode {
    // Read the local offset while the process still has one thread (see SystemClock).
    let clock = SystemClock::new();
    if argv.len() <= 1 {
        let _ = io::stderr().lock().write_all(args::bare_usage().as_bytes());
        return ExitCode::from(status::USAGE);
    }
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) => return ExitCode::from(clap_error(&e)),
    };
    let result = match cli.command {
        Command::Gen(a) | Command::GenWithoutExpire(a) => gen_v1(&a, None, None, &clock),
        Command::Genexpire(a) => gen_v1(&a.base, Some(&a.expire_seconds), None, &clock),
        Command::Genuser(a) => gen_v1(
            &a.base,
            Some(&a.expire_seconds),
            Some(a.userbuf.as_bytes()),
            &clock,
        ),
        Command::Gen2(a) => gen_v2(&a, None, &clock),
        Command::Gen2user(a) => gen_v2(&a.base, Some(a.userbuf.as_bytes()), &clock),
        Command::Verify(a) | Command::Verifyuser(a) => verify_v1(&a, &clock),
        Command::Verify2(a) => verify_v2(&a, None, &clock),
        Command::Verify2user(a) => verify_v2(&a.base, Some(a.userbuf.as_bytes()), &clock),
        Command::Dump(a) => dump(&a.sigtext),
    };
    ExitCode::from(match result {
        Ok(()) => status::OK,
        Err(stop) => stop.report(),
    })
}

/// Print clap's help and version as they are; squeeze its errors into one line.
fn clap_error(e: &clap::Error) -> u8 {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            status::OK
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            status::USAGE
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
            Stop::Usage(format!("{what}{usage}")).report()
        }
    }
}

fn usage<E: std::fmt::Display>(e: E) -> Stop {
    Stop::Usage(e.to_string())
}

fn io_err<E: std::fmt::Display>(e: E) -> Stop {
    Stop::Io(e.to_string())
}

/// Write to stdout; a closed pipe (`| head`) ends the output quietly.
fn out(bytes: &[u8]) -> Outcome {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Stop::Io(format!("cannot write to standard output: {e}"))),
    }
}

/// The request a gen form asks for, with every argument checked.
fn request(
    sdkappid: &str,
    identifier: &str,
    any_identifier: bool,
    expire: Option<&str>,
    userbuf: Option<&[u8]>,
) -> Result<TicketRequest, Stop> {
    let sdkappid = issue::parse_sdkappid(sdkappid).map_err(usage)?;
    let mut req = if any_identifier {
        TicketRequest::any_identifier(sdkappid, identifier)
    } else {
        TicketRequest::new(sdkappid, identifier)
    }
    .map_err(usage)?;
    if let Some(expire) = expire {
        req = req
            .with_expire(issue::parse_expire(expire).map_err(usage)?)
            .map_err(usage)?;
    }
    if let Some(ub) = userbuf {
        req = req.with_userbuf(ub);
    }
    Ok(req)
}

/// Refuse to let a sig file overwrite the key it was made with.
fn check_not_same_file(key: &Source, sig_file: &OsStr) -> Outcome {
    if let Source::File(key_path) = key
        && let (Ok(k), Ok(s)) = (std::fs::metadata(key_path), std::fs::metadata(sig_file))
        && k.dev() == s.dev()
        && k.ino() == s.ino()
        && s.is_file()
    {
        return Err(Stop::Usage(format!(
            "sig_file '{}' is the key file; refusing to overwrite the key with a ticket",
            Path::new(sig_file).display()
        )));
    }
    Ok(())
}

fn check_one_stdin(key: &Source, sig_file: &OsStr) -> Outcome {
    if key.is_stdin() && sig_file == "-" {
        return Err(Stop::Usage(
            "the key and the ticket cannot both come from standard input (-)".into(),
        ));
    }
    Ok(())
}

/// Write a new ticket to the sig file and say so, as the original does.
fn write_ticket(sig_file: &OsStr, ticket: &str, print_ticket: bool) -> Outcome {
    if sig_file == "-" {
        out(format!("{ticket}\n").as_bytes())?;
        let _ = writeln!(io::stderr().lock(), "generate sig ok");
        return Ok(());
    }
    fsio::write_atomic(Path::new(sig_file), ticket.as_bytes(), "sig file").map_err(io_err)?;
    if print_ticket {
        out(format!("{ticket}\ngenerate sig ok\n").as_bytes())
    } else {
        out(b"generate sig ok\n")
    }
}

fn gen_v1(a: &GenArgs, expire: Option<&str>, userbuf: Option<&[u8]>, clock: &dyn Clock) -> Outcome {
    let req = request(
        &a.sdkappid,
        &a.identifier,
        a.options.allow_any_identifier,
        expire,
        userbuf,
    )?;
    let source = Source::pem_key(&a.pri_key_file);
    check_one_stdin(&source, &a.sig_file)?;
    check_not_same_file(&source, &a.sig_file)?;
    let pem = source.read("key file").map_err(io_err)?;
    let key = PrivateKey::from_pem(&pem)
        .map_err(|e| Stop::Io(format!("cannot sign with key {}: {e}", source.describe())))?;
    write_ticket(&a.sig_file, &req.sign_v1(&key, clock), false)
}

/// Read a v2 secret: a literal is used as it is, anything read is trimmed.
fn load_secret(source: &Source) -> Result<Secret, Stop> {
    let bytes = source.read("secret file").map_err(io_err)?;
    if source.is_literal() {
        Secret::new(&bytes).map_err(usage)
    } else {
        Secret::from_file_contents(&bytes)
            .map_err(|e| Stop::Io(format!("{}: {e}", source.describe())))
    }
}

fn gen_v2(a: &Gen2Args, userbuf: Option<&[u8]>, clock: &dyn Clock) -> Outcome {
    let req = request(
        &a.sdkappid,
        &a.identifier,
        a.options.allow_any_identifier,
        None,
        userbuf,
    )?;
    let source = Source::secret(&a.key);
    check_one_stdin(&source, &a.sig_file)?;
    check_not_same_file(&source, &a.sig_file)?;
    let secret = load_secret(&source)?;
    write_ticket(&a.sig_file, &req.sign_v2(&secret, clock), true)
}

/// The clock a verify form judges by: `--at` when given.
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

fn read_ticket(sig_file: &OsStr) -> Result<Vec<u8>, Stop> {
    fsio::read_capped(Path::new(sig_file), MAX_TICKET_BYTES, "sig file").map_err(io_err)
}

/// Read the ticket in the sig file and judge it.
fn verify_file(
    key: &VerifyKey,
    sig_file: &OsStr,
    expect: &Expect<'_>,
    clock: &FixedClock,
) -> Result<TicketInfo, Stop> {
    let text = read_ticket(sig_file)?;
    let invalid = |f| Stop::Invalid("verify failed", f);
    let ticket = ticket::parse_bytes(&text, clock).map_err(|m| invalid(m.into()))?;
    verify::judge(&ticket, key, expect, clock.now()).map_err(invalid)?;
    Ok(ticket.info)
}

/// A userbuf as the verify lines show it: as text when it is printable, else base64.
fn userbuf_shown(ub: &[u8], label_text: &str, label_b64: &str) -> String {
    match std::str::from_utf8(ub) {
        Ok(s) if !s.chars().any(char::is_control) => format!("{label_text}{s}"),
        _ => format!("{label_b64}{}", STANDARD.encode(ub)),
    }
}

fn verify_v1(a: &VerifyArgs, system: &SystemClock) -> Outcome {
    let expect = Expect {
        sdkappid: issue::parse_sdkappid(&a.sdkappid).map_err(usage)?,
        identifier: &a.identifier,
        userbuf: None,
    };
    let clock = judging_clock(a.options.at.as_deref(), system)?;
    let source = Source::pem_key(&a.pub_key_file);
    check_one_stdin(&source, &a.sig_file)?;
    let pem = source.read("key file").map_err(io_err)?;
    let key = PublicKey::from_pem(&pem)
        .map_err(|e| Stop::Io(format!("cannot verify with key {}: {e}", source.describe())))?;
    let info = verify_file(&VerifyKey::Public(key), &a.sig_file, &expect, &clock)?;
    let mut text = format!(
        "verify sig ok\nexpire {} init time {}\n",
        info.expire, info.init_time
    );
    if let Some(ub) = &info.userbuf {
        text.push_str(&userbuf_shown(ub, "userbuf:", "userbuf_base64:"));
        text.push('\n');
    }
    out(text.as_bytes())
}

fn verify_v2(a: &Verify2Args, userbuf: Option<&[u8]>, system: &SystemClock) -> Outcome {
    let expect = Expect {
        sdkappid: issue::parse_sdkappid(&a.sdkappid).map_err(usage)?,
        identifier: &a.identifier,
        userbuf,
    };
    let clock = judging_clock(a.options.at.as_deref(), system)?;
    let source = Source::secret(&a.key);
    check_one_stdin(&source, &a.sig_file)?;
    let secret = load_secret(&source)?;
    let info = verify_file(&VerifyKey::Secret(secret), &a.sig_file, &expect, &clock)?;
    let mut text = format!(
        "verify sig ok\nexpire {} init time {}",
        info.expire, info.init_time
    );
    match (&info.userbuf, userbuf.is_some()) {
        // verify2user: the original puts the userbuf at the end of the expire line.
        (Some(ub), true) => {
            text.push(' ');
            text.push_str(&userbuf_shown(ub, "userbuf ", "userbuf_base64 "));
            text.push('\n');
        }
        (Some(ub), false) => {
            text.push('\n');
            text.push_str(&userbuf_shown(ub, "userbuf:", "userbuf_base64:"));
            text.push('\n');
        }
        (None, _) => text.push('\n'),
    }
    out(text.as_bytes())
}

fn dump(sigtext: &str) -> Outcome {
    let bytes = if sigtext == "-" {
        read_ticket(OsStr::new("-"))?
    } else {
        sigtext.as_bytes().to_vec()
    };
    let json = ticket::json_text(&bytes).map_err(|m| Stop::Invalid("not a ticket", m.into()))?;
    out(format!("{json}\n").as_bytes())
}
