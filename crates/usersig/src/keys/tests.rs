use super::der::{Block, pem_blocks};
use super::read::BAD_SCALAR;
use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../../../fixtures/keys/", $name)).as_slice()
    };
}

/// The keys that came with Tencent's vectors, in fixtures/.
macro_rules! vector_key {
    ($name:literal) => {
        include_bytes!(concat!("../../../../fixtures/", $name)).as_slice()
    };
}

fn sec1(key: &PublicKey) -> Box<[u8]> {
    key.to_sec1_point().into()
}

/// Fail if `message` holds 16+ characters of a base64 run of `input`, or the hex of 8+
/// of its bytes.
fn assert_no_leak(input: &[u8], message: &str) {
    let b64 = |b: &u8| b.is_ascii_alphanumeric() || b"+/=".contains(b);
    let body: Vec<u8> = input
        .iter()
        .copied()
        .filter(|b| b64(b) || !b.is_ascii_whitespace())
        .collect();
    for run in body.split(|b| !b64(b)) {
        for window in run.windows(16) {
            let window = String::from_utf8_lossy(window);
            assert!(!message.contains(&*window), "{message:?} leaks {window:?}");
        }
    }
    let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
    for i in (0..hex.len().saturating_sub(15)).step_by(2) {
        let window = hex.get(i..i + 16).unwrap_or_default();
        assert!(
            !message.to_lowercase().contains(window),
            "{message:?} leaks hex {window}"
        );
    }
}

#[test]
fn valid_keys_parse_to_the_same_key() {
    let public = PublicKey::from_pem(vector_key!("public.pem")).unwrap();
    for input in [
        vector_key!("ec_key.pem"),
        vector_key!("private_pkcs8.pem"),
        fixture!("p256_sec1_no_params.pem"),
        fixture!("p256_crlf.pem"),
        fixture!("p256_with_text_before.pem"),
    ] {
        let key = PrivateKey::from_pem(input).unwrap();
        assert_eq!(sec1(&key.public_key()), sec1(&public));
        assert_eq!(sec1(&PublicKey::from_pem(input).unwrap()), sec1(&public));
    }
    let other = PublicKey::from_pem(vector_key!("other_public.pem")).unwrap();
    assert_ne!(sec1(&other), sec1(&public));
    assert!(matches!(
        EcKey::from_pem(vector_key!("public.pem")),
        Ok(EcKey::Public(_))
    ));
    // A certificate before the key, and a later second key, do not get in the way.
    let bundle = [
        fixture!("certificate.pem"),
        vector_key!("ec_key.pem"),
        vector_key!("other_public.pem"),
    ]
    .concat();
    assert_eq!(sec1(&PublicKey::from_pem(&bundle).unwrap()), sec1(&public));
}

#[test]
fn signs_and_verifies() {
    let key = PrivateKey::from_pem(vector_key!("ec_key.pem")).unwrap();
    let signature = key.sign_der(b"TLS.identifier:admin\n").unwrap();
    let public = PublicKey::from_pem(vector_key!("public.pem")).unwrap();
    assert!(public.verify_der(b"TLS.identifier:admin\n", &signature));
    assert!(!public.verify_der(b"TLS.identifier:other\n", &signature));
    let other = PublicKey::from_pem(vector_key!("other_public.pem")).unwrap();
    assert!(!other.verify_der(b"TLS.identifier:admin\n", &signature));
    assert_eq!(format!("{key:?}"), "PrivateKey(P-256, <redacted>)");
    assert_eq!(format!("{public:?}"), "PublicKey(P-256)");
}

/// Rows `input => "start of the error's Debug text", [words its Display must hold];`.
macro_rules! cases {
    ($($input:expr => $variant:literal, [$($word:literal),*];)*) => {
        [$(($input as &[u8], $variant, &[$($word),*] as &[&str])),*]
    };
}

