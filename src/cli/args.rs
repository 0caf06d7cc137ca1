//! The command line: the original's commands, in its argument order.

use std::ffi::OsString;

use clap::{Args, Parser, Subcommand};

use super::exit;

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

/// What an exit status means, as a command's help lists it.
type Status = exit::Listed;

const OK_WRITTEN: Status = exit::OK.says("the ticket was made and written");
const INVALID: Status = exit::INVALID.listed();
const USAGE: Status = exit::USAGE.listed();
const IO: Status = exit::IO.listed();
const EXPIRING: Status = exit::EXPIRING.listed();
const CLOSED_PIPE: Status = exit::CLOSED_PIPE.listed();

/// Every exit status, as the top-level help lists them: the whole table.
const ALL_STATUSES: [Status; exit::TABLE.len()] = {
    let mut list = [exit::OK.listed(); exit::TABLE.len()];
    let mut i = 0;
    while i < list.len() {
        list[i] = exit::TABLE[i].listed();
        i += 1;
    }
    list
};

/// Help text built at compile time, so that no command pays at start for the help of
/// all of them: `N` bytes are kept, `len` counts every byte pushed (a first pass with
/// `N = 0` measures the text, a second one with that length keeps it).
struct Text<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Text<N> {
    const fn new() -> Self {
        Text {
            bytes: [0; N],
            len: 0,
        }
    }

    const fn push(mut self, text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if self.len < N {
                self.bytes[self.len] = bytes[i];
            }
            self.len += 1;
            i += 1;
        }
        self
    }

    /// A number in decimal (an exit status).
    const fn push_number(mut self, n: u8) -> Self {
        let digits = [b'0' + n / 100, b'0' + n / 10 % 10, b'0' + n % 10];
        let mut i = if n >= 100 {
            0
        } else if n >= 10 {
            1
        } else {
            2
        };
        while i < 3 {
            if self.len < N {
                self.bytes[self.len] = digits[i];
            }
            self.len += 1;
            i += 1;
        }
        self
    }
}

/// The exit-status list: one status a line, then the rule they all keep.
const fn statuses<const N: usize>(mut text: Text<N>, list: &[Status]) -> Text<N> {
    text = text.push("Exit status:");
    let mut i = 0;
    while i < list.len() {
        text = text
            .push("\n  ")
            .push_number(list[i].0)
            .push(" ")
            .push(list[i].1);
        i += 1;
    }
    text.push("\n").push(exit::RULE)
}

/// The one help layout of every command, after its arguments and options: what to know
/// (paragraphs, each a few lines, joined by a line break), one example, and the exit
/// statuses that command can give. A new command passes its own notes, example and
/// [`Status`] list to [`help!`].
const fn layout<const N: usize>(notes: &[&str], example: &str, list: &[Status]) -> Text<N> {
    let mut text = Text::new();
    let mut i = 0;
    while i < notes.len() {
        if i > 0 {
            text = text.push("\n");
        }
        text = text.push(notes[i]);
        i += 1;
    }
    if text.len > 0 {
        text = text.push("\n\n");
    }
    text = text
        .push("Example: tls_licence_tools ")
        .push(example)
        .push("\n\n");
    statuses(text, list)
}

/// A command's help text (see [`layout`]) as a `&'static str` made at compile time from
/// constant notes, example and statuses.
macro_rules! help {
    ($notes:expr, $example:expr, $list:expr $(,)?) => {{
        const LEN: usize = layout::<0>($notes, $example, $list).len;
        const BYTES: [u8; LEN] = layout::<LEN>($notes, $example, $list).bytes;
        const TEXT: &str = match std::str::from_utf8(&BYTES) {
            Ok(text) => text,
            Err(_) => panic!("help text is not UTF-8"),
        };
        TEXT
    }};
}

/// The top-level help's exit statuses (and the bare command's).
pub const EXIT_STATUSES: &str = {
    const LEN: usize = statuses(Text::<0>::new(), &ALL_STATUSES).len;
    const BYTES: [u8; LEN] = statuses(Text::<LEN>::new(), &ALL_STATUSES).bytes;
    match std::str::from_utf8(&BYTES) {
        Ok(text) => text,
        Err(_) => panic!("help text is not UTF-8"),
    }
};

