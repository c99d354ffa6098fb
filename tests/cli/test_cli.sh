#!/usr/bin/env bash
# Tests of the etcdwatch program against the real etcd of tests/etcd-env.sh, for each
# command of the CLI's first slice (etcdctl v2 style): outputs under -o simple and
# -o json, exit statuses 0/1/2, etcdctl's error line, values from standard input,
# --endpoints and ETCDWATCH_ENDPOINTS, TLS flags, --user with ETCDWATCH_PASSWORD, and
# the Rust etcd crate's keys behaviours.
#
# usage: test_cli.sh [PATH/TO/etcdwatch]   (default: $ETCD_TEST_BIN_DIR/etcdwatch)
# Needs ETCD_TEST_* from etcd_env_start; starts one more etcd of its own for --user.
# Each run of etcdwatch is bounded by a timeout and wrapped in $ETCD_TEST_WRAPPER
# (valgrind in tests/run.sh --valgrind). Ends with "cli: N passed, M failed".
# What every CLI test script shares (ew, expect, check, wait_lines, the traps) is in
# lib.sh; json here reads a field by its path. The checks are strings that check()
# evals (shellcheck sees neither the variables they read nor the functions they call
# being used):
# shellcheck disable=SC2016,SC2034,SC2317
set -uo pipefail

TEST_NAME="cli"
TEST_MAX= # none of its own: ctest's
EW_SLOW=0
WAIT=20
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

for v in ETCD_TEST_ENDPOINT ETCD_TEST_TLS_ENDPOINT ETCD_TEST_CA ETCD_TEST_CERT \
    ETCD_TEST_KEY ETCD_TEST_DEAD_ENDPOINT; do
    if [[ -z ${!v:-} ]]; then
        echo "cli: $v is not set: run the tests through tests/run.sh, which starts etcd" >&2
        failed=1
        finish
    fi
done

LIVE=$ETCD_TEST_ENDPOINT
DEAD=$ETCD_TEST_DEAD_ENDPOINT
export ETCDWATCH_ENDPOINTS=$LIVE
P="/cli/$$-$RANDOM" # this run's key prefix

# expect_err NAME CODE MESSAGE CAUSE: the last ew failed with etcd error CODE, in
# etcdctl's line on stderr: "Error:  CODE: MESSAGE (CAUSE) [INDEX]"
expect_err() {
    local t_name=$1 t_code=$2 t_msg=$3 t_cause=$4
    local t_re
    t_re="^Error:  $t_code: $(re_quote "$t_msg") \($(re_quote "$t_cause")\) \[[0-9]+\]$"
    if [[ $RC == 1 && $ERR =~ $t_re ]]; then
        ok "$t_name"
    else
        bad "$t_name" "status $RC (want 1)" "stderr: $(printf '%q' "$ERR")" "want: $t_re"
    fi
}

re_quote() {
    printf '%s' "$1" | sed 's/[][\.*^$?+(){}|]/\\&/g'
}

# json FIELD-PATH: read a field of the JSON in $OUT (one object), e.g. node.ttl; a
# missing one reads as empty (this replaces lib.sh's json EXPR)
json() {
    "$PY" -c '
import json, sys
v = json.loads(sys.argv[1])
for part in sys.argv[2].split("."):
    v = v[int(part)] if isinstance(v, list) else v.get(part) if v is not None else None
print("" if v is None else (json.dumps(v) if isinstance(v, (dict, list, bool)) else v))
' "$OUT" "$1" 2>/dev/null || echo "<not json>"
}

# Every line of $OUT is one JSON object.
json_lines() {
    "$PY" -c '
import json, sys
lines = sys.argv[1].split("\n")
assert lines and all(isinstance(json.loads(l), dict) for l in lines)
' "$OUT" 2>/dev/null
}

curl_get() { # curl_get KEY -> value via the HTTP API directly
    curl -s --max-time 10 "$LIVE/v2/keys$1" |
        "$PY" -c 'import json,sys; print(json.load(sys.stdin)["node"].get("value",""))'
}

curl_set() { # curl_set KEY VALUE -> prints modifiedIndex
    curl -s --max-time 10 -X PUT "$LIVE/v2/keys$1" --data-urlencode "value=$2" |
        "$PY" -c 'import json,sys; print(json.load(sys.stdin)["node"]["modifiedIndex"])'
}

