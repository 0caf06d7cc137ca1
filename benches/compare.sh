#!/usr/bin/env bash
# Ours beside the reference, in one run, each ratio against its goal (issues 8 and 19):
#   v1 gen-batch      >= 2.1 x the single-core sign/s   of `openssl speed ecdsap256`
#   v1 verify-batch --jobs 1
#                     >= 2.0 x the single-core verify/s of `openssl speed ecdsap256`
#   v1 verify-batch   >= 3.5 x the single-core verify/s of `openssl speed ecdsap256`
#     (on all cores)     (both over 200,000 tickets made by gen-batch with the demo key)
#   v2 gen-batch      >= 900,000 tickets/s, a million lines
#   v2 verify-batch   >= 500,000 tickets/s, a million lines
#   ticket size       <= 1.00 x what zlib's default level makes of the same JSON (mean
#                        over thousands of tickets, v1 and v2, with and without userbuf;
#                        python3's zlib)
#   one gen process   <= 0.35 x the wall time of one `openssl dgst -sha256 -sign` process
# and peak RSS under 64 MiB for a million lines: gen-batch, v1 and v2, by the test
# a_million_lines_in_constant_memory; v1 verify-batch here, by GNU time (/usr/bin/time).
# Beside OpenSSL it also runs benches/engine.rs: ring's own one-core sign and verify rates
# and whole v1 tickets/s, and prints the most two cores could reach (twice the one-core
# ticket rate) against the goals; and `openssl speed -multi` (a process a core), to show
# what this machine gives OpenSSL itself on every core, with our v1 rates against that
# (context, not a goal).
# Usage: bash benches/compare.sh        (three to five minutes, building included)
# Exit status: 0 when every goal is met, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cargo build --release --quiet
cargo bench --quiet -p usersig-benches --bench engine --no-run 2>/dev/null
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
openssl_speed() { # prints "sign/s verify/s" for one core, or with an argument for that many processes
    openssl speed ${1:+-multi "$1"} -seconds 5 ecdsap256 2>/dev/null | awk '/nistp256/ { print $(NF-1), $NF }'
}

