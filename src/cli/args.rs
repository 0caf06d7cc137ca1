//! The command line: the original's commands, in its argument order.

use std::ffi::OsString;

use clap::{Args, Parser, Subcommand};

const KEY_FORMS: &str = "\
A key is a path, or file:PATH, env:NAME (the PEM text in a variable) or - (stdin).
Accepted, PEM or DER: SEC1 'EC PRIVATE KEY' (with or without 'EC PARAMETERS'), PKCS#8
'PRIVATE KEY', SPKI 'PUBLIC KEY'; P-256 only.";

const SECRET_FORMS: &str = "\
KEY is the app's secret (64 characters, from the console). Prefer file:PATH, env:NAME or
- (stdin): a secret typed as the argument itself, as the original requires, can be read by
every user of the machine in the process list; one that names an existing file is
refused (did you mean file:PATH?). Surrounding white space in a file, variable or stdin is
ignored. A key (PEM, DER, OpenSSH, ...) is never taken as a secret; a secret that is not 64
hexadecimal characters draws a warning.";

pub const EXIT_STATUSES: &str = "\
Exit status: 0 success; 1 the ticket is not valid; 2 bad arguments;
3 a file or key could not be read, used or written, or output could not be written;
4 the ticket is valid but expires sooner than --min-remaining; 141 stdout was a closed
pipe (| head) and the output was cut short. Output that was not all written is never 0.";

const METRICS_HELP: &str = "\
Series (gauges), labelled file, identifier, sdkappid, version (from the ticket itself):
usersig_expiry_timestamp_seconds, usersig_issued_timestamp_seconds, and with keys (the
manifest's, or --key) usersig_valid 1 or 0 (signature or MAC; from a manifest also the
sdkappid and identifier; expiry is not judged). usersig_read_error{file} is 1 for a file
that is missing, unreadable or holds no ticket (it then has no other series), else 0;
usersig_exporter_last_run_timestamp_seconds says when the metrics were made.
--textfile writes the file atomically, mode 0644 (node_exporter never reads half of it).

Example: tls_licence_tools metrics --config /etc/usersig/usersig.toml \\
         --textfile /var/lib/prometheus/node-exporter/usersig.prom

Exit status: 0 written; 2 bad arguments or manifest; 3 a key or the output file could
not be read or written (the metrics are still written when only a manifest key failed).";

const DURATIONS: &str = "\
A DURATION is seconds (86400) or a number with a unit: 90d, 12h, 30m, 45s, 2w, 1y
(365 days), or combined like 1d12h.";

