//! Generate and verify UserSig tickets, the login credential of Tencent Cloud IM and
//! TRTC apps in "standalone mode", byte-compatible with Tencent's implementations.
//!
//! Two signing schemes exist: v2 (HMAC-SHA256 with the secret shown in the console) and
//! v1 (ECDSA P-256 with SHA-256, the app holds the private key). A backend loads its key
//! once into a [`Signer`] (making tickets) or a [`Verifier`] (checking them), and shares
//! it between threads. Values are typed: an app is a [`SdkAppId`], a validity a
//! [`Duration`](std::time::Duration), a TRTC room a [`Room`] and its rights
//! [`Privileges`], so arguments in the wrong order do not compile. A failure is an
//! [`Error`] carrying the code Tencent's server gives for it ([`Error::code`]); bad input
//! is an error, never a panic.
//!
//! ```
//! use std::time::Duration;
//! use usersig::{Privileges, Room, SdkAppId, Secret, Signer, Verifier};
//!
//! let app = SdkAppId::new(1400001052)?;
//! let text = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e\n";
//! let signer = Signer::v2(app, Secret::from_text(text)?);
//! let verifier = Verifier::v2(app, Secret::from_text(text)?);
//!
//! let usersig = signer.gen_user_sig("xiaojun", Duration::from_secs(86400))?;
//! let info = verifier.verify("xiaojun", &usersig)?;
//! assert_eq!(info.identifier(), "xiaojun");
//! assert_eq!(verifier.verify("someone", &usersig).unwrap_err().code(), 70013);
//!
//! let room = Room::Name("room-42".to_string());
//! let key = signer.gen_private_map_key("xiaojun", Duration::from_secs(3600), room.clone(),
//!     Privileges::ENTER | Privileges::RECV_AUDIO)?;
//! verifier.verify_private_map_key("xiaojun", &key, room, Privileges::ENTER)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The library reads no file, environment variable or standard input, and depends on no
//! command-line crate. The command-line tool `tls_licence_tools` is a front end over it;
//! the modules it uses beyond this API are public but hidden from this documentation,
//! and not part of the stable API.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

#[doc(hidden)]
pub mod clock;
#[doc(hidden)]
pub mod compat;
#[doc(hidden)]
pub mod issue;
#[doc(hidden)]
pub mod keys;
#[doc(hidden)]
pub mod renew;
#[doc(hidden)]
pub mod secret;
#[doc(hidden)]
pub mod ticket;
#[doc(hidden)]
pub mod verify;

mod error;
mod privileges;
mod signer;
mod values;
mod verifier;

pub use error::{Error, ErrorKind};
pub use keys::{DerKind, KeyError, KeyMaterial, PrivateKey, PublicKey};
pub use privileges::Privileges;
pub use secret::{Secret, SecretError};
pub use signer::Signer;
pub use ticket::Version;
pub use values::{Room, SdkAppId};
pub use verifier::{PrivateMapKey, TicketInfo, Verifier};

#[doc(hidden)]
pub use compat::{
    gen_private_map_key, gen_private_map_key_with_string_room_id, gen_usersig,
    gen_usersig_with_userbuf, verify_usersig, verify_usersig_with_userbuf,
};
#[doc(hidden)]
pub use ticket::{deflate, envelope, json, userbuf, v1, v2};

/// Loaded once, shared by threads: every public type is `Send + Sync + 'static`.
const _: () = {
    const fn shared<T: Send + Sync + 'static>() {}
    shared::<Signer>();
    shared::<Verifier>();
    shared::<Error>();
    shared::<TicketInfo>();
    shared::<Secret>();
    shared::<PrivateKey>();
    shared::<PublicKey>();
    shared::<KeyError>();
    shared::<SecretError>();
};
