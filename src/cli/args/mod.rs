//! The command line: the original's commands, in its argument order.

use std::ffi::OsString;

use clap::{Args, Parser, Subcommand};

use super::exit;

#[macro_use]
mod help;
mod plain;

use help::*;
pub use help::{EXIT_STATUSES, LONG_VERSION, bare_usage};
pub use plain::parse_plain;

/// Generate and verify UserSig tickets for Tencent Cloud IM and TRTC (v1 ECDSA, v2 HMAC).
#[derive(Debug, Parser)]
#[command(
    name = "tls_licence_tools",
    version,
    long_version = LONG_VERSION,
    after_help = EXIT_STATUSES,
    disable_help_subcommand = false,
)]
#[command(mut_arg("json", |a| a.help(JSON_BEFORE)))]
pub struct Cli {
    #[command(flatten)]
    pub json: JsonOpt,
    #[command(subcommand)]
    pub command: Command,
}

// `--json`, declared here only: flattened into the top level (before the command) and
// into every command that prints JSON. Its help is the gen forms' wording; the others say
// theirs with `mut_arg`. (A plain comment: a flattened struct's doc comment would become
// its command's description.)
#[derive(Debug, Default, Clone, Copy, Args)]
pub struct JsonOpt {
    /// Print one JSON object on stdout instead of text lines.
    #[arg(long)]
    pub json: bool,
}

/// The help of `--json` before the command.
const JSON_BEFORE: &str =
    "Print JSON, as --json after the command does (for the commands that have it)";
/// The help of the verify forms' `--json`.
const JSON_VERIFY: &str = "Print one JSON object on stdout instead of the original's lines";
/// The help of `--json` for inspect, keygen and keycheck.
const JSON_ONE: &str = "Print one JSON object on stdout";
/// The help of dump's `--json`.
const JSON_DUMP: &str = r#"Print {"ok":…,"version":…,"json":{the ticket's object}} instead"#;

