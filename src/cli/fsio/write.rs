//! Crash-safe writes: a temporary file, fsync, rename; the rules (mode, owner, inputs
//! never written over, key material never replaced) and the in-place fallbacks.

use super::*;

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
pub(super) fn write_to(
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
pub(super) const KEY_PEEK: u64 = 64 * 1024;

/// Refuse to write over `name` (the file `st`) when it is one of the command's inputs
/// or, being a regular file, holds key material (unless `rules` allow it).
pub(super) fn protect(
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
pub(super) enum Place {
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
pub(super) fn locate_in(cx: Ctx<'_>, dir: OwnedFd, name: &OsStr) -> Result<Place, FsError> {
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

/// Open `name` with `flags` (plus close-on-exec, no controlling terminal), check that it
/// is still the file `expected` describes, and append `data` to it.
pub(super) fn append(
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
pub(super) fn replace(
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
pub(super) fn fill(
    tmp: &File,
    old: Option<&FileStat>,
    data: &[u8],
    rules: &WriteRules,
) -> io::Result<()> {
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
pub(super) fn give_away(file: &File, rules: &WriteRules) -> io::Result<()> {
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
pub(super) fn keep_owner(tmp: &File, old: &FileStat) -> Option<u32> {
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
pub(super) fn ticket_mode(old: u32) -> u32 {
    old & 0o777 & !0o133
}

/// Truncate and rewrite the existing regular file `name` in place (not atomic).
pub(super) fn rewrite(
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
pub(super) fn check_size_limit(len: usize) -> io::Result<()> {
    match getrlimit(Resource::RLIMIT_FSIZE) {
        Ok((soft, _)) if u64::try_from(len).unwrap_or(u64::MAX) > soft => {
            Err(io::Error::from_raw_os_error(Errno::EFBIG as i32))
        }
        _ => Ok(()),
    }
}

/// A new temporary file `.<name>.tmp-<pid>-<n>` in `dir`, mode 0600, never through a link.
pub(super) fn create_temp(dir: &OwnedFd, name: &OsStr) -> io::Result<(OsString, File)> {
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
pub(super) fn temp_prefix(name: &OsStr) -> Vec<u8> {
    let stem = &name.as_bytes()[..name.len().min(200)];
    let mut prefix = b".".to_vec();
    prefix.extend_from_slice(stem);
    prefix.extend_from_slice(b".tmp-");
    prefix
}

/// The process id in the rest of a temporary file's name (`<pid>-<n>`), if it is exactly
/// that: two runs of ASCII digits, the pid above zero.
pub(super) fn temp_pid(rest: &[u8]) -> Option<i32> {
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
pub(super) fn remove_stale_temps(dir: &OwnedFd, name: &OsStr) {
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
