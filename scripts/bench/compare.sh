#!/usr/bin/env bash
# compare.sh: lsce's kernels against the C yardstick, side by side in one run.
#
# Builds ../shared/bench/cref.c (float32) and scripts/bench/cref64.c (its
# float64 twin) with gcc -O3 -march=native -ffast-math, builds `lsce`, runs
# both on the issue's shapes and prints a markdown table of medians and
# ratios (lsce time / C time: below 1 means lsce is faster).
#
#   scripts/bench/compare.sh            # from the repository root
#   scripts/bench/compare.sh --python   # also time numpy and PyTorch (slow)
#
# Environment: CREF (path of cref.c, default ../shared/bench/cref.c),
# ROUNDS (alternating rounds per case, median taken; default 3), PYTHON.
set -euo pipefail
cd "$(dirname "$0")/../.."
CREF=${CREF:-../shared/bench/cref.c}
ROUNDS=${ROUNDS:-3}
PYTHON=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gcc -O3 -march=native -ffast-math -o "$tmp/cref" "$CREF" -lm
gcc -O3 -march=native -ffast-math -o "$tmp/cref64" scripts/bench/cref64.c -lm
go build -o "$tmp/lsce" ./cmd/lsce

# field KEY JSON: the number after "KEY": in a one-line JSON object.
field() { sed -E "s/.*\"$1\": ?([-0-9.eE+]+).*/\1/" <<<"$2"; }
# median of the arguments
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }

# measure NAME CMD...: runs CMD ROUNDS times; sets NAME_fwd, NAME_fb, NAME_read (medians, ms).
measure() {
	local name=$1; shift
	local f=() b=() r=()
	for _ in $(seq "$ROUNDS"); do
		local j
		j=$("$@")
		f+=("$(field forward_ms "$j")"); b+=("$(field forward_backward_ms "$j")"); r+=("$(field read_ms "$j")")
	done
	printf -v "${name}_fwd" '%s' "$(median "${f[@]}")"
	printf -v "${name}_fb" '%s' "$(median "${b[@]}")"
	printf -v "${name}_read" '%s' "$(median "${r[@]}")"
}

lsce() { "$tmp/lsce" bench --format json --reps 5 "$@"; }

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernels: $("$tmp/lsce" bench --rows 1 --classes 8 --reps 1 --format json | sed -E 's/.*"impl":"([a-z0-9]+)".*/\1/'), $(date -u +%Y-%m-%dT%H:%MZ)" >&2

measure c32 "$tmp/cref" 4096 32000
measure l32w1 lsce --rows 4096 --classes 32000 --dtype float32 --workers 1
measure l32w2 lsce --rows 4096 --classes 32000 --dtype float32 --workers 2
measure cs "$tmp/cref" 256 1000
measure ls lsce --rows 256 --classes 1000 --dtype float32 --workers 1
measure c64 "$tmp/cref64" 4096 32000
measure l64 lsce --rows 4096 --classes 32000 --dtype float64 --workers 1

echo "| case | C fwd ms | lsce fwd ms | fwd ratio | C fwd+grad ms | lsce fwd+grad ms | fwd+grad ratio | target |"
echo "|---|---:|---:|---:|---:|---:|---:|---|"
row() { # label cfwd lfwd cfb lfb target
	echo "| $1 | $2 | $3 | $(ratio "$3" "$2") | $4 | $5 | $(ratio "$5" "$4") | $6 |"
}
row "4096×32000 float32, 1 worker" "$c32_fwd" "$l32w1_fwd" "$c32_fb" "$l32w1_fb" "≤ 0.80"
row "4096×32000 float32, 2 workers (C: 1 thread)" "$c32_fwd" "$l32w2_fwd" "$c32_fb" "$l32w2_fb" "—"
row "256×1000 float32, 1 worker" "$cs_fwd" "$ls_fwd" "$cs_fb" "$ls_fb" "fwd+grad ≤ 1.00"
row "4096×32000 float64, 1 worker" "$c64_fwd" "$l64_fwd" "$c64_fb" "$l64_fb" "≤ 1.00"
echo
echo "Two workers against one (4096×32000 float32): forward $(ratio "$l32w1_fwd" "$l32w2_fwd")× faster, forward+gradient $(ratio "$l32w1_fb" "$l32w2_fb")× faster (target ≥ 1.8×)."
echo "Single-core memory read of the float32 logits: C $c32_read ms, lsce $l32w1_read ms (the floor of a one-sweep forward pass)."
echo "Medians over $ROUNDS rounds of each program's own median of 5; lsce and C data differ (N(0,3²) vs uniform[-3,3]), shapes are the same."

if [[ ${1:-} == --python ]]; then
	echo
	if "$PYTHON" -c 'import numpy' 2>/dev/null; then
		"$PYTHON" scripts/bench/torch_numpy.py --rows 4096 --classes 32000 --reps 3
	else
		echo "numpy is not installed for $PYTHON: skipped"
	fi
fi
