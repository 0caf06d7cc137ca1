//! File-system helpers for the CLI: size-capped reads and crash-safe (atomic) writes.
//!
//! Unix only. `-` as a path means standard input (for reads) or standard output (for
//! writes). Errors name the role of the file ("key file", "sig file"), its path and a
//! one-line, lower-case reason; they never include file contents.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, ErrorKind, Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use nix::dir::Dir;
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, OpenHow, ResolveFlag, openat, openat2, renameat};
use nix::sys::resource::{Resource, getrlimit};
use nix::sys::signal::kill;
use nix::sys::stat::{FileStat, Mode, SFlag, fstat, fstatat};
use nix::unistd::{Gid, Pid, Uid, UnlinkatFlags, fchown, unlinkat};

mod links;
mod read;
mod target;
mod write;

use links::*;
pub use read::*;
pub use target::*;
pub use write::*;

/// The category of an [`FsError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsErrorKind {
    /// The file, or the directory it should be created in, does not exist.
    NotFound,
    /// The path names a directory where a file was expected.
    IsDirectory,
    /// The path names something that cannot be read like a file (a socket).
    NotRegularFile,
    /// The input holds more than `limit` bytes.
    TooLarge {
        /// The byte limit that was exceeded.
        limit: usize,
    },
    /// The operating system refused access.
    PermissionDenied,
    /// The path is one that is never written through: a symbolic link (other than a
    /// descriptor alias such as `/dev/stdout`), a link owned by another user, or a file
    /// owned by another user in a shared sticky directory such as `/tmp`.
    Refused,
    /// The file is never written over: it holds key material, or it is one of the
    /// command's own inputs. The reason says which; nothing was written.
    Protected,
    /// Any other I/O failure; the message carries the operating system's text.
    Other(ErrorKind),
}

/// A failed read or write: what was being done, to which file, and why.
#[derive(Debug)]
pub struct FsError {
    kind: FsErrorKind,
    path: PathBuf,
    what: &'static str,
    writing: bool,
    reason: String,
}

impl FsError {
    /// The category of the failure.
    pub fn kind(&self) -> FsErrorKind {
        self.kind.clone()
    }

    /// Why, in words, without the file's role and path ("is a directory, not a file").
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The path as given by the caller (`-` for standard input or output).
    #[cfg(test)]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (verb, stream) = match self.writing {
            true => ("write", "to standard output"),
            false => ("read", "from standard input"),
        };
        if self.kind == FsErrorKind::Protected {
            return write!(f, "{} '{}' {}", self.what, shown(&self.path), self.reason);
        }
        write!(f, "cannot {verb} {}", self.what)?;
        if is_dash(&self.path) {
            write!(f, " {stream}: {}", self.reason)
        } else {
            write!(f, " '{}': {}", shown(&self.path), self.reason)
        }
    }
}

impl std::error::Error for FsError {}

/// How [`write`] delivered the data.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    /// The path was `-`, or names the same file as standard output (such as `/dev/stdout`):
    /// the data went to standard output.
    Stdout,
    /// The path is a device, FIFO or other non-regular file, or a descriptor alias such as
    /// `/dev/fd/3` or `/dev/stderr`: it was written in place (appended to).
    Direct,
    /// A temporary file was renamed over the target; `created` is true if none existed.
    Replaced {
        /// Whether the target file did not exist before.
        created: bool,
    },
    /// The existing file could not be replaced, so it was truncated and rewritten in place:
    /// not atomic (a crash in the middle can leave it partly written).
    InPlace(InPlace),
}

/// Why a file was rewritten in place rather than replaced ([`Written::InPlace`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InPlace {
    /// No file can be created in its directory (permission denied or read-only), but the
    /// file itself is writable.
    DirectoryNotWritable,
    /// It is a mount point (a bind-mounted file, as container file volumes are): renaming
    /// over it fails with "device or resource busy".
    MountPoint,
}

impl InPlace {
    /// Why, in words for a message ("its directory is not writable").
    pub fn reason(self) -> &'static str {
        match self {
            InPlace::DirectoryNotWritable => "its directory is not writable",
            InPlace::MountPoint => "it is a mount point (a bind-mounted file)",
        }
    }
}

/// The file an error is reported against: path, role, and whether it was being written.
#[derive(Clone, Copy)]
struct Ctx<'a>(&'a Path, &'static str, bool);

