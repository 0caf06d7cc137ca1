//! metrics: the Prometheus text format, checked by promtool; and contrib/ (alert rules
//! checked by promtool, systemd units by systemd-analyze).

use crate::common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use common::precondition::{PROMTOOL, SYSTEMD_ANALYZE, require};
use common::{BIN, Scratch, run, run_bounded};

/// promtool's verdict and output; a test that uses it fails, naming the package, where it
/// is not installed.
fn promtool(args: &[&str], stdin: Option<&[u8]>) -> (bool, String) {
    require(&[PROMTOOL]);
    let mut child = Command::new("promtool")
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn check_metrics(text: &str) {
    let (ok, said) = promtool(&["check", "metrics"], Some(text.as_bytes()));
    assert!(ok && said.trim().is_empty(), "promtool: {said}\n{text}");
}

/// (init_time, expires_at) of a sig file, from inspect --json.
fn times(s: &Scratch, name: &str) -> (i64, i64) {
    let r = run(&s.0, ["inspect", name, "--json"]);
    r.expect(0);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    let get = |k: &str| v[k].as_i64().or_else(|| v["ticket"][k].as_i64()).unwrap();
    (get("init_time"), get("expires_at"))
}

fn sample_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with('#')).collect()
}

#[test]
fn files_give_expiry_issue_and_read_error_series_that_promtool_accepts() {
    let s = Scratch::new("metrics-files");
    run(
        &s.0,
        [
            "gen2",
            "file:secret.txt",
            "a.sig",
            "1400001052",
            "admin",
            "--expire",
            "10d",
        ],
    )
    .expect(0);
    run(&s.0, ["gen", "ec_key.pem", "b.sig", "1400001052", "bot"]).expect(0);
    s.write("garbage.sig", b"not a ticket");
    // A file name with every character the format escapes.
    let odd = "we\"ird\\name\n.sig";
    fs::copy(s.path("a.sig"), s.path(odd)).unwrap();
    let r = run(
        &s.0,
        [
            "metrics",
            "a.sig",
            "b.sig",
            "missing.sig",
            "garbage.sig",
            odd,
            "a.sig",
        ],
    );
    r.expect(0);
    check_metrics(&r.stdout);
    assert_no_series_twice(&r.stdout);
    let (a_init, a_exp) = times(&s, "a.sig");
    let (b_init, b_exp) = times(&s, "b.sig");
    let samples = sample_lines(&r.stdout);
    let a = "file=\"a.sig\",identifier=\"admin\",sdkappid=\"1400001052\",version=\"v2\"";
    let b = "file=\"b.sig\",identifier=\"bot\",sdkappid=\"1400001052\",version=\"v1\"";
    // The backslash and the line feed are escaped in the label value (`\\`, `\n`), then
    // the format escapes each backslash and the quote again.
    let o =
        r#"file="we\"ird\\\\name\\n.sig",identifier="admin",sdkappid="1400001052",version="v2""#;
    let want = [
        format!("usersig_expiry_timestamp_seconds{{{a}}} {a_exp}"),
        format!("usersig_expiry_timestamp_seconds{{{b}}} {b_exp}"),
        format!("usersig_expiry_timestamp_seconds{{{o}}} {a_exp}"),
        format!("usersig_issued_timestamp_seconds{{{a}}} {a_init}"),
        format!("usersig_issued_timestamp_seconds{{{b}}} {b_init}"),
        format!("usersig_issued_timestamp_seconds{{{o}}} {a_init}"),
        "usersig_read_error{file=\"a.sig\"} 0".into(),
        "usersig_read_error{file=\"b.sig\"} 0".into(),
        "usersig_read_error{file=\"missing.sig\"} 1".into(),
        "usersig_read_error{file=\"garbage.sig\"} 1".into(),
        r#"usersig_read_error{file="we\"ird\\\\name\\n.sig"} 0"#.into(),
    ];
    assert_eq!(samples[..want.len()], want, "{}", r.stdout);
    assert_eq!(a_exp - a_init, 10 * 86400);
    let last = samples[want.len()];
    let t: i64 = last
        .strip_prefix("usersig_exporter_last_run_timestamp_seconds ")
        .unwrap()
        .parse()
        .unwrap();
    assert!((t - common::now()).abs() < 600);
    assert_eq!(samples.len(), want.len() + 1);
    // Without a key there is no validity series.
    assert!(!r.stdout.contains("usersig_valid"));
    // Every family has HELP and TYPE.
    for family in [
        "usersig_expiry_timestamp_seconds",
        "usersig_issued_timestamp_seconds",
        "usersig_read_error",
        "usersig_exporter_last_run_timestamp_seconds",
    ] {
        assert!(r.stdout.contains(&format!("# HELP {family} ")));
        assert!(r.stdout.contains(&format!("# TYPE {family} gauge\n")));
    }
}

