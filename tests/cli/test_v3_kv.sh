#!/usr/bin/env bash
# Tests of etcdwatch's v3 keys commands (issue 6: get put del watch txn compaction)
# against one real etcd member that this script starts on loopback through
# tests/etcd-env.sh. Values written by etcdwatch are read back with etcdctl (v3) and
# the other way round, so that a test does not only check etcdwatch against itself.
# The compaction-during-a-watch test puts a small TCP proxy (python3) between the
# watch and etcd, drops it while keys are written and compacted, and brings it back.
#
# usage: test_v3_kv.sh [PATH/TO/etcdwatch]   (default: $ETCD_TEST_BIN_DIR/etcdwatch)
# Each run of etcdwatch is bounded by a timeout and wrapped in $ETCD_TEST_WRAPPER
# (valgrind in tests/run.sh --valgrind); the whole script by V3KV_MAX_SECONDS.
# Ends with "v3_kv: N passed, M failed"; exit status 0 only when nothing failed.
# What every CLI test script shares (ew, expect, check, usage, json, ctl, the traps)
# is in lib.sh. The checks are strings that check() evals, and the variables they
# read are set outside them:
# shellcheck disable=SC2016,SC2034
set -uo pipefail

TEST_NAME="v3_kv"
# the whole script's limit: about a minute normally, under 15 min under valgrind
TEST_MAX=400
TEST_MAX_WRAPPED=840
TEST_MAX_VAR=V3KV_MAX_SECONDS
TEST_NEEDS_ETCDCTL=1
# ew runs etcdwatch --api v3; EW_OPTS=() runs it without --api (for ETCDWATCH_API)
EW_OPTS=(--api v3)
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
export ETCDCTL_API=3
proxy_pid=

# ---- the server ---------------------------------------------------------------------

etcd_cluster_start kv 1 || exit 1
E=$ETCD_KV_ENDPOINTS
EP=(--endpoints "$E")
CTL_ENDPOINTS=$E
# the store's current revision
rev_now() {
    ctl get nothing-here -w json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])'
}

# ---- help and usage (no server needed) ---------------------------------------------

ew --help
check "--api v3 --help lists the keys commands" \
    eval '[[ $RC == 0 && $OUT == *"  get "* && $OUT == *"  put "* && $OUT == *"  del "* && $OUT == *"  watch "* && $OUT == *"  txn "* && $OUT == *"  compaction "* ]]'
declare -A helpopt=([get]=--sort-by [put]=--ignore-lease [del]=--from-key
    [watch]=--progress-notify [txn]=--interactive [compaction]=--physical)
for cmd in get put del watch txn compaction; do
    want=${helpopt[$cmd]}
    ew "$cmd" --help
    check "$cmd --help: exit 0, usage line, description and options" \
        eval '[[ $RC == 0 && $OUT == "Usage: etcdwatch $cmd"* && $OUT == *Options:* && $OUT == *"$want"* && -z $ERR ]]'
done

ew get
usage "get without KEY: exit 2" "etcdwatch: get: missing KEY"
ew put k
usage "put without VALUE and with empty standard input: exit 2" \
    "etcdwatch: put: missing VALUE*"
ew del
usage "del without KEY: exit 2" "etcdwatch: del: missing KEY"
ew watch
usage "watch without KEY: exit 2" "etcdwatch: watch: missing KEY"
ew compaction
usage "compaction without REV: exit 2" "etcdwatch: compaction: missing REV"
ew compaction 12x
usage "compaction with a bad REV: exit 2" "etcdwatch: compaction: invalid REV '12x'*"
ew get k --sort-by SIZE
usage "get --sort-by SIZE: exit 2" "etcdwatch: get: invalid --sort-by 'SIZE'*"
ew get k --order UP
usage "get --order UP: exit 2" "etcdwatch: get: invalid --order 'UP'*"
ew get k --consistency x
usage "get --consistency x: exit 2" "etcdwatch: get: invalid --consistency 'x'*"
ew get k z --prefix
usage "get KEY RANGE_END --prefix: exit 2" "etcdwatch: get: RANGE_END cannot be given*"
ew del k --prefix --from-key
usage "del --prefix --from-key: exit 2" "etcdwatch: del: --prefix and --from-key cannot*"
ew put k v --lease xyz
usage "put --lease that is not hex: exit 2" "etcdwatch: put: invalid --lease 'xyz'*"
ew put k v --ignore-value
usage "put --ignore-value with a VALUE: exit 2" "etcdwatch: put: VALUE cannot be given*"
ew get k --bogus
usage "get --bogus: exit 2" "etcdwatch: get: unknown option '--bogus'"

