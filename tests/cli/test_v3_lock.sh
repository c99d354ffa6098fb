#!/usr/bin/env bash
# Tests of `etcdwatch --api v3 lock` and `elect` (issue 6) against one etcd member that
# this script starts on loopback through tests/etcd-env.sh:
#   - three `lock NAME COMMAND` processes on one name: the commands' "start PID" and
#     "end PID" lines in a shared file never interleave;
#   - COMMAND's exit status passes through (127 when it does not exist), ETCD_LOCK_KEY
#     names the lock's key (read back with etcdctl while it runs) and ETCD_LOCK_REV is a
#     revision; the key and its lease are gone afterwards;
#   - a holder without COMMAND prints the key (as etcdctl's GET), SIGTERM releases it at
#     once (the waiter gets it long before the TTL) and exits 0; a waiter stopped by
#     SIGTERM exits 143 and leaves no key behind; SIGKILL of a holder hands the lock to
#     the waiter within its lease's TTL (--ttl 3), not before;
#   - a revoked session lease: a holder with COMMAND reports it, stops the command
#     (SIGTERM to its group) and exits 1; a leader reports it and exits 1;
#   - election: one leader among two campaigners, `elect --listen` sees each leader,
#     a resign (SIGTERM) elects the next at once, a SIGKILLed leader's successor is
#     elected within the TTL; -o json; usage errors exit 2; --help of both.
#
# usage: test_v3_lock.sh [PATH/TO/etcdwatch]   (default: $ETCD_TEST_BIN_DIR/etcdwatch)
# Every etcdwatch run is wrapped in $ETCD_TEST_WRAPPER (valgrind in tests/run.sh
# --valgrind); one-shot runs are bounded by a timeout, background holders by bounded
# waits and the cleanup; the whole script by LOCK_MAX_SECONDS.
# Ends with "v3_lock: N passed, M failed"; exit status 0 only when nothing failed.
# What every CLI test script shares (ew, expect, check, the traps) is in lib.sh.
set -uo pipefail