/// The samples' series (metric and labels), asserting that none comes twice: node_exporter
/// would keep one of two and drop the other.
fn assert_no_series_twice(text: &str) {
    let mut seen = std::collections::HashSet::new();
    for line in sample_lines(text) {
        let (series, _) = line.rsplit_once(' ').unwrap();
        assert!(seen.insert(series), "{series} twice:\n{text}");
    }
}

/// File names that differ only in bytes that are not UTF-8, one that spells such a byte
/// out with a backslash, and one holding what a lossy conversion would make of them, each
/// get their own exact label value; a ticket's bidirectional character is escaped in the
/// identifier label; promtool accepts it all.
#[test]
fn names_that_are_not_utf8_give_distinct_exact_labels() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let s = Scratch::new("metrics-bytes");
    run(
        &s.0,
        [
            "gen2",
            "file:secret.txt",
            "a.sig",
            "1400001052",
            "adm\u{202e}in",
            "--allow-any-identifier",
            "--expire",
            "10d",
        ],
    )
    .expect(0);
    let (init, exp) = times(&s, "a.sig");
    // (the name, its label value as the text writes it)
    let names: [(&[u8], &str); 5] = [
        (b"x\xff", r"x\\xff"),
        (b"x\xfe", r"x\\xfe"),
        (b"x\\xff", r"x\\\\xff"),
        ("x\u{fffd}".as_bytes(), "x\u{fffd}"),
        // The first file again in another form: its own label, not a repeat.
        (b"./x\xff", r"./x\\xff"),
    ];
    for (name, _) in &names[..4] {
        fs::copy(s.path("a.sig"), s.0.join(OsStr::from_bytes(name))).unwrap();
    }
    let mut args: Vec<&OsStr> = vec![OsStr::new("metrics")];
    args.extend(names.iter().map(|(n, _)| OsStr::from_bytes(n)));
    args.push(OsStr::from_bytes(b"x\xff"));
    let r = run(&s.0, &args);
    r.expect(0);
    check_metrics(&r.stdout);
    assert_no_series_twice(&r.stdout);
    let labels = |file: &str| {
        format!(r#"file="{file}",identifier="adm\\u{{202e}}in",sdkappid="1400001052",version="v2""#)
    };
    let mut want = Vec::new();
    for (family, value) in [
        ("usersig_expiry_timestamp_seconds", exp),
        ("usersig_issued_timestamp_seconds", init),
    ] {
        for (_, file) in names {
            want.push(format!("{family}{{{}}} {value}", labels(file)));
        }
    }
    for (_, file) in names {
        want.push(format!("usersig_read_error{{file=\"{file}\"}} 0"));
    }
    assert_eq!(sample_lines(&r.stdout)[..want.len()], want, "{}", r.stdout);
    assert_eq!(sample_lines(&r.stdout).len(), want.len() + 1);
    assert!(!r.stdout.contains('\u{202e}'), "{}", r.stdout);
}