/// The commands. Each one's help ends with [`layout`]: notes, one example, and only the
/// exit statuses that command can give. A name of two words is also taken with the
/// other separator (`gen-batch` and `gen_batch`), a hidden alias: help, completions and
/// messages use the documented one.
///
/// Deferred: a command's arguments are defined only when that command runs (or its
/// help, the manual or completions are made), not for all of them at every start. The
/// argument structs below therefore carry plain comments, not doc comments: a deferred
/// struct's doc comment would replace its command's one-line description.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Make a v1 ticket (ECDSA P-256) valid for 180 days and write it to SIG_FILE.
    #[command(after_help = help!(GEN_NOTES, "gen ec_key.pem sig 1400001052 xiaojun", MADE))]
    Gen(GenArgs),
    /// The same as gen (the original kept both names).
    #[command(name = "gen_without_expire", alias = "gen-without-expire", after_help = help!(GEN_NOTES, "gen_without_expire ec_key.pem sig 1400001052 xiaojun", MADE))]
    GenWithoutExpire(GenArgs),
    /// Make a v1 ticket valid for EXPIRE_SECONDS and write it to SIG_FILE.
    #[command(after_help = help!(GEN_NOTES, "genexpire ec_key.pem sig 1400001052 xiaojun 86400", MADE))]
    Genexpire(GenExpireArgs),
    /// Make a v1 ticket that carries a userbuf (any bytes) and write it to SIG_FILE.
    #[command(after_help = help!(GENUSER_NOTES, "genuser ec_key.pem sig 1400001052 xiaojun 86400 abc", MADE))]
    Genuser(GenUserArgs),
    /// Make a v2 ticket (HMAC-SHA256) valid for 180 days; print it and write it to SIG_FILE.
    #[command(after_help = help!(GEN2_NOTES, "gen2 file:secret.txt sig 1400001052 xiaojun", MADE))]
    Gen2(Gen2Args),
    /// Make a v2 ticket that carries a userbuf; print it and write it to SIG_FILE.
    #[command(after_help = help!(GEN2USER_NOTES, "gen2user file:secret.txt sig 1400001052 xiaojun abc", MADE))]
    Gen2user(Gen2UserArgs),
    /// Verify a v1 ticket with the app's public key (a private key works too).
    #[command(after_help = help!(VERIFY_NOTES, "verify public.pem sig 1400001052 xiaojun", &VERIFY_STATUSES))]
    Verify(VerifyArgs),
    /// The same as verify (every verify form shows a ticket's userbuf).
    #[command(after_help = help!(VERIFY_NOTES, "verifyuser public.pem sig 1400001052 xiaojun", &VERIFY_STATUSES))]
    Verifyuser(VerifyArgs),
    /// Verify a v2 ticket with the app's secret.
    #[command(after_help = help!(VERIFY2_NOTES, "verify2 file:secret.txt sig 1400001052 xiaojun", &VERIFY_STATUSES))]
    Verify2(Verify2Args),
    /// Verify a v2 ticket with the app's secret, and that it carries the userbuf.
    #[command(after_help = help!(VERIFY2USER_NOTES, "verify2user file:secret.txt sig 1400001052 xiaojun abc", &VERIFY_STATUSES))]
    Verify2user(Verify2UserArgs),
    /// Renew SIG_FILE when it is missing, not valid, or expires within --within.
    #[command(after_help = RENEW_HELP)]
    Renew(RenewArgs),
    /// Print the expiry of sig files in Prometheus text format (node_exporter textfile).
    #[command(after_help = METRICS_HELP)]
    Metrics(MetricsArgs),
    /// Make a ticket for every identifier on stdin (one a line), on every core.
    #[command(name = "gen-batch", alias = "gen_batch", after_help = GEN_BATCH_HELP)]
    GenBatch(GenBatchArgs),
    /// Verify a ticket for every line on stdin, on every core.
    #[command(name = "verify-batch", alias = "verify_batch", after_help = VERIFY_BATCH_HELP)]
    VerifyBatch(VerifyBatchArgs),
    /// Show what a ticket says, without a key: version, user, app, times, userbuf.
    #[command(after_help = help!(
        &[
            SIG_FILE_IN,
            "A PrivateMapKey userbuf (TRTC room permissions) is decoded. Nothing is verified:
use verify for that.",
        ],
        "inspect sig",
        &[exit::OK.says("shown"), exit::INVALID.says("not a ticket"), USAGE, exit::IO.says("a file problem"), CLOSED_PIPE],
    ))]
    Inspect(InspectArgs),
    /// Make a new P-256 key pair: a PKCS#8 private key (mode 0600) and its public key.
    #[command(after_help = help!(
        &["Both files are PEM, readable by OpenSSL. Existing files are not replaced unless
--force is given."],
        "keygen ec_key.pem public.pem",
        &[exit::OK.says("written"), USAGE, exit::IO.says("a file exists or cannot be written"), CLOSED_PIPE],
    ))]
    Keygen(KeygenArgs),
    /// Say whether a public key belongs to a private key (a common cause of 70009).
    #[command(after_help = help!(
        &["Prints the SHA-256 fingerprint of each key (the same as
`openssl pkey -pubin -in public.pem -outform DER | sha256sum`)."],
        "keycheck ec_key.pem public.pem",
        &[exit::OK.says("they match"), exit::INVALID.says("they do not"), USAGE, exit::IO.says("a key cannot be read"), CLOSED_PIPE],
    ))]
    Keycheck(KeycheckArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell or elvish) to stdout.
    #[command(after_help = help!(
        &["Install:
  bash: tls_licence_tools completions bash > ~/.local/share/bash-completion/completions/tls_licence_tools
  zsh:  tls_licence_tools completions zsh > \"${fpath[1]}/_tls_licence_tools\"
  fish: tls_licence_tools completions fish > ~/.config/fish/completions/tls_licence_tools.fish
  powershell: tls_licence_tools completions powershell >> $PROFILE
  elvish: tls_licence_tools completions elvish >> ~/.config/elvish/rc.elv"],
        "completions bash > /etc/bash_completion.d/tls_licence_tools",
        &[exit::OK.says("printed"), USAGE, exit::IO.says("stdout cannot be written"), CLOSED_PIPE],
    ))]
    Completions(CompletionsArgs),
    /// Print the manual page (roff, every command) to stdout.
    #[command(after_help = help!(
        &["Install: tls_licence_tools man > ~/.local/share/man/man1/tls_licence_tools.1
(or /usr/local/share/man/man1/), then man tls_licence_tools. Read it now: man -l <(tls_licence_tools man)"],
        "man > tls_licence_tools.1",
        &[exit::OK.says("printed"), USAGE, exit::IO.says("stdout cannot be written"), CLOSED_PIPE],
    ))]
    Man,
    /// Print the JSON inside a ticket (no key needed, nothing checked).
    #[command(after_help = help!(
        &["SIGTEXT is the ticket text itself, or - to read it from stdin."],
        "dump \"$(cat sig)\"",
        &[exit::OK.says("printed"), exit::INVALID.says("not a ticket"), USAGE, CLOSED_PIPE],
    ))]
    Dump(DumpArgs),
    /// Make a v2 TRTC PrivateMapKey: a ticket whose userbuf grants a room; print it and
    /// write it to SIG_FILE.
    #[command(after_help = help!(
        PRIVMAP_V2_NOTES,
        "gen2privmap file:secret.txt sig 1400001052 xiaojun --room-id 10000 --privilege-map enter,recv-audio,recv-video",
        MADE,
    ))]
    Gen2privmap(PrivmapArgs),
    /// Make a v1 TRTC PrivateMapKey (ECDSA) and write it to SIG_FILE.
    #[command(after_help = help!(
        PRIVMAP_V1_NOTES,
        "genprivmap ec_key.pem sig 1400001052 xiaojun --room-str room-42",
        MADE,
    ))]
    Genprivmap(PrivmapArgs),
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
#[command(group(clap::ArgGroup::new("room").required(true).args(["room_id", "room_str"])))]
pub struct PrivmapArgs {
    /// The app's secret (gen2privmap: file:PATH, env:NAME, - or the secret itself) or
    /// private key PEM (genprivmap).
    pub key: OsString,
    /// Where to write the ticket (- for stdout).
    pub sig_file: OsString,
    /// The app's SDKAppID.
    pub sdkappid: String,
    /// The user id the ticket is for.
    pub identifier: String,
    /// The numeric room granted (0 to 4294967295).
    #[arg(long, value_name = "N")]
    pub room_id: Option<String>,
    /// The string room granted (1 to 64 bytes of printable ASCII).
    #[arg(long, value_name = "TEXT")]
    pub room_str: Option<String>,
    /// The privileges granted (default all, 255).
    #[arg(long, value_name = "BITS")]
    pub privilege_map: Option<String>,
    /// How long the ticket and its PrivateMapKey are valid (default 180d; at most 50y).
    #[arg(long, value_name = "DURATION")]
    pub expire: Option<String>,
    #[command(flatten)]
    pub json: JsonOpt,
}

