//! The help texts: each command's notes, example and exit statuses, laid out at compile
//! time ([`layout`], [`help!`]), and the bare command's usage.

use super::exit;

pub(super) const KEY_FORMS: &str = "\
A key is a path, or file:PATH, env:NAME (the PEM text in a variable) or - (stdin).
Accepted, PEM or DER: SEC1 'EC PRIVATE KEY' (with or without 'EC PARAMETERS'), PKCS#8
'PRIVATE KEY', SPKI 'PUBLIC KEY'; P-256 only.";

pub(super) const SECRET_FORMS: &str = "\
KEY is the app's secret (64 characters, from the console). Prefer file:PATH, env:NAME or
- (stdin): a secret typed as the argument itself, as the original requires, can be read by
every user of the machine in the process list; one that names an existing file is
refused (did you mean file:PATH?). Surrounding white space in a file, variable or stdin is
ignored. A key (PEM, DER, OpenSSH, ...) is never taken as a secret; a secret that is not 64
hexadecimal characters draws a warning.";

/// What an exit status means, as a command's help lists it.
pub(super) type Status = exit::Listed;

pub(super) const OK_WRITTEN: Status = exit::OK.says("the ticket was made and written");
pub(super) const INVALID: Status = exit::INVALID.listed();
pub(super) const USAGE: Status = exit::USAGE.listed();
pub(super) const IO: Status = exit::IO.listed();
pub(super) const EXPIRING: Status = exit::EXPIRING.listed();
pub(super) const CLOSED_PIPE: Status = exit::CLOSED_PIPE.listed();

