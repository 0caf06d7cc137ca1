use super::*;
use clap::Parser;
use proptest::prelude::*;
use std::os::unix::ffi::OsStringExt;

fn argv(words: &[&str]) -> Vec<OsString> {
    std::iter::once("tls_licence_tools")
        .chain(words.iter().copied())
        .map(OsString::from)
        .collect()
}

/// What clap makes of `argv`, as text, when it takes it.
fn by_clap(argv: &[OsString]) -> Option<String> {
    Cli::try_parse_from(argv)
        .ok()
        .filter(|cli| !cli.json.json)
        .map(|cli| format!("{:?}", cli.command))
}

#[test]
fn the_original_forms_are_read_without_clap() {
    for words in [
        &["gen", "ec_key.pem", "sig", "1400001052", "xiaojun"][..],
        &["gen_without_expire", "k", "s", "1", "u"],
        &[
            "genexpire",
            "ec_key.pem",
            "sig",
            "1400001052",
            "xiaojun",
            "86400",
        ],
        &["gen2", "file:secret.txt", "sig", "1400001052", "xiaojun"],
        &["verify", "public.pem", "sig", "1400001052", "xiaojun"],
        &["verifyuser", "public.pem", "sig", "1400001052", "xiaojun"],
        &["verify2", "env:S", "/tmp/sig", "1400001052", "a b"],
        &["gen", "k", "", "1", ""],
        &["gen", "ec_key.pem", "-", "1400001052", "xiaojun"],
        &["verify2", "-", "sig", "1400001052", "xiaojun"],
    ] {
        let argv = argv(words);
        let plain = parse_plain(&argv).map(|c| format!("{c:?}"));
        assert!(plain.is_some(), "{words:?}");
        assert_eq!(plain, by_clap(&argv), "{words:?}");
    }
    // Left to clap: options, values beginning with -, other counts and commands.
    for words in [
        &["gen", "k", "s", "1", "u", "--json"][..],
        &["--json", "gen", "k", "s", "1", "u"],
        &["gen", "k", "s", "1"],
        &["gen", "k", "s", "1", "u", "v"],
        &["gen", "--", "s", "1", "u"],
        &["gen", "k", "s", "-1", "u"],
        &["gen", "--", "k", "s", "1", "u"],
        &["gen", "k", "s", "1", "-h"],
        &["genuser", "k", "s", "1", "u", "60", "buf"],
        &["gen2user", "k", "s", "1", "u", "buf"],
        &["verify2user", "k", "s", "1", "u", "buf"],
        &["help", "gen", "a", "b", "c"],
        &["Gen", "k", "s", "1", "u"],
        &[],
    ] {
        assert!(parse_plain(&argv(words)).is_none(), "{words:?}");
    }
    let mut bad = argv(&["gen", "k", "s", "1"]);
    bad.push(OsString::from_vec(b"u\xff".to_vec()));
    assert!(parse_plain(&bad).is_none());
}

/// A word of a command line: command names, options, values of every shape.
fn word() -> impl Strategy<Value = OsString> {
    prop_oneof![
        3 => "[a-zA-Z0-9:./_=]{1,8}".prop_map(OsString::from),
        1 => prop::sample::select(vec![
            "gen",
            "gen_without_expire",
            "genexpire",
            "genuser",
            "gen2",
            "gen2user",
            "verify",
            "verifyuser",
            "verify2",
            "verify2user",
            "renew",
            "inspect",
            "dump",
            "help",
            "-",
            "--",
            "-h",
            "--help",
            "--json",
            "--expire",
            "90d",
            "--at",
            "--key",
            "-5",
            "=",
            "a=b",
            "",
            " ",
            "1400001052",
            "xiaojun",
            "ec_key.pem",
            "file:secret.txt",
        ])
        .prop_map(OsString::from),
        1 => "[ -~]{0,6}".prop_map(OsString::from),
        1 => "\\PC{0,4}".prop_map(OsString::from),
        1 => prop::collection::vec(any::<u8>(), 0..5).prop_map(OsString::from_vec),
    ]
}

proptest! {
    #[test]
    fn plain_forms_read_as_clap_reads_them(
        name in prop::sample::select(vec![
            "gen", "gen_without_expire", "genexpire", "gen2", "verify", "verifyuser",
            "verify2", "genuser", "help",
        ]),
        words in prop::collection::vec(word(), 0..8),
    ) {
        let mut argv = argv(&[name]);
        argv.extend(words);
        if let Some(command) = parse_plain(&argv) {
            prop_assert_eq!(Some(format!("{command:?}")), by_clap(&argv));
        }
    }
}
