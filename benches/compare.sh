#!/usr/bin/env bash
# Ours beside the reference, in one run, each ratio against its goal (issue 4):
#   v1 gen-batch    >= 1.5 x the single-core sign/s   of `openssl speed ecdsap256`
#   v1 verify-batch >= 1.5 x the single-core verify/s of `openssl speed ecdsap256`
#   v2 gen-batch    >= 330,000 tickets/s
#   one gen process <= 0.5 x the wall time of one `openssl dgst -sha256 -sign` process
# and the million-line memory test (peak RSS under 64 MiB).
# Usage: bash benches/compare.sh        (takes about two minutes)
# Exit status: 0 when every goal is met, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cargo build --release --quiet
bin=$root/target/release/tls_licence_tools
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp fixtures/ec_key.pem fixtures/public.pem fixtures/secret.txt "$work/"
chmod 600 "$work/ec_key.pem" "$work/secret.txt"
cd "$work"

# Nanoseconds, without forking a process (bash's EPOCHREALTIME, microsecond precision).
now_ns() { local t=${EPOCHREALTIME/./}; echo "${t}000"; }
# items/s of a command given the item count: rate N cmd args...
rate() {
    local n=$1; shift
    local start end
    start=$(now_ns)
    "$@"
    end=$(now_ns)
    awk -v n="$n" -v ns=$((end - start)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }'
}
openssl_speed() { # prints "sign/s verify/s" for one core
    openssl speed -seconds 5 ecdsap256 2>/dev/null | awk '/nistp256/ { print $(NF-1), $NF }'
}

failed=0
verdict() { # name value goal direction(ge|le)
    local ok
    ok=$(awk -v v="$2" -v g="$3" -v d="$4" 'BEGIN { print ((d == "ge" && v >= g) || (d == "le" && v <= g)) ? "ok" : "MISSED" }')
    [ "$ok" = ok ] || failed=1
    printf '  %-44s %10s   goal %s %s   %s\n' "$1" "$2" "$( [ "$4" = ge ] && echo '>=' || echo '<=')" "$3" "$ok"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "building inputs..."
seq -f 'user%07g' 1 2000000 > ids2m
head -n 200000 ids2m > ids200k
"$bin" gen-batch ec_key.pem 1400001052 < <(head -n 100000 ids2m) > v1_100k.jsonl

read -r sign1 verify1 < <(openssl_speed)
g1=$(rate 200000 sh -c "'$bin' gen-batch ec_key.pem 1400001052 < ids200k > /dev/null")
v1=$(rate 100000 sh -c "'$bin' verify-batch public.pem 1400001052 < v1_100k.jsonl > /dev/null")
g2=$(rate 2000000 sh -c "'$bin' gen-batch file:secret.txt 1400001052 < ids2m > /dev/null")
read -r sign2 verify2 < <(openssl_speed)
sign=$(awk -v a="$sign1" -v b="$sign2" 'BEGIN { printf "%.0f", (a + b) / 2 }')
verify=$(awk -v a="$verify1" -v b="$verify2" 'BEGIN { printf "%.0f", (a + b) / 2 }')

# One process, start to finish, interleaved: ours, then openssl, 200 times each.
printf 'TLS.appid_at_3rd:0\nTLS.account_type:0\nTLS.identifier:xiaojun\nTLS.sdk_appid:1400001052\nTLS.time:1795675256\nTLS.expire_after:15552000\n' > content
ours=0; theirs=0
for _ in $(seq 200); do
    t0=${EPOCHREALTIME/./}; "$bin" gen ec_key.pem sig 1400001052 xiaojun > /dev/null
    t1=${EPOCHREALTIME/./}; openssl dgst -sha256 -sign ec_key.pem -out sig.der content
    t2=${EPOCHREALTIME/./}
    ours=$((ours + t1 - t0)); theirs=$((theirs + t2 - t1))
done
# microseconds to nanoseconds
ours=$((ours * 1000)); theirs=$((theirs * 1000))

echo
echo "openssl speed ecdsap256, one core (mean of a run before and after): sign $sign/s, verify $verify/s"
echo "v1 gen-batch $g1/s, v1 verify-batch $v1/s, v2 gen-batch $g2/s (all cores)"
echo "one process: gen $((ours / 200000)) us, openssl dgst -sign $((theirs / 200000)) us"
echo
verdict "v1 gen-batch / openssl sign" "$(awk -v a="$g1" -v b="$sign" 'BEGIN { printf "%.2f", a / b }')" 1.5 ge
verdict "v1 verify-batch / openssl verify" "$(awk -v a="$v1" -v b="$verify" 'BEGIN { printf "%.2f", a / b }')" 1.5 ge
verdict "v2 gen-batch tickets/s" "$g2" 330000 ge
verdict "one gen process / one openssl dgst" "$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')" 0.5 le

echo
echo "memory: a million identifiers through gen-batch (v1 and v2), peak RSS under 64 MiB"
if (cd "$root" && cargo test --release --quiet --test cli_batch -- --ignored a_million_lines 2>&1 | grep -q "test result: ok. 1 passed"); then
    echo "  a_million_lines_in_constant_memory                  ok"
else
    echo "  a_million_lines_in_constant_memory                  MISSED"; failed=1
fi
exit "$failed"