/// Generate and verify UserSig tickets for Tencent Cloud IM and TRTC (v1 ECDSA, v2 HMAC).
#[derive(Debug, Parser)]
#[command(
    name = "tls_licence_tools",
    version,
    after_help = EXIT_STATUSES,
    disable_help_subcommand = false,
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a v1 ticket (ECDSA P-256) valid for 180 days and write it to SIG_FILE.
    #[command(after_help = gen_help("gen ec_key.pem sig 1400001052 xiaojun"))]
    Gen(GenArgs),
    /// The same as gen (the original kept both names).
    #[command(name = "gen_without_expire", after_help = gen_help("gen_without_expire ec_key.pem sig 1400001052 xiaojun"))]
    GenWithoutExpire(GenArgs),
    /// Make a v1 ticket valid for EXPIRE_SECONDS and write it to SIG_FILE.
    #[command(after_help = gen_help("genexpire ec_key.pem sig 1400001052 xiaojun 86400"))]
    Genexpire(GenExpireArgs),
    /// Make a v1 ticket that carries USERBUF (any bytes) and write it to SIG_FILE.
    #[command(after_help = gen_help("genuser ec_key.pem sig 1400001052 xiaojun 86400 abc"))]
    Genuser(GenUserArgs),
    /// Make a v2 ticket (HMAC-SHA256) valid for 180 days; print it and write it to SIG_FILE.
    #[command(after_help = gen2_help("gen2 file:secret.txt sig 1400001052 xiaojun"))]
    Gen2(Gen2Args),
    /// Make a v2 ticket that carries USERBUF; print it and write it to SIG_FILE.
    #[command(after_help = gen2_help("gen2user file:secret.txt sig 1400001052 xiaojun abc"))]
    Gen2user(Gen2UserArgs),
    /// Verify a v1 ticket with the app's public key (a private key works too).
    #[command(after_help = verify_help("verify public.pem sig 1400001052 xiaojun"))]
    Verify(VerifyArgs),
    /// The same as verify (every verify form shows a ticket's userbuf).
    #[command(after_help = verify_help("verifyuser public.pem sig 1400001052 xiaojun"))]
    Verifyuser(VerifyArgs),
    /// Verify a v2 ticket with the app's secret.
    #[command(after_help = verify2_help("verify2 file:secret.txt sig 1400001052 xiaojun"))]
    Verify2(Verify2Args),
    /// Verify a v2 ticket with the app's secret, and that it carries USERBUF.
    #[command(after_help = verify2_help("verify2user file:secret.txt sig 1400001052 xiaojun abc"))]
    Verify2user(Verify2UserArgs),
    /// Renew SIG_FILE when it is missing, not valid, or expires within --within.
    #[command(after_help = format!(
        "KEY is a private key PEM (makes v1 tickets) or a v2 secret (makes v2 tickets), given as\n\
         PATH, file:PATH, env:NAME or - (stdin); a secret is never taken from the command line\n\
         here. A SIG_FILE that holds no valid ticket (whatever it holds, however large) is\n\
         renewed; one that is a directory or not a regular file is an error. Otherwise SIG_FILE\n\
         is left byte for byte as it is. The write is atomic (temporary file, fsync, rename),\n\
         keeps the file's owner and mode (never group- or world-writable or executable); a new\n\
         file is 0600; a symbolic link as SIG_FILE is refused.\n{DURATIONS}\n\n\
         Example: tls_licence_tools renew ec_key.pem sig 1400001052 xiaojun --within 30d\n\n\
         With --config FILE, every [[ticket]] of a TOML manifest (file, key, sdkappid,\n\
         identifier; within, expire, deploy_hook, hook_timeout, mode, owner, group, also in\n\
         [defaults]) is kept, renewed or created the same way, one line each; a deploy_hook\n\
         runs (sh -c, USERSIG_FILE, USERSIG_IDENTIFIER, USERSIG_SDKAPPID, USERSIG_EXPIRES_AT)\n\
         after each renewal. Runs on one manifest wait for each other (a lock on it).\n\n\
         Exit status: 0 renewed or kept; 1 (--config) some entry or hook failed; 2 bad\n\
         arguments or manifest; 3 a file or key problem; 141 stdout was a closed pipe."))]
    Renew(RenewArgs),
    /// Print the expiry of sig files in Prometheus text format (node_exporter textfile).
    #[command(after_help = METRICS_HELP)]
    Metrics(MetricsArgs),
    /// Make a ticket for every identifier on stdin (one a line), on every core.
    #[command(name = "gen-batch", after_help = format!(
        "KEY is a private key PEM (v1 tickets) or a v2 secret (v2 tickets): PATH, file:PATH,\n\
         env:NAME or - is not allowed here (stdin carries the identifiers).\n\
         Writes JSON Lines in input order: {{\"identifier\",\"usersig\",\"expires_at\"}}, or for a bad\n\
         identifier {{\"identifier\",\"error\"}}; with --format csv, identifier,usersig,expires_at\n\
         (a bad identifier gets empty fields and a message on stderr). Each identifier is the\n\
         line exactly, without its \\n or \\r\\n: a line with white space at either end, or that is\n\
         not UTF-8, is refused, never changed. Blank lines are skipped and counted on stderr\n\
         (gen-batch: N blank lines skipped). A progress line goes to stderr when it is a\n\
         terminal.\n{DURATIONS}\n\n\
         Example: cut -d, -f1 users.csv | tls_licence_tools gen-batch ec_key.pem 1400001052 > sigs.jsonl\n\n\
         Exit status: 0 all made; 1 some lines failed; 2 bad arguments; 3 a file or key problem,\n\
         or stdout cannot be written; 141 stdout was a closed pipe (| head): not every line was\n\
         made."))]
    GenBatch(GenBatchArgs),
    /// Verify a ticket for every line on stdin, on every core.
    #[command(name = "verify-batch", after_help = format!(
        "Each line is JSON {{\"identifier\":…,\"usersig\":…}} or CSV identifier,usersig (a first line\n\
         'identifier,usersig' is a header and is skipped; blank lines are skipped and counted).\n\
         KEY is a PEM key (v1) or a v2 secret, as for gen-batch. Writes one line per ticket, in\n\
         input order, with the fields of verify --json.\n{DURATIONS}\n\n\
         Example: tls_licence_tools verify-batch public.pem 1400001052 --min-remaining 7d < sigs.jsonl\n\n\
         Exit status: 0 all valid; 1 some not valid; 4 all valid but some expire within\n\
         --min-remaining; 2 bad arguments; 3 a file or key problem, or stdout cannot be written;\n\
         141 stdout was a closed pipe (| head): not every line was judged."))]
    VerifyBatch(VerifyBatchArgs),
    /// Show what a ticket says, without a key: version, user, app, times, userbuf.
    #[command(
        after_help = "SIG_FILE is a file holding the ticket, or - for stdin. A PrivateMapKey\n\
        userbuf (TRTC room permissions) is decoded. Nothing is verified: use verify for that.\n\n\
        Example: tls_licence_tools inspect sig\n\n\
        Exit status: 0 shown; 1 not a ticket; 2 bad arguments; 3 a file problem."
    )]
    Inspect(InspectArgs),
    /// Make a new P-256 key pair: a PKCS#8 private key (mode 0600) and its public key.
    #[command(
        after_help = "Both files are PEM, readable by OpenSSL. Existing files are not\n\
        replaced unless --force is given.\n\n\
        Example: tls_licence_tools keygen ec_key.pem public.pem\n\n\
        Exit status: 0 written; 2 bad arguments; 3 a file exists or cannot be written."
    )]
    Keygen(KeygenArgs),
    /// Say whether a public key belongs to a private key (a common cause of 70009).
    #[command(
        after_help = "Prints the SHA-256 fingerprint of each key (the same as\n\
        `openssl pkey -pubin -in public.pem -outform DER | sha256sum`).\n\n\
        Example: tls_licence_tools keycheck ec_key.pem public.pem\n\n\
        Exit status: 0 they match; 1 they do not; 2 bad arguments; 3 a key cannot be read."
    )]
    Keycheck(KeycheckArgs),
    /// Print a shell completion script (bash, zsh or fish) to stdout.
    #[command(after_help = "Examples:\n  \
        tls_licence_tools completions bash > /etc/bash_completion.d/tls_licence_tools\n  \
        tls_licence_tools completions zsh > \"${fpath[1]}/_tls_licence_tools\"\n  \
        tls_licence_tools completions fish > ~/.config/fish/completions/tls_licence_tools.fish")]
    Completions(CompletionsArgs),
    /// Print the JSON inside a ticket (no key needed, nothing checked).
    #[command(
        after_help = "SIGTEXT is the ticket text itself, or - to read it from stdin.\n\
        Example: tls_licence_tools dump \"$(cat sig)\"\n\n\
        Exit status: 0 printed; 1 not a ticket; 2 bad arguments."
    )]
    Dump(DumpArgs),
}

