//! Loading keys and secrets from their sources: PEM or DER keys, v2 secrets, either
//! kind told by content, typed at a terminal without echo, and a warning when a file
//! holding one can be read by others.

use std::ffi::OsStr;
use std::io::{self, IsTerminal};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use usersig::Secret;
use usersig::clock::Clock;
use usersig::issue::{self, TicketRequest};
use usersig::keys::{EcKey, KeyMaterial, PrivateKey, PublicKey};
use usersig::secret::SecretError;
use usersig::ticket::Version;
use usersig::verify::VerifyKey;

use super::error::{Stop, io_err, usage};
use super::output::warn;
use super::source::{self, Source, looks_like_secret};
use super::{fsio, hints, prompt, redact};

/// Warn when a file holding a private key or secret can be read by group or others.
pub fn warn_if_exposed(source: &Source, what: &str) {
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
pub fn load_private_key(source: &Source, doing: &str) -> Result<PrivateKey, Stop> {
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
pub fn load_public_key(source: &Source, doing: &str) -> Result<PublicKey, Stop> {
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

/// Whether the key at `source` is a private key (`Some(true)`), a public key
/// (`Some(false)`), or neither or unreadable (`None`); nothing is said. Never stdin,
/// which can be read only once.
pub fn key_kind(source: &Source) -> Option<bool> {
    if source.is_stdin() {
        return None;
    }
    let bytes = source.read("key file").ok()?;
    match EcKey::from_bytes(&bytes).ok()? {
        EcKey::Private(_) => Some(true),
        EcKey::Public(_) => Some(false),
    }
}

/// What signs tickets: a private key (v1 tickets) or a secret (v2 tickets).
pub enum Signer {
    V1(PrivateKey),
    V2(Secret),
}

impl Signer {
    /// The key for renew or gen-batch: a private key (PEM or DER), or else a v2 secret
    /// (read from a file, variable or stdin, never taken from the command line).
    pub fn load(source: &Source, command: &str) -> Result<Signer, Stop> {
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
    pub fn sign(&self, request: &TicketRequest, clock: &dyn Clock) -> Result<String, issue::Error> {
        match self {
            Signer::V1(key) => request.sign_v1(key, clock),
            Signer::V2(secret) => request.sign_v2(secret, clock),
        }
    }

    /// The form of the tickets it makes.
    pub fn version(&self) -> Version {
        match self {
            Signer::V1(_) => Version::V1,
            Signer::V2(_) => Version::V2,
        }
    }

    /// The key that checks its tickets.
    pub fn verify_key(&self) -> VerifyKey {
        match self {
            Signer::V1(key) => VerifyKey::Public(key.public_key()),
            Signer::V2(secret) => VerifyKey::Secret(secret.clone()),
        }
    }
}

/// A KEY that may be either kind: renew and the batch commands tell by its content.
pub enum KeyOrSecret {
    Pem(EcKey),
    Secret(Secret),
}

/// Read a KEY that is a v1 key or else a v2 secret. Key material in any form (PEM,
/// DER, OpenSSH, PuTTY: [`KeyMaterial::recognise`]) means v1: it loads as a P-256 key or
/// is refused with the key's own diagnostic, and is never used as a v2 secret.
pub fn load_key_or_secret(source: &Source, command: &str) -> Result<KeyOrSecret, Stop> {
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

/// Read a v2 secret from its source.
///
/// A secret from `-` when stdin is a terminal is prompted for on stderr and read as one
/// line without echo; from anything else, stdin is read to its end as before.
pub fn load_secret(source: &Source) -> Result<Secret, Stop> {
    let bytes = read_key(source, Expected::Secret)?;
    secret_from(source, &bytes)
}

/// A v2 secret read from `source`: a literal is used as it is, anything read is trimmed.
///
/// Refused: a literal that names an existing file (exit 2: it was surely meant as
/// `file:PATH`), and key material from any source (exit 3). Warned about: a secret that
/// is not 64 hexadecimal characters, the form the console shows.
pub fn secret_from(source: &Source, bytes: &[u8]) -> Result<Secret, Stop> {
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
    if literal {
        warn_literal_secret();
    } else {
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

/// Whether the warning about a secret given on the command line was given (once a run,
/// however many `--key`s are literals).
static LITERAL_WARNED: AtomicBool = AtomicBool::new(false);

/// Warn, once, that a secret typed as an argument can be seen by others, and name the
/// forms that keep it out of sight.
fn warn_literal_secret() {
    if !LITERAL_WARNED.swap(true, Ordering::Relaxed) {
        warn(
            "the v2 secret given on the command line can be read by every user in `ps` and \
             stays in the shell history; pass file:PATH, env:NAME or - (stdin) instead",
        );
    }
}

/// The rules for writing a ticket read with the key from `key`: never over the key
/// file itself, nor over any file that holds key material.
pub fn ticket_rules(key: &Source) -> fsio::WriteRules {
    let mut rules = fsio::WriteRules::new("a ticket");
    if let Some(path) = key.file()
        && let Some(id) = fsio::FileId::of(path)
    {
        rules.inputs.push((id, "the key file it signs with"));
    }
    rules
}