/// The most worker threads --jobs may ask for.
pub const MAX_JOBS: usize = 1024;

/// Parse --jobs: a whole number from 1 to [`MAX_JOBS`].
fn parse_jobs(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_JOBS).contains(&n) => Ok(n),
        _ => Err(format!("expected a whole number from 1 to {MAX_JOBS}")),
    }
}

// Options shared by the gen forms.
#[derive(Debug, Args)]
pub struct GenOptions {
    /// Make the ticket even if the identifier breaks Tencent's rule (1 to 32 bytes of
    /// printable ASCII); a control character is refused all the same.
    #[arg(long)]
    pub allow_any_identifier: bool,
    #[command(flatten)]
    pub json: JsonOpt,
}

// Options shared by the verify forms.
#[derive(Debug, Args)]
#[command(mut_arg("json", |a| a.help(JSON_VERIFY)))]
pub struct VerifyOptions {
    /// Judge the ticket as of this time: Unix seconds, RFC 3339 (2026-11-26T06:40:57Z)
    /// or a date (2026-11-26, midnight UTC). Default: now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Fail (exit 4) when the ticket is valid but expires sooner than this.
    #[arg(long, value_name = "DURATION")]
    pub min_remaining: Option<String>,
    /// Another key to try (repeatable); the one that matched is reported.
    #[arg(long = "key", value_name = "KEY")]
    pub keys: Vec<OsString>,
    /// The ticket must carry a PrivateMapKey granting this numeric room.
    #[arg(long, value_name = "N", conflicts_with = "room_str")]
    pub room_id: Option<String>,
    /// The ticket must carry a PrivateMapKey granting this string room.
    #[arg(long, value_name = "TEXT")]
    pub room_str: Option<String>,
    /// With a room: the PrivateMapKey must grant at least these privileges (default enter).
    #[arg(long, value_name = "BITS")]
    pub privilege_map: Option<String>,
    #[command(flatten)]
    pub json: JsonOpt,
}

// The positional arguments of the v1 gen forms.
#[derive(Debug, Args)]
pub struct V1Target {
    /// The app's private key (PEM).
    pub pri_key_file: OsString,
    /// Where to write the ticket (- for stdout).
    pub sig_file: OsString,
    /// The app's SDKAppID.
    pub sdkappid: String,
    /// The user id the ticket is for.
    pub identifier: String,
}

