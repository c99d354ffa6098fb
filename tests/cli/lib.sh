# shellcheck shell=bash
# lib.sh: what the CLI test scripts (tests/cli/test_*.sh) share. Source it near the top
# of a script, with the script's arguments:
#
#   TEST_NAME="v3_kv"                # names the script in its messages and summary
#   TEST_MAX=400 TEST_MAX_WRAPPED=840 TEST_MAX_VAR=V3KV_MAX_SECONDS   # optional
#   TEST_NEEDS_ETCDCTL=1             # optional
#   EW_OPTS=(--api v3) EW_SLOW=1     # optional
#   # shellcheck source=lib.sh
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
#   ... checks ...
#   finish
#
# What the script sets before sourcing it:
#   TEST_NAME        required: "NAME: N passed, M failed" is the last line, and the
#                    temp dir is ${TMPDIR:-/tmp}/etcdwatch-NAME(without '_').XXXXXX
#   TEST_MAX         the whole script's time limit in seconds (empty or unset: none of
#                    its own, ctest's only); TEST_MAX_WRAPPED the limit under a
#                    wrapper (valgrind; default TEST_MAX); TEST_MAX_VAR the name of an
#                    environment variable that overrides both
#   TEST_NEEDS_ETCDCTL=1   fail at once (exit 1, with the summary) without etcdctl
#   EW_OPTS          options ew puts before the script's arguments (default none);
#                    a script may change it between runs
#   EW_SLOW=0        ew does not add the slow mode's --timeout (default 1: it does)
#   JSON_LINES=1     json binds v to a list when $OUT holds several JSON lines
#   WAIT             wait_lines' default limit in seconds (default T)
#
# What it does when sourced:
#   - EW is $1 or $ETCD_TEST_BIN_DIR/etcdwatch, made absolute; a missing one fails
#     ("NAME: 0 passed, 1 failed", exit 1), as does a missing etcdctl when needed;
#   - unsets the ETCDWATCH_*, ETCDCTL_USER/PASSWORD, ETCD_LOCK_* and STDIN variables
#     a caller may have left in the environment;
#   - makes $work (a temp dir), and sources ../etcd-env.sh into a temp dir of its own
#     (never the parent run's): etcd_cluster_start and the others start this script's
#     own servers;
#   - traps (cli_traps; a script that calls etcd_env_init again calls it after):
#     EXIT stops the background runs in bg_pids (TERM, then KILL after 5 s; only
#     this shell's children), the watchdog and every etcd, removes $work, and when
#     finish was not reached prints "FAIL - the script stopped early" and the summary
#     with one more failure, exit 1; INT exits 130; TERM exits 124 after "FAIL - over
#     MAXs: stopped" when there is a limit, else 143 (the EXIT trap makes both 1);
#   - a watchdog sends TERM to the script after MAX seconds (when there is a limit).
#
# Variables it provides: EW, T (each run's limit: $CLI_TIMEOUT, default 30), MAX,
# work, wrapper (ETCD_TEST_WRAPPER as words: valgrind in tests/run.sh --valgrind),
# slow (--timeout T*2/3 under a wrapper, else empty: for runs a script makes itself),
# PY (python3), bg_pids (a script adds the pids of its background runs), passed,
# failed; after ew: OUT, ERR, RC.
#
# Functions:
#   ew ARGS...             run etcdwatch EW_OPTS [slow] ARGS without a controlling
#                          terminal (no prompt can wait), bounded by timeout -k 5 T,
#                          through the wrapper; stdin from $STDIN (a file) or
#                          /dev/null; OUT, ERR, RC; says so on a timeout (124) and
#                          shows valgrind's report (99)
#   ok NAME / bad NAME [DETAIL...]   count and print one check
#   expect NAME RC OUT [ERR]         the last run gave exactly this status, stdout
#                                    (and stderr)
#   check NAME COMMAND...            passes when the command succeeds
#   expect_fail NAME RC GLOB         status RC, nothing on stdout, and one stderr line
#                                    matching GLOB (RC 2: its first line, usage follows)
#   usage NAME [GLOB]                exit 2, nothing on stdout, a Usage line on stderr
#                                    (and a first stderr line matching GLOB)
#   json EXPR                        a Python expression over the JSON in $OUT (as v)
#   ctl ARGS...                      etcdctl v3 on $CTL_ENDPOINTS (default
#                                    $ETCDWATCH_ENDPOINTS), bounded by T
#   ctl_capture ARGS...              ctl with CTL its output (both streams), CTL_RC
#   wait_lines FILE N [SECONDS]      until FILE has N lines; false after the limit
#   cli_traps                        install the traps again
#   finish                           print the summary and exit (0: nothing failed)

# The checks are strings that check() evals, the traps call functions shellcheck cannot
# see being called, and the variables set here are read by the sourcing script:
# shellcheck disable=SC2016,SC2317,SC2034