fn gen_help(example: &str) -> String {
    format!(
        "SIG_FILE is replaced atomically (a failed run leaves it as it was); - (or a path that is\n\
         stdout, such as /dev/stdout) writes the ticket to stdout. New sig files are 0600; a\n\
         replaced one keeps its owner and mode, never group- or world-writable or executable;\n\
         a symbolic link as SIG_FILE is refused.\n{KEY_FORMS}\n{DURATIONS}\n\n\
         Example: tls_licence_tools {example}\n\n{EXIT_STATUSES}"
    )
}

fn gen2_help(example: &str) -> String {
    format!(
        "{SECRET_FORMS}\nSIG_FILE is replaced atomically; - writes the ticket to stdout only.\n{DURATIONS}\n\n\
         Example: tls_licence_tools {example}\n\n{EXIT_STATUSES}"
    )
}

fn verify_help(example: &str) -> String {
    format!(
        "Accepts every v1 ticket: with or without a userbuf, and the old uncompressed JSON form.\n\
         SIG_FILE is a file holding the ticket, or - for stdin. --key adds keys to try (ops\n\
         rotating keys); the one that matched is reported.\n{KEY_FORMS}\n{DURATIONS}\n\n\
         Example: tls_licence_tools {example}\n\n{EXIT_STATUSES}"
    )
}