ew "${EP[@]}" txn frob
usage "txn with an argument: exit 2" "etcdwatch: txn: unexpected argument 'frob'"

# ---- put and get --------------------------------------------------------------------

ew "${EP[@]}" put foo bar
expect "put foo bar: OK" 0 "OK"
check "...etcdctl reads bar" eval '[[ $(ctl get foo --print-value-only) == bar ]]'
ew "${EP[@]}" put --prev-kv foo baz
expect "put --prev-kv: OK and the previous pair" 0 $'OK\nfoo\nbar'
ew "${EP[@]}" get foo
expect "get foo: key and value lines" 0 $'foo\nbaz'
ew "${EP[@]}" get nosuch
expect "get of a missing key: nothing, exit 0" 0 ""

for i in 3 1 2; do
    ctl put "k/$i" "v$i" >/dev/null
done
ctl put k0 before >/dev/null
ctl put l after >/dev/null
ew "${EP[@]}" get --prefix k/
expect "get --prefix: every key under it, in key order" 0 $'k/1\nv1\nk/2\nv2\nk/3\nv3'
ew "${EP[@]}" get k/1 k/3
expect "get KEY RANGE_END: [k/1, k/3)" 0 $'k/1\nv1\nk/2\nv2'
ew "${EP[@]}" get --from-key k/3
expect "get --from-key k/3: k/3 and everything after" 0 $'k/3\nv3\nk0\nbefore\nl\nafter'
ew "${EP[@]}" get --prefix k/ --keys-only
check "get --keys-only: each key then an empty line (etcdctl's form)" \
    eval '[[ $RC == 0 ]] && cmp -s "$work/out" <(printf "k/1\n\nk/2\n\nk/3\n\n")'
ew "${EP[@]}" get --prefix k/ --print-value-only --limit 2
expect "get --print-value-only --limit 2: two values" 0 $'v1\nv2'
ew "${EP[@]}" get --prefix k/ --sort-by create --order DESCEND
expect "get --sort-by create --order DESCEND: newest first" 0 $'k/2\nv2\nk/1\nv1\nk/3\nv3'
ew "${EP[@]}" get --prefix k/ --sort-by MODIFY
expect "get --sort-by MODIFY: ascending by default" 0 $'k/3\nv3\nk/1\nv1\nk/2\nv2'
ew "${EP[@]}" get --prefix k/ --count-only
expect "get --count-only: the count" 0 "3"
ew "${EP[@]}" get --prefix k/ --limit 1 --consistency s --print-value-only
expect "get --consistency s (serializable) reads too" 0 "v1"

r_before=$(rev_now)
ctl put foo changed >/dev/null
ew "${EP[@]}" get foo --rev "$r_before"
expect "get --rev: the value as it was at that revision" 0 $'foo\nbaz'

ew "${EP[@]}" -o json get --prefix k/ --limit 2
check "get -o json: keys and values decoded, more and count" \
    eval '[[ $RC == 0 && $(json "[(k[\"key\"], k[\"value\"]) for k in v[\"kvs\"]]") == "[[\"k/1\", \"v1\"], [\"k/2\", \"v2\"]]" && $(json "v[\"more\"]") == true && $(json "v[\"count\"]") == 3 ]]'

# a value from standard input, byte exact: NUL bytes, no newline added or dropped
printf 'line one\n\0\001binary\377 end\n\n' >"$work/value.bin"
STDIN=$work/value.bin ew "${EP[@]}" put bin -
expect "put KEY - reads the value from standard input" 0 "OK"
check "...etcdctl reads it back byte for byte (NUL bytes, trailing newlines)" \
    eval '[[ $(ctl get bin -w json | "$PY" -c "import json,sys,base64; sys.stdout.buffer.write(base64.b64decode(json.load(sys.stdin)[\"kvs\"][0][\"value\"]))" | od -An -c) == "$(od -An -c <"$work/value.bin")" ]]'
