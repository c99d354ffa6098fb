#!/usr/bin/env bash
# Run one test program, under $ETCD_TEST_WRAPPER when it is set (tests/run.sh
# --valgrind sets it to valgrind with its options). ctest calls this for every test
# binary, so that the wrapper is chosen when the tests run, not when CMake configures.
set -euo pipefail
if [[ -n ${ETCD_TEST_WRAPPER:-} ]]; then
    read -r -a wrapper <<<"$ETCD_TEST_WRAPPER"
    exec "${wrapper[@]}" "$@"
fi
exec "$@"
