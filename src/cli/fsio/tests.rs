use super::Written::{Direct, Replaced};
use super::precondition::{ROOT, require};
use super::*;
use std::fs::OpenOptions;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
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
fn write_atomic(p: &Path, data: &[u8], what: &'static str) -> Result<Written, FsError> {
    super::write(p, data, what, &WriteRules::new("a ticket"))
}
fn write_atomic_mode(
    p: &Path,
    data: &[u8],
    what: &'static str,
    mode: Option<u32>,
) -> Result<Written, FsError> {
    let rules = WriteRules {
        mode,
        ..WriteRules::new("a ticket")
    };
    super::write(p, data, what, &rules)
}
/// renew's read: the head of a regular file, `None` when there is none.
fn read_regular_head(
    p: &Path,
    limit: usize,
    what: &'static str,
) -> Result<Option<Vec<u8>>, FsError> {
    match read_regular(p, limit, what, LastLink::Refuse) {
        Ok(head) => Ok(Some(head.bytes)),
        Err(e) if e.kind() == FsErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
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

/// renew's read of the file it replaces: a regular file (its head when it is longer
/// than any ticket), nothing, or a refusal for anything else, without ever waiting:
/// the FIFO has no writer, so a read that opened it the usual way would block.
#[test]
fn read_regular_head_reads_regular_files_and_refuses_the_rest_at_once() {
    let t = TempDir::new("readhead");
    fs::write(t.join("small"), "ticket").unwrap();
    fs::write(t.join("large"), vec![b'x'; 100]).unwrap();
    mkfifo(&t.join("fifo"));
    symlink(t.join("small"), t.join("link")).unwrap();
    fs::create_dir(t.join("dir")).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let dir = t.0.clone();
    thread::spawn(move || {
        let read = |name: &str| read_regular_head(&dir.join(name), 10, "sig file");
        let kind = |name: &str| read(name).map_err(|e| (e.kind(), e.to_string()));
        tx.send(vec![
            (
                "small",
                format!("{:?}", read("small").unwrap().map(String::from_utf8)),
            ),
            (
                "large",
                format!("{:?}", read("large").unwrap().map(|v| v.len())),
            ),
            ("missing", format!("{:?}", read("missing").unwrap())),
            ("fifo", format!("{:?}", kind("fifo"))),
            ("link", format!("{:?}", kind("link"))),
            ("dir", format!("{:?}", kind("dir"))),
            (
                "null",
                format!(
                    "{:?}",
                    read_regular_head(Path::new("/dev/null"), 10, "sig file").map_err(|e| e.kind())
                ),
            ),
        ])
        .unwrap();
    });
    // (Generous: the reads take microseconds; a read that waited would never end.)
    let got = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("a read waited on the FIFO");
    let shown = |p: &str| shown(&t.join(p));
    assert_eq!(
        got,
        vec![
            ("small", r#"Some(Ok("ticket"))"#.to_string()),
            ("large", "Some(11)".to_string()),
            ("missing", "None".to_string()),
            (
                "fifo",
                format!(
                    "Err((NotRegularFile, \"cannot read sig file '{}': is a FIFO (named \
                         pipe), not a regular file\"))",
                    shown("fifo")
                )
            ),
            (
                "link",
                format!(
                    "Err((Refused, \"cannot read sig file '{}': is a symbolic link; it is \
                         never read or written through: give the path of the file itself\"))",
                    shown("link")
                )
            ),
            (
                "dir",
                format!(
                    "Err((IsDirectory, \"cannot read sig file '{}': is a directory, not \
                         a file\"))",
                    shown("dir")
                )
            ),
            ("null", "Err(NotRegularFile)".to_string()),
        ]
    );
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

/// Sig files are replaced, never written through a symlink: a link to a file, a chain
/// of links, a dangling link and a link to a device are refused (the link and what it
/// points to untouched); a loop and a link to a directory are errors.
#[test]
fn symlinks_are_refused_not_followed() {
    let t = TempDir::new("symlink");
    fs::create_dir(t.join("sub")).unwrap();
    fs::write(t.join("sub/real"), "old").unwrap();
    fs::write(t.join("target"), "old").unwrap();
    symlink("sub/real", t.join("link")).unwrap();
    symlink("sub/b", t.join("a")).unwrap();
    symlink("../target", t.join("sub/b")).unwrap();
    symlink("sub/fresh", t.join("dangling")).unwrap();
    symlink("/dev/null", t.join("null")).unwrap();
    symlink(t.join("sub/real"), t.join("absolute")).unwrap();
    let cases = [
        (
            "link",
            "it is a symbolic link; files are replaced, never written through links: give the path of the file it points to, or remove the link",
        ),
        ("a", "it is a symbolic link; files are replaced"),
        ("absolute", "it is a symbolic link; files are replaced"),
        ("null", "it is a symbolic link; files are replaced"),
        (
            "dangling",
            "it is a symbolic link to a file that does not exist; files are not created through links: give the path of the file itself",
        ),
    ];
    for (name, reason) in cases {
        let e = write(&t.join(name), "new").unwrap_err();
        assert_eq!(e.kind(), FsErrorKind::Refused, "{name}: {e}");
        let start = format!("cannot write sig file '{}': ", t.join(name).display());
        assert!(e.to_string().starts_with(&(start + reason)), "{name}: {e}");
        assert!(is_link(&t.join(name)), "{name}");
    }
    assert_eq!(text(&t.join("sub/real")), "old");
    assert_eq!(text(&t.join("target")), "old");
    assert!(!t.join("sub/fresh").exists());

    symlink("sub", t.join("dirlink")).unwrap();
    let e = write(&t.join("dirlink"), "x").unwrap_err();
    assert_eq!(e.kind(), FsErrorKind::IsDirectory, "{e}");
    // A symlink loop is an error, not a hang.
    symlink("loop2", t.join("loop1")).unwrap();
    symlink("loop1", t.join("loop2")).unwrap();
    let e = write(&t.join("loop1"), "x").unwrap_err();
    assert!(
        e.to_string().ends_with("too many levels of symbolic links"),
        "{e}"
    );
    assert_eq!(t.leftovers(), 0);
}

/// Links among the directories of the path: ours in a directory only we can change
/// are followed (by the kernel); in a directory others can write to they are refused
/// and nothing is written.
#[test]
fn links_to_directories_on_the_way() {
    let t = TempDir::new("dirlinks");
    fs::create_dir(t.join("real")).unwrap();
    symlink("real", t.join("via")).unwrap();
    assert_eq!(
        write(&t.join("via/x.sig"), "new").unwrap(),
        Replaced { created: true }
    );
    assert_eq!(text(&t.join("real/x.sig")), "new");
    // Through `..` after a link: the kernel's meaning (the link target's parent).
    assert_eq!(
        write(&t.join("via/../y.sig"), "up").unwrap(),
        Replaced { created: true }
    );
    assert_eq!(text(&t.join("y.sig")), "up");

    fs::create_dir(t.join("open")).unwrap();
    fs::set_permissions(t.join("open"), fs::Permissions::from_mode(0o777)).unwrap();
    symlink("../real", t.join("open/via")).unwrap();
    let e = write(&t.join("open/via/x.sig"), "no").unwrap_err();
    assert_eq!(e.kind(), FsErrorKind::Refused, "{e}");
    let want = format!(
        "'{}' is a symbolic link in a directory other users can change, so it is not \
             followed: give the real path",
        t.join("open/via").display()
    );
    assert!(e.to_string().ends_with(&want), "{e}");
    assert_eq!(text(&t.join("real/x.sig")), "new");
    assert_eq!(t.leftovers(), 0);
}

/// Another user's link to a directory on the way is refused (as root, who can make
/// one), and nothing is written.
#[test]
#[cfg_attr(not(ci), ignore = "needs root; CI=true runs it")]
fn another_user_s_link_on_the_way_is_refused() {
    require(&[ROOT]);
    let t = TempDir::new("theirlink");
    fs::create_dir(t.join("real")).unwrap();
    symlink("real", t.join("theirs")).unwrap();
    std::os::unix::fs::lchown(t.join("theirs"), Some(65534), Some(65534)).unwrap();
    let e = write(&t.join("theirs/x.sig"), "no").unwrap_err();
    assert_eq!(e.kind(), FsErrorKind::Refused, "{e}");
    assert!(
        e.to_string().contains("owned by another user (uid 65534);"),
        "{e}"
    );
    assert!(!t.join("real/x.sig").exists());
    assert_eq!(t.leftovers(), 0);
}

/// A path that ends in `/`, `.` or `..` never replaces the directory entry it resolves to.
#[test]
fn paths_that_do_not_name_a_file() {
    let t = TempDir::new("names");
    fs::write(t.join("f"), "old").unwrap();
    fs::create_dir(t.join("d")).unwrap();
    for p in ["f/", "f/.", "d/.", "d/..", "d/", "d"] {
        let e = write(&t.join(p), "new").unwrap_err();
        let want = match p.starts_with('d') {
            true => FsErrorKind::IsDirectory,
            false => FsErrorKind::Other(ErrorKind::InvalidInput),
        };
        assert_eq!(e.kind(), want, "{p}: {e}");
    }
    assert_eq!(text(&t.join("f")), "old");
    assert!(t.join("d").is_dir());
    // A file where a directory should be: named.
    let e = write(&t.join("f/x.sig"), "new").unwrap_err();
    assert!(e.to_string().ends_with("/f' is not a directory"), "{e}");
    assert_eq!(t.leftovers(), 0);
}

/// A replaced ticket keeps its mode less group/other write, any execute, setuid,
/// setgid and sticky; an explicit mode (keys) is used as it is.
#[test]
fn replaced_files_keep_a_safe_mode() {
    let t = TempDir::new("modes");
    let f = t.join("out.sig");
    let table = [
        (0o777, 0o644),
        (0o664, 0o644),
        (0o4755, 0o644),
        (0o2640, 0o640),
        (0o1666, 0o644),
        (0o600, 0o600),
        (0o640, 0o640),
        (0o444, 0o444),
        (0o400, 0o400),
        (0o200, 0o200),
        (0o000, 0o000),
    ];
    for (before, after) in table {
        // A new file each time: the last one's mode may not let us write it.
        let _ = fs::remove_file(&f);
        fs::write(&f, "old").unwrap();
        fs::set_permissions(&f, fs::Permissions::from_mode(before)).unwrap();
        assert_eq!(write(&f, "new").unwrap(), Replaced { created: false });
        assert_eq!(mode_of(&f), Some(after), "{before:o}");
        // Readable again (as root it always is) to see what was written.
        fs::set_permissions(&f, fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(text(&f), "new");
    }
    fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
    write_atomic_mode(&f, b"key", "private key file", Some(0o600)).unwrap();
    assert_eq!(mode_of(&f), Some(0o600));
    assert_eq!(t.leftovers(), 0);
}

/// As root, a replaced file keeps its owner and group.
#[test]
#[cfg_attr(not(ci), ignore = "needs root; CI=true runs it")]
fn replaced_files_keep_owner_and_group() {
    require(&[ROOT]);
    let t = TempDir::new("owner");
    let f = t.join("out.sig");
    fs::write(&f, "old").unwrap();
    std::os::unix::fs::chown(&f, Some(65534), Some(65534)).unwrap();
    fs::set_permissions(&f, fs::Permissions::from_mode(0o4664)).unwrap();
    write(&f, "new").unwrap();
    let meta = fs::metadata(&f).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    assert_eq!(meta.mode() & 0o7777, 0o644);
    assert_eq!(text(&f), "new");
    // A new file is ours.
    let g = t.join("new.sig");
    write(&g, "new").unwrap();
    let meta = fs::metadata(&g).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (0, Gid::effective().as_raw()));
}

/// The temporary files of dead runs of this same target are removed; a live run's,
/// another target's and near-miss names are kept.
#[test]
fn stale_temporary_files_are_removed() {
    stale_temporary_files(false);
}

/// As [`stale_temporary_files_are_removed`], with another user's temporary file of a
/// dead run too (as root, who can make one), which is kept.
#[test]
#[cfg_attr(not(ci), ignore = "needs root; CI=true runs it")]
fn another_user_s_stale_temporary_file_is_kept() {
    require(&[ROOT]);
    stale_temporary_files(true);
}

/// Leave temporary files of `out.sig` and near-miss names, one of them another
/// user's if `theirs`; write `out.sig`; only ours of dead runs are gone.
fn stale_temporary_files(theirs: bool) {
    let t = TempDir::new("stale");
    let mut gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let mut live = Command::new("sleep").arg("60").spawn().unwrap();
    let alive = live.id();
    let removed = [
        format!(".out.sig.tmp-{dead}-0"),
        format!(".out.sig.tmp-{dead}-17"),
    ];
    let mut kept = vec![
        format!(".out.sig.tmp-{alive}-0"),
        format!(".out.sig.tmp-{}-3", std::process::id()),
        format!(".other.sig.tmp-{dead}-0"),
        format!(".out.sig.tmp-{dead}-"),
        format!(".out.sig.tmp-{dead}-1x"),
        format!(".out.sig.tmp-{dead}"),
        format!(".out.sig.tmp-0-0"),
        format!("out.sig.tmp-{dead}-0"),
        format!(".out.sig.tmp-+{dead}-0"),
    ];
    for name in removed.iter().chain(&kept) {
        fs::write(t.join(name), "debris").unwrap();
    }
    symlink("out.sig", t.join(&format!(".out.sig.tmp-{dead}-5"))).unwrap();
    fs::create_dir(t.join(&format!(".out.sig.tmp-{dead}-6"))).unwrap();
    kept.push(format!(".out.sig.tmp-{dead}-5"));
    kept.push(format!(".out.sig.tmp-{dead}-6"));
    if theirs {
        let theirs = format!(".out.sig.tmp-{dead}-9");
        fs::write(t.join(&theirs), "debris").unwrap();
        std::os::unix::fs::chown(t.join(&theirs), Some(65534), Some(65534)).unwrap();
        kept.push(theirs);
    }
    write(&t.join("out.sig"), "new").unwrap();
    let _ = live.kill();
    let _ = live.wait();
    for name in &removed {
        assert!(
            fs::symlink_metadata(t.join(name)).is_err(),
            "{name} removed"
        );
    }
    for name in &kept {
        assert!(fs::symlink_metadata(t.join(name)).is_ok(), "{name} kept");
    }
    assert_eq!(text(&t.join("out.sig")), "new");
}

/// The in-place rewrite used when a file cannot be replaced: same file, truncated,
/// the ticket's mode made safe, an explicit mode applied; a swapped file is refused.
#[test]
fn rewrite_in_place() {
    let t = TempDir::new("inplace");
    let f = t.join("out.sig");
    fs::write(&f, "a much longer old ticket").unwrap();
    fs::set_permissions(&f, fs::Permissions::from_mode(0o666)).unwrap();
    let before = fs::metadata(&f).unwrap().ino();
    let dir = open_dir(&t.0).unwrap();
    let name = OsStr::new("out.sig");
    let st = fstatat(&dir, name, AtFlags::AT_SYMLINK_NOFOLLOW).unwrap();
    let how = InPlace::MountPoint;
    let w = rewrite(&dir, name, &st, b"new", &WriteRules::new("a ticket"), how).unwrap();
    assert_eq!(w, Written::InPlace(InPlace::MountPoint));
    let meta = fs::metadata(&f).unwrap();
    assert_eq!((meta.ino(), meta.mode() & 0o7777), (before, 0o644));
    assert_eq!(text(&f), "new");
    let key_rules = WriteRules {
        mode: Some(0o600),
        ..WriteRules::new("a key")
    };
    rewrite(&dir, name, &st, b"key", &key_rules, how).unwrap();
    assert_eq!(mode_of(&f), Some(0o600));

    // Swapped for another file, or for a symlink: refused, nothing written.
    fs::rename(&f, t.join("aside")).unwrap();
    fs::write(&f, "other").unwrap();
    let e = rewrite(&dir, name, &st, b"new", &WriteRules::new("a ticket"), how).unwrap_err();
    assert!(e.to_string().contains("replaced by another file"), "{e}");
    assert_eq!(text(&f), "other");
    fs::remove_file(&f).unwrap();
    symlink("aside", &f).unwrap();
    assert!(rewrite(&dir, name, &st, b"new", &WriteRules::new("a ticket"), how).is_err());
    assert_eq!(text(&t.join("aside")), "key");
}

proptest::proptest! {
    /// Every name we make parses back to our pid; no other name panics, and a name
    /// that parses is exactly `<digits>-<digits>`.
    #[test]
    fn temp_names_round_trip(pid in 1i32.., n: u64, junk: Vec<u8>) {
        let name = format!(".x.sig.tmp-{pid}-{n}");
        let rest = name.as_bytes().strip_prefix(temp_prefix(OsStr::new("x.sig")).as_slice());
        proptest::prop_assert_eq!(temp_pid(rest.unwrap()), Some(pid));
        if let Some(p) = temp_pid(&junk) {
            proptest::prop_assert!(p > 0);
            proptest::prop_assert!(junk.iter().all(|&b| b.is_ascii_digit() || b == b'-'));
            proptest::prop_assert_eq!(junk.iter().filter(|&&b| b == b'-').count(), 1);
        }
    }
}

#[test]
fn temp_pid_parses_exactly_our_pattern() {
    assert_eq!(temp_pid(b"123-0"), Some(123));
    assert_eq!(temp_pid(b"1-99999"), Some(1));
    for bad in [
        &b"0-1"[..],
        b"-1",
        b"1-",
        b"1",
        b"a-1",
        b"1-1-1",
        b"+1-1",
        b"99999999999-1",
        b" 1-1",
    ] {
        assert_eq!(temp_pid(bad), None, "{}", String::from_utf8_lossy(bad));
    }
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
    // Files and directories we may not write (which root may) are
    // tests/cli/trust_files.rs's, run as another user.
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
    // The same alias as a link of ours: followed where nobody else can swap it, not
    // in a directory others can write to.
    symlink(&alias, t.join("mine")).unwrap();
    assert_eq!(write(&t.join("mine"), "again\n").unwrap(), Direct);
    assert_eq!(text(&log), "old\nnew\nagain\n");
    fs::create_dir(t.join("open")).unwrap();
    fs::set_permissions(t.join("open"), fs::Permissions::from_mode(0o777)).unwrap();
    symlink(&alias, t.join("open/alias")).unwrap();
    let e = write(&t.join("open/alias"), "no\n").unwrap_err();
    assert_eq!(e.kind(), FsErrorKind::Refused, "{e}");
    assert_eq!(text(&log), "old\nnew\nagain\n");
    assert_eq!(t.leftovers(), 0);
}
