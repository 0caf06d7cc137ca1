//! The second attack pass: `renew --config` and every writer keep the file rules of a
//! single renew. Manifest paths obey the link rule; owner, group and mode are set before
//! the new file takes its name; nobody else can hold the run's lock; no number panics;
//! nothing named in a manifest is waited on; no writer replaces a key, a secret or one
//! of its own inputs.

use crate::common;

use std::fs;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::precondition::{ROOT, SETPRIV, require};
use common::{BIN, NOBODY, Scratch, as_nobody, run, run_bounded};

fn manifest(s: &Scratch, text: &str) {
    s.write("m.toml", text.as_bytes());
}

/// One `[[ticket]]` for `file`, signed with `key`.
fn entry(file: &str, key: &str, identifier: &str) -> String {
    format!(
        "[[ticket]]\nfile = \"{file}\"\nkey = \"{key}\"\nsdkappid = 1400001052\n\
         identifier = \"{identifier}\"\nwithin = \"30d\"\n"
    )
}

// 1. Manifest entries obey the single-file link rule.

/// Another user's link on the way to an entry's file is never followed: the entry fails
/// with a line naming the link and its owner, the root-owned directory it points to gets
/// nothing, and the other entries still run.
#[test]
#[cfg_attr(not(ci), ignore = "needs root; CI=true runs it")]
fn an_entry_through_another_users_link_fails_and_the_others_run() {
    require(&[ROOT, SETPRIV]);
    let s = Scratch::new("fleet-link");
    fs::create_dir(s.path("rootdir")).unwrap();
    fs::create_dir(s.path("data")).unwrap();
    std::os::unix::fs::chown(s.path("data"), Some(NOBODY), Some(NOBODY)).unwrap();
    let planted = as_nobody()
        .arg("ln")
        .arg("-s")
        .arg(s.path("rootdir"))
        .arg(s.path("data/tickets"))
        .status()
        .unwrap();
    assert!(planted.success());
    manifest(
        &s,
        &format!(
            "{}{}",
            entry("data/tickets/a.sig", "file:secret.txt", "a"),
            entry("b.sig", "file:secret.txt", "b")
        ),
    );
    for extra in [None, Some("--json")] {
        let mut args = vec!["renew", "--config", "m.toml"];
        args.extend(extra);
        let r = run(&s.0, &args);
        assert_eq!(r.code, 1, "{r:#?}");
        let want = format!(
            "tls_licence_tools: error: '{}/data/tickets/a.sig': cannot write sig file \
             '{}/data/tickets/a.sig': '{}/data/tickets' is a symbolic link owned by another \
             user (uid 65534); such a link is never followed, as it could send the write \
             anywhere: give the real path, or remove the link\n",
            s.0.display(),
            s.0.display(),
            s.0.display()
        );
        assert_eq!(
            r.stderr.lines().next().map(|l| format!("{l}\n")),
            Some(want)
        );
        assert_eq!(fs::read_dir(s.path("rootdir")).unwrap().count(), 0);
        assert!(s.path("b.sig").exists());
    }
}

/// Entries are told apart by what they open, not by resolving links when the manifest
/// is read: the hook gets the path as written (made absolute), and two names of one file
/// (a link of ours to the directory) are one entry too many.
#[test]
fn entries_keep_their_paths_and_duplicates_are_found_by_what_they_open() {
    let s = Scratch::new("fleet-names");
    fs::create_dir(s.path("real")).unwrap();
    symlink("real", s.path("alias")).unwrap();
    manifest(
        &s,
        &format!(
            "{}deploy_hook = 'printf \"%s\\n\" \"$USERSIG_FILE\" > hook.out'\n",
            entry("alias/a.sig", "file:secret.txt", "a")
        ),
    );
    run(&s.0, ["renew", "--config", "m.toml"]).expect(0);
    assert_eq!(
        fs::read_to_string(s.path("hook.out")).unwrap(),
        format!("{}/alias/a.sig\n", s.0.display())
    );
    assert!(s.path("real/a.sig").exists());
    manifest(
        &s,
        &format!(
            "{}{}",
            entry("alias/a.sig", "file:secret.txt", "a"),
            entry("real/a.sig", "file:secret.txt", "a")
        ),
    );
    for extra in [None, Some("--dry-run")] {
        let mut args = vec!["renew", "--config", "m.toml"];
        args.extend(extra);
        let r = run(&s.0, &args);
        r.expect(2);
        assert_eq!(
            r.stderr,
            "tls_licence_tools: error: manifest 'm.toml': ticket 2 ('real/a.sig'): a second \
             entry for the same file; each file has one entry\n"
        );
    }
}