#[test]
fn keys_say_which_tickets_are_valid() {
    let s = Scratch::new("metrics-keys");
    run(
        &s.0,
        ["gen2", "file:secret.txt", "a.sig", "1400001052", "admin"],
    )
    .expect(0);
    run(
        &s.0,
        [
            "gen2",
            "file:other_secret.txt",
            "forged.sig",
            "1400001052",
            "admin",
        ],
    )
    .expect(0);
    run(&s.0, ["gen", "ec_key.pem", "b.sig", "1400001052", "bot"]).expect(0);
    let r = run(
        &s.0,
        [
            "metrics",
            "a.sig",
            "forged.sig",
            "b.sig",
            "--key",
            "file:secret.txt",
            "--key",
            "public.pem",
        ],
    );
    r.expect(0);
    check_metrics(&r.stdout);
    let valid: Vec<&str> = sample_lines(&r.stdout)
        .into_iter()
        .filter(|l| l.starts_with("usersig_valid{"))
        .collect();
    assert_eq!(
        valid,
        [
            "usersig_valid{file=\"a.sig\",identifier=\"admin\",sdkappid=\"1400001052\",version=\"v2\"} 1",
            "usersig_valid{file=\"forged.sig\",identifier=\"admin\",sdkappid=\"1400001052\",version=\"v2\"} 0",
            "usersig_valid{file=\"b.sig\",identifier=\"bot\",sdkappid=\"1400001052\",version=\"v1\"} 1",
        ]
    );
    // A key that cannot be read is an error, and nothing is printed.
    let r = run(&s.0, ["metrics", "a.sig", "--key", "file:nope.txt"]);
    r.expect(3);
    assert_eq!(r.stdout, "");
}

#[test]
fn a_manifest_checks_identifier_and_sdkappid_and_textfile_is_written_whole() {
    let s = Scratch::new("metrics-config");
    run(
        &s.0,
        ["gen2", "file:secret.txt", "a.sig", "1400001052", "admin"],
    )
    .expect(0);
    // Signed with the right secret, but for another user than the manifest says.
    run(
        &s.0,
        ["gen2", "file:secret.txt", "b.sig", "1400001052", "intruder"],
    )
    .expect(0);
    s.write(
        "m.toml",
        b"[defaults]\nwithin = \"30d\"\nkey = \"file:secret.txt\"\n\
          [[ticket]]\nfile = \"a.sig\"\nsdkappid = 1400001052\nidentifier = \"admin\"\n\
          [[ticket]]\nfile = \"b.sig\"\nsdkappid = 1400001052\nidentifier = \"bot\"\n\
          [[ticket]]\nfile = \"c.sig\"\nsdkappid = 1400001052\nidentifier = \"c\"\n",
    );
    let dir = fs::canonicalize(&s.0).unwrap();
    let (a, b, c) = (dir.join("a.sig"), dir.join("b.sig"), dir.join("c.sig"));
    let out = s.path("out.prom");
    let r = run(
        &s.0,
        [
            "metrics",
            "--config",
            "m.toml",
            "--textfile",
            out.to_str().unwrap(),
        ],
    );
    r.expect(0);
    assert_eq!(r.stdout, "");
    let text = fs::read_to_string(&out).unwrap();
    assert_eq!(
        fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o644
    );
    let (ok, said) = promtool(&["check", "metrics"], Some(text.as_bytes()));
    assert!(ok, "{said}");
    let samples = sample_lines(&text);
    assert!(samples.contains(&format!(
        "usersig_valid{{file=\"{}\",identifier=\"admin\",sdkappid=\"1400001052\",version=\"v2\"}} 1",
        a.display()
    ).as_str()), "{text}");
    assert!(samples.contains(&format!(
        "usersig_valid{{file=\"{}\",identifier=\"intruder\",sdkappid=\"1400001052\",version=\"v2\"}} 0",
        b.display()
    ).as_str()), "{text}");
    assert!(
        samples.contains(&format!("usersig_read_error{{file=\"{}\"}} 1", c.display()).as_str())
    );
    assert!(!text.contains(&format!(
        "usersig_expiry_timestamp_seconds{{file=\"{}\"",
        c.display()
    )));
    // Only the output file was added: no temporary file left beside it.
    assert_eq!(
        s.listing().iter().filter(|n| n.contains("out")).count(),
        1,
        "{:?}",
        s.listing()
    );
    // A wrong manifest: exit 2 and nothing written.
    s.write("bad.toml", b"[[ticket]]\nfile = \"a.sig\"\n");
    let r = run(
        &s.0,
        ["metrics", "--config", "bad.toml", "--textfile", "bad.prom"],
    );
    r.expect(2);
    assert!(r.stderr.contains("missing field"), "{r:#?}");
    assert!(!s.path("bad.prom").exists());
    // Neither a manifest nor files: usage.
    run(&s.0, ["metrics"]).expect(2);
}