#[test]
fn bad_inputs_give_precise_errors() {
    let cases = cases! {
        fixture!("empty.pem") => "Empty", ["empty"];
        b" \r\n\t\n" => "Empty", ["empty"];
        fixture!("not_a_key.txt") => "NotPem", ["not a PEM key file (no -----BEGIN line)"];
        fixture!("secret_like.txt") => "V2Secret", ["v2 secret", "not a PEM key"];
        fixture!("der_private.der") => "Der { public: false }", ["DER", "openssl ec -inform DER"];
        fixture!("der_public.der") => "Der { public: true }", ["DER", "openssl pkey -pubin"];
        fixture!("corrupt_base64.pem") => "Malformed", ["malformed EC PRIVATE KEY block", "base64"];
        fixture!("corrupt_der.pem") => "Malformed", ["malformed PRIVATE KEY block", "DER"];
        b"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQ\n" => "Malformed", ["PUBLIC KEY", "-----END"];
        b"-----BEGIN PUBLIC KEY\nMFkwEwYHKoZIzj0CAQ\n" => "Malformed", ["PEM", "-----BEGIN"];
        fixture!("rsa_private.pem") => "WrongAlgorithm", ["an RSA private key", "P-256"];
        fixture!("rsa_traditional.pem") => "WrongAlgorithm", ["an RSA private key"];
        fixture!("rsa_public.pem") => "WrongAlgorithm", ["an RSA public key"];
        fixture!("ed25519_private.pem") => "WrongAlgorithm", ["an Ed25519 private key"];
        fixture!("ed25519_public.pem") => "WrongAlgorithm", ["an Ed25519 public key"];
        fixture!("x25519_private.pem") => "WrongAlgorithm", ["an X25519 private key"];
        b"-----BEGIN DSA PRIVATE KEY-----\n-----END DSA PRIVATE KEY-----" => "WrongAlgorithm", ["a DSA"];
        fixture!("secp256k1_sec1.pem") => "WrongCurve", ["secp256k1", "mix-up"];
        fixture!("secp256k1_pkcs8.pem") => "WrongCurve", ["private key on curve secp256k1"];
        fixture!("p384_sec1.pem") => "WrongCurve", ["P-384", "secp384r1"];
        fixture!("p384_public.pem") => "WrongCurve", ["public key on curve P-384"];
        fixture!("p521_pkcs8.pem") => "WrongCurve", ["P-521"];
        fixture!("brainpool_sec1.pem") => "WrongCurve", ["brainpoolP256r1"];
        fixture!("explicit_params_p256.pem") => "ExplicitParameters", ["explicit", "named curve"];
        fixture!("encrypted_pkcs8.pem") => "Encrypted", ["passphrase", "openssl pkey -in KEY"];
        fixture!("encrypted_sec1.pem") => "Encrypted", ["passphrase"];
        fixture!("certificate.pem") => "Certificate", ["certificate", "openssl x509"];
        fixture!("openssh_private") => "OpenSsh", ["OpenSSH ssh-ed25519 private key"];
        fixture!("openssh_public.pub") => "OpenSsh", ["OpenSSH ssh-ed25519 public key"];
        fixture!("ec_params_only.pem") => "ParametersOnly", ["only EC PARAMETERS, no key"];
        b"-----BEGIN FOO-----\nAAAA\n-----END FOO-----" => "UnsupportedLabel", ["'FOO'"];
    };
    for (input, variant, words) in cases {
        let error = EcKey::from_pem(input).unwrap_err();
        let message = error.to_string();
        assert!(
            format!("{error:?}").starts_with(variant),
            "{error:?} is not {variant}"
        );
        for word in words {
            assert!(message.contains(word), "{message:?} lacks {word:?}");
        }
        assert!(
            !message.contains('\n') && !message.ends_with('.'),
            "{message:?}"
        );
        assert!(!message.starts_with(char::is_uppercase), "{message:?}");
        assert_no_leak(input, &message);
        assert_eq!(PrivateKey::from_pem(input).unwrap_err(), error);
    }
    let error = PrivateKey::from_pem(vector_key!("public.pem")).unwrap_err();
    assert_eq!(error, KeyError::PublicKeyForSigning);
    assert!(error.to_string().contains("signing needs the private key"));
    assert_no_leak(vector_key!("public.pem"), &error.to_string());
}

#[test]
#[should_panic(expected = "leaks")]
fn leak_check_catches_base64() {
    assert_no_leak(vector_key!("public.pem"), "oops: DQgAERT4iFme3ynBWiJHQlZ");
}

#[test]
#[should_panic(expected = "leaks hex")]
fn leak_check_catches_hex() {
    assert_no_leak(fixture!("der_private.der"), "oops: 3077020101042038");
}