/// `file = "dir/"` names a directory: a manifest error, never a file named `dir`.
#[test]
fn a_file_with_a_trailing_slash_is_a_manifest_error() {
    let s = Scratch::new("fleet-slash");
    manifest(&s, &entry("tickets/", "file:secret.txt", "a"));
    let r = run(&s.0, ["renew", "--config", "m.toml"]);
    r.expect(2);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: manifest 'm.toml': ticket 1 ('tickets/'): file names a \
         directory, not a file (it ends in '/', '.' or '..')\n"
    );
    assert!(!s.path("tickets").exists());
}

// 2. Owner, group and mode are set on the open file, before it takes the name.

/// Exchange two names in one directory (renameat2 RENAME_EXCHANGE), atomically.
fn exchange(dir: &OwnedFd, a: &str, b: &str) -> bool {
    nix::fcntl::renameat2(
        dir.as_fd(),
        a,
        dir.as_fd(),
        b,
        nix::fcntl::RenameFlags::RENAME_EXCHANGE,
    )
    .is_ok()
}

/// A directory on the way is swapped, again and again, with another user's link to a
/// directory holding root's file of the same name, while renew --config writes with an
/// owner and group. The ticket is given away on its open descriptor before the rename,
/// so root's file never changes hands (before: 39 of 300 runs handed it over).
#[test]
#[cfg_attr(not(ci), ignore = "needs root; CI=true runs it")]
fn a_directory_swapped_during_the_write_never_gets_a_root_file_given_away() {
    require(&[ROOT]);
    let s = Scratch::new("fleet-swap");
    fs::create_dir_all(s.path("p/d")).unwrap();
    fs::create_dir(s.path("victim")).unwrap();
    s.write("victim/a.sig", b"root's file\n");
    // The attacker's link, beside the real directory in a directory the attacker owns.
    symlink(s.path("victim"), s.path("p/e")).unwrap();
    nix::unistd::fchownat(
        nix::fcntl::AT_FDCWD,
        &s.path("p/e"),
        Some(NOBODY.into()),
        Some(NOBODY.into()),
        nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
    )
    .unwrap();
    std::os::unix::fs::chown(s.path("p"), Some(NOBODY), Some(NOBODY)).unwrap();
    manifest(
        &s,
        &format!(
            "{}owner = {NOBODY}\ngroup = {NOBODY}\nmode = \"0640\"\n",
            entry("p/d/a.sig", "file:secret.txt", "a")
        ),
    );
    let p = nix::fcntl::open(
        &s.path("p"),
        nix::fcntl::OFlag::O_PATH | nix::fcntl::OFlag::O_DIRECTORY,
        nix::sys::stat::Mode::empty(),
    )
    .unwrap();
    let real = nix::fcntl::open(
        &s.path("p/d"),
        nix::fcntl::OFlag::O_PATH | nix::fcntl::OFlag::O_DIRECTORY,
        nix::sys::stat::Mode::empty(),
    )
    .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let swaps = Arc::new(AtomicUsize::new(0));
    let swapper = {
        let (stop, swaps) = (stop.clone(), swaps.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if exchange(&p, "d", "e") {
                    swaps.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };
    let (mut written, mut refused) = (0, 0);
    for _ in 0..300 {
        // The real directory, whatever its name now, has no ticket: the run creates one.
        // (Removed through its descriptor: by path, this test would race its own swapper.)
        let _ = nix::unistd::unlinkat(&real, "a.sig", nix::unistd::UnlinkatFlags::NoRemoveDir);
        let r = run(&s.0, ["renew", "--config", "m.toml", "--quiet"]);
        match r.code {
            0 => written += 1,
            1 => {
                assert!(
                    r.stderr
                        .contains("is a symbolic link owned by another user (uid 65534)")
                        // (A link when first looked at, a directory at the second look.)
                        || r.stderr.contains("/p/d' is not a directory")
                        || r.stderr.contains("replaced by another file"),
                    "{r:#?}"
                );
                refused += 1;
            }
            _ => panic!("{r:#?}"),
        }
        let victim = fs::metadata(s.path("victim/a.sig")).unwrap();
        assert_eq!(
            (victim.uid(), victim.gid()),
            (0, 0),
            "root's file was given away"
        );
        assert_eq!(fs::read(s.path("victim/a.sig")).unwrap(), b"root's file\n");
    }
    stop.store(true, Ordering::Relaxed);
    swapper.join().unwrap();
    // The swaps landed during the runs: some runs met the link, some the directory.
    assert!(swaps.load(Ordering::Relaxed) > 300, "too few swaps");
    assert!(
        written > 0 && refused > 0,
        "written {written}, refused {refused}"
    );
}

// 3. No local user can stop the fleet.

/// Another user holding flocks on the manifest and its directory (both readable by all)
/// does not stop the run; the run's own lock file is 0600, ours, and holds its pid.
#[test]
#[cfg_attr(not(ci), ignore = "needs root; CI=true runs it")]
fn another_user_cannot_hold_the_runs_lock() {
    require(&[ROOT, SETPRIV]);
    let s = Scratch::new("fleet-lockdos");
    fs::set_permissions(&s.0, fs::Permissions::from_mode(0o755)).unwrap();
    manifest(&s, &entry("a.sig", "file:secret.txt", "a"));
    fs::set_permissions(s.path("m.toml"), fs::Permissions::from_mode(0o644)).unwrap();
    let mut holders: Vec<std::process::Child> = ["m.toml", "."]
        .iter()
        .map(|target| {
            as_nobody()
                .args([
                    "flock",
                    "--shared",
                    target,
                    "sh",
                    "-c",
                    "echo held; sleep 60",
                ])
                .current_dir(&s.0)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // Both locks are held before the run starts.
    for h in &mut holders {
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(h.stdout.as_mut().unwrap()),
            &mut line,
        )
        .unwrap();
        assert_eq!(line, "held\n");
    }
    let r = run_bounded(
        &s.0,
        &["renew", "--config", "m.toml", "--lock-timeout", "1s"],
    );
    for mut h in holders {
        let _ = h.kill();
        let _ = h.wait();
    }
    r.expect(0);
    let lock = fs::symlink_metadata(s.path(".m.toml.lock")).unwrap();
    assert!(lock.is_file());
    assert_eq!((lock.uid(), lock.mode() & 0o7777), (0, 0o600));
    let pid: u32 = fs::read_to_string(s.path(".m.toml.lock"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(pid > 0);
}

/// A lock file that is a link, or that others may open, is refused with a line saying
/// why (exit 3, nothing renewed).
#[test]
fn a_lock_file_anyone_else_could_hold_is_refused() {
    let s = Scratch::new("fleet-lockfile");
    manifest(&s, &entry("a.sig", "file:secret.txt", "a"));
    let attempt = |s: &Scratch| run(&s.0, ["renew", "--config", "m.toml"]);

    symlink("m.toml", s.path(".m.toml.lock")).unwrap();
    let r = attempt(&s);
    r.expect(3);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: cannot write lock file '.m.toml.lock': is a symbolic link; \
         remove it (the file is made anew); cannot lock the run on 'm.toml'\n"
    );
    fs::remove_file(s.path(".m.toml.lock")).unwrap();

    s.write(".m.toml.lock", b"");
    fs::set_permissions(s.path(".m.toml.lock"), fs::Permissions::from_mode(0o644)).unwrap();
    let r = attempt(&s);
    r.expect(3);
    assert!(
        r.stderr.contains(
            "'.m.toml.lock': has mode 0644: others could open it and hold it; chmod 600 it"
        ),
        "{r:#?}"
    );
    fs::remove_file(s.path(".m.toml.lock")).unwrap();

    assert!(!s.path("a.sig").exists());
}

/// A lock file another user made (in a directory they may write) is refused: they
/// could hold it forever.
#[test]
#[cfg_attr(not(ci), ignore = "needs root; CI=true runs it")]
fn a_lock_file_of_another_user_is_refused() {
    require(&[ROOT]);
    let s = Scratch::new("fleet-lockowner");
    manifest(&s, &entry("a.sig", "file:secret.txt", "a"));
    s.write(".m.toml.lock", b"");
    fs::set_permissions(s.path(".m.toml.lock"), fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::chown(s.path(".m.toml.lock"), Some(NOBODY), Some(NOBODY)).unwrap();
    let r = run(&s.0, ["renew", "--config", "m.toml"]);
    r.expect(3);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: cannot write lock file '.m.toml.lock': is owned by another \
         user (uid 65534), who could hold it forever; remove it, or keep it where only this \
         user can write; cannot lock the run on 'm.toml'\n"
    );
    assert!(!s.path("a.sig").exists());
}

/// In a manifest directory the runner may not write (a read-only /etc), a lock file
/// made there before still serves: opened for reading, it is locked all the same.
#[test]
#[cfg_attr(not(ci), ignore = "needs root; CI=true runs it")]
fn a_lock_file_in_a_directory_the_runner_cannot_write_still_locks() {
    require(&[ROOT, SETPRIV]);
    let s = Scratch::new("fleet-lockro");
    for d in ["etc", "out"] {
        fs::create_dir(s.path(d)).unwrap();
    }
    s.write(
        "etc/m.toml",
        entry("../out/a.sig", "file:secret.txt", "a").as_bytes(),
    );
    fs::copy(s.path("secret.txt"), s.path("etc/secret.txt")).unwrap();
    s.write("etc/.m.toml.lock", b"");
    // The state file likewise (made empty, as with touch).
    s.write("etc/.m.toml.state", b"");
    for f in [
        "etc",
        "out",
        "etc/m.toml",
        "etc/secret.txt",
        "etc/.m.toml.lock",
        "etc/.m.toml.state",
    ] {
        std::os::unix::fs::chown(s.path(f), Some(NOBODY), Some(NOBODY)).unwrap();
    }
    fs::set_permissions(
        s.path("etc/.m.toml.lock"),
        fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    fs::set_permissions(s.path("etc"), fs::Permissions::from_mode(0o555)).unwrap();
    let attempt = || {
        as_nobody()
            .args([BIN, "renew", "--config", "etc/m.toml", "--quiet"])
            .current_dir(&s.0)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    // Held by another run of ours: this one waits, then gives up.
    let lock = fs::File::open(s.path("etc/.m.toml.lock")).unwrap();
    let held = nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusive).unwrap();
    let out = as_nobody()
        .args([
            BIN,
            "renew",
            "--config",
            "etc/m.toml",
            "--lock-timeout",
            "0s",
        ])
        .current_dir(&s.0)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("another renew --config is still running"),
        "{out:?}"
    );
    drop(held);
    let out = attempt();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(s.path("out/a.sig").exists());
    // The run is remembered in the state file made before, rewritten in place, 0600.
    let state = fs::read_to_string(s.path("etc/.m.toml.state")).unwrap();
    assert!(
        state.contains("out/a.sig\"") && state.contains("\"success\": true"),
        "{state}"
    );
    let meta = fs::metadata(s.path("etc/.m.toml.state")).unwrap();
    assert_eq!((meta.uid(), meta.mode() & 0o777), (NOBODY, 0o600));
    fs::set_permissions(s.path("etc"), fs::Permissions::from_mode(0o755)).unwrap();
}

// 4. Numbers never panic, and a bad value stops the run before it starts.

#[test]
fn out_of_range_numbers_stop_the_run_before_anything_is_done() {
    let s = Scratch::new("fleet-numbers");
    manifest(
        &s,
        &format!(
            "{}deploy_hook = 'touch hooked'\n",
            entry("a.sig", "file:secret.txt", "a")
        ),
    );
    let r = run(
        &s.0,
        [
            "renew",
            "--config",
            "m.toml",
            "--lock-timeout",
            "18446744073709551615",
        ],
    );
    r.expect(2);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: --lock-timeout: \"18446744073709551615\" is out of range: \
         give from 0s to 1d\n"
    );
    manifest(
        &s,
        &format!(
            "{}hook_timeout = \"18446744073709551615\"\ndeploy_hook = 'touch hooked'\n{}",
            entry("a.sig", "file:secret.txt", "a"),
            entry("b.sig", "file:secret.txt", "b")
        ),
    );
    let r = run(&s.0, ["renew", "--config", "m.toml"]);
    r.expect(2);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: manifest 'm.toml': ticket 1 ('a.sig'): hook_timeout: \
         \"18446744073709551615\" is out of range: give from 1s to 1d\n"
    );
    assert!(!s.path("a.sig").exists() && !s.path("b.sig").exists());
    assert!(!s.path("hooked").exists());
}

// 5. Nothing in a manifest is waited on.

/// A key given as a FIFO (no writer) fails its entry at once in renew --config, and is
/// refused by metrics --config, instead of hanging either.
#[test]
fn a_fifo_named_as_a_key_is_refused_not_waited_on() {
    let s = Scratch::new("fleet-keyfifo");
    nix::unistd::mkfifo(
        &s.path("k.fifo"),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .unwrap();
    manifest(
        &s,
        &format!(
            "{}{}",
            entry("a.sig", "file:k.fifo", "a"),
            entry("b.sig", "file:secret.txt", "b")
        ),
    );
    let r = run_bounded(&s.0, &["renew", "--config", "m.toml", "--quiet"]);
    assert_eq!(r.code, 1);
    let fifo = s.path("k.fifo");
    assert_eq!(
        r.stderr,
        format!(
            "tls_licence_tools: error: '{}/a.sig': cannot read key file '{}': is a FIFO \
             (named pipe), not a regular file\ntls_licence_tools: error: renew --config: 1 \
             of 2 entries failed (see above); the others were handled\n",
            s.0.display(),
            fifo.display()
        )
    );
    assert!(s.path("b.sig").exists() && !s.path("a.sig").exists());
    let r = run_bounded(&s.0, &["metrics", "--config", "m.toml"]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.starts_with(&format!(
            "tls_licence_tools: error: cannot read key file '{}': is a FIFO (named pipe), not \
             a regular file\n",
            fifo.display()
        )),
        "{r:#?}"
    );
    assert!(
        r.stdout.contains("usersig_expiry_timestamp_seconds{file="),
        "{r:#?}"
    );
}

// 6. A key or a secret is never overwritten by a ticket.

/// Every writer refuses to replace a file that holds key material, with exit 3 and a
/// line naming what the file holds; the file is unchanged.
#[test]
fn no_writer_replaces_a_key_or_a_secret() {
    let s = Scratch::new("keys-kept");
    let secret_line = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e\n";
    s.write("console.txt", secret_line.as_bytes());
    s.write("other.pem", &s.read("ec_key.pem"));
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["gen", "ec_key.pem", "public.pem", "1400001052", "alice"],
            "public.pem",
            "sig file 'public.pem' holds a public key (PEM PUBLIC KEY block), not a ticket",
        ),
        (
            &["gen", "ec_key.pem", "other.pem", "1400001052", "alice"],
            "other.pem",
            "sig file 'other.pem' holds a private key (PEM EC PRIVATE KEY block), not a ticket",
        ),
        (
            &[
                "gen2",
                "file:secret.txt",
                "console.txt",
                "1400001052",
                "alice",
            ],
            "console.txt",
            "sig file 'console.txt' holds a v2 secret (64 hexadecimal characters), not a ticket",
        ),
        (
            &[
                "genexpire",
                "ec_key.pem",
                "private_pkcs8.pem",
                "1400001052",
                "alice",
                "3600",
            ],
            "private_pkcs8.pem",
            "sig file 'private_pkcs8.pem' holds a private key (PEM PRIVATE KEY block), not a ticket",
        ),
        (
            &[
                "renew",
                "file:secret.txt",
                "console.txt",
                "1400001052",
                "alice",
                "--within",
                "1d",
            ],
            "console.txt",
            "sig file 'console.txt' holds a v2 secret (64 hexadecimal characters), not a ticket",
        ),
        (
            &["metrics", "x.sig", "--textfile", "public.pem"],
            "public.pem",
            "metrics file 'public.pem' holds a public key (PEM PUBLIC KEY block), not metrics",
        ),
    ];
    for (args, file, want) in cases {
        let before = s.read(file);
        let r = run(&s.0, *args);
        r.expect(3);
        assert_eq!(
            r.stderr.lines().last().unwrap_or_default(),
            format!("tls_licence_tools: error: {want}: nothing was written"),
            "{args:?}"
        );
        assert_eq!(s.read(file), before, "{args:?}");
    }
}

/// metrics --textfile never replaces one of its inputs: a sig file it exports, a key it
/// reads, or its manifest.
#[test]
fn metrics_never_writes_over_its_inputs() {
    let s = Scratch::new("metrics-inputs");
    run(
        &s.0,
        ["gen2", "file:secret.txt", "a.sig", "1400001052", "a"],
    )
    .expect(0);
    manifest(&s, &entry("a.sig", "file:secret.txt", "a"));
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["metrics", "a.sig", "--textfile", "a.sig"],
            "a.sig",
            "metrics file 'a.sig' is a sig file it exports: nothing was written",
        ),
        (
            &["metrics", "--config", "m.toml", "--textfile", "m.toml"],
            "m.toml",
            "metrics file 'm.toml' is the manifest: nothing was written",
        ),
        (
            &["metrics", "--config", "m.toml", "--textfile", "./a.sig"],
            "a.sig",
            "metrics file './a.sig' is a sig file it exports: nothing was written",
        ),
    ];
    for (args, file, want) in cases {
        let before = s.read(file);
        let r = run(&s.0, *args);
        r.expect(3);
        assert_eq!(
            r.stderr,
            format!("tls_licence_tools: error: {want}\n"),
            "{args:?}"
        );
        assert_eq!(s.read(file), before, "{args:?}");
    }
}