fn verify2_help(example: &str) -> String {
    format!(
        "Accepts every v2 ticket, with or without a userbuf. SIG_FILE is a file holding the\n\
         ticket, or - for stdin. --key adds secrets to try.\n{SECRET_FORMS}\n{DURATIONS}\n\n\
         Example: tls_licence_tools {example}\n\n{EXIT_STATUSES}"
    )
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

/// Options shared by the gen forms.
#[derive(Debug, Args)]
pub struct GenOptions {
    /// How long the ticket is valid (default 180d; at most 50y).
    #[arg(long, value_name = "DURATION")]
    pub expire: Option<String>,
    /// Make the ticket even if the identifier breaks Tencent's rule (1 to 32 bytes of
    /// printable ASCII); a control character is refused all the same.
    #[arg(long)]
    pub allow_any_identifier: bool,
    /// Print one JSON object on stdout instead of the original's lines.
    #[arg(long)]
    pub json: bool,
}

/// Options shared by the verify forms.
#[derive(Debug, Args)]
pub struct VerifyOptions {
    /// Judge the ticket as of this time: Unix seconds or RFC 3339
    /// (2026-11-26T06:40:57Z). Default: now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Fail (exit 4) when the ticket is valid but expires sooner than this.
    #[arg(long, value_name = "DURATION")]
    pub min_remaining: Option<String>,
    /// Another key to try (repeatable); the one that matched is reported.
    #[arg(long = "key", value_name = "KEY")]
    pub keys: Vec<OsString>,
    /// Print one JSON object on stdout instead of the original's lines.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct GenArgs {
    /// The app's private key (PEM).
    pub pri_key_file: OsString,
    /// Where to write the ticket (- for stdout).
    pub sig_file: OsString,
    /// The app's SDKAppID.
    pub sdkappid: String,
    /// The user id the ticket is for.
    pub identifier: String,
    #[command(flatten)]
    pub options: GenOptions,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct GenExpireArgs {
    #[command(flatten)]
    pub base: GenArgs,
    /// How long the ticket is valid, in seconds (at most 1576800000, 50 years).
    pub expire_seconds: String,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct GenUserArgs {
    #[command(flatten)]
    pub base: GenArgs,
    /// How long the ticket is valid, in seconds (at most 1576800000, 50 years).
    pub expire_seconds: String,
    /// The bytes to carry in the ticket, taken as they are even when they begin with `-`
    /// (put `--` before a USERBUF that is one of this command's options, like `--json`).
    #[arg(allow_hyphen_values = true)]
    pub userbuf: OsString,
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
    pub options: GenOptions,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct Gen2UserArgs {
    #[command(flatten)]
    pub base: Gen2Args,
    /// The bytes to carry in the ticket, taken as they are even when they begin with `-`
    /// (put `--` before a USERBUF that is one of this command's options, like `--json`).
    #[arg(allow_hyphen_values = true)]
    pub userbuf: OsString,
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
    #[arg(allow_hyphen_values = true)]
    pub userbuf: OsString,
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    /// The ticket text (- to read it from stdin).
    pub sigtext: String,
    /// Print {"ok":…,"version":…,"json":{the ticket's object}} instead.
    #[arg(long)]
    pub json: bool,
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
    #[command(flatten)]
    pub options: GenOptions,
    /// Renew every ticket listed in this TOML manifest (instead of KEY SIG_FILE SDKAPPID
    /// IDENTIFIER).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["key", "sig_file", "sdkappid", "identifier", "within", "expire", "allow_any_identifier"])]
    pub config: Option<OsString>,
    /// With --config: say what each entry would get, write nothing, run no hook.
    #[arg(long, requires = "config")]
    pub dry_run: bool,
    /// With --config: print nothing on stdout (errors still go to stderr).
    #[arg(long)]
    pub quiet: bool,
    /// With --config: how long to wait for another run on the same manifest.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "5m",
        requires = "config"
    )]
    pub lock_timeout: String,
}

/// Arguments of `metrics`.
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
    /// identifier,usersig,expires_at
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
    /// Judge the tickets as of this time: Unix seconds or RFC 3339. Default: now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Count a valid ticket that expires sooner than this as expiring (exit 4).
    #[arg(long, value_name = "DURATION")]
    pub min_remaining: Option<String>,
    /// Worker threads, 1 to 1024 (default: one per core).
    #[arg(long, value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<usize>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The file holding the ticket (- for stdin).
    pub sig_file: OsString,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the private key (PKCS#8 PEM, mode 0600).
    pub private_pem: OsString,
    /// Where to write the public key (SPKI PEM).
    pub public_pem: OsString,
    /// Replace files that exist.
    #[arg(long)]
    pub force: bool,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct KeycheckArgs {
    /// The private key (PEM): PATH, file:PATH, env:NAME or -.
    pub private_pem: OsString,
    /// The public key (PEM): PATH, file:PATH, env:NAME or -.
    pub public_pem: OsString,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
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
}

/// What the bare command prints: the version and the gen and verify forms, with an
/// example each (the original printed its usage this way).
pub fn bare_usage() -> String {
    format!(
        "\
tls_licence_tools {version}
current version: {format}
gen:     tls_licence_tools gen         pri_key_file sig_file sdkappid identifier
         tls_licence_tools gen_without_expire  (same arguments, same result)
         tls_licence_tools genexpire   pri_key_file sig_file sdkappid identifier expire_seconds
         tls_licence_tools genuser     pri_key_file sig_file sdkappid identifier expire_seconds userbuf
         tls_licence_tools gen2        key sig_file sdkappid identifier
         tls_licence_tools gen2user    key sig_file sdkappid identifier userbuf
  e.g.   tls_licence_tools gen ec_key.pem sig 1400001052 xiaojun
         tls_licence_tools gen2 file:secret.txt sig 1400001052 xiaojun
verify:  tls_licence_tools verify      pub_key_file sig_file sdkappid identifier
         tls_licence_tools verifyuser  pub_key_file sig_file sdkappid identifier
         tls_licence_tools verify2     key sig_file sdkappid identifier
         tls_licence_tools verify2user key sig_file sdkappid identifier userbuf
         [--at TIME] [--min-remaining DURATION] [--key KEY]...
  e.g.   tls_licence_tools verify public.pem sig 1400001052 xiaojun
         tls_licence_tools verify2 file:secret.txt sig 1400001052 xiaojun
dump:    tls_licence_tools dump sigtext
more:    renew KEY SIG_FILE SDKAPPID IDENTIFIER --within DURATION, inspect SIG_FILE,
         gen-batch KEY SDKAPPID < identifiers, verify-batch KEY SDKAPPID < tickets,
         keygen PRIVATE_PEM PUBLIC_PEM, keycheck PRIVATE_PEM PUBLIC_PEM, completions SHELL;
         --json on every gen, verify, dump and inspect form
Run 'tls_licence_tools COMMAND --help' for details.
{EXIT_STATUSES}
",
        version = env!("CARGO_PKG_VERSION"),
        format = tls_licence_tools::v1::VERSION_TEXT,
    )
}

impl Command {
    /// Whether the command was asked for JSON output.
    pub fn json(&self) -> bool {
        match self {
            Command::Gen(a) | Command::GenWithoutExpire(a) => a.options.json,
            Command::Genexpire(a) => a.base.options.json,
            Command::Genuser(a) => a.base.options.json,
            Command::Gen2(a) => a.options.json,
            Command::Gen2user(a) => a.base.options.json,
            Command::Verify(a) | Command::Verifyuser(a) => a.options.json,
            Command::Verify2(a) => a.options.json,
            Command::Verify2user(a) => a.base.options.json,
            Command::Renew(a) => a.options.json,
            Command::Inspect(a) => a.json,
            Command::Keygen(a) => a.json,
            Command::Keycheck(a) => a.json,
            Command::Dump(a) => a.json,
            Command::Completions(_)
            | Command::GenBatch(_)
            | Command::VerifyBatch(_)
            | Command::Metrics(_) => false,
        }
    }
}