#[test]
fn parameters_block_and_scalar_are_checked() {
    let k1_params = b"-----BEGIN EC PARAMETERS-----\nBgUrgQQACg==\n-----END EC PARAMETERS-----\n";
    let input = [k1_params.as_slice(), fixture!("p256_sec1_no_params.pem")].concat();
    let error = PrivateKey::from_pem(&input).unwrap_err();
    assert!(matches!(&error, KeyError::WrongCurve { curve, .. } if curve == "secp256k1"));
    // ECPrivateKey { version 1, privateKey 32 zero bytes, parameters P-256 }
    let mut der = vec![0x30, 0x31, 0x02, 0x01, 0x01, 0x04, 0x20];
    der.extend([0; 32]);
    der.extend([
        0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
    ]);
    let input = pem::encode(&pem::Pem::new("EC PRIVATE KEY", der));
    let error = PrivateKey::from_pem(input.as_bytes()).unwrap_err();
    assert!(matches!(&error, KeyError::Malformed { reason, .. } if reason.contains("scalar")));
}

#[test]
fn truncated_inputs_never_panic() {
    for input in [
        vector_key!("ec_key.pem"),
        fixture!("der_private.der"),
        fixture!("openssh_private"),
        fixture!("encrypted_sec1.pem"),
    ] {
        for len in 0..input.len() {
            let _ = EcKey::from_pem(input.get(..len).unwrap_or_default());
        }
    }
}

const SECRET: &[u8] = b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

