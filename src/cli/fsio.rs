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

/// The error for a file larger than `limit` bytes.
pub fn too_large(path: &Path, what: &'static str, limit: usize) -> FsError {
    let reason = format!("larger than the limit of {limit} bytes");
    Ctx(path, what, false).err(FsErrorKind::TooLarge { limit }, reason)
}

/// Read a whole file, refusing more than `limit` bytes.
///
/// At most `limit + 1` bytes are read and at most `limit` bytes are buffered, whatever the
/// metadata says (so `/proc` files, FIFOs and character devices work, and `/dev/zero`
/// fails fast). Opening a FIFO waits for a writer. `-` reads standard input with the same
/// cap. A directory gives [`FsErrorKind::IsDirectory`], a socket
/// [`FsErrorKind::NotRegularFile`].
pub fn read_capped(path: &Path, limit: usize, what: &'static str) -> Result<Vec<u8>, FsError> {
    let cx = Ctx(path, what, false);
    let too_large = || too_large(path, what, limit);
    let data = if is_dash(path) {
        read_limited(io::stdin().lock(), limit, 0)
    } else {
        let file = File::open(path).map_err(|e| match fs::metadata(path) {
            Ok(m) if m.file_type().is_socket() => {
                cx.err(FsErrorKind::NotRegularFile, "is a socket, not a file")
            }
            _ => cx.io(e),
        })?;
        let meta = file.metadata().map_err(|e| cx.io(e))?;
        if meta.is_dir() {
            return Err(cx.err(FsErrorKind::IsDirectory, "is a directory, not a file"));
        }
        if meta.is_file() && meta.len() > limit as u64 {
            return Err(too_large());
        }
        read_limited(file, limit, meta.len())
    };
    data.map_err(|e| cx.io(e))?.ok_or_else(too_large)
}

/// How [`read_regular`] treats a symbolic link that is the file's own (last) name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum LastLink {
    /// Refused: a file about to be replaced (renew's sig file) is never read through one.
    Refuse,
    /// Followed when it is one [`write`] would follow on the way to a directory: ours or
    /// root's, in a directory nobody else can change (a key reached through a link that an
    /// operator made, as `/etc/usersig/key.pem -> keys/2026.pem`).
    Trusted,
}

/// The start of a regular file: its first bytes and which file it is.
pub struct RegularHead {
    /// At most `limit + 1` bytes: more than `limit` says the file is longer than allowed.
    pub bytes: Vec<u8>,
    /// The file read.
    pub id: FileId,
}

/// Read the regular file at `path`, never waiting on anything: at most its first
/// `limit + 1` bytes (more than `limit` tells the caller the file is too long, without
/// reading the rest).
///
/// The one reader for files that must be regular (renew's sig file, a manifest, the keys
/// a manifest names, the files metrics exports). The path's directory is opened by the
/// rules of [`write`] (a link on the way is followed only when it is ours or root's in a
/// directory nobody else can change); the file is opened relative to it without blocking
/// and, unless `last` allows it, without following a link, and is read only once the
/// opened file is seen to be a regular file. A FIFO, device or socket put at `path` at any
/// moment is refused ([`FsErrorKind::NotRegularFile`]) and never waited on; a link not
/// followed is [`FsErrorKind::Refused`]; a missing file or directory
/// [`FsErrorKind::NotFound`].
pub fn read_regular(
    path: &Path,
    limit: usize,
    what: &'static str,
    last: LastLink,
) -> Result<RegularHead, FsError> {
    Target::open(path, what)?.read(limit, last)
}

/// A file's place, for reading and replacing it through one handle: its directory,
/// opened by the rules of [`write`], and its last name. Renew reads and replaces the sig
/// file through one `Target`, so both act on the same directory whatever happens to the
/// path meanwhile.
pub struct Target<'a> {
    path: &'a Path,
    what: &'static str,
    dir: OwnedFd,
    name: OsString,
}

