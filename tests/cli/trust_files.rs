//! Sig file writes that cannot be turned against the user: planted and racing symlinks,
//! owner and mode of replaced files, in-place writes where replacing is impossible, stale
//! temporary files, the file size limit, and /dev/stdout.
//!
//! Most of these run the binary as root and as `nobody` (uid 65534, with setpriv); those
//! are ignored outside CI and fail when not root (see common::precondition).

use crate::common;

use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::precondition::{BIND_MOUNT, MOUNT, ROOT, SETPRIV, UNSHARE, require};
use common::{BIN, NOBODY, Run, Scratch, as_nobody, decode_independently, run, run_bounded};

const OLD: &[u8] = b"OLD TICKET";
const PROTECTED: &[u8] = b"root's protected file\n";

/// Run a command and collect a [`Run`].
fn collect(cmd: &mut Command) -> Run {
    let out = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("TZ", "UTC")
        .output()
        .expect("run the command");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        raw_stdout: out.stdout,
    }
}

/// Run the binary through `sh -c` with a shell prelude (`ulimit`, `umask`, redirections);
/// `$BIN` is the binary.
fn run_sh(dir: &Path, script: &str) -> Run {
    collect(
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(dir)
            .env("BIN", BIN),
    )
}

fn gen_args(sig: &str) -> [&str; 5] {
    ["gen", "ec_key.pem", sig, "1400001052", "xiaojun"]
}

fn verifies(dir: &Scratch, sig: &str) -> bool {
    run(
        &dir.0,
        ["verify", "public.pem", sig, "1400001052", "xiaojun"],
    )
    .code
        == 0
}

/// A scratch dir with a root-owned protected file and a sticky world-writable `shared/`.
fn with_shared_dir(tag: &str) -> Scratch {
    let dir = Scratch::new(tag);
    dir.write("protected", PROTECTED);
    std::fs::create_dir(dir.path("shared")).unwrap();
    std::fs::set_permissions(dir.path("shared"), std::fs::Permissions::from_mode(0o1777)).unwrap();
    dir
}

