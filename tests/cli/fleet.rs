//! renew --config: a TOML manifest of tickets, deploy hooks, the lock, dry runs, JSON.

use crate::common;

use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{BIN, OTHER_SECRET, Run, SECRET, Scratch, run, run_bounded};

/// A hook that appends its USERSIG_ variables, one line, to hooks.log beside the manifest.
const RECORD: &str = "printf '%s %s %s %s\\n' \"$USERSIG_FILE\" \"$USERSIG_IDENTIFIER\" \"$USERSIG_SDKAPPID\" \"$USERSIG_EXPIRES_AT\" >> hooks.log";

fn manifest(s: &Scratch, text: &str) {
    s.write("m.toml", text.as_bytes());
}

/// A manifest of two tickets (v2 from the secret, v1 from the PEM key) with the recording
/// hook in [defaults].
fn two_tickets(s: &Scratch) {
    manifest(
        s,
        &format!(
            "[defaults]\nwithin = \"30d\"\ndeploy_hook = '''{RECORD}'''\n\n\
             [[ticket]]\nfile = \"admin.sig\"\nkey = \"file:secret.txt\"\nsdkappid = 1400001052\nidentifier = \"administrator\"\n\n\
             [[ticket]]\nfile = \"bot.sig\"\nkey = \"ec_key.pem\"\nsdkappid = 1400001052\nidentifier = \"bot\"\n"
        ),
    );
}