#[test]
fn key_material_is_recognised_in_every_form() {
    let pem = |label: &str| KeyMaterial::Pem {
        label: label.into(),
    };
    let der = KeyMaterial::Der;
    let ssh = |t: &str| KeyMaterial::OpenSshPublic { key_type: t.into() };
    let unknown_der: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x05];
    let der_public_newline = [fixture!("der_public.der"), b"\n"].concat();
    let ed25519_line = fixture!("openssh_public.pub");
    let with_options = [b"no-pty,command=\"x\" ".as_slice(), ed25519_line].concat();
    let after_comment = [b"# deploy key\n".as_slice(), ed25519_line].concat();
    let cases: &[(&[u8], KeyMaterial, &str)] = &[
        (
            vector_key!("public.pem"),
            pem("PUBLIC KEY"),
            "a public key (PEM PUBLIC KEY block)",
        ),
        (
            vector_key!("ec_key.pem"),
            pem("EC PRIVATE KEY"),
            "a private key (PEM EC PRIVATE KEY block)",
        ),
        (
            vector_key!("private_pkcs8.pem"),
            pem("PRIVATE KEY"),
            "a private key (PEM PRIVATE KEY block)",
        ),
        (
            fixture!("certificate.pem"),
            pem("CERTIFICATE"),
            "a certificate (PEM CERTIFICATE block)",
        ),
        (
            fixture!("encrypted_pkcs8.pem"),
            pem("ENCRYPTED PRIVATE KEY"),
            "a private key (PEM ENCRYPTED PRIVATE KEY block)",
        ),
        (
            fixture!("rsa_traditional.pem"),
            pem("RSA PRIVATE KEY"),
            "a private key (PEM RSA PRIVATE KEY block)",
        ),
        (
            fixture!("ec_params_only.pem"),
            pem("EC PARAMETERS"),
            "a PEM EC PARAMETERS block",
        ),
        (
            fixture!("openssh_private"),
            pem("OPENSSH PRIVATE KEY"),
            "an OpenSSH private key (PEM OPENSSH PRIVATE KEY block)",
        ),
        (
            fixture!("openssh_ecdsa"),
            pem("OPENSSH PRIVATE KEY"),
            "an OpenSSH private key (PEM OPENSSH PRIVATE KEY block)",
        ),
        (
            b"text -----BEGIN PUBLIC KEY\nAAAA\n",
            pem(""),
            "PEM text (a -----BEGIN line)",
        ),
        (
            fixture!("der_public.der"),
            der(DerKind::PublicKey),
            "a public key (DER SubjectPublicKeyInfo)",
        ),
        (
            &der_public_newline,
            der(DerKind::PublicKey),
            "a public key (DER SubjectPublicKeyInfo)",
        ),
        (
            fixture!("rsa_public.der"),
            der(DerKind::PublicKey),
            "a public key (DER SubjectPublicKeyInfo)",
        ),
        (
            fixture!("ed25519_public.der"),
            der(DerKind::PublicKey),
            "a public key (DER SubjectPublicKeyInfo)",
        ),
        (
            fixture!("der_pkcs8.der"),
            der(DerKind::PrivateKey),
            "a private key (DER PKCS#8)",
        ),
        (
            fixture!("rsa_private.der"),
            der(DerKind::PrivateKey),
            "a private key (DER PKCS#8)",
        ),
        (
            fixture!("ed25519_private.der"),
            der(DerKind::PrivateKey),
            "a private key (DER PKCS#8)",
        ),
        (
            fixture!("der_private.der"),
            der(DerKind::EcPrivateKey),
            "an EC private key (DER SEC1)",
        ),
        (
            fixture!("p384_sec1.der"),
            der(DerKind::EcPrivateKey),
            "an EC private key (DER SEC1)",
        ),
        (
            fixture!("encrypted_pkcs8.der"),
            der(DerKind::EncryptedPrivateKey),
            "an encrypted private key (DER PKCS#8)",
        ),
        (
            fixture!("der_certificate.der"),
            der(DerKind::Certificate),
            "an X.509 certificate (DER)",
        ),
        (
            fixture!("rsa_pkcs1_public.der"),
            der(DerKind::RsaPublicKey),
            "an RSA public key (DER PKCS#1)",
        ),
        (
            fixture!("rsa_traditional.der"),
            der(DerKind::RsaPrivateKey),
            "an RSA private key (DER PKCS#1)",
        ),
        (
            unknown_der,
            der(DerKind::Unknown),
            "binary DER data (an ASN.1 SEQUENCE)",
        ),
        (
            fixture!("public_base64_body.txt"),
            KeyMaterial::Base64Der(DerKind::PublicKey),
            "a public key (base64 of DER SubjectPublicKeyInfo, without PEM lines)",
        ),
        (
            ed25519_line,
            ssh("ssh-ed25519"),
            "an OpenSSH public key (ssh-ed25519)",
        ),
        (
            fixture!("openssh_ecdsa_public.pub"),
            ssh("ecdsa-sha2-nistp256"),
            "an OpenSSH public key (ecdsa-sha2-nistp256)",
        ),
        (
            &with_options,
            ssh("ssh-ed25519"),
            "an OpenSSH public key (ssh-ed25519)",
        ),
        (
            &after_comment,
            ssh("ssh-ed25519"),
            "an OpenSSH public key (ssh-ed25519)",
        ),
        (
            b"ssh-rsa AAAAB3NzaC1yc2E",
            ssh("ssh-rsa"),
            "an OpenSSH public key (ssh-rsa)",
        ),
        (b"ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQ", ssh("ssh-ed25519-cert-v01@openssh.com"), "an OpenSSH public key (ssh-ed25519-cert-v01@openssh.com)"),
        (b"sk-ssh-ed25519-cert-v01@openssh.com AAAAI", ssh("sk-ssh-ed25519-cert-v01@openssh.com"), "an OpenSSH public key (sk-ssh-ed25519-cert-v01@openssh.com)"),
        // A word that is not a known type is never shown (it could be a secret).
        (b"ssh-hunter2secret AAAAB3NzaC1yc2E", ssh("unknown type"), "an OpenSSH public key (unknown type)"),
        (
            b"sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t x\n",
            ssh("sk-ssh-ed25519@openssh.com"),
            "an OpenSSH public key (sk-ssh-ed25519@openssh.com)",
        ),
        (
            fixture!("ssh2_public.pub"),
            KeyMaterial::Ssh2Public,
            "an SSH2 public key (RFC 4716)",
        ),
        (fixture!("sshcom_rsa_private.key"), KeyMaterial::Ssh2Private, "an SSH.com private key (---- BEGIN SSH2 block)"),
        (fixture!("public_der_hex.txt"), KeyMaterial::HexDer(DerKind::PublicKey), "a public key (hex of DER SubjectPublicKeyInfo)"),
        (fixture!("public_utf16.pem"), KeyMaterial::Utf16(Box::new(pem("PUBLIC KEY"))), "a public key (PEM PUBLIC KEY block), saved as UTF-16"),
        (fixture!("openssh_public_utf16be.pub"), KeyMaterial::Utf16(Box::new(ssh("ssh-ed25519"))), "an OpenSSH public key (ssh-ed25519), saved as UTF-16"),
        (br#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#, KeyMaterial::Jwk, "a JSON Web Key (JWK)"),
        (
            fixture!("putty_ecdsa.ppk"),
            KeyMaterial::Putty {
                key_type: Some("ecdsa-sha2-nistp256".into()),
            },
            "a PuTTY key file (ecdsa-sha2-nistp256)",
        ),
        (
            b"PuTTY-User-Key-File-2\n",
            KeyMaterial::Putty { key_type: None },
            "a PuTTY key file",
        ),
    ];
    for (input, expected, text) in cases {
        let found = KeyMaterial::recognise(input);
        assert_eq!(
            found.as_ref(),
            Some(expected),
            "{:?}",
            String::from_utf8_lossy(input)
        );
        assert_eq!(found.map(|m| m.to_string()).as_deref(), Some(*text));
        assert_no_leak(input, text);
    }
}