/// A manifest whose ticket would land on a key (its own or another entry's), on the
/// manifest, or on a file that holds key material is refused whole, dry run included.
#[test]
fn a_manifest_that_would_overwrite_a_key_is_refused_before_anything_runs() {
    let s = Scratch::new("fleet-keys");
    let key_file = |file: &str| {
        format!(
            "{}{}",
            entry("a.sig", "ec_key.pem", "a"),
            entry(file, "file:secret.txt", "b")
        )
    };
    let cases = [
        (
            key_file("ec_key.pem"),
            "ticket 2 ('ec_key.pem'): file is the key of ticket 1; a ticket would replace the key",
        ),
        (
            key_file("secret.txt"),
            "ticket 2 ('secret.txt'): file is its own key; a ticket would replace the key",
        ),
        (
            key_file("./public.pem"),
            "ticket 2 ('./public.pem'): file holds a public key (PEM PUBLIC KEY block), not a \
             ticket; a ticket never replaces key material",
        ),
        (
            key_file("m.toml"),
            "ticket 2 ('m.toml'): file is the manifest itself",
        ),
    ];
    for (text, want) in cases {
        manifest(&s, &text);
        let keys = [
            s.read("ec_key.pem"),
            s.read("secret.txt"),
            s.read("public.pem"),
        ];
        for extra in [None, Some("--dry-run")] {
            let mut args = vec!["renew", "--config", "m.toml"];
            args.extend(extra);
            let r = run(&s.0, &args);
            r.expect(2);
            assert_eq!(
                r.stderr,
                format!("tls_licence_tools: error: manifest 'm.toml': {want}\n")
            );
        }
        assert!(!s.path("a.sig").exists());
        assert_eq!(
            [
                s.read("ec_key.pem"),
                s.read("secret.txt"),
                s.read("public.pem")
            ],
            keys
        );
    }
}

