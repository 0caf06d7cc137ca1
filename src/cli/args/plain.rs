//! The original's plain forms, read without clap.

use std::ffi::OsString;

use super::*;

/// The original tool's gen and verify forms, read without clap: the command and exactly
/// its positional arguments, none of them beginning with `-` but `-` itself, SDKAPPID,
/// IDENTIFIER and EXPIRE_SECONDS in UTF-8. Anything else (an option, `--`, a value
/// beginning with `-`, a missing or extra argument, another command) gives `None` and is
/// left to clap, which otherwise defines and parses its whole command tree at every start
/// (a quarter of what a `gen` process does besides signing). What this gives is what clap
/// gives for the same arguments; a property test holds them together.
pub fn parse_plain(argv: &[OsString]) -> Option<Command> {
    let (name, rest) = argv.get(1..)?.split_first()?;
    if rest
        .iter()
        .any(|a| a != "-" && a.as_encoded_bytes().starts_with(b"-"))
    {
        return None;
    }
    let os = |i: usize| rest[i].clone();
    let text = |i: usize| rest[i].to_str().map(str::to_owned);
    let options = GenOptions {
        allow_any_identifier: false,
        json: JsonOpt::default(),
    };
    let checks = || VerifyOptions {
        at: None,
        min_remaining: None,
        keys: Vec::new(),
        room_id: None,
        room_str: None,
        privilege_map: None,
        json: JsonOpt::default(),
    };
    let target = || {
        Some(V1Target {
            pri_key_file: os(0),
            sig_file: os(1),
            sdkappid: text(2)?,
            identifier: text(3)?,
        })
    };
    let command = match (name.to_str()?, rest.len()) {
        (form @ ("gen" | "gen_without_expire"), 4) => {
            let args = GenArgs {
                target: target()?,
                expire: ExpireOption { expire: None },
                options,
            };
            if form == "gen" {
                Command::Gen(args)
            } else {
                Command::GenWithoutExpire(args)
            }
        }
        ("genexpire", 5) => Command::Genexpire(GenExpireArgs {
            target: target()?,
            expire_seconds: text(4)?,
            options,
        }),
        ("gen2", 4) => Command::Gen2(Gen2Args {
            key: os(0),
            sig_file: os(1),
            sdkappid: text(2)?,
            identifier: text(3)?,
            expire: ExpireOption { expire: None },
            options,
        }),
        (form @ ("verify" | "verifyuser"), 4) => {
            let args = VerifyArgs {
                pub_key_file: os(0),
                sig_file: os(1),
                sdkappid: text(2)?,
                identifier: text(3)?,
                options: checks(),
            };
            if form == "verify" {
                Command::Verify(args)
            } else {
                Command::Verifyuser(args)
            }
        }
        ("verify2", 4) => Command::Verify2(Verify2Args {
            key: os(0),
            sig_file: os(1),
            sdkappid: text(2)?,
            identifier: text(3)?,
            options: checks(),
        }),
        _ => return None,
    };
    Some(command)
}
