//! File-system helpers for the CLI: size-capped reads and crash-safe (atomic) writes.
//!
//! Unix only. `-` as a path means standard input (for reads) or standard output (for
//! writes). Errors name the role of the file ("key file", "sig file"), its path and a
//! one-line, lower-case reason; they never include file contents.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Maximum number of symbolic links followed when resolving a write target.
const MAX_SYMLINK_HOPS: usize = 40;

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

    /// The path as given by the caller (`-` for standard input or output).
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
        write!(f, "cannot {verb} {}", self.what)?;
        if is_dash(&self.path) {
            write!(f, " {stream}: {}", self.reason)
        } else {
            write!(f, " '{}': {}", shown(&self.path), self.reason)
        }
    }
}

impl std::error::Error for FsError {}

/// How [`write_atomic`] delivered the data.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    /// The path was `-`; the data went to standard output.
    Stdout,
    /// The path is a device, FIFO or other non-regular file (or a `/proc/self/fd` alias such
    /// as `/dev/stdout`) that was written in place.
    Direct,
    /// A temporary file was renamed over the target; `created` is true if none existed.
    Replaced {
        /// Whether the target file did not exist before.
        created: bool,
    },
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

/// The path for messages: lossy UTF-8 with control characters escaped (one line).
fn shown(path: &Path) -> String {
    let mut s = String::new();
    for c in path.to_string_lossy().chars() {
        match c.is_control() {
            true => s.extend(c.escape_default()),
            false => s.push(c),
        }
    }
    s
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
    let too_large = || {
        cx.err(
            FsErrorKind::TooLarge { limit },
            format!("larger than the limit of {limit} bytes"),
        )
    };
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

/// Write `data` as the complete new content of `path`, never leaving a partial file.
///
/// * `-`: written to standard output and flushed ([`Written::Stdout`]).
/// * An existing non-regular file after following symlinks (a device such as `/dev/null`,
///   a FIFO, a pipe behind `/dev/stdout`), or any path reached through a `/proc` descriptor
///   link (`/dev/stdout` redirected to a file): opened for appending, without create or
///   truncate, and written in place ([`Written::Direct`]).
/// * Otherwise the final target is found by following symlinks (at most 40; a dangling link
///   means its target is created, and the link stays a link). The data goes to a new
///   temporary file `.<name>.tmp-<pid>-<n>` in the target's directory, which is given
///   the old file's permission bits (or 0600 for a new file, regardless of umask),
///   written, flushed to disk (`fdatasync`) and renamed over the target. On any error the
///   temporary file is removed and the old target is untouched ([`Written::Replaced`]).
///   A crash at any moment leaves the old file or the new one, whole. (The directory is
///   not synced: after a crash the rename itself may be lost, leaving the old file, which
///   is allowed, and syncing it would double the cost of a write.)
pub fn write_atomic(path: &Path, data: &[u8], what: &'static str) -> Result<Written, FsError> {
    write_atomic_mode(path, data, what, None)
}

/// As [`write_atomic`], but a replaced or new regular file gets exactly `mode` when it is
/// given (a private key is 0600 even when it replaces a file that was 0644).
pub fn write_atomic_mode(
    path: &Path,
    data: &[u8],
    what: &'static str,
    mode: Option<u32>,
) -> Result<Written, FsError> {
    let cx = Ctx(path, what, true);
    if is_dash(path) {
        let mut out = io::stdout().lock();
        out.write_all(data)
            .and_then(|()| out.flush())
            .map_err(|e| cx.io(e))?;
        return Ok(Written::Stdout);
    }
    let direct = || {
        write_direct(path, data)
            .map(|()| Written::Direct)
            .map_err(|e| cx.io(e))
    };
    let old_mode = match fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(cx.err(FsErrorKind::IsDirectory, "is a directory, not a file"));
        }
        Ok(m) if !m.is_file() => return direct(),
        Ok(m) => Some(m.permissions().mode() & 0o7777),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(cx.io(e)),
    };
    let Some(target) = resolve_symlinks(path).map_err(|e| cx.io(e))? else {
        return direct();
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            let reason = format!("'{}' is not a directory", shown(dir));
            return Err(cx.err(FsErrorKind::Other(ErrorKind::NotADirectory), reason));
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            let d = shown(dir);
            let slash = if d.ends_with('/') { "" } else { "/" };
            return Err(cx.err(
                FsErrorKind::NotFound,
                format!("directory '{d}{slash}' does not exist"),
            ));
        }
        Err(e) => return Err(cx.io(e)),
    }
    let Some(name) = target.file_name() else {
        let reason = format!("'{}' does not name a file", shown(&target));
        return Err(cx.err(FsErrorKind::Other(ErrorKind::InvalidInput), reason));
    };
    let new_mode = mode.or(old_mode).unwrap_or(0o600);
    replace(&target, dir, name, data, new_mode).map_err(|e| cx.io(e))?;
    Ok(Written::Replaced {
        created: old_mode.is_none(),
    })
}