// The validity as an option, for the forms without a positional EXPIRE_SECONDS.
#[derive(Debug, Args)]
pub struct ExpireOption {
    /// How long the ticket is valid (default 180d; at most 50y).
    #[arg(long, value_name = "DURATION")]
    pub expire: Option<String>,
}

// Where a userbuf of any bytes comes from, in place of the positional USERBUF.
#[derive(Debug, Args)]
pub struct UserbufFrom {
    /// Take the userbuf from this file, any bytes (NUL too), at most 64 KiB; - is stdin.
    #[arg(long, value_name = "PATH")]
    pub userbuf_file: Option<OsString>,
    /// Take the userbuf as these base64 bytes (standard alphabet, padding optional).
    #[arg(long, value_name = "TEXT")]
    pub userbuf_base64: Option<String>,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct GenArgs {
    #[command(flatten)]
    pub target: V1Target,
    #[command(flatten)]
    pub expire: ExpireOption,
    #[command(flatten)]
    pub options: GenOptions,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct GenExpireArgs {
    #[command(flatten)]
    pub target: V1Target,
    /// How long the ticket is valid: seconds, or a DURATION such as 90d (at most
    /// 1576800000 seconds, 50 years).
    pub expire_seconds: String,
    #[command(flatten)]
    pub options: GenOptions,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct GenUserArgs {
    #[command(flatten)]
    pub base: GenExpireArgs,
    /// The bytes to carry in the ticket, taken as they are even when they begin with `-`
    /// (put `--` before a USERBUF that is one of this command's options, like `--json`).
    /// Or give --userbuf-file or --userbuf-base64 instead.
    #[arg(allow_hyphen_values = true)]
    pub userbuf: Option<OsString>,
    #[command(flatten)]
    pub userbuf_from: UserbufFrom,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct Gen2Args {
    /// The app's secret: file:PATH, env:NAME, - (stdin), or the secret itself.
    pub key: OsString,
    /// Where to write the ticket (- for stdout only).
    pub sig_file: OsString,
    /// The app's SDKAppID.
    pub sdkappid: String,
    /// The user id the ticket is for.
    pub identifier: String,
    #[command(flatten)]
    pub expire: ExpireOption,
    #[command(flatten)]
    pub options: GenOptions,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct Gen2UserArgs {
    #[command(flatten)]
    pub base: Gen2Args,
    /// The bytes to carry in the ticket, taken as they are even when they begin with `-`
    /// (put `--` before a USERBUF that is one of this command's options, like `--json`).
    /// Or give --userbuf-file or --userbuf-base64 instead.
    #[arg(allow_hyphen_values = true)]
    pub userbuf: Option<OsString>,
    #[command(flatten)]
    pub userbuf_from: UserbufFrom,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct VerifyArgs {
    /// The app's public key (PEM); its private key works too.
    pub pub_key_file: OsString,
    /// The file holding the ticket (- for stdin).
    pub sig_file: OsString,
    /// The SDKAppID the ticket must be for.
    pub sdkappid: String,
    /// The user id the ticket must be for.
    pub identifier: String,
    #[command(flatten)]
    pub options: VerifyOptions,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct Verify2Args {
    /// The app's secret: file:PATH, env:NAME, - (stdin), or the secret itself.
    pub key: OsString,
    /// The file holding the ticket (- for stdin).
    pub sig_file: OsString,
    /// The SDKAppID the ticket must be for.
    pub sdkappid: String,
    /// The user id the ticket must be for.
    pub identifier: String,
    #[command(flatten)]
    pub options: VerifyOptions,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct Verify2UserArgs {
    #[command(flatten)]
    pub base: Verify2Args,
    /// The bytes the ticket must carry, taken as they are even when they begin with `-`
    /// (put `--` before a USERBUF that is one of this command's options, like `--json`).
    /// Or give --userbuf-file or --userbuf-base64 instead.
    #[arg(allow_hyphen_values = true)]
    pub userbuf: Option<OsString>,
    #[command(flatten)]
    pub userbuf_from: UserbufFrom,
}

#[derive(Debug, Args)]
#[command(mut_arg("json", |a| a.help(JSON_DUMP)))]
pub struct DumpArgs {
    /// The ticket text (- to read it from stdin).
    pub sigtext: String,
    #[command(flatten)]
    pub json: JsonOpt,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct RenewArgs {
    /// A private key PEM (v1) or a v2 secret: PATH, file:PATH, env:NAME or -.
    #[arg(required_unless_present = "config")]
    pub key: Option<OsString>,
    /// The sig file to keep fresh.
    #[arg(required_unless_present = "config")]
    pub sig_file: Option<OsString>,
    /// The app's SDKAppID.
    #[arg(required_unless_present = "config")]
    pub sdkappid: Option<String>,
    /// The user id the ticket is for.
    #[arg(required_unless_present = "config")]
    pub identifier: Option<String>,
    /// Renew when less than this remains (required without --config).
    #[arg(long, value_name = "DURATION", required_unless_present = "config")]
    pub within: Option<String>,
    /// Print nothing unless there is an error (for cron, which mails every line).
    #[arg(long, short = 'q', conflicts_with = "json")]
    pub quiet: bool,
    #[command(flatten)]
    pub expire: ExpireOption,
    #[command(flatten)]
    pub options: GenOptions,
    /// Renew every ticket listed in this TOML manifest (instead of KEY SIG_FILE SDKAPPID
    /// IDENTIFIER).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["key", "sig_file", "sdkappid", "identifier", "within", "expire", "allow_any_identifier"])]
    pub config: Option<OsString>,
    /// With --config: say what each entry would get, write nothing, run no hook.
    #[arg(long, requires = "config")]
    pub dry_run: bool,
    /// Renew now, whatever --within says (with --config: every entry).
    #[arg(long)]
    pub force: bool,
    /// With --config: how long to wait for another run on the same manifest.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "5m",
        requires = "config"
    )]
    pub lock_timeout: String,
}

// Arguments of `metrics`.
#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Export every ticket listed in this renew manifest (its keys check them).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "sig_files",
        conflicts_with = "sig_files"
    )]
    pub config: Option<OsString>,
    /// The sig files to export.
    #[arg(value_name = "SIG_FILE")]
    pub sig_files: Vec<OsString>,
    /// A key that checks the tickets (repeatable; with SIG_FILEs, signatures only).
    #[arg(long = "key", value_name = "KEY")]
    pub keys: Vec<OsString>,
    /// Write the metrics to this file atomically (node_exporter's textfile collector)
    /// instead of stdout.
    #[arg(long, value_name = "PATH")]
    pub textfile: Option<OsString>,
}

/// Output formats of gen-batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BatchFormat {
    /// JSON Lines.
    Jsonl,
    /// Comma-separated values: gen-batch writes identifier,usersig,expires_at;
    /// verify-batch writes a header line, then line,identifier,ok,code,expires_at,reason.
    Csv,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct GenBatchArgs {
    /// A private key PEM (v1) or a v2 secret: PATH, file:PATH or env:NAME.
    pub key: OsString,
    /// The app's SDKAppID.
    pub sdkappid: String,
    /// How long the tickets are valid (default 180d; at most 50y).
    #[arg(long, value_name = "DURATION")]
    pub expire: Option<String>,
    /// Worker threads, 1 to 1024 (default: one per core).
    #[arg(long, value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BatchFormat::Jsonl)]
    pub format: BatchFormat,
    /// Make tickets even for identifiers that break Tencent's rule.
    #[arg(long)]
    pub allow_any_identifier: bool,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct VerifyBatchArgs {
    /// A PEM key (v1) or a v2 secret: PATH, file:PATH or env:NAME.
    pub key: OsString,
    /// The SDKAppID the tickets must be for.
    pub sdkappid: String,
    /// Judge the tickets as of this time: Unix seconds, RFC 3339 or a date (midnight UTC).
    /// Default: now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Count a valid ticket that expires sooner than this as expiring (exit 4).
    #[arg(long, value_name = "DURATION")]
    pub min_remaining: Option<String>,
    /// Worker threads, 1 to 1024 (default: one per core).
    #[arg(long, value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<usize>,
    /// Another key to try (repeatable); a JSON line names the one that matched.
    #[arg(long = "key", value_name = "KEY")]
    pub keys: Vec<OsString>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BatchFormat::Jsonl)]
    pub format: BatchFormat,
}

#[derive(Debug, Args)]
#[command(mut_arg("json", |a| a.help(JSON_ONE)))]
pub struct InspectArgs {
    /// The file holding the ticket (- for stdin).
    pub sig_file: OsString,
    #[command(flatten)]
    pub json: JsonOpt,
}

#[derive(Debug, Args)]
#[command(mut_arg("json", |a| a.help(JSON_ONE)))]
pub struct KeygenArgs {
    /// Where to write the private key (PKCS#8 PEM, mode 0600).
    pub private_pem: OsString,
    /// Where to write the public key (SPKI PEM).
    pub public_pem: OsString,
    /// Replace files that exist.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub json: JsonOpt,
}

#[derive(Debug, Args)]
#[command(mut_arg("json", |a| a.help(JSON_ONE)))]
pub struct KeycheckArgs {
    /// The private key (PEM): PATH, file:PATH, env:NAME or -.
    pub private_pem: OsString,
    /// The public key (PEM): PATH, file:PATH, env:NAME or -.
    pub public_pem: OsString,
    #[command(flatten)]
    pub json: JsonOpt,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: Shell,
}

/// The shells completions are made for.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Shell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
    /// PowerShell.
    Powershell,
    /// Elvish.
    Elvish,
}

impl Command {
    /// The command's `--json`; `None` for the commands without JSON output.
    pub fn json_opt(&mut self) -> Option<&mut JsonOpt> {
        Some(match self {
            Command::Gen(a) | Command::GenWithoutExpire(a) => &mut a.options.json,
            Command::Genexpire(a) => &mut a.options.json,
            Command::Genuser(a) => &mut a.base.options.json,
            Command::Gen2(a) => &mut a.options.json,
            Command::Gen2user(a) => &mut a.base.options.json,
            Command::Verify(a) | Command::Verifyuser(a) => &mut a.options.json,
            Command::Verify2(a) => &mut a.options.json,
            Command::Verify2user(a) => &mut a.base.options.json,
            Command::Renew(a) => &mut a.options.json,
            Command::Inspect(a) => &mut a.json,
            Command::Keygen(a) => &mut a.json,
            Command::Keycheck(a) => &mut a.json,
            Command::Dump(a) => &mut a.json,
            Command::Gen2privmap(a) | Command::Genprivmap(a) => &mut a.json,
            Command::Completions(_)
            | Command::Man
            | Command::Metrics(_)
            | Command::GenBatch(_)
            | Command::VerifyBatch(_) => return None,
        })
    }

    /// Whether the command may need the host's UTC offset: it reads tickets (whose
    /// plain-JSON form holds local wall-clock time) or shows local times. The commands
    /// that only make tickets, keys or text never do.
    pub fn reads_local_time(&self) -> bool {
        match self {
            Command::Verify(_)
            | Command::Verifyuser(_)
            | Command::Verify2(_)
            | Command::Verify2user(_)
            | Command::Renew(_)
            | Command::Metrics(_)
            | Command::VerifyBatch(_)
            | Command::Inspect(_) => true,
            Command::Gen(_)
            | Command::GenWithoutExpire(_)
            | Command::Genexpire(_)
            | Command::Genuser(_)
            | Command::Gen2(_)
            | Command::Gen2user(_)
            | Command::GenBatch(_)
            | Command::Keygen(_)
            | Command::Keycheck(_)
            | Command::Completions(_)
            | Command::Man
            | Command::Dump(_)
            | Command::Gen2privmap(_)
            | Command::Genprivmap(_) => false,
        }
    }

    /// The command's name, as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Gen(_) => "gen",
            Command::GenWithoutExpire(_) => "gen_without_expire",
            Command::Genexpire(_) => "genexpire",
            Command::Genuser(_) => "genuser",
            Command::Gen2(_) => "gen2",
            Command::Gen2user(_) => "gen2user",
            Command::Verify(_) => "verify",
            Command::Verifyuser(_) => "verifyuser",
            Command::Verify2(_) => "verify2",
            Command::Verify2user(_) => "verify2user",
            Command::Renew(_) => "renew",
            Command::Metrics(_) => "metrics",
            Command::GenBatch(_) => "gen-batch",
            Command::VerifyBatch(_) => "verify-batch",
            Command::Inspect(_) => "inspect",
            Command::Keygen(_) => "keygen",
            Command::Keycheck(_) => "keycheck",
            Command::Completions(_) => "completions",
            Command::Man => "man",
            Command::Dump(_) => "dump",
            Command::Gen2privmap(_) => "gen2privmap",
            Command::Genprivmap(_) => "genprivmap",
        }
    }
}

#[cfg(test)]
mod tests;
