#!/bin/sh
# Run each libFuzzer harness for a bounded time (FUZZ_TIME seconds, 60
# unless told) and fail on any crash, leak, sanitizer report or hang.
#
#   scripts/fuzz.sh [ctt|import|xlsx|record ...]     (all four by default)
#
# Builds build-fuzz with clang (-Dfuzzing=true: the libraries under the
# harnesses are instrumented too), starts each harness on a scratch copy
# of its committed corpus in fuzz/corpus (what it finds is thrown away:
# the committed corpus stays small), one harness at a time, and prints
# per harness the executions and libFuzzer's coverage (cov: edges, ft:
# features). A finding is kept in build-fuzz/fuzz-artifacts with the
# command that replays it; its log is build-fuzz/fuzz-NAME.log.
set -u
cd "$(dirname "$0")/.." || exit 1

dir=build-fuzz
time=${FUZZ_TIME:-60}
harnesses=${*:-ctt import xlsx record}

if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz.sh: clang is missing (scripts/deps.sh --test installs it)" >&2
	exit 1
fi
if [ ! -f "$dir/build.ninja" ]; then
	CC=clang meson setup "$dir" -Dfuzzing=true -Dtests=disabled \
		--buildtype=debugoptimized >"$dir.setup.log" 2>&1 || {
		cat "$dir.setup.log" >&2
		exit 1
	}
	mv "$dir.setup.log" "$dir/setup.log"
fi
targets=""
for h in $harnesses; do
	[ -d "fuzz/corpus/$h" ] || { echo "fuzz.sh: no harness '$h'" >&2; exit 2; }
	targets="$targets fuzz/fuzz_$h"
done
# shellcheck disable=SC2086
ninja -C "$dir" $targets >"$dir/fuzz-build.log" 2>&1 || {
	cat "$dir/fuzz-build.log" >&2
	exit 1
}

# A report from either sanitizer stops the harness (UBSan is built not to
# recover); leaks are checked after every input.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
art="$dir/fuzz-artifacts"
rm -rf "$art"
mkdir -p "$art"
failed=""
for h in $harnesses; do
	log="$dir/fuzz-$h.log"
	work=$(mktemp -d "${TMPDIR:-/tmp}/cadre-fuzz-$h.XXXXXX") || exit 1
	cp "fuzz/corpus/$h"/* "$work"/
	start=$(date +%s)
	"$dir/fuzz/fuzz_$h" -max_total_time="$time" -timeout=30 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/$h-" "$work" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	rm -rf "$work"
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	if [ $rc -ne 0 ] || grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|ERROR: libFuzzer' "$log"; then
		echo "fuzz_$h: FAILED after ${runs:-?} runs in ${secs} s (exit $rc)"
		grep -E 'ERROR:|runtime error:|SUMMARY:|^    #[0-9] ' "$log" | head -n 20
		sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
		while read -r f; do
			echo "  input: $f"
			echo "  replay: $dir/fuzz/fuzz_$h $f"
		done
		echo "  log: $log"
		failed="$failed $h"
	else
		echo "fuzz_$h: ${runs:-?} runs in ${secs} s, cov: ${cov:-?} ft: ${ft:-?}," \
		     "corpus ${corp:-?} inputs; nothing found"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz.sh: findings in:$failed" >&2
	exit 1
fi
exit 0