/// A stuck rotation shows: from a manifest, each entry's pending deploy hook and the
/// last renew run's time and outcome, as renew --config recorded them.
#[test]
fn a_manifest_gives_each_entrys_pending_hook_and_last_run() {
    let s = Scratch::new("metrics-runs");
    s.write(
        "m.toml",
        b"[defaults]\nwithin = \"30d\"\nkey = \"file:secret.txt\"\nsdkappid = 1400001052\n\
          [[ticket]]\nfile = \"a.sig\"\nidentifier = \"a\"\n\
          deploy_hook = \"n=$(cat count 2>/dev/null || echo 0); echo $((n + 1)) > count; [ $n -ge 1 ]\"\n\
          [[ticket]]\nfile = \"b.sig\"\nidentifier = \"b\"\n",
    );
    let dir = fs::canonicalize(&s.0).unwrap();
    let (a, b) = (dir.join("a.sig"), dir.join("b.sig"));
    let series = |s: &Scratch| {
        let r = run(&s.0, ["metrics", "--config", "m.toml"]);
        r.expect(0);
        check_metrics(&r.stdout);
        let mut runs: Vec<String> = sample_lines(&r.stdout)
            .into_iter()
            .filter(|l| l.starts_with("usersig_hook_pending") || l.starts_with("usersig_renew_"))
            .map(str::to_owned)
            .collect();
        runs.sort();
        runs
    };
    // Before any run: no hook is due, and no run is recorded.
    assert_eq!(
        series(&s),
        [
            format!("usersig_hook_pending{{file=\"{}\"}} 0", a.display()),
            format!("usersig_hook_pending{{file=\"{}\"}} 0", b.display()),
        ]
    );
    // a's hook fails: it is pending, and a's last run failed.
    let before = common::now();
    assert_eq!(run(&s.0, ["renew", "--config", "m.toml"]).code, 1);
    let runs = series(&s);
    let at = runs
        .iter()
        .find_map(|l| {
            l.strip_prefix(&format!(
                "usersig_renew_last_run_timestamp_seconds{{file=\"{}\"}} ",
                a.display()
            ))
        })
        .and_then(|t| t.parse::<i64>().ok())
        .unwrap_or_else(|| panic!("{runs:?}"));
    assert!(at >= before && at <= common::now(), "{at}");
    let expected = |pending: u8, ok: u8| {
        let mut lines = vec![
            format!("usersig_hook_pending{{file=\"{}\"}} {pending}", a.display()),
            format!("usersig_hook_pending{{file=\"{}\"}} 0", b.display()),
            format!(
                "usersig_renew_last_run_success{{file=\"{}\"}} {ok}",
                a.display()
            ),
            format!(
                "usersig_renew_last_run_success{{file=\"{}\"}} 1",
                b.display()
            ),
            format!(
                "usersig_renew_last_run_timestamp_seconds{{file=\"{}\"}} {at}",
                a.display()
            ),
            format!(
                "usersig_renew_last_run_timestamp_seconds{{file=\"{}\"}} {at}",
                b.display()
            ),
        ];
        lines.sort();
        lines
    };
    assert_eq!(runs, expected(1, 0));
    // The next run runs it again; it succeeds: nothing is due.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    run(&s.0, ["renew", "--config", "m.toml"]).expect(0);
    let runs = series(&s);
    assert!(
        runs.contains(&format!(
            "usersig_hook_pending{{file=\"{}\"}} 0",
            a.display()
        )),
        "{runs:?}"
    );
    assert!(
        runs.contains(&format!(
            "usersig_renew_last_run_success{{file=\"{}\"}} 1",
            a.display()
        )),
        "{runs:?}"
    );
    assert!(!runs.contains(&expected(1, 0)[4]), "{runs:?}");
}

