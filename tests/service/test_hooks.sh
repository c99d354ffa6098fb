#!/usr/bin/env bash
# Commands on the watcher's loop: a check_cmd or reload_cmd that runs holds nothing else
# up. While resource A's reload runs (it waits for a file this script creates), a change
# to B renders B and runs B's reload, and a change to A renders A once that reload is
# done; a change that comes during C's check renders C again once the check is done, and
# C ends with the final value; a SIGHUP while A's reload runs (A kept) or that removes
# resource E while its reload runs leaves the watcher running, the removed reload ending
# on its own (logged) and the other resources following changes; SIGTERM while a long
# check runs exits 0 at once, the check's process group killed, no stage file, dest
# untouched; SIGTERM while a reload runs lets it end, then exits 0; a second SIGTERM
# kills it. The checks are about order and outcome, never elapsed time; every wait is
# bounded. Under tests/run.sh --valgrind the watchers run under valgrind (SVC_WRAP).
#
# usage: test_hooks.sh PATH/TO/etcdwatch
set -uo pipefail
SVC_NAME=service
SVC_TIME_LIMIT=${SVC_TIME_LIMIT:-160}
SVC_WRAP=1
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

svc_start_etcd hooks 1
# the bounds of the waits, wider under a wrapper (valgrind is slow to start and stop)
k=1
[[ -n ${ETCD_TEST_WRAPPER:-} ]] && k=4
C=$SVC_DIR/confdir
OUT=$SVC_DIR/out
EV=$SVC_DIR/events.log # each command appends a line when it starts and when it ends
mkdir -p "$C/conf.d" "$C/templates" "$OUT"
touch "$EV"
printf 'value={{getv "/v"}}\n' >"$C/templates/v.tmpl"

# hook.sh TAG FILE: logs "TAG start VALUE" and "TAG end VALUE" (FILE's contents); when
# FILE says "wait...", it waits in between for $SVC_DIR/release-TAG (at most 25 s).
cat >"$SVC_DIR/hook.sh" <<EOF
v=\$(cat "\$2")
echo "\$1 start \$v" >>"$EV"
case \$v in *=wait*)
    i=0
    while [ ! -e "$SVC_DIR/release-\$1" ] && [ \$i -lt 250 ]; do
        sleep 0.1
        i=\$((i + 1))
    done ;;
esac
echo "\$1 end \$v" >>"$EV"
EOF
# slowcheck.sh FILE: when FILE says "wait...", records its process group, its pid and a
# child's in $SVC_DIR/check.pids, then waits for the child (25 s).
cat >"$SVC_DIR/slowcheck.sh" <<EOF
case \$(cat "\$1") in *=wait*)
    read -r _ _ _ _ pgid _ </proc/\$\$/stat
    sleep 25 &
    echo "\$pgid \$\$ \$!" >"$SVC_DIR/check.pids.tmp"
    mv "$SVC_DIR/check.pids.tmp" "$SVC_DIR/check.pids"
    wait ;;
esac
EOF

resource() { # resource NAME [EXTRA LINES]: conf.d/NAME.toml, /hooks/NAME into NAME.txt
    cat >"$C/conf.d/$1.toml" <<EOF
[template]
src = "v.tmpl"
dest = "$OUT/$1.txt"
prefix = "/hooks/$1"
keys = ["/"]
${2:-}
EOF
}
reload_hook() { # reload_hook TAG: the lines of a reload_cmd through hook.sh
    printf 'reload_cmd = "sh %s %s {{.dest}}"\nreload_timeout = 60\n' "$SVC_DIR/hook.sh" "$1"
}
resource a "$(reload_hook a-reload)"
resource b "$(reload_hook b-reload)"
resource c "check_cmd = \"sh $SVC_DIR/hook.sh c-check {{.src}}\"
check_timeout = 60"
# d shares c's prefix (and its watch), m shares a's, without commands: once they hold
# a value, the watcher has taken in the change that carried it
mirror() { # mirror NAME PREFIX-OF
    cat >"$C/conf.d/$1.toml" <<EOF
[template]
src = "v.tmpl"
dest = "$OUT/$1.txt"
prefix = "/hooks/$2"
keys = ["/"]
EOF
}
mirror d c
mirror m a
resource e "$(reload_hook e-reload)"
for r in a b c e; do
    put "/hooks/$r/v" "${r}1"
done
write_conf "$SVC_DIR/etcdwatch.conf" "$EP" "$C"

