//! The command line's words added to the library's messages: the library says what is
//! wrong and what to do in its own terms; here the option or command that does it is
//! appended, where the message is printed.

use usersig::issue::ArgError;
use usersig::keys::KeyError;
use usersig::verify::Failure;

/// An argument error as the CLI prints it: the SDK identifier rules (length, printable
/// ASCII) name the option that sets them aside.
pub(super) fn arg_error(e: &ArgError) -> String {
    if e.is_sdk_identifier_rule() {
        format!("{e} (pass --allow-any-identifier to make the ticket anyway)")
    } else {
        e.to_string()
    }
}

/// A key error as the CLI prints it: a v2 secret given where a key belongs names the
/// commands that take secrets.
pub(super) fn key_error(e: &KeyError) -> String {
    match e {
        KeyError::V2Secret => format!("{e}; v2 tickets are made with gen2/verify2"),
        _ => e.to_string(),
    }
}

/// A failed verdict as the CLI prints it: the library's line (cause, server code, fix),
/// then the command that does the fix, where there is one.
pub(super) fn failure(f: &Failure) -> String {
    let hint = match f {
        Failure::WrongKindOfKey { ticket } if ticket.is_v1() => {
            ": tls_licence_tools verify public.pem SIG_FILE SDKAPPID IDENTIFIER"
        }
        Failure::WrongKindOfKey { .. } => {
            ": tls_licence_tools verify2 file:SECRET_FILE SIG_FILE SDKAPPID IDENTIFIER"
        }
        Failure::UserbufMismatch { .. } => " (verify2 shows the ticket's userbuf)",
        _ => "",
    };
    format!("{f}{hint}")
}

#[cfg(test)]
mod tests;