#[test]
fn the_alert_rules_pass_promtool_and_their_unit_tests() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/prometheus/usersig.rules.yml");
    let (ok, said) = promtool(&["check", "rules", rules.to_str().unwrap()], None);
    assert!(ok && said.contains("SUCCESS: 9 rules found"), "{said}");
    // The alerts fire when they should, and only then (promtool's rule unit tests).
    let tests = rules.with_file_name("usersig.rules.test.yml");
    let (ok, said) = promtool(&["test", "rules", tests.to_str().unwrap()], None);
    assert!(ok && said.contains("SUCCESS"), "{said}");
    let text = fs::read_to_string(&rules).unwrap();
    for alert in [
        "UsersigExpiresSoon",
        "UsersigExpired",
        "UsersigFileUnreadable",
        "UsersigMetricsStale",
        "UsersigDeployHookPending",
        "UsersigRenewFailing",
        "UsersigRenewNotRunning",
    ] {
        assert!(text.contains(&format!("alert: {alert}\n")), "{alert}");
    }
}

/// systemd-analyze verify on the contrib units, with ExecStart pointed at the built
/// binary (the units name /usr/bin/tls_licence_tools).
#[test]
fn the_systemd_units_pass_systemd_analyze() {
    require(&[SYSTEMD_ANALYZE]);
    let s = Scratch::new("metrics-units");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/systemd");
    let mut names = Vec::new();
    for entry in fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let text = fs::read_to_string(entry.path())
            .unwrap()
            .replace("/usr/bin/tls_licence_tools", BIN);
        s.write(&name, text.as_bytes());
        names.push(name);
    }
    names.sort();
    assert_eq!(
        names,
        [
            "usersig-metrics.service",
            "usersig-metrics.timer",
            "usersig-renew.service",
            "usersig-renew.timer"
        ]
    );
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .args(names.iter().map(|n| s.path(n)))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
}

#[test]
fn only_regular_files_of_a_ticket_s_size_are_read() {
    let s = Scratch::new("metrics-special");
    nix::unistd::mkfifo(
        &s.path("fifo.sig"),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .unwrap();
    fs::create_dir(s.path("dir.sig")).unwrap();
    s.write("big.sig", &vec![b'A'; 1 << 20]);
    let out = run_bounded(
        &s.0,
        &["metrics", "fifo.sig", "dir.sig", "big.sig", "/dev/zero"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    let text = out.stdout;
    check_metrics(&text);
    assert_eq!(
        sample_lines(&text)[..4],
        [
            "usersig_read_error{file=\"fifo.sig\"} 1",
            "usersig_read_error{file=\"dir.sig\"} 1",
            "usersig_read_error{file=\"big.sig\"} 1",
            "usersig_read_error{file=\"/dev/zero\"} 1",
        ]
    );
    // A FIFO given as the manifest: refused at once (exit 3), not waited on.
    let out = run_bounded(&s.0, &["metrics", "--config", "fifo.sig"]);
    assert_eq!(out.code, 3, "{out:?}");
    assert_eq!(
        out.stderr,
        "tls_licence_tools: error: manifest 'fifo.sig' is a FIFO (named pipe), not a regular file\n"
    );
}