/// The hook log's lines (none when it does not exist).
fn hook_lines(s: &Scratch) -> Vec<String> {
    fs::read_to_string(s.path("hooks.log"))
        .map(|t| t.lines().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// `inspect --json` of a sig file: (identifier, expires_at).
fn inspect(s: &Scratch, name: &str) -> (String, i64) {
    let r = run(&s.0, ["inspect", name, "--json"]);
    r.expect(0);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    let info = v.get("ticket").unwrap_or(&v);
    let expires = info["expires_at"]
        .as_i64()
        .or_else(|| v["expires_at"].as_i64())
        .unwrap_or_else(|| panic!("no expires_at in {v}"));
    let id = info["identifier"]
        .as_str()
        .or_else(|| v["identifier"].as_str())
        .unwrap()
        .to_owned();
    (id, expires)
}

fn verifies(s: &Scratch, name: &str, identifier: &str) {
    let (cmd, key) = match name.starts_with("admin") {
        true => ("verify2", "file:secret.txt"),
        false => ("verify", "public.pem"),
    };
    run(&s.0, [cmd, key, name, "1400001052", identifier]).expect(0);
}

fn expect_status(r: &Run, code: i32) {
    assert_eq!(r.code, code, "{r:#?}");
    r.assert_no_secrets();
}

#[test]
fn creates_then_keeps_then_renews_with_one_hook_per_renewal() {
    let s = Scratch::new("fleet-cycle");
    two_tickets(&s);
    let dir = fs::canonicalize(&s.0).unwrap();
    let r = run(&s.0, ["renew", "--config", "m.toml"]);
    r.expect(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{r:#?}");
    let admin = dir.join("admin.sig");
    let bot = dir.join("bot.sig");
    assert!(lines[0].starts_with(&format!(
        "created '{}': there was no ticket; the new v2 ticket is valid until ",
        admin.display()
    )));
    assert_eq!(
        lines[1],
        format!("deploy hook for '{}' succeeded", admin.display())
    );
    assert!(lines[2].starts_with(&format!(
        "created '{}': there was no ticket; the new v1 ticket is valid until ",
        bot.display()
    )));
    verifies(&s, "admin.sig", "administrator");
    verifies(&s, "bot.sig", "bot");
    let (_, admin_exp) = inspect(&s, "admin.sig");
    let (_, bot_exp) = inspect(&s, "bot.sig");
    assert_eq!(
        hook_lines(&s),
        [
            format!("{} administrator 1400001052 {admin_exp}", admin.display()),
            format!("{} bot 1400001052 {bot_exp}", bot.display()),
        ]
    );
    // New files are 0600.
    assert_eq!(fs::metadata(&admin).unwrap().mode() & 0o777, 0o600);

    // Fresh tickets are kept byte for byte, and no hook runs.
    let before = (s.read("admin.sig"), s.read("bot.sig"));
    let r = run(&s.0, ["renew", "--config", "m.toml"]);
    r.expect(0);
    assert!(r.stdout.lines().all(|l| l.starts_with("kept '")), "{r:#?}");
    assert_eq!(r.stdout.lines().count(), 2);
    assert_eq!((s.read("admin.sig"), s.read("bot.sig")), before);
    assert_eq!(hook_lines(&s).len(), 2);

    // A ticket within the window is renewed; only its hook runs.
    run(
        &s.0,
        [
            "gen2",
            "file:secret.txt",
            "admin.sig",
            "1400001052",
            "administrator",
            "--expire",
            "1d",
        ],
    )
    .expect(0);
    let r = run(&s.0, ["renew", "--config", "m.toml"]);
    r.expect(0);
    assert!(
        r.stdout.starts_with(&format!(
            "renewed '{}': the old ticket expires at ",
            admin.display()
        )),
        "{r:#?}"
    );
    assert_eq!(s.read("bot.sig"), before.1);
    let (_, new_exp) = inspect(&s, "admin.sig");
    let hooks = hook_lines(&s);
    assert_eq!(hooks.len(), 3);
    assert_eq!(
        hooks[2],
        format!("{} administrator 1400001052 {new_exp}", admin.display())
    );
}

#[test]
fn one_failing_entry_does_not_stop_the_others() {
    let s = Scratch::new("fleet-fail");
    manifest(
        &s,
        &format!(
            "[defaults]\nwithin = \"30d\"\n\n\
             [[ticket]]\nfile = \"gone/a.sig\"\nkey = \"file:secret.txt\"\nsdkappid = 1400001052\nidentifier = \"a\"\n\n\
             [[ticket]]\nfile = \"b.sig\"\nkey = \"file:missing.txt\"\nsdkappid = 1400001052\nidentifier = \"b\"\n\n\
             [[ticket]]\nfile = \"c.sig\"\nkey = \"file:secret.txt\"\nsdkappid = 1400001052\nidentifier = \"c\"\ndeploy_hook = \"exit 7\"\n\n\
             [[ticket]]\nfile = \"d.sig\"\nkey = \"file:secret.txt\"\nsdkappid = 1400001052\nidentifier = \"d\"\ndeploy_hook = '''{RECORD}'''\n"
        ),
    );
    let r = run(&s.0, ["renew", "--config", "m.toml"]);
    expect_status(&r, 1);
    let err: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(err.len(), 4, "{r:#?}");
    assert!(err[0].starts_with("tls_licence_tools: error: '") && err[0].contains("gone/a.sig"));
    assert!(err[0].contains("does not exist"), "{}", err[0]);
    assert!(
        err[1].contains("b.sig") && err[1].contains("missing.txt"),
        "{}",
        err[1]
    );
    assert!(
        err[2].starts_with("tls_licence_tools: error: deploy hook for '")
            && err[2].ends_with("c.sig' failed: exit status 7; the next run runs it again"),
        "{}",
        err[2]
    );
    assert_eq!(
        err[3],
        "tls_licence_tools: error: renew --config: 3 of 4 entries failed (see above); the others were handled"
    );
    // The entries after the failures were still handled.
    assert!(s.path("c.sig").exists() && s.path("d.sig").exists());
    assert!(!s.path("b.sig").exists());
    assert_eq!(hook_lines(&s).len(), 1);
    assert!(r.stdout.contains("created '") && r.stdout.contains("d.sig"));
}

#[test]
fn a_wrong_manifest_is_refused_whole_and_nothing_is_done() {
    let good = format!(
        "[[ticket]]\nfile = \"a.sig\"\nkey = \"file:secret.txt\"\nsdkappid = 1400001052\nidentifier = \"a\"\nwithin = \"30d\"\ndeploy_hook = '''{RECORD}'''\n"
    );
    let cases: Vec<(String, &str)> = vec![
        (
            format!("{good}withn = \"1d\"\n"),
            "manifest 'm.toml': line 8, column 1: unknown field `withn`, expected one of",
        ),
        (
            format!(
                "{good}\n[[ticket]]\nfile = \"b.sig\"\nsdkappid = 1\nwithin = \"1d\"\nkey = \"k\"\n"
            ),
            "missing field `identifier`",
        ),
        (
            format!("{good}{good}"),
            "ticket 2 ('a.sig'): a second entry for the same file",
        ),
        (
            good.replace("30d", "180d"),
            "within 180 days is not shorter than the ticket's validity 180 days",
        ),
        (
            format!("{good}[[ticket\n"),
            "line 8, column 9: unclosed array table",
        ),
        (
            format!("[defaults]\nfile = \"x\"\n{good}"),
            "line 2, column 1: unknown field `file`",
        ),
        (
            format!(
                "{good}\n[[ticket]]\nfile = \"b.sig\"\nsdkappid = 1400001052\nidentifier = \"b\"\nwithin = \"1d\"\n"
            ),
            "ticket 2 ('b.sig'): no key",
        ),
        (
            good.replace("identifier = \"a\"", "identifier = \"a b\\u0001\""),
            "ticket 1 ('a.sig'): identifier",
        ),
        (
            format!("{good}owner = \"no-such-user-xyz\"\n"),
            "owner 'no-such-user-xyz' is not a user on this machine",
        ),
        (
            format!("{good}{}", good.replace("\"a.sig\"", "\"sub/../a.sig\"")),
            "ticket 2 ('sub/../a.sig'): a second entry for the same file",
        ),
        (
            good.replace("\"a.sig\"", "\"m.toml\""),
            "ticket 1 ('m.toml'): file is the manifest itself",
        ),
        (
            format!("{good}mode = \"0666\"\n"),
            "mode 0666: a ticket file must not be executable",
        ),
    ];
    for (text, want) in cases {
        let s = Scratch::new("fleet-bad");
        fs::create_dir(s.path("sub")).unwrap();
        manifest(&s, &text);
        for extra in [None, Some("--dry-run"), Some("--json")] {
            let mut args = vec!["renew", "--config", "m.toml"];
            args.extend(extra);
            let r = run(&s.0, &args);
            if extra == Some("--json") {
                assert_eq!(r.code, 2, "{r:#?}");
                assert!(r.stderr.contains(want), "{text}\n{r:#?}");
            } else {
                r.expect(2);
                assert!(
                    r.stderr
                        .starts_with("tls_licence_tools: error: manifest 'm.toml': ")
                        && r.stderr.contains(want),
                    "{text}\nwant {want}\n{r:#?}"
                );
                assert_eq!(r.stdout, "");
            }
            assert!(!s.path("a.sig").exists(), "{text}");
            assert!(!s.path("hooks.log").exists(), "{text}");
        }
    }
}

#[test]
fn dry_run_says_what_each_entry_would_get_and_touches_nothing() {
    let s = Scratch::new("fleet-dry");
    two_tickets(&s);
    run(
        &s.0,
        [
            "gen2",
            "file:secret.txt",
            "admin.sig",
            "1400001052",
            "administrator",
            "--expire",
            "90d",
        ],
    )
    .expect(0);
    let before = s.listing();
    let admin = s.read("admin.sig");
    let r = run(&s.0, ["renew", "--config", "m.toml", "--dry-run"]);
    r.expect(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{r:#?}");
    // Each line names the entry's identifier and the version its key makes.
    assert!(
        lines[0].starts_with("would keep '")
            && lines[0].contains("admin.sig' (administrator, v2): the ticket is valid until "),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("would create '"), "{}", lines[1]);
    assert!(
        lines[1].ends_with("bot.sig' (bot, v1): there was no ticket; the deploy hook would run"),
        "{}",
        lines[1]
    );
    assert_eq!(s.listing(), before);
    assert_eq!(s.read("admin.sig"), admin);

    // An expiring one: would renew.
    run(
        &s.0,
        [
            "gen2",
            "file:secret.txt",
            "admin.sig",
            "1400001052",
            "administrator",
            "--expire",
            "1d",
        ],
    )
    .expect(0);
    let r = run(&s.0, ["renew", "--config", "m.toml", "--dry-run", "--json"]);
    r.expect(0);
    let objs: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objs[0]["action"], "renewed");
    assert_eq!(objs[0]["dry_run"], true);
    assert_eq!(objs[0]["expires_at"], serde_json::Value::Null);
    // Each would write a ticket, so each hook would run.
    assert_eq!(objs[0]["hook"], "would run");
    assert_eq!(objs[1]["action"], "created");
    assert_eq!(objs[1]["hook"], "would run");
    // The text says the same in words ("would renew", never "would renewe").
    let r = run(&s.0, ["renew", "--config", "m.toml", "--dry-run"]);
    r.expect(0);
    let first = r.stdout.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("would renew '")
            && first.contains("admin.sig' (administrator, v2): the old ticket expires at ")
            && first.ends_with("; the deploy hook would run"),
        "{first}"
    );
    assert!(!s.path("bot.sig").exists() && !s.path("hooks.log").exists());
}

#[test]
fn json_gives_one_object_per_entry_in_manifest_order() {
    let s = Scratch::new("fleet-json");
    two_tickets(&s);
    let r = run(&s.0, ["renew", "--config", "m.toml", "--json"]);
    r.expect(0);
    let objs: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objs.len(), 2);
    let (_, admin_exp) = inspect(&s, "admin.sig");
    let dir = fs::canonicalize(&s.0).unwrap();
    assert_eq!(objs[0]["file"], dir.join("admin.sig").to_str().unwrap());
    assert_eq!(objs[0]["identifier"], "administrator");
    assert_eq!(objs[0]["sdkappid"], 1400001052);
    assert_eq!(objs[0]["action"], "created");
    assert_eq!(objs[0]["reason"], "there was no ticket");
    assert_eq!(objs[0]["expires_at"], admin_exp);
    assert_eq!(objs[0]["hook"], "ok");
    assert_eq!(objs[1]["identifier"], "bot");
    let r = run(&s.0, ["renew", "--config", "m.toml", "--json"]);
    let objs: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objs[0]["action"], "kept");
    assert_eq!(objs[0]["hook"], serde_json::Value::Null);
    assert_eq!(objs[0]["expires_at"], admin_exp);
}

#[test]
fn quiet_prints_nothing_but_errors() {
    let s = Scratch::new("fleet-quiet");
    two_tickets(&s);
    let r = run(&s.0, ["renew", "--config", "m.toml", "--quiet"]);
    r.expect(0);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
    assert!(s.path("admin.sig").exists() && s.path("bot.sig").exists());
    fs::remove_file(s.path("secret.txt")).unwrap();
    fs::remove_file(s.path("admin.sig")).unwrap();
    let r = run(&s.0, ["renew", "--config", "m.toml", "--quiet"]);
    expect_status(&r, 1);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("secret.txt"), "{r:#?}");
}

#[test]
fn hooks_never_see_a_secret_and_are_killed_after_their_timeout() {
    let s = Scratch::new("fleet-env");
    manifest(
        &s,
        "[[ticket]]\nfile = \"a.sig\"\nkey = \"env:FLEET_TEST_SECRET\"\nsdkappid = 1400001052\nidentifier = \"a\"\nwithin = \"1d\"\ndeploy_hook = \"env > env.txt; echo hook-said-this\"\n\n\
         [[ticket]]\nfile = \"b.sig\"\nkey = \"env:FLEET_TEST_SECRET\"\nsdkappid = 1400001052\nidentifier = \"b\"\nwithin = \"1d\"\nhook_timeout = \"1s\"\ndeploy_hook = \"sleep 60\"\n",
    );
    let start = Instant::now();
    let out = Command::new(BIN)
        .args(["renew", "--config", "m.toml", "--json"])
        .current_dir(&s.0)
        .env("FLEET_TEST_SECRET", SECRET)
        .env("FLEET_OTHER", "visible")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    // Killed after 1 s, far sooner than its 60 s sleep.
    assert!(start.elapsed() < Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    // The hook's own output goes to stderr: stdout stays JSON lines.
    assert!(stderr.contains("hook-said-this"));
    for line in stdout.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
    assert!(
        stderr.contains("deploy hook for '")
            && stderr.contains("b.sig' failed: timed out after 1 second"),
        "{stderr}"
    );
    let env = fs::read_to_string(s.path("env.txt")).unwrap();
    assert!(
        !env.contains(SECRET) && !env.contains("FLEET_TEST_SECRET"),
        "{env}"
    );
    assert!(env.contains("FLEET_OTHER=visible"));
    assert!(
        env.contains("USERSIG_IDENTIFIER=a\n") && env.contains("USERSIG_SDKAPPID=1400001052\n")
    );
    assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET) && !stdout.contains(OTHER_SECRET));
    // The timed-out entry's ticket was written all the same.
    assert!(s.path("b.sig").exists());
}

