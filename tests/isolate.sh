#!/usr/bin/env bash
# Run a test script with its output going through a file, then print that output and
# exit with the script's status. ctest waits until every process holding its output
# pipe is gone: a helper process a script forgot (a watchdog's sleep, a daemon) would
# otherwise keep a finished test "running" until its time limit.
set -uo pipefail
out=$(mktemp "${TMPDIR:-/tmp}/etcd-test-output.XXXXXX") || exit 1
"$@" >"$out" 2>&1 </dev/null
status=$?
cat "$out"
rm -f "$out"
exit "$status"