impl Ctx<'_> {
    fn err(self, kind: FsErrorKind, reason: impl Into<String>) -> FsError {
        let Ctx(path, what, writing) = self;
        let (path, reason) = (path.to_path_buf(), reason.into());
        FsError {
            kind,
            path,
            what,
            writing,
            reason,
        }
    }

    fn io(self, e: io::Error) -> FsError {
        let kind = match e.kind() {
            ErrorKind::NotFound => FsErrorKind::NotFound,
            ErrorKind::PermissionDenied => FsErrorKind::PermissionDenied,
            ErrorKind::IsADirectory => FsErrorKind::IsDirectory,
            k => FsErrorKind::Other(k),
        };
        if e.raw_os_error() == Some(Errno::EFBIG as i32) {
            let reason = "file too large for the file size limit (ulimit -f)";
            return self.err(FsErrorKind::Other(ErrorKind::FileTooLarge), reason);
        }
        // The OS text without " (os error N)", starting lower-case.
        let mut text = e.to_string();
        if let Some(i) = text.find(" (os error ") {
            text.truncate(i);
        }
        let mut chars = text.chars();
        let reason: String = match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => "unknown error".into(),
        };
        self.err(kind, reason)
    }
}

fn is_dash(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The path for messages: scrubbed of anything shaped like a secret, control characters
/// and bytes that are not UTF-8 escaped (one line).
fn shown(path: &Path) -> String {
    super::redact::shown_path(path)
}

/// Which file: its device and inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    fn of_stat(st: &FileStat) -> FileId {
        #[allow(clippy::useless_conversion)] // (the widths differ between targets)
        FileId {
            dev: u64::from(st.st_dev),
            ino: u64::from(st.st_ino),
        }
    }

    /// The file `path` opens (links followed), if there is one.
    pub fn of(path: &Path) -> Option<FileId> {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::metadata(path).ok()?;
        Some(FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }
}

/// The name of a kind of file that is not regular, for messages.
fn kind_name(kind: SFlag) -> &'static str {
    match kind {
        SFlag::S_IFIFO => "a FIFO (named pipe)",
        SFlag::S_IFCHR | SFlag::S_IFBLK => "a device",
        SFlag::S_IFSOCK => "a socket",
        SFlag::S_IFLNK => "a symbolic link",
        _ => "something else",
    }
}

/// Refuse a last name that names no file: empty (a path ending in `/`), `.` or `..`.
fn check_file_name(cx: Ctx<'_>, name: &OsStr) -> Result<(), FsError> {
    if !(name.is_empty() || name == "." || name == "..") {
        return Ok(());
    }
    let Ctx(path, ..) = cx;
    if fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(is_directory(cx));
    }
    let reason = format!("'{}' does not name a file", shown(path));
    Err(cx.err(FsErrorKind::Other(ErrorKind::InvalidInput), reason))
}

/// [`FsErrorKind::NotRegularFile`] for a file that is `name` ("a FIFO (named pipe)").
fn not_regular(cx: Ctx<'_>, name: &str) -> FsError {
    let tail = if cx.2 {
        "; renew only replaces regular files"
    } else {
        ""
    };
    let reason = format!("is {name}, not a regular file{tail}");
    cx.err(FsErrorKind::NotRegularFile, reason)
}

fn is_directory(cx: Ctx<'_>) -> FsError {
    cx.err(FsErrorKind::IsDirectory, "is a directory, not a file")
}

fn changed() -> io::Error {
    io::Error::other("it was replaced by another file while being written; try again")
}

fn file_type(st: &FileStat) -> SFlag {
    SFlag::from_bits_truncate(st.st_mode & SFlag::S_IFMT.bits())
}

fn same_file(a: &FileStat, b: &FileStat) -> bool {
    (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)
}

/// Whether `st` is the file standard output is open on.
fn same_as_stdout(st: &FileStat) -> bool {
    fstat(io::stdout()).is_ok_and(|out| same_file(&out, st))
}

fn to_stdout(data: &[u8]) -> io::Result<Written> {
    let mut out = io::stdout().lock();
    out.write_all(data)?;
    out.flush()?;
    Ok(Written::Stdout)
}

/// Whether writing to `path` writes to standard output: `-`, or a path that opens the
/// same file as standard output (`/dev/stdout`; the file stdout is redirected to).
pub fn is_stdout(path: &Path) -> bool {
    if is_dash(path) {
        return true;
    }
    let flags = OFlag::O_PATH | OFlag::O_CLOEXEC;
    nix::fcntl::open(path, flags, Mode::empty())
        .and_then(fstat)
        .is_ok_and(|st| same_as_stdout(&st))
}

/// The permission bits (`mode & 0o7777`) of `path` after following symlinks, if it is a
/// regular file; `None` for anything else or on error.
pub fn mode_of(path: &Path) -> Option<u32> {
    let meta = fs::metadata(path).ok()?;
    meta.is_file().then(|| meta.permissions().mode() & 0o7777)
}

/// What a test needs from the machine (root), shared with the integration tests.
#[cfg(test)]
#[path = "../../../tests/common/precondition.rs"]
mod precondition;

#[cfg(test)]
mod tests;