#[test]
fn mode_owner_and_group_are_applied_to_the_written_file() {
    let s = Scratch::new("fleet-owner");
    manifest(
        &s,
        "[[ticket]]\nfile = \"a.sig\"\nkey = \"file:secret.txt\"\nsdkappid = 1400001052\nidentifier = \"a\"\nwithin = \"1d\"\nmode = \"0640\"\nowner = \"nobody\"\ngroup = 0\n",
    );
    let r = run(&s.0, ["renew", "--config", "m.toml"]);
    let meta = fs::metadata(s.path("a.sig")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o640);
    let nobody = nix::unistd::User::from_name("nobody")
        .unwrap()
        .unwrap()
        .uid
        .as_raw();
    if nix::unistd::geteuid().is_root() {
        r.expect(0);
        assert_eq!((meta.uid(), meta.gid()), (nobody, 0));
    } else {
        expect_status(&r, 1);
        assert!(r.stderr.contains("owner or group cannot be set"), "{r:#?}");
    }
}

#[test]
fn a_second_run_waits_for_the_lock_and_gives_up_with_a_clear_message() {
    let s = Scratch::new("fleet-lock");
    two_tickets(&s);
    // A run's lock file, held by a run (this test) that wrote its process id in it.
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(s.path(".m.toml.lock"))
        .unwrap();
    let mut held = nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusive).unwrap();
    writeln!(held, "{}", std::process::id()).unwrap();
    let r = run(
        &s.0,
        ["renew", "--config", "m.toml", "--lock-timeout", "1s"],
    );
    r.expect(3);
    assert_eq!(
        r.stderr,
        format!(
            "tls_licence_tools: error: another renew --config (pid {}) is still running on \
             'm.toml' after 1 second of waiting; try again later, or raise --lock-timeout\n",
            std::process::id()
        )
    );
    assert!(!s.path("admin.sig").exists());
    // A dry run does not wait.
    run(
        &s.0,
        [
            "renew",
            "--config",
            "m.toml",
            "--dry-run",
            "--lock-timeout",
            "1s",
        ],
    )
    .expect(0);
    drop(held);
    run(
        &s.0,
        ["renew", "--config", "m.toml", "--lock-timeout", "1s"],
    )
    .expect(0);
    assert_eq!(hook_lines(&s).len(), 2);
}

