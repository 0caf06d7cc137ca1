//! The CLI package's tests, one binary: each module runs `tls_licence_tools` as a user
//! would (through `common`'s `run`, `run_bounded` and `Scratch`) on one concern, and
//! `layout` checks the shape of the workspace.

#[path = "../common/mod.rs"]
mod common;

mod batch;
mod batch_verdicts;
mod cmd;
mod errors;
mod example;
mod fleet;
mod generate;
mod json_output;
mod keys;
mod layout;
mod metrics;
mod ops;
mod package;
mod privmap;
mod startup;
mod trust_display;
mod trust_files;
mod trust_fleet;
mod trust_forgery;
mod trust_numbers;
mod trust_output;
mod trust_secrets;
mod ux;
mod vectors;