ew "${EP[@]}" get bin --print-value-only
check "get prints the binary value with its length" \
    eval 'cmp -s "$work/out" <(cat "$work/value.bin"; printf "\n")'

# put KEY without VALUE reads standard input, as etcdctl 3.4 does: all of it, byte exact,
# the trailing newline kept; etcdctl given the same input stores the same bytes
printf 'line 1\nline 2\n' >"$work/motd"
STDIN=$work/motd ew "${EP[@]}" put motd
expect "put KEY without VALUE reads the value from standard input" 0 "OK"
ctl put motd-ctl <"$work/motd" >/dev/null
check "...byte for byte, trailing newline included, as etcdctl stores it" \
    eval '[[ $(ctl get motd -w json | "$PY" -c "import json,sys; print(json.load(sys.stdin)[\"kvs\"][0][\"value\"])") == "$(ctl get motd-ctl -w json | "$PY" -c "import json,sys; print(json.load(sys.stdin)[\"kvs\"][0][\"value\"])")" && $(ctl get motd -w json | "$PY" -c "import json,sys,base64; print(base64.b64decode(json.load(sys.stdin)[\"kvs\"][0][\"value\"]) == b\"line 1\\nline 2\\n\")") == True ]]'
ew "${EP[@]}" put motd
usage "put KEY with empty standard input: exit 2, as etcdctl" "etcdwatch: put: missing VALUE*"
check "...the key keeps its value" eval '[[ $(ctl get motd --print-value-only) == $'"'"'line 1\nline 2'"'"' ]]'

ew "${EP[@]}" put -- dash -v-
expect "put -- KEY VALUE: a value starting with '-'" 0 "OK"
check "...stored as given" eval '[[ $(ctl get dash --print-value-only) == -v- ]]'

# leases: --lease ID (hex), --ignore-value, --ignore-lease
lease=$(ctl lease grant 300 | awk '{print $2}')
ew "${EP[@]}" put leased v1 --lease "$lease"
expect "put --lease ID(hex): OK" 0 "OK"
check "...etcdctl sees the key on that lease" \
    eval '[[ $(ctl get leased -w json | "$PY" -c "import json,sys; print(json.load(sys.stdin)[\"kvs\"][0][\"lease\"] == int(sys.argv[1], 16))" "$lease") == True ]]'
ew "${EP[@]}" put leased v2 --ignore-lease
expect "put --ignore-lease: OK" 0 "OK"
check "...the value changed, the lease kept" \
    eval '[[ $(ctl get leased --print-value-only) == v2 && $(ctl lease timetolive "$lease" --keys) == *leased* ]]'
STDIN=$work/motd ew "${EP[@]}" put leased --ignore-value --lease "$lease"
expect "put --ignore-value without VALUE: OK" 0 "OK"
check "...standard input is not read: the value kept" \
    eval '[[ $(ctl get leased --print-value-only) == v2 ]]'
ew "${EP[@]}" put plain --ignore-value --lease "$lease"
expect_fail "put --ignore-value on a missing key: etcd's error, exit 1" 1 \
    "Error:  etcdserver: key not found*"

ew "${EP[@]}" -o json put foo jsonval --prev-kv
check "put -o json: prev_kv decoded" \
    eval '[[ $RC == 0 && $(json "v[\"prev_kv\"][\"key\"] + \"=\" + v[\"prev_kv\"][\"value\"]") == foo=changed ]]'

# ---- del --------------------------------------------------------------------------

ew "${EP[@]}" del --prev-kv foo
expect "del --prev-kv: the count, then the deleted pair" 0 $'1\nfoo\njsonval'
check "...etcdctl finds no foo" eval '[[ -z $(ctl get foo) ]]'
ew "${EP[@]}" del nosuch
expect "del of a missing key: 0, exit 0" 0 "0"
ew "${EP[@]}" del k/1 k/3
expect "del KEY RANGE_END: [k/1, k/3)" 0 "2"
ew "${EP[@]}" -o json del --prefix k --prev-kv
check "del --prefix -o json: deleted 2, prev_kvs decoded" \
    eval '[[ $RC == 0 && $(json "v[\"deleted\"]") == 2 && $(json "sorted(k[\"key\"] for k in v[\"prev_kvs\"])") == "[\"k/3\", \"k0\"]" ]]'

# ---- txn ----------------------------------------------------------------------------