/// A manifest replaced while a run holds the lock (as an editor saves: a new file renamed
/// over the old) does not let a second run start: the first run's hook holds it until
/// the test has seen the second give up.
#[test]
fn a_manifest_replaced_during_a_run_still_keeps_a_second_run_out() {
    let s = Scratch::new("fleet-replaced");
    let text = "[defaults]\nwithin = \"30d\"\nhook_timeout = \"10m\"\n\
                deploy_hook = 'touch started; while [ ! -e release ]; do sleep 0.01; done'\n\
                [[ticket]]\nfile = \"a.sig\"\nkey = \"file:secret.txt\"\n\
                sdkappid = 1400001052\nidentifier = \"a\"\n";
    manifest(&s, text);
    /// The first run: released (and waited for) however the test ends, so that a failing
    /// test leaves no hook waiting.
    struct First<'a>(&'a Scratch, Option<std::process::Child>);
    impl Drop for First<'_> {
        fn drop(&mut self) {
            let _ = fs::write(self.0.path("release"), "");
            if let Some(mut child) = self.1.take() {
                let _ = child.wait();
            }
        }
    }
    let mut first = First(
        &s,
        Some(
            Command::new(BIN)
                .args(["renew", "--config", "m.toml"])
                .current_dir(&s.0)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        ),
    );
    // The first run is in its hook, holding the lock.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !s.path("started").exists() {
        assert!(
            Instant::now() < deadline,
            "the first run's hook never started"
        );
        let child = first.1.as_mut().unwrap();
        assert!(
            child.try_wait().unwrap().is_none(),
            "the first run ended early"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    s.write("m.toml.new", text.as_bytes());
    fs::rename(s.path("m.toml.new"), s.path("m.toml")).unwrap();
    let second = run(
        &s.0,
        ["renew", "--config", "m.toml", "--lock-timeout", "1s"],
    );
    second.expect(3);
    assert!(
        second
            .stderr
            .starts_with(&format!("tls_licence_tools: error: another renew --config (pid {}) is still running on 'm.toml' after 1 second of waiting", first.1.as_ref().unwrap().id())),
        "{second:#?}"
    );
    fs::write(s.path("release"), "").unwrap();
    let done = first.1.take().unwrap().wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(0), "{done:?}");
}

