//! Generate and verify UserSig tickets, the login credential of Tencent Cloud IM and
//! TRTC apps in "standalone mode".
//!
//! Two signing schemes exist: v1 (ECDSA P-256 with SHA-256, the app holds the private
//! key) and v2 (HMAC-SHA256 with the secret shown in the console). Both wrap a JSON
//! object in the same envelope ([`envelope`]). This crate reads every form Tencent's
//! implementations write and writes exactly what the C++ original writes.
//!
//! The library is platform-neutral: it reads no file, environment variable or standard
//! input, and depends on no command-line crate. Its modules, bottom up:
//!
//! - [`clock`], [`keys`], [`secret`]: time, the v1 key pair, the v2 secret;
//! - [`ticket`]: the formats ([`deflate`], [`json`], [`envelope`], [`ticket::fields`],
//!   [`userbuf`], [`v1`], [`v2`]) and parsing ticket text;
//! - [`issue`] (making tickets) and [`verify`] (checking them);
//! - [`compat`]: the one-call API in Tencent's names ([`gen_usersig`],
//!   [`gen_private_map_key`], [`verify_usersig`], ...), over the two above;
//! - [`renew`]: whether an existing ticket can stay.
//!
//! The command-line tool, `tls_licence_tools`, is a thin front end over it.
//!
//! What a backend does per login (the README shows the same):
//!
//! ```
//! use usersig::{Secret, gen_usersig, verify_usersig};
//!
//! let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")?;
//! let usersig = gen_usersig(&secret, 1400001052, "xiaojun", 86400)?;
//! let info = verify_usersig(&secret, 1400001052, "xiaojun", &usersig)?;
//! assert_eq!(info.expire, 86400);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! With a clock of one's own, and the verdict's parts:
//!
//! ```
//! use usersig::{Secret, clock::FixedClock, issue::TicketRequest,
//!     verify::{self, Expect, VerifyKey}};
//!
//! let secret = Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")?;
//! let clock = FixedClock::at(1_795_675_257);
//! let ticket = TicketRequest::new(1400001052, "xiaojun")?.with_expire(86400)?.sign_v2(&secret, &clock)?;
//!
//! let expect = Expect { sdkappid: 1400001052, identifier: "xiaojun", userbuf: None };
//! let info = verify::verify(&ticket, &VerifyKey::Secret(secret), &expect, &clock)?;
//! assert_eq!(info.expires_at(), 1_795_675_257 + 86400);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod clock;
pub mod compat;
pub mod issue;
pub mod keys;
pub mod renew;
pub mod secret;
pub mod ticket;
pub mod verify;

pub use compat::{
    gen_private_map_key, gen_private_map_key_with_string_room_id, gen_usersig,
    gen_usersig_with_userbuf, verify_usersig, verify_usersig_with_userbuf,
};
pub use secret::Secret;
pub use ticket::{deflate, envelope, json, userbuf, v1, v2};