ctl put t1 one >/dev/null
ctl put t2 two >/dev/null
cat >"$work/txn-ok" <<'EOF'
mod("t1") > "0"
value("t2") = "two"
version("t1") = "1"
create("nosuch") = "0"

put t1 "new one"
get --prefix t
del --prev-kv t2

put failed yes

EOF
STDIN=$work/txn-ok ew "${EP[@]}" txn
expect "txn whose compares hold: SUCCESS and each request's output" 0 \
    $'SUCCESS\n\nOK\n\nt1\nnew one\nt2\ntwo\n\n1\nt2\ntwo'
check "...etcdctl sees the success branch applied, not the failure one" \
    eval '[[ $(ctl get t1 --print-value-only) == "new one" && -z $(ctl get t2) && -z $(ctl get failed) ]]'

ctl put t2 two >/dev/null
printf '%s\n' 'value("t1") != "new one"' '' 'put t1 never' '' 'put t3 "x \"y\"\tz"' \
    'get t2' >"$work/txn-fail"
STDIN=$work/txn-fail ew "${EP[@]}" txn
expect "txn whose compare fails: FAILURE, the failure branch (input ends without a blank line)" \
    0 $'FAILURE\n\nOK\n\nt2\ntwo'
check "...etcdctl: failure branch applied (quoted value unescaped), success not" \
    eval '[[ $(ctl get t3 --print-value-only) == "x \"y\""$'"'"'\t'"'"'"z" && $(ctl get t1 --print-value-only) == "new one" ]]'

printf '%s\n' "lease(\"leased\") = \"$lease\"" '' 'get leased --print-value-only' '' '' \
    >"$work/txn-lease"
STDIN=$work/txn-lease ew "${EP[@]}" -o json txn
check "txn with a lease compare (hex ID), -o json: succeeded, the range decoded" \
    eval '[[ $RC == 0 && $(json "v[\"succeeded\"]") == true && $(json "v[\"responses\"][0][\"response_range\"][\"kvs\"][0][\"value\"]") == v2 ]]'

printf '%s\n' 'mod("t1") > "0"' '' 'put t4 4' '' '' >"$work/txn-i"
STDIN=$work/txn-i ew "${EP[@]}" txn --interactive
check "txn --interactive: etcdctl's three prompts on stderr, the result on stdout" \
    eval '[[ $RC == 0 && $OUT == $'"'"'SUCCESS\n\nOK'"'"' && $ERR == $'"'"'compares:\nsuccess requests (get, put, del):\nfailure requests (get, put, del):'"'"' ]]'

printf '%s\n' 'value("t1") = "x"' 'bogus line' '' >"$work/txn-bad1"
STDIN=$work/txn-bad1 ew "${EP[@]}" txn
usage "txn with a malformed compare: exit 2 naming line 2 and its text" \
    "etcdwatch: txn: line 2: *: bogus line"
printf '%s\n' 'value("t1") = "x"' '' 'put a b' 'frob k' '' >"$work/txn-bad2"
STDIN=$work/txn-bad2 ew "${EP[@]}" txn
usage "txn with an unknown request: exit 2 naming line 4" \
    "etcdwatch: txn: line 4: unknown request 'frob'*: frob k"
printf '%s\n' 'mod("t1") ~ "1"' '' '' >"$work/txn-bad3"
STDIN=$work/txn-bad3 ew "${EP[@]}" txn
usage "txn with an unknown operator: exit 2" "etcdwatch: txn: line 1: *operator*"
printf '%s\n' 'version("t1") = "x"' '' '' >"$work/txn-bad4"
STDIN=$work/txn-bad4 ew "${EP[@]}" txn
usage "txn comparing a version with a non-number: exit 2" \
    "etcdwatch: txn: line 1: 'x' is not a whole number*"
printf '%s\n' '' '' 'put t9 1' 'del t9' '' >"$work/txn-dup"
STDIN=$work/txn-dup ew "${EP[@]}" txn
expect_fail "txn that etcd refuses (one key twice): etcd's error, exit 1" 1 \
    "Error:  etcdserver: duplicate key given in txn request*"
check "...nothing applied" eval '[[ -z $(ctl get t9) ]]'

# ---- watch --------------------------------------------------------------------------