#[test]
fn runs_at_once_never_interleave_and_each_renewal_runs_its_hook_once() {
    let s = Scratch::new("fleet-race");
    let mut text = format!(
        "[defaults]\nwithin = \"30d\"\nkey = \"file:secret.txt\"\ndeploy_hook = '''{RECORD}'''\n"
    );
    for i in 0..6 {
        text.push_str(&format!(
            "\n[[ticket]]\nfile = \"t{i}.sig\"\nsdkappid = 1400001052\nidentifier = \"user{i}\"\n"
        ));
    }
    manifest(&s, &text);
    for round in 0..2 {
        let children: Vec<_> = (0..6)
            .map(|_| {
                Command::new(BIN)
                    .args(["renew", "--config", "m.toml"])
                    .current_dir(&s.0)
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut created = 0;
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{out:?}");
            let stdout = String::from_utf8(out.stdout).unwrap();
            created += stdout
                .lines()
                .filter(|l| l.starts_with("created '"))
                .count();
            assert_eq!(
                stdout
                    .lines()
                    .filter(|l| l.starts_with("kept '") || l.starts_with("created '"))
                    .count(),
                6
            );
        }
        // Round 0 creates each ticket exactly once; round 1 keeps them all.
        assert_eq!(created, if round == 0 { 6 } else { 0 });
        for i in 0..6 {
            run(
                &s.0,
                [
                    "verify2",
                    "file:secret.txt",
                    &format!("t{i}.sig"),
                    "1400001052",
                    &format!("user{i}"),
                ],
            )
            .expect(0);
        }
        let hooks = hook_lines(&s);
        assert_eq!(hooks.len(), 6, "{hooks:?}");
        for i in 0..6 {
            assert_eq!(
                hooks
                    .iter()
                    .filter(|l| l.contains(&format!(" user{i} ")))
                    .count(),
                1
            );
        }
    }
    // No temporary file was left (the lock and state files stay, on purpose).
    let listing = s.listing();
    assert!(
        listing
            .iter()
            .all(|n| !n.starts_with('.') || n == ".m.toml.lock" || n == ".m.toml.state"),
        "{listing:?}"
    );
}

#[test]
fn config_excludes_the_single_file_arguments() {
    let s = Scratch::new("fleet-args");
    two_tickets(&s);
    for args in [
        vec![
            "renew",
            "--config",
            "m.toml",
            "ec_key.pem",
            "x.sig",
            "1400001052",
            "a",
        ],
        vec!["renew", "--config", "m.toml", "--within", "1d"],
        vec![
            "renew",
            "ec_key.pem",
            "x.sig",
            "1400001052",
            "a",
            "--within",
            "1d",
            "--dry-run",
        ],
        vec!["renew", "ec_key.pem", "x.sig", "1400001052"],
    ] {
        let r = run(&s.0, &args);
        assert_eq!(r.code, 2, "{args:?} {r:#?}");
    }
    assert!(!s.path("x.sig").exists() && !s.path("admin.sig").exists());
    // The manifest must exist and be a file.
    let r = run(&s.0, ["renew", "--config", "nope.toml"]);
    r.expect(3);
    // (In the tool's words, not the OS error's: tests/cmd/fleet-missing-manifest.)
    assert!(
        r.stderr
            .starts_with("tls_licence_tools: error: manifest 'nope.toml' does not exist: "),
        "{r:#?}"
    );
}

#[test]
fn a_fifo_or_directory_in_place_of_a_ticket_is_an_error_not_a_hang() {
    let s = Scratch::new("fleet-fifo");
    nix::unistd::mkfifo(
        &s.path("fifo.sig"),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .unwrap();
    fs::create_dir(s.path("dir.sig")).unwrap();
    manifest(
        &s,
        "[defaults]\nwithin = \"1d\"\nkey = \"file:secret.txt\"\n\
         [[ticket]]\nfile = \"fifo.sig\"\nsdkappid = 1400001052\nidentifier = \"a\"\n\
         [[ticket]]\nfile = \"dir.sig\"\nsdkappid = 1400001052\nidentifier = \"b\"\n\
         [[ticket]]\nfile = \"ok.sig\"\nsdkappid = 1400001052\nidentifier = \"c\"\n",
    );
    let out = run_bounded(&s.0, &["renew", "--config", "m.toml"]);
    assert_eq!(out.code, 1, "{out:?}");
    let stderr = out.stderr;
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(
        lines[0].contains("fifo.sig' is a FIFO (named pipe), not a regular file"),
        "{stderr}"
    );
    assert!(lines[1].contains("dir.sig': is a directory"), "{stderr}");
    assert!(s.path("ok.sig").exists());
    // Single-file renew refuses a FIFO the same way.
    let out = run_bounded(
        &s.0,
        &[
            "renew",
            "file:secret.txt",
            "fifo.sig",
            "1400001052",
            "a",
            "--within",
            "1d",
        ],
    );
    assert_eq!(out.code, 3, "{out:?}");
    assert_eq!(
        out.stderr,
        "tls_licence_tools: error: sig file 'fifo.sig' is a FIFO (named pipe), not a regular file; renew only replaces regular files\n"
    );
    // And a FIFO given as the manifest is refused, not waited on for a writer.
    let out = run_bounded(&s.0, &["renew", "--config", "fifo.sig"]);
    assert_eq!(out.code, 3, "{out:?}");
    assert_eq!(
        out.stderr,
        "tls_licence_tools: error: manifest 'fifo.sig' is a FIFO (named pipe), not a regular file\n"
    );
}

/// A FIFO put in place of the sig file while renew runs, at any moment (after its
/// checks, before its read, before its write), is refused, never waited on: another
/// thread swaps a FIFO and a regular file in, one after the other, all through a hundred
/// renews, and every renew ends, renewing (0) or refusing with one line (3).
#[test]
fn a_fifo_swapped_in_while_renew_runs_is_refused_not_waited_on() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let s = Scratch::new("renew-swap");
    fs::write(s.path("t.sig"), "not a ticket").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let (stop, dir) = (Arc::clone(&stop), s.0.clone());
        std::thread::spawn(move || {
            let mut swaps = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let (fifo, file) = (dir.join("swap.fifo"), dir.join("swap.file"));
                nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600))
                    .unwrap();
                fs::rename(&fifo, dir.join("t.sig")).unwrap();
                fs::write(&file, "not a ticket").unwrap();
                fs::rename(&file, dir.join("t.sig")).unwrap();
                swaps += 1;
            }
            swaps
        })
    };
    for _ in 0..100 {
        let out = run_bounded(
            &s.0,
            &[
                "renew",
                "--within",
                "1d",
                "file:secret.txt",
                "t.sig",
                "1400001052",
                "a",
            ],
        );
        match out.code {
            0 => {}
            3 => assert!(
                out.stderr.starts_with("tls_licence_tools: error: ")
                    && out.stderr.contains("sig file")
                    && out.stderr.lines().count() == 1,
                "{out:?}"
            ),
            _ => panic!("{out:?}"),
        }
    }
    stop.store(true, Ordering::Relaxed);
    assert!(swapper.join().unwrap() > 0);
}

