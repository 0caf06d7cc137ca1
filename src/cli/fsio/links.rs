//! The link policy: opening a file's directory without following a planted link, and
//! which links and directories are trusted.

use super::*;

/// The final name is a symbolic link: follow it only to standard output or through a
/// descriptor alias; refuse everything else (see [`write`]).
pub(super) fn through_link(
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
pub(super) fn through_descriptor(dir: &OwnedFd, name: &OsStr) -> bool {
    let how = OpenHow::new()
        .flags(OFlag::O_PATH | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_NO_MAGICLINKS);
    matches!(openat2(dir, name, how), Err(Errno::ELOOP))
}

/// Split a path into its directory (`.` when there is none) and its last name, as bytes:
/// `a/b` gives (`a`, `b`), `/b` gives (`/`, `b`), `a/` gives (`a`, empty).
pub(super) fn split_path(path: &Path) -> (&Path, &OsStr) {
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
pub(super) enum DirFail {
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
pub(super) fn open_dir(dir: &Path) -> Result<OwnedFd, DirFail> {
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
pub(super) fn follow_dir_link(
    dir: &OwnedFd,
    name: &OsStr,
    walked: &Path,
) -> Result<OwnedFd, DirFail> {
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
pub(super) fn untrusted_link(link: &FileStat, dir_st: &FileStat) -> Option<String> {
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
pub(super) fn dir_error(cx: Ctx<'_>, dir: &Path, e: DirFail) -> FsError {
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

/// Sticky and writable by group or others, like `/tmp`: others may add names there, but
/// not remove or rename ours.
pub(super) fn shared_sticky(dir: &FileStat) -> bool {
    dir.st_mode & 0o1000 != 0 && dir.st_mode & 0o022 != 0
}

/// Whether only we or root can add, remove or rename names in the directory: it is ours
/// or root's, and not writable by group or others unless sticky (a sticky directory lets
/// others remove only their own names).
pub(super) fn unchangeable(dir: &FileStat) -> bool {
    let euid = Uid::effective().as_raw();
    (dir.st_uid == euid || dir.st_uid == 0)
        && (dir.st_mode & 0o022 == 0 || dir.st_mode & 0o1000 != 0)
}