/// keygen never writes the public key over the private key, however the two paths
/// are spelt: refused before either is written.
#[test]
fn keygen_never_writes_both_keys_to_one_file() {
    let s = Scratch::new("keygen-one-file");
    fs::create_dir(s.path("d")).unwrap();
    symlink("d", s.path("alias")).unwrap();
    for (private, public) in [("k.pem", "./k.pem"), ("d/k.pem", "alias/k.pem")] {
        let r = run(&s.0, ["keygen", "--force", private, public]);
        r.expect(2);
        assert_eq!(
            r.stderr,
            "tls_licence_tools: error: the private and public key files must be different \
             files\n"
        );
        assert!(!s.path("k.pem").exists() && !s.path("d/k.pem").exists());
    }
}

/// The state file that says which deploy hooks run again is guarded like the lock: a
/// link in its place is never read through, and the run stops before anything is done.
#[test]
fn a_state_file_that_is_a_link_is_refused() {
    let s = Scratch::new("fleet-statelink");
    manifest(
        &s,
        &format!(
            "{}deploy_hook = 'touch hooked'\n",
            entry("a.sig", "file:secret.txt", "a")
        ),
    );
    s.write("elsewhere.json", b"{\"entries\":{}}\n");
    symlink("elsewhere.json", s.path(".m.toml.state")).unwrap();
    let r = run(&s.0, ["renew", "--config", "m.toml"]);
    r.expect(3);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: cannot read state file '.m.toml.state': is a symbolic \
         link; it is never read or written through: give the path of the file itself\n"
    );
    assert!(!s.path("a.sig").exists() && !s.path("hooked").exists());
    assert_eq!(s.read("elsewhere.json"), b"{\"entries\":{}}\n");
}