#[test]
fn the_example_manifest_in_contrib_is_valid() {
    let s = Scratch::new("fleet-example");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/usersig.toml.example");
    // Its keys are not on this machine: each entry fails on its own (exit 1), which a
    // manifest error (exit 2) would have prevented.
    let r = run(
        &s.0,
        [
            "renew",
            "--config",
            example.to_str().unwrap(),
            "--dry-run",
            "--json",
        ],
    );
    assert_eq!(r.code, 1, "{r:#?}");
    let objs: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objs.len(), 2);
    assert_eq!(objs[0]["file"], "/srv/im/admin.sig");
    assert_eq!(objs[1]["identifier"], "bot");
    assert!(objs.iter().all(|o| o["action"] == "error"));
    assert!(r.stderr.contains("/etc/usersig/secret.txt"), "{r:#?}");
}

/// The state file's entries, by sig file.
fn state(s: &Scratch) -> serde_json::Map<String, serde_json::Value> {
    let text = fs::read_to_string(s.path(".m.toml.state")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["entries"].as_object().unwrap().clone()
}

/// A deploy hook that fails the first time it runs and succeeds after (it counts its
/// runs in the file `count`).
const FAILS_ONCE: &str =
    "n=$(cat count 2>/dev/null || echo 0); n=$((n + 1)); echo $n > count; [ $n -ge 2 ]";

/// Issue 18: a renewal whose deploy hook failed is remembered, and the next run runs
/// the hook again although the ticket is now fresh, until it succeeds; then it is
/// forgotten. A dry run says so, in words and in JSON.
#[test]
fn a_failed_deploy_hook_runs_again_on_the_next_run_until_it_succeeds() {
    let s = Scratch::new("fleet-rehook");
    manifest(
        &s,
        &format!(
            "[[ticket]]\nfile = \"a.sig\"\nkey = \"file:secret.txt\"\nsdkappid = 1400001052\n\
             identifier = \"a\"\nwithin = \"30d\"\ndeploy_hook = '''{FAILS_ONCE}'''\n"
        ),
    );
    let file = fs::canonicalize(&s.0).unwrap().join("a.sig");
    let key = file.to_str().unwrap().to_owned();
    let count = |s: &Scratch| String::from_utf8(s.read("count")).unwrap();

    // Run 1: the ticket is created, the hook fails: exit 1, remembered.
    let r = run(&s.0, ["renew", "--config", "m.toml"]);
    expect_status(&r, 1);
    assert_eq!(
        r.stderr.lines().next().unwrap_or_default(),
        format!(
            "tls_licence_tools: error: deploy hook for '{key}' failed: exit status 1; the next \
             run runs it again"
        )
    );
    assert_eq!(count(&s), "1\n");
    let ticket = s.read("a.sig");
    let st = state(&s);
    assert_eq!(st[&key]["hook_pending"], true, "{st:?}");
    assert_eq!(st[&key]["success"], false);
    let last = st[&key]["last_run"].as_i64().unwrap();
    assert!((last - common::now()).abs() < 60, "{last}");
    let meta = fs::symlink_metadata(s.path(".m.toml.state")).unwrap();
    assert!(meta.is_file() && meta.mode() & 0o777 == 0o600, "{meta:?}");

    // A dry run says the hook would run again, and runs nothing.
    let r = run(&s.0, ["renew", "--config", "m.toml", "--dry-run"]);
    r.expect(0);
    assert!(
        r.stdout.starts_with(&format!(
            "would keep '{key}' (a, v2): the ticket is valid until "
        )) && r
            .stdout
            .ends_with("; the deploy hook would run again: it failed on the last run\n"),
        "{r:#?}"
    );
    let r = run(&s.0, ["renew", "--config", "m.toml", "--dry-run", "--json"]);
    r.expect(0);
    let o: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(
        (&o["action"], &o["hook"]),
        (&"kept".into(), &"pending".into())
    );
    assert_eq!(count(&s), "1\n");

    // Run 2: the ticket is fresh and kept, but the hook runs again and succeeds.
    let r = run(&s.0, ["renew", "--config", "m.toml"]);
    r.expect(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{r:#?}");
    assert!(
        lines[0].starts_with(&format!("kept '{key}': ")),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[1],
        format!("deploy hook for '{key}' (run again: it failed on the last run) succeeded")
    );
    assert_eq!(count(&s), "2\n");
    assert_eq!(s.read("a.sig"), ticket);
    let st = state(&s);
    assert_eq!(st[&key]["hook_pending"], false);
    assert_eq!(st[&key]["success"], true);

    // Run 3: nothing is due; the hook does not run.
    let r = run(&s.0, ["renew", "--config", "m.toml"]);
    r.expect(0);
    assert_eq!(r.stdout.lines().count(), 1, "{r:#?}");
    assert_eq!(count(&s), "2\n");
}

/// An entry removed from the manifest is forgotten: the state holds the current
/// entries only, and the entry put back has no hook due.
#[test]
fn an_entry_removed_from_the_manifest_is_forgotten() {
    let s = Scratch::new("fleet-forget");
    let a = "[[ticket]]\nfile = \"a.sig\"\nkey = \"file:secret.txt\"\nsdkappid = 1400001052\n\
             identifier = \"a\"\nwithin = \"30d\"\ndeploy_hook = \"echo x >> ran; exit 3\"\n";
    let b = "[[ticket]]\nfile = \"b.sig\"\nkey = \"file:secret.txt\"\nsdkappid = 1400001052\n\
             identifier = \"b\"\nwithin = \"30d\"\n";
    let dir = fs::canonicalize(&s.0).unwrap();
    let (ka, kb) = (
        dir.join("a.sig").to_str().unwrap().to_owned(),
        dir.join("b.sig").to_str().unwrap().to_owned(),
    );
    manifest(&s, &format!("{a}\n{b}"));
    expect_status(&run(&s.0, ["renew", "--config", "m.toml"]), 1);
    let st = state(&s);
    assert_eq!(st.keys().collect::<Vec<_>>(), [&ka, &kb]);
    assert_eq!(st[&ka]["hook_pending"], true);

    manifest(&s, b);
    run(&s.0, ["renew", "--config", "m.toml"]).expect(0);
    assert_eq!(state(&s).keys().collect::<Vec<_>>(), [&kb]);

    // Put back, its fresh ticket is kept and its hook is not due.
    manifest(&s, &format!("{a}\n{b}"));
    run(&s.0, ["renew", "--config", "m.toml"]).expect(0);
    assert_eq!(s.read("ran"), b"x\n");
    assert_eq!(state(&s)[&ka]["hook_pending"], false);
}

/// `--force` renews now, whatever the window: every entry of a manifest, and a single
/// file.
#[test]
fn force_renews_whatever_the_window() {
    let s = Scratch::new("fleet-force");
    two_tickets(&s);
    run(&s.0, ["renew", "--config", "m.toml"]).expect(0);
    let before = (s.read("admin.sig"), s.read("bot.sig"));
    // Tickets are signed to the second: a new one differs a second later.
    std::thread::sleep(Duration::from_millis(1100));
    let r = run(&s.0, ["renew", "--config", "m.toml", "--force"]);
    r.expect(0);
    let renewed: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("renewed '"))
        .collect();
    assert_eq!(renewed.len(), 2, "{r:#?}");
    assert!(
        renewed[0].contains("admin.sig': --force: the ticket is valid until "),
        "{}",
        renewed[0]
    );
    assert_ne!(s.read("admin.sig"), before.0);
    assert_ne!(s.read("bot.sig"), before.1);
    assert_eq!(hook_lines(&s).len(), 4);
    verifies(&s, "admin.sig", "administrator");

    let single = |extra: &[&str]| {
        let mut args = vec![
            "renew",
            "file:secret.txt",
            "admin.sig",
            "1400001052",
            "administrator",
            "--within",
            "1d",
        ];
        args.extend_from_slice(extra);
        run(&s.0, args)
    };
    let kept = s.read("admin.sig");
    let r = single(&[]);
    r.expect(0);
    assert!(r.stdout.starts_with("kept '"), "{r:#?}");
    std::thread::sleep(Duration::from_millis(1100));
    let r = single(&["--force"]);
    r.expect(0);
    assert!(
        r.stdout
            .starts_with("renewed 'admin.sig': --force: the ticket is valid until "),
        "{r:#?}"
    );
    assert_ne!(s.read("admin.sig"), kept);
    verifies(&s, "admin.sig", "administrator");
}

/// `sdkappid` may be given once in `[defaults]`; an entry's own wins.
#[test]
fn sdkappid_may_come_from_defaults() {
    let s = Scratch::new("fleet-sdkdefault");
    manifest(
        &s,
        "[defaults]\nsdkappid = 1400001052\nkey = \"file:secret.txt\"\nwithin = \"30d\"\n\n\
         [[ticket]]\nfile = \"a.sig\"\nidentifier = \"a\"\n\n\
         [[ticket]]\nfile = \"b.sig\"\nidentifier = \"b\"\nsdkappid = 1400000001\n",
    );
    run(&s.0, ["renew", "--config", "m.toml"]).expect(0);
    for (name, app) in [("a.sig", 1400001052), ("b.sig", 1400000001)] {
        let r = run(&s.0, ["inspect", name, "--json"]);
        r.expect(0);
        let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
        let info = v.get("ticket").unwrap_or(&v);
        assert_eq!(info["sdkappid"], app, "{name}: {v}");
    }
    // Neither here nor in [defaults]: the entry is refused, saying where it may go.
    manifest(
        &s,
        "[[ticket]]\nfile = \"a.sig\"\nidentifier = \"a\"\nkey = \"file:secret.txt\"\nwithin = \"30d\"\n",
    );
    let r = run(&s.0, ["renew", "--config", "m.toml"]);
    r.expect(2);
    assert_eq!(
        r.stderr,
        "tls_licence_tools: error: manifest 'm.toml': ticket 1 ('a.sig'): no sdkappid (here or \
         in [defaults]): the app's SDKAppID, like sdkappid = 1400001052\n"
    );
}