const DURATIONS: &str = "\
A DURATION is seconds (86400) or a number with a unit: s, m (minutes), h, d, w,
mo (months of 30 days), y (years of 365 days), combined largest first like 1d12h. Units
are lower case: M is refused (use m for minutes or mo for months).";

const USERBUF_FORMS: &str = "\
The userbuf is the USERBUF argument (text), or --userbuf-file PATH (any bytes, NUL too,
at most 65536 bytes; - is stdin) or --userbuf-base64 TEXT (standard alphabet, = optional):
exactly one of the three.";

const SIG_FILE_OUT: &str = "\
SIG_FILE is replaced atomically (a failed run leaves it as it was); - (or a path that is
stdout, such as /dev/stdout) writes the ticket to stdout. New sig files are 0600; a
replaced one keeps its owner and mode, never group- or world-writable or executable;
a symbolic link as SIG_FILE is refused.";

const SIG_FILE_IN: &str = "SIG_FILE is a file holding the ticket, or - for stdin.";

/// Generate and verify UserSig tickets for Tencent Cloud IM and TRTC (v1 ECDSA, v2 HMAC).
#[derive(Debug, Parser)]
#[command(
    name = "tls_licence_tools",
    version,
    after_help = EXIT_STATUSES,
    disable_help_subcommand = false,
)]
pub struct Cli {
    /// Print JSON, as --json after the command does (for the commands that have it).
    #[arg(long)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The commands. Each one's help ends with [`layout`]: notes, one example, and only the
/// exit statuses that command can give.
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
    #[command(name = "gen_without_expire", after_help = help!(GEN_NOTES, "gen_without_expire ec_key.pem sig 1400001052 xiaojun", MADE))]
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
    #[command(name = "gen-batch", after_help = GEN_BATCH_HELP)]
    GenBatch(GenBatchArgs),
    /// Verify a ticket for every line on stdin, on every core.
    #[command(name = "verify-batch", after_help = VERIFY_BATCH_HELP)]
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

const ROOMS: &str = "\
The room is --room-id N (a number from 0 to 4294967295) or --room-str TEXT (1 to 64 bytes
of printable ASCII). BITS is a number from 0 to 255 (decimal or 0x hex) or names joined by
commas: create (1), enter (2), send-audio (4), recv-audio (8), send-video (16), recv-video
(32), send-sub (64), recv-sub (128), all (255).";

const PRIVMAP: &str = "\
The ticket and its PrivateMapKey both expire --expire after now (default 180d), laid
out byte for byte as Tencent's genPrivateMapKey and genPrivateMapKeyWithStringRoomID do.";

/// The notes of gen2privmap's help.
const PRIVMAP_V2_NOTES: &[&str] = &[PRIVMAP, ROOMS, SIG_FILE_OUT, SECRET_FORMS, DURATIONS];
/// The notes of genprivmap's help.
const PRIVMAP_V1_NOTES: &[&str] = &[PRIVMAP, ROOMS, SIG_FILE_OUT, KEY_FORMS, DURATIONS];

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
    /// Print one JSON object on stdout instead of text lines.
    #[arg(long)]
    pub json: bool,
}

/// What the commands that write a ticket can say.
const MADE: &[Status] = &[OK_WRITTEN, USAGE, IO, CLOSED_PIPE];

/// The notes of the v1 gen forms' help (genuser's with the userbuf forms).
const GEN_NOTES: &[&str] = &[SIG_FILE_OUT, KEY_FORMS, DURATIONS];
const GENUSER_NOTES: &[&str] = &[SIG_FILE_OUT, KEY_FORMS, USERBUF_FORMS, DURATIONS];

const SIG_FILE_OUT_V2: &str =
    "SIG_FILE is replaced atomically; - writes the ticket to stdout only.";

