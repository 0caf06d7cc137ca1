//! Size-capped reads: of a path (or stdin), and of a regular file that is never waited
//! on (a FIFO or device is refused).

use super::*;

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
    /// Its owner's user id (a state file of another user is refused).
    pub owner: u32,
    /// Its permission bits (a state file others may write is refused).
    pub mode: u32,
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

/// Read `r` to the end; `Ok(None)` if it holds more than `limit` bytes.
pub(super) fn read_limited<R: Read>(
    mut r: R,
    limit: usize,
    hint: u64,
) -> io::Result<Option<Vec<u8>>> {
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
