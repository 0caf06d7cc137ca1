//! The library's tests, one binary: the `usersig` API called as a backend calls it, on
//! Tencent's vectors (fixtures/ at the repository root) and on mutations of them.

mod api;
mod common;
mod mutations;
// Shared with the CLI's tests, whose `deny_randomness` runs the binary.
#[allow(dead_code)]
#[path = "../../../../tests/common/no_randomness.rs"]
mod no_randomness;
mod privmap;
mod randomness;
mod vectors;