fn write_direct(path: &Path, data: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().append(true).open(path)?;
    file.write_all(data)?;
    file.flush()
}

/// Follow a chain of symlinks by hand; a dangling link resolves to its (missing) target.
/// `None` if the chain passes through a procfs link (`/proc/self/fd/N`, `/dev/stdout`):
/// those name an open descriptor, and replacing the file behind it would be wrong.
fn resolve_symlinks(path: &Path) -> io::Result<Option<PathBuf>> {
    let mut cur = path.to_path_buf();
    let mut hops = 0;
    loop {
        match fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {
                if fs::metadata("/proc").is_ok_and(|p| p.dev() == m.dev()) {
                    return Ok(None);
                }
                hops += 1;
                if hops > MAX_SYMLINK_HOPS {
                    return Err(io::Error::other("too many levels of symbolic links"));
                }
                let link = fs::read_link(&cur)?;
                // Relative targets are relative to the link's directory; absolute ones replace.
                cur = match cur.parent() {
                    Some(parent) => parent.join(link),
                    None => link,
                };
            }
            Ok(_) => return Ok(Some(cur)),
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Some(cur)),
            Err(e) => return Err(e),
        }
    }
}

/// Write a temporary file next to `target` and rename it over `target`.
fn replace(target: &Path, dir: &Path, name: &OsStr, data: &[u8], mode: u32) -> io::Result<()> {
    let (tmp, mut file) = create_temp(dir, name)?;
    let result = file
        .set_permissions(fs::Permissions::from_mode(mode))
        .and_then(|()| file.write_all(data))
        .and_then(|()| file.sync_data());
    drop(file);
    let result = result.and_then(|()| fs::rename(&tmp, target));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn create_temp(dir: &Path, name: &OsStr) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // Keep the temporary name within NAME_MAX even for very long target names.
    let stem = &name.as_bytes()[..name.len().min(200)];
    let mut options = OpenOptions::new();
    options.write(true).create_new(true).mode(0o600);
    for _ in 0..1000 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut tmp = b".".to_vec();
        tmp.extend_from_slice(stem);
        tmp.extend_from_slice(format!(".tmp-{}-{n}", std::process::id()).as_bytes());
        let tmp = dir.join(OsString::from_vec(tmp));
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        ErrorKind::AlreadyExists,
        "cannot create a unique temporary file",
    ))
}

/// The permission bits (`mode & 0o7777`) of `path` after following symlinks, if it is a
/// regular file; `None` for anything else or on error.
pub fn mode_of(path: &Path) -> Option<u32> {
    let meta = fs::metadata(path).ok()?;
    meta.is_file().then(|| meta.permissions().mode() & 0o7777)
}