TEST_NAME="v3_lock"
TEST_MAX=400
TEST_MAX_WRAPPED=850
TEST_MAX_VAR=LOCK_MAX_SECONDS
TEST_NEEDS_ETCDCTL=1
EW_SLOW=0
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
# W: how long a background step may take (wait_lines' limit too)
if ((${#wrapper[@]} > 0)); then
    W=60
else
    W=20
fi
WAIT=$W

etcd_cluster_start lock 1 || exit 1
EP=$ETCD_LOCK_ENDPOINTS
export EP
CTL_ENDPOINTS=$EP
EW_OPTS=(--api v3 --endpoints "$EP")

# bg TAG ARGS...: etcdwatch in the background (its pid is BG, the process itself:
# signals reach it, not a wrapper's parent); stdout and stderr in $work/TAG.out/.err
bg() {
    local tag=$1
    shift
    "${wrapper[@]}" "$EW" "${EW_OPTS[@]}" "$@" \
        </dev/null >"$work/$tag.out" 2>"$work/$tag.err" &
    BG=$!
    bg_pids+=("$BG")
}

# reap PID: wait for a background run to end (killing it after W seconds); RC its status
reap() {
    local pid=$1 i
    for ((i = 0; i < W * 10; i++)); do
        etcd_env_alive "$pid" || break
        sleep 0.1
    done
    if etcd_env_alive "$pid"; then
        echo "  (pid $pid still running after ${W}s: killed)" >&2
        kill -KILL "$pid" 2>/dev/null
    fi
    { wait "$pid"; } 2>/dev/null
    RC=$?
}

now() {
    date +%s.%N
}

# elapsed FROM TO: seconds between two `now` stamps, as a whole number of tenths
tenths() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%d", (b - a) * 10 }'
}

# verdict STATUS NAME [DETAIL...]: passes when STATUS, that of the test just before
# (given as $?: read inside, $? would be that of the last $(...) in the details), is 0
verdict() {
    local st=$1 t_name=$2
    shift 2
    if ((st == 0)); then
        ok "$t_name"
    else
        bad "$t_name" "$@"
    fi
}

# file FILE: its contents, %q-quoted, for failure details
file() {
    printf '%q' "$(cat "$1" 2>/dev/null)"
}

# keys of the lock or election NAME in etcd, one per line, oldest first
held_keys() {
    ctl get --prefix "$1/" --keys-only --sort-by=CREATE | sed '/^$/d'
}

# the lease of a key NAME/LEASE-ID in hex, and whether etcd still has it
lease_of() {
    echo "${1##*/}"
}
lease_gone() {
    ctl lease timetolive "$(lease_of "$1")" | grep -q "already expired"
}

# ---- help and usage ----------------------------------------------------------------

ew lock --help
((RC == 0)) && [[ $OUT == "Usage: etcdwatch lock NAME [COMMAND [ARGS...]] [--ttl SECONDS]"* &&
    $OUT == *ETCD_LOCK_KEY* && $OUT == *"--ttl SECONDS"* &&
    $OUT == *"(default 10, as etcdctl's)"* ]]
verdict $? "lock --help: usage line, description and --ttl (default 10)" "status $RC" \
    "stdout: $OUT"

ew elect --help
((RC == 0)) && [[ $OUT == "Usage: etcdwatch elect NAME [PROPOSAL] [--listen] [--ttl SECONDS]"* &&
    $OUT == *"-l, --listen"* && $OUT == *"--ttl SECONDS"* &&
    $OUT == *"(default 60, as etcdctl's)"* ]]
verdict $? "elect --help: usage line, description, --listen and --ttl (default 60)" \
    "status $RC" "stdout: $OUT"

# usage_case NAME FIRST-STDERR-LINE ARGS...: exit 2, nothing on stdout
usage_case() {
    local t_name=$1 msg=$2
    shift 2
    ew "$@"
    ((RC == 2)) && [[ -z $OUT && ${ERR%%$'\n'*} == "$msg" ]]
    verdict $? "$t_name" "status $RC (want 2)" "stderr: $(printf '%q' "$ERR")" \
        "want first line: $msg"
}
usage_case "lock without NAME" "etcdwatch: lock: missing NAME" lock
usage_case "lock --ttl 0" "etcdwatch: lock: --ttl must be at least 1 (seconds)" \
    lock --ttl 0 x
usage_case "lock --ttl abc" \
    "etcdwatch: lock: invalid --ttl 'abc': expected a whole number >= 0" lock --ttl abc x
usage_case "elect without PROPOSAL or --listen" \
    "etcdwatch: elect: missing PROPOSAL (or --listen to observe)" elect x
usage_case "elect with PROPOSAL and --listen" \
    "etcdwatch: elect: a PROPOSAL campaigns; --listen only observes: give one or the other" \
    elect -l x y
usage_case "elect with three arguments" "etcdwatch: elect: unexpected argument 'c'" \
    elect a b c

# ---- lock with COMMAND -------------------------------------------------------------

# the words after COMMAND are its own (-c is sh's, not etcdwatch's)
ew lock job sh -c 'exit 7'
expect "lock COMMAND: its exit status is passed through" 7 ""

ew lock job -- nosuch-command-zz
expect "lock COMMAND: a command that does not exist exits 127" 127 "" \
    "Error:  lock job: cannot run 'nosuch-command-zz': No such file or directory"

# shellcheck disable=SC2016 # expanded by the command's shell
ew lock --ttl 10 job sh -c 'echo "$ETCD_LOCK_KEY"; echo "$ETCD_LOCK_REV"
    ETCDCTL_API=3 etcdctl --endpoints "$EP" get "$ETCD_LOCK_KEY" --keys-only'
key=$(sed -n 1p <<<"$OUT")
rev=$(sed -n 2p <<<"$OUT")
seen=$(sed -n 3p <<<"$OUT")
((RC == 0)) && [[ $key =~ ^job/[0-9a-f]+$ && $seen == "$key" ]]
verdict $? "lock COMMAND: ETCD_LOCK_KEY is the lock's key, in etcd while it runs" \
    "status $RC" "stdout: $(printf '%q' "$OUT")" "stderr: $ERR"
[[ $rev =~ ^[1-9][0-9]*$ ]]
verdict $? "lock COMMAND: ETCD_LOCK_REV is a revision" "ETCD_LOCK_REV=$rev"
[[ -z $(held_keys job) ]]
verdict $? "lock COMMAND: the key is gone afterwards" "keys: $(held_keys job)"
lease_gone "$key"
verdict $? "lock COMMAND: the session's lease is revoked afterwards" "key $key"

# without --ttl the session's lease has etcdctl's 10 seconds, as etcd itself tells
# shellcheck disable=SC2016 # expanded by the command's shell
ew lock deflt sh -c 'ETCDCTL_API=3 etcdctl --endpoints "$EP" lease timetolive \
    "${ETCD_LOCK_KEY##*/}"'
((RC == 0)) && [[ $OUT == "lease "*" granted with TTL(10s), remaining("*"s)" ]]
verdict $? "lock without --ttl: the session's lease has a TTL of 10 s, as etcdctl's" \
    "status $RC" "stdout: $(printf '%q' "$OUT")" "stderr: $ERR"

# on a terminal (script(1) makes one), COMMAND gets it: it reads from it, and its status
# comes back
# shellcheck disable=SC2016 # expanded by the command's shell
printf -v inner '%q ' "${wrapper[@]}" "$EW" "${EW_OPTS[@]}" lock tty \
    sh -c 'read -r a; echo "got $a"; exit 3'
out=$( (
    sleep 1
    echo hello
    sleep 1
) | timeout -k 5 "$T" script -qec "$inner; echo \"rc=\$?\"" /dev/null 2>&1 | tr -d '\r')
[[ $out == *"got hello"* && $out == *"rc=3"* ]]
verdict $? "lock COMMAND on a terminal: COMMAND reads from it" "output: $(printf '%q' "$out")"

# three holders of one lock, each writing start/end around a sleep
: >"$work/mutex.log"
pids=()
for i in 1 2 3; do
    # shellcheck disable=SC2016 # expanded by the command's shell
    bg "mutex$i" lock mutex sh -c 'echo "start $$" >>"$0"; sleep 1; echo "end $$" >>"$0"' \
        "$work/mutex.log"
    pids+=("$BG")
done
rcs=""
for p in "${pids[@]}"; do
    reap "$p"
    rcs+="$RC "
done
# never_two FILE: six lines from three processes, each start followed by its own end
never_two() {
    local f=$1 n=0 holder="" line
    while read -r line; do
        n=$((n + 1))
        case $line in
        "start "*)
            [[ -z $holder ]] || return 1
            holder=${line#start }
            ;;
        "end "*)
            [[ $holder == "${line#end }" ]] || return 1
            holder=""
            ;;
        *) return 1 ;;
        esac
    done <"$f"
    [[ -z $holder && $n == 6 && $(cut -d' ' -f2 "$f" | sort -u | wc -l) == 3 ]]
}
[[ $rcs == "0 0 0 " ]] && never_two "$work/mutex.log"
verdict $? "three lock COMMAND processes on one name never hold it at once" \
    "statuses: $rcs" "log: $(file "$work/mutex.log")" \
    "stderr: $(file "$work/mutex1.err") $(file "$work/mutex2.err") $(file "$work/mutex3.err")"

