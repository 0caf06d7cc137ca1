//! Sets `cfg(ci)` when the environment variable CI is `true` (CI runs `bash .ci/run` with
//! it). Only tests read it: the tests that need root are ignored outside CI and run under
//! it (tests/common/precondition.rs explains why). Nothing else is probed here.

fn main() {
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rustc-check-cfg=cfg(ci)");
    if std::env::var_os("CI").is_some_and(|v| v == "true") {
        println!("cargo::rustc-cfg=ci");
    }
}