#[cfg(test)]
mod tests {
    use super::Written::{Direct, Replaced};
    use super::*;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::symlink;
    use std::process::Command;
    use std::thread;

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> Self {
            static N: AtomicU64 = AtomicU64::new(0);
            let n = N.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir().join(format!("fsio-{tag}-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir(&dir).unwrap();
            TempDir(dir)
        }
        fn join(&self, p: &str) -> PathBuf {
            self.0.join(p)
        }
        /// Temporary files left anywhere in the tree.
        fn leftovers(&self) -> usize {
            let out = Command::new("find")
                .arg(&self.0)
                .arg("-name")
                .arg("*.tmp-*")
                .output();
            String::from_utf8_lossy(&out.unwrap().stdout)
                .lines()
                .count()
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::set_permissions(self.join("ro"), fs::Permissions::from_mode(0o755));
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn read(p: &Path, limit: usize) -> Result<Vec<u8>, FsError> {
        read_capped(p, limit, "key file")
    }
    fn write(p: &Path, data: &str) -> Result<Written, FsError> {
        write_atomic(p, data.as_bytes(), "sig file")
    }
    fn text(p: &Path) -> String {
        fs::read_to_string(p).unwrap()
    }
    fn is_link(p: &Path) -> bool {
        fs::symlink_metadata(p).unwrap().file_type().is_symlink()
    }
    fn mkfifo(p: &Path) {
        assert!(Command::new("mkfifo").arg(p).status().unwrap().success());
    }

    #[test]
    fn read_files_and_limits() {
        let t = TempDir::new("read");
        let f = t.join("key.pem");
        fs::write(&f, "0123456789").unwrap();
        assert_eq!(read(&f, 100).unwrap(), b"0123456789");
        assert_eq!(read(&f, 10).unwrap(), b"0123456789");
        let e = read(&f, 9).unwrap_err();
        assert_eq!(e.kind(), FsErrorKind::TooLarge { limit: 9 });
        assert!(
            e.to_string().ends_with("larger than the limit of 9 bytes"),
            "{e}"
        );
        let e = read(Path::new("/dev/zero"), 4096).unwrap_err();
        assert_eq!(e.kind(), FsErrorKind::TooLarge { limit: 4096 });
        assert!(read(Path::new("/proc/self/status"), 1 << 20).unwrap().len() > 10);

        let missing = t.join("x.pem");
        let e = read(&missing, 10).unwrap_err();
        assert_eq!(
            (e.kind(), e.path()),
            (FsErrorKind::NotFound, missing.as_path())
        );
        let msg = format!(
            "cannot read key file '{}': no such file or directory",
            missing.display()
        );
        assert_eq!(e.to_string(), msg);
        let e = read(&t.0, 10).unwrap_err();
        assert_eq!(e.kind(), FsErrorKind::IsDirectory);
        assert!(e.to_string().ends_with("is a directory, not a file"), "{e}");
    }

    #[test]
    fn read_fifo() {
        let t = TempDir::new("readfifo");
        let fifo = t.join("fifo");
        mkfifo(&fifo);
        let path = fifo.clone();
        let writer = thread::spawn(move || fs::write(path, "through a pipe").unwrap());
        assert_eq!(read(&fifo, 64).unwrap(), b"through a pipe");
        writer.join().unwrap();
    }

    #[test]
    fn write_new_and_existing_files() {
        let t = TempDir::new("write");
        let f = t.join("out.sig");
        assert_eq!(write(&f, "first").unwrap(), Replaced { created: true });
        assert_eq!((text(&f), mode_of(&f)), ("first".into(), Some(0o600)));
        fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(write(&f, "second").unwrap(), Replaced { created: false });
        assert_eq!((text(&f), mode_of(&f)), ("second".into(), Some(0o644)));
        assert_eq!(mode_of(&t.0), None);
        assert_eq!(mode_of(&t.join("missing")), None);
        assert_eq!(t.leftovers(), 0);
    }

    #[test]
    fn write_through_symlinks() {
        let t = TempDir::new("symlink");
        fs::create_dir(t.join("sub")).unwrap();
        fs::write(t.join("sub/real"), "old").unwrap();
        symlink("sub/real", t.join("link")).unwrap();
        assert_eq!(
            write(&t.join("link"), "new").unwrap(),
            Replaced { created: false }
        );
        assert!(is_link(&t.join("link")));
        assert_eq!(text(&t.join("sub/real")), "new");

        // Relative chain: a -> sub/b -> ../target (relative to sub/).
        fs::write(t.join("target"), "old").unwrap();
        symlink("sub/b", t.join("a")).unwrap();
        symlink("../target", t.join("sub/b")).unwrap();
        write(&t.join("a"), "chained").unwrap();
        assert!(is_link(&t.join("a")) && is_link(&t.join("sub/b")));
        assert_eq!(text(&t.join("target")), "chained");

        // Dangling link: the target gets created, mode 0600.
        symlink("sub/fresh", t.join("dangling")).unwrap();
        assert_eq!(
            write(&t.join("dangling"), "made").unwrap(),
            Replaced { created: true }
        );
        assert!(is_link(&t.join("dangling")));
        assert_eq!(text(&t.join("sub/fresh")), "made");
        assert_eq!(mode_of(&t.join("sub/fresh")), Some(0o600));

        // A symlink loop is an error, not a hang.
        symlink("loop2", t.join("loop1")).unwrap();
        symlink("loop1", t.join("loop2")).unwrap();
        assert!(write(&t.join("loop1"), "x").is_err());
        assert_eq!(t.leftovers(), 0);
    }

    #[test]
    fn write_failures_leave_nothing_behind() {
        let t = TempDir::new("fail");
        let e = write(&t.join("nope/x.sig"), "data").unwrap_err();
        assert_eq!(e.kind(), FsErrorKind::NotFound);
        assert!(e.to_string().ends_with("nope/' does not exist"), "{e}");
        assert!(!t.join("nope").exists());

        // A dangling link to "gone/" makes the final rename fail (ENOTDIR), even as root.
        symlink("gone/", t.join("link")).unwrap();
        assert!(write(&t.join("link"), "data").is_err());
        assert!(!t.join("gone").exists());

        let ro = t.join("ro");
        fs::create_dir(&ro).unwrap();
        let f = ro.join("out.sig");
        fs::write(&f, "old contents").unwrap();
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
        // Root bypasses directory permissions; only assert the failure where it applies.
        let privileged = File::create(ro.join("probe")).is_ok();
        let _ = fs::remove_file(ro.join("probe"));
        let result = write(&f, "new contents");
        if !privileged {
            let e = result.unwrap_err();
            assert_eq!(e.kind(), FsErrorKind::PermissionDenied);
            assert!(e.to_string().ends_with("permission denied"), "{e}");
            assert_eq!(text(&f), "old contents");
        }
        assert_eq!(t.leftovers(), 0);
    }

    #[test]
    fn write_devices_fifos_and_descriptors() {
        let (null, full) = (Path::new("/dev/null"), Path::new("/dev/full"));
        assert_eq!(write(null, "discard").unwrap(), Direct);
        let e = write(full, "data").unwrap_err();
        assert_eq!(e.kind(), FsErrorKind::Other(ErrorKind::StorageFull));
        assert!(e.to_string().contains("no space"), "{e}");
        for dev in [null, full] {
            assert!(fs::metadata(dev).unwrap().file_type().is_char_device());
        }

        let t = TempDir::new("direct");
        let fifo = t.join("fifo");
        mkfifo(&fifo);
        let path = fifo.clone();
        let reader = thread::spawn(move || fs::read(path).unwrap());
        assert_eq!(write(&fifo, "piped ticket").unwrap(), Direct);
        assert_eq!(reader.join().unwrap(), b"piped ticket");
        assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());

        // /proc/self/fd/N (what /dev/stdout points to) naming a regular file: appended to
        // in place, never replaced.
        let log = t.join("log");
        fs::write(&log, "old\n").unwrap();
        let held = OpenOptions::new().append(true).open(&log).unwrap();
        let alias = PathBuf::from(format!("/proc/self/fd/{}", held.as_raw_fd()));
        assert_eq!(write(&alias, "new\n").unwrap(), Direct);
        assert!(!is_link(&log));
        assert_eq!(text(&log), "old\nnew\n");
        assert_eq!(t.leftovers(), 0);
    }
}