passed=0
failed=0
T=${CLI_TIMEOUT:-30}
bg_pids=()
watchdog=
work=
unset STDIN ETCDWATCH_PASSWORD ETCDWATCH_NEW_PASSWORD ETCDWATCH_API ETCDWATCH_ENDPOINTS \
    ETCDCTL_USER ETCDCTL_PASSWORD ETCD_LOCK_KEY ETCD_LOCK_REV
read -r -a wrapper <<<"${ETCD_TEST_WRAPPER:-}"

# the whole script's limit
MAX=${TEST_MAX:-}
if ((${#wrapper[@]} > 0)); then
    MAX=${TEST_MAX_WRAPPED:-$MAX}
fi
if [[ -n ${TEST_MAX_VAR:-} && -n ${!TEST_MAX_VAR:-} ]]; then
    MAX=${!TEST_MAX_VAR}
fi

finish() {
    finished=1
    echo "$TEST_NAME: $passed passed, $failed failed"
    if ((failed > 0)); then
        exit 1
    fi
    exit 0
}

EW=${1:-${ETCD_TEST_BIN_DIR:-.}/etcdwatch}
if [[ ! -x $EW ]]; then
    echo "$TEST_NAME: etcdwatch not found or not executable at '$EW'" >&2
    failed=1
    finish
fi
EW=$(cd "$(dirname "$EW")" && pwd)/$(basename "$EW")
if [[ -n ${TEST_NEEDS_ETCDCTL:-} ]] && ! command -v etcdctl >/dev/null 2>&1; then
    echo "$TEST_NAME: etcdctl is not installed (Debian: apt-get install etcd-client)" >&2
    failed=1
    finish
fi

# Debian's python3 reads the JSON; a version manager's shim would cost 0.5 s a call
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

# Under a wrapper (valgrind) every request, TLS handshakes included, gets more time.
slow=()
if ((${#wrapper[@]} > 0)); then
    slow=(--timeout "$((T * 2 / 3))")
fi
if [[ -z ${EW_OPTS+set} ]]; then
    EW_OPTS=()
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/etcdwatch-${TEST_NAME//_/}.XXXXXX")

# Is PID a child of this shell (not a process that took the number of one reaped)?
cli_is_child() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    stat=${stat#* }
    [[ ${stat%% *} == "$$" ]]
}

# cli_stop_bg: stop the runs in bg_pids that are still going (TERM, KILL after 5 s)
cli_stop_bg() {
    local pid i left
    for pid in "${bg_pids[@]}"; do
        cli_is_child "$pid" && kill -TERM "$pid" 2>/dev/null
    done
    for ((i = 0; i < 50; i++)); do
        left=0
        for pid in "${bg_pids[@]}"; do
            cli_is_child "$pid" && etcd_env_alive "$pid" && left=1
        done
        ((left)) || break
        sleep 0.1
    done
    for pid in "${bg_pids[@]}"; do
        cli_is_child "$pid" && kill -KILL "$pid" 2>/dev/null
        { wait "$pid"; } 2>/dev/null
    done
    bg_pids=()
}

cli_on_exit() {
    [[ -n $watchdog ]] && kill "$watchdog" 2>/dev/null
    cli_stop_bg
    etcd_env_cleanup
    [[ -n $work ]] && rm -rf "$work"
    if [[ -z ${finished:-} ]]; then
        echo "FAIL - the script stopped early (see above)"
        echo "$TEST_NAME: $passed passed, $((failed + 1)) failed"
        exit 1
    fi
}

cli_traps() {
    trap cli_on_exit EXIT
    trap 'exit 130' INT
    if [[ -n $MAX ]]; then
        trap 'echo "FAIL - over ${MAX}s: stopped" >&2; exit 124' TERM
    else
        trap 'exit 143' TERM
    fi
}

# Our own etcd servers, in a temp dir of our own (never the parent run's).
unset ETCD_TEST_DIR
# shellcheck source=../etcd-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../etcd-env.sh"
cli_traps
etcd_env_init # (it installs traps of its own)
cli_traps

if [[ -n $MAX ]]; then
    # the watchdog takes its sleep with it when it is stopped (no stray process)
    (
        trap 'kill "$nap" 2>/dev/null; exit 0' TERM
        sleep "$MAX" &
        nap=$!
        wait "$nap" && kill -TERM $$ 2>/dev/null
    ) &
    watchdog=$!
fi

# ew ARGS...: run etcdwatch (see the header); OUT, ERR and RC get its stdout, stderr and
# status.
ew_slow=()
if [[ ${EW_SLOW:-1} != 0 ]]; then
    ew_slow=("${slow[@]}")
fi
ew() {
    setsid -w timeout -k 5 "$T" "${wrapper[@]}" "$EW" "${EW_OPTS[@]}" "${ew_slow[@]}" "$@" \
        <"${STDIN:-/dev/null}" >"$work/out" 2>"$work/err"
    RC=$?
    OUT=$(cat "$work/out")
    ERR=$(cat "$work/err")
    if ((RC == 124)); then
        echo "  (etcdwatch $* timed out after ${T}s)" >&2
    elif ((RC == 99)); then
        echo "  (etcdwatch $*: valgrind reported errors)" >&2
        cat "$work/err" >&2
    fi
}

ok() {
    passed=$((passed + 1))
    echo "ok - $1"
}

bad() {
    failed=$((failed + 1))
    echo "FAIL - $1"
    shift
    local line
    for line in "$@"; do
        echo "    $line"
    done
}

# expect NAME RC OUT [ERR]: the last run gave exactly this status and stdout (and
# stderr)
expect() {
    local t_name=$1 t_rc=$2 t_out=$3
    if [[ ${RC:-} == "$t_rc" && ${OUT:-} == "$t_out" && ($# -lt 4 || ${ERR:-} == "$4") ]]; then
        ok "$t_name"
    else
        local more=()
        (($# < 4)) || more=("want:   $(printf '%q' "$4")")
        bad "$t_name" "status ${RC:-} (want $t_rc)" "stdout: $(printf '%q' "${OUT:-}")" \
            "want:   $(printf '%q' "$t_out")" "stderr: $(printf '%q' "${ERR:-}")" \
            "${more[@]}"
    fi
}

# check NAME COMMAND...: passes when the command succeeds
check() {
    local t_name=$1
    shift
    if "$@"; then
        ok "$t_name"
    else
        local more=()
        [[ -z ${CTL_RC:-} ]] ||
            more=("etcdctl: status $CTL_RC $(printf '%q' "${CTL:-}")")
        bad "$t_name" "failed: $*" "status: ${RC:-}" "stdout: $(printf '%q' "${OUT:-}")" \
            "stderr: $(printf '%q' "${ERR:-}")" "${more[@]}"
    fi
}

# expect_fail NAME RC STDERR-GLOB: the last ew failed with RC, printed nothing on
# stdout and one stderr line matching the glob (usage errors print more: only the
# first line is matched)
expect_fail() {
    local t_name=$1 t_rc=$2 t_glob=$3 first=${ERR%%$'\n'*}
    # shellcheck disable=SC2053
    if [[ $RC == "$t_rc" && $first == $t_glob && -z $OUT ]] &&
        { ((t_rc == 2)) || [[ $ERR != *$'\n'* ]]; }; then
        ok "$t_name"
    else
        bad "$t_name" "status $RC (want $t_rc)" "stderr: $(printf '%q' "$ERR")" \
            "want:   $t_glob (one line)" "stdout: $(printf '%q' "$OUT")"
    fi
}

# usage NAME [GLOB]: the last ew was a usage error: exit 2, nothing on stdout, a Usage
# line on stderr (and a first stderr line matching GLOB)
usage() {
    local first=${ERR%%$'\n'*} glob=${2:-*}
    # shellcheck disable=SC2053
    if [[ $RC == 2 && -z $OUT && $first == $glob && $ERR == *"Usage: etcdwatch "* ]]; then
        ok "$1"
    else
        local more=()
        (($# < 2)) || more=("want first line: $2")
        bad "$1" "status $RC (want 2)" "stdout: $(printf '%q' "$OUT")" \
            "stderr: $(printf '%q' "$ERR")" "${more[@]}"
    fi
}

# json EXPR: evaluate a Python expression over the JSON in $OUT (bound to v: one
# object; with JSON_LINES=1, the list of them when there are several lines)
json() {
    "$PY" -c '
import json, sys
if sys.argv[3] == "1":
    lines = [json.loads(l) for l in sys.argv[1].splitlines()]
    v = lines[0] if len(lines) == 1 else lines
else:
    v = json.loads(sys.argv[1])
r = eval(sys.argv[2])
print(json.dumps(r) if isinstance(r, (dict, list, bool)) or r is None else r)
' "$OUT" "$1" "${JSON_LINES:-0}" 2>/dev/null || echo "<not json>"
}

# ctl ARGS...: etcdctl v3 on $CTL_ENDPOINTS (default: $ETCDWATCH_ENDPOINTS), bounded in
# time; credentials come from ETCDCTL_USER, never argv
ctl() {
    ETCDCTL_API=3 timeout -k 5 "$T" etcdctl \
        --endpoints "${CTL_ENDPOINTS:-${ETCDWATCH_ENDPOINTS:-}}" \
        --dial-timeout 5s --command-timeout 20s "$@"
}

# ctl_capture ARGS...: ctl; CTL and CTL_RC get its output (both streams) and status
ctl_capture() {
    CTL=$(ctl "$@" 2>&1)
    CTL_RC=$?
}

# wait_lines FILE N [SECONDS]: until FILE has at least N lines (false after SECONDS,
# default WAIT, else T)
wait_lines() {
    local f=$1 n=$2 limit=${3:-${WAIT:-$T}} i
    for ((i = 0; i < limit * 10; i++)); do
        if [[ -f $f ]] && (($(wc -l <"$f") >= n)); then
            return 0
        fi
        sleep 0.1
    done
    return 1
}
