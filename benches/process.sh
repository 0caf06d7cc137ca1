#!/usr/bin/env bash
# One process, start to finish: our `gen` beside `openssl dgst -sha256 -sign` signing the
# same content with the same key, N runs each, interleaved in one run; prints the mean wall
# time per process and the ratio. Usage: bash benches/process.sh [RUNS]   (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-300}
cargo build --release --quiet
bin=$PWD/target/release/tls_licence_tools
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp fixtures/ec_key.pem fixtures/public.pem fixtures/secret.txt "$work/"
cd "$work"
printf 'TLS.appid_at_3rd:0\nTLS.account_type:0\nTLS.identifier:xiaojun\nTLS.sdk_appid:1400001052\nTLS.time:1795675256\nTLS.expire_after:15552000\n' > content
"$bin" gen ec_key.pem sig 1400001052 xiaojun > /dev/null

# mean microseconds per run of a command
mean_us() {
    local start end
    start=$(date +%s%N)
    for _ in $(seq "$runs"); do "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; done
    end=$(date +%s%N)
    echo $(( (end - start) / runs / 1000 ))
}

base=$(mean_us /bin/true)
gen=$(mean_us "$bin" gen ec_key.pem sig 1400001052 xiaojun)
ossl=$(mean_us openssl dgst -sha256 -sign ec_key.pem -out sig.der content)
verify=$(mean_us "$bin" verify public.pem sig 1400001052 xiaojun)
gen2=$(mean_us "$bin" gen2 file:secret.txt sig2 1400001052 xiaojun)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); $runs runs each"
printf '%-52s %6s us\n' "/bin/true (process start, for scale)" "$base" \
    "tls_licence_tools gen (sign + fsync'd atomic write)" "$gen" \
    "openssl dgst -sha256 -sign ec_key.pem" "$ossl" \
    "tls_licence_tools verify" "$verify" \
    "tls_licence_tools gen2" "$gen2"
awk -v g="$gen" -v o="$ossl" 'BEGIN { printf "gen / openssl dgst wall time: %.2f\n", g / o }'