holds() { # holds NAME VALUE: NAME.txt holds exactly value=VALUE
    [[ -f $OUT/$1.txt && $(cat "$OUT/$1.txt") == "value=$2" ]]
}
logged() { # logged LINE: the events hold this line
    grep -qxF -- "$1" "$EV"
}
line_of() { # line_of LINE: its line number in the events (empty when absent)
    grep -nxF -- "$1" "$EV" | head -n 1 | cut -d: -f1
}
in_order() { # in_order LINE...: each line is in the events, each after the one before
    local prev=0 n l
    for l in "$@"; do
        n=$(line_of "$l")
        [[ -n $n ]] && ((n > prev)) || return 1
        prev=$n
    done
}
release() { touch "$SVC_DIR/release-$1"; }
show_events() { sed 's/^/    | /' "$EV" | tail -n 12; }

start_watcher watcher run --config "$SVC_DIR/etcdwatch.conf"
W=$WPID
all_first() {
    holds a a1 && holds b b1 && holds c c1 && holds d c1 && holds e e1 && holds m a1 &&
        logged "a-reload end value=a1" && logged "b-reload end value=b1" &&
        logged "e-reload end value=e1"
}
check "the watcher renders the six resources and runs their commands at start" \
    wait_for $((10 * k)) all_first

# ---- another resource renders and reloads while A's reload runs -----------------------
put /hooks/a/v wait1
check "A's reload of wait1 starts (and waits)" wait_for $((5 * k)) logged "a-reload start value=wait1"
put /hooks/a/v a2 # A is busy: rendered once its reload is done
check "the change of A to a2 is taken in while A's reload runs (M has it)" \
    wait_for $((5 * k)) holds m a2
put /hooks/b/v b2
if wait_for $((5 * k)) eval 'holds b b2 && logged "b-reload end value=b2"'; then
    ok "while A's reload runs, a change to B renders B and runs B's reload"
else
    not_ok "while A's reload runs, a change to B renders B and runs B's reload"
    show_events
fi
check "B was done while A's reload still ran" eval '! logged "a-reload end value=wait1"'
check "A's file is not rendered again while its reload runs" holds a wait1
release a-reload
check "A's reload ends once released" wait_for $((5 * k)) logged "a-reload end value=wait1"
check "then A's change renders, and its reload follows (one reload of A at a time)" \
    wait_for $((5 * k)) eval 'holds a a2 && logged "a-reload end value=a2"'
check "the order: A's reload starts, B's reload runs, A's reload ends, A's next reload" \
    in_order "a-reload start value=wait1" "b-reload end value=b2" \
    "a-reload end value=wait1" "a-reload start value=a2"
rm -f "$SVC_DIR/release-a-reload"

# ---- a change during C's check -------------------------------------------------------
put /hooks/c/v wait2
check "C's check of wait2 starts (and waits)" wait_for $((5 * k)) logged "c-check start value=wait2"
put /hooks/c/v final
check "the change to final is taken in while C's check runs (D, on the same watch, has it)" \
    wait_for $((5 * k)) holds d final
check "C's dest is untouched while its check runs" holds c c1
check "C's check of wait2 still runs" eval '! logged "c-check end value=wait2"'
release c-check
if wait_for $((5 * k)) holds c final; then
    ok "once the check is done, C renders again and ends with the final value"
else
    not_ok "once the check is done, C renders again and ends with the final value"
    show_events
fi
check "C's final value was checked after the check of wait2 ended" \
    in_order "c-check end value=wait2" "c-check start value=final" "c-check end value=final"

# ---- SIGHUP while A's reload runs, A kept ----------------------------------------------
put /hooks/a/v wait3
check "A's reload of wait3 starts" wait_for $((5 * k)) logged "a-reload start value=wait3"
kill -HUP "$W"
put /hooks/b/v b3
check "after the SIGHUP, B renders and reloads while A's reload runs" \
    wait_for $((5 * k)) eval 'holds b b3 && logged "b-reload end value=b3"'
put /hooks/a/v a4
release a-reload
check "A's reload ends, then A's change renders and reloads" \
    wait_for $((5 * k)) eval 'holds a a4 && logged "a-reload end value=a4"'
check "A's reload of a4 came after the one the SIGHUP found running" \
    in_order "a-reload end value=wait3" "a-reload start value=a4"

# ---- SIGHUP that removes E while its reload runs ---------------------------------------
put /hooks/e/v wait4
check "E's reload of wait4 starts" wait_for $((5 * k)) logged "e-reload start value=wait4"
rm "$C/conf.d/e.toml"
n=$(wc -l <"$SVC_DIR/watcher.log")
kill -HUP "$W"
check "the SIGHUP is taken in" wait_for $((5 * k)) eval \
    'tail -n +$((n + 1)) "$SVC_DIR/watcher.log" | grep -q "reloading configuration"'