impl<'a> Target<'a> {
    /// Open the directory of `path` (a file's path, not `-`) to read the file; `what`
    /// names its role in messages ("key file").
    pub fn open(path: &'a Path, what: &'static str) -> Result<Target<'a>, FsError> {
        Target::open_as(Ctx(path, what, false))
    }

    /// Open the directory of `path` to replace the file (and perhaps read it first):
    /// a directory that cannot be opened is said as a write's failure.
    pub fn to_write(path: &'a Path, what: &'static str) -> Result<Target<'a>, FsError> {
        Target::open_as(Ctx(path, what, true))
    }

    fn open_as(cx: Ctx<'a>) -> Result<Target<'a>, FsError> {
        let Ctx(path, what, _) = cx;
        if is_dash(path) {
            let reason = "standard input or output is not a file here: give a path";
            return Err(cx.err(FsErrorKind::Other(ErrorKind::InvalidInput), reason));
        }
        let (dir_path, name) = split_path(path);
        check_file_name(cx, name)?;
        let dir = open_dir(dir_path).map_err(|e| dir_error(cx, dir_path, e))?;
        let name = name.to_owned();
        Ok(Target {
            path,
            what,
            dir,
            name,
        })
    }

    fn cx(&self, writing: bool) -> Ctx<'a> {
        Ctx(self.path, self.what, writing)
    }

    /// Where the file is: its directory's identity and its name, the same however the
    /// path spells it (`a/../b/x`, a followed link to `b`).
    pub fn place(&self) -> Result<(FileId, &OsStr), FsError> {
        let st = fstat(&self.dir).map_err(|e| self.cx(false).io(e.into()))?;
        Ok((FileId::of_stat(&st), &self.name))
    }

    /// The file's last name.
    pub fn name(&self) -> &OsStr {
        &self.name
    }

    /// Read the file as [`read_regular`] says.
    pub fn read(&self, limit: usize, last: LastLink) -> Result<RegularHead, FsError> {
        let cx = self.cx(false);
        let flags = OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_NOCTTY | OFlag::O_CLOEXEC;
        let file = match openat(
            &self.dir,
            &*self.name,
            flags | OFlag::O_NOFOLLOW,
            Mode::empty(),
        ) {
            Ok(fd) => File::from(fd),
            Err(Errno::ELOOP) => {
                let link = fstatat(&self.dir, &*self.name, AtFlags::AT_SYMLINK_NOFOLLOW)
                    .map_err(|e| cx.io(e.into()))?;
                let dir_st = fstat(&self.dir).map_err(|e| cx.io(e.into()))?;
                let refused = match last {
                    LastLink::Refuse => Some(
                        "is a symbolic link; it is never read or written through: give the \
                         path of the file itself"
                            .to_owned(),
                    ),
                    LastLink::Trusted => untrusted_link(&link, &dir_st),
                };
                if let Some(reason) = refused {
                    return Err(cx.err(FsErrorKind::Refused, reason));
                }
                let fd = openat(&self.dir, &*self.name, flags, Mode::empty());
                File::from(fd.map_err(|e| cx.io(e.into()))?)
            }
            // (A socket, which cannot be opened.)
            Err(Errno::ENXIO) => return Err(not_regular(cx, "a socket")),
            Err(e) => return Err(cx.io(e.into())),
        };
        let st = fstat(&file).map_err(|e| cx.io(e.into()))?;
        match file_type(&st) {
            SFlag::S_IFREG => {}
            SFlag::S_IFDIR => return Err(is_directory(cx)),
            kind => return Err(not_regular(cx, kind_name(kind))),
        }
        let mut bytes = Vec::new();
        file.take(limit as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| cx.io(e))?;
        let id = FileId::of_stat(&st);
        Ok(RegularHead { bytes, id })
    }

    /// Check, without writing anything, that [`Target::write`] would write here rather
    /// than refuse (a symbolic link, another user's file in a shared sticky directory, a
    /// directory): a command that reads a file before replacing it never reads through a
    /// path it would not write through.
    pub fn check_write(&self) -> Result<(), FsError> {
        let dir = self.dir.try_clone().map_err(|e| self.cx(true).io(e))?;
        locate_in(self.cx(true), dir, &self.name).map(drop)
    }

    /// Open the file here for reading and writing, creating it (mode 0600) when missing
    /// (or, in a directory we may not write, for reading when it exists), as a file only
    /// we can open: a lock file. Refused ([`FsErrorKind::Refused`]) when
    /// it is a link, not a regular file, another user's, or open to group or others (who
    /// could then hold a lock on it); never waited on.
    pub fn open_private(&self) -> Result<File, FsError> {
        let cx = self.cx(true);
        let flags = OFlag::O_RDWR
            | OFlag::O_CREAT
            | OFlag::O_NOFOLLOW
            | OFlag::O_NONBLOCK
            | OFlag::O_CLOEXEC
            | OFlag::O_NOCTTY;
        let mode = Mode::from_bits_truncate(0o600);
        let opened = match openat(&self.dir, &*self.name, flags, mode) {
            // A directory we may not write (a read-only /etc): a lock file made there
            // before serves as well, opened for reading.
            Err(e @ (Errno::EROFS | Errno::EACCES)) => {
                let read_only = (flags - OFlag::O_RDWR - OFlag::O_CREAT) | OFlag::O_RDONLY;
                openat(&self.dir, &*self.name, read_only, mode).map_err(|_| e)
            }
            opened => opened,
        };
        let file = match opened {
            Ok(fd) => File::from(fd),
            Err(Errno::ELOOP) => {
                let reason = "is a symbolic link; remove it (the file is made anew)";
                return Err(cx.err(FsErrorKind::Refused, reason));
            }
            Err(Errno::ENXIO) => {
                let reason = "is a socket, not a regular file; remove it";
                return Err(cx.err(FsErrorKind::Refused, reason));
            }
            Err(e) => return Err(cx.io(e.into())),
        };
        let st = fstat(&file).map_err(|e| cx.io(e.into()))?;
        let refused = if file_type(&st) != SFlag::S_IFREG {
            Some(format!(
                "is {}, not a regular file; remove it",
                kind_name(file_type(&st))
            ))
        } else if st.st_uid != Uid::effective().as_raw() {
            Some(format!(
                "is owned by another user (uid {}), who could hold it forever; remove it, or \
                 keep it where only this user can write",
                st.st_uid
            ))
        } else if st.st_mode & 0o077 != 0 {
            Some(format!(
                "has mode {:04o}: others could open it and hold it; chmod 600 it",
                st.st_mode & 0o7777
            ))
        } else {
            None
        };
        match refused {
            Some(reason) => Err(cx.err(FsErrorKind::Refused, reason)),
            None => Ok(file),
        }
    }

    /// Write `data` here, as [`write`] does.
    pub fn write(&self, data: &[u8], rules: &WriteRules) -> Result<Written, FsError> {
        let cx = self.cx(true);
        let dir = self.dir.try_clone().map_err(|e| cx.io(e))?;
        write_to(cx, locate_in(cx, dir, &self.name)?, data, rules)
    }
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