/// Every exit status, as the top-level help lists them: the whole table.
pub(super) const ALL_STATUSES: [Status; exit::TABLE.len()] = {
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
pub(super) struct Text<const N: usize> {
    pub(super) bytes: [u8; N],
    pub(super) len: usize,
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
pub(super) const fn statuses<const N: usize>(mut text: Text<N>, list: &[Status]) -> Text<N> {
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
pub(super) const fn layout<const N: usize>(
    notes: &[&str],
    example: &str,
    list: &[Status],
) -> Text<N> {
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

pub(super) const DURATIONS: &str = "\
A DURATION is seconds (86400) or a number with a unit: s, m (minutes), h, d, w,
mo (months of 30 days), y (years of 365 days), combined largest first like 1d12h. Units
are lower case: M is refused (use m for minutes or mo for months).";

pub(super) const USERBUF_FORMS: &str = "\
The userbuf is the USERBUF argument (text), or --userbuf-file PATH (any bytes, NUL too,
at most 65536 bytes; - is stdin) or --userbuf-base64 TEXT (standard alphabet, = optional):
exactly one of the three.";

pub(super) const SIG_FILE_OUT: &str = "\
SIG_FILE is replaced atomically (a failed run leaves it as it was); - (or a path that is
stdout, such as /dev/stdout) writes the ticket to stdout. New sig files are 0600; a
replaced one keeps its owner and mode, never group- or world-writable or executable;
a symbolic link as SIG_FILE is refused.";

pub(super) const SIG_FILE_IN: &str = "SIG_FILE is a file holding the ticket, or - for stdin.";

pub(super) const ROOMS: &str = "\
The room is --room-id N (a number from 0 to 4294967295) or --room-str TEXT (1 to 64 bytes
of printable ASCII). BITS is a number from 0 to 255 (decimal or 0x hex) or names joined by
commas: create (1), enter (2), send-audio (4), recv-audio (8), send-video (16), recv-video
(32), send-sub (64), recv-sub (128), all (255).";

pub(super) const PRIVMAP: &str = "\
The ticket and its PrivateMapKey both expire --expire after now (default 180d), laid
out byte for byte as Tencent's genPrivateMapKey and genPrivateMapKeyWithStringRoomID do.";

/// The notes of gen2privmap's help.
pub(super) const PRIVMAP_V2_NOTES: &[&str] =
    &[PRIVMAP, ROOMS, SIG_FILE_OUT, SECRET_FORMS, DURATIONS];
/// The notes of genprivmap's help.
pub(super) const PRIVMAP_V1_NOTES: &[&str] = &[PRIVMAP, ROOMS, SIG_FILE_OUT, KEY_FORMS, DURATIONS];

/// What the commands that write a ticket can say.
pub(super) const MADE: &[Status] = &[OK_WRITTEN, USAGE, IO, CLOSED_PIPE];

/// The notes of the v1 gen forms' help (genuser's with the userbuf forms).
pub(super) const GEN_NOTES: &[&str] = &[SIG_FILE_OUT, KEY_FORMS, DURATIONS];
pub(super) const GENUSER_NOTES: &[&str] = &[SIG_FILE_OUT, KEY_FORMS, USERBUF_FORMS, DURATIONS];

pub(super) const SIG_FILE_OUT_V2: &str =
    "SIG_FILE is replaced atomically; - writes the ticket to stdout only.";

/// The notes of the v2 gen forms' help (gen2user's with the userbuf forms).
pub(super) const GEN2_NOTES: &[&str] = &[SECRET_FORMS, SIG_FILE_OUT_V2, DURATIONS];
pub(super) const GEN2USER_NOTES: &[&str] =
    &[SECRET_FORMS, SIG_FILE_OUT_V2, USERBUF_FORMS, DURATIONS];

/// What the verify forms can say.
pub(super) const VERIFY_STATUSES: [Status; 6] = [
    exit::OK.says("the ticket is valid"),
    INVALID,
    USAGE,
    IO,
    EXPIRING,
    CLOSED_PIPE,
];

/// The notes of verify's and verifyuser's help.
pub(super) const VERIFY_NOTES: &[&str] = &[
    "Accepts every v1 ticket: with or without a userbuf, and the old uncompressed JSON form.",
    SIG_FILE_IN,
    "--key adds keys to try (ops rotating keys); the one that matched is reported.",
    KEY_FORMS,
    DURATIONS,
];

pub(super) const VERIFY2: &str = "Accepts every v2 ticket, with or without a userbuf.";
pub(super) const VERIFY2_KEYS: &str = "--key adds secrets to try.";

/// The notes of the v2 verify forms' help (verify2user's with the userbuf forms).
pub(super) const VERIFY2_NOTES: &[&str] =
    &[VERIFY2, SIG_FILE_IN, VERIFY2_KEYS, SECRET_FORMS, DURATIONS];
pub(super) const VERIFY2USER_NOTES: &[&str] = &[
    VERIFY2,
    SIG_FILE_IN,
    VERIFY2_KEYS,
    SECRET_FORMS,
    USERBUF_FORMS,
    DURATIONS,
];

pub(super) const RENEW_HELP: &str = help!(
    &[
        "KEY is a private key PEM (makes v1 tickets) or a v2 secret (makes v2 tickets), given as
PATH, file:PATH, env:NAME or - (stdin); a secret is never taken from the command line
here. A SIG_FILE that holds no valid ticket (whatever it holds, however large) is
renewed; one that is a directory or not a regular file is an error. Otherwise SIG_FILE
is left byte for byte as it is. The write is atomic (temporary file, fsync, rename),
keeps the file's owner and mode (never group- or world-writable or executable); a new
file is 0600; a symbolic link as SIG_FILE is refused.",
        "With --config FILE, every [[ticket]] of a TOML manifest (file, identifier; key,
sdkappid, within, expire, deploy_hook, hook_timeout, mode (quoted, \"0640\"), owner,
group, each here or in [defaults]) is kept, renewed or created the same way, one line
each; a deploy_hook runs (sh -c, USERSIG_FILE, USERSIG_IDENTIFIER, USERSIG_SDKAPPID,
USERSIG_EXPIRES_AT) after each renewal, and a hook that failed runs again on each next
run until it succeeds (.NAME.state beside the manifest remembers it). Runs on one
manifest wait for each other (a lock on it). --force renews now, whatever the window.
--dry-run says what each entry would get and changes nothing. --quiet prints only
errors.",
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

pub(super) const METRICS_HELP: &str = help!(
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

pub(super) const GEN_BATCH_HELP: &str = help!(
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

pub(super) const VERIFY_BATCH_HELP: &str = help!(
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

/// What `--version` prints after the name (`-V`: the version alone): the version and the
/// ticket forms read and written. The original's own version string stays in
/// [`bare_usage`], where the original prints it.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\nwrites: v1 tickets (ECDSA P-256) and v2 tickets (HMAC-SHA256), as Tencent's tools do",
    "\nreads:  those, and the oldest v1 form (the plain JSON object)",
);

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