# ---- lock without COMMAND: SIGTERM releases at once, SIGKILL after the TTL ---------

# wait_keys NAME N: until the lock or election NAME has at least N keys in etcd
wait_keys() {
    local i
    for ((i = 0; i < W * 10; i++)); do
        (($(held_keys "$1" | wc -l) >= $2)) && return 0
        sleep 0.1
    done
    return 1
}

bg holder lock --ttl 60 hold
holder=$BG
wait_lines "$work/holder.out" 2
hkey=$(sed -n 1p "$work/holder.out")
[[ $hkey =~ ^hold/[0-9a-f]+$ && $(cat "$work/holder.out") == "$hkey" &&
    $(wc -l <"$work/holder.out") == 2 ]]
verdict $? "lock: prints the key and an empty line, as etcdctl's GET" \
    "stdout: $(file "$work/holder.out")" "stderr: $(file "$work/holder.err")"
[[ $(held_keys hold) == "$hkey" ]]
verdict $? "lock: the printed key holds the lock in etcd" "keys: $(held_keys hold)"

bg waiter lock --ttl 60 hold
waiter=$BG
wait_keys hold 2
bg quitter lock hold sh -c 'echo ran'
quitter=$BG
wait_keys hold 3
sleep 1
[[ ! -s $work/waiter.out && ! -s $work/quitter.out && $(held_keys hold | wc -l) == 3 ]]
verdict $? "lock: a second and a third holder wait" "keys: $(held_keys hold)" \
    "second: $(file "$work/waiter.out")" "third: $(file "$work/quitter.out")"
kill -TERM "$quitter"
reap "$quitter"
((RC == 143)) && [[ ! -s $work/quitter.out && ! -s $work/quitter.err &&
    $(held_keys hold | wc -l) == 2 ]]