#[test]
fn secrets_and_text_are_never_key_material() {
    let other = vector_key!("other_secret.txt");
    let with = |suffix: &[u8]| [SECRET, suffix].concat();
    for input in [
        SECRET,
        &with(b"\n"),
        &with(b"\r\n"),
        &with(b"  \n\n"),
        &[b"  ".as_slice(), SECRET].concat(),
        SECRET.to_ascii_uppercase().as_slice(),
        other,
        fixture!("secret_like.txt"),
        fixture!("not_a_key.txt"),
        b"hunter2",
        b"0",
        b"0123456789",
        b"my secret has -----BEGIN in the middle"
            .get(..20)
            .unwrap_or_default(),
        b"ssh-is-not-a-key",
        b"ssh-not-a-type followed by words",
        b"sk-proj-abcdef0123456789",
        b"sk-live secret words",
        b"",
    ] {
        assert_eq!(
            KeyMaterial::recognise(input),
            None,
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

proptest::proptest! {
    #[test]
    fn hex_secrets_are_never_key_material(
        hex in "[0-9a-fA-F]{64}",
        around in proptest::sample::select(vec!["", "\n", "\r\n", " \n", "\t"]),
    ) {
        let padded = format!("{around}{hex}{around}");
        proptest::prop_assert_eq!(KeyMaterial::recognise(padded.as_bytes()), None);
    }

    #[test]
    fn printable_text_is_never_key_material(text in "[ -~]{0,96}") {
        proptest::prop_assert_eq!(KeyMaterial::recognise(text.as_bytes()), None);
    }

    #[test]
    fn any_bytes_are_read_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        let _ = KeyMaterial::recognise(&bytes);
        let _ = EcKey::from_bytes(&bytes);
        // Binary starting like DER, and the same after a UTF-16 byte order mark.
        let der = [&[0x30, 0x82][..], &bytes].concat();
        let _ = KeyMaterial::recognise(&der);
        let _ = EcKey::from_bytes(&der);
        let _ = KeyMaterial::recognise(&[&[0xff, 0xfe][..], &bytes].concat());
    }
}

#[test]
fn der_keys_load_like_their_pem_twins() {
    let public = PublicKey::from_pem(vector_key!("public.pem")).unwrap();
    for der in [fixture!("der_private.der"), fixture!("der_pkcs8.der")] {
        let key = PrivateKey::from_der(der).unwrap();
        assert_eq!(sec1(&key.public_key()), sec1(&public));
        assert_eq!(sec1(&PublicKey::from_der(der).unwrap()), sec1(&public));
        assert!(PrivateKey::from_bytes(der).is_ok());
    }
    let from_der = PublicKey::from_der(fixture!("der_public.der")).unwrap();
    assert_eq!(from_der, public);
    assert_eq!(
        PublicKey::from_bytes(fixture!("der_public.der")).unwrap(),
        public
    );
    assert_eq!(
        PublicKey::from_bytes(vector_key!("public.pem")).unwrap(),
        public
    );
    assert_eq!(public.to_spki_der(), fixture!("der_public.der"));
    assert_eq!(
        PrivateKey::from_der(fixture!("der_public.der")).unwrap_err(),
        KeyError::PublicKeyForSigning
    );
    // Every other key in DER gets the diagnostic of the same key in PEM.
    for (der, pem) in [
        (fixture!("p384_sec1.der"), fixture!("p384_sec1.pem")),
        (fixture!("p384_public.der"), fixture!("p384_public.pem")),
        (
            fixture!("secp256k1_pkcs8.der"),
            fixture!("secp256k1_pkcs8.pem"),
        ),
        (fixture!("rsa_private.der"), fixture!("rsa_private.pem")),
        (
            fixture!("rsa_traditional.der"),
            fixture!("rsa_traditional.pem"),
        ),
        (fixture!("rsa_public.der"), fixture!("rsa_public.pem")),
        (fixture!("rsa_pkcs1_public.der"), fixture!("rsa_public.pem")),
        (
            fixture!("ed25519_private.der"),
            fixture!("ed25519_private.pem"),
        ),
        (
            fixture!("ed25519_public.der"),
            fixture!("ed25519_public.pem"),
        ),
        (
            fixture!("encrypted_pkcs8.der"),
            fixture!("encrypted_pkcs8.pem"),
        ),
        (fixture!("der_certificate.der"), fixture!("certificate.pem")),
    ] {
        let error = EcKey::from_der(der).unwrap_err();
        assert_eq!(error, EcKey::from_pem(pem).unwrap_err());
        assert_eq!(EcKey::from_bytes(der).unwrap_err(), error);
        assert_no_leak(der, &error.to_string());
    }
    let cases = cases! {
        &[0x30u8, 0x03, 0x02, 0x01, 0x05] => "UnsupportedDer", ["binary DER", "not a key this tool reads"];
        fixture!("der_public.der").get(..60).unwrap_or_default() => "Malformed", ["DER", "truncated"];
        b"" => "Empty", ["empty"];
    };
    for (input, variant, words) in cases {
        let error = EcKey::from_der(input).unwrap_err();
        assert!(format!("{error:?}").starts_with(variant), "{error:?}");
        for word in words {
            assert!(error.to_string().contains(word), "{error} lacks {word:?}");
        }
        assert_no_leak(input, &error.to_string());
    }
    // Truncated DER read as a key file says it is broken DER (not "convert to PEM").
    let error = EcKey::from_bytes(fixture!("der_private.der").get(..100).unwrap_or_default());
    assert!(
        matches!(error, Err(KeyError::Malformed { ref label, .. }) if label == "DER"),
        "{error:?}"
    );
}

#[test]
fn other_key_forms_get_named_errors() {
    let cases = cases! {
        fixture!("putty_ecdsa.ppk") => "Putty", ["PuTTY key file (ecdsa-sha2-nistp256)", "puttygen KEY -O private-openssh"];
        b"PuTTY-User-Key-File-3: ssh-ed25519\n" => "Putty", ["PuTTY ssh-ed25519 key file", "P-256"];
        fixture!("ssh2_public.pub") => "OpenSsh", ["OpenSSH-format public key"];
        fixture!("openssh_ecdsa_public.pub") => "OpenSsh", ["OpenSSH-format public key (ecdsa-sha2-nistp256)", "ssh-keygen -e -m PKCS8"];
        fixture!("public_base64_body.txt") => "NoPemLines", ["without its -----BEGIN and -----END lines"];
        fixture!("public_der_hex.txt") => "HexDer", ["hex digits", "xxd -r -p KEY > key.der"];
        fixture!("sshcom_rsa_private.key") => "SshCom", ["SSH.com-format private key", "P-256"];
        br#"{"kty":"EC","crv":"P-256","d":"x"}"# => "Jwk", ["JSON Web Key", "P-256"];
        fixture!("public_utf16.pem") => "Utf16", ["UTF-16", "iconv -f UTF-16 -t UTF-8 KEY > key.pem"];
    };
    for (input, variant, words) in cases {
        let error = EcKey::from_bytes(input).unwrap_err();
        assert!(format!("{error:?}").starts_with(variant), "{error:?}");
        for word in words {
            assert!(error.to_string().contains(word), "{error} lacks {word:?}");
        }
        assert_no_leak(input, &error.to_string());
    }
}

#[test]
fn truncated_der_never_panics() {
    for input in [
        fixture!("der_public.der"),
        fixture!("der_certificate.der"),
        fixture!("rsa_traditional.der"),
        fixture!("encrypted_pkcs8.der"),
    ] {
        for len in 0..input.len() {
            let part = input.get(..len).unwrap_or_default();
            let _ = EcKey::from_bytes(part);
            let _ = EcKey::from_der(part);
            let _ = KeyMaterial::recognise(part);
        }
    }
}

/// The P-256 generator G and -G, uncompressed; the group order n.
const G: &str = "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
const MINUS_G: &str = "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296b01cbd1c01e58065711814b583f061e9d431cca994cea1313449bf97c840ae0a";
const N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap(), 16).unwrap())
        .collect()
}

