//! A file reached through its open directory, for reading it and replacing it under
//! the link rules.

use super::*;

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
        Ok(RegularHead {
            bytes,
            id,
            owner: st.st_uid,
            mode: st.st_mode & 0o7777,
        })
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