# bg_watch NAME ARGS...: etcdwatch --api v3 watch ARGS in the background, its output in
# $work/NAME.out and .err; BG is the pid of its timeout (which passes signals on).
bg_watch() {
    local name=$1
    shift
    timeout -k 5 "$MAX" "${wrapper[@]}" "$EW" --api v3 "${slow[@]}" watch "$@" \
        </dev/null >"$work/$name.out" 2>"$work/$name.err" &
    BG=$!
    bg_pids+=("$BG")
}
# bg_stop SIG: stop the last background watch with SIG; BG_RC its exit status
bg_stop() {
    kill "-$1" "$BG" 2>/dev/null
    wait "$BG"
    BG_RC=$?
}
# check_bg NAME TEST: check TEST about the background watch NAME; a failure shows its
# status and output
check_bg() {
    local t_name=$1 name=$2
    shift 2
    if eval "$1"; then
        ok "$t_name"
    else
        bad "$t_name" "failed: $1" "status: $BG_RC" \
            "stdout: $(printf '%q' "$(cat "$work/$name.out")")" \
            "stderr: $(printf '%q' "$(cat "$work/$name.err")")"
    fi
}
# Start each watch at the next revision: it sees the writes below wherever it is
# in its start-up (valgrind takes seconds).
r=$(($(rev_now) + 1))
bg_watch prefix "${EP[@]}" --prefix --prev-kv w/ --rev "$r"
ctl put w/a 1 >/dev/null
ctl put w/a 2 >/dev/null
ctl put other x >/dev/null
ctl del w/a >/dev/null
wait_lines "$work/prefix.out" 13
bg_stop INT
check_bg "watch --prefix --prev-kv: PUT, PUT with the previous pair, DELETE with it; SIGINT ends it with status 0" prefix \
    '[[ $BG_RC == 0 && ! -s $work/prefix.err ]] && cmp -s "$work/prefix.out" <(printf "PUT\nw/a\n1\nPUT\nw/a\n1\nw/a\n2\nDELETE\nw/a\n2\nw/a\n\n")'

bg_watch history "${EP[@]}" t1 --rev 1
wait_lines "$work/history.out" 9
bg_stop TERM
check_bg "watch --rev 1: replays the key's history; SIGTERM ends it with status 0" history \
    '[[ $BG_RC == 0 && $(cat "$work/history.out") == $'"'"'PUT\nt1\none\nPUT\nt1\nnew one'"'"' && ! -s $work/history.err ]]'

r=$(($(rev_now) + 1))
bg_watch json "${EP[@]}" -o json --prefix j/ --rev "$r"
ctl put j/1 "hello json" >/dev/null
ctl del j/1 >/dev/null
wait_lines "$work/json.out" 2
bg_stop TERM
OUT=$(grep '"events"' "$work/json.out")
check_bg "watch -o json: one JSON object per message, keys and values decoded" json \
    '[[ $BG_RC == 0 && $("$PY" -c "
