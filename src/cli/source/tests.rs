use super::*;

#[test]
fn forms() {
    let s = |a: &str| Source::secret(OsStr::new(a));
    assert!(matches!(s("-"), Source::Stdin));
    assert!(matches!(s("file:a/b"), Source::File(p) if p == Path::new("a/b")));
    assert!(matches!(s("env:X"), Source::Env(n) if n == "X"));
    assert!(matches!(s("abc"), Source::Literal(b) if b.as_slice() == b"abc"));
    assert!(
        matches!(Source::pem_key(OsStr::new("k.pem")), Source::File(p) if p == Path::new("k.pem"))
    );
    assert_eq!(
        format!("{:?}", s("topsecret")),
        "Source(the secret given on the command line)"
    );
}

#[test]
fn missing_env_names_the_variable() {
    let e = Source::Env("TLS_LICENCE_TOOLS_SURELY_UNSET".into())
        .read("secret")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "environment variable TLS_LICENCE_TOOLS_SURELY_UNSET is not set"
    );
}

#[test]
fn descriptions_never_show_a_secret_nor_a_raw_control_character() {
    let secret = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
    let cases = [
        (
            format!("env:{secret}"),
            "environment variable [redacted]".to_owned(),
        ),
        (
            format!("env:{}", &secret[..60]),
            "environment variable [redacted]".to_owned(),
        ),
        (
            format!("file:./{secret}"),
            "a path shaped like a secret".to_owned(),
        ),
        (
            format!("file:k/{}X", secret.to_uppercase()),
            "a path shaped like a secret".to_owned(),
        ),
        (
            format!("file: {secret} "),
            "a path shaped like a secret".to_owned(),
        ),
        ("file:a\nb\x1b[2J".to_owned(), r"'a\nb\u{1b}[2J'".to_owned()),
        (
            "env:A\nB".to_owned(),
            r"environment variable A\nB".to_owned(),
        ),
        (
            secret.to_owned(),
            "the secret given on the command line".to_owned(),
        ),
        ("file:ec_key.pem".to_owned(), "'ec_key.pem'".to_owned()),
    ];
    for (arg, want) in cases {
        let source = Source::secret(OsStr::new(&arg));
        assert_eq!(source.describe(), want, "{arg:?}");
        assert_eq!(format!("{source:?}"), format!("Source({want})"));
    }
    let e = Source::Env(format!("{secret}\n").into())
        .read("secret")
        .unwrap_err();
    assert!(matches!(e, SourceError::SecretAsEnvName), "{e}");
    assert!(!e.to_string().contains(&secret[..20]));
    // The message for a name that is not secret-shaped names it, escaped.
    let e = Source::Env("TLS_LICENCE_TOOLS_UNSET\n\x1b[2J".into())
        .read("secret")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        r"environment variable TLS_LICENCE_TOOLS_UNSET\n\u{1b}[2J is not set"
    );
}

#[test]
fn a_secret_shaped_path_that_cannot_be_read_is_not_named() {
    let secret = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5";
    for path in [
        secret.to_owned(),
        format!("./{secret}0 "),
        format!("/nonexistent/{secret}.pem"),
    ] {
        let e = Source::pem_key(OsStr::new(&path))
            .read("key file")
            .unwrap_err();
        assert!(matches!(e, SourceError::SecretAsPath), "{path}: {e}");
        assert!(!e.to_string().contains(&secret[..20]));
    }
}