/// DER `ECPrivateKey { 1, scalar, [1] point }` (short lengths only).
fn sec1_der(scalar: &[u8], point: Option<&[u8]>) -> Vec<u8> {
    let mut body = vec![0x02, 0x01, 0x01, 0x04, scalar.len() as u8];
    body.extend(scalar);
    if let Some(point) = point {
        let bits = point.len() as u8 + 1;
        body.extend([0xa1, bits + 2, 0x03, bits, 0x00]);
        body.extend(point);
    }
    [vec![0x30, body.len() as u8], body].concat()
}

/// DER SubjectPublicKeyInfo for a P-256 `point` (short lengths only).
fn spki_der(point: &[u8]) -> Vec<u8> {
    let mut body = EC_P256_ALGORITHM.to_vec();
    body.extend([0x03, point.len() as u8 + 1, 0x00]);
    body.extend(point);
    [vec![0x30, body.len() as u8], body].concat()
}

#[test]
fn keys_without_an_uncompressed_public_key_name_the_openssl_fix() {
    let cases = cases! {
        fixture!("p256_sec1_no_public.pem") => "NoPublicKey", ["this EC PRIVATE KEY", "has no public key in it; rewrite it with `openssl ec -in KEY -out fixed.pem`"];
        fixture!("p256_pkcs8_no_public.pem") => "NoPublicKey", ["this PRIVATE KEY", "has no public key in it; rewrite it with `openssl ec -in KEY -out fixed.pem`"];
        fixture!("p256_sec1_no_public.der") => "NoPublicKey", ["this DER EC PRIVATE KEY", "has no public key in it; rewrite it with `openssl ec -inform DER -in KEY -out fixed.pem`"];
        fixture!("p256_sec1_compressed.pem") => "CompressedPoint", ["this EC PRIVATE KEY holds its private key's public half as a compressed point", "`openssl ec -in KEY -conv_form uncompressed -out fixed.pem`"];
        fixture!("p256_public_compressed.pem") => "CompressedPoint", ["this PUBLIC KEY holds its public key as a compressed point", "`openssl ec -pubin -pubout -in KEY -conv_form uncompressed -out fixed.pem`"];
    };
    for (input, variant, words) in cases {
        let error = EcKey::from_bytes(input).unwrap_err();
        let message = error.to_string();
        assert!(format!("{error:?}").starts_with(variant), "{error:?}");
        for word in words {
            assert!(message.contains(word), "{message:?} lacks {word:?}");
        }
        assert!(!message.contains('\n') && !message.ends_with('.'));
        assert_no_leak(input, &message);
        assert_eq!(PublicKey::from_bytes(input).unwrap_err(), error);
    }
    // The compressed point in DER names the DER conversion.
    let pem = fixture!("p256_public_compressed.pem");
    let der = Block::decode(&pem_blocks(pem)[0], "PUBLIC KEY").unwrap();
    let message = EcKey::from_der(&der).unwrap_err().to_string();
    assert!(
        message.contains("`openssl ec -inform DER -pubin -pubout"),
        "{message}"
    );
    // PKCS#8 v2 may carry the public key beside the ECPrivateKey instead: it is used.
    let pem = fixture!("p256_pkcs8_no_public.pem");
    let v1 = Block::decode(&pem_blocks(pem)[0], "PRIVATE KEY").unwrap();
    let public = PublicKey::from_pem(vector_key!("public.pem")).unwrap();
    let mut body = vec![0x02, 0x01, 0x01];
    body.extend(&v1[5..]);
    body.extend([0x81, 0x42, 0x00]);
    body.extend(public.to_sec1_point());
    let v2 = [vec![0x30, 0x81, body.len() as u8], body].concat();
    let key = PrivateKey::from_der(&v2).unwrap();
    assert_eq!(key.public_key(), public);
    // A zero scalar is named as such before the missing public key.
    let error = PrivateKey::from_der(&sec1_der(&[0; 32], None)).unwrap_err();
    assert!(
        error.to_string().contains("not a valid P-256 scalar"),
        "{error}"
    );
}

