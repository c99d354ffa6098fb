# shellcheck shell=bash
# lib.sh: what the service tests share. Source it from a test script with the etcdwatch
# binary as $1:
#
#   source "$(dirname "$0")/lib.sh" "$@"
#   svc_start_etcd one 1          # etcd_cluster_start from tests/etcd-env.sh
#   check "what is checked" COMMAND...   # one line per check: "ok - ..." or "FAIL - ..."
#   svc_finish                   # "service: N passed, M failed"; exit 1 on a failure
#
# SVC_API=v3 in the environment runs a script on etcd's v3 API: put, del and
# expect_keys use the v3 gateway, writer.py writes with v3, and write_conf's files say
# `api = v3` (the default is v2: the scripts were written for it).
#
# Everything runs on 127.0.0.1, in $SVC_DIR (inside etcd-env.sh's temp dir), bounded by
# SVC_TIME_LIMIT seconds for the whole script; the exit trap stops every process the
# script started (watchers, HTTP servers, writers, nginx by its pidfile, etcd) and
# removes its files. A missing etcd, curl, nginx or python3 is a failure, never a skip.

set -uo pipefail

EW=${1:-${ETCD_TEST_BIN_DIR:-.}/etcdwatch}
SVC_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SVC_NAME=${SVC_NAME:-service}
SVC_TIME_LIMIT=${SVC_TIME_LIMIT:-300}
svc_passed=0
svc_failed=0
svc_finished=
svc_pids=()       # background processes of this script, stopped by the trap
svc_pidfiles=()   # daemons that fork away (nginx): stopped through their pidfiles
svc_dirs=()       # extra directories to remove
SVC_WATCHDOG=
# Debian's python3: a version manager's shim costs half a second per start
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3
unset HOST_IP ETCDWATCH_ENDPOINTS ETCDWATCH_PASSWORD ETCDWATCH_API NOTIFY_SOCKET

ok() {
    svc_passed=$((svc_passed + 1))
    echo "ok   - $*"
}

not_ok() {
    svc_failed=$((svc_failed + 1))
    echo "FAIL - $*"
}

# check DESCRIPTION COMMAND...: one check, passed when COMMAND succeeds.
check() {
    local what=$1
    shift
    if "$@"; then
        ok "$what"
    else
        not_ok "$what"
    fi
}

svc_finish() {
    svc_finished=1
    echo "$SVC_NAME: $svc_passed passed, $svc_failed failed"
    if ((svc_failed > 0)); then
        exit 1
    fi
    exit 0
}

svc_cleanup() {
    local pid f i
    if [[ -n $SVC_WATCHDOG ]]; then
        kill "$SVC_WATCHDOG" 2>/dev/null
        wait "$SVC_WATCHDOG" 2>/dev/null
        SVC_WATCHDOG=
    fi
    for f in "${svc_pidfiles[@]}"; do
        pid=$(cat "$f" 2>/dev/null)
        [[ $pid =~ ^[0-9]+$ ]] && kill -QUIT "$pid" 2>/dev/null
    done
    for pid in "${svc_pids[@]}"; do
        kill -CONT "$pid" 2>/dev/null
        kill "$pid" 2>/dev/null
    done
    for pid in "${svc_pids[@]}"; do
        for i in 1 2 3 4 5 6 7 8 9 10; do
            gone "$pid" && break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    svc_pids=()
    for f in "${svc_pidfiles[@]}"; do
        pid=$(cat "$f" 2>/dev/null)
        [[ $pid =~ ^[0-9]+$ ]] && kill -KILL "$pid" 2>/dev/null
    done
    svc_pidfiles=()
    if [[ -n ${SVC_KEEP:-} && -d ${SVC_DIR:-} ]]; then
        rm -rf "$SVC_KEEP"
        cp -r "$SVC_DIR" "$SVC_KEEP" 2>/dev/null
    fi
    for f in "${svc_dirs[@]}"; do
        chattr -R -i "$f" 2>/dev/null
        rm -rf "$f"
    done
    svc_dirs=()
}

svc_on_exit() {
    local status=$?
    trap - EXIT INT TERM
    svc_cleanup
    etcd_env_cleanup
    if [[ -z $svc_finished ]]; then
        echo "FAIL - the script stopped early (status $status; see above)"
        echo "$SVC_NAME: $svc_passed passed, $((svc_failed + 1)) failed"
        exit 1
    fi
    exit "$status"
}

# shellcheck source=../etcd-env.sh
source "$SVC_HERE/../etcd-env.sh"

if [[ ! -x $EW ]]; then
    not_ok "etcdwatch not found or not executable at '$EW'"
    svc_finish