import json, sys
evs = [e for l in sys.stdin for e in json.loads(l)[\"result\"][\"events\"]]
print([(e.get(\"type\", \"PUT\"), e[\"kv\"][\"key\"], e[\"kv\"].get(\"value\", \"\")) for e in evs])
" <<<"$OUT") == "[('"'"'PUT'"'"', '"'"'j/1'"'"', '"'"'hello json'"'"'), ('"'"'DELETE'"'"', '"'"'j/1'"'"', '"'"''"'"')]" ]]'

# watch ... -- COMMAND: once per event, with etcdctl's ETCD_WATCH_* variables
r=$(($(rev_now) + 1))
# shellcheck disable=SC2016
bg_watch exec "${EP[@]}" x/ --prefix --rev "$r" -- sh -c \
    'printf "[%s %s %s %s]\n" "$ETCD_WATCH_REVISION" "$ETCD_WATCH_EVENT_TYPE" "$ETCD_WATCH_KEY" "$ETCD_WATCH_VALUE"'
ctl put x/1 'say "hi"' >/dev/null
# one event per message (a slow start gets both in one, printed before the commands run)
wait_lines "$work/exec.out" 4
ctl del x/1 >/dev/null
wait_lines "$work/exec.out" 8
bg_stop TERM
want="PUT
x/1
say \"hi\"
[$r \"PUT\" \"x/1\" \"say \\\"hi\\\"\"]
DELETE
x/1

[$((r + 1)) \"DELETE\" \"x/1\" \"\"]"
check_bg "watch -- COMMAND: run per event with ETCD_WATCH_* (Go-quoted, as etcdctl)" exec \
    '[[ $BG_RC == 0 && $(cat "$work/exec.out") == "$want" ]]'

# Compaction while a watch is cut off: a TCP proxy between the watch and etcd is
# killed, keys are written and the history compacted, the proxy comes back; the watch
# reconnects, finds its next revision compacted, says so, and goes on from the
# compact revision (the event there is delivered, the one before it is lost).
cat >"$work/proxy.py" <<'EOF'
import socket, sys, threading
lport, dport = int(sys.argv[1]), int(sys.argv[2])
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", lport))
ls.listen(16)
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
while True:
    c, _ = ls.accept()
    try:
        u = socket.create_connection(("127.0.0.1", dport))
    except OSError:
        c.close()
        continue
    threading.Thread(target=pipe, args=(c, u), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c), daemon=True).start()
EOF
etcd_free_port
pport=$ETCD_FREE_PORT
proxy_start() {
    "$PY" "$work/proxy.py" "$pport" "${E##*:}" </dev/null >/dev/null 2>&1 &
    proxy_pid=$!
    bg_pids+=("$proxy_pid")
    local i
    for ((i = 0; i < 100; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$pport") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
proxy_start
r=$(($(rev_now) + 1))
bg_watch compact --endpoints "http://127.0.0.1:$pport" --prefix c/ --rev "$r"
ctl put c/0 zero >/dev/null
wait_lines "$work/compact.out" 3
kill -9 "$proxy_pid"
{ wait "$proxy_pid"; } 2>/dev/null
proxy_pid=
ctl put c/1 lost >/dev/null
ctl put c/2 two >/dev/null
crev=$(rev_now)
ctl compaction "$crev" >/dev/null
proxy_start
wait_lines "$work/compact.out" 6
ctl put c/3 three >/dev/null
wait_lines "$work/compact.out" 9
bg_stop TERM
check_bg "compaction during a watch: reported with the compact revision, the watch goes on from it and sees later puts" compact \
    '[[ $BG_RC == 0 && $(cat "$work/compact.out") == $'"'"'PUT\nc/0\nzero\nPUT\nc/2\ntwo\nPUT\nc/3\nthree'"'"' && $(cat "$work/compact.err") == *"has been compacted (the oldest revision left is $crev); events before it are lost, watching from revision $crev on"* ]]'
kill -9 "$proxy_pid" 2>/dev/null
{ wait "$proxy_pid"; } 2>/dev/null
proxy_pid=

# ---- compaction ---------------------------------------------------------------------

ctl put cmp a >/dev/null
old=$(rev_now)
ctl put cmp b >/dev/null
now=$(rev_now)
ew "${EP[@]}" compaction "$now" --physical
expect "compaction REV --physical: etcdctl's line" 0 "compacted revision $now"
ew "${EP[@]}" get cmp --rev "$old"
expect_fail "get --rev of a compacted revision: etcd's error, exit 1" 1 \
    "Error:  etcdserver: mvcc: required revision has been compacted*"
ew "${EP[@]}" compaction "$((now + 1000))"
expect_fail "compaction of a future revision: etcd's error, exit 1" 1 \
    "Error:  etcdserver: mvcc: required revision is a future revision*"
ctl put cmp c >/dev/null
ew "${EP[@]}" -o json compaction "$(rev_now)"
check "compaction -o json: the gateway's answer (its header)" \
    eval '[[ $RC == 0 && $(json "\"header\" in v") == true ]]'

# ---- the API from the environment; transport errors --------------------------------

EW_OPTS=()
ETCDWATCH_API=3 ew "${EP[@]}" put envkey viaenv
expect "ETCDWATCH_API=3 put: the v3 command" 0 "OK"
ETCDWATCH_API=3 ew "${EP[@]}" get envkey
expect "ETCDWATCH_API=3 get: the v3 command" 0 $'envkey\nviaenv'
EW_OPTS=(--api v3)

etcd_free_port
ew --endpoints "http://127.0.0.1:$ETCD_FREE_PORT" get foo
expect_fail "get from a dead endpoint: exit 1, one line naming it" 1 \
    "Error:  *127.0.0.1:$ETCD_FREE_PORT*"

finish