watchers() { # the number of watchers etcd holds
    curl -s --max-time 10 "$1/v2/stats/store" |
        "$PY" -c 'import json,sys; print(json.load(sys.stdin)["watchers"])'
}

# wait_watchers ENDPOINT N: until etcd holds more than N watchers (max 20 s)
wait_watchers() {
    local i
    for i in $(seq 1 400); do
        if (($(watchers "$1") > $2)); then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

# ---- version, help and usage errors ---------------------------------------------

ew --version
check "--version exits 0 and names the version" \
    eval '[[ $RC == 0 && $OUT == *0.1.0* ]]'
ew --help
check "--help exits 0 and lists the commands" \
    eval '[[ $RC == 0 && $OUT$ERR == *mkdir* && $OUT$ERR == *watch* ]]'
ew frobnicate
check "unknown command: exit 2" eval '[[ $RC == 2 ]]'
ew get
check "get without KEY: exit 2" eval '[[ $RC == 2 && -z $OUT ]]'
ew set "$P/x"
check "set without VALUE and no '-': exit 2" eval '[[ $RC == 2 ]]'
ew -o yaml get "$P/x"
check "-o with an unknown format: exit 2" eval '[[ $RC == 2 ]]'
ew mk "$P/x" v --ttl abc
check "--ttl not a number: exit 2" eval '[[ $RC == 2 ]]'
ew get "$P/x" --no-such-flag
check "unknown option: exit 2" eval '[[ $RC == 2 ]]'

# ---- set, get, mk, update, rm: simple and json ------------------------------------

ew set "$P/k" hello
expect "set prints the value" 0 "hello"
check "set stored it" eval '[[ $(curl_get "$P/k") == hello ]]'
ew get "$P/k"
expect "get prints the value" 0 "hello"
ew -o json get "$P/k"
check "get -o json: the server's object" \
    eval '[[ $RC == 0 && $(json action) == get && $(json node.key) == "$P/k" && $(json node.value) == hello ]]'
check "get -o json: one line" eval '[[ $(printf "%s\n" "$OUT" | wc -l) == 1 ]] && json_lines'
ew get "$P/missing"
expect_err "get of a missing key: 100 in etcdctl's form" 100 "Key not found" "$P/missing"
check "get of a missing key prints nothing on stdout" eval '[[ -z $OUT ]]'
ew -o json get "$P/missing"
check "get -o json of a missing key: the error object on stdout, exit 1" \
    eval '[[ $RC == 1 && $(json errorCode) == 100 && $(json cause) == "$P/missing" && $ERR == "Error:  100: Key not found"* ]]'

ew mk "$P/rust/foo" bar --ttl 60
expect "mk prints the value" 0 "bar"
ew -o json mk "$P/rust/ttl" bar --ttl 60
check "mk --ttl 60 -o json: action create, ttl 60" \
    eval '[[ $RC == 0 && $(json action) == create && $(json node.ttl) == 60 && $(json node.value) == bar ]]'
ew mk "$P/rust/foo" again
expect_err "second mk: 105 Key already exists" 105 "Key already exists" "$P/rust/foo"
check "second mk left the value" eval '[[ $(curl_get "$P/rust/foo") == bar ]]'

ew update "$P/rust/missing-parent/none" v
check "update of a missing key: 100" eval '[[ $RC == 1 && $ERR == "Error:  100: Key not found ("* ]]'
ew update "$P/rust/foo" baz --ttl 30
expect "update prints the value" 0 "baz"
ew -o json update "$P/rust/foo" qux
check "update -o json: action update with prevNode" \
    eval '[[ $(json action) == update && $(json prevNode.value) == baz && $(json node.value) == qux ]]'
ew update "$P/rust/nothere" v
expect_err "update of a missing key: 100 naming the key" 100 "Key not found" "$P/rust/nothere"

# compare-and-swap through set
idx=$(curl_set "$P/cas" one)
ew set "$P/cas" two --swap-with-value one
expect "set --swap-with-value (value only)" 0 "two"
ew set "$P/cas" three --swap-with-value one
expect_err "set --swap-with-value wrong: 101" 101 "Compare failed" "[one != two]"
idx=$(curl -s "$LIVE/v2/keys$P/cas" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["node"]["modifiedIndex"])')
ew set "$P/cas" three --swap-with-index "$idx"
expect "set --swap-with-index (index only)" 0 "three"
ew set "$P/cas" four --swap-with-index "$idx"
expect_err "set --swap-with-index stale: 101" 101 "Compare failed" "[$idx != $((idx + 1))]"
ew -o json set "$P/cas" four --swap-with-value three --swap-with-index "$((idx + 1))"
check "set with both: action compareAndSwap" \
    eval '[[ $RC == 0 && $(json action) == compareAndSwap && $(json node.value) == four ]]'
ew set "$P/cas" five --swap-with-value four --swap-with-index 1
check "set with both, index wrong: 101" eval '[[ $RC == 1 && $ERR == "Error:  101: Compare failed"* ]]'
check "failed swaps changed nothing" eval '[[ $(curl_get "$P/cas") == four ]]'

# compare-and-delete through rm
curl_set "$P/cad1" v1 >/dev/null
ew rm "$P/cad1" --with-value v0
expect_err "rm --with-value wrong: 101" 101 "Compare failed" "[v0 != v1]"
ew -o json rm "$P/cad1" --with-value v1
check "rm --with-value: action compareAndDelete" \
    eval '[[ $RC == 0 && $(json action) == compareAndDelete && $(json prevNode.value) == v1 ]]'
i2=$(curl_set "$P/cad2" v2)
ew rm "$P/cad2" --with-index "$((i2 + 5))"
check "rm --with-index wrong: 101" eval '[[ $RC == 1 && $ERR == "Error:  101: Compare failed"* ]]'
ew rm "$P/cad2" --with-index "$i2"
check "rm --with-index: exit 0, the key is gone" \
    eval '[[ $RC == 0 && $(curl -s "$LIVE/v2/keys$P/cad2") == *"errorCode\":100"* ]]'
i3=$(curl_set "$P/cad3" v3)
ew rm "$P/cad3" --with-value v3 --with-index "$((i3 + 1))"
check "rm with both, index wrong: 101" eval '[[ $RC == 1 && $ERR == "Error:  101: Compare failed"* ]]'
ew -o json rm "$P/cad3" --with-value v3 --with-index "$i3"
check "rm with both: compareAndDelete" eval '[[ $RC == 0 && $(json action) == compareAndDelete ]]'
ew get "$P/cad3"
check "the key is gone" eval '[[ $RC == 1 && $ERR == "Error:  100: Key not found"* ]]'

# plain rm
curl_set "$P/gone" bye >/dev/null
ew rm "$P/gone"
expect "rm prints etcdctl's PrevNode.Value line" 0 "PrevNode.Value: bye"
ew rm "$P/gone"
expect_err "rm of a missing key: 100" 100 "Key not found" "$P/gone"

# ---- values from standard input -------------------------------------------------

printf 'from stdin' >"$work/in1"
STDIN=$work/in1 ew set "$P/stdin" -
expect "set KEY - reads the value from stdin" 0 "from stdin"
check "the stored value is exact" eval '[[ $(curl_get "$P/stdin") == "from stdin" ]]'
printf 'two\nlines & = ? # %% +' >"$work/in2"
STDIN=$work/in2 ew -o json mk "$P/stdin2" -
check "mk KEY - keeps newlines and special characters" \
    eval '[[ $RC == 0 && "$(json node.value)" == "$(cat "$work/in2")" ]]'
STDIN=$work/in1 ew update "$P/stdin2" -
check "update KEY - reads stdin" eval '[[ $RC == 0 && $(curl_get "$P/stdin2") == "from stdin" ]]'

# ---- keys with special characters round-trip ---------------------------------------

for name in "with space" "q?mark" "hash#tag" "per%cent" "plus+sign" "amp&ersand" \
    "gr$(printf '\xc3\xbc\xc3\x9f')e"; do
    ew set "$P/esc/$name" "value of $name"
    ew -o json get "$P/esc/$name"
    check "key '$name' round-trips (value and key name)" \
        eval '[[ $RC == 0 && $(json node.key) == "$P/esc/$name" && $(json node.value) == "value of $name" ]]'
done
ew ls "$P/esc" --sort
check "ls names the special keys exactly" \
    eval '[[ $RC == 0 && $OUT == *"$P/esc/with space"* && $OUT == *"$P/esc/amp&ersand"* && $OUT == *"$P/esc/q?mark"* ]]'

# ---- directories: mkdir, setdir, updatedir, rmdir, ls -------------------------------

ew mkdir "$P/dir"
expect "mkdir prints nothing" 0 ""
ew -o json mkdir "$P/dir2" --ttl 100
check "mkdir -o json: create, dir, ttl" \
    eval '[[ $RC == 0 && $(json action) == create && $(json node.dir) == true && $(json node.ttl) == 100 ]]'
ew mkdir "$P/dir"
expect_err "mkdir of an existing dir: 105" 105 "Key already exists" "$P/dir"
ew setdir "$P/dir"
expect_err "setdir on an existing dir: 102" 102 "Not a file" "$P/dir"
curl_set "$P/wasakey" v >/dev/null
ew -o json setdir "$P/wasakey"
check "setdir replaces a key with a dir" \
    eval '[[ $RC == 0 && $(json node.dir) == true && $(json prevNode.value) == v ]]'
curl_set "$P/rust/key2dir" bar >/dev/null
ew -o json updatedir "$P/rust/key2dir" --ttl 60
check "updatedir on a key: action update, ttl 60" \
    eval '[[ $RC == 0 && $(json action) == update && $(json node.ttl) == 60 && $(json prevNode.value) == bar ]]'
ew updatedir "$P/dir" --ttl 300
expect "updatedir prints nothing" 0 ""
ew updatedir "$P/nodir" --ttl 5
expect_err "updatedir of a missing dir: 100" 100 "Key not found" "$P/nodir"
ew -o json get "$P/dir"
check "updatedir set the dir's ttl" eval '[[ $(json node.ttl) -gt 250 ]]'

# a tree for ls and get
curl_set "$P/tree/c" C >/dev/null
curl_set "$P/tree/a" A >/dev/null
curl_set "$P/tree/sub/deep" D >/dev/null
curl_set "$P/tree/b" B >/dev/null
ew ls "$P/tree" --sort
expect "ls --sort: children in order" 0 "$P/tree/a
$P/tree/b
$P/tree/c
$P/tree/sub"
ew ls "$P/tree" --sort -p
expect "ls -p: directories end with /" 0 "$P/tree/a
$P/tree/b
$P/tree/c
$P/tree/sub/"
ew ls "$P/tree" --sort --recursive
expect "ls --recursive: the whole tree" 0 "$P/tree/a
$P/tree/b
$P/tree/c
$P/tree/sub
$P/tree/sub/deep"
ew ls "$P/tree/a"
expect "ls of a key prints the key" 0 "$P/tree/a"
ew -o json ls "$P/tree" --sort --recursive
check "ls -o json: the server's tree" \
    eval '[[ $RC == 0 && $(json node.nodes.3.nodes.0.key) == "$P/tree/sub/deep" ]]'
ew ls
check "ls without KEY lists the root, where /cli is" \
    eval '[[ $RC == 0 && $(printf "%s\n" "$OUT" | grep -cx /cli) == 1 ]]'
ew -o json ls /
check "ls / -o json: the root has no indexes" \
    eval '[[ $RC == 0 && $(json node.dir) == true && -z $(json node.modifiedIndex) && -z $(json node.createdIndex) ]]'
ew ls "$P/nothing"
expect_err "ls of a missing dir: 100" 100 "Key not found" "$P/nothing"
ew get "$P/tree"
check "get of a directory fails with exit 1" eval '[[ $RC == 1 ]]'

ew rmdir "$P/tree"
expect_err "rmdir of a non-empty dir: 108" 108 "Directory not empty" "$P/tree"
ew rmdir /
expect_err "rmdir /: 107 Root is read only" 107 "Root is read only" "/"
ew rm "$P/tree"
check "rm of a dir without --recursive fails" eval '[[ $RC == 1 && $ERR == Error:* ]]'
ew rm "$P/tree" --recursive
check "rm --recursive removes the tree" \
    eval '[[ $RC == 0 && $(curl -s "$LIVE/v2/keys$P/tree/sub/deep") == *"\"errorCode\":100"* ]]'
ew mkdir "$P/empty"
ew rmdir "$P/empty"
expect "rmdir of an empty dir prints nothing" 0 ""
ew mkdir "$P/empty2"
ew rm "$P/empty2" --dir
check "rm --dir removes an empty dir" eval '[[ $RC == 0 && $(curl -s "$LIVE/v2/keys$P/empty2") == *"errorCode\":100"* ]]'

# ---- in-order keys -------------------------------------------------------------

for i in 1 2 3; do
    timeout -k 5 "$T" "${wrapper[@]}" "$EW" -o json mk "$P/queue" "job$i" --in-order \
        </dev/null >"$work/q$i" 2>&1 &
    bg_pids+=($!)
done
wait
keys=$(for i in 1 2 3; do
    "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["node"]["createdIndex"], json.load(open(sys.argv[1]))["node"]["key"])' "$work/q$i" 2>/dev/null
done | sort -n | cut -d' ' -f2)
check "three concurrent mk --in-order: three distinct 20-digit keys" \
    eval '[[ $(printf "%s\n" "$keys" | grep -cE "^$P/queue/[0-9]{20}$") == 3 && $(printf "%s\n" "$keys" | sort -u | wc -l) == 3 ]]'
check "...strictly increasing in creation order" \
    eval '[[ "$keys" == "$(printf "%s\n" "$keys" | LC_ALL=C sort)" ]]'
ew mk "$P/queue" job4 --in-order
expect "mk --in-order prints the value" 0 "job4"
curl_set "$P/plainkey" x >/dev/null
ew mk "$P/plainkey" y --in-order
expect_err "mk --in-order under a key: 104" 104 "Not a directory" "$P/plainkey"

# ---- quorum reaches the server (on the TLS member, which holds no TTL keys) ---------

TLS=(--endpoints "$ETCD_TEST_TLS_ENDPOINT" --cacert "$ETCD_TEST_CA" --cert "$ETCD_TEST_CERT"
    --key "$ETCD_TEST_KEY")
raft_index() {
    curl -s -o /dev/null -D - --max-time 10 --cacert "$ETCD_TEST_CA" --cert "$ETCD_TEST_CERT" \
        --key "$ETCD_TEST_KEY" "$ETCD_TEST_TLS_ENDPOINT/v2/keys/" |
        tr -d '\r' | sed -n 's/^[Xx]-[Rr]aft-[Ii]ndex: *//p'
}
ew "${TLS[@]}" set "$P/q" quorum
expect "TLS: set with --cacert/--cert/--key" 0 "quorum"
r0=$(raft_index)
for i in 1 2 3; do
    ew "${TLS[@]}" get "$P/q"
done
r1=$(raft_index)
for i in 1 2 3; do
    ew "${TLS[@]}" get "$P/q" --quorum
done
r2=$(raft_index)
check "get --quorum prints the value" eval '[[ $RC == 0 && $OUT == quorum ]]'
check "plain gets do not go through raft, quorum gets do ($r0 $r1 $r2)" \
    eval '[[ -n $r0 && $r1 == "$r0" && $((r2 - r1)) -ge 3 ]]'

# ---- TLS --------------------------------------------------------------------------

ew --endpoints "$ETCD_TEST_TLS_ENDPOINT" --cacert "$ETCD_TEST_CA" get "$P/q"
check "TLS without a client certificate: refused, exit 1, one Error line" \
    eval '[[ $RC == 1 && -z $OUT && $ERR == Error:* ]]'
ew --endpoints "$ETCD_TEST_TLS_ENDPOINT" --cert "$ETCD_TEST_CERT" --key "$ETCD_TEST_KEY" \
    get "$P/q"
check "TLS with an unknown CA: refused, exit 1" eval '[[ $RC == 1 && $ERR == Error:* ]]'
ew "${TLS[@]}" health
check "TLS: health" eval '[[ $RC == 0 && $OUT == *healthy* ]]'
ew get "$P/q" --endpoints "$ETCD_TEST_TLS_ENDPOINT" --cacert "$ETCD_TEST_CA" \
    --cert "$ETCD_TEST_CERT" --key "$ETCD_TEST_KEY"
expect "global options after the command" 0 "quorum"

# ---- endpoints ---------------------------------------------------------------------

curl_set "$P/ep" live >/dev/null
ew --endpoints "$DEAD,$LIVE" get "$P/ep"
expect "--endpoints DEAD,LIVE: fails over" 0 "live"
ETCDWATCH_ENDPOINTS="$DEAD,$LIVE" ew get "$P/ep"
expect "ETCDWATCH_ENDPOINTS=DEAD,LIVE: fails over" 0 "live"
ETCDWATCH_ENDPOINTS=$DEAD ew --endpoints "$LIVE" get "$P/ep"
expect "--endpoints overrides ETCDWATCH_ENDPOINTS" 0 "live"
ETCDWATCH_ENDPOINTS=$DEAD ew get "$P/ep"
check "only a dead endpoint: exit 1, Error line naming it" \
    eval '[[ $RC == 1 && -z $OUT && $ERR == Error:* && $ERR == *"${DEAD#http://}"* ]]'
ETCDWATCH_ENDPOINTS=$DEAD ew -o json get "$P/ep"
check "transport error under -o json: exit 1" eval '[[ $RC == 1 && $ERR == Error:* ]]'
ew --endpoints "not a url" get "$P/ep"
check "a malformed endpoint is a usage error (2) or an error (1), never a crash" \
    eval '[[ $RC == 1 || $RC == 2 ]]'

# ---- health and version --------------------------------------------------------------

ew health
check "health: exit 0, says healthy" eval '[[ $RC == 0 && $OUT == *healthy* ]]'
ew --endpoints "$DEAD" health
check "health of a dead endpoint: exit 1" eval '[[ $RC == 1 ]]'
ew version
check "version: the server's version" eval '[[ $RC == 0 && $OUT == *3.4.* ]]'
ew -o json version
check "version -o json: the server's object" eval '[[ $RC == 0 && $(json etcdserver) == 3.4.* ]]'
ew -o json health
check "health -o json: the server's object" eval '[[ $RC == 0 && $(json health) == true ]]'

# ---- watch ---------------------------------------------------------------------------

# watch_bg FILE ARGS...: start `etcdwatch ARGS` in the background, output to FILE
watch_bg() {
    local file=$1
    shift
    timeout -k 5 "$T" "${wrapper[@]}" "$EW" "$@" </dev/null >"$file" 2>"$file.err" &
    WPID=$!
    bg_pids+=("$WPID")
}

curl_set "$P/w" before >/dev/null
n=$(watchers "$LIVE")
watch_bg "$work/w1" watch "$P/w"
wait_watchers "$LIVE" "$n"
curl_set "$P/w" after >/dev/null
wait "$WPID"
RC=$?
OUT=$(cat "$work/w1")
ERR=$(cat "$work/w1.err")
expect "watch: prints the next change and exits 0" 0 "after"

n=$(watchers "$LIVE")
watch_bg "$work/w2" -o json watch "$P/w"
wait_watchers "$LIVE" "$n"
curl -s -X DELETE "$LIVE/v2/keys$P/w" >/dev/null
wait "$WPID"
RC=$?
OUT=$(cat "$work/w2")
check "watch -o json: the event object (delete with prevNode)" \
    eval '[[ $RC == 0 && $(json action) == delete && $(json prevNode.value) == after ]]'

# historical event with --after-index (etcdctl: waits for index N+1)
i1=$(curl_set "$P/hist" one)
curl_set "$P/hist" two >/dev/null
curl_set "$P/hist" three >/dev/null
ew watch "$P/hist" --after-index "$i1"
expect "watch --after-index N: the event after N" 0 "two"
ew watch "$P/hist" --after-index "$((i1 - 1))"
expect "watch --after-index N-1: the historical event N" 0 "one"

# recursive, two levels down
n=$(watchers "$LIVE")
watch_bg "$work/w3" -o json watch "$P/rdir" --recursive
wait_watchers "$LIVE" "$n"
curl_set "$P/rdir/a/b" deep >/dev/null
wait "$WPID"
RC=$?
OUT=$(cat "$work/w3")
check "watch --recursive sees a change two levels down" \
    eval '[[ $RC == 0 && $(json node.key) == "$P/rdir/a/b" && $(json node.value) == deep ]]'

# --forever: several changes, in order, one line each
n=$(watchers "$LIVE")
watch_bg "$work/w4" watch "$P/f" --forever
wait_watchers "$LIVE" "$n"
for v in 1 2 3 4 5; do
    curl_set "$P/f" "v$v" >/dev/null
done
wait_lines "$work/w4" 5
kill "$WPID" 2>/dev/null
wait "$WPID" 2>/dev/null
OUT=$(cat "$work/w4")
RC=0
expect "watch --forever: every change in order" 0 "v1
v2
v3
v4
v5"

n=$(watchers "$LIVE")
watch_bg "$work/w5" -o json watch "$P/fj" --forever --recursive
wait_watchers "$LIVE" "$n"
curl_set "$P/fj/x" 1 >/dev/null
curl_set "$P/fj/y/z" 2 >/dev/null
wait_lines "$work/w5" 2
kill "$WPID" 2>/dev/null
wait "$WPID" 2>/dev/null
OUT=$(cat "$work/w5")
check "watch --forever -o json: one object per line per event" \
    eval 'json_lines && [[ $(printf "%s\n" "$OUT" | wc -l) == 2 && $OUT == *"$P/fj/y/z"* ]]'

# TTL expiry reaches a watcher
# (from the set's index: the key may expire before etcdwatch has started)
ti=$(curl -s -X PUT "$LIVE/v2/keys$P/ttl" -d value=soon -d ttl=1 |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["node"]["modifiedIndex"])')
ew -o json watch "$P/ttl" --after-index "$ti"
check "watch sees a TTL key expire (action expire)" \
    eval '[[ $RC == 0 && $(json action) == expire && $(json prevNode.value) == soon ]]'

ew watch
check "watch without KEY: exit 2" eval '[[ $RC == 2 ]]'

# ---- --user with ETCDWATCH_PASSWORD, against an etcd with auth enabled --------------

# on an etcd of this script's own (lib.sh gave it a temp dir and traps); a failure to
# start is reported by the exit trap: etcd-env.sh exits
if etcd_cluster_start cliauth 1 2>"$work/auth-start.log"; then
    AUTH=$ETCD_CLIAUTH_ENDPOINTS
    rootpw="pw-$RANDOM$RANDOM"
    # the password goes to curl on stdin (a config line), never in an argument
    as_root() { printf 'user = "root:%s"\n' "$rootpw" | curl -s -K - "$@"; }
    printf '{"user":"root","password":"%s"}' "$rootpw" |
        curl -s -X PUT "$AUTH/v2/auth/users/root" -H 'Content-Type: application/json' \
            --data-binary @- >/dev/null
    curl -s -X PUT "$AUTH/v2/auth/enable" >/dev/null
    # guests may do nothing: every request must carry root's credentials
    as_root -X PUT "$AUTH/v2/auth/roles/guest" -H 'Content-Type: application/json' \
        -d '{"role":"guest","revoke":{"kv":{"read":["/*"],"write":["/*"]}}}' >/dev/null
    as_root -X PUT "$AUTH/v2/keys/secret" -d value=s3cret >/dev/null

    ETCDWATCH_PASSWORD=$rootpw ew --endpoints "$AUTH" --user root get /secret
    expect "--user root with ETCDWATCH_PASSWORD" 0 "s3cret"
    ETCDWATCH_PASSWORD=wrong ew --endpoints "$AUTH" --user root get /secret
    check "--user with a wrong password: exit 1, Error line" \
        eval '[[ $RC == 1 && -z $OUT && $ERR == *Error* ]]'
    ew --endpoints "$AUTH" get /secret
    check "no --user on an auth-enabled etcd: exit 1" eval '[[ $RC == 1 && -z $OUT ]]'
    # (the one password in an argument: the spec'd NAME:PASS form, a throwaway one)
    ew --endpoints "$AUTH" --user "root:$rootpw" get /secret
    check "--user NAME:PASS works, with a warning" \
        eval '[[ $RC == 0 && $OUT == s3cret && $ERR == *arn* ]]'
    ETCDWATCH_PASSWORD=$rootpw ew --endpoints "$AUTH" --user root set /secret2 v
    expect "--user for a write" 0 "v"
    ETCDWATCH_PASSWORD=$rootpw ew --endpoints "$AUTH" --user root -o json watch /secret \
        --after-index 1
    check "--user applies to watches too" eval '[[ $RC == 0 && $(json node.key) == /secret ]]'
    etcd_env_stop
else
    bad "start an etcd with auth for the --user tests" "$(cat "$work/auth-start.log")"
fi

finish
