#!/usr/bin/env bash
# Run every test of etcdwatch: set up the machine (Debian 12), build, start real etcd
# servers on free loopback ports, run ctest, stop the servers.
#
#   tests/run.sh                 normal build in ${BUILD_DIR:-build}
#   tests/run.sh --asan          AddressSanitizer + UBSan build in ${BUILD_DIR:-build-asan}
#   tests/run.sh --valgrind      every test program under valgrind (memcheck, leaks)
#   tests/run.sh --no-setup      skip .ci/setup.sh (apt-get)
#   tests/run.sh -- ARGS...      extra ctest arguments (e.g. -R integration)
#
# Environment: BUILD_DIR, JOBS (build and ctest parallelism, default nproc),
# CMAKE_ARGS (extra configure arguments). The closing lines are ctest's summary; the
# exit status is ctest's (0 only when every test passed).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

mode=normal
setup=1
ctest_args=()
while (($# > 0)); do
    case $1 in
    --asan | --sanitize) mode=asan ;;
    --valgrind) mode=valgrind ;;
    --no-setup) setup=0 ;;
    --)
        shift
        ctest_args+=("$@")
        break
        ;;
    -h | --help)
        sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "run.sh: unknown option '$1' (see --help)" >&2
        exit 2
        ;;
    esac
    shift
done

if ((setup)); then
    bash "$root/.ci/setup.sh"
fi

jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
cmake_args=(-DETCD_BUILD_TESTS=ON -DETCD_WERROR=ON)
case $mode in
asan)
    BUILD_DIR=${BUILD_DIR:-build-asan}
    cmake_args+=(-DETCD_SANITIZE=ON)
    # Leaks are the valgrind pass's job: LeakSanitizer's exit-time check stops the world
    # with ptrace, and a signal arriving then (a test stopping a `watch --forever`) can
    # leave the process spinning for good, which hung a CI run.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    ;;
valgrind)
    BUILD_DIR=${BUILD_DIR:-build}
    cmake_args+=(-DETCD_SANITIZE=OFF)
    command -v valgrind >/dev/null 2>&1 || {
        echo "run.sh: valgrind is not installed (apt-get install valgrind)" >&2
        exit 1
    }
    # Every test program (through tests/wrap.sh) and every etcdwatch run in the CLI
    # tests: any memory error or definite/indirect leak fails with status 99.
    export ETCD_TEST_WRAPPER="valgrind --quiet --leak-check=full \
--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
--error-exitcode=99 --num-callers=30"
    # ETCD_TEST_SCALE=N divides the load tests' request counts (1: the full load).
    export ETCD_TEST_SCALE=${ETCD_TEST_SCALE:-1}
    export CLI_TIMEOUT=${CLI_TIMEOUT:-90}
    ;;
*)
    BUILD_DIR=${BUILD_DIR:-build}
    ;;
esac
export BUILD_DIR
read -r -a extra_cmake <<<"${CMAKE_ARGS:-}"

echo "run.sh: $mode build in $BUILD_DIR"
cmake -S "$root" -B "$BUILD_DIR" "${cmake_args[@]}" "${extra_cmake[@]}"
cmake --build "$BUILD_DIR" -j "$jobs"

# shellcheck source=etcd-env.sh
source "$root/tests/etcd-env.sh"
export ETCD_TEST_BIN_DIR
ETCD_TEST_BIN_DIR=$(cd "$BUILD_DIR" && pwd)/watcher
etcd_env_start

status=0
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$jobs" "${ctest_args[@]}" ||
    status=$?
etcd_env_stop
exit "$status"