/// The notes of the v2 gen forms' help (gen2user's with the userbuf forms).
const GEN2_NOTES: &[&str] = &[SECRET_FORMS, SIG_FILE_OUT_V2, DURATIONS];
const GEN2USER_NOTES: &[&str] = &[SECRET_FORMS, SIG_FILE_OUT_V2, USERBUF_FORMS, DURATIONS];

/// What the verify forms can say.
const VERIFY_STATUSES: [Status; 6] = [
    exit::OK.says("the ticket is valid"),
    INVALID,
    USAGE,
    IO,
    EXPIRING,
    CLOSED_PIPE,
];

/// The notes of verify's and verifyuser's help.
const VERIFY_NOTES: &[&str] = &[
    "Accepts every v1 ticket: with or without a userbuf, and the old uncompressed JSON form.",
    SIG_FILE_IN,
    "--key adds keys to try (ops rotating keys); the one that matched is reported.",
    KEY_FORMS,
    DURATIONS,
];

const VERIFY2: &str = "Accepts every v2 ticket, with or without a userbuf.";
const VERIFY2_KEYS: &str = "--key adds secrets to try.";

/// The notes of the v2 verify forms' help (verify2user's with the userbuf forms).
const VERIFY2_NOTES: &[&str] = &[VERIFY2, SIG_FILE_IN, VERIFY2_KEYS, SECRET_FORMS, DURATIONS];
const VERIFY2USER_NOTES: &[&str] = &[
    VERIFY2,
    SIG_FILE_IN,
    VERIFY2_KEYS,
    SECRET_FORMS,
    USERBUF_FORMS,
    DURATIONS,
];

const RENEW_HELP: &str = help!(
    &[
        "KEY is a private key PEM (makes v1 tickets) or a v2 secret (makes v2 tickets), given as
PATH, file:PATH, env:NAME or - (stdin); a secret is never taken from the command line
here. A SIG_FILE that holds no valid ticket (whatever it holds, however large) is
renewed; one that is a directory or not a regular file is an error. Otherwise SIG_FILE
is left byte for byte as it is. The write is atomic (temporary file, fsync, rename),
keeps the file's owner and mode (never group- or world-writable or executable); a new
file is 0600; a symbolic link as SIG_FILE is refused.",
        "With --config FILE, every [[ticket]] of a TOML manifest (file, key, sdkappid,
identifier; within, expire, deploy_hook, hook_timeout, mode, owner, group, also in
[defaults]) is kept, renewed or created the same way, one line each; a deploy_hook runs
(sh -c, USERSIG_FILE, USERSIG_IDENTIFIER, USERSIG_SDKAPPID, USERSIG_EXPIRES_AT) after
each renewal. Runs on one manifest wait for each other (a lock on it). --dry-run says
what each entry would get and changes nothing. --quiet prints only errors.",
        DURATIONS,
    ],
    "renew ec_key.pem sig 1400001052 xiaojun --within 30d",
    &[
        exit::OK.says("renewed or kept"),
        exit::INVALID
            .says("(--config) some entry or its deploy hook failed; the others were handled",),
        exit::USAGE.says("bad arguments or manifest"),
        IO,
        CLOSED_PIPE,
    ],
);

const METRICS_HELP: &str = help!(
    &[
        "Series (gauges), labelled file, identifier, sdkappid, version (from the ticket itself):
usersig_expiry_timestamp_seconds, usersig_issued_timestamp_seconds, and with keys (the
manifest's, or --key) usersig_valid 1 or 0 (signature or MAC; from a manifest also the
sdkappid and identifier; expiry is not judged). usersig_read_error{file} is 1 for a file
that is missing, unreadable or holds no ticket (it then has no other series), else 0;
usersig_exporter_last_run_timestamp_seconds says when the metrics were made.",
        "--textfile writes the file atomically, mode 0644 (node_exporter never reads half of it).",
    ],
    "metrics --config /etc/usersig/usersig.toml --textfile /var/lib/prometheus/node-exporter/usersig.prom",
    &[
        exit::OK.says("written"),
        exit::USAGE.says("bad arguments or manifest"),
        exit::IO.says("a key or the output could not be read or written (the metrics are still written when only a manifest key failed)",
        ),
        CLOSED_PIPE,
    ],
);