/// The attack: nobody plants a symlink to a root-owned file in a sticky world-writable
/// directory; every command that writes a file refuses it, as root, and the file is
/// untouched. A regular file nobody planted there is refused too (nobody could read or
/// swap root's ticket).
#[test]
#[cfg_attr(not(ci), ignore = "needs root; CI=true runs it")]
fn planted_links_in_a_sticky_directory_are_refused() {
    require(&[ROOT, SETPRIV]);
    let dir = with_shared_dir("planted");
    let protected = dir.path("protected");
    let planted = |name: &str| {
        let status = as_nobody()
            .arg("ln")
            .arg("-s")
            .arg(&protected)
            .arg(dir.path(&format!("shared/{name}")))
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(
            std::fs::symlink_metadata(dir.path(&format!("shared/{name}")))
                .unwrap()
                .uid(),
            NOBODY
        );
        format!("shared/{name}")
    };
    let commands: [&[&str]; 5] = [
        &["gen", "ec_key.pem", "SIG", "1400001052", "xiaojun"],
        &[
            "genexpire",
            "ec_key.pem",
            "SIG",
            "1400001052",
            "xiaojun",
            "600",
        ],
        &["gen2", "file:secret.txt", "SIG", "1400001052", "xiaojun"],
        &[
            "renew",
            "--within",
            "1d",
            "ec_key.pem",
            "SIG",
            "1400001052",
            "xiaojun",
        ],
        &["keygen", "SIG", "pub.pem", "--force"],
    ];
    for (i, command) in commands.iter().enumerate() {
        let sig = planted(&format!("x{i}.sig"));
        let args: Vec<&str> = command
            .iter()
            .map(|a| if *a == "SIG" { sig.as_str() } else { a })
            .collect();
        let r = run(&dir.0, &args);
        r.expect(3);
        let what = if command[0] == "keygen" {
            "private key file"
        } else {
            "sig file"
        };
        assert_eq!(
            r.stderr,
            format!(
                "tls_licence_tools: error: cannot write {what} '{sig}': it is a symbolic link \
                 owned by another user (uid 65534) in a shared sticky directory; such a link \
                 is never followed, as it could send the write anywhere: give the real path, \
                 or remove the link\n"
            ),
            "{command:?}"
        );
        assert_eq!(std::fs::read(&protected).unwrap(), PROTECTED, "{command:?}");
    }

    // A link to a directory, planted where the sig file's directory should be: refused,
    // the file of that name in the directory it points to untouched.
    std::fs::create_dir(dir.path("rootdir")).unwrap();
    dir.write("rootdir/x.sig", PROTECTED);
    let status = as_nobody()
        .arg("ln")
        .arg("-s")
        .arg(dir.path("rootdir"))
        .arg(dir.path("shared/app"))
        .status()
        .unwrap();
    assert!(status.success());
    let r = run(&dir.0, gen_args("shared/app/x.sig"));
    r.expect(3);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: cannot write sig file 'shared/app/x.sig': 'shared/app' is a \
         symbolic link owned by another user (uid 65534) in a shared sticky directory; such a \
         link is never followed, as it could send the write anywhere: give the real path, or \
         remove the link\n"
    );
    assert_eq!(dir.read("rootdir/x.sig"), PROTECTED);
    assert_eq!(std::fs::read_dir(dir.path("rootdir")).unwrap().count(), 1);

    // A regular file planted by nobody: refused, left as it is.
    let status = as_nobody()
        .args(["sh", "-c", "printf planted > shared/theirs.sig"])
        .current_dir(&dir.0)
        .status()
        .unwrap();
    assert!(status.success());
    let r = run(&dir.0, gen_args("shared/theirs.sig"));
    r.expect(3);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: cannot write sig file 'shared/theirs.sig': it is owned by \
         another user (uid 65534) in a shared sticky directory, who could read or swap what is \
         written: remove it or choose another path\n"
    );
    assert_eq!(dir.read("shared/theirs.sig"), b"planted");

    // A FIFO planted by nobody: refused at once by gen and by renew (which would have
    // waited forever for a writer, reading it), never opened.
    let status = as_nobody()
        .args(["mkfifo", "shared/fifo.sig"])
        .current_dir(&dir.0)
        .status()
        .unwrap();
    assert!(status.success());
    for args in [
        &[
            "gen",
            "ec_key.pem",
            "shared/fifo.sig",
            "1400001052",
            "xiaojun",
        ][..],
        &[
            "renew",
            "--within",
            "1d",
            "ec_key.pem",
            "shared/fifo.sig",
            "1400001052",
            "xiaojun",
        ],
    ] {
        let r = run_bounded(&dir.0, args);
        r.expect(3);
        assert!(
            r.stderr.ends_with(
                "cannot write sig file 'shared/fifo.sig': it is owned by another user (uid \
                 65534) in a shared sticky directory, who could read or swap what is written: \
                 remove it or choose another path\n"
            ),
            "{args:?}: {r:?}"
        );
    }

    // Root's own new file there is fine, and leaves no temporary file.
    run(&dir.0, gen_args("shared/mine.sig")).expect(0);
    assert!(verifies(&dir, "shared/mine.sig"));
    let names: Vec<_> = std::fs::read_dir(dir.path("shared"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

/// The race: while a thread flips the sig file's name between a regular file and a
/// symlink to a protected file (each swap one atomic rename), gen runs many times. The
/// protected file never changes; each run either replaced the name or refused the link.
#[test]
fn racing_file_and_symlink_never_reach_the_target() {
    let dir = with_shared_dir("race");
    let protected = dir.path("protected");
    let sig = dir.path("shared/x.sig");
    std::fs::write(&sig, OLD).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let flipper = {
        let (done, protected, shared) = (done.clone(), protected.clone(), dir.path("shared"));
        std::thread::spawn(move || {
            let (link, file) = (shared.join("flip-link"), shared.join("flip-file"));
            let mut flips = 0u32;
            // Bounded by count; stops early once the runs are done.
            while flips < 2_000_000 && !done.load(Ordering::Relaxed) {
                let _ = std::fs::remove_file(&link);
                symlink(&protected, &link).unwrap();
                std::fs::rename(&link, shared.join("x.sig")).unwrap();
                std::fs::write(&file, OLD).unwrap();
                std::fs::rename(&file, shared.join("x.sig")).unwrap();
                flips += 1;
            }
            flips
        })
    };
    let (mut replaced, mut refused) = (0, 0);
    for _ in 0..60 {
        let r = run(&dir.0, gen_args("shared/x.sig"));
        r.expect(if r.code == 0 { 0 } else { 3 });
        match r.code {
            0 => replaced += 1,
            _ => {
                assert!(
                    r.stderr
                        .contains("it is a symbolic link; files are replaced")
                        || r.stderr.contains("replaced by another file"),
                    "{r:?}"
                );
                refused += 1;
            }
        }
        assert_eq!(std::fs::read(&protected).unwrap(), PROTECTED);
    }
    done.store(true, Ordering::Relaxed);
    let flips = flipper.join().unwrap();
    assert!(flips > 0);
    assert_eq!(replaced + refused, 60);
    assert_eq!(std::fs::read(&protected).unwrap(), PROTECTED);
    eprintln!("{flips} flips; {replaced} runs replaced the name, {refused} refused the link");
}

/// A replaced file's mode loses group and other write, execute, setuid, setgid and
/// sticky; a new file is 0600 even with umask 000.
#[test]
fn owner_group_and_safe_mode_are_kept() {
    let dir = Scratch::new("owner");
    for (before, after) in [
        (0o777, 0o644),
        (0o664, 0o644),
        (0o4755, 0o644),
        (0o640, 0o640),
    ] {
        let sig = format!("m{before:o}.sig");
        dir.write(&sig, OLD);
        std::fs::set_permissions(dir.path(&sig), std::fs::Permissions::from_mode(before)).unwrap();
        run(&dir.0, gen_args(&sig)).expect(0);
        let mode = std::fs::metadata(dir.path(&sig)).unwrap().mode() & 0o7777;
        assert_eq!(mode, after, "{before:o}");
        assert!(verifies(&dir, &sig));
    }
    let r = run_sh(
        &dir.0,
        "umask 000; exec \"$BIN\" gen ec_key.pem new.sig 1400001052 xiaojun",
    );
    r.expect(0);
    assert_eq!(
        std::fs::metadata(dir.path("new.sig")).unwrap().mode() & 0o7777,
        0o600
    );
    assert!(!dir.listing().iter().any(|n| n.contains(".tmp-")));
}

/// Replacing another user's file as root keeps its owner and group.
#[test]
#[cfg_attr(not(ci), ignore = "needs root; CI=true runs it")]
fn another_user_s_file_keeps_its_owner_and_group() {
    require(&[ROOT]);
    let dir = Scratch::new("theirs");
    dir.write("theirs.sig", OLD);
    std::os::unix::fs::chown(dir.path("theirs.sig"), Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::set_permissions(
        dir.path("theirs.sig"),
        std::fs::Permissions::from_mode(0o664),
    )
    .unwrap();
    run(&dir.0, gen_args("theirs.sig")).expect(0);
    let meta = std::fs::metadata(dir.path("theirs.sig")).unwrap();
    assert_eq!(
        (meta.uid(), meta.gid(), meta.mode() & 0o7777),
        (NOBODY, NOBODY, 0o644)
    );
    assert!(verifies(&dir, "theirs.sig"));
}

/// nobody writes a sig file it may write, in a directory it may not create files in:
/// the file is rewritten in place (same inode), with one warning line, exit 0.
#[test]
#[cfg_attr(not(ci), ignore = "needs root; CI=true runs it")]
fn unwritable_directory_writes_the_file_in_place() {
    require(&[ROOT, SETPRIV]);
    let dir = Scratch::new("inplace");
    std::fs::copy(dir.path("ec_key.pem"), dir.path("nobody.pem")).unwrap();
    std::os::unix::fs::chown(dir.path("nobody.pem"), Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::create_dir(dir.path("ro")).unwrap();
    dir.write(
        "ro/x.sig",
        b"an old ticket, longer than the new one? no, but truncated anyway",
    );
    std::os::unix::fs::chown(dir.path("ro/x.sig"), Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::set_permissions(dir.path("ro/x.sig"), std::fs::Permissions::from_mode(0o664)).unwrap();
    let inode = std::fs::metadata(dir.path("ro/x.sig")).unwrap().ino();
    let r = collect(
        as_nobody()
            .arg(BIN)
            .args(["gen", "nobody.pem", "ro/x.sig", "1400001052", "xiaojun"])
            .current_dir(&dir.0),
    );
    r.expect(0);
    assert_eq!(r.stdout, "generate sig ok\n");
    assert_eq!(
        r.stderr,
        "tls_licence_tools: warning: wrote 'ro/x.sig' in place: its directory is not \
         writable, so it was not replaced atomically\n"
    );
    let meta = std::fs::metadata(dir.path("ro/x.sig")).unwrap();
    assert_eq!(
        (meta.ino(), meta.uid(), meta.mode() & 0o7777),
        (inode, NOBODY, 0o644)
    );
    assert!(verifies(&dir, "ro/x.sig"));
    assert_eq!(std::fs::read_dir(dir.path("ro")).unwrap().count(), 1);

    // A new file there cannot be made, nor root's file written: refused, nothing changed,
    // nothing left.
    dir.write("ro/root.sig", PROTECTED);
    for sig in ["ro/new.sig", "ro/root.sig"] {
        let r = collect(
            as_nobody()
                .arg(BIN)
                .args(["gen", "nobody.pem", sig, "1400001052", "xiaojun"])
                .current_dir(&dir.0),
        );
        r.expect(3);
        assert_eq!(
            r.stderr,
            format!("tls_licence_tools: error: cannot write sig file '{sig}': permission denied\n")
        );
    }
    assert_eq!(dir.read("ro/root.sig"), PROTECTED);
    assert_eq!(std::fs::read_dir(dir.path("ro")).unwrap().count(), 2);
}

/// A bind-mounted sig file (a container's file volume): rename over it fails with EBUSY,
/// so it is rewritten in place, with one warning line. Runs in a private mount namespace.
#[test]
#[cfg_attr(not(ci), ignore = "needs root; CI=true runs it")]
fn bind_mounted_sig_file_is_written_in_place() {
    require(&[ROOT, UNSHARE, MOUNT, BIND_MOUNT]);
    let dir = Scratch::new("bind");
    dir.write("volume.sig", OLD);
    dir.write("x.sig", OLD);
    let r = run_sh(
        &dir.0,
        "exec unshare -m sh -c 'mount --bind volume.sig x.sig && \
         exec \"$BIN\" gen ec_key.pem x.sig 1400001052 xiaojun'",
    );
    r.expect(0);
    assert_eq!(r.stdout, "generate sig ok\n");
    assert_eq!(
        r.stderr,
        "tls_licence_tools: warning: wrote 'x.sig' in place: it is a mount point (a \
         bind-mounted file), so it was not replaced atomically\n"
    );
    // The write went to the mounted file; the name under the mount is as it was.
    assert!(verifies(&dir, "volume.sig"));
    assert_eq!(dir.read("x.sig"), OLD);
    assert!(!dir.listing().iter().any(|n| n.contains(".tmp-")));
}

/// Temporary files of killed runs of the same sig file are removed by the next run: ours,
/// of a dead process. A live process's and another file's are kept.
#[test]
fn stale_temporary_files_of_dead_runs_are_removed() {
    stale_temporary_files(false);
}

/// As [`stale_temporary_files_of_dead_runs_are_removed`], with another user's temporary
/// file of a dead run too, which is kept.
#[test]
#[cfg_attr(not(ci), ignore = "needs root; CI=true runs it")]
fn another_user_s_stale_temporary_file_is_kept() {
    require(&[ROOT]);
    stale_temporary_files(true);
}

/// Leave temporary files of `x.sig` (and one of `y.sig`) as dead and live runs would, one
/// of them another user's if `theirs`; run gen; only ours of dead runs are gone.
fn stale_temporary_files(theirs: bool) {
    let dir = Scratch::new("stale");
    let mut gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let mut live = Command::new("sleep").arg("60").spawn().unwrap();
    let alive = live.id();
    let stale = format!(".x.sig.tmp-{dead}-0");
    let mut kept = vec![
        format!(".x.sig.tmp-{alive}-0"),
        format!(".y.sig.tmp-{dead}-0"),
    ];
    dir.write(&stale, b"half a ticket");
    for name in &kept {
        dir.write(name, b"in progress");
    }
    if theirs {
        let theirs = format!(".x.sig.tmp-{dead}-1");
        dir.write(&theirs, b"theirs");
        std::os::unix::fs::chown(dir.path(&theirs), Some(NOBODY), Some(NOBODY)).unwrap();
        kept.push(theirs);
    }
    let r = run(&dir.0, gen_args("x.sig"));
    let _ = live.kill();
    let _ = live.wait();
    r.expect(0);
    let names = dir.listing();
    assert!(!names.contains(&stale), "{names:?}");
    for name in &kept {
        assert!(names.contains(name), "{name} kept: {names:?}");
    }
    assert!(verifies(&dir, "x.sig"));
}

/// With `ulimit -f 0` a write fails with a clear error and exit 3 (the process is not
/// killed by SIGXFSZ), and neither a temporary file nor a changed target is left.
#[test]
fn file_size_limit_is_an_error_not_a_crash() {
    let dir = Scratch::new("ulimit");
    let before = dir.listing();
    let r = run_sh(
        &dir.0,
        "ulimit -f 0; exec \"$BIN\" gen ec_key.pem new.sig 1400001052 xiaojun",
    );
    r.expect(3);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: cannot write sig file 'new.sig': file too large for the \
         file size limit (ulimit -f)\n"
    );
    assert_eq!(r.stdout, "");
    assert_eq!(dir.listing(), before);

    dir.write("old.sig", OLD);
    let r = run_sh(
        &dir.0,
        "ulimit -f 0; exec \"$BIN\" gen2 file:secret.txt old.sig 1400001052 xiaojun",
    );
    r.expect(3);
    assert!(
        r.stderr
            .contains("file too large for the file size limit (ulimit -f)")
    );
    assert_eq!(dir.read("old.sig"), OLD);

    // Appending through a descriptor alias: the kernel's own limit (EFBIG, and SIGXFSZ,
    // which must be ignored) stops the write.
    dir.write("log", b"");
    let r = run_sh(
        &dir.0,
        "ulimit -f 0; exec \"$BIN\" gen ec_key.pem /dev/fd/3 1400001052 xiaojun 3>>log",
    );
    r.expect(3);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: cannot write sig file '/dev/fd/3': file too large for the \
         file size limit (ulimit -f)\n"
    );
    assert_eq!(dir.read("log"), b"");
    let mut names = dir.listing();
    names.retain(|n| n.contains(".tmp-"));
    assert!(names.is_empty(), "{names:?}");
}

/// A sig file that is standard output, redirected to a file, behaves exactly like `-`:
/// the file holds the ticket and a newline, the status line goes to stderr; with --json,
/// the file holds the JSON line alone. renew refuses it like `-`.
#[test]
fn sig_file_that_is_stdout_behaves_like_dash() {
    let dir = Scratch::new("stdout");
    for sig in ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "out"] {
        for (form, key) in [("gen", "ec_key.pem"), ("gen2", "file:secret.txt")] {
            let _ = std::fs::remove_file(dir.path("out"));
            let script = format!("exec \"$BIN\" {form} {key} {sig} 1400001052 xiaojun > out");
            let r = run_sh(&dir.0, &script);
            r.expect(0);
            assert_eq!(r.stderr, "generate sig ok\n", "{sig} {form}");
            let text = String::from_utf8(dir.read("out")).unwrap();
            let ticket = text.strip_suffix('\n').unwrap();
            assert!(!ticket.contains('\n'), "{sig} {form}: {text:?}");
            decode_independently(ticket);
            assert!(verifies_with(&dir, form, ticket), "{sig} {form}");
        }
    }
    let r = run_sh(
        &dir.0,
        "exec \"$BIN\" gen ec_key.pem /dev/stdout 1400001052 xiaojun --json > out",
    );
    r.expect(0);
    let text = String::from_utf8(dir.read("out")).unwrap();
    assert_eq!(text.lines().count(), 1, "{text:?}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["sig_file"], "/dev/stdout");

    let r = run_sh(
        &dir.0,
        "exec \"$BIN\" renew --within 1d ec_key.pem /dev/stdout 1400001052 xiaojun > out",
    );
    r.expect(2);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: renew needs a sig file, not standard output ('/dev/stdout')\n"
    );
    assert_eq!(dir.read("out"), b"");

    // keygen never writes a key to stdout, by any name.
    let r = run_sh(&dir.0, "exec \"$BIN\" keygen k.pem /dev/stdout > out");
    r.expect(2);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: keygen writes files, not - (stdout)\n"
    );
    assert_eq!(dir.read("out"), b"");
    assert!(!dir.path("k.pem").exists());

    // A descriptor alias that is not stdout is still appended to, as before.
    dir.write("log", b"old\n");
    let r = run_sh(
        &dir.0,
        "exec \"$BIN\" gen ec_key.pem /dev/fd/3 1400001052 xiaojun 3>>log",
    );
    r.expect(0);
    assert_eq!(r.stdout, "generate sig ok\n");
    let log = String::from_utf8(dir.read("log")).unwrap();
    decode_independently(log.strip_prefix("old\n").unwrap());
}

/// Whether `ticket` verifies with the key `form` signed with.
fn verifies_with(dir: &Scratch, form: &str, ticket: &str) -> bool {
    dir.write("check.sig", ticket.as_bytes());
    let (verb, key) = match form {
        "gen" => ("verify", "public.pem"),
        _ => ("verify2", "file:secret.txt"),
    };
    run(&dir.0, [verb, key, "check.sig", "1400001052", "xiaojun"]).code == 0
}
