use super::*;
use usersig::issue::{TicketRequest, check_identifier};
use usersig::ticket::Version;

/// The lines the CLI printed before the library lost its CLI words, byte for byte.
#[test]
fn lines_are_the_ones_the_cli_always_printed() {
    let cases: Vec<(String, &str)> = vec![
        (
            key_error(&KeyError::V2Secret),
            "this looks like a v2 secret key (64 hex characters), not a PEM key; v2 tickets are made with gen2/verify2",
        ),
        (
            arg_error(&check_identifier(&"a".repeat(33)).unwrap_err()),
            "the identifier is 33 bytes; Tencent's SDK allows at most 32 (pass --allow-any-identifier to make the ticket anyway)",
        ),
        (
            arg_error(&check_identifier("小军").unwrap_err()),
            "the identifier has a byte that is not printable ASCII at offset 0; Tencent's SDK requires printable ASCII (pass --allow-any-identifier to make the ticket anyway)",
        ),
        (
            arg_error(&TicketRequest::any_identifier(1, "a\nb").unwrap_err()),
            "the identifier holds a control character (U+000A at offset 1), which would make a ticket that can be re-read as another user's; no option allows it: use printable ASCII, as Tencent's SDK requires",
        ),
        (
            failure(&Failure::WrongKindOfKey {
                ticket: Version::V1,
            }),
            "this is a v1 ticket (ECDSA), which is checked with a public key, not a v2 secret (server code 70009); verify it with the app's public key: tls_licence_tools verify public.pem SIG_FILE SDKAPPID IDENTIFIER",
        ),
        (
            failure(&Failure::WrongKindOfKey {
                ticket: Version::V2,
            }),
            "this is a v2 ticket (HMAC-SHA256), which is checked with the app's secret, not a public key (server code 70009); verify it with the secret: tls_licence_tools verify2 file:SECRET_FILE SIG_FILE SDKAPPID IDENTIFIER",
        ),
        (
            failure(&Failure::UserbufMismatch { ticket: None }),
            "the ticket carries no userbuf, but one was given to check (no server code); check the userbuf, or verify without one (verify2 shows the ticket's userbuf)",
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
}

/// The library's own messages name no option and no command.
#[test]
fn library_messages_carry_no_cli_words() {
    let lines = [
        check_identifier(&"a".repeat(33)).unwrap_err().to_string(),
        check_identifier("小军").unwrap_err().to_string(),
        Failure::WrongKindOfKey {
            ticket: Version::V1,
        }
        .to_string(),
        Failure::WrongKindOfKey {
            ticket: Version::V2,
        }
        .to_string(),
        Failure::UserbufMismatch { ticket: None }.to_string(),
        KeyError::V2Secret.to_string(),
    ];
    for line in lines {
        for word in ["--", "tls_licence_tools", "verify2", "gen2", "file:"] {
            assert!(!line.contains(word), "{word:?} in {line:?}");
        }
    }
}