verdict $? "lock: SIGTERM while waiting exits 143, runs nothing and leaves no key" \
    "status $RC" "stdout: $(file "$work/quitter.out")" "stderr: $(file "$work/quitter.err")" \
    "keys: $(held_keys hold)"

t0=$(now)
kill -TERM "$holder"
reap "$holder"
hrc=$RC
wait_lines "$work/waiter.out" 2
t1=$(now)
took=$(tenths "$t0" "$t1")
wkey=$(sed -n 1p "$work/waiter.out")
((hrc == 0 && took < W * 10)) && [[ $wkey =~ ^hold/[0-9a-f]+$ && $wkey != "$hkey" &&
    $(held_keys hold) == "$wkey" ]]
verdict $? "lock: SIGTERM of the holder exits 0 and releases at once (the waiter had it in $((took / 10)).$((took % 10)) s; TTL 60)" \
    "holder status $hrc" "holder stderr: $(file "$work/holder.err")" \
    "waiter: $(file "$work/waiter.out")" "keys: $(held_keys hold)"
lease_gone "$hkey"
verdict $? "lock: the released holder's lease is revoked" "key $hkey"
kill -TERM "$waiter"
reap "$waiter"

bg victim lock --ttl 3 killed
victim=$BG
wait_lines "$work/victim.out" 2
# shellcheck disable=SC2016 # expanded by the command's shell
bg heir lock --ttl 3 killed sh -c 'date +%s.%N >"$0"' "$work/heir.at"
heir=$BG
wait_keys killed 2
sleep 1
[[ ! -e $work/heir.at ]]
verdict $? "lock: the heir waits while the holder lives"
t0=$(now)
kill -KILL "$victim"
{ wait "$victim"; } 2>/dev/null # SIGKILL: at once, and quietly
reap "$heir"
took=$(tenths "$t0" "$(cat "$work/heir.at" 2>/dev/null || echo 0)")
# the lease expires at most 3 s after the kill (etcd looks every 0.5 s); margin for load
((RC == 0 && took > 0 && took <= (3 + W / 5) * 10))
verdict $? "lock: SIGKILL of the holder hands the lock on within its TTL ($((took / 10)).$((took % 10)) s, TTL 3)" \
    "heir status $RC" "heir stderr: $(file "$work/heir.err")"

# ---- a lost session lease ----------------------------------------------------------

# shellcheck disable=SC2016 # expanded by the command's shell
bg lost lock --ttl 3 lost sh -c 'trap "echo TERM >\"\$0\"; exit 5" TERM; echo held >"$0"
    sleep 60 & wait' "$work/lost.marker"
lost=$BG
wait_lines "$work/lost.marker" 1
lkey=$(held_keys lost)
ctl lease revoke "$(lease_of "$lkey")" >/dev/null
reap "$lost"
want="Error:  lock lost: the session's lease $(printf %016x "0x$(lease_of "$lkey")") was lost (expired or revoked): stopping the command"
((RC == 1)) && [[ $(cat "$work/lost.marker") == TERM && $(cat "$work/lost.err") == "$want" ]]
verdict $? "lock: a revoked lease stops COMMAND (SIGTERM) and exits 1 with one line" \
    "status $RC" "marker: $(file "$work/lost.marker")" "stderr: $(file "$work/lost.err")" \
    "want:   $(printf '%q' "$want")"

# ---- -o json -----------------------------------------------------------------------

bg json -o json lock --ttl 10 jlock
json=$BG
wait_lines "$work/json.out" 1
jkey=$(held_keys jlock)
[[ -n $jkey && $(cat "$work/json.out") == '{"header":{'*'"kvs":[{"key":"'"$jkey"'"'*'"count":"1"}' ]]
verdict $? "lock -o json: the GET of the key, key decoded" "stdout: $(file "$work/json.out")" \
    "key: $jkey"
kill -INT "$json"
reap "$json"
((RC == 0)) && [[ -z $(held_keys jlock) ]]
verdict $? "lock -o json: SIGINT unlocks and exits 0" "status $RC" \
    "stderr: $(file "$work/json.err")"

# ---- elect -------------------------------------------------------------------------

bg listen elect --listen vote
listen=$BG
bg one elect vote one
one=$BG
wait_lines "$work/one.out" 2
okey=$(sed -n 1p "$work/one.out")
[[ $(ctl lease timetolive "$(lease_of "$okey")") == *" granted with TTL(60s), "* ]]
verdict $? "elect without --ttl: the session's lease has a TTL of 60 s, as etcdctl's" \
    "key $okey" "timetolive: $(ctl lease timetolive "$(lease_of "$okey")")"
