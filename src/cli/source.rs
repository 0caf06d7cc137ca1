//! Where a key or secret comes from: a file, an environment variable, standard input,
//! or (for compatibility with the original's `gen2`/`verify2`) the command line itself.
//!
//! The command line is readable by every user of the machine (`ps`), so `file:PATH`,
//! `env:NAME` and `-` are the forms to prefer for secrets.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::fsio::{self, FsError, LastLink};
use super::redact;

/// The largest key or secret file read: 64 KiB (a P-256 PEM is about 300 bytes).
pub const MAX_KEY_BYTES: usize = 64 * 1024;

/// A place to read a key or secret from.
#[derive(Clone)]
pub enum Source {
    /// A file (`file:PATH`, or a plain path where a PEM key is expected): anything that
    /// reads like one, a pipe or `<(...)` included.
    File(PathBuf),
    /// A file named in a manifest: read only when it is a regular file, opened without
    /// blocking (so a FIFO never holds up a run), and through links only as
    /// [`fsio::read_regular`] allows.
    Regular(PathBuf),
    /// An environment variable (`env:NAME`).
    Env(OsString),
    /// Standard input (`-`).
    Stdin,
    /// The argument itself: a v2 secret given literally on the command line.
    Literal(Zeroizing<Vec<u8>>),
}

/// A key or secret that could not be read. `Display` names the source, never its content.
#[derive(Debug)]
#[non_exhaustive]
pub enum SourceError {
    /// The file or stdin could not be read.
    Fs(FsError),
    /// The environment variable is not set.
    EnvMissing(OsString),
    /// A path that could not be read and has the shape of a v2 secret (see
    /// [`redact::has_secret_shape`]): most likely a secret given where a file was
    /// expected. Not shown.
    SecretAsPath,
    /// An `env:NAME` whose variable is not set and whose name has the shape of a v2
    /// secret: most likely `env:` followed by the secret itself. Not shown.
    SecretAsEnvName,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::Fs(e) => e.fmt(f),
            SourceError::EnvMissing(name) => write!(
                f,
                "environment variable {} is not set",
                redact::shown(name.as_bytes())
            ),
            SourceError::SecretAsPath => write!(
                f,
                "the key argument looks like a v2 secret, not a file (not shown here); \
                 pass a secret as file:PATH, env:NAME or - (stdin)"
            ),
            SourceError::SecretAsEnvName => write!(
                f,
                "the name after env: looks like a v2 secret, not a variable name (not shown \
                 here); env:NAME takes the name of a variable that holds the secret"
            ),
        }
    }
}

impl std::error::Error for SourceError {}

impl Source {
    /// Read a PEM key argument: `file:PATH`, `env:NAME`, `-`, or else a path.
    pub fn pem_key(arg: &OsStr) -> Source {
        Source::prefixed(arg).unwrap_or_else(|| Source::File(PathBuf::from(arg)))
    }

    /// Read a v2 secret argument: `file:PATH`, `env:NAME`, `-`, or else the secret
    /// itself (the original's form, which exposes it in the process list).
    pub fn secret(arg: &OsStr) -> Source {
        Source::prefixed(arg)
            .unwrap_or_else(|| Source::Literal(Zeroizing::new(arg.as_bytes().to_vec())))
    }

    fn prefixed(arg: &OsStr) -> Option<Source> {
        let bytes = arg.as_bytes();
        if bytes == b"-" {
            Some(Source::Stdin)
        } else if let Some(path) = bytes.strip_prefix(b"file:") {
            Some(Source::File(PathBuf::from(OsStr::from_bytes(path))))
        } else {
            bytes
                .strip_prefix(b"env:")
                .map(|name| Source::Env(OsStr::from_bytes(name).to_owned()))
        }
    }

    /// The same source, read as a file named in a manifest: a regular file only.
    pub fn regular_only(self) -> Source {
        match self {
            Source::File(path) => Source::Regular(path),
            other => other,
        }
    }

    /// The file it is read from, if it is one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Source::File(path) | Source::Regular(path) => Some(path),
            _ => None,
        }
    }

    /// Whether reading this source consumes standard input.
    pub fn is_stdin(&self) -> bool {
        matches!(self, Source::Stdin)
    }

    /// Whether the value was given on the command line.
    pub fn is_literal(&self) -> bool {
        matches!(self, Source::Literal(_))
    }

    /// Read the bytes (at most [`MAX_KEY_BYTES`]; wiped when dropped). `what` names the
    /// role in messages, e.g. "key file".
    pub fn read(&self, what: &'static str) -> Result<Zeroizing<Vec<u8>>, SourceError> {
        match self {
            Source::File(path) => fsio::read_capped(path, MAX_KEY_BYTES, what)
                .map(Zeroizing::new)
                .map_err(|e| {
                    if looks_like_secret(path) {
                        SourceError::SecretAsPath
                    } else {
                        SourceError::Fs(e)
                    }
                }),
            Source::Regular(path) => {
                let head = fsio::read_regular(path, MAX_KEY_BYTES, what, LastLink::Trusted)
                    .map_err(SourceError::Fs)?;
                match head.bytes.len() > MAX_KEY_BYTES {
                    true => Err(SourceError::Fs(fsio::too_large(path, what, MAX_KEY_BYTES))),
                    false => Ok(Zeroizing::new(head.bytes)),
                }
            }
            Source::Stdin => fsio::read_capped(Path::new("-"), MAX_KEY_BYTES, what)
                .map(Zeroizing::new)
                .map_err(SourceError::Fs),
            Source::Env(name) => match std::env::var_os(name) {
                Some(v) => Ok(Zeroizing::new(v.as_bytes().to_vec())),
                None if redact::has_secret_shape(name.as_bytes()) => {
                    Err(SourceError::SecretAsEnvName)
                }
                None => Err(SourceError::EnvMissing(name.clone())),
            },
            Source::Literal(bytes) => Ok(bytes.clone()),
        }
    }

    /// A description for messages: never the value itself.
    pub fn describe(&self) -> String {
        match self {
            Source::File(path) | Source::Regular(path) if looks_like_secret(path) => {
                "a path shaped like a secret".into()
            }
            Source::File(path) | Source::Regular(path) => {
                format!("'{}'", redact::shown_path(path))
            }
            Source::Env(name) => format!("environment variable {}", redact::shown(name.as_bytes())),
            Source::Stdin => "standard input".into(),
            Source::Literal(_) => "the secret given on the command line".into(),
        }
    }
}

/// Whether a path holds something with the shape of a v2 secret (see
/// [`redact::has_secret_shape`]: 48 or more letters and digits, nearly all hex, or a
/// value read as a secret). Such a path is never shown in messages, in case it is a
/// secret passed where a file was expected.
pub fn looks_like_secret(path: &Path) -> bool {
    redact::has_secret_shape(path.as_os_str().as_bytes())
}

/// `Debug` shows where, never what.
impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Source({})", self.describe())
    }
}

#[cfg(test)]
mod tests;