failed=0
verdict() { # name value goal direction(ge|le|lt)
    local ok
    ok=$(awk -v v="$2" -v g="$3" -v d="$4" 'BEGIN { print ((d == "ge" && v >= g) || (d == "le" && v <= g) || (d == "lt" && v < g)) ? "ok" : "MISSED" }')
    [ "$ok" = ok ] || failed=1
    printf '  %-44s %10s   goal %s %s   %s\n' "$1" "$2" "$(case $4 in ge) echo '>=' ;; le) echo '<=' ;; lt) echo '<' ;; esac)" "$3" "$ok"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "building inputs..."
seq -f 'user%07g' 1 1000000 > ids1m
head -n 200000 ids1m > ids200k
"$bin" gen-batch ec_key.pem 1400001052 < ids200k > v1_200k.jsonl
# A million v1 lines for the memory check: the 200,000 tickets five times over (verify-batch
# keeps nothing from one line to the next but its key tables, so repeats cost what new
# tickets do).
for _ in 1 2 3 4 5; do cat v1_200k.jsonl; done > v1_1m.jsonl
"$bin" gen-batch file:secret.txt 1400001052 < ids1m > v2_1m.jsonl

read -r sign1 verify1 < <(openssl_speed)
# OpenSSL on every core (one process a core): what this machine gives two busy cores.
cores=$(nproc)
read -r msign1 mverify1 < <(openssl_speed "$cores")
# The engine alone beside it: ring's one-core sign/s and verify/s, and whole v1 tickets/s.
read -r rsign rverify rgen rver < <(cd "$root" && cargo bench --quiet -p usersig-benches --bench engine -- --seconds 3 2>/dev/null | tail -n 1)
g1=$(rate 200000 sh -c "'$bin' gen-batch ec_key.pem 1400001052 < ids200k > /dev/null")
v1j1=$(rate 200000 sh -c "'$bin' verify-batch --jobs 1 public.pem 1400001052 < v1_200k.jsonl > /dev/null")
v1=$(rate 200000 sh -c "'$bin' verify-batch public.pem 1400001052 < v1_200k.jsonl > /dev/null")
g2=$(rate 1000000 sh -c "'$bin' gen-batch file:secret.txt 1400001052 < ids1m > /dev/null")
v2=$(rate 1000000 sh -c "'$bin' verify-batch file:secret.txt 1400001052 < v2_1m.jsonl > /dev/null")
read -r msign2 mverify2 < <(openssl_speed "$cores")
read -r sign2 verify2 < <(openssl_speed)
msign=$(awk -v a="$msign1" -v b="$msign2" 'BEGIN { printf "%.0f", (a + b) / 2 }')
mverify=$(awk -v a="$mverify1" -v b="$mverify2" 'BEGIN { printf "%.0f", (a + b) / 2 }')
sign=$(awk -v a="$sign1" -v b="$sign2" 'BEGIN { printf "%.0f", (a + b) / 2 }')
verify=$(awk -v a="$verify1" -v b="$verify2" 'BEGIN { printf "%.0f", (a + b) / 2 }')

# Ticket size against zlib's default level on the same JSON: identifiers of 1 to 32
# characters; gen-batch for tickets without userbuf, genuser / gen2user (one process
# each) for tickets with a userbuf of 0 to 64 bytes.
python3 - > ids_mixed <<'PY'
import random
random.seed(8)
chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
for _ in range(3000):
    print("".join(random.choice(chars) for _ in range(random.randint(1, 32))))
PY
"$bin" gen-batch --format csv ec_key.pem 1400001052 < ids_mixed | cut -d, -f2 > size_v1
"$bin" gen-batch --format csv file:secret.txt 1400001052 < ids_mixed | cut -d, -f2 > size_v2
: > size_v1u; : > size_v2u
i=0
while IFS= read -r id && [ $i -lt 300 ]; do
    # (no pipe into head: its early exit would be a SIGPIPE failure under pipefail)
    buf=$(head -c $((i % 48)) /dev/urandom | base64 -w0)
    buf=${buf:0:$((i % 64))}
    "$bin" genuser ec_key.pem s1 1400001052 "$id" 86400 "$buf" > /dev/null && cat s1 >> size_v1u && echo >> size_v1u
    "$bin" gen2user file:secret.txt s2 1400001052 "$id" "$buf" > /dev/null && cat s2 >> size_v2u && echo >> size_v2u
    i=$((i + 1))
done < ids_mixed
size_ratio() { # prints "tickets ours_mean zlib_mean ratio" for files of tickets
    python3 - "$@" <<'PY'
import base64, sys, zlib
ours = theirs = n = 0
for path in sys.argv[1:]:
    for line in open(path):
        t = line.strip()
        if not t:
            continue
        raw = base64.b64decode(t.translate(str.maketrans("*-_", "+/=")))
        json = zlib.decompress(raw)
        ours += len(raw); theirs += len(zlib.compress(json)); n += 1
print(n, "%.2f" % (ours / n), "%.2f" % (theirs / n), "%.4f" % (ours / theirs))
PY
}
read -r n1 o1 z1 r1 < <(size_ratio size_v1 size_v1u)
read -r n2 o2 z2 r2 < <(size_ratio size_v2 size_v2u)

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
echo "openssl speed -multi $cores ecdsap256 (mean of a run before and after): sign $msign/s ($(awk -v a="$msign" -v b="$sign" 'BEGIN { printf "%.2f", a / b }') x one core), verify $mverify/s ($(awk -v a="$mverify" -v b="$verify" 'BEGIN { printf "%.2f", a / b }') x one core)"
echo "  so v1 gen-batch against OpenSSL on all cores: $(awk -v a="$g1" -v b="$msign" 'BEGIN { printf "%.2f", a / b }') x (for context; the goal is against one core)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "v1 verify-batch, 200,000 tickets, verifications/s beside OpenSSL's:"
printf '  %-26s %8s/s   %s x openssl one core, %s x openssl -multi %s\n' \
    "ours, --jobs 1 (one core)" "$v1j1" "$(ratio "$v1j1" "$verify")" "$(ratio "$v1j1" "$mverify")" "$cores" \
    "ours, all $cores cores" "$v1" "$(ratio "$v1" "$verify")" "$(ratio "$v1" "$mverify")" "$cores" \
    "ours, all cores, a core" "$((v1 / cores))" "$(ratio "$((v1 / cores))" "$verify")" "$(ratio "$((v1 / cores))" "$mverify")" "$cores"
printf '  %-26s %8s/s\n' "openssl, one core" "$verify" "openssl, -multi $cores" "$mverify" "openssl -multi, a core" "$((mverify / cores))"
echo "ring, one core: sign $rsign/s, verify $rverify/s; whole v1 tickets: gen $rgen/s, verify $rver/s"
echo "  so two cores can at best reach: gen $(awk -v a="$rgen" -v b="$sign" 'BEGIN { printf "%.2f", 2 * a / b }') x openssl sign, verify $(awk -v a="$rver" -v b="$verify" 'BEGIN { printf "%.2f", 2 * a / b }') x openssl verify"
echo "v1 gen-batch $g1/s (all cores, 200,000 lines)"
echo "v2 gen-batch $g2/s, v2 verify-batch $v2/s (all cores, a million lines each)"
echo "ticket bytes, mean: v1 ours $o1, zlib default $z1 ($n1 tickets); v2 ours $o2, zlib default $z2 ($n2 tickets)"
echo "one process: gen $((ours / 200000)) us, openssl dgst -sign $((theirs / 200000)) us"
echo
verdict "v1 gen-batch / openssl sign" "$(awk -v a="$g1" -v b="$sign" 'BEGIN { printf "%.2f", a / b }')" 2.1 ge
verdict "v1 verify-batch --jobs 1 / openssl verify" "$(ratio "$v1j1" "$verify")" 2.0 ge
verdict "v1 verify-batch all cores / openssl verify" "$(ratio "$v1" "$verify")" 3.5 ge
verdict "v2 gen-batch tickets/s" "$g2" 900000 ge
verdict "v2 verify-batch tickets/s" "$v2" 500000 ge
verdict "v1 ticket bytes / zlib default level" "$r1" 1.00 le
verdict "v2 ticket bytes / zlib default level" "$r2" 1.00 le
verdict "one gen process / one openssl dgst" "$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')" 0.35 le

echo
echo "memory: a million lines through gen-batch (v1 and v2) and v1 verify-batch, peak RSS under 64 MiB"
if (cd "$root" && cargo test --release --quiet --test cli -- --ignored a_million_lines 2>&1 | grep -q "test result: ok. 1 passed"); then
    echo "  a_million_lines_in_constant_memory (gen-batch)      ok"
else
    echo "  a_million_lines_in_constant_memory (gen-batch)      MISSED"; failed=1
fi
# v1 verify-batch on all cores, a million valid tickets: every line must come out valid,
# and GNU time's %M is the peak RSS in KiB.
if [ -x /usr/bin/time ]; then
    valid=$({ /usr/bin/time -f %M -o rss "$bin" verify-batch public.pem 1400001052 < v1_1m.jsonl || true; } | grep -c '"valid":true' || true)
    rss_kib=$(tail -n 1 rss)
    [ "$valid" = 1000000 ] || { echo "  v1 verify-batch: $valid of 1000000 lines valid   MISSED"; failed=1; }
    verdict "v1 verify-batch, 1M lines, peak RSS KiB" "$rss_kib" $((64 * 1024)) lt
else
    echo "  v1 verify-batch peak RSS: GNU time (/usr/bin/time, Debian package time) missing   MISSED"; failed=1
fi
exit "$failed"
