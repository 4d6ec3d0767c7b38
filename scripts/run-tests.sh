#!/bin/sh
# Run the meson test suite in build dir $1 and close with one summary line
# counting every test case (each TAP line), as "N passed, N failed".
set -u
dir=${1:-build-check}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
meson test -C "$dir" --print-errorlogs --num-processes 2 ${TESTS:-}
rc=$?
python3 "$(dirname "$0")/test-summary.py" "$dir/meson-logs/testlog.json"
src=$?
[ $rc -ne 0 ] && exit $rc
exit $src