const GEN_BATCH_HELP: &str = help!(
    &[
        "KEY is a private key PEM (v1 tickets) or a v2 secret (v2 tickets), given as PATH,
file:PATH or env:NAME; not - (stdin carries the identifiers).",
        "Writes JSON Lines in input order: {\"identifier\",\"usersig\",\"expires_at\"}, or for a bad
identifier {\"identifier\",\"error\"}; with --format csv, identifier,usersig,expires_at
(a bad identifier gets empty fields and a message on stderr). Each identifier is the
line exactly, without its \\n or \\r\\n: a line with white space at either end, or that is
not UTF-8, is refused, never changed. Blank lines are skipped and counted on stderr
(gen-batch: N blank lines skipped). A progress line goes to stderr when it is a
terminal.",
        DURATIONS,
    ],
    "gen-batch ec_key.pem 1400001052 < users.txt > sigs.jsonl",
        &[
            exit::OK.says("all made"),
            exit::INVALID.says("some lines failed"),
            USAGE,
            exit::IO.says("a file or key problem, or stdout cannot be written"),
            exit::CLOSED_PIPE.says("stdout was a closed pipe (| head): not every line was made",
            ),
        ],
);

const VERIFY_BATCH_HELP: &str = help!(
    &[
        "Each line is JSON {\"identifier\":…,\"usersig\":…} or CSV identifier,usersig (a first line
'identifier,usersig' is a header and is skipped; blank lines are skipped and counted).",
        "KEY is a public or private key PEM (v1 tickets) or a v2 secret (v2 tickets), given as
PATH, file:PATH or env:NAME; not - (stdin carries the tickets). Writes one JSON line per
input line, in input order: ok, line (its number), identifier (the one asked for), then the
fields of verify --json (ticket_identifier when the ticket's is another); with --format csv,
a header and then line,identifier,ok,code,expires_at,reason rows.",
        DURATIONS,
    ],
    "verify-batch public.pem 1400001052 --min-remaining 7d < sigs.jsonl",
    &[
        exit::OK.says("all valid"),
        exit::INVALID.says("some not valid"),
        USAGE,
        exit::IO.says("a file or key problem, or stdout cannot be written"),
        exit::EXPIRING.says("all valid but some expire within --min-remaining"),
        exit::CLOSED_PIPE.says("stdout was a closed pipe (| head): not every line was judged",),
    ],
);

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
    /// Print one JSON object on stdout instead of text lines.
    #[arg(long)]
    pub json: bool,
}

// Options shared by the verify forms.
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
    /// The ticket must carry a PrivateMapKey granting this numeric room.
    #[arg(long, value_name = "N", conflicts_with = "room_str")]
    pub room_id: Option<String>,
    /// The ticket must carry a PrivateMapKey granting this string room.
    #[arg(long, value_name = "TEXT")]
    pub room_str: Option<String>,
    /// With a room: the PrivateMapKey must grant at least these privileges (default enter).
    #[arg(long, value_name = "BITS")]
    pub privilege_map: Option<String>,
    /// Print one JSON object on stdout instead of the original's lines.
    #[arg(long)]
    pub json: bool,
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
    /// Judge the tickets as of this time: Unix seconds or RFC 3339. Default: now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Count a valid ticket that expires sooner than this as expiring (exit 4).
    #[arg(long, value_name = "DURATION")]
    pub min_remaining: Option<String>,
    /// Worker threads, 1 to 1024 (default: one per core).
    #[arg(long, value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BatchFormat::Jsonl)]
    pub format: BatchFormat,
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
    /// PowerShell.
    Powershell,
    /// Elvish.
    Elvish,
}