#[test]
fn scalars_are_checked_against_the_group_order() {
    let (g, minus_g, n) = (unhex(G), unhex(MINUS_G), unhex(N));
    let one = |len: usize| [vec![0; len - 1], vec![1]].concat();
    let mut n_minus_1 = n.clone();
    n_minus_1[31] -= 1;
    let mut n_plus_1 = n.clone();
    n_plus_1[31] += 1;
    // Valid: 1·G = G, (n-1)·G = -G, and 1 written in 24 to 31 bytes (leading zero bytes
    // dropped), which is read as the 32-byte scalar.
    let key = PrivateKey::from_der(&sec1_der(&one(32), Some(&g))).unwrap();
    assert_eq!(key.public_key().to_sec1_point(), g.as_slice());
    assert!(PrivateKey::from_der(&sec1_der(&n_minus_1, Some(&minus_g))).is_ok());
    for len in 24..32 {
        let short = PrivateKey::from_der(&sec1_der(&one(len), Some(&g))).unwrap();
        assert_eq!(*short.to_pkcs8_der(), *key.to_pkcs8_der(), "{len} bytes");
    }
    // Out of range or of wrong length: named as a bad scalar, whatever the point.
    for scalar in [
        vec![0; 32],
        n.clone(),
        n_plus_1,
        vec![0xff; 32],
        one(23),
        one(33),
    ] {
        let error = PrivateKey::from_der(&sec1_der(&scalar, Some(&g))).unwrap_err();
        assert!(
            matches!(&error, KeyError::Malformed { reason, .. } if reason == BAD_SCALAR),
            "{} bytes: {error:?}",
            scalar.len()
        );
    }
    // A valid scalar with a valid point that is not its own: the pair does not match.
    for (scalar, point) in [(one(32), &minus_g), (n_minus_1, &g)] {
        let error = PrivateKey::from_der(&sec1_der(&scalar, Some(point))).unwrap_err();
        assert_eq!(
            error.to_string(),
            "malformed DER EC PRIVATE KEY block: its public key does not match its private key"
        );
    }
}

