//! keygen and keycheck: make a key pair, and tell whether two keys belong together.

use std::path::Path;

use usersig::keys::PrivateKey;

use super::args::{KeycheckArgs, KeygenArgs};
use super::checks::{check_not_secret_name, check_one_stdin};
use super::error::{Stop, io_err};
use super::fsio::{self, FileId, Target, WriteRules};
use super::keyload::{key_kind, load_private_key, load_public_key};
use super::make::say_written;
use super::outcome::{KeyChecked, KeyPair, Outcome};
use super::redact;
use super::source::Source;

pub(super) fn keygen(a: &KeygenArgs) -> Result<Outcome, Stop> {
    let (private, public) = (Path::new(&a.private_pem), Path::new(&a.public_pem));
    // One file however the two paths are spelt (`k.pem`, `./k.pem`, a link to the
    // directory): the directory each is written in, and the name there.
    let place =
        |path| Target::open(path, "key file").and_then(|t| Ok((t.place()?.0, t.name().to_owned())));
    if a.private_pem == a.public_pem
        || matches!((place(private), place(public)), (Ok(x), Ok(y)) if x == y)
    {
        return Err(Stop::Usage(
            "the private and public key files must be different files".into(),
        ));
    }
    for (path, role) in [(private, "PRIVATE_PEM"), (public, "PUBLIC_PEM")] {
        if fsio::is_stdout(path) {
            return Err(Stop::Usage("keygen writes files, not - (stdout)".into()));
        }
        check_not_secret_name(path.as_os_str(), role)?;
        if !a.force && std::fs::symlink_metadata(path).is_ok() {
            return Err(Stop::Io(format!(
                "'{}' exists; pass --force to replace it",
                redact::shown_path(path)
            )));
        }
    }
    let key = PrivateKey::generate().map_err(io_err)?;
    let public_key = key.public_key();
    // Only --force replaces a key (the files were checked above); the public key never
    // lands on the private key just written, however the two paths are spelt.
    let rules = |mode, holds| WriteRules {
        mode: Some(mode),
        replace_keys: a.force,
        ..WriteRules::new(holds)
    };
    let pem = key.to_pkcs8_pem();
    let written = fsio::write(
        private,
        pem.as_bytes(),
        "private key file",
        &rules(0o600, "a key"),
    )
    .map_err(io_err)?;
    say_written(private, &written);
    let mut public_rules = rules(0o644, "a key");
    if let Some(id) = FileId::of(private) {
        public_rules
            .inputs
            .push((id, "the private key file just written"));
    }
    let written = fsio::write(
        public,
        public_key.to_spki_pem().as_bytes(),
        "public key file",
        &public_rules,
    )
    .map_err(io_err)?;
    say_written(public, &written);
    Ok(Outcome::KeyPair(KeyPair {
        private: private.to_owned(),
        public: public.to_owned(),
        fingerprint: public_key.fingerprint(),
    }))
}

pub(super) fn keycheck(a: &KeycheckArgs) -> Result<Outcome, Stop> {
    let private_source = Source::pem_key(&a.private_pem);
    let public_source = Source::pem_key(&a.public_pem);
    check_one_stdin([&private_source, &public_source], false)?;
    let private = load_private_key(&private_source, "check").map_err(|stop| {
        // A public key first and a private key second: the two were given swapped.
        if key_kind(&private_source) == Some(false) && key_kind(&public_source) == Some(true) {
            Stop::Usage(format!(
                "{} is a public key and {} a private key: swap them (keycheck PRIVATE_PEM PUBLIC_PEM)",
                private_source.describe(),
                public_source.describe()
            ))
        } else {
            stop
        }
    })?;
    let public = load_public_key(&public_source, "check")?;
    Ok(Outcome::KeyChecked(KeyChecked {
        private_source: private_source.describe(),
        public_source: public_source.describe(),
        private_fingerprint: private.public_key().fingerprint(),
        public_fingerprint: public.fingerprint(),
        matches: private.public_key() == public,
    }))
}