/// Read `r` to the end; `Ok(None)` if it holds more than `limit` bytes.
fn read_limited<R: Read>(mut r: R, limit: usize, hint: u64) -> io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let initial = usize::try_from(hint).unwrap_or(usize::MAX).min(limit);
    buf.try_reserve_exact(initial).map_err(io::Error::other)?;
    let mut chunk = [0u8; 8192];
    loop {
        // Never ask for more than one byte beyond the limit.
        let want = chunk.len().min((limit - buf.len()).saturating_add(1));
        let n = match r.read(&mut chunk[..want]) {
            Ok(0) => return Ok(Some(buf)),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n > limit - buf.len() {
            return Ok(None);
        }
        if buf.capacity() - buf.len() < n {
            let new_cap = (buf.len() + n)
                .max(buf.capacity().saturating_mul(2))
                .min(limit);
            buf.try_reserve_exact(new_cap - buf.len())
                .map_err(io::Error::other)?;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Write `data` as the complete new content of `path`, never leaving a partial file, and
/// never letting another user steer the write.
///
/// The path's directory is opened once, one name at a time: a real directory without
/// following links, a symbolic link only if it is ours or root's and sits in a directory
/// nobody else can change (ours or root's, not writable by group or others unless
/// sticky); any other link is refused ([`FsErrorKind::Refused`]). The kernel does the
/// following; no link is resolved by hand. Everything after that happens relative to the
/// open directory, on the final name:
///
/// * `-`, or any path that is the same file as standard output (`/dev/stdout`, or the
///   file stdout is redirected to): the data goes to standard output ([`Written::Stdout`]).
/// * A directory, or a path ending in `/`, `.` or `..`: refused ([`FsErrorKind::IsDirectory`]
///   or `InvalidInput`). A missing directory is named: "directory 'nope/' does not exist".
/// * In a shared sticky directory (sticky bit, writable by group or others, like `/tmp`),
///   an existing file owned by another user (neither us nor the directory's owner) is
///   refused ([`FsErrorKind::Refused`]): that user could read or swap what is written.
/// * The final name is a symbolic link:
///   - owned by another user (neither our effective user nor root): refused, never
///     followed, wherever it is;
///   - otherwise the kernel follows it (with its own rules): a link to standard output is
///     [`Written::Stdout`]; a descriptor alias, whose last step is a `/proc` descriptor
///     link (`/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`), in a directory only we or
///     root can change (ours or root's, not writable by group or others unless sticky), is
///     opened for appending and written in place ([`Written::Direct`]); a link to a
///     directory is `IsDirectory`; any other link (to a regular file, a device, or
///     nothing) is refused ([`FsErrorKind::Refused`]): files are replaced, never written
///     through links, so give the path of the file itself.
/// * An existing device, FIFO or other non-regular file: opened for appending (never
///   following a link, never creating) and written in place ([`Written::Direct`]).
/// * Otherwise (a regular file, or nothing): the data goes to a new temporary file
///   `.<name>.tmp-<pid>-<n>` in the same directory, which gets the old file's owner and
///   group (when allowed) and permission bits less group and other write and all execute,
///   setuid, setgid and sticky bits (`mode & 0o644`), or 0600 for a new file, whatever the
///   umask; it is written, flushed to disk (`fdatasync`) and renamed over the name
///   ([`Written::Replaced`]). A crash at any moment leaves the old file or the new one,
///   whole. (The directory is not synced: after a crash the rename itself may be lost,
///   leaving the old file, which is allowed.) Before that, temporary files of this name
///   left by killed runs are removed: regular files of ours whose process is gone.
/// * When an existing regular file cannot be replaced, because no file can be created in
///   its directory (permission denied, read-only) or because it is a mount point (rename
///   gives "device or resource busy"), it is opened without following links, truncated and
///   rewritten in place ([`Written::InPlace`]), which is not atomic.
///
/// Data larger than the file size limit (`ulimit -f`) is refused before any file is
/// touched. On any error the temporary file is removed and the old file is untouched.
pub fn write(
    path: &Path,
    data: &[u8],
    what: &'static str,
    rules: &WriteRules,
) -> Result<Written, FsError> {
    let cx = Ctx(path, what, true);
    if is_dash(path) {
        return write_to(cx, Place::Stdout, data, rules);
    }
    Target::to_write(path, what)?.write(data, rules)
}

/// What a [`write`] keeps to besides the path rules.
pub struct WriteRules {
    /// What the file is meant to hold ("a ticket"), for the line refusing to replace a
    /// file that holds key material.
    pub holds: &'static str,
    /// Replace a file that holds key material (keygen --force); else it is refused
    /// ([`FsErrorKind::Protected`]).
    pub replace_keys: bool,
    /// Files the command reads or has written (and what each is, "the key file it signs
    /// with"): never written over,
    /// whatever path reaches them ([`FsErrorKind::Protected`]).
    pub inputs: Vec<(FileId, &'static str)>,
    /// Exactly this mode for the written regular file (a private key is 0600 even when it
    /// replaces a file that was 0644); else the old file's, made safe, or 0600.
    pub mode: Option<u32>,
    /// This owner for the written file, set on the temporary file before it takes the
    /// name; else the old file's, where allowed.
    pub owner: Option<u32>,
    /// This group, likewise.
    pub group: Option<u32>,
    /// Only a regular file (or nothing) is replaced: a device, FIFO, descriptor alias or
    /// standard output found there, whenever it was put there, is refused
    /// ([`FsErrorKind::NotRegularFile`]) instead of written in place, so that the write
    /// never waits for a FIFO's reader (renew's sig file).
    pub regular_only: bool,
}

impl WriteRules {
    /// The rules for a file meant to hold `holds`: key material and the command's inputs
    /// are never replaced; mode, owner and group as [`write`] says.
    pub fn new(holds: &'static str) -> WriteRules {
        WriteRules {
            holds,
            replace_keys: false,
            inputs: Vec::new(),
            mode: None,
            owner: None,
            group: None,
            regular_only: false,
        }
    }
}

/// Write `data` where [`locate`] found to, keeping to `rules`.
fn write_to(
    cx: Ctx<'_>,
    place: Place,
    data: &[u8],
    rules: &WriteRules,
) -> Result<Written, FsError> {
    if rules.regular_only {
        match &place {
            Place::Special { st, .. } => {
                let name = match file_type(st) {
                    SFlag::S_IFREG => "a descriptor alias",
                    kind => kind_name(kind),
                };
                return Err(not_regular(cx, name));
            }
            Place::Stdout => return Err(not_regular(cx, "standard output")),
            _ => {}
        }
    }
    if let Place::File { dir, name, st } | Place::Special { dir, name, st, .. } = &place {
        protect(cx, dir, name, st, rules)?;
    }
    let result = match place {
        Place::Stdout => to_stdout(data),
        Place::Missing { dir, name } => replace(&dir, &name, None, data, rules),
        Place::File { dir, name, st } => replace(&dir, &name, Some(&st), data, rules),
        Place::Special {
            dir,
            name,
            st,
            flags,
        } => append(&dir, &name, flags, &st, data),
    };
    result.map_err(|e| cx.io(e))
}

/// The most of an existing file read to tell whether it holds key material: 64 KiB,
/// more than any key file (a P-256 PEM is about 300 bytes).
const KEY_PEEK: u64 = 64 * 1024;

/// Refuse to write over `name` (the file `st`) when it is one of the command's inputs
/// or, being a regular file, holds key material (unless `rules` allow it).
fn protect(
    cx: Ctx<'_>,
    dir: &OwnedFd,
    name: &OsStr,
    st: &FileStat,
    rules: &WriteRules,
) -> Result<(), FsError> {
    let id = FileId::of_stat(st);
    if let Some((_, role)) = rules.inputs.iter().find(|(input, _)| *input == id) {
        let reason = format!("is {role}: nothing was written");
        return Err(cx.err(FsErrorKind::Protected, reason));
    }
    if rules.replace_keys || file_type(st) != SFlag::S_IFREG {
        return Ok(());
    }
    // Opened as the write would find it: no link followed, never blocking. A file we
    // may not read cannot be told, and is replaced as before.
    let flags = OFlag::O_RDONLY
        | OFlag::O_NOFOLLOW
        | OFlag::O_NONBLOCK
        | OFlag::O_CLOEXEC
        | OFlag::O_NOCTTY;
    let Ok(fd) = openat(dir, name, flags, Mode::empty()) else {
        return Ok(());
    };
    let file = File::from(fd);
    if !fstat(&file).is_ok_and(|now| same_file(&now, st)) {
        return Err(cx.io(changed()));
    }
    let mut head = zeroize::Zeroizing::new(Vec::new());
    if let Err(e) = file.take(KEY_PEEK).read_to_end(&mut head) {
        return Err(cx.io(e));
    }
    match key_material(&head) {
        Some(what) => {
            let reason = format!("holds {what}, not {}: nothing was written", rules.holds);
            Err(cx.err(FsErrorKind::Protected, reason))
        }
        None => Ok(()),
    }
}

/// What key material `bytes` hold, in words, if any: a key in any form the library
/// recognises (PEM of any label, DER, OpenSSH, PuTTY, JWK...), or a v2 secret as the
/// console shows it (one line of 64 hexadecimal characters).
pub fn key_material(bytes: &[u8]) -> Option<String> {
    if let Some(what) = usersig::keys::KeyMaterial::recognise(bytes) {
        return Some(what.to_string());
    }
    let line = bytes.trim_ascii();
    (line.len() == 64 && line.iter().all(u8::is_ascii_hexdigit))
        .then(|| "a v2 secret (64 hexadecimal characters)".to_owned())
}

/// Where [`write`] writes, found without writing.
enum Place {
    /// Standard output (`-`, or the same file).
    Stdout,
    /// No file of that name yet.
    Missing { dir: OwnedFd, name: OsString },
    /// A regular file (not a link), to be replaced.
    File {
        dir: OwnedFd,
        name: OsString,
        st: FileStat,
    },
    /// A device, FIFO or descriptor alias, to be opened with `flags` and appended to.
    Special {
        dir: OwnedFd,
        name: OsString,
        st: FileStat,
        flags: OFlag,
    },
}

/// Look at the last name `name` in the open directory `dir`: where to write, or why not.
fn locate_in(cx: Ctx<'_>, dir: OwnedFd, name: &OsStr) -> Result<Place, FsError> {
    let dir_st = fstat(&dir).map_err(|e| cx.io(e.into()))?;
    let st = match fstatat(&dir, name, AtFlags::AT_SYMLINK_NOFOLLOW) {
        Ok(st) => st,
        Err(Errno::ENOENT) => {
            let name = name.to_owned();
            return Ok(Place::Missing { dir, name });
        }
        Err(e) => return Err(cx.io(e.into())),
    };
    match file_type(&st) {
        SFlag::S_IFLNK => return through_link(cx, dir, &dir_st, name, &st),
        SFlag::S_IFDIR => return Err(is_directory(cx)),
        _ => {}
    }
    if shared_sticky(&dir_st)
        && st.st_uid != Uid::effective().as_raw()
        && st.st_uid != dir_st.st_uid
    {
        let reason = format!(
            "it is owned by another user (uid {}) in a shared sticky directory, who could \
             read or swap what is written: remove it or choose another path",
            st.st_uid
        );
        return Err(cx.err(FsErrorKind::Refused, reason));
    }
    if same_as_stdout(&st) {
        return Ok(Place::Stdout);
    }
    let name = name.to_owned();
    if file_type(&st) == SFlag::S_IFREG {
        return Ok(Place::File { dir, name, st });
    }
    let flags = OFlag::O_WRONLY | OFlag::O_APPEND | OFlag::O_NOFOLLOW;
    Ok(Place::Special {
        dir,
        name,
        st,
        flags,
    })
}

/// The final name is a symbolic link: follow it only to standard output or through a
/// descriptor alias; refuse everything else (see [`write`]).
fn through_link(
    cx: Ctx<'_>,
    dir: OwnedFd,
    dir_st: &FileStat,
    name: &OsStr,
    link: &FileStat,
) -> Result<Place, FsError> {
    if link.st_uid != Uid::effective().as_raw() && link.st_uid != 0 {
        let reason = untrusted_link(link, dir_st).unwrap_or_default();
        return Err(cx.err(FsErrorKind::Refused, format!("it {reason}")));
    }
    // The kernel follows the link, by its own rules; nothing is opened for writing yet.
    let target = match openat(&dir, name, OFlag::O_PATH | OFlag::O_CLOEXEC, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::ENOENT) => {
            let reason = "it is a symbolic link to a file that does not exist; files are not \
                          created through links: give the path of the file itself";
            return Err(cx.err(FsErrorKind::Refused, reason));
        }
        Err(e) => return Err(cx.io(e.into())),
    };
    let st = fstat(&target).map_err(|e| cx.io(e.into()))?;
    if same_as_stdout(&st) {
        return Ok(Place::Stdout);
    }
    if file_type(&st) == SFlag::S_IFDIR {
        return Err(is_directory(cx));
    }
    // Only a link nobody else can swap (see `unchangeable`) is followed for writing.
    if !through_descriptor(&dir, name) || !unchangeable(dir_st) {
        let reason = "it is a symbolic link; files are replaced, never written through links: \
                      give the path of the file it points to, or remove the link";
        return Err(cx.err(FsErrorKind::Refused, reason));
    }
    let name = name.to_owned();
    let flags = OFlag::O_WRONLY | OFlag::O_APPEND;
    Ok(Place::Special {
        dir,
        name,
        st,
        flags,
    })
}

/// Whether the kernel reaches `name` through a `/proc` descriptor link (a "magic link",
/// as `/dev/stdout` does through `/proc/self/fd/1`).
fn through_descriptor(dir: &OwnedFd, name: &OsStr) -> bool {
    let how = OpenHow::new()
        .flags(OFlag::O_PATH | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_NO_MAGICLINKS);
    matches!(openat2(dir, name, how), Err(Errno::ELOOP))
}

/// Open `name` with `flags` (plus close-on-exec, no controlling terminal), check that it
/// is still the file `expected` describes, and append `data` to it.
fn append(
    dir: &OwnedFd,
    name: &OsStr,
    flags: OFlag,
    expected: &FileStat,
    data: &[u8],
) -> io::Result<Written> {
    let flags = flags | OFlag::O_CLOEXEC | OFlag::O_NOCTTY;
    let mut file = File::from(openat(dir, name, flags, Mode::empty())?);
    if !same_file(&fstat(&file)?, expected) {
        return Err(changed());
    }
    file.write_all(data)?;
    file.flush()?;
    Ok(Written::Direct)
}

/// Write a temporary file next to `name` in `dir` and rename it over `name`; rewrite an
/// existing file in place when that cannot be done.
fn replace(
    dir: &OwnedFd,
    name: &OsStr,
    old: Option<&FileStat>,
    data: &[u8],
    rules: &WriteRules,
) -> io::Result<Written> {
    check_size_limit(data.len())?;
    remove_stale_temps(dir, name);
    let (tmp_name, tmp) = match create_temp(dir, name) {
        Ok(created) => created,
        Err(e) => {
            let unwritable = [Errno::EACCES, Errno::EPERM, Errno::EROFS]
                .iter()
                .any(|&n| e.raw_os_error() == Some(n as i32));
            return match old {
                Some(old) if unwritable => {
                    rewrite(dir, name, old, data, rules, InPlace::DirectoryNotWritable)
                }
                _ => Err(e),
            };
        }
    };
    let result = fill(&tmp, old, data, rules);
    drop(tmp);
    // Owner, group and mode are the open file's before it takes the name: after the
    // rename nothing is done by path, which another user could redirect.
    let result = result.and_then(|()| Ok(renameat(dir, &*tmp_name, dir, name)?));
    match result {
        Ok(()) => Ok(Written::Replaced {
            created: old.is_none(),
        }),
        Err(e) => {
            let _ = unlinkat(dir, &*tmp_name, UnlinkatFlags::NoRemoveDir);
            match old {
                Some(old) if e.raw_os_error() == Some(Errno::EBUSY as i32) => {
                    rewrite(dir, name, old, data, rules, InPlace::MountPoint)
                }
                _ => Err(e),
            }
        }
    }
}

/// Give the temporary file its owner, group and mode, then the data, on disk.
fn fill(tmp: &File, old: Option<&FileStat>, data: &[u8], rules: &WriteRules) -> io::Result<()> {
    let made = match old {
        _ if rules.owner.is_some() || rules.group.is_some() => {
            give_away(tmp, rules)?;
            None
        }
        Some(old) => keep_owner(tmp, old),
        None => None,
    };
    let mode = rules
        .mode
        .unwrap_or_else(|| old.map_or(0o600, |o| ticket_mode(o.st_mode)));
    // Set unless the file already has it (0600 less the umask, as it was made).
    if made != Some(mode) {
        tmp.set_permissions(fs::Permissions::from_mode(mode))?;
    }
    let mut writer = tmp;
    writer.write_all(data)?;
    tmp.sync_data()
}

/// Give the open `file` the owner and group `rules` name.
fn give_away(file: &File, rules: &WriteRules) -> io::Result<()> {
    let (uid, gid) = (
        rules.owner.map(Uid::from_raw),
        rules.group.map(Gid::from_raw),
    );
    fchown(file, uid, gid).map_err(|e| {
        let hint = match e {
            Errno::EPERM => " (only root may give a file away)",
            _ => "",
        };
        let owner = |id: Option<u32>| id.map_or("unchanged".to_owned(), |n| n.to_string());
        io::Error::other(format!(
            "cannot give it owner {} and group {}: {}{hint}",
            owner(rules.owner),
            owner(rules.group),
            e.desc().to_lowercase()
        ))
    })
}

/// Give `tmp` the owner and group of `old` where they differ, as far as we are allowed
/// (root can; others can at most pick one of their own groups). Returns the permission
/// bits `tmp` has when it was left as it was (its owner and group already `old`'s).
fn keep_owner(tmp: &File, old: &FileStat) -> Option<u32> {
    let now = fstat(tmp).ok()?;
    let uid = (now.st_uid != old.st_uid).then(|| Uid::from_raw(old.st_uid));
    let gid = (now.st_gid != old.st_gid).then(|| Gid::from_raw(old.st_gid));
    if uid.is_none() && gid.is_none() {
        return Some(now.st_mode & 0o7777);
    }
    if fchown(tmp, uid, gid).is_err() && gid.is_some() {
        let _ = fchown(tmp, None, gid);
    }
    None
}

/// The mode a replaced ticket keeps: the old permission bits, never group- or
/// world-writable, never executable, no setuid, setgid or sticky bit.
fn ticket_mode(old: u32) -> u32 {
    old & 0o777 & !0o133
}

/// Truncate and rewrite the existing regular file `name` in place (not atomic).
fn rewrite(
    dir: &OwnedFd,
    name: &OsStr,
    old: &FileStat,
    data: &[u8],
    rules: &WriteRules,
    why: InPlace,
) -> io::Result<Written> {
    // Non-blocking: a FIFO put in the file's place since it was looked at fails the open
    // (no reader) or the check below, and is never waited on.
    let flags = OFlag::O_WRONLY
        | OFlag::O_NOFOLLOW
        | OFlag::O_NONBLOCK
        | OFlag::O_CLOEXEC
        | OFlag::O_NOCTTY;
    let mut file = File::from(openat(dir, name, flags, Mode::empty())?);
    let st = fstat(&file)?;
    if file_type(&st) != SFlag::S_IFREG || !same_file(&st, old) {
        return Err(changed());
    }
    if rules.owner.is_some() || rules.group.is_some() {
        give_away(&file, rules)?;
    }
    let want = rules.mode.unwrap_or_else(|| ticket_mode(st.st_mode));
    if st.st_mode & 0o7777 != want {
        // A ticket keeps the mode it has if we may not change it; a key must get its mode.
        let set = file.set_permissions(fs::Permissions::from_mode(want));
        if rules.mode.is_some() {
            set?;
        }
    }
    file.set_len(0)?;
    file.write_all(data)?;
    file.sync_data()?;
    Ok(Written::InPlace(why))
}

/// Refuse (with EFBIG) data larger than the file size limit, before touching any file.
fn check_size_limit(len: usize) -> io::Result<()> {
    match getrlimit(Resource::RLIMIT_FSIZE) {
        Ok((soft, _)) if u64::try_from(len).unwrap_or(u64::MAX) > soft => {
            Err(io::Error::from_raw_os_error(Errno::EFBIG as i32))
        }
        _ => Ok(()),
    }
}

/// A new temporary file `.<name>.tmp-<pid>-<n>` in `dir`, mode 0600, never through a link.
fn create_temp(dir: &OwnedFd, name: &OsStr) -> io::Result<(OsString, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let flags = OFlag::O_WRONLY
        | OFlag::O_CREAT
        | OFlag::O_EXCL
        | OFlag::O_NOFOLLOW
        | OFlag::O_CLOEXEC
        | OFlag::O_NOCTTY;
    for _ in 0..1000 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut tmp = temp_prefix(name);
        tmp.extend_from_slice(format!("{}-{n}", std::process::id()).as_bytes());
        let tmp = OsString::from_vec(tmp);
        match openat(dir, &*tmp, flags, Mode::from_bits_truncate(0o600)) {
            Ok(fd) => return Ok((tmp, File::from(fd))),
            Err(Errno::EEXIST) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(io::Error::new(
        ErrorKind::AlreadyExists,
        "cannot create a unique temporary file",
    ))
}

/// `.<name>.tmp-`: what the temporary files of `name` start with (the name cut to 200
/// bytes, to stay within NAME_MAX).
fn temp_prefix(name: &OsStr) -> Vec<u8> {
    let stem = &name.as_bytes()[..name.len().min(200)];
    let mut prefix = b".".to_vec();
    prefix.extend_from_slice(stem);
    prefix.extend_from_slice(b".tmp-");
    prefix
}

/// The process id in the rest of a temporary file's name (`<pid>-<n>`), if it is exactly
/// that: two runs of ASCII digits, the pid above zero.
fn temp_pid(rest: &[u8]) -> Option<i32> {
    let dash = rest.iter().position(|&b| b == b'-')?;
    let (pid, n) = (&rest[..dash], &rest[dash + 1..]);
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    if !digits(pid) || !digits(n) {
        return None;
    }
    let pid: i32 = std::str::from_utf8(pid).ok()?.parse().ok()?;
    (pid > 0).then_some(pid)
}

/// Remove the temporary files of `name` that killed runs left in `dir`: only names of
/// exactly our pattern, regular files owned by our effective user, whose process no longer
/// exists (never another run's file in progress, never another user's file).
fn remove_stale_temps(dir: &OwnedFd, name: &OsStr) {
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    let Ok(mut listing) = Dir::openat(dir, ".", flags, Mode::empty()) else {
        return;
    };
    let prefix = temp_prefix(name);
    let me = std::process::id();
    let candidates: Vec<(OsString, i32)> = listing
        .iter()
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let file = entry.file_name().to_bytes();
            let pid = temp_pid(file.strip_prefix(prefix.as_slice())?)?;
            (u32::try_from(pid) != Ok(me)).then(|| (OsString::from_vec(file.to_vec()), pid))
        })
        .collect();
    drop(listing);
    let euid = Uid::effective().as_raw();
    for (file, pid) in candidates {
        let ours = fstatat(dir, &*file, AtFlags::AT_SYMLINK_NOFOLLOW)
            .is_ok_and(|st| file_type(&st) == SFlag::S_IFREG && st.st_uid == euid);
        if ours && kill(Pid::from_raw(pid), None) == Err(Errno::ESRCH) {
            let _ = unlinkat(dir, &*file, UnlinkatFlags::NoRemoveDir);
        }
    }
}

/// Split a path into its directory (`.` when there is none) and its last name, as bytes:
/// `a/b` gives (`a`, `b`), `/b` gives (`/`, `b`), `a/` gives (`a`, empty).
fn split_path(path: &Path) -> (&Path, &OsStr) {
    let bytes = path.as_os_str().as_bytes();
    match bytes.iter().rposition(|&b| b == b'/') {
        None => (Path::new("."), path.as_os_str()),
        Some(0) => (Path::new("/"), OsStr::from_bytes(&bytes[1..])),
        Some(i) => (
            Path::new(OsStr::from_bytes(&bytes[..i])),
            OsStr::from_bytes(&bytes[i + 1..]),
        ),
    }
}

/// Why the directory of a file to write could not be opened.
#[derive(Debug)]
enum DirFail {
    /// The system's error (no such directory, not a directory, permission denied).
    Os(Errno),
    /// A symbolic link on the way that is not followed: the reason.
    Refused(String),
}

/// A handle on the directory a file is written in, opened one name at a time from `/` or
/// the working directory. A name that is a real directory is opened without following
/// links (so it cannot be swapped for one in between); a symbolic link is followed, by
/// the kernel, only when it is ours or root's and sits in a directory nobody else can
/// change (see [`unchangeable`]): else another user could choose the directory we write in.
fn open_dir(dir: &Path) -> Result<OwnedFd, DirFail> {
    let flags = OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    let bytes = dir.as_os_str().as_bytes();
    let absolute = bytes.starts_with(b"/");
    let start = if absolute { "/" } else { "." };
    let mut cur = nix::fcntl::open(start, flags, Mode::empty()).map_err(DirFail::Os)?;
    let mut walked = PathBuf::from(if absolute { "/" } else { "" });
    for name in bytes.split(|&b| b == b'/') {
        if name.is_empty() || name == b"." {
            continue;
        }
        let name = OsStr::from_bytes(name);
        walked.push(name);
        cur = match openat(&cur, name, flags | OFlag::O_NOFOLLOW, Mode::empty()) {
            Ok(next) => next,
            Err(Errno::ENOTDIR | Errno::ELOOP) => follow_dir_link(&cur, name, &walked)?,
            Err(e) => return Err(DirFail::Os(e)),
        };
    }
    Ok(cur)
}

/// `name` in `dir` is not a directory: follow it if it is a symbolic link we trust.
fn follow_dir_link(dir: &OwnedFd, name: &OsStr, walked: &Path) -> Result<OwnedFd, DirFail> {
    let link = fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW).map_err(DirFail::Os)?;
    if file_type(&link) != SFlag::S_IFLNK {
        return Err(DirFail::Os(Errno::ENOTDIR));
    }
    let dir_st = fstat(dir).map_err(DirFail::Os)?;
    let shown = shown(walked);
    if let Some(reason) = untrusted_link(&link, &dir_st) {
        return Err(DirFail::Refused(format!("'{shown}' {reason}")));
    }
    let flags = OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    openat(dir, name, flags, Mode::empty()).map_err(DirFail::Os)
}

/// Why a symbolic link (`link`, in the directory `dir_st`) is not followed for writing,
/// if it is not: it belongs to another user (neither us nor root), or it sits in a
/// directory that others can change, where it could be swapped between check and use.
fn untrusted_link(link: &FileStat, dir_st: &FileStat) -> Option<String> {
    if link.st_uid != Uid::effective().as_raw() && link.st_uid != 0 {
        let place = match shared_sticky(dir_st) {
            true => " in a shared sticky directory",
            false => "",
        };
        return Some(format!(
            "is a symbolic link owned by another user (uid {}){place}; such a link is never \
             followed, as it could send the write anywhere: give the real path, or remove \
             the link",
            link.st_uid
        ));
    }
    if !unchangeable(dir_st) {
        return Some(
            "is a symbolic link in a directory other users can change, so it is not \
             followed: give the real path"
                .into(),
        );
    }
    None
}

/// The error for a directory that cannot be opened.
fn dir_error(cx: Ctx<'_>, dir: &Path, e: DirFail) -> FsError {
    let d = shown(dir);
    match e {
        DirFail::Os(Errno::ENOENT) => {
            let slash = if d.ends_with('/') { "" } else { "/" };
            let reason = format!("directory '{d}{slash}' does not exist");
            cx.err(FsErrorKind::NotFound, reason)
        }
        DirFail::Os(Errno::ENOTDIR) => {
            let reason = format!("'{d}' is not a directory");
            cx.err(FsErrorKind::Other(ErrorKind::NotADirectory), reason)
        }
        DirFail::Os(e) => cx.io(e.into()),
        DirFail::Refused(reason) => cx.err(FsErrorKind::Refused, reason),
    }
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

/// Sticky and writable by group or others, like `/tmp`: others may add names there, but
/// not remove or rename ours.
fn shared_sticky(dir: &FileStat) -> bool {
    dir.st_mode & 0o1000 != 0 && dir.st_mode & 0o022 != 0
}

/// Whether only we or root can add, remove or rename names in the directory: it is ours
/// or root's, and not writable by group or others unless sticky (a sticky directory lets
/// others remove only their own names).
fn unchangeable(dir: &FileStat) -> bool {
    let euid = Uid::effective().as_raw();
    (dir.st_uid == euid || dir.st_uid == 0)
        && (dir.st_mode & 0o022 == 0 || dir.st_mode & 0o1000 != 0)
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
#[path = "../../tests/common/precondition.rs"]
mod precondition;

#[cfg(test)]
mod tests;