#[test]
fn public_points_off_the_curve_are_refused() {
    let good = unhex(G);
    assert!(PublicKey::from_der(&spki_der(&good)).is_ok());
    let p = unhex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
    let mut bad = Vec::new();
    let mut y_plus_1 = good.clone();
    y_plus_1[64] ^= 1;
    bad.push(y_plus_1);
    let mut x_is_p = good.clone();
    x_is_p.splice(1..33, p.iter().copied());
    bad.push(x_is_p);
    let mut y_plus_p = vec![0x04];
    y_plus_p.extend(&good[1..33]);
    y_plus_p.extend(vec![0xff; 32]);
    bad.push(y_plus_p);
    let mut wrong_prefix = good.clone();
    wrong_prefix[0] = 0x05;
    bad.push(wrong_prefix);
    bad.push(vec![0x04; 65]);
    bad.push(vec![0; 65]);
    bad.push(vec![0x00]);
    bad.push(good[..64].to_vec());
    bad.push([good.as_slice(), &[0]].concat());
    for point in bad {
        let spki = spki_der(&point);
        let error = PublicKey::from_der(&spki).unwrap_err();
        assert_eq!(
            error.to_string(),
            "malformed DER PUBLIC KEY block: its public key is not a point on P-256",
            "{point:02x?}"
        );
        let sec1 = sec1_der(&[1; 32], Some(&point));
        let error = PrivateKey::from_der(&sec1).unwrap_err();
        assert!(
            error.to_string().contains("not a point on P-256"),
            "{error}"
        );
    }
}

#[test]
fn keys_are_written_as_openssl_writes_them() {
    let public_pem = std::str::from_utf8(vector_key!("public.pem")).unwrap();
    let pkcs8_pem = std::str::from_utf8(vector_key!("private_pkcs8.pem")).unwrap();
    for input in [
        vector_key!("ec_key.pem"),
        vector_key!("private_pkcs8.pem"),
        fixture!("p256_sec1_no_params.pem"),
        fixture!("der_private.der"),
        fixture!("der_pkcs8.der"),
    ] {
        let key = PrivateKey::from_bytes(input).unwrap();
        assert_eq!(key.to_pkcs8_pem().as_str(), pkcs8_pem);
        assert_eq!(key.public_key().to_spki_pem(), public_pem);
        assert_eq!(key.public_key().to_spki_der(), fixture!("der_public.der"));
    }
    // What the engine generates is re-encoded byte for byte.
    let rng = SystemRandom::new();
    for _ in 0..8 {
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let key = PrivateKey::from_der(doc.as_ref()).unwrap();
        assert_eq!(key.to_pkcs8_der().as_slice(), doc.as_ref());
    }
    let (a, b) = (
        PrivateKey::generate().unwrap(),
        PrivateKey::generate().unwrap(),
    );
    assert_ne!(a.public_key(), b.public_key());
    let again = PrivateKey::from_pem(a.to_pkcs8_pem().as_bytes()).unwrap();
    assert_eq!(again.public_key(), a.public_key());
    let signature = again.sign_der(b"content").unwrap();
    assert!(a.public_key().verify_der(b"content", &signature));
    assert!(!b.public_key().verify_der(b"content", &signature));
}