/// The original tool's gen and verify forms, read without clap: the command and exactly
/// its positional arguments, none of them beginning with `-` but `-` itself, SDKAPPID,
/// IDENTIFIER and EXPIRE_SECONDS in UTF-8. Anything else (an option, `--`, a value
/// beginning with `-`, a missing or extra argument, another command) gives `None` and is
/// left to clap, which otherwise defines and parses its whole command tree at every start
/// (a quarter of what a `gen` process does besides signing). What this gives is what clap
/// gives for the same arguments; a property test holds them together.
pub fn parse_plain(argv: &[OsString]) -> Option<Command> {
    let (name, rest) = argv.get(1..)?.split_first()?;
    if rest
        .iter()
        .any(|a| a != "-" && a.as_encoded_bytes().starts_with(b"-"))
    {
        return None;
    }
    let os = |i: usize| rest[i].clone();
    let text = |i: usize| rest[i].to_str().map(str::to_owned);
    let options = GenOptions {
        allow_any_identifier: false,
        json: false,
    };
    let checks = || VerifyOptions {
        at: None,
        min_remaining: None,
        keys: Vec::new(),
        room_id: None,
        room_str: None,
        privilege_map: None,
        json: false,
    };
    let target = || {
        Some(V1Target {
            pri_key_file: os(0),
            sig_file: os(1),
            sdkappid: text(2)?,
            identifier: text(3)?,
        })
    };
    let command = match (name.to_str()?, rest.len()) {
        (form @ ("gen" | "gen_without_expire"), 4) => {
            let args = GenArgs {
                target: target()?,
                expire: ExpireOption { expire: None },
                options,
            };
            if form == "gen" {
                Command::Gen(args)
            } else {
                Command::GenWithoutExpire(args)
            }
        }
        ("genexpire", 5) => Command::Genexpire(GenExpireArgs {
            target: target()?,
            expire_seconds: text(4)?,
            options,
        }),
        ("gen2", 4) => Command::Gen2(Gen2Args {
            key: os(0),
            sig_file: os(1),
            sdkappid: text(2)?,
            identifier: text(3)?,
            expire: ExpireOption { expire: None },
            options,
        }),
        (form @ ("verify" | "verifyuser"), 4) => {
            let args = VerifyArgs {
                pub_key_file: os(0),
                sig_file: os(1),
                sdkappid: text(2)?,
                identifier: text(3)?,
                options: checks(),
            };
            if form == "verify" {
                Command::Verify(args)
            } else {
                Command::Verifyuser(args)
            }
        }
        ("verify2", 4) => Command::Verify2(Verify2Args {
            key: os(0),
            sig_file: os(1),
            sdkappid: text(2)?,
            identifier: text(3)?,
            options: checks(),
        }),
        _ => return None,
    };
    Some(command)
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
         (any bytes: --userbuf-file PATH or --userbuf-base64 TEXT in place of userbuf)
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
         keygen PRIVATE_PEM PUBLIC_PEM, keycheck PRIVATE_PEM PUBLIC_PEM, completions SHELL, man;
         --json on every gen, verify, dump and inspect form (before or after the command)
Run 'tls_licence_tools COMMAND --help' for details, 'tls_licence_tools man' for the manual.
{statuses}
",
        statuses = EXIT_STATUSES,
        version = env!("CARGO_PKG_VERSION"),
        format = usersig::v1::VERSION_TEXT,
    )
}

impl Command {
    /// Whether the command was asked for JSON output.
    pub fn json(&self) -> bool {
        match self {
            Command::Gen(a) | Command::GenWithoutExpire(a) => a.options.json,
            Command::Genexpire(a) => a.options.json,
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
            Command::Gen2privmap(a) | Command::Genprivmap(a) => a.json,
            Command::Completions(_)
            | Command::Man
            | Command::Metrics(_)
            | Command::GenBatch(_)
            | Command::VerifyBatch(_) => false,
        }
    }

    /// Ask for JSON output (`--json` given before the command); false when the command
    /// has none.
    pub fn set_json(&mut self) -> bool {
        let flag = match self {
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
            | Command::VerifyBatch(_) => return false,
        };
        *flag = true;
        true
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
