#!/usr/bin/env bash
# Build the Debian package: target/debian/tls-licence-tools_VERSION-1_ARCH.deb. Run from
# anywhere: bash contrib/build-deb.sh (cargo-deb is installed from crates.io when missing).
#
# The manual page and the shell completions are written by the release binary itself
# (`man`, `completions SHELL`: the same clap definitions as --help) into
# target/deb-assets/, which Cargo.toml's [package.metadata.deb] assets name; then
# cargo-deb packs that same binary (--no-build). A build script could not run the
# binary it is building, and would have to compile the whole command line into itself.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-deb >/dev/null; then
    echo "+ cargo install cargo-deb --locked"
    cargo install cargo-deb --locked
fi

echo "+ cargo build --release --locked -p tls_licence_tools"
cargo build --release --locked -p tls_licence_tools

bin=target/release/tls_licence_tools
assets=target/deb-assets
rm -rf "$assets"
mkdir -p "$assets"
"$bin" man >"$assets/tls_licence_tools.1"
"$bin" completions bash >"$assets/tls_licence_tools.bash"
"$bin" completions zsh >"$assets/_tls_licence_tools"
"$bin" completions fish >"$assets/tls_licence_tools.fish"

rm -f target/debian/tls-licence-tools_*.deb
echo "+ cargo deb -p tls_licence_tools --no-build --locked"
cargo deb -p tls_licence_tools --no-build --locked
