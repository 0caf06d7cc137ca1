//! What an app backend does per login: make a v2 UserSig for the user, with the app's
//! secret, and hand it to the client.
//!
//! ```text
//! cargo run --example backend -- SECRET_FILE SDKAPPID IDENTIFIER
//! ```
//!
//! SECRET_FILE holds the app's secret from the console (surrounding white space is
//! ignored). The UserSig, valid for one day, is the last line on stdout. Reading the
//! file is the backend's job: the library reads no file. Exit status: 0 made; 2 bad
//! arguments; 3 the secret file cannot be read or holds no secret.

use std::process::ExitCode;

use usersig::issue::parse_sdkappid;
use usersig::{Secret, gen_usersig};

/// How long the UserSig is valid: one day.
const EXPIRE_SECONDS: u32 = 86_400;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [secret_file, sdkappid, identifier] = args.as_slice() else {
        eprintln!("backend: usage: backend SECRET_FILE SDKAPPID IDENTIFIER");
        return ExitCode::from(2);
    };
    let sdkappid = match parse_sdkappid(sdkappid) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("backend: error: {e}");
            return ExitCode::from(2);
        }
    };
    let secret = match std::fs::read(secret_file) {
        Ok(bytes) => match Secret::new(bytes.trim_ascii()) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("backend: error: {secret_file}: {e}");
                return ExitCode::from(3);
            }
        },
        Err(e) => {
            eprintln!("backend: error: cannot read {secret_file}: {e}");
            return ExitCode::from(3);
        }
    };
    match gen_usersig(&secret, sdkappid, identifier, EXPIRE_SECONDS) {
        Ok(usersig) => {
            println!("UserSig for {identifier} of app {sdkappid}, valid {EXPIRE_SECONDS} s:");
            println!("{usersig}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("backend: error: {e}");
            ExitCode::from(2)
        }
    }
}