put /hooks/b/v b5
check "after removing E, B still renders and reloads" \
    wait_for $((5 * k)) eval 'holds b b5 && logged "b-reload end value=b5"'
release e-reload
check "E's reload, dropped by the SIGHUP, ends on its own and is logged" \
    wait_for $((5 * k)) eval 'logged "e-reload end value=wait4" &&
        tail -n +$((n + 1)) "$SVC_DIR/watcher.log" | grep -q "INFO e.toml: reloaded: "'
put /hooks/e/v e6
put /hooks/b/v b6
check "the watcher still runs and follows changes" \
    wait_for $((5 * k)) eval 'alive "$W" && holds b b6'
check "E is no longer rendered" holds e wait4

# ---- SIGTERM while a long check runs ---------------------------------------------------
resource f "check_cmd = \"sh $SVC_DIR/slowcheck.sh {{.src}}\"
check_timeout = 60"
put /hooks/f/v f1
kill -HUP "$W"
check "F is rendered after a SIGHUP" wait_for $((5 * k)) holds f f1
put /hooks/f/v wait7
if wait_for $((5 * k)) test -s "$SVC_DIR/check.pids"; then
    ok "F's check of wait7 runs"
else
    not_ok "F's check of wait7 runs"
fi
pgid='' shpid='' child=''
read -r pgid shpid child <"$SVC_DIR/check.pids"
check "F's stage file exists while its check runs" \
    test -n "$(find "$OUT" -name '.f.txt*' -type f)"
stop_pid "$W" $((5 * k))
check "SIGTERM during F's check: exit 0 promptly (status $STOP_STATUS)" test "$STOP_STATUS" = 0
check "SIGTERM during F's check: its process group is gone (group $pgid: $shpid, $child)" \
    wait_for $((3 * k)) eval '[[ -n $child ]] && gone "$pgid" && gone "$shpid" && gone "$child"'
[[ -n $child ]] && kill -9 "$child" 2>/dev/null
check "SIGTERM during F's check: no stage file left" \
    test -z "$(find "$OUT" -name '.*' -type f)"
check "SIGTERM during F's check: dest untouched" holds f f1
check "SIGTERM during F's check: the check is logged as stopped" \
    grep -q "WARN f.toml: check of $OUT/f.txt .* stopped: stopping; $OUT/f.txt left untouched" \
    "$SVC_DIR/watcher.log"
# (valgrind's own notes, "--PID-- ...", aside: it warns that it lacks pidfd_open)
own_lines_are_events() {
    ! grep -vE '^--[0-9]+-- ' "$SVC_DIR/watcher.log" |
        grep -vqE '^([0-9.]+ )?(DEBUG|INFO|WARN|ERROR) '
}
check "every log line is one event with its level" own_lines_are_events

# ---- SIGTERM while a reload runs: it ends first; a second SIGTERM kills it ------------
rm -f "$C/conf.d/f.toml" "$SVC_DIR"/release-*
for round in wait finish; do
    start_watcher "watcher-$round" run --config "$SVC_DIR/etcdwatch.conf"
    W=$WPID
    wait_for $((10 * k)) eval 'holds b b6 && holds a a4' ||
        not_ok "$round: the watcher started"
    put /hooks/b/v "wait-$round"
    if ! wait_for $((5 * k)) logged "b-reload start value=wait-$round"; then
        not_ok "$round: B's reload starts"
        continue
    fi
    kill -TERM "$W"
    check "$round: after SIGTERM the watcher waits for the running reload" \
        wait_for $((5 * k)) eval 'grep -q "waiting for the running reloads" "$SVC_DIR/watcher-$round.log" && alive "$W"'
    if [[ $round == wait ]]; then
        release b-reload
    else
        kill -TERM "$W"
    fi
    if wait_for $((5 * k)) gone "$W"; then
        wait "$W"
        status=$?
    else
        status=timeout
    fi
    check "$round: the watcher exits 0 (status $status)" test "$status" = 0
    if [[ $round == wait ]]; then
        check "$round: the reload ended before the exit" logged "b-reload end value=wait-$round"
    else
        check "$round: a second SIGTERM kills the reload" \
            eval '! logged "b-reload end value=wait-$round" &&
                grep -q "ERROR b.toml: reload of $OUT/b.txt .* killed: stopping at once" "$SVC_DIR/watcher-$round.log"'
    fi
    rm -f "$SVC_DIR"/release-*
    put /hooks/b/v b6
done
svc_finish
