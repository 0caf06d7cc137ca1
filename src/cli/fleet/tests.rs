use super::*;

fn check(text: &str) -> Result<Manifest, String> {
    parse(text, Path::new("m.toml"), Path::new("/srv")).map_err(|s| stop_text(&s))
}

const OK: &str = "[[ticket]]\nfile = \"a.sig\"\nkey = \"k.pem\"\nsdkappid = 1400001052\nidentifier = \"admin\"\nwithin = \"30d\"\n";

#[test]
fn relative_paths_are_from_the_manifest_directory() {
    let m = check(OK).unwrap();
    assert_eq!(m.entries[0].file, Path::new("/srv/a.sig"));
    // A key named in a manifest is read as a regular file only.
    assert!(matches!(&m.entries[0].key, Source::Regular(p) if p == Path::new("/srv/k.pem")));
    assert_eq!(m.entries[0].hook_timeout, DEFAULT_HOOK_TIMEOUT);
}

#[test]
fn every_rule_is_checked_before_anything_runs() {
    let cases: &[(&str, &str)] = &[
        (
            "[[ticket]]\nfile = \"a\"\nkey = \"k\"\nsdkappid = 1\nidentifier = \"x\"\nwithin = \"1d\"\nwithn = 1\n",
            "line 7, column 1: unknown field `withn`",
        ),
        (
            "[[ticket]]\nfile = \"a\"\nkey = \"k\"\nsdkappid = 1\nwithin = \"1d\"\n",
            "missing field `identifier`",
        ),
        ("[defaults]\nfile = \"a\"\n", "unknown field `file`"),
        ("[[ticket]\n", "line 1"),
        ("", "no [[ticket]] entries"),
        (
            &format!("{OK}{OK}"),
            "ticket 2 ('a.sig'): a second entry for the same file",
        ),
        (
            &format!("{OK}{}", OK.replace("a.sig", "./a.sig")),
            "a second entry for the same file",
        ),
        (
            &OK.replace("30d", "180d"),
            "is not shorter than the ticket's validity",
        ),
        (&OK.replace("within = \"30d\"\n", ""), "no within"),
        (&OK.replace("key = \"k.pem\"\n", ""), "no key"),
        (&OK.replace("k.pem", "-"), "stdin cannot be used here"),
        (&OK.replace("1400001052", "0"), "sdkappid"),
        (&OK.replace("1400001052", "99999999999"), "sdkappid"),
        (&OK.replace("\"admin\"", "\"\""), "identifier"),
        (&format!("{OK}mode = \"0664\"\n"), "must not be executable"),
        (&format!("{OK}mode = 0o755\n"), "must not be executable"),
        (&format!("{OK}mode = \"rw\"\n"), "not an octal file mode"),
        (
            &format!("{OK}owner = \"no-such-user-here\"\n"),
            "owner 'no-such-user-here' is not a user",
        ),
        (
            &format!("{OK}group = \"no-such-group-here\"\n"),
            "is not a group",
        ),
        (
            &format!("{OK}hook_timeout = \"0s\"\n"),
            "hook_timeout: \"0s\" is out of range: give from 1s to 1d",
        ),
        (
            &format!("{OK}hook_timeout = \"18446744073709551615\"\n"),
            "hook_timeout: \"18446744073709551615\" is out of range: give from 1s to 1d",
        ),
        (
            &format!("{OK}hook_timeout = 86401\n"),
            "hook_timeout: \"86401\" is out of range",
        ),
        (
            &OK.replace("\"30d\"", "\"18446744073709551615\""),
            "within: \"18446744073709551615\" is out of range: give from 0s to 50y",
        ),
        (
            &format!("{OK}owner = 4294967295\n"),
            "owner 4294967295 is out of range: give from 0 to 4294967294",
        ),
        (
            &format!("{OK}group = \"-1\"\n"),
            "group -1 is out of range: give from 0 to 4294967294",
        ),
        (
            &format!("{OK}owner = 99999999999\n"),
            "owner 99999999999 is out of range",
        ),
        (
            &OK.replace("\"a.sig\"", "\"tickets/\""),
            "file names a directory",
        ),
        (
            &OK.replace("\"a.sig\"", "\"tickets/.\""),
            "file names a directory",
        ),
        (&OK.replace("\"a.sig\"", "\"..\""), "file names a directory"),
        (&format!("{OK}expire = \"51y\"\n"), "expire"),
    ];
    for (text, want) in cases {
        match check(text) {
            Ok(_) => panic!("accepted: {text}"),
            Err(m) => assert!(m.contains(want), "{text:?}: {m}"),
        }
    }
}

#[test]
fn defaults_apply_and_an_empty_hook_means_none() {
    let text = String::from(
        "[defaults]\nwithin = 86400\nexpire = \"10d\"\ndeploy_hook = \"true\"\nkey = \"env:K\"\nmode = 0o640\nowner = 0\ngroup = \"0\"\n\
             [[ticket]]\nfile = \"/x\"\nsdkappid = 1\nidentifier = \"a\"\n\
             [[ticket]]\nfile = \"/y\"\nsdkappid = 1\nidentifier = \"b\"\ndeploy_hook = \"\"\nmode = \"0600\"\n",
    );
    let m = check(&text).unwrap();
    let (a, b) = (&m.entries[0], &m.entries[1]);
    assert_eq!((a.within, a.req.expire()), (86400, 864000));
    assert_eq!(a.hook.as_deref(), Some("true"));
    assert_eq!(b.hook, None);
    assert_eq!((a.mode, b.mode), (Some(0o640), Some(0o600)));
    assert_eq!((a.owner, a.group), (Some(0), Some(0)));
    assert!(matches!(&a.key, Source::Env(name) if name == "K"));
    assert_eq!(
        m.key_variables,
        vec![OsString::from("K"), OsString::from("K")]
    );
}