/// A state file of ours that group or others may write is refused, for the same reason
/// as another user's.
#[test]
fn a_state_file_others_may_write_is_refused() {
    let s = Scratch::new("fleet-statemode");
    manifest(
        &s,
        &format!(
            "{}deploy_hook = 'touch hooked'\n",
            entry("a.sig", "file:secret.txt", "a")
        ),
    );
    s.write(".m.toml.state", b"{\"entries\":{}}\n");
    fs::set_permissions(s.path(".m.toml.state"), fs::Permissions::from_mode(0o620)).unwrap();
    let r = run(&s.0, ["renew", "--config", "m.toml"]);
    r.expect(3);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: state file '.m.toml.state' has mode 0620: others could \
         make this run a deploy hook or hide a failed one; chmod 600 it\n"
    );
    assert!(!s.path("a.sig").exists() && !s.path("hooked").exists());
}

/// A state file another user made is refused: they could make this user's run a deploy
/// hook at will, or hide one that failed.
#[test]
#[cfg_attr(not(ci), ignore = "needs root; CI=true runs it")]
fn a_state_file_of_another_user_is_refused() {
    require(&[ROOT]);
    let s = Scratch::new("fleet-stateowner");
    manifest(&s, &entry("a.sig", "file:secret.txt", "a"));
    s.write(".m.toml.state", b"{\"entries\":{}}\n");
    fs::set_permissions(s.path(".m.toml.state"), fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::chown(s.path(".m.toml.state"), Some(NOBODY), Some(NOBODY)).unwrap();
    let r = run(&s.0, ["renew", "--config", "m.toml"]);
    r.expect(3);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: state file '.m.toml.state' is owned by another user (uid \
         65534), who could make this run a deploy hook or hide a failed one; remove it\n"
    );
    assert!(!s.path("a.sig").exists());
    assert_eq!(fs::metadata(s.path(".m.toml.state")).unwrap().uid(), NOBODY);
}