fi
EW=$(cd "$(dirname "$EW")" && pwd)/$(basename "$EW")

etcd_env_init
trap svc_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
SVC_DIR=$ETCD_TEST_DIR/svc
mkdir -p "$SVC_DIR"
# The whole script is bounded: past the limit the watchdog stops it through its trap.
(
    trap 'kill "$sp" 2>/dev/null; exit 0' TERM
    # shellcheck disable=SC2217 # no inherited stdin: nothing may hold ctest's pipes
    sleep "$SVC_TIME_LIMIT" >/dev/null 2>&1 </dev/null &
    sp=$!
    wait "$sp"
    echo "FAIL - $SVC_NAME: time limit of ${SVC_TIME_LIMIT}s reached" >&2
    kill -TERM $$
) &
SVC_WATCHDOG=$!

# svc_start_etcd NAME N [ETCD FLAGS...]: an N-member cluster; sets EP (the first client
# URL) and EPS.
svc_start_etcd() {
    etcd_cluster_start "$@"
    local upper=${1^^}
    local v="ETCD_${upper}_ENDPOINTS"
    EPS=${!v}
    EP=${EPS%%,*}
}

# secs_ms SECONDS: "1.5" -> 1500 (one decimal at most).
secs_ms() {
    if [[ $1 == *.* ]]; then
        echo $((${1%.*} * 1000 + 10#${1#*.} * 100))
    else
        echo $(($1 * 1000))
    fi
}

# now_ms: milliseconds since the epoch.
now_ms() {
    local t=$EPOCHREALTIME
    echo $((${t%.*} * 1000 + 10#${t#*.} / 1000))
}

SVC_API=${SVC_API:-v2}
[[ $SVC_API == v2 || $SVC_API == v3 ]] || {
    echo "FAIL - SVC_API must be v2 or v3, not '$SVC_API'"
    exit 1
}

# b64 TEXT: TEXT in base64, on one line (the v3 gateway's keys and values).
b64() {
    printf '%s' "$1" | base64 -w0
}

# put KEY VALUE [ENDPOINT]: set a key (v2, or v3 with SVC_API=v3), 0 when etcd took it.
put() {
    if [[ $SVC_API == v3 ]]; then
        put3 "$@"
        return
    fi
    curl -sf -m 5 -X PUT "${3:-$EP}/v2/keys$1" --data-urlencode "value=$2" -o /dev/null
}

# put3 KEY VALUE [ENDPOINT]: set a key in v3's keyspace, whatever SVC_API says.
put3() {
    curl -sf -m 5 -X POST "${3:-$EP}/v3/kv/put" \
        -d "{\"key\":\"$(b64 "$1")\",\"value\":\"$(b64 "$2")\"}" -o /dev/null
}

# del KEY [ENDPOINT]: delete a key and every key below it (v2: the directory).
del() {
    if [[ $SVC_API == v3 ]]; then
        # the key itself, then [KEY/, KEY0): what lies below it
        curl -sf -m 5 -X POST "${2:-$EP}/v3/kv/deleterange" \
            -d "{\"key\":\"$(b64 "$1")\"}" -o /dev/null &&
            curl -sf -m 5 -X POST "${2:-$EP}/v3/kv/deleterange" \
                -d "{\"key\":\"$(b64 "$1/")\",\"range_end\":\"$(b64 "${1}0")\"}" \
                -o /dev/null
        return
    fi
    curl -sf -m 5 -X DELETE "${2:-$EP}/v2/keys$1?recursive=true" -o /dev/null
}

# v3_revision [ENDPOINT]: the store's current v3 revision.
v3_revision() {
    curl -sf -m 5 -X POST "${1:-$EP}/v3/kv/range" -d '{"key":"AA==","count_only":true}' |
        sed -n 's/.*"revision":"\([0-9]*\)".*/\1/p'
}

# compact REVISION [ENDPOINT]: compact v3's history up to REVISION (physically).
compact() {
    curl -sf -m 30 -X POST "${2:-$EP}/v3/kv/compaction" \
        -d "{\"revision\":\"$1\",\"physical\":true}" -o /dev/null
}

# wait_for SECONDS COMMAND...: poll COMMAND every 20 ms until it succeeds (0) or the
# time is up (1). WAITED_MS is how long it took.
# shellcheck disable=SC2034 # WAITED_MS, STOP_MS, STOP_STATUS: read by the scripts
wait_for() {
    local limit=$1 start deadline
    shift
    start=$(now_ms)
    deadline=$((start + $(secs_ms "$limit")))
    while :; do
        if "$@"; then
            WAITED_MS=$(($(now_ms) - start))
            return 0
        fi
        if (($(now_ms) >= deadline)); then
            WAITED_MS=$(($(now_ms) - start))
            return 1
        fi
        sleep 0.02
    done
}

# has_text FILE TEXT: FILE exists and holds TEXT (fixed string).
has_text() {
    [[ -f $1 ]] && grep -qF -- "$2" "$1"
}

# same_file A B: both exist with the same bytes.
same_file() {
    [[ -f $1 && -f $2 ]] && cmp -s "$1" "$2"
}

# start_watcher NAME ARGS...: start `etcdwatch ARGS...` in the background, logging to
# $SVC_DIR/NAME.log; sets WPID. With SVC_LOG_TIMES=1 each line of the log starts with
# the time it was read (ms since the epoch), for post-mortems of timing failures. With
# SVC_WRAP=1 it runs under $ETCD_TEST_WRAPPER (valgrind in tests/run.sh --valgrind),
# which then ends it with status 99 on a memory error or leak.
start_watcher() {
    local name=$1 wrap=()
    shift
    if [[ ${SVC_WRAP:-} == 1 && -n ${ETCD_TEST_WRAPPER:-} ]]; then
        read -r -a wrap <<<"$ETCD_TEST_WRAPPER"
    fi
    if [[ ${SVC_LOG_TIMES:-} == 1 ]]; then
        "${wrap[@]}" "$EW" "$@" >"$SVC_DIR/$name.out" </dev/null 2> >(
            while IFS= read -r line; do
                printf '%s %s\n' "$EPOCHREALTIME" "$line"
            done >"$SVC_DIR/$name.log"
        ) &
    else
        "${wrap[@]}" "$EW" "$@" >"$SVC_DIR/$name.out" 2>"$SVC_DIR/$name.log" </dev/null &
    fi
    WPID=$!
    svc_pids+=("$WPID")
}

# gone PID: the process has exited (or is a zombie, not yet waited for).
gone() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    [[ ${stat:0:1} == Z || ${stat:0:1} == X ]]
}

# alive PID: the process runs (stopped counts as running).
alive() {
    ! gone "$1"
}

# stop_pid PID SECONDS: SIGTERM, wait up to SECONDS; STOP_MS is how long it took and
# STOP_STATUS its exit status (-1 when still running: then it is killed).
# shellcheck disable=SC2034 # STOP_MS, STOP_STATUS: read by the scripts
stop_pid() {
    local pid=$1 limit=$2 start
    start=$(now_ms)
    kill -TERM "$pid" 2>/dev/null
    if wait_for "$limit" gone "$pid"; then
        wait "$pid" 2>/dev/null
        STOP_STATUS=$?
    else
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        STOP_STATUS=-1
    fi
    STOP_MS=$(($(now_ms) - start))
}

# show_log NAME [LINES]: the end of a watcher's log, indented (after a failure).
show_log() {
    sed 's/^/    | /' "$SVC_DIR/$1.log" | tail -n "${2:-20}"
}

# write_conf FILE ENDPOINTS CONFDIR [KEY=VALUE...]: a main configuration file with
# `api = $SVC_API`; KEY=VALUE go to [watcher], except api=... (auto, v2, v3).
write_conf() {
    local file=$1 eps=$2 confdir=$3 kv api=$SVC_API
    shift 3
    for kv in "$@"; do
        [[ $kv == api=* ]] && api=${kv#api=}
    done
    {
        echo "[etcd]"
        echo "endpoints = $eps"
        echo "timeout = 1"
        echo "api = $api"
        echo "[watcher]"
        echo "confdir = $confdir"
        for kv in "$@"; do
            [[ $kv == api=* ]] || echo "${kv%%=*} = ${kv#*=}"
        done
    } >"$file"
}

# member_kill NAME I: SIGKILL member I (1-based) of cluster NAME.
member_kill() {
    local upper=${1^^} pids
    local v="ETCD_${upper}_PIDS"
    read -r -a pids <<<"${!v}"
    kill -9 "${pids[$2 - 1]}" 2>/dev/null
    wait "${pids[$2 - 1]}" 2>/dev/null
}

# member_restart NAME I: start member I of cluster NAME again on its data dir, ports
# and cluster membership (as etcd_cluster_start started it).
member_restart() {
    local name=$1 i=$2 upper=${1^^} pids eps peers
    local vp="ETCD_${upper}_PIDS" ve="ETCD_${upper}_ENDPOINTS" vc="ETCD_${upper}_PEERS"
    read -r -a pids <<<"${!vp}"
    IFS=, read -r -a eps <<<"${!ve}"
    IFS=, read -r -a peers <<<"${!vc}"
    local url=${eps[i - 1]} peer=${peers[i - 1]#*=} dir="$ETCD_TEST_DIR/$name$i"
    etcd --name "$name$i" --data-dir "$dir/data" --enable-v2 \
        --listen-client-urls "$url" --advertise-client-urls "$url" \
        --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
        --initial-cluster "${!vc}" --initial-cluster-state existing \
        --logger zap --log-level warn --log-outputs stderr >>"$dir/etcd.log" 2>&1 &
    pids[i - 1]=$!
    ETCD_ENV_PIDS+=($!)
    printf -v "$vp" '%s' "${pids[*]}"
}

# cluster_healthy NAME: every member answers /health with true.
cluster_healthy() {
    local upper=${1^^} eps e
    local ve="ETCD_${upper}_ENDPOINTS"
    IFS=, read -r -a eps <<<"${!ve}"
    for e in "${eps[@]}"; do
        curl -s -m 1 "$e/health" 2>/dev/null | grep -q '"health":"true"' || return 1
    done
}

# leader_index NAME: prints the 1-based index of the member that leads (or nothing).
leader_index() {
    local upper=${1^^} eps i
    local ve="ETCD_${upper}_ENDPOINTS"
    IFS=, read -r -a eps <<<"${!ve}"
    for i in "${!eps[@]}"; do
        if curl -s -m 1 "${eps[i]}/v2/stats/self" 2>/dev/null | grep -q StateLeader; then
            echo $((i + 1))
            return 0
        fi
    done
}

# expect_keys ENDPOINTS PREFIX: what the fault tests' template renders for the keys
# under PREFIX (one level), from a quorum read (v2) or a linearizable range (v3), tried
# on each endpoint until one answers.
expect_keys() {
    "$PY" - "$1" "$2" "$SVC_API" <<'PY'
import base64, json, sys, urllib.request
def b64(s):
    return base64.b64encode(s.encode()).decode()
for ep in sys.argv[1].split(","):
    try:
        if sys.argv[3] == "v3":
            p = sys.argv[2] + "/"
            body = json.dumps({"key": b64(p), "range_end": b64(p[:-1] + "0")}).encode()
            with urllib.request.urlopen(ep + "/v3/kv/range", body, timeout=3) as r:
                kvs = json.load(r).get("kvs", [])
            kv = [(base64.b64decode(x["key"]).decode(),
                   base64.b64decode(x.get("value", "")).decode()) for x in kvs]
            kv = sorted(k for k in kv if "/" not in k[0][len(p):])
        else:
            url = "%s/v2/keys%s?recursive=true&sorted=true&quorum=true" % (ep, sys.argv[2])
            with urllib.request.urlopen(url, timeout=3) as r:
                node = json.load(r)["node"]
            kv = sorted((n["key"], n.get("value", ""))
                        for n in node.get("nodes", []) if not n.get("dir"))
        break
    except Exception:
        continue
else:
    sys.exit(1)
out = ["# %d keys" % len(kv)] + ["%s=%s" % (k.rsplit("/", 1)[1], v) for k, v in kv] + ["# end"]
sys.stdout.write("\n".join(out) + "\n")
PY
}

# connected_members NAME PID: the 1-based indexes of the members of cluster NAME that
# process PID has an established connection to (space-separated).
connected_members() {
    local upper=${1^^} eps i port out=""
    local ve="ETCD_${upper}_ENDPOINTS"
    IFS=, read -r -a eps <<<"${!ve}"
    for i in "${!eps[@]}"; do
        port=${eps[i]##*:}
        if ss -tnpH state established "( dport = :$port )" 2>/dev/null |
            grep -q "pid=$2,"; then
            out+="${out:+ }$((i + 1))"
        fi
    done
    echo "$out"
}

# no_stale_stage DIR...: no stage file (.NAME*) is left behind in DIR. A render in
# progress (the retry of a failed check, say) holds one for a moment, so a stage file
# counts only when the same one is still there 1.5 s later.
no_stale_stage() {
    local a b
    a=$(find "$@" -name '.*' -type f 2>/dev/null | sort)
    [[ -z $a ]] && return 0
    sleep 1.5
    b=$(find "$@" -name '.*' -type f 2>/dev/null | sort)
    [[ -z $(comm -12 <(echo "$a") <(echo "$b")) ]]
}

# log_lines_are_events NAME: every line of the watcher's log is one event, starting with
# its level (a command's multi-line output must not spill onto lines of its own).
log_lines_are_events() {
    ! grep -vqE '^([0-9.]+ )?(DEBUG|INFO|WARN|ERROR) ' "$SVC_DIR/$1.log"
}