bg two elect --ttl 3 vote two
two=$BG
wait_keys vote 2
sleep 1
k1=$(sed -n 1p "$work/one.out")
[[ $k1 =~ ^vote/[0-9a-f]+$ && $(cat "$work/one.out") == "$k1"$'\none' ]]
verdict $? "elect: the first campaigner is elected and prints its key and proposal" \
    "stdout: $(file "$work/one.out")" "stderr: $(file "$work/one.err")"
[[ ! -s $work/two.out ]]
verdict $? "elect: the second one waits" "stdout: $(file "$work/two.out")"
[[ $(ctl get --prefix vote/ --sort-by=CREATE --limit 1 --print-value-only) == one ]]
verdict $? "elect: etcd's leader is the first (the oldest key, value one)" \
    "keys: $(held_keys vote)"
wait_lines "$work/listen.out" 2
[[ $(cat "$work/listen.out") == "$k1"$'\none' ]]
verdict $? "elect --listen: sees the leader" "stdout: $(file "$work/listen.out")"

t0=$(now)
kill -TERM "$one"
reap "$one"
orc=$RC
wait_lines "$work/two.out" 2
t1=$(now)
took=$(tenths "$t0" "$t1")
k2=$(sed -n 1p "$work/two.out")
((orc == 0 && took < W * 10)) && [[ $k2 =~ ^vote/[0-9a-f]+$ && $k2 != "$k1" &&
    $(cat "$work/two.out") == "$k2"$'\ntwo' ]]
verdict $? "elect: SIGTERM resigns (exit 0) and the next is elected at once ($((took / 10)).$((took % 10)) s; TTL 60)" \
    "status $orc" "stderr: $(file "$work/one.err")" "next: $(file "$work/two.out")"

bg three elect vote three
three=$BG
wait_keys vote 2
sleep 1
[[ ! -s $work/three.out ]]
verdict $? "elect: a third campaigner waits" "stdout: $(file "$work/three.out")"
t0=$(now)
kill -KILL "$two"
{ wait "$two"; } 2>/dev/null # SIGKILL: at once, and quietly
wait_lines "$work/three.out" 2
t1=$(now)
took=$(tenths "$t0" "$t1")
k3=$(sed -n 1p "$work/three.out")
[[ $k3 =~ ^vote/[0-9a-f]+$ && $(cat "$work/three.out") == "$k3"$'\nthree' ]] &&
    ((took <= (3 + W / 5) * 10))
verdict $? "elect: SIGKILL of the leader elects the next within its TTL ($((took / 10)).$((took % 10)) s, TTL 3)" \
    "stdout: $(file "$work/three.out")" "stderr: $(file "$work/three.err")"
wait_lines "$work/listen.out" 6
kill -TERM "$listen"
reap "$listen"
((RC == 0)) && [[ $(cat "$work/listen.out") == "$k1"$'\none\n'"$k2"$'\ntwo\n'"$k3"$'\nthree' ]]
verdict $? "elect --listen: saw each leader in turn, and exits 0 on SIGTERM" "status $RC" \
    "stdout: $(file "$work/listen.out")" "stderr: $(file "$work/listen.err")"

ctl lease revoke "$(lease_of "$k3")" >/dev/null
reap "$three"
want="Error:  elect vote: the session's lease $(printf %016x "0x$(lease_of "$k3")") was lost (expired or revoked): no longer the leader"
((RC == 1)) && [[ $(cat "$work/three.err") == "$want" ]]
verdict $? "elect: a revoked lease ends the leadership with one line and exit 1" \
    "status $RC" "stderr: $(file "$work/three.err")" "want:   $(printf '%q' "$want")"

bg jc -o json elect jvote proposal
jc=$BG
wait_lines "$work/jc.out" 1
[[ $(cat "$work/jc.out") == '{"header":{'*'"key":"jvote/'*'"value":"proposal"'*'"count":"1"}' ]]
verdict $? "elect -o json: the GET of the leader's key, key and value decoded" \
    "stdout: $(file "$work/jc.out")"
kill -TERM "$jc"
reap "$jc"
((RC == 0)) && [[ -z $(held_keys jvote) ]]
verdict $? "elect: after the resign there is no leader" "status $RC" "keys: $(held_keys jvote)"

finish
